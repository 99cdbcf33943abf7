"""Report: render results into self-contained HTML pages (templates, tables with their CSV twins, embedded
figures, the manifest footer) under the privacy rules every report keeps. The stages build their sections with
these pieces; the alignment page (`alignkit.alignment`) composes them."""

from alignkit.report.html import (ReportDefinitions, ReportFigure, ReportLinks, ReportTable, Section, render_fragment,
                                  write_report)

__all__ = ["ReportDefinitions", "ReportFigure", "ReportLinks", "ReportTable", "Section", "render_fragment",
           "write_report"]
