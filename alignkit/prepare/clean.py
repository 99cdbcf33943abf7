"""Cleaning steps. Each takes a frame first, never mutates it, returns the cleaned frame, and writes what it
changed to a CleaningLog — nothing is dropped or altered silently."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignkit.errors import InputFileError
from alignkit.ingest.files import decimal_comma, from_decimal_comma
from alignkit.ingest.tokens import missing_mask
from alignkit.prepare.dates import (  # noqa: F401
    UNPARSEABLE_DATE_LIMIT,
    DayFirst,
    ambiguous_dates,
    decide_dayfirst,
    file_date_order,
    read_dates,
    read_dates_counted,
)
from alignkit.privacy import normalise_email
from alignkit.text import fold_key, null_where, search_distinct, strings_from_codes

LOG_COLUMNS = ("step", "table", "column", "rows_affected", "reason")
NUMERIC_SHARE = 0.95
# Whitespace spelled out rather than \s, so pandas keeps these regexes in pyarrow (RE2) instead of Python's re.
SPACE_CLASS = "[ \t\r\n\f\v\xa0]"
_SPACES = re.compile(SPACE_CLASS + "+")
PROBE_ROWS = 20_000  # a column's kind is probed on its first rows' values before every cell is read
CURRENCY_CHARS = re.compile("[ \t\r\n\f\v\xa0$€£¥,]")
ID_MIN_ROWS = 20
ROLE_SAMPLE = 1_000


@dataclass
class CleaningLog:
    """One entry per change: which step, which table (and column), how many rows, and why."""

    entries: list[dict] = field(default_factory=list)

    def record(self, step: str, *, table: str, rows: int, reason: str, column: str | None = None) -> None:
        """Add one entry (entries with zero rows are kept: 'checked, nothing found' is information too)."""
        self.entries.append(
            {"step": step, "table": table, "column": column, "rows_affected": int(rows), "reason": reason}
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the log as a frame with columns step, table, column, rows_affected, reason."""
        frame = pd.DataFrame(self.entries, columns=list(LOG_COLUMNS))
        frame["rows_affected"] = frame["rows_affected"].astype("int64")
        for column in ("step", "table", "column", "reason"):
            frame[column] = frame[column].astype("str")
        return frame

    def rows(self, step: str, table: str | None = None) -> int:
        """Return the rows affected by a step (summed over its entries, optionally for one table)."""
        return int(
            sum(
                e["rows_affected"] for e in self.entries if e["step"] == step and (table is None or e["table"] == table)
            )
        )

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False, na_rep="")


def without_rows(frame: pd.DataFrame, drop: pd.Series | np.ndarray, *, renumber: bool = True) -> pd.DataFrame:
    """Return the frame without the rows where `drop` is True, numbered from 0 (`renumber`). With nothing to drop
    the frame's columns are not copied: a boolean take copies every column of a million rows, even when all True."""
    kept = frame.loc[~np.asarray(drop, dtype=bool)] if np.asarray(drop, dtype=bool).any() else frame
    return kept.reset_index(drop=True) if renumber else kept


def drop_blank_rows(frame: pd.DataFrame, *, log: CleaningLog, table: str) -> pd.DataFrame:
    """Return the frame without rows where every cell is blank. Logs the rows removed."""
    values = frame.drop(columns=[c for c in frame.columns if frame[c].dtype == bool], errors="ignore")
    blank = values.isna().all(axis=1)
    log.record("drop_blank_rows", table=table, rows=int(blank.sum()), reason="row with no value in any column")
    return without_rows(frame, blank)


def check_unique_ids(frame: pd.DataFrame, column: str, *, log: CleaningLog, table: str, path: Path) -> pd.DataFrame:
    """Return the frame without exact duplicate rows and without rows that have no id (both counted in the log);
    raise InputFileError if one id holds different records."""
    no_id = frame[column].isna() if column in frame else pd.Series(False, index=frame.index)
    log.record(
        "drop_rows_without_id",
        table=table,
        rows=int(no_id.sum()),
        reason="row has no id (a stray line or a half-filled row): nothing can link it, so it is left out",
    )
    frame = without_rows(frame, no_id, renumber=False)
    # a row repeated exactly repeats its id, so only rows whose id repeats are compared whole
    shared_id = frame[column].duplicated(keep=False) if column in frame else pd.Series(True, index=frame.index)
    exact = pd.Series(False, index=frame.index)
    if shared_id.any():
        exact[shared_id] = frame.loc[shared_id].duplicated(keep="first")
    log.record(
        "drop_exact_duplicate_rows", table=table, rows=int(exact.sum()), reason="row repeated exactly in the export"
    )
    # the ids still repeated after that are among the shared ones: only those are hashed again
    repeated = frame.loc[shared_id & ~exact, column].dropna() if column in frame else pd.Series([], dtype="str")
    frame = without_rows(frame, exact)
    repeated = repeated[repeated.duplicated(keep=False)]
    if not repeated.empty:
        examples = ", ".join(repr(v) for v in repeated.unique()[:5])
        raise InputFileError(
            path,
            f"{repeated.nunique()} id(s) appear on more than one different row, e.g. {examples}.",
            column=frame.attrs.get("source_columns", {}).get(column, column),
            fix="export again with one row per record, or map another unique id column in alignkit.yml.",
        )
    return frame


def normalise_emails(frame: pd.DataFrame, *, log: CleaningLog, table: str, column: str = "email") -> pd.DataFrame:
    """Return the frame with emails trimmed and lower-cased. Logs the values that changed."""
    if column not in frame:
        return frame
    cleaned = normalise_email(frame[column])
    changed = (cleaned.fillna("") != frame[column].fillna("")).sum()
    log.record(
        "normalise_emails",
        table=table,
        column=column,
        rows=int(changed),
        reason="email differed only in case or surrounding spaces",
    )
    return frame.assign(**{column: cleaned})


def drop_test_records(
    frame: pd.DataFrame,
    *,
    log: CleaningLog,
    table: str,
    patterns: Sequence[str],
    internal_domains: Sequence[str] = (),
    columns: Sequence[str] = ("email", "first_name", "last_name"),
) -> pd.DataFrame:
    """Return the frame without test and internal records (matched on email, names and the internal domains)."""
    is_test = pd.Series(False, index=frame.index)
    pattern = "|".join(f"(?:{p})" for p in patterns)
    for column in columns:
        if column in frame and pattern:
            is_test |= search_distinct(frame[column], pattern, ignore_case=True)
    if "email" in frame and internal_domains:
        domains = tuple("@" + d.lower().lstrip("@") for d in internal_domains)
        is_test |= frame["email"].astype("str").str.lower().str.endswith(domains).fillna(False).astype(bool)
    log.record(
        "drop_test_records",
        table=table,
        rows=int(is_test.sum()),
        reason="test or internal record (email, name or company domain)",
    )
    return without_rows(frame, is_test)


def dedupe_contacts(
    frame: pd.DataFrame,
    *,
    log: CleaningLog,
    table: str = "leads",
    key: str = "email",
    id_column: str = "lead_id",
    updated_column: str = "updated_at",
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return one row per normalised email — the most complete, then the newest record — and a map of the
    removed ids to the id kept, so their deals and touches follow the kept record. Logs the rows removed.

    Without an email column (a one-table lead list), records are kept as they are: their ids are already unique."""
    if key not in frame:
        log.record("dedupe_contacts", table=table, rows=0, reason=f"no {key} column: records deduplicated by id only")
        return frame, {}
    # only records that share an email are ranked: the rest are kept as they are
    shared = frame[key].notna() & frame[key].duplicated(keep=False)
    group = frame.loc[shared]
    updated = group[updated_column] if updated_column in group else pd.Series(pd.NaT, index=group.index)
    order = pd.DataFrame(
        {"key": group[key], "complete": group.notna().sum(axis=1), "updated": updated, "id": group[id_column]},
        index=group.index,
    )
    order = order.sort_values(
        ["complete", "updated", "id"], ascending=[False, False, True], na_position="last", kind="stable"
    )
    has_key = order["key"].notna()
    duplicate = has_key & order["key"].duplicated(keep="first")
    kept_for_key = order.loc[has_key & ~duplicate].set_index("key")["id"]
    removed = order.loc[duplicate]
    id_map = dict(zip(removed["id"].astype(str), removed["key"].map(kept_for_key).astype(str)))
    log.record(
        "dedupe_contacts",
        table=table,
        rows=len(removed),
        reason="same normalised email as another record; kept the most complete, then newest",
    )
    return without_rows(frame, frame.index.isin(removed.index)), id_map


def replace_missing_tokens(
    frame: pd.DataFrame, *, log: CleaningLog, table: str, tokens: frozenset[str], keep: Iterable[str] = ()
) -> pd.DataFrame:
    """Return the frame with form placeholders and blank-meaning texts ("Select", "-- select --", "N/A", "NA",
    "-"; refusals when `tokens` holds them) set to missing in every text column but `keep`. Logs, per column,
    each value replaced with its count (step "missing_tokens")."""
    out = frame.copy(deep=False)  # copy-on-write: a column assigned below never reaches `frame`
    keep = set(keep)
    for column in out.columns:
        values = out[column]
        if column in keep or not (pd.api.types.is_string_dtype(values) or values.dtype == object):
            continue
        mask = missing_mask(values, tokens)
        if not mask.any():
            continue
        for value, rows in values[mask].astype("str").value_counts(sort=False).sort_index().items():
            log.record(
                "missing_tokens",
                table=table,
                column=column,
                rows=int(rows),
                reason=f"{value!r} means no value (form placeholder or refusal), set to missing",
            )
        out[column] = null_where(values, mask)
    return out


def _fold(value: str) -> str:
    """Return a category spelling folded for comparison: accents, case, punctuation and spaces removed."""
    return fold_key(value)


def normalise_categories(
    frame: pd.DataFrame,
    columns: Iterable[str],
    *,
    log: CleaningLog,
    table: str,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """Return the frame with each category spelled one way: spaces trimmed, variants differing only in case,
    accents or punctuation merged into their most frequent spelling, then the project file's aliases applied.
    Logs the cells changed per column."""
    aliases = aliases or {}
    out = frame.copy(deep=False)
    for column in columns:
        if column not in out:
            continue
        # Each distinct spelling is handled once: a million cells hold a few hundred spellings.
        codes, spellings = pd.factorize(out[column].astype("str"))
        rows = np.bincount(codes[codes >= 0], minlength=len(spellings))
        trimmed = [_SPACES.sub(" ", str(s).strip()) for s in spellings]
        column_aliases = {_fold(k): v for k, v in aliases.get(column, {}).items()}
        keys = [_fold(t) for t in trimmed]
        keys = [_fold(column_aliases[k]) if k in column_aliases else k for k in keys]
        votes: dict[tuple[str, str], int] = {}
        for key, spelling, n in zip(keys, trimmed, rows):
            votes[(key, spelling)] = votes.get((key, spelling), 0) + int(n)
        canonical = {_fold(v): v for v in column_aliases.values()}
        for (key, spelling), _ in sorted(votes.items(), key=lambda item: -item[1]):  # stable: first seen wins ties
            canonical.setdefault(key, spelling)
        cleaned = [canonical.get(k, k) for k in keys]
        changed = int(sum(n for n, before, after in zip(rows, spellings, cleaned) if before != after))
        log.record(
            "normalise_categories",
            table=table,
            column=column,
            rows=changed,
            reason="same category spelled differently (case, spaces, punctuation or a listed alias)",
        )
        if changed or not pd.api.types.is_string_dtype(out[column]):  # an unchanged column keeps its own memory
            result = strings_from_codes(codes, cleaned)
            result.index = out.index
            out[column] = result
    return out


def parse_dates(
    frame: pd.DataFrame,
    columns: Iterable[str],
    *,
    log: CleaningLog,
    table: str,
    path: Path,
    dayfirst: DayFirst = "auto",
) -> pd.DataFrame:
    """Return the frame with date columns as datetimes. The day/month order of numeric dates is `dayfirst`
    (true/false, a column → order map, or auto: decided per column from the data, see dates.file_date_order).
    ISO dates are read first; other formats are read after and counted. Dates that do not parse become NaT and
    are counted; if more than a fifth do not parse the column is rejected with a clear error."""
    out = frame.copy(deep=False)
    columns = [c for c in columns if c in out]
    order = (
        dict(dayfirst) if isinstance(dayfirst, Mapping) else file_date_order(out, columns, path=path, dayfirst=dayfirst)
    )
    for column in columns:
        text = out[column].astype("str").str.strip()
        present = text.notna() & (text != "")
        text = text.where(present)
        parsed, rest = read_dates_counted(text, dayfirst=order.get(column, False))
        bad = present & parsed.isna()
        source = frame.attrs.get("source_columns", {}).get(column, column)
        if present.sum() and bad.sum() > UNPARSEABLE_DATE_LIMIT * present.sum():
            examples = ", ".join(repr(v) for v in text[bad].unique()[:3])
            raise InputFileError(
                path,
                f"{bad.sum()} of {present.sum()} dates do not parse, e.g. {examples}.",
                column=source,
                fix="check that the column mapped here holds dates, or set "
                "clean.dayfirst in alignkit.yml to match the export's date format.",
            )
        reading = "day first" if order.get(column, False) else "month first"
        log.record(
            "parse_dates",
            table=table,
            column=column,
            rows=int((rest & parsed.notna()).sum()),
            reason=f"date in a non-ISO format (numeric ones read {reading}, or a written-out month), parsed",
        )
        if bad.any():
            log.record(
                "parse_dates",
                table=table,
                column=column,
                rows=int(bad.sum()),
                reason="date that does not parse, set to missing",
            )
        out[column] = parsed.astype("datetime64[ns]")
    return out


def to_number(values: pd.Series) -> pd.Series:
    """Return text as Float64, reading thousands separators and currency signs; NA where it is not a number."""
    text = pa.array(values.astype("str"))
    try:
        numbers = pc.cast(text, pa.float64())  # plain numbers: one pass in Arrow
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        numbers = _cast_stripped(text)
    # from numpy, a null and a "nan" text are both NaN, and both become NA
    return pd.Series(pd.array(numbers.to_numpy(zero_copy_only=False), dtype="Float64"), index=values.index)


def _cast_stripped(text: pa.Array) -> pa.Array:
    """Return text read as float64 once thousands separators (tried first: a literal replace is fast), then any
    currency sign or space, are removed; cells that are still not numbers become null."""
    series = pd.Series(text, dtype="str")
    if decimal_comma(series.head(PROBE_ROWS)):
        text = pa.array(from_decimal_comma(series), type=pa.large_string())
    for stripped in (
        lambda: pc.replace_substring(text, ",", ""),
        lambda: pc.replace_substring_regex(text, CURRENCY_CHARS.pattern, ""),
    ):
        candidate = stripped()
        candidate = pc.if_else(pc.equal(candidate, ""), pa.scalar(None, candidate.type), candidate)
        try:
            return pc.cast(candidate, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return pa.array(pd.to_numeric(pd.Series(candidate, dtype="str"), errors="coerce").to_numpy(), from_pandas=True)


def _present(values: pd.Series) -> pd.Series:
    """Return True where a text cell holds something other than nothing or spaces (Arrow's kernels, not a strip)."""
    text = pa.array(values.astype("str"), type=pa.large_string())
    blank = pc.or_kleene(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text))
    return pd.Series(pc.invert(pc.fill_null(blank, True)).to_numpy(zero_copy_only=False), index=values.index)


def parse_numbers(
    frame: pd.DataFrame, columns: Iterable[str] | None, *, log: CleaningLog, table: str, required: Iterable[str] = ()
) -> pd.DataFrame:
    """Return the frame with numeric columns as numbers: the `required` ones always, and among `columns` those
    where at least 95% of values read as numbers. Values that do not are set to missing and counted."""
    out = frame.copy(deep=False)
    required = set(required)
    for column in list(columns or []) + sorted(required):
        if column not in out or not (pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object):
            continue
        head = out[column].iloc[:PROBE_ROWS]
        probe = head[head.notna()].head(2000)
        if column not in required and len(probe) and to_number(probe).notna().mean() < NUMERIC_SHARE:
            continue  # a text column: not worth reading every cell as a number
        present = _present(out[column])
        numbers = to_number(out[column])
        if column not in required and (present.sum() == 0 or numbers[present].notna().mean() < NUMERIC_SHARE):
            continue
        bad = int((present & numbers.isna()).sum())
        if bad:
            log.record(
                "parse_numbers", table=table, column=column, rows=bad, reason="value is not a number, set to missing"
            )
        integral = numbers.dropna()
        if len(integral) and (integral == integral.round()).all() and integral.abs().max() < 2**53:
            numbers = numbers.astype("Int64")
        out[column] = numbers
    return out


def flag_speeders(
    responses: pd.DataFrame, *, log: CleaningLog, share_of_median: float, duration_column: str = "duration_s"
) -> pd.DataFrame:
    """Return responses with `is_speeder`: duration under `share_of_median` of the median duration."""
    if duration_column not in responses:
        log.record("flag_speeders", table="responses", rows=0, reason="no duration column: speeders not checked")
        return responses.assign(is_speeder=False)
    duration = pd.to_numeric(responses[duration_column], errors="coerce")
    limit = share_of_median * float(duration.median())
    speeder = (duration < limit).fillna(False).astype(bool)
    log.record(
        "flag_speeders",
        table="responses",
        rows=int(speeder.sum()),
        reason=f"answered in under {share_of_median:.0%} of the median time ({limit:.0f} s); flagged, kept",
    )
    return responses.assign(is_speeder=speeder)


def flag_straightliners(
    responses: pd.DataFrame, codebook: pd.DataFrame, *, log: CleaningLog, min_items: int
) -> pd.DataFrame:
    """Return responses with `is_straightliner`: the same answer to every item of a Likert grid of at least
    `min_items` items (all answered)."""
    likert = codebook[codebook["kind"] == "likert"]
    flag = pd.Series(False, index=responses.index)
    grids = 0
    for _, items in likert.groupby("group", sort=True):
        columns = [c for c in items["column"] if c in responses]
        if len(columns) < min_items:
            continue
        grids += 1
        codes = np.column_stack([responses[c].cat.codes.to_numpy() for c in columns])
        answered = (codes >= 0).all(axis=1)
        flag |= pd.Series(answered & (codes.min(axis=1) == codes.max(axis=1)), index=responses.index)
    log.record(
        "flag_straightliners",
        table="responses",
        rows=int(flag.sum()),
        reason=f"same answer to every item of a grid of {min_items}+ statements ({grids} grid(s)); flagged, kept",
    )
    return responses.assign(is_straightliner=flag)
