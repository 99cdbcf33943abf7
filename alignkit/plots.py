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
                        xlabel: str, ylabel: str | None = None) -> plt.Axes:
    """Dot-and-whisker chart of shares with their confidence intervals (columns share, ci_low, ci_high)."""
    ax = _axes(ax, (7.5, 0.4 * max(3, len(table)) + 1))
    y = range(len(table))
    share = table["share"].astype(float) * 100
    ax.errorbar(share, y, xerr=[share - table["ci_low"].astype(float) * 100, table["ci_high"].astype(float) * 100 - share],
                fmt="o", color=PALETTE[0], ecolor=PALETTE[0], capsize=3)
    ax.set_yticks(list(y), table[label].astype(str))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel if ylabel is not None else label.replace("_", " ").capitalize())
    ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------------------------------------------
# Funnel and SLA figures (notebook 02)
# ---------------------------------------------------------------------------------------------------------------

import matplotlib.dates  # noqa: E402  (imports kept inside this section so the shared header stays untouched)
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402


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
    ax.errorbar(rate, y, xerr=[rate - worst["ci_low"].astype(float) * 100, worst["ci_high"].astype(float) * 100 - rate],
                fmt="o", color=PALETTE[5], ecolor=PALETTE[5], capsize=3, label="Segment (95% CI)")
    ax.scatter(worst["rest_rate"].astype(float) * 100, y, facecolors="none", edgecolors=PALETTE[0], label="Rest of the leads")
    labels = worst["breakdown"].astype(str) + ": " + worst["segment"].astype(str) + "\n" + \
        worst["from_stage"].astype(str) + " → " + worst["to_stage"].astype(str)
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
            ax.plot(matured["cohort"], matured[column].astype(float) * 100, marker="o", ms=3,
                    color=PALETTE[i % len(PALETTE)], label=column.removesuffix("_share"))
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
    ax.errorbar(share, y, xerr=[share - table["breach_ci_low"].astype(float) * 100,
                                table["breach_ci_high"].astype(float) * 100 - share],
                fmt="o", color=PALETTE[5], ecolor=PALETTE[5], capsize=3)
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
    ax.fill_between(x, table["within_ci_low"].astype(float) * 100, table["within_ci_high"].astype(float) * 100,
                    color=PALETTE[0], alpha=0.2, linewidth=0)
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
    ax.errorbar(lift, y, xerr=[lift - table["lift_ci_low"].astype(float), table["lift_ci_high"].astype(float) - lift],
                fmt="o", color=PALETTE[2], ecolor=PALETTE[2], capsize=3)
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
        ax.plot(kpis["month"].astype(str), values, marker="o", ms=3, color=PALETTE[i % len(PALETTE)],
                label=column.replace("reached_", "").replace("_", " "))
    ax.set_yscale("log")
    ax.set_xlabel("Month")
    ax.set_ylabel("Leads (count, log scale)")
    ax.set_title("Shared KPIs month by month")
    ax.tick_params(axis="x", labelrotation=90)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return ax


# ---------------------------------------------------------------------------------------------------------------
# Persona figures (notebook 03)
# ---------------------------------------------------------------------------------------------------------------


def persona_colours(names) -> dict:
    """Return the colour of each persona, by position: persona 1 always gets PALETTE[0], persona 2 PALETTE[1] …
    (names in persona order, or a {persona number: name} mapping), so a persona has one colour in every report."""
    ordered = [names[k] for k in sorted(names)] if isinstance(names, dict) else list(names)
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(ordered)}


def plot_k_choice(scores: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Lines of stability (median adjusted Rand index of bootstrap refits) and silhouette by number of personas,
    the chosen k marked."""
    ax = _axes(ax)
    ax.plot(scores["k"], scores["stability"], marker="o", color=PALETTE[0], label="Stability (adjusted Rand index)")
    ax.plot(scores["k"], scores["silhouette"], marker="s", color=PALETTE[1], label="Silhouette")
    chosen = scores[scores["chosen"]]
    ax.scatter(chosen["k"], chosen["stability"], s=160, facecolors="none", edgecolors=PALETTE[5], linewidths=2,
               label=f"Chosen: k = {int(chosen['k'].iat[0])}", zorder=3)
    ax.set_xticks(list(scores["k"]))
    ax.set_xlabel("Number of personas (k)")
    ax.set_ylabel("Score (0–1, higher is better)")
    ax.set_ylim(0, 1.05)
    ax.set_title("Stability and separation by number of personas")
    ax.legend(frameon=False, loc="center right")
    return ax


def plot_persona_sizes(sizes: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars: share of respondents per persona with its 95% CI, in persona colours (weighted shares, and
    titled so, when the table has an `n_effective` column: survey weights on)."""
    ax = _axes(ax, (7.5, 0.5 * max(3, len(sizes)) + 1))
    colours = persona_colours(dict(zip(sizes["persona_id"], sizes["persona"])))
    table = sizes.iloc[::-1]
    share = table["share"].astype(float) * 100
    ax.barh(table["persona"], share, color=[colours[p] for p in table["persona"]],
            xerr=[share - table["ci_low"].astype(float) * 100, table["ci_high"].astype(float) * 100 - share],
            capsize=3, ecolor="#444444")
    weighted = "n_effective" in sizes
    ax.set_xlabel("Weighted share of respondents (%)" if weighted else "Share of respondents (%)")
    ax.set_ylabel("Persona")
    ax.set_title("Persona sizes, weighted (95% Wilson intervals on Kish's effective n)" if weighted
                 else "Persona sizes (95% Wilson intervals)")
    return ax


def plot_persona_map(embedding: pd.DataFrame, names: dict, *, ax: plt.Axes | None = None, min_group_size: int = 1,
                     max_points: int = 6000, seed: int = 0) -> plt.Axes:
    """Scatter of the 2-D persona map (columns x, y, persona_id), one colour per persona, labelled at each
    persona's median position. At most `max_points` points are drawn (a seeded sample) so the figure stays
    small; personas with fewer than `min_group_size` respondents are not drawn."""
    ax = _axes(ax, (7.5, 6.0))
    colours = persona_colours(names)
    counts = embedding["persona_id"].value_counts()
    shown = embedding[embedding["persona_id"].map(counts).fillna(0) >= min_group_size]
    drawn = shown.sample(max_points, random_state=seed) if len(shown) > max_points else shown
    for pid in sorted(names):
        part = drawn[drawn["persona_id"] == pid]
        if len(part) == 0:
            continue
        ax.scatter(part["x"], part["y"], s=6, alpha=0.5, color=colours[names[pid]], label=names[pid], linewidths=0)
        centre = shown.loc[shown["persona_id"] == pid, ["x", "y"]].median()
        ax.annotate(str(pid), (centre["x"], centre["y"]), ha="center", va="center", fontsize=12, fontweight="bold",
                    bbox={"boxstyle": "circle", "facecolor": "white", "edgecolor": colours[names[pid]]})
    ax.set_xlabel("Map dimension 1 (no unit)")
    ax.set_ylabel("Map dimension 2 (no unit)")
    ax.set_title("Persona map: respondents who answered alike sit together")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1, markerscale=3, fontsize=8)
    return ax


def plot_persona_traits(top: pd.DataFrame, *, title: str, colour: str = PALETTE[0],
                        ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars of the standardised difference (persona vs everyone else) of a persona's top traits."""
    ax = _axes(ax, (7.5, 0.45 * max(3, len(top)) + 1))
    table = top.iloc[::-1]
    labels = [t if len(t) <= 60 else t[:59] + "…" for t in table["description"].str.split(" \\(").str[0]]
    ax.barh(labels, table["std_diff"], color=colour)
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_xlabel("Standardised difference vs everyone else (SD units)")
    ax.set_ylabel("Answer")
    ax.set_title(title)
    return ax


def plot_share_drift(drift: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Dot-and-whisker chart of each persona's change in share between waves (percentage points, 95% CI)."""
    ax = _axes(ax, (7.5, 0.5 * max(3, len(drift)) + 1))
    table = drift.dropna(subset=["change"]).sort_values("persona_id", ascending=False)
    colours = persona_colours(dict(zip(drift["persona_id"], drift["persona"])))
    change = table["change"].astype(float) * 100
    for y, (_, row) in enumerate(table.iterrows()):
        ax.errorbar(change.loc[row.name], y, xerr=[[change.loc[row.name] - row["change_ci_low"] * 100],
                                                  [row["change_ci_high"] * 100 - change.loc[row.name]]],
                    fmt="o", color=colours[row["persona"]], capsize=3)
    ax.set_yticks(range(len(table)), table["persona"])
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_xlabel("Change in share, new wave minus fitted wave (percentage points)")
    ax.set_ylabel("Persona")
    ax.set_title("How persona shares moved (95% Newcombe intervals)")
    return ax



# ---------------------------------------------------------------------------------------------------------------
# Converting-lead figures (notebook 04)
# ---------------------------------------------------------------------------------------------------------------
def plot_conversion_by_value(values: pd.DataFrame, attribute: str, *, overall_rate: float,
                             ax: plt.Axes | None = None) -> plt.Axes:
    """Dot-and-whisker chart of the conversion rate per value of one attribute (columns value, rate, ci_low,
    ci_high, leads), with the overall rate as a dashed line; values hidden for privacy are left out."""
    part = values[(values["attribute"] == attribute) & values["rate"].notna()].iloc[::-1]
    ax = _axes(ax, (7.5, 0.35 * max(3, len(part)) + 1.2))
    y = range(len(part))
    rate = part["rate"].astype(float) * 100
    ax.errorbar(rate, y, xerr=[rate - part["ci_low"].astype(float) * 100, part["ci_high"].astype(float) * 100 - rate],
                fmt="o", color=PALETTE[0], ecolor=PALETTE[0], capsize=3, label="conversion rate (95% CI)")
    ax.axvline(overall_rate * 100, color=PALETTE[5], linestyle="--", label=f"all leads ({overall_rate:.1%})")
    ax.set_yticks(list(y), [f"{v} (n={int(n):,})" for v, n in zip(part["value"].astype(str), part["leads"])])
    ax.set_xlabel("Leads that became customers (%)")
    ax.set_ylabel(attribute)
    ax.set_title(f"Conversion by {attribute}")
    ax.legend(frameon=False, loc="best", fontsize=8)
    return ax


def plot_numeric_by_outcome(distribution: pd.DataFrame, attribute: str, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Step lines of how one numeric attribute is distributed among converters and the rest (shares per bin,
    columns attribute, bin_low, bin_high, share_converted, share_rest): a summary, never one mark per lead."""
    part = distribution[distribution["attribute"] == attribute]
    ax = _axes(ax)
    edges = list(part["bin_low"]) + [part["bin_high"].iat[-1]] if len(part) else [0, 1]
    for column, label, colour in (("share_converted", "converted", PALETTE[0]), ("share_rest", "did not convert", PALETTE[1])):
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
    colours = [PALETTE[0] if g == "lead attribute" else PALETTE[1] for g in part.get("group", ["lead attribute"] * len(part))]
    ax.barh(part["attribute"], part["importance"], xerr=part["importance_sd"], color=colours, capsize=2)
    ax.set_xlabel("Drop in hold-out ROC AUC when shuffled (AUC points)")
    ax.set_ylabel("Attribute")
    ax.set_title("What the score relies on (permutation importance)")
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(color=PALETTE[0], label="lead attribute"), Patch(color=PALETTE[1], label="channel")],
              frameon=False, loc="lower right")
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
    ax.errorbar(pred, obs, yerr=[obs - calibration["ci_low"].astype(float) * 100, calibration["ci_high"].astype(float) * 100 - obs],
                fmt="o", color=PALETTE[0], capsize=3, label="score decile (95% CI)")
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
