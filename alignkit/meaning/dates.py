"""The day/month order of a column's dates, read from its values: a first field above 12 means day first, a second
field above 12 month first; ISO dates (year first) and written-out months are never ambiguous. Decided here once
for the draft and for cleaning (`alignkit.prepare.dates` applies it to a file's columns)."""

from __future__ import annotations

import re

import pandas as pd

from alignkit.errors import DateOrderError

# The date part of a numeric date whose first field is not a year: "25/03/2024", "3.4.24", "03-25-2024" (then
# anything: a time). It is at most 10 characters, so it is read from each value's first 11 (the 11th tells a
# 4-digit year from a longer number): a timestamp column holds far fewer distinct prefixes than values.
NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?![\d/.\-])")
PREFIX_CHARS = 11


def date_prefixes(values: pd.Series) -> pd.Series:
    return values.astype("str").str.strip().str.slice(0, PREFIX_CHARS)


def date_fields(prefixes: pd.Series) -> pd.DataFrame:
    """Return, indexed by each distinct prefix that starts with a numeric d/m date: its date part (`text`), the
    first and second fields as numbers, the year as four digits and the date part's length."""
    distinct = pd.Series(prefixes.dropna().unique(), dtype="str")
    fields = distinct.str.extract(NUMERIC_DATE).dropna()
    found = distinct[fields.index]
    year = fields[2].astype(int)
    year = year.where(fields[2].str.len() == 4, year + 2000).where(
        (fields[2].str.len() == 4) | (year < 70), year + 1900
    )
    length = fields[0].str.len() + fields[1].str.len() + fields[2].str.len() + 2
    return pd.DataFrame(
        {
            "text": [t[:n] for t, n in zip(found, length)],
            "first": fields[0].astype(int).to_numpy(),
            "second": fields[1].astype(int).to_numpy(),
            "year": year.to_numpy(),
            "length": length.to_numpy(),
        },
        index=pd.Index(found.to_numpy(), dtype="str"),
    )


def decide_dayfirst(values: pd.Series) -> bool | None:
    """Return True when the column's numeric dates are day first (a first field above 12), False when month
    first (a second field above 12), None when undecidable (every value has both fields at most 12, or none is a
    numeric d/m date). Raise DateOrderError when some values need day first and others month first."""
    fields = date_fields(date_prefixes(values))
    day_first = fields.loc[fields["first"] > 12, "text"]
    month_first = fields.loc[fields["second"] > 12, "text"]
    if len(day_first) and len(month_first):
        raise DateOrderError(sorted(day_first)[:3], sorted(month_first)[:3])
    if len(day_first):
        return True
    if len(month_first):
        return False
    return None


def ambiguous_dates(values: pd.Series) -> int:
    """Return how many cells are numeric dates that read both ways (both fields at most 12, and not equal)."""
    prefixes = date_prefixes(values)
    fields = date_fields(prefixes)
    ambiguous = fields.index[(fields["first"] <= 12) & (fields["second"] <= 12) & (fields["first"] != fields["second"])]
    return int(prefixes.isin(set(ambiguous)).sum()) if len(ambiguous) else 0


ISO_DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:$|[ T])")


def iso_share(values: pd.Series) -> float:
    """Return the share of non-blank values that are ISO dates (year first: 2017-03-01, 2017/03/01 12:00)."""
    text = values.dropna().astype("str").str.strip()
    return float(text.str.match(ISO_DATE).mean()) if len(text) else 0.0


def date_order_evidence(values: pd.Series) -> str:
    """Return the words the draft writes for a date column's order: day first, month first, ISO (never
    ambiguous), written-out months, or not decidable (every numeric date reads both ways)."""
    try:
        order = decide_dayfirst(values)
    except DateOrderError:
        return "dates in both day/month orders in one column: export them again in one format"
    if order is not None:
        return "day first" if order else "month first"
    if iso_share(values) >= 0.5:
        return "ISO dates (year first): never ambiguous"
    if not ambiguous_dates(values):
        return "no numeric date reads both ways (written-out months or equal day and month)"
    return "day/month order not decidable from the values"
