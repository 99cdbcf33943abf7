"""Prepare (notebook 01): clean the exports into the canonical tables of data/processed/ — pure cleaning steps
that write every change to the cleaning log, survey quality flags, pseudonymised ids, survey weights, stage
paths — and the cleaning report. `validate_project` checks a project file and its inputs before any of it runs."""

from alignkit.prepare.clean import CleaningLog
from alignkit.prepare.quality import summarise, write_cleaning_report
from alignkit.prepare.tables import PreparedData, prepare, write_processed
from alignkit.prepare.validate import validate_project

__all__ = ["CleaningLog", "PreparedData", "prepare", "summarise", "validate_project", "write_cleaning_report",
           "write_processed"]
