"""The privacy masks of notebook 02's report and figures: counts of groups smaller than `privacy.min_group_size`
blanked, figures derived from them blanked, rest-of-segment figures that would reveal a small group blanked, and
p- and q-values made readable."""

from __future__ import annotations

import pandas as pd

from alignkit.privacy import suppress_small_groups


def mask_small_counts(table: pd.DataFrame, columns: list[str], min_group_size: int) -> pd.DataFrame:
    """Return a copy where counts between 1 and `min_group_size` − 1 are blanked (a zero reveals no one)."""
    out = table.copy()
    for column in columns:
        values = out[column].astype("Float64")
        out[column] = values.mask((values > 0) & (values < min_group_size))
    return out


def mask_derived(table: pd.DataFrame, rules: dict[str, list[str]], min_group_size: int) -> pd.DataFrame:
    """Return a copy where, row by row, the figures in `rules[count]` are blanked when `count` is below
    `min_group_size` (a share, revenue or cost computed from a small group would reveal it)."""
    out = table.copy()
    for count, columns in rules.items():
        small = pd.to_numeric(out[count], errors="coerce").fillna(0) < min_group_size
        for column in columns:
            if column in out:
                out[column] = out[column].astype("Float64").mask(small)
    return out


def private_groups(table: pd.DataFrame, count_column: str, min_group_size: int) -> pd.DataFrame:
    """Return the table with every figure of a group smaller than `min_group_size` suppressed (label kept)."""
    if table.empty:
        return table
    return suppress_small_groups(table, count_column=count_column, min_group_size=min_group_size)


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy for reading: p- and q-values with two significant digits (as text that still parses as a
    number, e.g. '3.4e-12'), leads lost rounded, and the difference to the rest named so it shows as a percentage."""
    out = table.copy()
    for column in ("p_value", "q_value"):
        if column in out:
            out[column] = out[column].map(lambda v: "" if pd.isna(v) else f"{v:.2g}").astype("str")
    if "leads_lost" in out:
        out["leads_lost"] = out["leads_lost"].round(0)
    return out.rename(
        columns={
            "difference": "vs_rest_rate",
            "difference_ci_low": "vs_rest_ci_low",
            "difference_ci_high": "vs_rest_ci_high",
        }
    )


REST_FIGURES = ["rest_rate", "difference", "difference_ci_low", "difference_ci_high", "cohens_h"]


def private_segments(table: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Return segment-vs-rest rows with the rest's figures blanked where the rest is a group of fewer than
    `min_group_size` leads (with two segments, the rest of one is the other: its rate would reveal it)."""
    return mask_derived(table, {"rest_n": REST_FIGURES}, min_group_size) if "rest_n" in table else table


def shown_groups(table: pd.DataFrame, count_column: str, min_group_size: int) -> pd.DataFrame:
    """Return only the groups large enough to be drawn in a figure."""
    return table[table[count_column] >= min_group_size]


def drawable(
    table: pd.DataFrame, counts: list[str], min_group_size: int, derived: dict[str, list[str]] | None = None
) -> pd.DataFrame:
    """Return the table for a figure: counts of 1 to `min_group_size` − 1 and the figures in `derived[count]`
    drawn from them set to NaN (not drawn), as float so matplotlib reads them — what the table beside it blanks."""
    out = mask_small_counts(mask_derived(table, derived or {}, min_group_size), counts, min_group_size)
    blanked = [*counts, *[c for columns in (derived or {}).values() for c in columns if c in out]]
    return out.astype(dict.fromkeys(blanked, float))
