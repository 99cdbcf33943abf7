"""Numbers as people read them, and tables shaped for the page: rates as percentages with one decimal, counts
with thousands separators, p- and q-values as "< 0.001" rather than 2.4e-24, never "-0.000"; headers in words
(alignkit.report.labels); a figure and its 95% interval in one cell ("12.3% (11.0%–13.5%)"), so that a table
fits the text column. Only the HTML is shaped: the CSV twin keeps every column, snake_case, at full precision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignkit.report.labels import FIELD_COLUMNS, Labels, humanize

PERCENT_SUFFIXES = ("share", "rate", "ci_low", "ci_high")
NOT_PERCENT_PREFIXES = ("lift", "cumulative_lift", "mean", "median", "average", "auc", "roc_auc", "pr_auc", "needed")
P_COLUMNS = ("p_value", "q_value", "p", "q")
P_FLOOR = 0.001
# A table shows at most this many columns in the HTML (after each interval joined its figure), so it fits the text
# column at 1280 px; the CSV twin keeps every column. Details go first, in this order, then the last columns.
MAX_HTML_COLUMNS = 10
DETAIL_COLUMNS = (
    "p_value",
    "test",
    "statistic",
    "importance_sd",
    "cumulative_n",
    "cumulative_converted",
    "not_yet_judged",
    "cohens_h",
    "std_diff",
    "rank_biserial",
    "cramers_v",
    "single_field_auc",
    "pending",
    "matured",
    "kind",
    "column",
    "group",
    "measure",
    "within",
)
STEP_COLUMNS = ("step",)  # cells naming a processing step (the cleaning log), shown in words
LONG_CELL = 32  # characters: longer text gets room to wrap (class "long"), shorter cells stay on one line on a phone
_NEGATIVE_ZERO = re.compile(r"-(0(?:[.,]0*)?%?)")


YEAR_NAME = re.compile(r"year|founded|established|\byr\b", re.IGNORECASE)


def is_year(name: object, values: np.ndarray) -> bool:
    """Return whether a numeric column holds calendar years (its name says so, and every value is a whole number
    from 1800 to 2100): they are written 1998, never 1,998."""
    values = values[~np.isnan(values)] if values.dtype.kind == "f" else values
    return (
        bool(YEAR_NAME.search(str(name or "")))
        and len(values) > 0
        and bool(np.all(np.mod(values, 1) == 0))
        and bool(values.min() >= 1800)
        and bool(values.max() <= 2100)
    )


def number_words(value: float, *, integer: bool = True, year: bool = False) -> str:
    """Return a number of a label or a rule as people read it: a year as 1998, a whole number with thousands
    separators, else one decimal."""
    return f"{value:.0f}" if year else f"{value:,.0f}" if integer else f"{value:,.1f}"


def is_percent(column: str) -> bool:
    """Return whether a column holds shares or rates (shown as percentages): its name ends with share, rate, ci_low
    or ci_high, unless it is the interval of a lift, a mean or a median."""
    return column.endswith(PERCENT_SUFFIXES) and not column.startswith(NOT_PERCENT_PREFIXES)


def is_p_value(column: str) -> bool:
    """Return whether a column holds p- or q-values (shown as "< 0.001" below a thousandth)."""
    return column in P_COLUMNS or column.endswith(("_p_value", "_q_value"))


def format_p(value: float) -> str:
    """Return a p- or q-value as people read it: "< 0.001" below a thousandth, else three decimals."""
    return f"< {P_FLOOR:g}" if value < P_FLOOR else f"{value:.3f}"


def _as_float(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _no_negative_zero(text: str) -> str:
    return text[1:] if _NEGATIVE_ZERO.fullmatch(text) else text


def format_cell(column: str, value: object) -> str:
    """Return a cell as text: shares as percentages with one decimal, counts with separators, p-values as "< 0.001",
    never "-0.0", missing as an empty cell."""
    if value is None or (not isinstance(value, (list, tuple, np.ndarray)) and pd.isna(value)):
        return ""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    column = str(column)
    if is_p_value(column) and (number := _as_float(value)) is not None and not np.isnan(number):
        return format_p(number)
    if isinstance(value, str):
        return _no_negative_zero(value.strip())
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if is_percent(column):
            return _no_negative_zero(f"{number:.1%}")
        if number.is_integer():
            return f"{int(number):,}"
        return _no_negative_zero(f"{number:,.2f}")
    return str(value)


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Return the table's numeric, non-boolean columns (the figures a suppressed row must not show)."""
    return [
        c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]


def table_rows(frame: pd.DataFrame, max_rows: int) -> list[list[str]]:
    """Return the first `max_rows` rows of a frame formatted for HTML."""
    head = frame.head(max_rows)
    return [[format_cell(str(c), v) for c, v in zip(head.columns, row)] for row in head.itertuples(index=False)]


def interval_columns(columns: Sequence[str], numeric: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
    """Return figure column -> (its CI low, its CI high) for every interval the table holds beside its figure:
    `x` (or `x_rate`, `x_share`) with `x_ci_low`/`x_ci_high`, or a bare `ci_low`/`ci_high` with the figure just
    before them; the figure must be a number on the same scale as its interval."""
    columns = [str(c) for c in columns]
    numbers = set(columns if numeric is None else (str(c) for c in numeric))
    pairs: dict[str, tuple[str, str]] = {}
    for index, column in enumerate(columns):
        if not column.endswith("ci_low"):
            continue
        prefix = column[: -len("ci_low")]
        high = f"{prefix}ci_high"
        if high not in columns:
            continue
        stem = prefix.rstrip("_")
        if stem:
            candidates = [f"{stem}_rate", f"{stem}_share", stem]
        else:
            before = [c for c in columns[:index] if c not in pairs and not c.endswith(("ci_low", "ci_high"))]
            candidates = before[-1:]
        # the figure and its interval are on one scale (a count is never shown with a rate's interval)
        base = next(
            (
                c
                for c in candidates
                if c in columns and c not in pairs and is_percent(c) == is_percent(column) and c in numbers
            ),
            None,
        )
        if base is not None:
            pairs[base] = (column, high)
    return pairs


@dataclass(frozen=True)
class DisplayTable:
    """A table as the HTML shows it: headers as (label, CSS class), rows of (text, CSS class) cells."""

    headers: list[tuple[str, str]]
    rows: list[list[tuple[str, str]]]
    omitted: list[str]

    @property
    def note(self) -> str:
        """Return what the HTML leaves out for the CSV twin, or an empty string."""
        if not self.omitted:
            return ""
        return "Also in the CSV and the full table (not shown here): " + ", ".join(self.omitted) + "."


def html_columns(frame: pd.DataFrame, shown: Sequence[str], limit: int = MAX_HTML_COLUMNS) -> list[str]:
    """Return the columns the HTML table shows: a `suppressed` column only when a row is suppressed, p-values only
    without their corrected q-values, and at most `limit` columns (details first out, see DETAIL_COLUMNS)."""
    keep = [c for c in shown if not (c == "suppressed" and not frame[c].fillna(False).astype(bool).any())]
    if "q_value" in keep and "p_value" in keep and len(keep) > limit:
        keep.remove("p_value")
    for column in DETAIL_COLUMNS:
        if len(keep) <= limit:
            break
        if column in keep and keep.index(column) > 0:
            keep.remove(column)
    if "suppressed" in keep[limit:]:  # the blanks of a suppressed row always keep their reason
        keep = [*[c for c in keep if c != "suppressed"][: limit - 1], "suppressed"]
    return keep[:limit]


def display_table(frame: pd.DataFrame, max_rows: int, labels: Labels | None = None) -> DisplayTable:
    """Return the first `max_rows` rows shaped for reading: headers by label, each figure with its 95% interval in
    one cell, at most MAX_HTML_COLUMNS columns (html_columns), field names by label, "num" (right-aligned) and
    "long" (may wrap) cells."""
    labels = labels or Labels()
    numeric = set(numeric_columns(frame))
    intervals = interval_columns(list(frame.columns), numeric)
    hidden = {c for pair in intervals.values() for c in pair}
    every = [str(c) for c in frame.columns if str(c) not in hidden]
    shown = html_columns(frame, every)
    omitted = [labels.label(c) for c in every if c not in shown and c != "suppressed"]  # all-no says nothing
    headers = []
    for column in shown:
        text = labels.label(column) + (" (95% CI)" if column in intervals else "")
        headers.append((text, "num" if column in numeric else ""))
    head = frame.head(max_rows)
    rows = []
    for record in head.to_dict("records"):
        cells = []
        for column in shown:
            text = format_cell(column, record[column])
            if column in intervals and text:
                low, high = (format_cell(c, record[c]) for c in intervals[column])
                if low and high:
                    text = f"{text} ({low}–{high})"
            if column in FIELD_COLUMNS and text:
                text = labels.field_value(text)
            elif column in STEP_COLUMNS and text:
                text = humanize(text)
            elif text and column not in numeric:
                text = labels.text(text)  # a rule or a description naming fields
            kind = "num" if column in numeric else ("long" if len(text) > LONG_CELL else "")
            cells.append((text, kind))
        rows.append(cells)
    return DisplayTable(headers, rows, omitted)
