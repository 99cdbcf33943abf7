"""Converting-lead figures (notebook 04): conversion by attribute value, numeric attributes by outcome, what the
score relies on, gains, calibration and partial dependence."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from alignkit.plots.theme import PALETTE, _axes, ci_errors


def plot_conversion_by_value(
    values: pd.DataFrame, attribute: str, *, overall_rate: float, ax: plt.Axes | None = None
) -> plt.Axes:
    """Dot-and-whisker chart of the conversion rate per value of one attribute (columns value, rate, ci_low,
    ci_high, leads), with the overall rate as a dashed line; values hidden for privacy are left out."""
    part = values[(values["attribute"] == attribute) & values["rate"].notna()].iloc[::-1]
    ax = _axes(ax, (7.5, 0.35 * max(3, len(part)) + 1.2))
    y = range(len(part))
    rate = part["rate"].astype(float) * 100
    ax.errorbar(
        rate,
        y,
        xerr=ci_errors(rate, part["ci_low"].astype(float) * 100, part["ci_high"].astype(float) * 100),
        fmt="o",
        color=PALETTE[0],
        ecolor=PALETTE[0],
        capsize=3,
        label="conversion rate (95% CI)",
    )
    ax.axvline(overall_rate * 100, color=PALETTE[5], linestyle="--", label=f"all leads ({overall_rate:.1%})")
    ax.set_yticks(list(y), [f"{v} (n={int(n):,})" for v, n in zip(part["value"].astype(str), part["leads"])])
    ax.set_xlabel("Leads that converted (%)")
    ax.set_ylabel(attribute)
    ax.set_title(f"Conversion by {attribute}")
    ax.legend(frameon=False, loc="best", fontsize=8)
    return ax


def plot_numeric_by_outcome(distribution: pd.DataFrame, attribute: str, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Step lines of how one numeric attribute is distributed among converters and the rest (shares per bin,
    columns attribute, bin_low, bin_high, share_converted, share_rest): a summary, never one mark per lead."""
    part = distribution[distribution["attribute"] == attribute]
    ax = _axes(ax)
    edges = [*part["bin_low"], part["bin_high"].iat[-1]] if len(part) else [0, 1]
    for column, label, colour in (
        ("share_converted", "converted", PALETTE[0]),
        ("share_rest", "did not convert", PALETTE[1]),
    ):
        shares = list(part[column].astype(float) * 100)
        ax.stairs(shares, edges, color=colour, linewidth=2, label=label)
    ax.set_xlabel(f"{attribute} (value)")
    ax.set_ylabel("Leads in the group (%)")
    ax.set_title(f"How {attribute} is distributed: converters vs the rest")
    ax.legend(frameon=False)
    return ax


def plot_driver_importance(drivers: pd.DataFrame, *, ax: plt.Axes | None = None, top: int = 12) -> plt.Axes:
    """Horizontal bars: how much the score's hold-out ROC AUC drops when an attribute is shuffled (± sd)."""
    part = drivers.dropna(subset=["importance"]).head(top).iloc[::-1]
    ax = _axes(ax, (7.5, 0.35 * max(3, len(part)) + 1.2))
    colours = [
        PALETTE[0] if g == "lead attribute" else PALETTE[1] for g in part.get("group", ["lead attribute"] * len(part))
    ]
    ax.barh(part["attribute"], part["importance"], xerr=part["importance_sd"], color=colours, capsize=2)
    ax.set_xlabel("Drop in hold-out ROC AUC when shuffled (AUC points)")
    ax.set_ylabel("Attribute")
    ax.set_title("What the score relies on (permutation importance)")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[Patch(color=PALETTE[0], label="lead attribute"), Patch(color=PALETTE[1], label="channel")],
        frameon=False,
        loc="lower right",
    )
    return ax


def plot_gains(gains: pd.DataFrame, *, capacity_share: float | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """Cumulative gains: share of all conversions captured when following up the best-scored share of leads,
    against random order; a dotted line marks the share sales can follow up."""
    ax = _axes(ax, (6.0, 4.5))
    x = [0.0, *(gains["lead_share"] * 100)]
    y = [0.0, *(gains["conversion_share"] * 100)]
    ax.plot(x, y, marker="o", color=PALETTE[0], label="leads in score order")
    ax.plot([0, 100], [0, 100], linestyle="--", color="grey", label="random order")
    if capacity_share is not None and capacity_share < 1:
        ax.axvline(capacity_share * 100, color=PALETTE[5], linestyle=":", label="sales capacity")
    ax.set_xlabel("Leads followed up, best score first (%)")
    ax.set_ylabel("Conversions captured (%)")
    ax.set_title("Gains: conversions captured by the score (hold-out leads)")
    ax.legend(frameon=False, loc="lower right")
    return ax


def plot_calibration(calibration: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Predicted vs observed conversion per score decile, with the observed rate's 95% CI and the diagonal."""
    ax = _axes(ax, (5.5, 5.0))
    pred = calibration["predicted_rate"].astype(float) * 100
    obs = calibration["observed_rate"].astype(float) * 100
    ax.errorbar(
        pred,
        obs,
        yerr=ci_errors(obs, calibration["ci_low"].astype(float) * 100, calibration["ci_high"].astype(float) * 100),
        fmt="o",
        color=PALETTE[0],
        capsize=3,
        label="score decile (95% CI)",
    )
    top = float(max(pred.max(), calibration["ci_high"].astype(float).max() * 100)) * 1.05
    ax.plot([0, top], [0, top], linestyle="--", color="grey", label="perfect calibration")
    ax.set_xlabel("Predicted conversion (%)")
    ax.set_ylabel("Observed conversion (%)")
    ax.set_title("Calibration: does a score of 20% mean 20%?")
    ax.legend(frameon=False, loc="upper left")
    return ax


def plot_partial_dependence(curve: pd.DataFrame, attribute: str, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Line: the score's average predicted conversion as one numeric attribute varies, the others as they are."""
    ax = _axes(ax, (6.0, 4.0))
    ax.plot(curve[attribute], curve["predicted_rate"] * 100, marker="o", color=PALETTE[0])
    ax.set_xlabel(f"{attribute} (value)")
    ax.set_ylabel("Average predicted conversion (%)")
    ax.set_title(f"Partial dependence on {attribute}")
    return ax
