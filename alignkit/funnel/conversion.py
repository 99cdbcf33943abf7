"""Conversion through the funnel in the company's own stage names: which leads are judged on a step (maturity),
leads reaching each stage, skips and moves back, stage-to-stage and cumulative conversion with CIs, time in stage,
open vs lost at each stage, and monthly cohorts.

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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.funnel.closed_loop import days_summary, deal_lost
from alignkit.ingest.files import to_snake_case
from alignkit.prepare.stage_paths import StagePaths
from alignkit.stats import wilson_intervals

OUTCOMES = ("open", "stalled", "lost (deal)", "lost (lifecycle)", "stage unknown")
DAY = np.timedelta64(1, "D")


# --- stage paths ----------------------------------------------------------------------------------------------------


def eligible(paths: StagePaths, i: int, *, as_of: pd.Timestamp, maturity_days: int) -> np.ndarray:
    """Return which leads are judged on the step from stage i to i+1: those that reached stage i at least
    `maturity_days` before `as_of`, whether or not they moved on since (never selected on the outcome).

    Judged on closed outcomes (`paths.closed_lost` set, funnel.judge: closed), a lead is judged on the step once
    it moved on, or was lost at stage i; an open lead is never judged, whatever its age."""
    if paths.closed_lost is not None:
        return paths.reached[:, i] & (paths.reached[:, i + 1] | (paths.closed_lost & (paths.furthest == i)))
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
        rows.append(
            {
                "stage": name,
                "reached": reached,
                "entered_share": reached / entered if entered else np.nan,
                "skipped": int(paths.skipped[:, i].sum()),
                "stopped_here": int(stopped.sum()),
                "moved_back_from_here": int((stopped & paths.moved_back).sum()),
            }
        )
    return pd.DataFrame(rows)


def irregularities(paths: StagePaths) -> pd.DataFrame:
    """Return the counts of leads that skipped at least one stage, skipped each stage, and moved back."""
    rows = [{"irregularity": "skipped at least one stage", "leads": int(paths.skipped.any(axis=1).sum())}]
    rows += [
        {"irregularity": f"skipped {name}", "leads": int(paths.skipped[:, i].sum())}
        for i, name in enumerate(paths.names)
        if paths.skipped[:, i].any()
    ]
    rows.append({"irregularity": "moved back to an earlier stage", "leads": int(paths.moved_back.sum())})
    return pd.DataFrame(rows)


def conversion_table(paths: StagePaths, *, as_of: pd.Timestamp, maturity_days: int) -> pd.DataFrame:
    """Return one row per step between consecutive stages: leads judged (reached the stage at least
    `maturity_days` before `as_of`), converted, the rate with its Wilson CI, leads not yet judged, and the
    cumulative conversion from the first stage among leads created at least `maturity_days` before `as_of`,
    with its CI."""
    cutoff = np.datetime64(as_of - pd.Timedelta(days=maturity_days), "ns")
    if paths.closed_lost is not None:  # decided leads: reached the last stage, or lost
        mature_leads = paths.reached[:, 0] & (paths.reached[:, -1] | paths.closed_lost)
    else:
        mature_leads = paths.reached[:, 0] & (paths.created_at <= cutoff)
    rows = []
    for i in range(len(paths.names) - 1):
        judged = eligible(paths, i, as_of=as_of, maturity_days=maturity_days)
        converted = int((judged & paths.reached[:, i + 1]).sum())
        n = int(judged.sum())
        cumulative = int((mature_leads & paths.reached[:, i + 1]).sum())
        rows.append(
            {
                "from_stage": paths.names[i],
                "to_stage": paths.names[i + 1],
                "reached_from": int(paths.reached[:, i].sum()),
                "judged": n,
                "converted": converted,
                "not_yet_judged": int(paths.reached[:, i].sum()) - n,
                "rate": converted / n if n else np.nan,
                "cumulative_n": int(mature_leads.sum()),
                "cumulative_converted": cumulative,
                "cumulative_rate": cumulative / mature_leads.sum() if mature_leads.any() else np.nan,
            }
        )
    out = pd.DataFrame(rows)
    out["ci_low"], out["ci_high"] = wilson_intervals(out["converted"], out["judged"])
    out["cumulative_ci_low"], out["cumulative_ci_high"] = wilson_intervals(
        out["cumulative_converted"], out["cumulative_n"]
    )
    order = [
        "from_stage",
        "to_stage",
        "reached_from",
        "judged",
        "converted",
        "rate",
        "ci_low",
        "ci_high",
        "not_yet_judged",
        "cumulative_n",
        "cumulative_converted",
        "cumulative_rate",
        "cumulative_ci_low",
        "cumulative_ci_high",
    ]
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
    last_move[has] = np.where(
        np.isnat(paths.reached_at[has, idx[has]]), paths.created_at[has], paths.reached_at[has, idx[has]]
    )
    cutoff = np.datetime64(as_of - pd.Timedelta(days=maturity_days), "ns")
    lost_deal = deal_lost(leads)
    lifecycle_lost = (
        leads["lifecycle_lost"].fillna(False).to_numpy(bool)
        if "lifecycle_lost" in leads
        else np.zeros(len(leads), bool)
    )
    unknown = leads["stage"].isna().to_numpy() & ~lifecycle_lost if "stage" in leads else np.zeros(len(leads), bool)
    return np.select(
        [lost_deal, lifecycle_lost, unknown, last_move <= cutoff],
        ["lost (deal)", "lost (lifecycle)", "stage unknown", "stalled"],
        "open",
    )


def outcome_table(
    leads: pd.DataFrame, paths: StagePaths, *, converted_stage: str, as_of: pd.Timestamp, maturity_days: int
) -> pd.DataFrame:
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


def cohort_table(paths: StagePaths, *, as_of: pd.Timestamp, maturity_days: int, converted_stage: str) -> pd.DataFrame:
    """Return one row per month of creation: leads, whether the cohort has matured (its last day at least
    `maturity_days` before `as_of`), and per later stage the count and share of the cohort reaching it (shares
    left empty until the cohort matures), with the CI of the converted share."""
    month = paths.created_at.astype("datetime64[M]")  # numpy months: no Period objects per lead
    frame = pd.DataFrame(
        {f"reached_{to_snake_case(n)}": paths.reached[:, i] for i, n in enumerate(paths.names) if i > 0}
    )
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
