"""Leads (notebook 04): the ideal lead — conversion by attribute (the profile), the leakage guard, the lead score,
its written definition (rules, MQL threshold, bands) and the leads report."""

from alignkit.leads.analysis import (LeadInputs, LeadsResult, alignment_headline, alignment_sections, analyse,
                                     candidate_fields, headline, headline_parts, leakage_guard, load_inputs,
                                     load_result, report_sections, save_result, score_file, weighting_note,
                                     write_leads_report)
from alignkit.leads.score import rule_sentence, score_leads

__all__ = ["LeadInputs", "LeadsResult", "alignment_headline", "alignment_sections", "analyse", "candidate_fields",
           "headline", "headline_parts", "leakage_guard", "load_inputs", "load_result", "report_sections",
           "rule_sentence", "save_result", "score_file", "score_leads", "weighting_note", "write_leads_report"]
