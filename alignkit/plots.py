"""Every figure, one theme: data in, Axes out. Plot functions never show or save; the caller decides."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
THEME = {
    "figure.figsize": (7.5, 4.0), "figure.dpi": 100, "savefig.dpi": 110, "font.size": 10,
    "axes.titlesize": 12, "axes.titleweight": "bold", "axes.titlelocation": "left", "axes.labelsize": 10,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE), "svg.hashsalt": "alignkit",
}


def category_colours(categories: Sequence[object]) -> dict[object, str]:
    """Return a colour per category, in the order given (e.g. personas by id), from the colour-blind safe palette:
    the same categories in the same order get the same colours in every figure and every report."""
    return {category: PALETTE[i % len(PALETTE)] for i, category in enumerate(categories)}


def apply_theme() -> None:
    """Set alignkit's figure theme for matplotlib (and seaborn, which reads the same settings)."""
    plt.rcParams.update(THEME)


def _axes(ax: plt.Axes | None, size: tuple[float, float] | None = None) -> plt.Axes:
    apply_theme()
    return ax if ax is not None else plt.figure(figsize=size or THEME["figure.figsize"]).subplots()


def figure_to_data_uri(figure: plt.Figure) -> str:
    """Return the figure as a base64 PNG data URI (deterministic bytes: no timestamps in the metadata)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def plot_rows_by_step(log: pd.DataFrame, *, ax: plt.Axes | None = None,
                      exclude: tuple[str, ...] = ("pseudonymise", "link_to_leads", "check_stage_order")) -> plt.Axes:
    """Horizontal bars: rows removed or changed by each cleaning step, one colour per table (steps that only
    record information, such as pseudonymising every row, are left out by default)."""
    log = log[~log["step"].isin(exclude)]
    ax = _axes(ax, (7.5, 0.35 * max(4, log["step"].nunique()) + 1))
    table = (log[log["rows_affected"] > 0].groupby(["step", "table"], sort=False)["rows_affected"].sum()
             .unstack(fill_value=0))
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


def plot_shares_with_ci(table: pd.DataFrame, label: str, *, ax: plt.Axes | None = None, title: str,
                        xlabel: str) -> plt.Axes:
    """Dot-and-whisker chart of shares with their confidence intervals (columns share, ci_low, ci_high)."""
    ax = _axes(ax, (7.5, 0.4 * max(3, len(table)) + 1))
    y = range(len(table))
    share = table["share"].astype(float) * 100
    ax.errorbar(share, y, xerr=[share - table["ci_low"].astype(float) * 100, table["ci_high"].astype(float) * 100 - share],
                fmt="o", color=PALETTE[0], ecolor=PALETTE[0], capsize=3)
    ax.set_yticks(list(y), table[label].astype(str))
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------------------------------------------
# Funnel and SLA figures (notebook 02)
# ---------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------
# Persona figures (notebook 03)
# ---------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------
# Converting-lead figures (notebook 04)
# ---------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------
# Alignment-report figures (notebook 05)
# ---------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------
# Survey-weight figures (notebook 01)
# ---------------------------------------------------------------------------------------------------------------


def plot_weight_margins(margins: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Grouped horizontal bars per margin category: share among respondents, target (population) share and
    weighted share (columns margin, category, sample_share, target_share, weighted_share)."""
    table = margins.iloc[::-1].reset_index(drop=True)
    ax = _axes(ax, (7.5, 0.45 * max(4, len(table)) + 1.2))
    labels = table["margin"].astype(str) + ": " + table["category"].astype(str)
    y = pd.Series(range(len(table)), dtype=float)
    series = (("sample_share", "Respondents (unweighted)"), ("target_share", "Population (target)"),
              ("weighted_share", "Respondents (weighted)"))
    for i, (column, name) in enumerate(series):
        ax.barh(y - (i - 1) * 0.27, table[column].astype(float) * 100, height=0.26, color=PALETTE[i], label=name)
    ax.set_yticks(list(y), labels)
    ax.set_xlabel("Share of responses (%)")
    ax.set_ylabel("Margin: category")
    ax.set_title("Raking: respondents against the population, before and after weighting")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
