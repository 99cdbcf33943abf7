"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .analysis import (
    LeadInputs,
    LeadsResult,
    alignment_headline,
    analyse,
    headline,
    headline_parts,
    load_inputs,
    load_result,
    save_result,
    suspect_auc_sentence,
    weighting_note,
)
from .definition import rule_sentence
from .figures import numeric_figure, partial_dependence_figure, score_figure, top_values_figure
from .leakage import candidate_fields, leakage_guard
from .new_leads import score_file
from .reasons import score_leads
from .report import alignment_sections, report_sections, write_leads_report

__all__ = [
    "LeadInputs",
    "LeadsResult",
    "alignment_headline",
    "alignment_sections",
    "analyse",
    "candidate_fields",
    "headline",
    "headline_parts",
    "leakage_guard",
    "load_inputs",
    "load_result",
    "numeric_figure",
    "partial_dependence_figure",
    "report_sections",
    "rule_sentence",
    "save_result",
    "score_figure",
    "score_file",
    "score_leads",
    "suspect_auc_sentence",
    "top_values_figure",
    "weighting_note",
    "write_leads_report",
]
