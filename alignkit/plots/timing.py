"""The funnel's time figures (notebook 02): the share won by days since entry, and the forecast's backtest."""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd

from alignkit.plots.theme import PALETTE, _axes


def plot_time_to_win(
    curves: pd.DataFrame, *, entry: str, target: str, breakdown: str = "", ax: plt.Axes | None = None
) -> plt.Axes:
    """One panel: the share of leads that reached `target` by each day since `entry` (cumulative incidence, open
    leads censored), one line a group of `curves` (group, day, share, ci_low, ci_high; at most six), 95% bands
    shaded, all leads in black."""
    ax = _axes(ax, (7.5, 4.2))
    for i, (group, line) in enumerate(curves.groupby("group", sort=False)):
        colour = "#222222" if group == "All leads" else PALETTE[(i - 1) % len(PALETTE)]
        ax.plot(
            line["day"], line["share"] * 100, color=colour, lw=2.2 if group == "All leads" else 1.6, label=str(group)
        )
        ax.fill_between(line["day"], line["ci_low"] * 100, line["ci_high"] * 100, color=colour, alpha=0.12, lw=0)
    ax.set_xlabel(f"Days since {entry}")
    ax.set_ylabel(f"Reached {target} (%)")
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    by = f" and {breakdown.replace('_', ' ')}" if breakdown else ""
    ax.set_title(f"Share of {entry} leads reaching {target}, by days since {entry}{by}")
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    return ax


def plot_forecast_backtest(by_cutoff: pd.DataFrame, *, horizon: int, ax: plt.Axes | None = None) -> plt.Axes:
    """Lines by cut-off date: the wins that came within `horizon` days, the forecast with its 95% interval
    shaded, and the weighted pipeline (on a log scale when it is more than five times the rest)."""
    ax = _axes(ax, (7.5, 4.0))
    when = pd.to_datetime(by_cutoff["cutoff"])
    ax.fill_between(
        when,
        by_cutoff["forecast_low"],
        by_cutoff["forecast_high"],
        color=PALETTE[0],
        alpha=0.18,
        lw=0,
        label="Forecast, 95% interval",
    )
    ax.plot(when, by_cutoff["forecast_wins"], color=PALETTE[0], lw=2, marker="o", ms=3, label="Forecast")
    ax.plot(when, by_cutoff["actual_wins"], color="#222222", lw=2, marker="s", ms=3, label="Actual wins")
    ax.plot(when, by_cutoff["weighted_pipeline_wins"], color=PALETTE[5], lw=1.5, ls="--", label="Weighted pipeline")
    ax.set_xlabel("Cut-off date (what was open then)")
    top = max(float(by_cutoff["actual_wins"].max()), float(by_cutoff["forecast_high"].max()), 1.0)
    if float(by_cutoff["weighted_pipeline_wins"].max()) > 5 * top:
        # a weighted pipeline many times the actual wins would flatten the lines that matter to the floor
        ax.set_yscale("log")
        plain = matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:,.0f}")
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(plain)
        ax.set_ylabel(f"Wins within {horizon} days (count, log scale)")
    else:
        ax.set_ylabel(f"Wins within {horizon} days (count)")
        ax.set_ylim(bottom=0)
    ax.set_title(f"Backtest: forecast wins within {horizon} days against what happened")
    ax.legend(frameon=False, fontsize=8)
    return ax
