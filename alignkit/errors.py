"""Errors written for people: each names the file, the column (or setting) and the fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


def close_matches(name: str, candidates: Iterable[str], *, n: int = 3) -> list[str]:
    """Return up to ``n`` candidates that look like ``name`` (case-insensitive), best first."""
    candidates = [str(c) for c in candidates]
    lowered = {c.lower().strip(): c for c in candidates}
    exact_case = [lowered[name.lower().strip()]] if name.lower().strip() in lowered else []
    fuzzy = difflib.get_close_matches(name.lower().strip(), list(lowered), n=n, cutoff=0.6)
    found = exact_case + [lowered[f] for f in fuzzy if lowered[f] not in exact_case]
    return found[:n]


class AlignkitError(Exception):
    """Base class: a problem a user can fix, with a message that says how."""


class NotAnalysedError(AlignkitError):
    """The project's inputs do not support this analysis (e.g. personas without a survey); the message says why."""


class ConfigError(AlignkitError):
    """The project file (alignkit.yml) has a wrong key, type or value."""


class InputFileError(AlignkitError):
    """An input export cannot be read as it is: missing, empty, wrong encoding or delimiter, bad values."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        column: str | None = None,
        fix: str | None = None,
        setting: tuple[str, str] | None = None,
    ):
        """`setting` (e.g. ('encoding', 'cp1252')) is the per-input setting the fix sets, for a caller that has
        no project file yet (`alignkit init --from`) to say it as a command-line option instead."""
        self.path = Path(path)
        self.column = column
        self.problem = problem
        self.fix = fix
        self.setting = setting
        where = f"{self.path}" + (f", column {column!r}" if column is not None else "")
        message = f"{where}: {problem}"
        if fix:
            message += f" Fix: {fix}"
        super().__init__(message)


class MissingColumnError(InputFileError):
    """A column named by the project file (or required by the format) is not in the export."""

    def __init__(
        self,
        path: Path | str,
        column: str,
        available: Iterable[str],
        *,
        mapped_from: str | None = None,
        preset_key: str | None = None,
    ):
        """`preset_key` (e.g. 'crm.contacts.columns.stage') says the column name came from a CRM preset, not from
        the project file: the fix then names the canonical key to map instead of a setting to correct."""
        available = list(available)
        matches = close_matches(column, available)
        problem = f"has no column {column!r}"
        if mapped_from:
            problem += f" (mapped from {mapped_from} in alignkit.yml)"
        problem += "."
        if matches:
            problem += " Close matches: " + ", ".join(repr(m) for m in matches) + "."
        elif len(available) == 1:
            problem += f" The file was read as a single column ({available[0][:60]!r}); the delimiter may be wrong."
        if preset_key:
            section, _, canonical = preset_key.rpartition(".")
            fix = (
                f"map your export's column for {canonical!r} under {section} in alignkit.yml "
                f"(e.g. `{canonical}: <your column>`), or rename the column in a copy of the export."
            )
        elif mapped_from:
            fix = "correct the column name in alignkit.yml, or rename the column in a copy of the export."
        else:
            fix = "export the file with this column, or map it in alignkit.yml."
        self.close_matches = matches
        super().__init__(path, problem, column=column, fix=fix)


class DateOrderError(AlignkitError, ValueError):
    """A date column whose values need both orders: some only read day first (25/03), others only month first
    (03/25). The caller names the file and column; `day_first` / `month_first` hold examples of each."""

    def __init__(self, day_first: list[str], month_first: list[str]):
        self.day_first = day_first
        self.month_first = month_first
        super().__init__(
            f"some dates only read day first (e.g. {', '.join(map(repr, day_first))}), others only "
            f"month first (e.g. {', '.join(map(repr, month_first))})"
        )
