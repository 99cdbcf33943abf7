"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .html import ReportDefinitions, ReportFigure, ReportLinks, ReportTable, Section, render_fragment, write_report
from .labels import Labels, project_labels, using_labels

__all__ = [
    "Labels",
    "ReportDefinitions",
    "ReportFigure",
    "ReportLinks",
    "ReportTable",
    "Section",
    "project_labels",
    "render_fragment",
    "using_labels",
    "write_report",
]
