"""What a column holds, read from its values: constant and id-like columns (left out of every analysis, with the
reason) and junk categories (a value held by very few rows that is a typo of a frequent one, or a joke)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
from rapidfuzz import fuzz, process, utils

from alignkit.meaning.columns import column_role
from alignkit.prepare.clean import CleaningLog

ROLE_REASONS = {
    "constant": "same value on every row: says nothing about any lead or respondent",
    "id": "a different value on every row (an identifier): no two rows share it, so it explains nothing",
    "blank": "blank on every row: holds nothing to analyse",
}
LEFT_OUT_COLUMNS = ("table", "column", "role", "reason")
JUNK_COLUMNS = ("table", "column", "value", "rows", "close_match", "match_rows", "similarity", "why")
TYPO_SIMILARITY = 85  # rapidfuzz ratio (0-100) of the folded spellings
FREQUENT_FACTOR = 10  # a frequent value holds at least this many times the rows of the rare one
MAX_CATEGORY_LEVELS = 100
KEYBOARD_RUNS = ("qwer", "wert", "asdf", "sdfg", "zxcv", "hjkl", "uiop", "yxcv", "abcd")
JOKE_WORDS = frozenset(
    {
        "test",
        "testing",
        "lol",
        "lmao",
        "haha",
        "hahaha",
        "xxx",
        "xyz",
        "abc",
        "blah",
        "bla",
        "whatever",
        "idk",
        "nope",
        "nothing",
        "foo",
        "bar",
        "foobar",
        "asdf",
        "mickey mouse",
        "donald duck",
        "batman",
        "superman",
        "santa claus",
        "none of your business",
        "nunya",
        "your mom",
        "fake",
        "dummy",
        "sdf",
        "jkl",
    }
)


def left_out_columns(
    frame: pd.DataFrame, columns: Iterable[str], *, log: CleaningLog, table: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the frame without its constant and id-like `columns` (alignkit.meaning.columns.column_role: by values
    and name), and a table of them: table, column, role, reason. Logs each column left out (step
    "left_out_columns"); the input is not mutated."""
    rows = []
    for column in dict.fromkeys(columns):
        if column not in frame:
            continue
        role = column_role(frame[column], str(column))
        if role is not None:
            # a column blank on every row is constant too, but the fix differs (map the right column, or export it)
            why = ROLE_REASONS["blank" if role == "constant" and frame[column].isna().all() else role]
            rows.append({"table": table, "column": column, "role": role, "reason": why})
            log.record(
                "left_out_columns",
                table=table,
                column=column,
                rows=len(frame),
                reason=f"column left out of every analysis: {why}",
            )
    found = pd.DataFrame(rows, columns=list(LEFT_OUT_COLUMNS)).astype("str")
    return frame.drop(columns=list(found["column"])), found


def looks_like_joke(value: str) -> bool:
    """Return True when a category value is keyboard mash, one repeated character, punctuation only, or a
    well-known joke answer ("asdf", "xxxx", "???", "Mickey Mouse", "lol")."""
    text = " ".join(str(value).casefold().split())
    letters = re.sub(r"[^\w]", "", text)
    if not re.search(r"[^\W_]", text):
        return True  # punctuation only: "???", "..."
    if len(letters) >= 3 and len(set(letters)) == 1:
        return True
    return text in JOKE_WORDS or any(run in letters for run in KEYBOARD_RUNS)


def category_columns(frame: pd.DataFrame, *, skip: Iterable[str] = ()) -> list[str]:
    """Return the text and categorical columns with 2 to 100 distinct values (the ones read as categories)."""
    skip = set(skip)
    out = []
    for column in frame.columns:
        values = frame[column]
        texty = pd.api.types.is_string_dtype(values) or isinstance(values.dtype, pd.CategoricalDtype)
        if column not in skip and texty and 2 <= values.nunique() <= MAX_CATEGORY_LEVELS:
            out.append(column)
    return out


def junk_categories(
    frame: pd.DataFrame, columns: Iterable[str] | None = None, *, max_rows: int = 5, table: str = "leads"
) -> pd.DataFrame:
    """Return the rare values of category columns that look like junk: held by at most `max_rows` rows and either
    close (rapidfuzz ratio ≥ 85) to a value held by 10× as many rows — a typo — or a joke / keyboard mash.
    One row each: table, column, value, rows, close_match, match_rows, similarity, why (close_match is empty for
    a joke). Fix them with clean.category_aliases (a typo) or clean.missing_values.add (a joke)."""
    rows = []
    for column in category_columns(frame) if columns is None else [c for c in columns if c in frame]:
        counts = frame[column].dropna().astype("str").value_counts()
        counts = counts[counts.index.str.strip() != ""]
        for value, n in counts[counts <= max_rows].items():
            frequent = counts[counts >= max(FREQUENT_FACTOR * n, max_rows + 1)]
            match = (
                process.extractOne(
                    value,
                    list(frequent.index),
                    scorer=fuzz.ratio,
                    processor=utils.default_process,
                    score_cutoff=TYPO_SIMILARITY,
                )
                if len(frequent)
                else None
            )
            if match is not None:
                rows.append(
                    {
                        "table": table,
                        "column": column,
                        "value": value,
                        "rows": int(n),
                        "close_match": match[0],
                        "match_rows": int(frequent[match[0]]),
                        "similarity": round(float(match[1]), 1),
                        "why": "rare spelling close to a frequent value (typo?)",
                    }
                )
            elif looks_like_joke(value):
                rows.append(
                    {
                        "table": table,
                        "column": column,
                        "value": value,
                        "rows": int(n),
                        "close_match": None,
                        "match_rows": None,
                        "similarity": None,
                        "why": "looks like a joke or keyboard mash",
                    }
                )
    out = pd.DataFrame(rows, columns=list(JUNK_COLUMNS))
    return out.astype(
        {
            "table": "str",
            "column": "str",
            "value": "str",
            "rows": "int64",
            "close_match": "str",
            "match_rows": "Int64",
            "similarity": "Float64",
            "why": "str",
        }
    )
