"""Alignment (notebook 05): the one page for the meeting of both teams — the agreed definitions, then the
sections the funnel, leads and personas analyses contribute, in the meeting's order."""

from alignkit.alignment.page import (
                                     build_headline,
                                     build_sections,
                                     load_inputs,
                                     load_results,
                                     preview,
                                     sla_terms,
                                     stage_definitions,
                                     write_alignment_report,
)

__all__ = ["build_headline", "build_sections", "load_inputs", "load_results", "preview", "sla_terms",
           "stage_definitions", "write_alignment_report"]
