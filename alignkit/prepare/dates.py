"""Dates read by what they mean: the day/month order of each column decided from the data (a first field above
12 means day first), shared with the file's undecided columns, refused when it cannot be decided, and never
swapped in part of a column (a numeric date is rewritten in the one order chosen; a value that does not fit it
does not parse and is counted, it is never read the other way round)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignkit.errors import DateOrderError, InputFileError
from alignkit.meaning.dates import PREFIX_CHARS, ambiguous_dates, date_fields, date_prefixes, decide_dayfirst

UNPARSEABLE_DATE_LIMIT = 0.2
DayFirst = bool | str | Mapping[str, bool]
DAYFIRST_FIX = (
    "set clean.dayfirst in alignkit.yml: true if 03/04/2025 means 3 April, false if it means March 4 "
    "(auto decides it from a day above 12)."
)


def file_date_order(
    frame: pd.DataFrame, columns: Iterable[str], *, path: Path, dayfirst: bool | str = "auto"
) -> dict[str, bool]:
    """Return the day-first order of each date column of one file. `dayfirst` true/false forces it; `auto` decides
    each column from its values, gives a column whose dates all read both ways the order the file's other date
    columns agree on, and raises InputFileError (naming the file, the column and the clean.dayfirst fix) for a
    column that mixes both orders or whose order nothing in the file decides."""
    columns = [c for c in dict.fromkeys(columns) if c in frame]
    if dayfirst is not None and not isinstance(dayfirst, str):
        return {c: bool(dayfirst) for c in columns}
    source = frame.attrs.get("source_columns", {})
    decided: dict[str, bool | None] = {}
    for column in columns:
        try:
            decided[column] = decide_dayfirst(frame[column])
        except DateOrderError as error:
            raise InputFileError(
                path,
                f"dates in both orders in one column: {', '.join(map(repr, error.day_first))} "
                f"only read day first, {', '.join(map(repr, error.month_first))} only month first, "
                "so reading them one way would silently swap day and month in the others.",
                column=source.get(column, column),
                fix="export the column again in one date format (ISO 2025-03-25 is safest); "
                "clean.dayfirst in alignkit.yml can force one order, and the dates that do "
                "not fit it are then counted as not parsing.",
            ) from None
    orders = {v for v in decided.values() if v is not None}
    order = {}
    for column, value in decided.items():
        if value is not None:
            order[column] = value
        elif not ambiguous_dates(frame[column]):
            order[column] = False  # no date in this column reads both ways: the order changes nothing
        elif len(orders) == 1:
            order[column] = next(iter(orders))
        else:
            example = date_fields(date_prefixes(frame[column])).query("first != second")["text"].iloc[0]
            why = (
                "the file's other date columns disagree"
                if orders
                else "no date column of this file has a day above 12 to decide it"
            )
            raise InputFileError(
                path,
                f"the day/month order of dates such as {example!r} cannot be told: every date "
                f"in the column reads both ways and {why}.",
                column=source.get(column, column),
                fix=DAYFIRST_FIX,
            )
    return order


def read_dates(text: pd.Series, *, dayfirst: bool) -> pd.Series:
    """Return `text` as datetimes: numeric d/m dates rewritten year-month-day in the one order given (a value that
    does not fit it is NaT, never read the other way round), every other format read by pandas (ISO first)."""
    return read_dates_counted(text, dayfirst=dayfirst)[0]


_NUMERIC_SHAPE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?P<time>[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def _one_numeric_format(text: pd.Series, *, dayfirst: bool) -> pd.Series | None:
    """Return the column read with one strptime format when every date in it is written the way its first one is
    (e.g. "%m/%d/%Y %H:%M", the usual CRM export: one C pass instead of rewriting each date), else None. A
    value that does not fit the format (a month above 12 in the order given) makes it None: the general reading
    then leaves it NaT, never swapped."""
    present = text.dropna()
    if present.empty or (shape := _NUMERIC_SHAPE.match(present.iloc[0])) is None:
        return None
    sep, year, clock = shape.group(2), shape.group(4), shape.group("time")
    order = ["%d", "%m"] if dayfirst else ["%m", "%d"]
    fmt = sep.join([*order, "%Y" if len(year) == 4 else "%y"])
    if clock:
        fmt += clock[0] + ("%H:%M:%S" if clock.count(":") == 2 else "%H:%M")
    # Arrow's strptime: pandas' own with a format is fifty times slower on Arrow-backed text
    parsed = pc.strptime(pa.array(text, type=pa.large_string()), format=fmt, unit="s", error_is_null=True)
    if parsed.null_count != len(text) - len(present):
        return None
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=text.index).astype("datetime64[ns]")


def read_dates_counted(text: pd.Series, *, dayfirst: bool) -> tuple[pd.Series, pd.Series]:
    """Return read_dates(text) and a mask of the cells that were not ISO dates (numeric d/m or another format)."""
    text = text.astype("str").str.strip()
    text = text.where(text.ne(""))
    whole = _one_numeric_format(text, dayfirst=dayfirst)
    if whole is not None:
        return whole, text.notna()
    prefixes = text.str.slice(0, PREFIX_CHARS)
    fields = date_fields(prefixes)
    numeric = prefixes.isin(set(fields.index)).fillna(False).astype(bool)
    out = pd.to_datetime(text.where(~numeric), format="ISO8601", errors="coerce").astype("datetime64[ns]")
    rest = text.notna() & ~numeric & out.isna()
    if rest.any():
        out[rest] = pd.to_datetime(text[rest], format="mixed", errors="coerce").astype("datetime64[ns]")
    if numeric.any():
        day, month = (fields["first"], fields["second"]) if dayfirst else (fields["second"], fields["first"])
        valid = (month >= 1) & (month <= 12)  # a value that does not fit the order is not a date, never swapped
        iso = (
            fields["year"].astype("str").str.zfill(4)
            + "-"
            + month.astype("str").str.zfill(2)
            + "-"
            + day.astype("str").str.zfill(2)
        ).where(valid)
        rows = prefixes[numeric]
        length = rows.map(fields["length"])
        rewritten = pd.Series(pd.NA, index=rows.index, dtype="str")
        for n in length.unique():
            at = length.index[length == n]
            rewritten[at] = rows[at].map(iso) + text[at].str.slice(int(n))
        parsed = pd.to_datetime(rewritten, format="ISO8601", errors="coerce").astype("datetime64[ns]")
        retry = rewritten.notna() & parsed.isna()  # a 12-hour time ("2:05 PM") is not ISO
        if retry.any():
            parsed[retry] = pd.to_datetime(rewritten[retry], format="mixed", errors="coerce").astype("datetime64[ns]")
        out[numeric] = parsed
    return out, (rest | numeric)
