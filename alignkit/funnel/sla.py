"""The service level agreement between marketing and sales: how fast sales follows up each MQL (hours from
the MQL date to the first sales touch) against the agreed target, and the MQL volume delivered against the
agreed volume per month.

Each MQL gets one status:
- *within target*: first sales touch at most `mql_to_first_touch_hours` after the MQL date;
- *late*: a first touch, but later than the target;
- *never followed up*: no sales touch, and the target time has passed by the export date;
- *pending*: the MQL is still inside its target window at the export date, touched yet or not. Pending MQLs are
  not yet due: they are counted, but left out of every share. Untouched ones would otherwise count as breaches
  that have not happened yet; and keeping only the touched ones would select on the outcome and flatter the SLA.
A *breach* is late or never followed up, so breach share = 1 − share within target, among MQLs that are due.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from alignkit.stats import wilson_intervals

STATUSES = ("within target", "late", "never followed up", "pending")


def mql_followups(leads: pd.DataFrame, *, mql_at: str, target_hours: float, as_of: pd.Timestamp) -> pd.DataFrame:
    """Return one row per lead with an MQL date: owner, mql_at, first_touch_at, hours to the first touch, status."""
    mqls = leads[leads[mql_at].notna()]
    hours = (mqls["first_touch_at"] - mqls[mql_at]) / pd.Timedelta(hours=1)
    due = (mqls[mql_at] + pd.Timedelta(hours=target_hours)) <= as_of
    status = np.select(
        [~due.to_numpy(), hours.le(target_hours).fillna(False).to_numpy(), hours.notna().to_numpy()],
        [STATUSES[3], *STATUSES[:2]],
        STATUSES[2],
    )
    return pd.DataFrame(
        {
            "owner": mqls["owner"].to_numpy() if "owner" in mqls else pd.NA,
            "mql_at": mqls[mql_at].to_numpy(),
            "first_touch_at": mqls["first_touch_at"].to_numpy(),
            "hours_to_first_touch": hours.to_numpy(),
            "status": status,
        }
    )


def sla_by(followups: pd.DataFrame, by: pd.Series | np.ndarray | None, *, name: str) -> pd.DataFrame:
    """Return per group (or overall with by=None): MQLs due and pending, share within target, share never followed
    up and breach share, each with a Wilson CI, and the median and 80th-percentile hours to the first touch."""
    keys = pd.Series("All MQLs" if by is None else np.asarray(by), index=followups.index, name=name)
    status = followups["status"]
    frame = pd.DataFrame(
        {
            name: keys,
            "due": status.ne("pending"),
            "within": status.eq("within target"),
            "never": status.eq("never followed up"),
            "late": status.eq("late"),
            "pending": status.eq("pending"),
            "hours": followups["hours_to_first_touch"],
        }
    )
    grouped = frame.groupby(name, sort=True)
    out = grouped[["due", "within", "late", "never", "pending"]].sum().astype("int64")
    out.columns = ["mqls_due", "within_target", "late", "never_followed_up", "pending"]
    hours = grouped["hours"]
    out["median_hours"] = hours.median()
    out["p80_hours"] = hours.quantile(0.8)
    out = out.reset_index()
    due = out["mqls_due"].where(out["mqls_due"] > 0)
    for column, label in (("within_target", "within_share"), ("never_followed_up", "never_share")):
        out[label] = out[column] / due
        out[f"{label.removesuffix('_share')}_ci_low"], out[f"{label.removesuffix('_share')}_ci_high"] = (
            wilson_intervals(out[column], out["mqls_due"])
        )
    breaches = out["late"] + out["never_followed_up"]
    out["breach_share"] = breaches / due
    out["breach_ci_low"], out["breach_ci_high"] = wilson_intervals(breaches, out["mqls_due"])
    return out


def hours_distribution(followups: pd.DataFrame, *, target_hours: float, bins: int = 12) -> pd.DataFrame:
    """Return the due MQLs binned by hours to first touch (bins up to 4× the target, then 'later', then
    'never followed up'): bin label, MQLs, share, and whether the bin lies within the target."""
    due = followups[followups["status"] != "pending"]
    edges = np.linspace(0, 4 * target_hours, bins + 1)
    hours = due["hours_to_first_touch"].to_numpy()
    touched = ~np.isnan(hours)
    counts, _ = np.histogram(np.clip(hours[touched], 0, None), bins=edges)
    later = int((hours[touched] > edges[-1]).sum())
    labels = [f"{a:g}–{b:g} h" for a, b in pairwise(edges)] + [f"over {edges[-1]:g} h", "never followed up"]
    mqls = np.append(counts, [later, int((~touched).sum())])
    within = np.append(edges[1:] <= target_hours, [False, False])
    total = max(len(due), 1)
    return pd.DataFrame({"hours": labels, "mqls": mqls.astype("int64"), "share": mqls / total, "within_target": within})


def mql_volume(followups: pd.DataFrame, *, target_per_month: int) -> pd.DataFrame:
    """Return MQLs delivered per month against the agreed volume (target 0 = none agreed: shares left empty)."""
    month = pd.Series(followups["mql_at"].to_numpy().astype("datetime64[M]").astype("int64"))
    counts = month.value_counts().sort_index()
    ordinals = np.arange(counts.index.min(), counts.index.max() + 1) if len(counts) else np.array([], dtype="int64")
    full = pd.PeriodIndex.from_ordinals(ordinals, freq="M")
    counts = counts.reindex(ordinals, fill_value=0)
    out = pd.DataFrame(
        {"month": full.astype(str), "mqls": counts.to_numpy().astype("int64"), "target": target_per_month}
    )
    out["delivered_share"] = (out["mqls"] / target_per_month) if target_per_month else np.nan
    out["gap"] = out["mqls"] - target_per_month if target_per_month else pd.NA
    return out


def weekly(followups: pd.DataFrame, *, capacity_per_week: int | None = 0) -> pd.DataFrame:
    """Return the SLA per week of the MQL date (week starting Monday), with sales capacity beside MQL volume."""
    days = followups["mql_at"].to_numpy().astype("datetime64[D]")
    monday = days - ((days.astype("int64") + 3) % 7).astype("timedelta64[D]")  # 1970-01-01 was a Thursday
    out = sla_by(followups, monday, name="week")
    out["week"] = pd.to_datetime(out["week"]).dt.strftime("%Y-%m-%d")
    out["mqls"] = out["mqls_due"] + out["pending"]
    if capacity_per_week:
        out["capacity"] = capacity_per_week
        out["over_capacity"] = out["mqls"] > capacity_per_week
    return out


@dataclass(frozen=True)
class SlaResult:
    """SLA tables: overall, by owner, by week, the distribution of hours, the MQL volume per month."""

    target_hours: float
    mqls_per_month: int
    overall: pd.DataFrame
    by_owner: pd.DataFrame
    by_week: pd.DataFrame
    distribution: pd.DataFrame
    volume: pd.DataFrame
    unavailable: str | None = None  # why follow-up times are not measured (their tables then have no rows)


NO_TOUCHES = (
    "the project names no sales touches (crm.touches: calls, emails, meetings with their dates), so how "
    "fast sales follows up each MQL cannot be measured"
)


def analyse_sla(
    leads: pd.DataFrame,
    *,
    mql_at: str,
    target_hours: float,
    mqls_per_month: int,
    as_of: pd.Timestamp,
    capacity_per_week: int | None = 0,
    touches: bool = True,
) -> SlaResult:
    """Return the whole SLA analysis of a leads table. Without sales touches (`touches=False`) only the MQL volume
    is measured: the follow-up tables have no rows and `unavailable` says why (no breach is invented from the
    absence of touches)."""
    followups = mql_followups(leads, mql_at=mql_at, target_hours=target_hours, as_of=as_of)
    timed = followups if touches else followups.iloc[:0]
    return SlaResult(
        target_hours=target_hours,
        mqls_per_month=mqls_per_month,
        overall=sla_by(timed, None, name="mqls"),
        by_owner=sla_by(timed, timed["owner"].astype("str").fillna("(no owner)"), name="owner"),
        by_week=weekly(timed, capacity_per_week=capacity_per_week),
        distribution=hours_distribution(timed, target_hours=target_hours),
        volume=mql_volume(followups, target_per_month=mqls_per_month),
        unavailable=None if touches else NO_TOUCHES,
    )
