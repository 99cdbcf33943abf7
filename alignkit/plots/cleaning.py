"""Data-quality figures (notebook 01): rows removed or changed by each cleaning step, the most incomplete columns,
and shares with their confidence intervals."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from alignkit.plots.theme import PALETTE, _axes, ci_errors


def plot_rows_by_step(
    log: pd.DataFrame,
    *,
    ax: plt.Axes | None = None,
    exclude: tuple[str, ...] = ("pseudonymise", "link_to_leads", "check_stage_order"),
) -> plt.Axes:
    """Horizontal bars: rows removed or changed by each cleaning step, one colour per table (steps that only
    record information, such as pseudonymising every row, are left out by default)."""
    log = log[~log["step"].isin(exclude)]
    ax = _axes(ax, (7.5, 0.35 * max(4, log["step"].nunique()) + 1))
    table = (
        log[log["rows_affected"] > 0]
        .groupby(["step", "table"], sort=False)["rows_affected"]
        .sum()
        .unstack(fill_value=0)
    )
    table = table.loc[table.sum(axis=1).sort_values().index]
    left = pd.Series(0.0, index=table.index)
    for i, column in enumerate(table.columns):
        ax.barh(table.index, table[column], left=left, color=PALETTE[i % len(PALETTE)], label=column)
        left += table[column]
    ax.set_xlabel("Rows affected (count)")
    ax.set_ylabel("Cleaning step")
    ax.set_title("Rows removed or values changed, by cleaning step")
    ax.legend(title="Table", frameon=False, loc="lower right")
    return ax


def plot_missingness(missing: pd.DataFrame, *, ax: plt.Axes | None = None, top: int = 20) -> plt.Axes:
    """Horizontal bars: share of missing values for the `top` most incomplete columns (label 'table.column')."""
    worst = missing.sort_values("missing_share", ascending=False).head(top).iloc[::-1]
    ax = _axes(ax, (7.5, 0.3 * max(4, len(worst)) + 1))
    labels = worst["table"] + "." + worst["column"]
    ax.barh(labels, worst["missing_share"] * 100, color=PALETTE[0])
    ax.set_xlabel("Missing values (% of rows)")
    ax.set_ylabel("Column")
    ax.set_xlim(0, 100)
    ax.set_title(f"The {len(worst)} most incomplete columns")
    return ax


def plot_shares_with_ci(
    table: pd.DataFrame, label: str, *, ax: plt.Axes | None = None, title: str, xlabel: str, ylabel: str | None = None
) -> plt.Axes:
    """Dot-and-whisker chart of shares with their confidence intervals (columns share, ci_low, ci_high)."""
    ax = _axes(ax, (7.5, 0.4 * max(3, len(table)) + 1))
    y = range(len(table))
    share = table["share"].astype(float) * 100
    ax.errorbar(
        share,
        y,
        xerr=ci_errors(share, table["ci_low"].astype(float) * 100, table["ci_high"].astype(float) * 100),
        fmt="o",
        color=PALETTE[0],
        ecolor=PALETTE[0],
        capsize=3,
    )
    ax.set_yticks(list(y), table[label].astype(str))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel if ylabel is not None else label.replace("_", " ").capitalize())
    ax.set_title(title)
    return ax
