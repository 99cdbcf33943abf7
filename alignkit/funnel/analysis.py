"""The whole funnel analysis of notebook 02: its inputs, the date it is measured at, the agreed stage definitions,
`FunnelResult` (conversion, friction points, SLA, closed loop and shared KPIs as of one date), `analyse`, and the
headline in plain words.

Everything is measured as of `funnel.as_of` when the project file sets it, else as of the latest date in the data
(the export date), leaving out dates more than FUTURE_DATE_SLACK_DAYS after the 99.9th percentile of all event
dates (counted, and said in the report).

The figures themselves live in `alignkit.funnel.conversion` (stage reach, conversion, outcomes, cohorts),
`alignkit.funnel.friction` (segments and friction points), `alignkit.funnel.sla` and
`alignkit.funnel.closed_loop`; the report in `alignkit.funnel.report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alignkit.config import FunnelSettings, ProjectSettings
from alignkit.engine.backend import is_table, to_frame
from alignkit.engine.sources import open_processed
from alignkit.engine.stages import stage_counts
from alignkit.engine.stages import time_in_stage as engine_time_in_stage
from alignkit.errors import InputFileError
from alignkit.funnel.closed_loop import (
    ClosedLoop,
    closed_lost,
    collateral_sales_never_uses,
    cost_by_segment,
    cycle_lengths,
    lost_reasons,
    monthly_kpis,
    touches_before_close,
)
from alignkit.funnel.conversion import (
    cohort_table,
    conversion_table,
    irregularities,
    lead_outcomes,
    outcome_table,
    stage_table,
    time_in_stage,
)
from alignkit.funnel.friction import (
    breakdown_columns,
    describe_friction,
    friction_points,
    nested_within,
    segment_conversion,
)
from alignkit.funnel.outlook import TimeDimension, forecast_lines, goal_lines, time_dimension, time_lines
from alignkit.funnel.sla import SlaResult, analyse_sla
from alignkit.ingest.files import to_snake_case
from alignkit.ingest.spend import read_spend
from alignkit.plan import require
from alignkit.prepare.as_of import AsOf, export_date
from alignkit.prepare.stage_paths import StagePaths, stage_at_column, stage_paths  # notebook 01 counts alike
from alignkit.report.findings import finding
from alignkit.report.html import render_fragment
from alignkit.stats import wilson_intervals

if TYPE_CHECKING:
    from alignkit.engine.backend import Table


# --- inputs -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelInputs:
    """The processed tables the funnel analysis reads (touches and spend are optional). Touches are a frame in memory
    or an Ibis table (data/processed/touches.parquet, a lake or a database), aggregated where they live."""

    leads: pd.DataFrame
    touches: pd.DataFrame | Table | None
    inputs: pd.DataFrame
    spend: pd.DataFrame | None = None


def load_inputs(settings: ProjectSettings) -> FunnelInputs:
    """Return leads, touches, the input manifest and the optional spend table from data/processed and data/raw
    (NotAnalysedError, saying why, when the project has no CRM funnel)."""
    require(settings, "02")
    folder = settings.processed_dir
    path = folder / "leads.parquet"
    if not path.exists():
        raise InputFileError(path, "not found.", fix="run notebook 01 (or `alignkit run --only 01`) first.")
    leads = pd.read_parquet(path)
    # Touches are never read into memory here: DuckDB aggregates them straight from the parquet file (or folder),
    # faster than pandas reads it (alignkit.engine.touches.IN_MEMORY), and at any size.
    touches = open_processed(folder / "touches.parquet") if (folder / "touches.parquet").exists() else None
    inputs = pd.read_parquet(folder / "inputs.parquet") if (folder / "inputs.parquet").exists() else pd.DataFrame()
    spend_file = settings.need_funnel().spend_file
    spend = read_spend(settings.raw_path(spend_file)) if spend_file else None
    return FunnelInputs(leads=leads, touches=touches, inputs=inputs, spend=spend)


# --- the whole analysis ---------------------------------------------------------------------------------------------


def definitions_table(funnel: FunnelSettings) -> pd.DataFrame:
    """Return the stages in order with their agreed definitions and the role each plays (MQL, SQL, converted)."""
    roles = {funnel.mql_stage: "MQL", funnel.sql_stage: "SQL", funnel.converted_stage: "converted"}
    return pd.DataFrame(
        [
            {"stage": s.name, "role": roles.get(s.name, ""), "definition": s.definition, "export_value": s.value}
            for s in funnel.stages
        ]
    )


# --- the result -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class FunnelResult:
    """Notebook 02's result: the funnel, friction points, SLA, closed loop and monthly KPIs, as of one date."""

    as_of: pd.Timestamp
    maturity_days: int
    min_group_size: int
    stage_names: tuple[str, ...]
    definitions: pd.DataFrame
    stages: pd.DataFrame
    conversion: pd.DataFrame
    times: pd.DataFrame
    outcomes: pd.DataFrame
    irregularities: pd.DataFrame
    cohorts: pd.DataFrame
    segments: pd.DataFrame
    friction: pd.DataFrame
    sla: SlaResult
    closed_loop: ClosedLoop | None
    kpis: pd.DataFrame
    cost_by_segment: pd.DataFrame | None = None
    inputs: pd.DataFrame = field(default_factory=pd.DataFrame)
    as_of_source: str = "data"  # "project file", "argument" or "data" (see `AsOf`)
    future_dates_ignored: int = 0  # dates left out as far beyond the rest when taking the date from the data
    judge: str = "maturity"  # funnel.judge: how a lead still at a stage is judged
    closed: pd.DataFrame | None = None  # judge "closed": won, lost and open leads, the win rate of closed ones
    time: TimeDimension | None = None  # time to convert, the open pipeline's forecast, the MQLs the goal needs

    def stage_with_role(self, role: str) -> str | None:
        """Return the project's stage that plays `role` ('MQL', 'SQL' or 'converted'), or None."""
        found = self.definitions.loc[self.definitions["role"].str.contains(role, regex=False), "stage"]
        return str(found.iloc[0]) if len(found) else None

    def kpi_summary(self) -> pd.DataFrame:
        """Return the monthly KPIs a sales manager reads first: new leads, leads reaching the MQL, SQL and
        converted stages (the project's names), MQL-to-SQL rate, win rate of closed deals and revenue."""
        reached = [
            f"reached_{stage_at_column(stage).removesuffix('_at')}"
            for role in ("MQL", "SQL", "converted")
            if (stage := self.stage_with_role(role))
        ]
        columns = ["month", "new_leads", *dict.fromkeys(reached), "mql_to_sql_rate", "win_rate", "revenue"]
        return self.kpis[[c for c in columns if c in self.kpis]]

    def __repr__(self) -> str:
        return (
            f"FunnelResult(as of {self.as_of:%Y-%m-%d}, {int(self.stages['reached'].iloc[0]):,} leads, "
            f"{len(self.stage_names)} stages, {len(self.friction)} friction points)"
        )

    def _repr_html_(self) -> str:
        conversion = self.conversion[["from_stage", "to_stage", "judged", "converted", "rate", "ci_low", "ci_high"]]
        friction = self.friction.head(5)[
            ["from_stage", "to_stage", "breakdown", "segment", "n", "rate", "rest_rate", "q_value", "leads_lost"]
        ]
        sla = self.sla.overall[["mqls_due", "within_share", "never_share", "breach_share", "median_hours"]]
        return render_fragment(
            "summary.html.j2",
            tables=[
                ("Headline", pd.DataFrame({"finding": headline(self)})),
                ("Stage-to-stage conversion", conversion),
                ("Top friction points", friction),
                ("SLA: MQL to first sales touch", sla),
            ],
        )


def with_personas(leads: pd.DataFrame, personas: pd.DataFrame) -> pd.DataFrame:
    """Return the leads with a `persona` column from a table of lead_key → persona (e.g. survey respondents linked
    to the CRM, from notebook 03); leads without one get none. The input is not modified."""
    missing = [c for c in ("lead_key", "persona") if c not in personas]
    if missing:
        raise ValueError(f"the personas table needs columns lead_key and persona; missing {missing}")
    linked = personas.dropna(subset=["lead_key"]).drop_duplicates("lead_key").set_index("lead_key")["persona"]
    return leads.drop(columns=["persona"], errors="ignore").assign(persona=leads["lead_key"].map(linked).astype("str"))


def analyse_frames(
    leads: pd.DataFrame,
    touches: pd.DataFrame | Table | None,
    settings: ProjectSettings,
    *,
    spend: pd.DataFrame | None = None,
    as_of: pd.Timestamp | None = None,
    inputs: pd.DataFrame | None = None,
    personas: pd.DataFrame | None = None,
) -> FunnelResult:
    """Return the whole funnel analysis of a leads table (and touches, spend, personas). Leads and touches may be Ibis
    tables (a lake, a database, Spark): stage reach and time in stage are then counted by the leads' engine, the
    touches aggregated by theirs, and only one row a lead comes back to pandas for the rest."""
    engine_stages = None
    if is_table(leads):
        columns = [(name, stage_at_column(name)) for name in settings.need_funnel().stage_names]
        engine_stages = (
            stage_counts(leads, columns),
            engine_time_in_stage(leads, columns, converted_stage=settings.need_funnel().converted_stage),
        )
        leads = lead_frame(leads, settings.need_funnel().stage_names)
    if personas is not None:
        leads = with_personas(leads, personas)
    funnel = settings.need_funnel()
    names = funnel.stage_names
    if as_of is not None:
        when = AsOf(pd.Timestamp(as_of), "argument")
    elif funnel.as_of is not None:
        when = AsOf(pd.Timestamp(funnel.as_of), "project file")
    else:
        when = export_date(leads, touches, stages=names)
    as_of = when.date
    maturity = funnel.cohort_maturity_days
    paths = stage_paths(leads, names)
    if funnel.judge == "closed":
        paths = replace(paths, closed_lost=closed_lost(leads))
    breakdowns = breakdown_columns(leads, tuple(to_snake_case(b) for b in funnel.breakdowns))
    segments = segment_conversion(
        leads, paths, as_of=as_of, maturity_days=maturity, by=breakdowns, min_group_size=settings.privacy.min_group_size
    )
    sla_result = analyse_sla(
        leads,
        mql_at=stage_at_column(funnel.mql_stage),
        target_hours=settings.sla.mql_to_first_touch_hours,
        mqls_per_month=settings.sla.mqls_per_month,
        as_of=as_of,
        capacity_per_week=settings.sla.sales_capacity_per_week,
        touches=touches is not None,
    )
    friction = friction_points(segments, fdr=funnel.friction_fdr)
    within = nested_within(friction, leads, paths, as_of=as_of, maturity_days=maturity)
    keys = ["from_stage", "to_stage", "breakdown", "segment"]
    marks = friction.loc[within != "", keys].assign(within=within[within != ""])
    segments = segments.merge(marks, on=keys, how="left").assign(within=lambda f: f["within"].fillna("").astype("str"))
    friction = friction[within == ""].reset_index(drop=True)
    furthest = np.array(names, dtype=object)[np.clip(paths.furthest, 0, None)]
    # Lost reasons, campaigns before the close and cycle lengths need no touches; content seen before the close and
    # collateral sales never uses do: without touches their tables are empty and the report says why.
    seen = touches if touches is not None else EMPTY_TOUCHES
    loop = ClosedLoop(
        lost_by_stage=lost_reasons(leads, furthest, name="stage_reached"),
        lost_by_source=lost_reasons(leads, leads["source"], name="source"),
        before_close=touches_before_close(leads, seen, min_group_size=settings.privacy.min_group_size),
        unused_collateral=collateral_sales_never_uses(
            seen, sales_kinds=settings.need_crm().sales_touch_kinds, collateral_kinds=funnel.collateral_kinds
        ),
        cycle=cycle_lengths(
            leads.assign(_converted_at=paths.reached_at[:, paths.index(funnel.converted_stage)]),
            converted_at="_converted_at",
            converted_stage=funnel.converted_stage,
        ),
        touches=touches is not None,
    )
    # the first stage is reached by every lead: a KPI column only when the MQL or SQL stage is the first one
    kept = [i for i, n in enumerate(names) if i > 0 or n in (funnel.mql_stage, funnel.sql_stage)]
    reached_at = {names[i]: paths.reached_at[:, i] for i in kept}
    kpis = monthly_kpis(
        leads,
        reached_at,
        mql_stage=funnel.mql_stage,
        sql_stage=funnel.sql_stage,
        converted_stage=funnel.converted_stage,
        as_of=as_of,
        maturity_days=maturity,
        spend=spend,
        reached={names[i]: paths.reached[:, i] for i in kept},
    )
    costs = None
    if spend is not None:
        costs = cost_by_segment(leads, spend, converted=paths.reached[:, paths.index(funnel.converted_stage)])
    closed = (
        closed_outcomes(paths, stalled=lead_outcomes(leads, paths, as_of=as_of, maturity_days=maturity) == "stalled")
        if funnel.judge == "closed"
        else None
    )
    time = time_dimension(leads, paths, settings, as_of=as_of, breakdowns=breakdowns)
    cohorts = cohort_table(paths, as_of=as_of, maturity_days=maturity, converted_stage=funnel.converted_stage)
    return FunnelResult(
        time=time,
        judge=funnel.judge,
        closed=closed,
        as_of=as_of,
        maturity_days=maturity,
        min_group_size=settings.privacy.min_group_size,
        stage_names=tuple(names),
        definitions=definitions_table(funnel),
        stages=stage_table(paths) if engine_stages is None else engine_stages[0],
        conversion=conversion_table(paths, as_of=as_of, maturity_days=maturity),
        times=time_in_stage(paths, converted_stage=funnel.converted_stage)
        if engine_stages is None
        else engine_stages[1],
        outcomes=outcome_table(
            leads, paths, converted_stage=funnel.converted_stage, as_of=as_of, maturity_days=maturity
        ),
        irregularities=irregularities(paths),
        cohorts=cohorts.merge(time.cohorts, on="cohort", how="left")
        if time is not None and len(time.cohorts)
        else cohorts,
        segments=segments,
        friction=friction,
        sla=sla_result,
        closed_loop=loop,
        kpis=kpis,
        cost_by_segment=costs,
        inputs=inputs if inputs is not None else pd.DataFrame(),
        as_of_source=when.source,
        future_dates_ignored=when.dates_ignored,
    )


def analyse(
    settings: ProjectSettings,
    *,
    data: FunnelInputs | None = None,
    as_of: pd.Timestamp | None = None,
    personas: pd.DataFrame | None = None,
) -> FunnelResult:
    """Return the whole funnel analysis from data/processed (or from `data`, for tests and notebooks); with
    `personas` (lead_key, persona) the funnel is also broken down by persona."""
    data = data if data is not None else load_inputs(settings)
    return analyse_frames(
        data.leads, data.touches, settings, spend=data.spend, as_of=as_of, inputs=data.inputs, personas=personas
    )


def lead_frame(leads: Table, stages: list[str]) -> pd.DataFrame:
    """Return a leads table of an engine as leads.parquet's frame: one row a lead, `stage` ordered by the funnel."""
    frame = to_frame(leads)
    if "stage" in frame:
        frame["stage"] = pd.Categorical(frame["stage"], categories=stages, ordered=True)
    return frame


EMPTY_TOUCHES = pd.DataFrame(
    {
        "lead_key": pd.Series(dtype="str"),
        "at": pd.Series(dtype="datetime64[ns]"),
        "kind": pd.Series(dtype="str"),
        "content": pd.Series(dtype="str"),
    }
)


def closed_outcomes(paths: StagePaths, *, stalled: np.ndarray) -> pd.DataFrame:
    """Return one row: leads won (reached the last stage), lost, open (of which stalled: no move for longer than the
    maturity window), and the win rate of closed leads, won / (won + lost), with its 95% Wilson CI."""
    won = paths.reached[:, -1]
    lost = paths.closed_lost & ~won
    open_ = ~won & ~lost
    n_won, n_lost = int(won.sum()), int(lost.sum())
    low, high = wilson_intervals(np.array([n_won]), np.array([n_won + n_lost]))
    return pd.DataFrame(
        [
            {
                "won": n_won,
                "lost": n_lost,
                "closed": n_won + n_lost,
                "open": int(open_.sum()),
                "stalled": int((open_ & stalled).sum()),
                "win_rate": n_won / (n_won + n_lost) if n_won + n_lost else np.nan,
                "win_ci_low": float(low[0]),
                "win_ci_high": float(high[0]),
            }
        ]
    )


def headline_parts(result: FunnelResult) -> dict[str, list[str]]:
    """Return the top findings in plain words, by topic: overall, weakest_step, friction, sla, volume, content,
    unused_collateral, lost_reason, time, forecast, goal (a topic with nothing to say is an empty list). A topic's
    first line ends with its next step (`alignkit.report.findings.finding`) only when the finding gives one: no
    friction point, an SLA that cannot be measured or a volume agreement met every month asks for none."""
    parts: dict[str, list[str]] = {}
    lines = parts.setdefault("overall", [])
    conv = result.conversion
    last = conv.iloc[-1]
    if result.closed is not None:
        c = result.closed.iloc[0]
        lines.append(
            f"Of {int(c['closed']):,} closed {result.stage_names[0]} leads, {c['win_rate']:.1%} became "
            f"{last['to_stage']} (95% CI {c['win_ci_low']:.1%}–{c['win_ci_high']:.1%}); {int(c['open']):,} "
            f"are still open and not counted ({int(c['stalled']):,} of them stalled, with no move in "
            f"{result.maturity_days} days)."
        )
    else:
        lines.append(
            f"Of {int(last['cumulative_n']):,} leads created at least {result.maturity_days} days before "
            f"{result.as_of:%d %b %Y}, {last['cumulative_rate']:.1%} became {last['to_stage']} "
            f"(95% CI {last['cumulative_ci_low']:.1%}–{last['cumulative_ci_high']:.1%})."
        )
    lines[0] = finding(lines[0], NEXT_STEPS["overall"])
    lines = parts.setdefault("weakest_step", [])
    if len(conv) > 1:  # with one step, the weakest step is the overall rate again
        for _, row in conv.nsmallest(1, "rate").iterrows():
            lines.append(
                finding(
                    f"The weakest step is {row['from_stage']} → {row['to_stage']}: {row['rate']:.0%} of "
                    f"{int(row['judged']):,} leads judged move on (95% CI {row['ci_low']:.0%}–"
                    f"{row['ci_high']:.0%}).",
                    NEXT_STEPS["weakest_step"],
                )
            )
    lines = parts.setdefault("friction", [])
    if len(result.friction):
        lines.append(
            finding("Top friction point — " + describe_friction(result.friction.iloc[0]), NEXT_STEPS["friction"])
        )
        lines += ["Next friction point — " + describe_friction(row) for _, row in result.friction.iloc[1:3].iterrows()]
    else:
        lines.append(
            "No segment converts significantly below the rest at any step (after correcting for many comparisons)."
        )
    lines = parts.setdefault("sla", [])
    overall = result.sla.overall.iloc[0] if len(result.sla.overall) else None
    if result.sla.unavailable:
        lines.append(f"Follow-up times are not measured: {result.sla.unavailable}.")
    elif overall is not None and overall["mqls_due"] > 0:
        line = (
            f"Sales followed up {overall['within_share']:.0%} of MQLs within {result.sla.target_hours:g} hours "
            f"(95% CI {overall['within_ci_low']:.0%}–{overall['within_ci_high']:.0%}); "
            f"{overall['never_share']:.1%} were never followed up."
        )
        owners = result.sla.by_owner[
            (result.sla.by_owner["mqls_due"] >= result.min_group_size) & (result.sla.by_owner["breach_share"] > 0)
        ]
        worst = owners.nlargest(2, "breach_share")
        if len(worst):
            line += (
                " Most breaches: "
                + ", ".join(f"{r['owner']} ({r['breach_share']:.0%})" for _, r in worst.iterrows())
                + "."
            )
        breached = overall["within_share"] < 1 or overall["never_share"] > 0
        lines.append(finding(line, (NEXT_STEPS["sla"] if len(worst) else SLA_LATE_STEP) if breached else None))
    if result.time is not None:
        parts["time"] = time_lines(result.time.timing)
        parts["forecast"] = forecast_lines(result.time.forecast, result.time.timing)
        parts["goal"] = goal_lines(result.time.goal)
    lines = parts.setdefault("volume", [])
    volume = result.sla.volume
    if result.sla.mqls_per_month and len(volume) > 2:
        full = volume.iloc[1:-1]  # the first and last months are usually partial
        met = int((full["mqls"] >= result.sla.mqls_per_month).sum())
        lines.append(
            finding(
                f"Marketing delivered {full['mqls'].mean():,.0f} MQLs a month on average against the "
                f"agreed {result.sla.mqls_per_month:,}; the agreement was met in {met} of {len(full)} "
                "full months.",
                NEXT_STEPS["volume"] if met < len(full) else None,
            )
        )
    loop = result.closed_loop
    if loop is not None:
        helps = loop.before_close[(loop.before_close["q_value"] < 0.05) & (loop.before_close["lift_ci_low"] > 1)]
        lines = parts.setdefault("content", [])
        if len(helps):
            top = helps.iloc[0]
            lines.append(
                finding(
                    f"{top['item']} came before {top['share_of_won']:.0%} of won deals but "
                    f"{top['share_of_lost']:.0%} of lost ones (lift {top['lift']:.1f}, 95% CI "
                    f"{top['lift_ci_low']:.1f}–{top['lift_ci_high']:.1f}).",
                    NEXT_STEPS["content"],
                )
            )
        lines = parts.setdefault("unused_collateral", [])
        if len(loop.unused_collateral):
            lines.append(
                finding(
                    "Collateral sales never uses: " + ", ".join(loop.unused_collateral["content"].head(5)) + ".",
                    NEXT_STEPS["unused_collateral"],
                )
            )
        reasons = loop.lost_by_source.groupby("lost_reason")["lost_deals"].sum().sort_values(ascending=False)
        lines = parts.setdefault("lost_reason", [])
        if len(reasons):
            lines.append(
                finding(
                    f"The most common reason deals are lost: {reasons.index[0]} "
                    f"({reasons.iloc[0] / reasons.sum():.0%} of lost deals).",
                    NEXT_STEPS["lost_reason"],
                )
            )
    return parts


# The detailed report's headline: one line a topic, most useful first, each actionable one with what to do about
# it; a topic's further lines (the next friction points) come after every topic's first.
HEADLINE_ORDER = (
    "overall",
    "friction",
    "sla",
    "time",
    "forecast",
    "goal",
    "weakest_step",
    "volume",
    "content",
    "lost_reason",
    "unused_collateral",
)
NEXT_STEPS = {
    "overall": "both teams track this rate as their shared KPI, month by month.",
    "friction": "sales and marketing review this segment's hand-over first (see Friction points).",
    "sla": "sales managers review the follow-up of the owners named (see the SLA section).",
    "weakest_step": "agree with sales what a lead needs to pass this step.",
    "volume": "marketing plans the months below the agreement; sales says whether the number still fits.",
    "content": "offer this content to open deals like the won ones.",
    "lost_reason": "marketing answers this reason in content and qualification.",
    "unused_collateral": "ask sales why, then improve or retire it.",
}
SLA_LATE_STEP = "sales managers review the MQLs followed up late or never (see the SLA section)."


def headline(result: FunnelResult) -> list[str]:
    """Return the top findings in plain words for a sales manager: one line a topic (HEADLINE_ORDER), each
    actionable one with its next step, then the topics' further lines."""
    parts = headline_parts(result)
    topics = [*HEADLINE_ORDER, *(t for t in parts if t not in HEADLINE_ORDER)]
    return [parts[t][0] for t in topics if parts.get(t)] + [line for t in topics for line in parts.get(t, [])[1:]]


ALIGNMENT_HEADLINE = ("overall", "friction", "sla", "forecast", "goal", "volume", "content", "lost_reason")


def alignment_headline(result: FunnelResult) -> list[str]:
    """Return the funnel's lines for the alignment page: overall conversion, the top friction point, the SLA, the
    open pipeline's forecast, the MQLs the goal needs, MQL volume, the content before wins and the main lost reason."""
    parts = headline_parts(result)
    return [line for topic in ALIGNMENT_HEADLINE for line in parts.get(topic, [])[:1]]


def load_result(settings: ProjectSettings) -> FunnelResult:
    """Return the funnel analysis of data/processed for the alignment report. Nothing is saved by notebook 02: the
    analysis is recomputed, which is fast and gives the same numbers for the same inputs."""
    return analyse(settings)
