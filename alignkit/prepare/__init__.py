"""Prepare (notebook 01): clean the exports into the canonical tables of data/processed/ — pure cleaning steps
that write every change to the cleaning log, survey quality flags, pseudonymised ids, survey weights, stage
paths — and the cleaning report. `validate_project` checks a project file and its inputs before any of it runs."""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Loaded on first use: `alignkit validate` imports `alignkit.prepare.validate`, which runs this file first, and the
# cleaning report's modules (matplotlib, scipy) took 2.3 s of its 4.4 s.
_HOMES = {"CleaningLog": "clean", "PreparedData": "tables", "prepare": "tables", "summarise": "quality",
          "validate_project": "validate", "write_cleaning_report": "quality", "write_processed": "tables"}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """Return the public name `name` from the module that defines it."""
    if name not in _HOMES:
        raise AttributeError(f"module 'alignkit.prepare' has no attribute {name!r}")
    return getattr(import_module(f"alignkit.prepare.{_HOMES[name]}"), name)
