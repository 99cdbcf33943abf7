"""A lookup table's join key guessed from the values: the lookup column (unique per row) whose values match a
leads column best once folded for case, spaces and punctuation (as crm.lookups joins them), with near misses
found by rapidfuzz, and the share of the leads' keys that match.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from alignkit.text import fold_key

NEAR_MISS_MIN = 90  # rapidfuzz ratio of folded keys that counts as the same key spelt differently
NEAR_MISS_MAX_PAIRS = 2_000_000  # unmatched keys × lookup keys compared at most; beyond, near misses are not sought


@dataclass(frozen=True)
class JoinGuess:
    """A lookup's guessed join: its key column, the leads column it matches, and how well."""

    key: str
    on_column: str  # the leads table's column (the writer names it canonically or as an attribute)
    matched_share: float  # share of the leads' distinct keys found in the lookup (after folding)
    near_misses: int  # distinct leads keys not found, but within NEAR_MISS_MIN of a lookup key
    unmatched: int  # distinct leads keys found neither way
    distinct: int  # distinct non-blank leads keys


def match_keys(keys: pd.Series, values: pd.Series) -> tuple[int, int, int, int]:
    """Return (matched, near misses, unmatched, distinct) for the distinct non-blank `values` looked up in `keys`."""
    have = {fold_key(k) for k in keys.dropna().unique()}
    wanted = {fold_key(v) for v in values.dropna().unique()}
    matched = wanted & have
    if not matched or len(wanted - matched) * len(have) > NEAR_MISS_MAX_PAIRS:
        return len(matched), 0, len(wanted) - len(matched), len(wanted)
    near = {w for w in wanted - matched if process.extractOne(w, list(have), scorer=fuzz.ratio)[1] >= NEAR_MISS_MIN}
    return len(matched), len(near), len(wanted) - len(matched) - len(near), len(wanted)


def guess_join(lookup: pd.DataFrame, leads: pd.DataFrame, *, exclude: Set[str] = frozenset()) -> JoinGuess | None:
    """Return the best join of `lookup` onto `leads`: over the lookup's columns unique per row and the leads'
    columns (not in `exclude`), the pair matching most of the leads' distinct keys (near misses counted), else None."""
    best: JoinGuess | None = None
    for key in lookup.columns:
        if not (lookup[key].notna().all() and lookup[key].is_unique):
            continue
        for column in leads.columns:
            if column in exclude:
                continue
            matched, near, unmatched, distinct = match_keys(lookup[key], leads[column])
            if distinct == 0 or matched == 0:
                continue
            guess = JoinGuess(str(key), str(column), matched / distinct, near, unmatched, distinct)
            score = (matched + near) / distinct
            if best is None or score > (best.matched_share * best.distinct + best.near_misses) / best.distinct:
                best = guess
    return best
