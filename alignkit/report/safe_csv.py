"""CSV files that are safe to open in a spreadsheet (the OWASP advice on CSV injection): a text cell that begins
with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a single quote in front, so a spreadsheet
shows it as text instead of running it as a formula. Numbers stay numbers: only text cells are touched, a numeric
column is never turned into text, and a text cell that is only a number ("-0.25") is left as it is.

Every CSV twin of a report and the output of `alignkit score` are written through `write_inert_csv`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from alignkit.io import write_csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A cell that is only a number ("-0.25", "+3", "-1.5e-06") cannot run as a formula: it stays a number.
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def inert_text(value: object) -> object:
    """Return a text cell made inert (a single quote in front when it begins like a formula); other values as
    they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _is_text(series: pd.Series) -> bool:
    return (
        pd.api.types.is_string_dtype(series)
        or pd.api.types.is_object_dtype(series)
        or isinstance(series.dtype, pd.CategoricalDtype)
    )


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of the frame whose text cells (and column names) cannot run as spreadsheet formulas; numeric,
    boolean and date columns are unchanged. The input is not mutated."""
    out = frame.copy()
    for column in out.columns:
        if _is_text(out[column]):
            values = out[column]
            if isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype("object")
            out[column] = values.map(inert_text, na_action="ignore")
    out.columns = [inert_text(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_inert_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write the frame to CSV atomically with every text cell inert (see `inert_frame`); return the path."""
    return write_csv(inert_frame(frame), path)
