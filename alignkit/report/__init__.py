"""Report: render results into self-contained HTML pages (templates, tables with their CSV twins, embedded
figures, the manifest footer) under the privacy rules every report keeps. The stages build their sections with
these pieces; the alignment page (`alignkit.alignment`) composes them."""

from alignkit.report.html import (
                                  ReportDefinitions,
                                  ReportFigure,
                                  ReportLinks,
                                  ReportTable,
                                  Section,
                                  render_fragment,
                                  write_report,
)
from alignkit.report.labels import Labels, project_labels, using_labels

__all__ = ["Labels", "ReportDefinitions", "ReportFigure", "ReportLinks", "ReportTable", "Section", "project_labels",
           "render_fragment", "using_labels", "write_report"]
