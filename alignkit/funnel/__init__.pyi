"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .analysis import (
    FunnelInputs,
    FunnelResult,
    alignment_headline,
    analyse,
    headline,
    headline_parts,
    load_inputs,
    load_result,
)
from .outlook import goal_table
from .report import alignment_sections, plot, report_sections, write_funnel_report

__all__ = [
    "FunnelInputs",
    "FunnelResult",
    "alignment_headline",
    "alignment_sections",
    "analyse",
    "goal_table",
    "headline",
    "headline_parts",
    "load_inputs",
    "load_result",
    "plot",
    "report_sections",
    "write_funnel_report",
]
