"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .crm import CrmExports, RawTable, read_crm, read_crm_table
from .files import content_hash, read_export
from .survey import SurveyExport, read_survey

__all__ = [
    "CrmExports",
    "RawTable",
    "SurveyExport",
    "content_hash",
    "read_crm",
    "read_crm_table",
    "read_export",
    "read_survey",
]
