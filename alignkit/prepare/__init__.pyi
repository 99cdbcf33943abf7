"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .clean import CleaningLog
from .quality import summarise, write_cleaning_report
from .tables import PreparedData, prepare, write_processed
from .validate import validate_project

__all__ = [
    "CleaningLog",
    "PreparedData",
    "prepare",
    "summarise",
    "validate_project",
    "write_cleaning_report",
    "write_processed",
]
