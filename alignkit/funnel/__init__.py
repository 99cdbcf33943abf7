"""Funnel (notebook 02): stage reach and conversion with maturity, friction points, the SLA between the teams,
the time to convert, the open pipeline's forecast and the MQLs a goal needs, the closed loop (lost reasons,
content before wins) and the shared KPIs, and the funnel report."""

from alignkit.funnel.analysis import (
                                      FunnelInputs,
                                      FunnelResult,
                                      alignment_headline,
                                      analyse,
                                      headline,
                                      headline_parts,
                                      load_inputs,
                                      load_result,
)
from alignkit.funnel.outlook import goal_table
from alignkit.funnel.report import alignment_sections, plot, report_sections, write_funnel_report

__all__ = ["FunnelInputs", "FunnelResult", "alignment_headline", "alignment_sections", "analyse", "goal_table", "headline",
           "headline_parts", "load_inputs", "load_result", "plot", "report_sections", "write_funnel_report"]
