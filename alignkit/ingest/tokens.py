"""Cell values that mean "no answer": form placeholders, blanks written as text, and refusals.

One list for every reader (survey answers, CRM fields, lookups and `alignkit init --from`), so a placeholder such
as "Select" or "-- select --" can never become a category, a driver, a rule or a per-lead reason. Refusals
("Prefer not to say", "Don't know") are a separate list: a survey reads them as missing by default; a CRM field
does so when the project file says so.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

# Compared after folding: lower case, surrounding punctuation and dashes stripped, inner spaces collapsed.
PLACEHOLDER_TOKENS: tuple[str, ...] = (
    "select", "select one", "select an option", "please select", "choose", "choose one", "choose an option",
    "n/a", "na", "n.a.", "none", "null", "nil", "nan", "#n/a", "not applicable", "not available", "unknown",
    "-", "--", "---", "?", "tbd", "(blank)", "blank", "(none)", "(empty)", "empty",
)
REFUSAL_TOKENS: tuple[str, ...] = (
    "prefer not to say", "prefer not to answer", "i prefer not to say", "i'd rather not say", "rather not say",
    "rather not answer", "i'd prefer not to answer", "decline to answer", "declined", "refused", "no answer",
    "don't know", "do not know", "dont know", "i don't know", "not sure", "don't know / not sure", "dk",
    "don't know/not sure", "can't say", "cannot say",
)
_EDGES = re.compile(r"^[\s\-–—_.*:()\[\]<>]+|[\s\-–—_.*:()\[\]<>]+$")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^[-+]?\.?\d")


def fold_token(value: str) -> str:
    """Return `value` folded for token matching: lower case, curly quotes made straight, edge punctuation gone."""
    text = _SPACES.sub(" ", str(value).replace("\u2019", "'").replace("\u2018", "'").strip().lower())
    if _NUMBER.match(text):
        return text   # a numeric code ("-99", "999") is compared as written: "-99" must not match 99
    stripped = _EDGES.sub("", text)
    return stripped if stripped else text   # "-" and "--" fold to themselves, not to ""


def token_set(tokens: Iterable[str], *, add: Iterable[str] = (), remove: Iterable[str] = ()) -> frozenset[str]:
    """Return the folded set of `tokens` plus `add` minus `remove` (the project file's own changes)."""
    removed = {fold_token(t) for t in remove}
    return frozenset(fold_token(t) for t in (*tokens, *add) if fold_token(t) not in removed)


def missing_mask(values: pd.Series, tokens: frozenset[str]) -> pd.Series:
    """Return a boolean Series: True where the cell's folded text is one of `tokens` (already folded)."""
    if not tokens or values.empty:
        return pd.Series(False, index=values.index)
    text = values.astype("string")
    # Fold the distinct values only: an export holds few of them, so this stays fast on a million rows.
    distinct = pd.Series(text.dropna().unique())
    hits = {v for v in distinct if fold_token(v) in tokens}
    return text.isin(hits).fillna(False).astype(bool) if hits else pd.Series(False, index=values.index)
