"""The optional spend file of notebook 02 (`funnel.spend_file`): marketing spend by month and source or campaign,
read and checked, with every problem named by file, column and fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from alignkit.errors import InputFileError, MissingColumnError

SPEND_DIMENSIONS = ("source", "campaign")


def read_spend(path: Path | str) -> pd.DataFrame:
    """Return the spend table (month as 'YYYY-MM', source or campaign, spend as float) read from a CSV file.

    Raises InputFileError naming the file, the column and the fix when the file is missing or malformed."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(
            path, "spend file not found.", fix="correct funnel.spend_file in alignkit.yml, or remove it."
        )
    try:
        raw = pd.read_csv(path, dtype="str", encoding="utf-8-sig", sep=None, engine="python")
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputFileError(
            path, f"cannot be read as CSV ({exc}).", fix="save it as a UTF-8 CSV with a header row."
        ) from None
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    for column in ("month", "spend"):
        if column not in raw:
            raise MissingColumnError(path, column, raw.columns)
    dimension = next((c for c in SPEND_DIMENSIONS if c in raw), None)
    if dimension is None:
        raise MissingColumnError(path, "source", raw.columns)
    month = pd.to_datetime(raw["month"].str.strip(), format="mixed", errors="coerce")
    if month.isna().any():
        bad = raw.loc[month.isna(), "month"].head(3).tolist()
        raise InputFileError(
            path,
            f"{int(month.isna().sum())} month value(s) are not dates, e.g. {bad}.",
            column="month",
            fix="write months as YYYY-MM (e.g. 2026-01).",
        )
    amount = pd.to_numeric(raw["spend"].str.replace(",", "", regex=False).str.strip(), errors="coerce")
    if amount.isna().any() or (amount < 0).any():
        bad = raw.loc[amount.isna() | (amount < 0), "spend"].head(3).tolist()
        raise InputFileError(
            path,
            f"spend must be a non-negative number; found {bad}.",
            column="spend",
            fix="write plain numbers such as 1250.50 (no currency signs).",
        )
    return pd.DataFrame(
        {
            "month": month.dt.to_period("M").astype(str),
            dimension: raw[dimension].str.strip(),
            "spend": amount.astype(float),
        }
    )
