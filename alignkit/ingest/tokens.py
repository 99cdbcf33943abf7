"""Cell values that mean "no answer": form placeholders, blanks written as text, and refusals.

One list for every reader (survey answers, CRM fields, lookups and `alignkit init --from`), so a placeholder such
as "Select" or "-- select --" can never become a category, a driver, a rule or a per-lead reason. Refusals
("Prefer not to say", "Don't know") are a separate list: a survey reads them as missing by default; a CRM field
does so when the project file says so.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Compared after folding: lower case, surrounding punctuation and dashes stripped, inner spaces collapsed.
PLACEHOLDER_TOKENS: tuple[str, ...] = (
    "select",
    "select one",
    "select an option",
    "please select",
    "choose",
    "choose one",
    "choose an option",
    "n/a",
    "na",
    "n.a.",
    "none",
    "null",
    "nil",
    "nan",
    "#n/a",
    "not applicable",
    "not available",
    "unknown",
    "-",
    "--",
    "---",
    "?",
    "tbd",
    "(blank)",
    "blank",
    "(none)",
    "(empty)",
    "empty",
)
REFUSAL_TOKENS: tuple[str, ...] = (
    "prefer not to say",
    "prefer not to answer",
    "i prefer not to say",
    "i'd rather not say",
    "rather not say",
    "rather not answer",
    "i'd prefer not to answer",
    "decline to answer",
    "declined",
    "refused",
    "no answer",
    "don't know",
    "do not know",
    "dont know",
    "i don't know",
    "not sure",
    "don't know / not sure",
    "dk",
    "don't know/not sure",
    "can't say",
    "cannot say",
)
_EDGES = re.compile(r"^[\s\-–—_.*:()\[\]<>]+|[\s\-–—_.*:()\[\]<>]+$")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^[-+]?\.?\d")
PROBE_ROWS = 20_000
FEW_DISTINCT = 2_000  # distinct values in the first PROBE_ROWS cells up to which a column is read as categories


def fold_token(value: str) -> str:
    """Return `value` folded for token matching: lower case, curly quotes made straight, edge punctuation gone."""
    text = _SPACES.sub(" ", str(value).replace("\u2019", "'").replace("\u2018", "'").strip().lower())
    if _NUMBER.match(text):
        return text  # a numeric code ("-99", "999") is compared as written: "-99" must not match 99
    stripped = _EDGES.sub("", text)
    return stripped if stripped else text  # "-" and "--" fold to themselves, not to ""


def token_set(tokens: Iterable[str], *, add: Iterable[str] = (), remove: Iterable[str] = ()) -> frozenset[str]:
    """Return the folded set of `tokens` plus `add` minus `remove` (the project file's own changes)."""
    removed = {fold_token(t) for t in remove}
    return frozenset(fold_token(t) for t in (*tokens, *add) if fold_token(t) not in removed)


@functools.lru_cache(maxsize=16)
def _token_alphabet(tokens: frozenset[str]) -> str:
    """Return an RE2 pattern matching the cells made only of characters some token (folded) could be written with:
    its letters in either case, spaces, quotes and the edge punctuation fold_token strips."""
    chars = {c for token in tokens for c in token} | set(" -–—_.*:()[]<>'\u2018\u2019")
    chars |= {c.upper() for c in chars} | {c.lower() for c in chars}
    return "^[\\s" + "".join(re.escape(c) for c in sorted(chars) if not c.isspace()) + "]*$"  # RE2 and re alike


def missing_mask(values: pd.Series, tokens: frozenset[str]) -> pd.Series:
    """Return a boolean Series: True where the cell's folded text is one of `tokens` (already folded). Only cells
    made only of characters a token could be written with are looked at (one pass of RE2 over the column rules out
    emails, ids, numbers and dates at once), and each of their distinct values is folded once in Python."""
    if not tokens or values.empty:
        return pd.Series(False, index=values.index)
    # pyarrow's RE2 directly: pandas would hand a pattern with non-ASCII characters to Python's re, cell by cell
    cells = pa.array(values.astype("str"), type=pa.large_string())
    if pc.count_distinct(cells.slice(0, PROBE_ROWS)).as_py() <= FEW_DISTINCT:
        # a category column: its distinct values are found faster than RE2 reads every cell, and are all we look at
        candidates = pc.unique(cells)
        candidates = pc.filter(
            candidates, pc.fill_null(pc.match_substring_regex(candidates, _token_alphabet(tokens)), False)
        )
    else:
        shaped = pc.fill_null(pc.match_substring_regex(cells, _token_alphabet(tokens)), False)
        candidates = pc.unique(pc.filter(cells, shaped)) if pc.any(shaped).as_py() else pa.array([], pa.large_string())
    hits = [v for v in candidates.to_pylist() if v is not None and fold_token(v) in tokens]
    if not hits:
        return pd.Series(False, index=values.index)
    found = pc.fill_null(pc.is_in(cells, value_set=pa.array(hits, type=cells.type)), False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index)
