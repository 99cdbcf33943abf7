"""Ingest: read the exports as they are — files by what they contain, survey formats with their codebook, CRM
tables through the project file's column mapping. Nothing here cleans or changes a value; `alignkit.prepare` does."""

from alignkit.ingest.crm import CrmExports, RawTable, read_crm, read_crm_table
from alignkit.ingest.files import content_hash, read_export
from alignkit.ingest.survey import SurveyExport, read_survey

__all__ = ["CrmExports", "RawTable", "SurveyExport", "content_hash", "read_crm", "read_crm_table", "read_export",
           "read_survey"]
