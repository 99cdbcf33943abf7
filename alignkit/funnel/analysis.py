"""The funnel in the company's own stage names: leads reaching each stage, stage-to-stage and cumulative
conversion with CIs, time in stage, open vs lost, monthly cohorts, breakdowns and the friction points.

Rules (the report states them in plain words):
- A lead has *reached* a stage when it has the stage's date (`<stage>_at`), when it is currently at the stage,
  or when it reached any later stage. A stage passed without a date is counted as *skipped* (not for the first
  stage, where leads simply enter the funnel later). A lead whose current stage is earlier than the furthest
  stage it reached has *moved back*; it is counted at the furthest stage, never dropped.
- Conversion from a stage to the next is judged only among leads that reached the stage at least
  `cohort_maturity_days` before the export date (a stage without a date takes the lead's creation date), whether
  or not they moved on since: judging young leads only once they have moved on would select on the outcome and
  inflate the rate (a campaign launched last month would show 100%).
- A lead that stopped at a stage is *lost* when its deal closed lost or its lifecycle value is one of
  `funnel.lost_values` (`lifecycle_lost` in leads.parquet), *stage unknown* when its lifecycle value is not one the
  project file knows (notebook 01 leaves the stage empty and logs it; such a lead is neither lost nor open),
  *stalled* when it has not moved for longer than `cohort_maturity_days`, and *open* otherwise.
- Friction points: at every step, each segment of source, campaign, owner (and persona when a `persona` column
  is present) against the rest, Benjamini–Hochberg across all comparisons, ranked by leads lost. A segment with
  at least 80% of its leads inside a higher-ranked friction point at the same step (a campaign inside its source)
  restates it: it is left out of the friction points and marked `within` in the segments table.
- Everything is measured as of `funnel.as_of` when the project file sets it, else as of the latest date in the
  data (the export date), leaving out dates more than FUTURE_DATE_SLACK_DAYS after the 99.9th percentile of all
  event dates (counted, and said in the report).

SLA and closed-loop figures live in `alignkit.sla` and `alignkit.closed_loop`; the report in
`alignkit.funnel_report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from alignkit.funnel.closed_loop import (ClosedLoop, collateral_sales_never_uses, cost_by_segment, cycle_lengths, days_summary,
                                  deal_lost, lost_reasons, monthly_kpis, read_spend, touches_before_close)
from alignkit.config import FunnelSettings, ProjectSettings
from alignkit.errors import InputFileError
from alignkit.ingest.files import to_snake_case
from alignkit.report.html import render_fragment
from alignkit.funnel.sla import SlaResult, analyse_sla
from alignkit.prepare.stage_paths import StagePaths, stage_paths  # below tables, so notebook 01 counts skips alike
from alignkit.stats import benjamini_hochberg, segment_vs_rest, wilson_intervals
from alignkit.prepare.tables import stage_at_column

BREAKDOWNS = ("source", "campaign", "owner", "persona")
OUTCOMES = ("open", "stalled", "lost (deal)", "lost (lifecycle)", "stage unknown")
DAY = np.timedelta64(1, "D")
NESTED_SHARE = 0.8   # a friction point with this share of its leads inside a higher-ranked one restates it
FUTURE_DATE_SLACK_DAYS = 30   # dates this long after nearly all lead dates are taken for typos, not the export date


# --- inputs -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FunnelInputs:
    """The processed tables the funnel analysis reads (touches and spend are optional)."""

    leads: pd.DataFrame
    touches: pd.DataFrame | None
    inputs: pd.DataFrame
    spend: pd.DataFrame | None = None


def load_inputs(settings: ProjectSettings) -> FunnelInputs:
    """Return leads, touches, the input manifest and the optional spend table from data/processed and data/raw."""
    folder = settings.processed_dir
    path = folder / "leads.parquet"
    if not path.exists():
        raise InputFileError(path, "not found.", fix="run notebook 01 (or `alignkit run --only 01`) first.")
    leads = pd.read_parquet(path)
    touches = pd.read_parquet(folder / "touches.parquet") if (folder / "touches.parquet").exists() else None
    inputs = pd.read_parquet(folder / "inputs.parquet") if (folder / "inputs.parquet").exists() else pd.DataFrame()
    spend = read_spend(settings.raw_path(settings.funnel.spend_file)) if settings.funnel.spend_file else None
    return FunnelInputs(leads=leads, touches=touches, inputs=inputs, spend=spend)


@dataclass(frozen=True)
class AsOf:
    """The date the funnel is measured at, where it came from, and the far-future dates left out to find it."""

    date: pd.Timestamp
    source: str                 # "project file" (funnel.as_of), "argument", or "data" (the latest date in the data)
    dates_ignored: int = 0      # dates beyond `bound` left out when taking the latest date in the data
    bound: pd.Timestamp | None = None


def export_date(leads: pd.DataFrame, touches: pd.DataFrame | None = None, *,
                stages: list[str] | tuple[str, ...] = (), slack_days: int = FUTURE_DATE_SLACK_DAYS) -> AsOf:
    """Return the latest event date in the leads (creation, stage dates, first touch, deal dates) and touches —
    the date the export stands for — leaving out dates more than `slack_days` after the 99.9th percentile
    (lower) of all those dates: one future-dated touch or a typo'd year must not move every maturity and SLA
    status. (All event dates, not only creation dates: leads may stop arriving months before the export while
    deals and touches go on.) Fields set after the outcome (e.g. a priority set date) are not events."""
    columns = [c for c in ["created_at", *[stage_at_column(n) for n in stages], "first_touch_at", "deal_created_at",
                           "deal_closed_at"] if c in leads]
    values = [pd.to_datetime(leads[c]).to_numpy("datetime64[ns]") for c in columns]
    if touches is not None and len(touches):
        values.append(pd.to_datetime(touches["at"]).to_numpy("datetime64[ns]"))
    every = np.concatenate(values) if values else np.array([], "datetime64[ns]")
    every = every[~np.isnat(every)]
    if not len(every):
        raise ValueError("the leads table holds no dates, so the funnel cannot be measured in time")
    bound = pd.Timestamp(int(np.quantile(every.astype("int64"), 0.999, method="lower"))) + pd.Timedelta(days=slack_days)
    beyond = every > np.datetime64(bound, "ns")
    kept = every[~beyond]
    return AsOf(pd.Timestamp(kept.max()), "data", dates_ignored=int(beyond.sum()), bound=bound)


def data_as_of(leads: pd.DataFrame, touches: pd.DataFrame | None = None, *,
               stages: list[str] | tuple[str, ...] = ()) -> pd.Timestamp:
    """Return the export date from the data (see `export_date`, which also says how many dates it left out)."""
    return export_date(leads, touches, stages=stages).date


# --- stage paths ----------------------------------------------------------------------------------------------------

def eligible(paths: StagePaths, i: int, *, as_of: pd.Timestamp, maturity_days: int) -> np.ndarray:
    """Return which leads are judged on the step from stage i to i+1: those that reached stage i at least
    `maturity_days` before `as_of`, whether or not they moved on since (never selected on the outcome)."""
    cutoff = np.datetime64(as_of - pd.Timedelta(days=maturity_days), "ns")
    return paths.reached[:, i] & (paths.since(i) <= cutoff)


# --- funnel tables --------------------------------------------------------------------------------------------------

def stage_table(paths: StagePaths) -> pd.DataFrame:
    """Return one row a stage: leads reached, their share of the leads entering the funnel, leads that passed it
    without a date (skipped), leads that stopped there (furthest stage) and those of them now at an earlier stage."""
    entered = int(paths.reached[:, 0].sum())
    rows = []
    for i, name in enumerate(paths.names):
        reached = int(paths.reached[:, i].sum())
        stopped = paths.furthest == i
        rows.append({"stage": name, "reached": reached, "entered_share": reached / entered if entered else np.nan,
                     "skipped": int(paths.skipped[:, i].sum()), "stopped_here": int(stopped.sum()),
                     "moved_back_from_here": int((stopped & paths.moved_back).sum())})
    return pd.DataFrame(rows)


def irregularities(paths: StagePaths) -> pd.DataFrame:
    """Return the counts of leads that skipped at least one stage, skipped each stage, and moved back."""
    rows = [{"irregularity": "skipped at least one stage", "leads": int(paths.skipped.any(axis=1).sum())}]
    rows += [{"irregularity": f"skipped {name}", "leads": int(paths.skipped[:, i].sum())}
             for i, name in enumerate(paths.names) if paths.skipped[:, i].any()]
    rows.append({"irregularity": "moved back to an earlier stage", "leads": int(paths.moved_back.sum())})
    return pd.DataFrame(rows)


def conversion_table(paths: StagePaths, *, as_of: pd.Timestamp, maturity_days: int) -> pd.DataFrame:
    """Return one row per step between consecutive stages: leads judged (reached the stage at least
    `maturity_days` before `as_of`), converted, the rate with its Wilson CI, leads not yet judged, and the
    cumulative conversion from the first stage among leads created at least `maturity_days` before `as_of`,
    with its CI."""
    cutoff = np.datetime64(as_of - pd.Timedelta(days=maturity_days), "ns")
    mature_leads = paths.reached[:, 0] & (paths.created_at <= cutoff)
    rows = []
    for i in range(len(paths.names) - 1):
        judged = eligible(paths, i, as_of=as_of, maturity_days=maturity_days)
        converted = int((judged & paths.reached[:, i + 1]).sum())
        n = int(judged.sum())
        cumulative = int((mature_leads & paths.reached[:, i + 1]).sum())
        rows.append({"from_stage": paths.names[i], "to_stage": paths.names[i + 1],
                     "reached_from": int(paths.reached[:, i].sum()), "judged": n, "converted": converted,
                     "not_yet_judged": int(paths.reached[:, i].sum()) - n, "rate": converted / n if n else np.nan,
                     "cumulative_n": int(mature_leads.sum()), "cumulative_converted": cumulative,
                     "cumulative_rate": cumulative / mature_leads.sum() if mature_leads.any() else np.nan})
    out = pd.DataFrame(rows)
    out["ci_low"], out["ci_high"] = wilson_intervals(out["converted"], out["judged"])
    out["cumulative_ci_low"], out["cumulative_ci_high"] = wilson_intervals(out["cumulative_converted"], out["cumulative_n"])
    order = ["from_stage", "to_stage", "reached_from", "judged", "converted", "rate", "ci_low", "ci_high",
             "not_yet_judged", "cumulative_n", "cumulative_converted", "cumulative_rate", "cumulative_ci_low",
             "cumulative_ci_high"]
    return out[order]


def _days_summary(days: np.ndarray) -> dict[str, float]:
    """Return leads, median and 80th-percentile days and the durations out of order (see `days_summary`)."""
    summary = days_summary(days)
    return {"leads": summary["n"], **{k: summary[k] for k in ("median_days", "p80_days", "dates_out_of_order")}}


def time_in_stage(paths: StagePaths, *, converted_stage: str) -> pd.DataFrame:
    """Return, per step, the days from reaching a stage to reaching the next (median, 80th percentile) among
    leads with both dates recorded, then the days from creation to the converted stage; leads whose dates are out
    of order are left out of those figures and counted in `dates_out_of_order`."""
    rows = []
    for i in range(len(paths.names) - 1):
        both = paths.has_date[:, i] & paths.has_date[:, i + 1]
        days = (paths.reached_at[both, i + 1] - paths.reached_at[both, i]) / DAY
        rows.append({"from_stage": paths.names[i], "to_stage": paths.names[i + 1], **_days_summary(days)})
    j = paths.index(converted_stage)
    done = paths.reached[:, j] & ~np.isnat(paths.reached_at[:, j])
    days = (paths.reached_at[done, j] - paths.created_at[done]) / DAY
    rows.append({"from_stage": "Created", "to_stage": converted_stage, **_days_summary(days)})
    return pd.DataFrame(rows)


def lead_outcomes(leads: pd.DataFrame, paths: StagePaths, *, as_of: pd.Timestamp, maturity_days: int) -> np.ndarray:
    """Return each lead's outcome at its furthest stage: 'lost (deal)', 'lost (lifecycle)', 'stage unknown',
    'stalled', 'open'.

    Lost (deal): its deal is closed lost. Lost (lifecycle): `lifecycle_lost` is True (its lifecycle value is one of
    `funnel.lost_values`). Stage unknown: the stage is empty but not lost — a lifecycle value the project file does
    not know (or none), counted on its own and never as lost. Stalled: none of these, but no movement for longer
    than the maturity window. Open: the rest. A leads table without `lifecycle_lost` (written before it existed)
    has no lifecycle-lost leads: rerun notebook 01."""
    k = len(paths.names)
    idx = np.clip(paths.furthest, 0, k - 1)
    last_move = paths.since(0).copy()
    has = paths.furthest >= 0
    last_move[has] = np.where(np.isnat(paths.reached_at[has, idx[has]]), paths.created_at[has], paths.reached_at[has, idx[has]])
    cutoff = np.datetime64(as_of - pd.Timedelta(days=maturity_days), "ns")
    lost_deal = deal_lost(leads)
    lifecycle_lost = (leads["lifecycle_lost"].fillna(False).to_numpy(bool) if "lifecycle_lost" in leads
                      else np.zeros(len(leads), bool))
    unknown = leads["stage"].isna().to_numpy() & ~lifecycle_lost if "stage" in leads else np.zeros(len(leads), bool)
    return np.select([lost_deal, lifecycle_lost, unknown, last_move <= cutoff],
                     ["lost (deal)", "lost (lifecycle)", "stage unknown", "stalled"], "open")


def outcome_table(leads: pd.DataFrame, paths: StagePaths, *, converted_stage: str, as_of: pd.Timestamp,
                  maturity_days: int) -> pd.DataFrame:
    """Return, per stage before the converted one, the leads that stopped there split into open, stalled and
    lost, with the share lost (deal, lifecycle or stalled) and its CI; leads whose stage is unknown are counted in
    `stage unknown`, out of the lost share's numerator (they are not known to be lost)."""
    outcome = lead_outcomes(leads, paths, as_of=as_of, maturity_days=maturity_days)
    rows = []
    for i, name in enumerate(paths.names[: paths.index(converted_stage)]):
        here = paths.furthest == i
        counts = {o: int((here & (outcome == o)).sum()) for o in OUTCOMES}
        rows.append({"stage": name, "stopped_here": int(here.sum()), **counts})
    out = pd.DataFrame(rows)
    lost = out["stalled"] + out["lost (deal)"] + out["lost (lifecycle)"]
    out["lost_share"] = lost / out["stopped_here"].where(out["stopped_here"] > 0)
    out["ci_low"], out["ci_high"] = wilson_intervals(lost, out["stopped_here"])
    return out


def cohort_table(paths: StagePaths, *, as_of: pd.Timestamp, maturity_days: int,
                 converted_stage: str) -> pd.DataFrame:
    """Return one row per month of creation: leads, whether the cohort has matured (its last day at least
    `maturity_days` before `as_of`), and per later stage the count and share of the cohort reaching it (shares
    left empty until the cohort matures), with the CI of the converted share."""
    month = paths.created_at.astype("datetime64[M]")  # numpy months: no Period objects per lead
    frame = pd.DataFrame({f"reached_{to_snake_case(n)}": paths.reached[:, i] for i, n in enumerate(paths.names) if i > 0})
    frame["leads"] = paths.reached[:, 0] | paths.reached.any(axis=1)
    frame["cohort"] = month.astype("int64")
    counts = frame[~np.isnat(month)].groupby("cohort", sort=True).sum()
    counts.index = pd.PeriodIndex(counts.index.to_numpy().astype("datetime64[M]"), freq="M")
    ends = counts.index.to_timestamp(how="end")
    matured = (ends + pd.Timedelta(days=maturity_days)) <= as_of
    out = pd.DataFrame({"cohort": counts.index.astype(str), "leads": counts["leads"].to_numpy(), "matured": matured})
    for name in paths.names[1:]:
        column = f"reached_{to_snake_case(name)}"
        out[column] = counts[column].to_numpy()
        out[f"{to_snake_case(name)}_share"] = (out[column] / out["leads"]).where(out["matured"])
    conv = f"reached_{to_snake_case(converted_stage)}"
    low, high = wilson_intervals(out[conv], out["leads"])
    out["converted_ci_low"] = pd.Series(low).where(out["matured"])
    out["converted_ci_high"] = pd.Series(high).where(out["matured"])
    return out


# --- breakdowns and friction points ---------------------------------------------------------------------------------

def breakdown_columns(leads: pd.DataFrame, candidates: tuple[str, ...] = BREAKDOWNS) -> list[str]:
    """Return the breakdown columns present in the leads table and not entirely missing."""
    return [c for c in candidates if c in leads and leads[c].notna().any()]


def segment_conversion(leads: pd.DataFrame, paths: StagePaths, *, as_of: pd.Timestamp, maturity_days: int,
                       by: list[str] | None = None, min_group_size: int = 1) -> pd.DataFrame:
    """Return, for every step × breakdown × segment with at least `min_group_size` leads judged, the segment's
    conversion with CI, the rest's rate, the difference (CI), Cohen's h and the p-value (two-proportion z-test,
    Fisher's exact test for small counts), with Benjamini–Hochberg q-values across all rows and the leads lost
    against the rest's rate (n × (rest rate − segment rate))."""
    by = breakdown_columns(leads) if by is None else by
    factorized = {}
    for column in by:  # once per column: string columns are slow to slice again and again
        codes, labels = pd.factorize(leads[column].astype("str"), sort=True)
        factorized[column] = (codes, pd.Index(labels).astype("str"))
    parts = []
    for i in range(len(paths.names) - 1):
        judged = eligible(paths, i, as_of=as_of, maturity_days=maturity_days)
        if not judged.any():
            continue
        flags = pd.Series(paths.reached[judged, i + 1])
        for column in by:
            codes, labels = factorized[column]
            segments = pd.Series(pd.Categorical.from_codes(codes[judged], categories=labels))
            table = segment_vs_rest(flags, segments)
            table = table[table["n"] >= min_group_size]
            if table.empty:
                continue
            parts.append(table.assign(from_stage=paths.names[i], to_stage=paths.names[i + 1], breakdown=column))
    if not parts:
        return pd.DataFrame(columns=["from_stage", "to_stage", "breakdown", "segment", "n", "count", "rate", "ci_low",
                                     "ci_high", "rest_n", "rest_rate", "difference", "difference_ci_low",
                                     "difference_ci_high", "cohens_h", "p_value", "test", "q_value", "leads_lost"])
    out = pd.concat(parts, ignore_index=True)
    out["q_value"] = benjamini_hochberg(out["p_value"])
    out["leads_lost"] = out["n"] * (out["rest_rate"] - out["rate"])
    front = ["from_stage", "to_stage", "breakdown", "segment"]
    return out[front + [c for c in out.columns if c not in front]]


def friction_points(segments: pd.DataFrame, *, fdr: float = 0.05) -> pd.DataFrame:
    """Return the segments converting significantly below the rest (q < `fdr`), most leads lost first."""
    below = segments[(segments["q_value"] < fdr) & (segments["difference"] < 0)]
    return below.sort_values(["leads_lost", "q_value"], ascending=[False, True], kind="stable").reset_index(drop=True)


def nested_within(friction: pd.DataFrame, leads: pd.DataFrame, paths: StagePaths, *, as_of: pd.Timestamp,
                  maturity_days: int, share: float = NESTED_SHARE) -> pd.Series:
    """Return, per friction point (in rank order), the higher-ranked friction point at the same step that holds at
    least `share` of its judged leads ('source Paid Social' for a Paid Social campaign), or '' where there is none.
    Such a segment restates the higher one's finding: it is left out of the friction list and the headline and
    marked in the segments table."""
    within = pd.Series("", index=friction.index, dtype="str")
    kept: list[tuple[str, str, str, np.ndarray]] = []   # (step, label, members) of friction points not nested
    judged: dict[str, np.ndarray] = {}
    for index, row in friction.iterrows():
        step = f"{row['from_stage']}→{row['to_stage']}"
        if step not in judged:
            judged[step] = eligible(paths, paths.index(row["from_stage"]), as_of=as_of, maturity_days=maturity_days)
        members = judged[step] & leads[row["breakdown"]].astype("str").eq(str(row["segment"])).fillna(False).to_numpy(bool)
        size = int(members.sum())
        for other_step, label, other in kept:
            if other_step == step and size and (members & other).sum() >= share * size:
                within[index] = label
                break
        else:
            kept.append((step, f"{row['breakdown']} {row['segment']}", members))
    return within


def describe_friction(row: pd.Series) -> str:
    """Return one friction point in plain words."""
    return (f"{row['breakdown'].capitalize()} {row['segment']!s}: {row['rate']:.0%} of leads move from "
            f"{row['from_stage']} to {row['to_stage']} (95% CI {row['ci_low']:.0%}–{row['ci_high']:.0%}) against "
            f"{row['rest_rate']:.0%} for the rest — about {row['leads_lost']:,.0f} of {row['n']:,} leads lost at this step.")


# --- the whole analysis ---------------------------------------------------------------------------------------------

def definitions_table(funnel: FunnelSettings) -> pd.DataFrame:
    """Return the stages in order with their agreed definitions and the role each plays (MQL, SQL, converted)."""
    roles = {funnel.mql_stage: "MQL", funnel.sql_stage: "SQL", funnel.converted_stage: "converted"}
    return pd.DataFrame([{"stage": s.name, "role": roles.get(s.name, ""), "definition": s.definition,
                          "export_value": s.value} for s in funnel.stages])



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
    as_of_source: str = "data"          # "project file", "argument" or "data" (see `AsOf`)
    future_dates_ignored: int = 0       # dates left out as far beyond the rest when taking the date from the data

    def __repr__(self) -> str:
        return (f"FunnelResult(as of {self.as_of:%Y-%m-%d}, {int(self.stages['reached'].iloc[0]):,} leads, "
                f"{len(self.stage_names)} stages, {len(self.friction)} friction points)")

    def _repr_html_(self) -> str:
        conversion = self.conversion[["from_stage", "to_stage", "judged", "converted", "rate", "ci_low", "ci_high"]]
        friction = self.friction.head(5)[["from_stage", "to_stage", "breakdown", "segment", "n", "rate", "rest_rate",
                                          "q_value", "leads_lost"]]
        sla = self.sla.overall[["mqls_due", "within_share", "never_share", "breach_share", "median_hours"]]
        return render_fragment("summary.html.j2", tables=[
            ("Headline", pd.DataFrame({"finding": headline(self)})), ("Stage-to-stage conversion", conversion),
            ("Top friction points", friction), ("SLA: MQL to first sales touch", sla)])


def with_personas(leads: pd.DataFrame, personas: pd.DataFrame) -> pd.DataFrame:
    """Return the leads with a `persona` column from a table of lead_key → persona (e.g. survey respondents linked
    to the CRM, from notebook 03); leads without one get none. The input is not modified."""
    missing = [c for c in ("lead_key", "persona") if c not in personas]
    if missing:
        raise ValueError(f"the personas table needs columns lead_key and persona; missing {missing}")
    linked = personas.dropna(subset=["lead_key"]).drop_duplicates("lead_key").set_index("lead_key")["persona"]
    return leads.drop(columns=["persona"], errors="ignore").assign(persona=leads["lead_key"].map(linked).astype("str"))


def analyse_frames(leads: pd.DataFrame, touches: pd.DataFrame | None, settings: ProjectSettings, *,
                   spend: pd.DataFrame | None = None, as_of: pd.Timestamp | None = None,
                   inputs: pd.DataFrame | None = None, personas: pd.DataFrame | None = None) -> FunnelResult:
    """Return the whole funnel analysis of a leads table (and touches, spend, personas), pure on DataFrames."""
    if personas is not None:
        leads = with_personas(leads, personas)
    funnel = settings.funnel
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
    segments = segment_conversion(leads, paths, as_of=as_of, maturity_days=maturity,
                                  min_group_size=settings.privacy.min_group_size)
    sla_result = analyse_sla(leads, mql_at=stage_at_column(funnel.mql_stage),
                             target_hours=settings.sla.mql_to_first_touch_hours, mqls_per_month=settings.sla.mqls_per_month,
                             as_of=as_of, capacity_per_week=settings.sla.sales_capacity_per_week)
    friction = friction_points(segments, fdr=funnel.friction_fdr)
    within = nested_within(friction, leads, paths, as_of=as_of, maturity_days=maturity)
    keys = ["from_stage", "to_stage", "breakdown", "segment"]
    marks = friction.loc[within != "", keys].assign(within=within[within != ""])
    segments = segments.merge(marks, on=keys, how="left").assign(within=lambda f: f["within"].fillna("").astype("str"))
    friction = friction[within == ""].reset_index(drop=True)
    loop = None
    furthest = np.array(names, dtype=object)[np.clip(paths.furthest, 0, None)]
    if touches is not None:
        loop = ClosedLoop(
            lost_by_stage=lost_reasons(leads, furthest, name="stage_reached"),
            lost_by_source=lost_reasons(leads, leads["source"], name="source"),
            before_close=touches_before_close(leads, touches, min_group_size=settings.privacy.min_group_size),
            unused_collateral=collateral_sales_never_uses(touches, sales_kinds=settings.crm.sales_touch_kinds,
                                                          collateral_kinds=funnel.collateral_kinds),
            cycle=cycle_lengths(leads.assign(_converted_at=paths.reached_at[:, paths.index(funnel.converted_stage)]),
                                converted_at="_converted_at", converted_stage=funnel.converted_stage))
    reached_at = {n: paths.reached_at[:, i] for i, n in enumerate(names) if i > 0}
    kpis = monthly_kpis(leads, reached_at, mql_stage=funnel.mql_stage, sql_stage=funnel.sql_stage,
                        converted_stage=funnel.converted_stage, as_of=as_of, maturity_days=maturity, spend=spend,
                        reached={n: paths.reached[:, i] for i, n in enumerate(names) if i > 0})
    costs = None
    if spend is not None:
        costs = cost_by_segment(leads, spend, converted=paths.reached[:, paths.index(funnel.converted_stage)])
    return FunnelResult(
        as_of=as_of, maturity_days=maturity, min_group_size=settings.privacy.min_group_size, stage_names=tuple(names),
        definitions=definitions_table(funnel), stages=stage_table(paths),
        conversion=conversion_table(paths, as_of=as_of, maturity_days=maturity),
        times=time_in_stage(paths, converted_stage=funnel.converted_stage),
        outcomes=outcome_table(leads, paths, converted_stage=funnel.converted_stage, as_of=as_of, maturity_days=maturity),
        irregularities=irregularities(paths),
        cohorts=cohort_table(paths, as_of=as_of, maturity_days=maturity, converted_stage=funnel.converted_stage),
        segments=segments, friction=friction, sla=sla_result,
        closed_loop=loop, kpis=kpis, cost_by_segment=costs, inputs=inputs if inputs is not None else pd.DataFrame(),
        as_of_source=when.source, future_dates_ignored=when.dates_ignored)


def analyse(settings: ProjectSettings, *, data: FunnelInputs | None = None, as_of: pd.Timestamp | None = None,
            personas: pd.DataFrame | None = None) -> FunnelResult:
    """Return the whole funnel analysis from data/processed (or from `data`, for tests and notebooks); with
    `personas` (lead_key, persona) the funnel is also broken down by persona."""
    data = data if data is not None else load_inputs(settings)
    return analyse_frames(data.leads, data.touches, settings, spend=data.spend, as_of=as_of, inputs=data.inputs,
                          personas=personas)


def headline_parts(result: FunnelResult) -> dict[str, list[str]]:
    """Return the top findings in plain words, by topic: overall, weakest_step, friction, sla, volume, content,
    unused_collateral, lost_reason, cycle (a topic with nothing to say is an empty list)."""
    parts: dict[str, list[str]] = {}
    lines = parts.setdefault("overall", [])
    conv = result.conversion
    last = conv.iloc[-1]
    lines.append(f"Of {int(last['cumulative_n']):,} leads created at least {result.maturity_days} days before "
                 f"{result.as_of:%d %b %Y}, {last['cumulative_rate']:.1%} became {last['to_stage']} "
                 f"(95% CI {last['cumulative_ci_low']:.1%}–{last['cumulative_ci_high']:.1%}).")
    lines = parts.setdefault("weakest_step", [])
    for _, row in conv.nsmallest(1, "rate").iterrows():
        lines.append(f"The weakest step is {row['from_stage']} → {row['to_stage']}: {row['rate']:.0%} of "
                     f"{int(row['judged']):,} leads judged move on (95% CI {row['ci_low']:.0%}–{row['ci_high']:.0%}).")
    lines = parts.setdefault("friction", [])
    if len(result.friction):
        lines.append("Top friction point — " + describe_friction(result.friction.iloc[0]))
        lines += ["Next friction point — " + describe_friction(row) for _, row in result.friction.iloc[1:3].iterrows()]
    else:
        lines.append("No segment converts significantly below the rest at any step (after correcting for many comparisons).")
    lines = parts.setdefault("sla", [])
    overall = result.sla.overall.iloc[0]
    if overall["mqls_due"] > 0:
        line = (f"Sales followed up {overall['within_share']:.0%} of MQLs within {result.sla.target_hours:g} hours "
                f"(95% CI {overall['within_ci_low']:.0%}–{overall['within_ci_high']:.0%}); "
                f"{overall['never_share']:.1%} were never followed up.")
        owners = result.sla.by_owner[result.sla.by_owner["mqls_due"] >= result.min_group_size]
        worst = owners.nlargest(2, "breach_share")
        if len(worst):
            line += " Most breaches: " + ", ".join(f"{r['owner']} ({r['breach_share']:.0%})" for _, r in worst.iterrows()) + "."
        lines.append(line)
    lines = parts.setdefault("volume", [])
    volume = result.sla.volume
    if result.sla.mqls_per_month and len(volume) > 2:
        full = volume.iloc[1:-1]  # the first and last months are usually partial
        met = int((full["mqls"] >= result.sla.mqls_per_month).sum())
        lines.append(f"Marketing delivered {full['mqls'].mean():,.0f} MQLs a month on average against the agreed "
                     f"{result.sla.mqls_per_month:,}; the agreement was met in {met} of {len(full)} full months.")
    loop = result.closed_loop
    if loop is not None:
        helps = loop.before_close[(loop.before_close["q_value"] < 0.05) & (loop.before_close["lift_ci_low"] > 1)]
        lines = parts.setdefault("content", [])
        if len(helps):
            top = helps.iloc[0]
            lines.append(f"{top['item']} came before {top['share_of_won']:.0%} of won deals but {top['share_of_lost']:.0%} "
                         f"of lost ones (lift {top['lift']:.1f}, 95% CI {top['lift_ci_low']:.1f}–{top['lift_ci_high']:.1f}).")
        lines = parts.setdefault("unused_collateral", [])
        if len(loop.unused_collateral):
            lines.append("Collateral sales never uses: " + ", ".join(loop.unused_collateral["content"].head(5)) + ".")
        reasons = loop.lost_by_source.groupby("lost_reason")["lost_deals"].sum().sort_values(ascending=False)
        lines = parts.setdefault("lost_reason", [])
        if len(reasons):
            lines.append(f"The most common reason deals are lost: {reasons.index[0]} "
                         f"({reasons.iloc[0] / reasons.sum():.0%} of lost deals).")
        lines = parts.setdefault("cycle", [])
        cycle = loop.cycle.iloc[0]
        if cycle["n"]:
            lines.append(f"{cycle['measure']} takes {cycle['median_days']:.0f} days at the median "
                         f"(80% within {cycle['p80_days']:.0f} days).")
    return parts


def headline(result: FunnelResult) -> list[str]:
    """Return the top findings in plain words for a sales manager: funnel, friction points, SLA, closed loop."""
    return [line for lines in headline_parts(result).values() for line in lines]


ALIGNMENT_HEADLINE = ("overall", "friction", "sla", "volume", "content", "lost_reason")


def alignment_headline(result: FunnelResult) -> list[str]:
    """Return the funnel's lines for the alignment page: overall conversion, the top friction point, the SLA, MQL
    volume, the content before wins and the main lost reason."""
    parts = headline_parts(result)
    return [line for topic in ALIGNMENT_HEADLINE for line in parts.get(topic, [])[:1]]


def report_sections(result: FunnelResult) -> list:
    """Return the report's sections (see `alignkit.funnel_report`)."""
    from alignkit.funnel.report import report_sections as _sections

    return _sections(result)


def write_funnel_report(result: FunnelResult, settings: ProjectSettings) -> Path:
    """Write reports/02_funnel_and_sla.html (and its CSVs); return the HTML path."""
    from alignkit.funnel.report import write_funnel_report as _write

    return _write(result, settings)


def load_result(settings: ProjectSettings) -> FunnelResult:
    """Return the funnel analysis of data/processed for the alignment report. Nothing is saved by notebook 02: the
    analysis is recomputed, which is fast and gives the same numbers for the same inputs."""
    return analyse(settings)


ALIGNMENT_SECTIONS = ("funnel", "friction", "sla", "closed-loop", "kpis")


def alignment_sections(result: FunnelResult) -> list:
    """Return the short version for the alignment page (notebook 05): the funnel with its stage conversion, the
    friction points, the SLA, the closed loop and the shared KPIs (leaving out cohorts and the long tables)."""
    from dataclasses import replace

    from alignkit.report.html import ReportTable

    long_tables = {"stages", "irregularities", "time_in_stage", "open_vs_lost", "segments"}
    return [replace(s, items=[i for i in s.items if not (isinstance(i, ReportTable) and i.name in long_tables)])
            for s in report_sections(result) if s.id in ALIGNMENT_SECTIONS]
