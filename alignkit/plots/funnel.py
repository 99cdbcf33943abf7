"""Funnel and SLA figures (notebook 02): the funnel, friction points, cohorts, SLA follow-up times by owner and week,
MQL volume against the agreement, content lift before the close, lost reasons and the shared KPIs."""

from __future__ import annotations

import matplotlib.dates
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd

from alignkit.plots.theme import PALETTE, _axes, ci_errors


def plot_funnel(stages: pd.DataFrame, conversion: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal funnel: leads reaching each stage (`stages`: stage, reached), each bar labelled with the
    conversion into it exactly as the conversion table gives it (`conversion`: from_stage, to_stage, rate — judged
    on the leads old enough to have moved on, so it is not the ratio of the bars' counts)."""
    ax = _axes(ax, (7.5, 0.5 * max(4, len(stages)) + 1))
    order = stages.iloc[::-1]
    ax.barh(order["stage"].astype(str), order["reached"], color=PALETTE[0])
    steps = {row["to_stage"]: (row["from_stage"], row["rate"]) for _, row in conversion.iterrows()}
    top = float(order["reached"].max() or 1)
    for y, (stage, reached) in enumerate(zip(order["stage"], order["reached"])):
        label = f"{int(reached):,}"
        if stage in steps and pd.notna(steps[stage][1]):
            label += f"  ({steps[stage][1]:.0%} of judged {steps[stage][0]} leads moved on)"
        ax.text(reached + top * 0.01, y, label, va="center", fontsize=9)
    ax.set_xlim(0, top * 1.8)
    ax.set_xlabel("Leads reaching the stage (count); step conversion as in the conversion table")
    ax.set_ylabel("Stage")
    ax.set_title("Leads reaching each stage of the funnel")
    return ax


def plot_friction_points(friction: pd.DataFrame, *, ax: plt.Axes | None = None, top: int = 8) -> plt.Axes:
    """Dot-and-whisker chart of the top friction points: each segment's conversion at its step (with CI) beside
    the rest's rate (open circle)."""
    worst = friction.head(top).iloc[::-1]
    ax = _axes(ax, (7.5, 0.45 * max(3, len(worst)) + 1.2))
    y = np.arange(len(worst))
    rate = worst["rate"].astype(float).to_numpy() * 100
    ax.errorbar(
        rate,
        y,
        xerr=ci_errors(rate, worst["ci_low"].astype(float) * 100, worst["ci_high"].astype(float) * 100),
        fmt="o",
        color=PALETTE[5],
        ecolor=PALETTE[5],
        capsize=3,
        label="Segment (95% CI)",
    )
    ax.scatter(
        worst["rest_rate"].astype(float) * 100, y, facecolors="none", edgecolors=PALETTE[0], label="Rest of the leads"
    )
    labels = (
        worst["breakdown"].astype(str)
        + ": "
        + worst["segment"].astype(str)
        + "\n"
        + worst["from_stage"].astype(str)
        + " → "
        + worst["to_stage"].astype(str)
    )
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Conversion at the step (%)")
    ax.set_ylabel("Segment and step")
    ax.set_title("Friction points: segments converting below the rest")
    ax.legend(frameon=False, loc="lower right")
    return ax


def plot_cohorts(cohorts: pd.DataFrame, stages: list[str], *, ax: plt.Axes | None = None) -> plt.Axes:
    """Lines: share of each monthly cohort (matured ones) reaching each later stage (`<stage>_share` columns)."""
    ax = _axes(ax, (7.5, 4.0))
    matured = cohorts[cohorts["matured"]]
    for i, stage in enumerate(stages):
        column = f"{stage}_share"
        if column in matured:
            ax.plot(
                matured["cohort"],
                matured[column].astype(float) * 100,
                marker="o",
                ms=3,
                color=PALETTE[i % len(PALETTE)],
                label=column.removesuffix("_share"),
            )
    ax.set_ylim(0, None)
    ax.set_xlabel("Month the leads were created")
    ax.set_ylabel("Leads of the cohort reaching the stage (%)")
    ax.set_title("Monthly cohorts: share reaching each stage")
    ax.tick_params(axis="x", labelrotation=90)
    ax.legend(title="Stage", frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return ax


def plot_sla_distribution(distribution: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Bars: MQLs by hours to the first sales touch; bins within the target in one colour, the rest in another."""
    ax = _axes(ax, (7.5, 4.0))
    colours = [PALETTE[2] if w else PALETTE[5] for w in distribution["within_target"]]
    ax.bar(distribution["hours"].astype(str), distribution["share"].astype(float) * 100, color=colours)
    ax.set_xlabel("Hours from MQL to the first sales touch")
    ax.set_ylabel("MQLs due (%)")
    ax.set_title("How fast sales follows up MQLs (green: within the SLA)")
    ax.tick_params(axis="x", labelrotation=90)
    return ax


def plot_sla_by_owner(by_owner: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Dot-and-whisker chart of the SLA breach share per owner with 95% CIs, worst at the top."""
    table = by_owner.dropna(subset=["breach_share"]).sort_values("breach_share")
    ax = _axes(ax, (7.5, 0.4 * max(3, len(table)) + 1))
    y = np.arange(len(table))
    share = table["breach_share"].astype(float).to_numpy() * 100
    ax.errorbar(
        share,
        y,
        xerr=ci_errors(share, table["breach_ci_low"].astype(float) * 100, table["breach_ci_high"].astype(float) * 100),
        fmt="o",
        color=PALETTE[5],
        ecolor=PALETTE[5],
        capsize=3,
    )
    ax.set_yticks(y, table["owner"].astype(str))
    ax.set_xlim(0, 100)
    ax.set_xlabel("MQLs followed up late or never (%, 95% CI)")
    ax.set_ylabel("Owner")
    ax.set_title("SLA breaches by owner")
    return ax


def plot_sla_weekly(by_week: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Line with a CI band: share of MQLs followed up within the target, week by week."""
    table = by_week.dropna(subset=["within_share"])
    ax = _axes(ax, (7.5, 3.8))
    x = pd.to_datetime(table["week"])
    ax.fill_between(
        x,
        table["within_ci_low"].astype(float) * 100,
        table["within_ci_high"].astype(float) * 100,
        color=PALETTE[0],
        alpha=0.2,
        linewidth=0,
    )
    ax.plot(x, table["within_share"].astype(float) * 100, color=PALETTE[0])
    ax.set_ylim(0, 100)
    locator = matplotlib.dates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))
    ax.set_xlabel("Week of the MQL date")
    ax.set_ylabel("MQLs followed up within target (%)")
    ax.set_title("SLA kept, week by week (band: 95% CI)")
    return ax


def plot_mql_volume(volume: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Bars: MQLs delivered per month, with the agreed volume as a line when one is set."""
    ax = _axes(ax, (7.5, 3.8))
    ax.bar(volume["month"].astype(str), volume["mqls"], color=PALETTE[0], label="MQLs delivered")
    target = int(volume["target"].max()) if len(volume) else 0
    if target:
        ax.axhline(target, color=PALETTE[5], linestyle="--", label=f"Agreed: {target:,} a month")
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.set_xlabel("Month")
    ax.set_ylabel("MQLs (count)")
    ax.set_title("MQL volume delivered against the agreement")
    ax.tick_params(axis="x", labelrotation=90)
    return ax


def plot_lift(before_close: pd.DataFrame, *, ax: plt.Axes | None = None, top: int = 12) -> plt.Axes:
    """Dot-and-whisker chart (log scale) of the lift of each content or campaign touch before the close: share of
    won deals with it ÷ share of lost deals with it, with its 95% CI."""
    table = before_close.dropna(subset=["lift"]).head(top).iloc[::-1]
    ax = _axes(ax, (7.5, 0.4 * max(3, len(table)) + 1.2))
    y = np.arange(len(table))
    lift = table["lift"].astype(float).to_numpy()
    ax.errorbar(
        lift,
        y,
        xerr=ci_errors(lift, table["lift_ci_low"].astype(float), table["lift_ci_high"].astype(float)),
        fmt="o",
        color=PALETTE[2],
        ecolor=PALETTE[2],
        capsize=3,
    )
    ax.axvline(1, color="grey", linewidth=1)
    ax.set_xscale("log")
    low = float(np.nanmin(table["lift_ci_low"])) if len(table) else 0.5
    high = float(np.nanmax(table["lift_ci_high"])) if len(table) else 2.0
    ticks = [t for t in (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10) if low / 1.2 <= t <= high * 1.2] or [1]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_yticks(y, table["item"].astype(str))
    ax.set_xlabel("Lift: share of won deals with it ÷ share of lost deals with it (log scale)")
    ax.set_ylabel("Content or campaign touch")
    ax.set_title("Content and campaigns before won vs lost deals")
    return ax


def plot_lost_reasons(lost: pd.DataFrame, group: str, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Stacked horizontal bars: share of each lost reason within each group (`group` column, lost_reason, share)."""
    table = lost.pivot_table(index=group, columns="lost_reason", values="share", aggfunc="sum", fill_value=0.0)
    ax = _axes(ax, (7.5, 0.4 * max(3, len(table)) + 1.2))
    left = np.zeros(len(table))
    for i, reason in enumerate(table.columns):
        values = table[reason].to_numpy(dtype=float) * 100
        ax.barh(table.index.astype(str), values, left=left, color=PALETTE[i % len(PALETTE)], label=reason)
        left += values
    ax.set_xlim(0, 100)
    ax.set_xlabel("Lost deals (%)")
    ax.set_ylabel(group.replace("_", " ").capitalize())
    ax.set_title(f"Why deals were lost, by {group.replace('_', ' ')}")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return ax


def plot_kpis(kpis: pd.DataFrame, columns: list[str], *, ax: plt.Axes | None = None) -> plt.Axes:
    """Lines: the monthly counts named in `columns` (e.g. new leads, MQLs, customers), log scale."""
    ax = _axes(ax, (7.5, 4.0))
    for i, column in enumerate(columns):
        values = kpis[column].astype(float).where(kpis[column].astype(float) > 0)  # zeros cannot sit on a log scale
        ax.plot(
            kpis["month"].astype(str),
            values,
            marker="o",
            ms=3,
            color=PALETTE[i % len(PALETTE)],
            label=column.replace("reached_", "").replace("_", " "),
        )
    ax.set_yscale("log")
    ax.set_xlabel("Month")
    ax.set_ylabel("Leads (count, log scale)")
    ax.set_title("Shared KPIs month by month")
    ax.tick_params(axis="x", labelrotation=90)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return ax
