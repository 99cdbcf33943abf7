"""Notebook 02's report, reports/02_funnel_and_sla.html: the funnel, friction points, SLA, closed loop and
shared KPIs, with every group smaller than `privacy.min_group_size` suppressed in tables and left out of figures;
its figures for the notebook (`plot`), and the short version for the alignment page (`alignment_sections`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from alignkit import plots
from alignkit.config import ProjectSettings
from alignkit.funnel.analysis import FunnelResult, headline
from alignkit.funnel.conversion import OUTCOMES
from alignkit.funnel.friction import describe_friction
from alignkit.funnel.masks import (
    drawable,
    mask_derived,
    mask_small_counts,
    private_groups,
    private_segments,
    readable,
    shown_groups,
)
from alignkit.funnel.report_time import plot_time, time_sections
from alignkit.prepare.as_of import FUTURE_DATE_SLACK_DAYS
from alignkit.prepare.stage_paths import stage_at_column
from alignkit.report.html import ReportFigure, ReportItem, ReportTable, Section, write_report
from alignkit.report.labels import build_with_labels

REPORT_SLUG = "02_funnel_and_sla"


FIGURES = (
    "funnel",
    "friction_points",
    "time_to_win",
    "backtest",
    "cohorts",
    "sla_distribution",
    "sla_by_owner",
    "sla_weekly",
    "mql_volume",
    "lost_reasons",
    "lift",
    "kpis",
)


def plot(result: FunnelResult, name: str, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Return the Axes of the report's figure `name` (one of FIGURES), drawn as in the report: from data with every
    group under `min_group_size` left out or blanked, and with the project file's stage names. Notebook 02 shows
    its figures through this, so the notebook and the report draw the same thing."""
    k = result.min_group_size
    sla, loop = result.sla, result.closed_loop
    if name in ("time_to_win", "backtest"):
        return plot_time(result, name, ax=ax)
    if name == "funnel":
        return plots.plot_funnel(
            mask_small_counts(result.stages, ["reached"], k).fillna({"reached": 0}), result.conversion, ax=ax
        )
    if name == "friction_points":
        return plots.plot_friction_points(private_segments(result.friction, k), ax=ax)
    if name == "cohorts":
        named = _stage_names(result)
        keys = [
            c.removesuffix("_share")
            for c in result.cohorts.columns
            if c.endswith("_share") and not c.startswith("converted_within_")
        ]  # stages reached, not timed
        cohorts = shown_groups(result.cohorts, "leads", k).rename(
            columns={f"{key}_share": f"{named.get(key, key)}_share" for key in keys}
        )
        return plots.plot_cohorts(cohorts, [named.get(key, key) for key in keys[1:]], ax=ax)
    if name == "sla_distribution":
        return plots.plot_sla_distribution(drawable(sla.distribution, ["mqls"], k, {"mqls": ["share"]}), ax=ax)
    if name == "sla_by_owner":
        return plots.plot_sla_by_owner(shown_groups(sla.by_owner, "mqls_due", k), ax=ax)
    if name == "sla_weekly":
        return plots.plot_sla_weekly(shown_groups(sla.by_week, "mqls_due", k), ax=ax)
    if name == "mql_volume":
        return plots.plot_mql_volume(drawable(sla.volume, ["mqls"], k), ax=ax)
    if name in ("lost_reasons", "lift"):
        if loop is None:
            raise ValueError(f"figure {name!r} draws the closed loop, which this funnel result does not hold")
        if name == "lost_reasons":
            lost = loop.lost_by_source
            return plots.plot_lost_reasons(lost[(lost["of_group"] >= k) & (lost["lost_deals"] >= k)], "source", ax=ax)
        return plots.plot_lift(loop.before_close, ax=ax)
    if name == "kpis":
        kpis = result.kpis
        stage_counts = [c for c in kpis.columns if c.startswith("reached_")]
        shown = (
            ["new_leads", *stage_counts[1:3], *stage_counts[-1:]]
            if len(stage_counts) > 3
            else ["new_leads", *stage_counts]
        )
        named = {f"reached_{key}": f"reached_{stage}" for key, stage in _stage_names(result).items()}
        return plots.plot_kpis(drawable(kpis, shown, k).rename(columns=named), [named.get(c, c) for c in shown], ax=ax)
    raise ValueError(f"unknown figure {name!r}; the report's figures are {', '.join(FIGURES)}")


def as_of_sentence(result: FunnelResult) -> str:
    """Return the sentence saying which date the figures are measured at and where it came from."""
    when = f"Figures are measured as of {result.as_of:%d %B %Y}"
    if result.as_of_source == "project file":
        return when + ", the date set in the project file (funnel.as_of)."
    if result.as_of_source == "argument":
        return when + ", the date given to the analysis."
    sentence = when + ", the latest date in the export."
    if result.future_dates_ignored:
        n = result.future_dates_ignored
        sentence += (
            f" {n:,} date{'s' if n != 1 else ''} lying far beyond the rest of the data (more than "
            f"{FUTURE_DATE_SLACK_DAYS} days after 99.9% of the dates) {'were' if n != 1 else 'was'} "
            "left out as likely typos; set funnel.as_of in the project file to fix the date instead."
        )
    return sentence


def judging_sentence(result: FunnelResult) -> str:
    """Return how a step between stages is judged (funnel.judge), in plain words."""
    days = result.maturity_days
    if result.judge == "closed":
        return (
            "A step from one stage to the next is judged only among leads whose outcome is decided there: they "
            "moved on, or were lost at that stage. A lead still open is never counted as not converted, however "
            f"old; open leads with no move for more than {days} days are reported as stalled, apart from the "
            "lost ones. The win rate is of closed leads (won or lost), with the open ones counted beside it."
        )
    return (
        f"A step from one stage to the next is judged only among leads that reached the stage at least {days} days "
        "before the export date, whether or not they moved on since, so recent leads neither pull rates down (no "
        "time to move on yet) nor push them up (counting only the quick ones). Cumulative conversion counts leads "
        f"created at least {days} days before the export date."
    )


def report_sections(result: FunnelResult) -> list[Section]:
    """Return the report's sections: definitions, funnel, friction points, time to convert, the open pipeline's
    forecast, the MQLs the goal needs, cohorts, SLA, closed loop, KPIs."""
    k = result.min_group_size
    days = result.maturity_days
    sections = [
        Section(
            "definitions",
            "Definitions the teams agreed on",
            [
                as_of_sentence(result) + " Stages, their order and their definitions come from the project file.",
                "A lead has reached a stage when the CRM holds the date it reached it, when it is at that stage now, "
                "or when it reached any later stage. A stage passed without a date is counted as skipped; a lead "
                "whose current stage is earlier than the furthest one it reached has moved back. Both are kept and "
                "counted at the furthest stage.",
                judging_sentence(result),
                "A lead that stopped at a stage is lost when its deal was closed lost or its lifecycle value is one "
                f"the project file lists as lost, stalled when it has not moved for more than {days} days, and open "
                "otherwise. A lead whose lifecycle value the project file does not know is counted apart as 'stage "
                "unknown' (neither lost nor open; notebook 01's cleaning log counts those values).",
                f"Groups with fewer than {k} leads are not shown; their rows stay, with blank figures.",
            ],
            [ReportTable("definitions", "The funnel stages in order", result.definitions)],
        )
    ]
    closed = (
        [
            ReportTable(
                "closed_outcomes",
                "Closed and open leads: the win rate of closed ones (95% Wilson CI)",
                mask_small_counts(result.closed, ["won", "lost", "open", "stalled"], k),
            )
        ]
        if result.closed is not None
        else []
    )
    funnel_items: list[ReportItem] = [
        *closed,
        ReportFigure.from_axes(
            plot(result, "funnel"), alt="Horizontal bars of the number of leads reaching each funnel stage."
        ),
        ReportTable(
            "conversion",
            "Stage-to-stage and cumulative conversion (95% Wilson CIs)",
            mask_small_counts(
                private_groups(result.conversion, "judged", k),
                ["reached_from", "converted", "not_yet_judged", "cumulative_converted"],
                k,
            ),
        ),
        ReportTable(
            "stages",
            "Leads reaching each stage, skipped and moved back",
            mask_small_counts(result.stages, ["reached", "skipped", "stopped_here", "moved_back_from_here"], k),
        ),
        ReportTable(
            "irregularities",
            "Leads that skipped a stage or moved back (counted, not dropped)",
            mask_small_counts(result.irregularities, ["leads"], k),
        ),
        ReportTable(
            "time_in_stage",
            "Days from reaching a stage to reaching the next (leads with both dates)",
            mask_small_counts(private_groups(result.times, "leads", k), ["dates_out_of_order"], k),
        ),
        ReportTable(
            "open_vs_lost",
            "Leads that stopped at each stage: open, stalled, lost or stage unknown",
            mask_small_counts(
                private_groups(result.outcomes, "stopped_here", k), [c for c in OUTCOMES if c in result.outcomes], k
            ),
        ),
    ]
    sections.append(
        Section(
            "funnel",
            "The funnel",
            ["How many leads reach each stage, how many move on to the next, and how long they take."],
            funnel_items,
        )
    )
    friction = result.friction
    words = [describe_friction(row) for _, row in friction.head(3).iterrows()] or [
        "No segment converts significantly below the rest at any step."
    ]
    friction_items: list = []
    if len(friction):
        friction_items.append(
            ReportFigure.from_axes(
                plot(result, "friction_points"),
                alt="Dot chart of the conversion of the worst segments against the rest.",
            )
        )
    columns = [
        "from_stage",
        "to_stage",
        "breakdown",
        "segment",
        "n",
        "count",
        "rate",
        "ci_low",
        "ci_high",
        "rest_rate",
        "difference",
        "difference_ci_low",
        "difference_ci_high",
        "cohens_h",
        "p_value",
        "q_value",
        "test",
        "leads_lost",
    ]
    friction_items += [
        ReportTable(
            "friction_points",
            "Friction points: segments converting significantly below the rest, most leads lost first",
            readable(private_segments(friction, k)[columns]) if len(friction) else friction,
            max_rows=25,
        ),
        ReportTable(
            "segments",
            "Conversion at each step by source, campaign, owner (and persona where linked), "
            "most significant differences first",
            readable(
                private_segments(result.segments, k).sort_values(
                    ["q_value", "leads_lost"], ascending=[True, False], kind="stable"
                )[columns + [c for c in ("within",) if c in result.segments]]
            )
            if len(result.segments)
            else result.segments,
            max_rows=60,
            note=f"Only segments with at least {k} leads judged are tested and shown.",
        ),
    ]
    sections.append(
        Section(
            "friction",
            "Friction points",
            [
                "For every step and every source, campaign, owner and persona, each segment's conversion is compared "
                "with "
                "the rest of the leads (two-proportion test, Fisher's exact test for small counts). P-values are "
                "corrected "
                "for the many comparisons (Benjamini–Hochberg); a friction point converts significantly below the "
                "rest. They "
                "are ranked by the leads lost: the segment's leads times the gap to the rest's rate. A segment whose "
                "leads "
                "lie mostly (80% or more) inside a higher-ranked friction point at the same step, such as a campaign "
                "inside "
                "its source, restates that finding: it is left out of the list and marked 'within' in the segments "
                "table.",
                *words,
            ],
            friction_items,
        )
    )
    sections += time_sections(result)
    cohorts = private_groups(result.cohorts, "leads", k)
    sections.append(
        Section(
            "cohorts",
            "Monthly cohorts",
            [
                "Leads grouped by the month they were created. A cohort's shares of leads reaching each stage are "
                f"given once its last day is {days} days behind the export date; younger cohorts show counts but no "
                "shares yet.",
                "The columns converted within 30, 60 and 90 days are the share of the cohort converted within that "
                "many days "
                "of creation, open leads censored (the cumulative incidence): they are given as soon as the cohort's "
                "leads "
                "have had that many days, so a young cohort is judged on the days it had, never read as worse.",
            ],
            [
                ReportFigure.from_axes(
                    plot(result, "cohorts"), alt="Lines of the share of each monthly cohort reaching each stage."
                ),
                ReportTable("cohorts", "Monthly cohorts by creation month", cohorts),
            ],
        )
    )
    sections.append(_sla_section(result))
    if result.closed_loop is not None:
        sections.append(_closed_loop_section(result))
    sections.append(_kpi_section(result))
    return sections


def _sla_section(result: FunnelResult) -> Section:
    sla, k = result.sla, result.min_group_size
    return Section(
        "sla",
        "The service level agreement",
        [
            f"Sales agreed to follow up every MQL within {sla.target_hours:g} hours. An MQL is within target when "
            "the first sales touch came in time, late when it came later, never followed up when no touch came and "
            "the target time has passed. MQLs still inside their target window at the export date are pending: "
            "counted, but left out of every share. A breach is late or never followed up.",
            f"Marketing agreed to deliver {sla.mqls_per_month:,} MQLs a month."
            if sla.mqls_per_month
            else "No MQL volume is agreed in the project file yet (sla.mqls_per_month).",
        ],
        [
            ReportTable(
                "sla_overall", "MQL to first sales touch, all MQLs", private_groups(sla.overall, "mqls_due", k)
            ),
            ReportFigure.from_axes(
                plot(result, "sla_distribution"), alt="Bar chart of MQLs by hours to the first sales touch."
            ),
            ReportTable(
                "sla_distribution",
                "MQLs by hours to the first sales touch",
                mask_small_counts(mask_derived(sla.distribution, {"mqls": ["share"]}, k), ["mqls"], k),
            ),
            ReportFigure.from_axes(
                plot(result, "sla_by_owner"),
                alt="Dot chart of the SLA breach share for each owner with confidence intervals.",
            ),
            ReportTable("sla_by_owner", "SLA by owner", private_groups(sla.by_owner, "mqls_due", k)),
            ReportFigure.from_axes(
                plot(result, "sla_weekly"), alt="Line chart of the weekly share of MQLs followed up within target."
            ),
            ReportTable(
                "sla_by_week", "SLA by week of the MQL date", private_groups(sla.by_week, "mqls_due", k), max_rows=30
            ),
            ReportFigure.from_axes(
                plot(result, "mql_volume"), alt="Bar chart of MQLs delivered per month against the agreed volume."
            ),
            ReportTable(
                "mql_volume",
                "MQLs delivered per month",
                mask_small_counts(mask_derived(sla.volume, {"mqls": ["delivered_share", "gap"]}, k), ["mqls"], k),
            ),
        ],
    )


def _closed_loop_section(result: FunnelResult) -> Section:
    loop, k = result.closed_loop, result.min_group_size
    assert loop is not None
    items: list[ReportItem] = [
        ReportTable(
            "lost_by_stage",
            "Lost reasons by the stage the lead had reached",
            private_groups(loop.lost_by_stage, "lost_deals", k),
        ),
        ReportFigure.from_axes(plot(result, "lost_reasons"), alt="Stacked bars of lost reasons by source."),
        ReportTable("lost_by_source", "Lost reasons by source", private_groups(loop.lost_by_source, "lost_deals", k)),
    ]
    before = loop.before_close
    if len(before):
        items.append(
            ReportFigure.from_axes(
                plot(result, "lift"), alt="Dot chart of the lift of content and campaigns before won deals."
            )
        )
    items.append(
        ReportTable(
            "before_close",
            "Content and campaigns before the close: won vs lost deals",
            readable(before),
            max_rows=40,
            note=f"Only items seen before at least {k} closed deals are listed.",
        )
    )
    if loop.touches:
        items.append(
            ReportTable(
                "unused_collateral",
                "Collateral sales never uses",
                mask_small_counts(loop.unused_collateral, ["marketing_touches", "leads_reached"], k),
            )
        )
    items.append(
        ReportTable(
            "cycle",
            "Sales cycle length in days, closed deals only (as a CRM report counts it; the "
            "censored medians are in How long leads take)",
            private_groups(loop.cycle, "n", k),
        )
    )
    paragraphs = [
        "Why deals were lost, and which content and campaigns came before won deals compared with lost ones. A touch "
        "counts when it happened before the deal closed. Lift is the share of won deals with the touch divided by the "
        "share of lost deals with it; above 1 it is more common before wins. It shows association, not cause."
    ]
    paragraphs.append(
        "Collateral sales never uses is content marketing sends that never appears in a sales touch."
        if loop.touches
        else "Not measured: the project names no touches (crm.touches), so which content came before a close "
        "and which collateral sales never uses cannot be shown; campaigns come from the leads table."
    )
    return Section("closed-loop", "The closed loop", paragraphs, items)


def private_kpis(kpis: pd.DataFrame, min_group_size: int, *, customers: str) -> pd.DataFrame:
    """Return the monthly KPIs with every figure drawn from fewer than `min_group_size` leads or deals blanked
    (`customers` names the column counting leads reaching the converted stage)."""
    out = kpis.assign(_decided=kpis["deals_won"] + kpis["deals_lost"])
    rules = {
        "_decided": ["win_rate", "win_ci_low", "win_ci_high"],
        "deals_won": ["revenue"],
        "new_leads": ["cost_per_lead"],
    }
    if customers in out:
        rules[customers] = ["median_cycle_days", "cost_per_customer"]
    return mask_derived(out, rules, min_group_size).drop(columns="_decided")


def _stage_names(result: FunnelResult) -> dict[str, str]:
    """Return the snake_case key of each stage (as in column names) → the stage's name in the project file."""
    return {stage_at_column(name).removesuffix("_at"): name for name in result.stage_names}


def _customers_column(result: FunnelResult) -> str:
    converted = result.definitions.loc[result.definitions["role"] == "converted", "stage"]
    return f"reached_{stage_at_column(converted.iloc[0]).removesuffix('_at')}" if len(converted) else ""


def _kpi_section(result: FunnelResult) -> Section:
    k = result.min_group_size
    kpis = result.kpis
    counts = [c for c in kpis.columns if c.startswith("reached_") or c in ("new_leads", "deals_won", "deals_lost")]
    items: list[ReportItem] = [
        ReportFigure.from_axes(plot(result, "kpis"), alt="Line chart of monthly new leads and stage counts."),
        ReportTable(
            "kpis",
            "Shared KPIs by month",
            mask_small_counts(private_kpis(kpis, k, customers=_customers_column(result)), counts, k),
            max_rows=40,
            note="Stage counts are by the month the stage was reached; conversion rates by the month's "
            "cohort, left empty until the month has matured; revenue is won deals by close month.",
        ),
    ]
    paragraphs = ["The figures both teams report on, month by month."]
    if result.cost_by_segment is not None:
        items.append(
            ReportTable(
                "cost_by_segment",
                "Spend, cost per lead and per customer",
                mask_small_counts(
                    mask_derived(
                        result.cost_by_segment, {"leads": ["cost_per_lead"], "customers": ["cost_per_customer"]}, k
                    ),
                    ["leads", "customers"],
                    k,
                ),
            )
        )
        paragraphs.append("Cost per lead and per customer come from the spend file named in the project file.")
    else:
        paragraphs.append(
            "No spend file is named in the project file (funnel.spend_file), so cost per lead and per "
            "customer are not shown."
        )
    return Section("kpis", "Shared KPIs", paragraphs, items)


def write_funnel_report(result: FunnelResult, settings: ProjectSettings) -> Path:
    """Write reports/02_funnel_and_sla.html (and its CSVs); return the HTML path."""
    return write_report(
        REPORT_SLUG,
        title="Funnel, friction points and SLA",
        subtitle="Where leads stall, whether the SLA between marketing and sales is kept, why deals are "
        "lost, and the shared KPIs.",
        headline=headline(result),
        sections=build_with_labels(settings, report_sections, result),
        settings=settings,
        inputs=result.inputs,
    )


ALIGNMENT_SECTIONS = ("funnel", "friction", "forecast", "goal", "sla", "closed-loop", "kpis")


def alignment_sections(result: FunnelResult) -> list:
    """Return the short version for the alignment page (notebook 05): the funnel with its stage conversion, the
    friction points, the open pipeline's forecast, the MQLs the goal needs, the SLA, the closed loop and the shared
    KPIs (leaving out cohorts, the backtest's detail and the long tables)."""
    long_tables = {
        "stages",
        "irregularities",
        "time_in_stage",
        "open_vs_lost",
        "segments",
        "forecast_by_stage",
        "backtest",
        "backtest_calibration",
        "delivered",
    }
    return [
        replace(s, items=[i for i in s.items if not (isinstance(i, ReportTable) and i.name in long_tables)])
        for s in report_sections(result)
        if s.id in ALIGNMENT_SECTIONS
    ]
