"""The date an export stands for (as of): every maturity window, open/stalled status and SLA status is measured
at it. Taken from the project file (funnel.as_of) when set, else from the latest event date in the data, leaving
out far-future dates (a typo'd year, a future-dated touch) so one bad date cannot move every figure."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignkit.prepare.stage_paths import stage_at_column

FUTURE_DATE_SLACK_DAYS = 30   # dates this long after nearly all lead dates are taken for typos, not the export date


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
