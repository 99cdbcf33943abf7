"""Order statistics of a date column that lives in an engine, exact and the same on every engine: how many dates,
how many fall on each day, the dates of one day in order, the latest date up to a bound and how many lie beyond it.
`alignkit.prepare.as_of` combines them with the leads' own dates to find the export date without the touches ever
leaving the engine (a 99.9th percentile over a hundred million touches is two small queries, not a sort in pandas)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alignkit.engine.backend import to_frame

if TYPE_CHECKING:
    import ibis.expr.types as ir


def dates_per_day(table: ir.Table, column: str) -> pd.Series:
    """Return the count of non-missing dates of `column` per day (index datetime64[D], sorted)."""
    dated = table.filter(table[column].notnull())
    counts = to_frame(dated.group_by(day=dated[column].truncate("D")).aggregate(n=dated.count()))
    index = pd.to_datetime(counts["day"]).to_numpy("datetime64[D]")
    return pd.Series(counts["n"].to_numpy("int64"), index=index).sort_index()


def dates_on_day(table: ir.Table, column: str, day: np.datetime64) -> np.ndarray:
    """Return the dates of `column` falling on `day`, in order (datetime64[ns])."""
    start = pd.Timestamp(day)
    values = table.filter((table[column] >= start) & (table[column] < start + pd.Timedelta(days=1)))
    frame = to_frame(values.select(at=values[column]))
    return np.sort(frame["at"].to_numpy("datetime64[ns]"))


def latest_within(table: ir.Table, column: str, bound: pd.Timestamp) -> tuple[pd.Timestamp | None, int]:
    """Return the latest date of `column` at or before `bound` (None without one) and how many dates lie beyond it."""
    values = table[column]
    out = to_frame(table.aggregate(latest=values.max(where=values <= bound), beyond=(values > bound).sum()))
    latest = out["latest"].iloc[0]
    beyond = out["beyond"].iloc[0]
    return (None if pd.isna(latest) else pd.Timestamp(latest)), (0 if pd.isna(beyond) else int(beyond))
