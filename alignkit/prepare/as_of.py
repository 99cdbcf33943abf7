"""The date an export stands for (as of): every maturity window, open/stalled status and SLA status is measured
at it. Taken from the project file (funnel.as_of) when set, else from the latest event date in the data, leaving
out far-future dates (a typo'd year, a future-dated touch) so one bad date cannot move every figure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alignkit.engine.backend import is_table
from alignkit.engine.dates import dates_on_day, dates_per_day, latest_within
from alignkit.prepare.stage_paths import stage_at_column

if TYPE_CHECKING:
    from alignkit.engine.backend import Table

FUTURE_DATE_SLACK_DAYS = 30  # dates this long after nearly all lead dates are taken for typos, not the export date


@dataclass(frozen=True)
class AsOf:
    """The date the funnel is measured at, where it came from, and the far-future dates left out to find it."""

    date: pd.Timestamp
    source: str  # "project file" (funnel.as_of), "argument", or "data" (the latest date in the data)
    dates_ignored: int = 0  # dates beyond `bound` left out when taking the latest date in the data
    bound: pd.Timestamp | None = None


def export_date(
    leads: pd.DataFrame,
    touches: pd.DataFrame | Table | None = None,
    *,
    stages: list[str] | tuple[str, ...] = (),
    slack_days: int = FUTURE_DATE_SLACK_DAYS,
) -> AsOf:
    """Return the latest event date in the leads (creation, stage dates, first touch, deal dates) and touches —
    the date the export stands for — leaving out dates more than `slack_days` after the 99.9th percentile
    (lower) of all those dates: one future-dated touch or a typo'd year must not move every maturity and SLA
    status. (All event dates, not only creation dates: leads may stop arriving months before the export while
    deals and touches go on.) Fields set after the outcome (e.g. a priority set date) are not events."""
    columns = [
        c
        for c in [
            "created_at",
            *[stage_at_column(n) for n in stages],
            "first_touch_at",
            "deal_created_at",
            "deal_closed_at",
        ]
        if c in leads
    ]
    values = [pd.to_datetime(leads[c]).to_numpy("datetime64[ns]") for c in columns]
    if touches is not None and not is_table(touches) and len(touches):
        values.append(pd.to_datetime(touches["at"]).to_numpy("datetime64[ns]"))
    every = np.concatenate(values) if values else np.array([], "datetime64[ns]")
    every = every[~np.isnat(every)]
    engine = touches if touches is not None and is_table(touches) else None
    if engine is not None:
        return _export_date_with(every, engine, slack_days=slack_days)
    if not len(every):
        raise ValueError("the leads table holds no dates, so the funnel cannot be measured in time")
    bound = pd.Timestamp(int(np.quantile(every.astype("int64"), 0.999, method="lower"))) + pd.Timedelta(days=slack_days)
    beyond = every > np.datetime64(bound, "ns")
    kept = every[~beyond]
    return AsOf(pd.Timestamp(kept.max()), "data", dates_ignored=int(beyond.sum()), bound=bound)


def _export_date_with(dates: np.ndarray, touches: Table, *, slack_days: int) -> AsOf:
    """Return `export_date` over the leads' dates and the `at` dates of touches that live in an engine, exactly as if
    they were one array: the 99.9th percentile (lower) is found from the dates per day, then that day's dates."""
    per_day = dates.astype("datetime64[D]")
    days = pd.Series(per_day).value_counts().sort_index()
    days.index = days.index.to_numpy("datetime64[D]")
    days = days.add(dates_per_day(touches, "at"), fill_value=0).astype("int64").sort_index()
    n = int(days.sum())
    if not n:
        raise ValueError("the leads table holds no dates, so the funnel cannot be measured in time")
    rank = int(np.floor((n - 1) * 0.999))  # numpy's 'lower' quantile: the order statistic at this rank
    cumulative = days.cumsum().to_numpy()
    at = int(np.searchsorted(cumulative, rank, side="right"))
    day = days.index[at]
    within = rank - (int(cumulative[at - 1]) if at else 0)
    on_day = np.sort(np.concatenate([dates[per_day == day], dates_on_day(touches, "at", day)]))
    bound = pd.Timestamp(on_day[within]) + pd.Timedelta(days=slack_days)
    beyond = dates > np.datetime64(bound, "ns")
    latest, touches_beyond = latest_within(touches, "at", bound)
    kept = [pd.Timestamp(dates[~beyond].max())] if (~beyond).any() else []
    latest_kept = max(kept + ([latest] if latest is not None else []))
    return AsOf(latest_kept, "data", dates_ignored=int(beyond.sum()) + touches_beyond, bound=bound)


def data_as_of(
    leads: pd.DataFrame, touches: pd.DataFrame | None = None, *, stages: list[str] | tuple[str, ...] = ()
) -> pd.Timestamp:
    """Return the export date from the data (see `export_date`, which also says how many dates it left out)."""
    return export_date(leads, touches, stages=stages).date
