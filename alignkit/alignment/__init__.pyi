"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .page import (
    build_headline,
    build_sections,
    load_inputs,
    load_results,
    preview,
    sla_terms,
    stage_definitions,
    write_alignment_report,
)

__all__ = [
    "build_headline",
    "build_sections",
    "load_inputs",
    "load_results",
    "preview",
    "sla_terms",
    "stage_definitions",
    "write_alignment_report",
]
