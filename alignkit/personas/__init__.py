"""Personas (notebook 03): the persona estimator and its choice of k, persona profiles and names, the map, new
survey waves assigned to the fitted personas, and the personas report."""

from alignkit.personas.analysis import (PersonaResult, analyse, describe, fit_personas, fit_rows, headline, load_bundle,
                                        load_inputs, load_result, min_answered, save_result, screened_features,
                                        weighting_note)
from alignkit.personas.model import PersonaModel, persona_features
from alignkit.personas.report import alignment_sections, report_sections, write_personas_report

__all__ = ["PersonaModel", "PersonaResult", "alignment_sections", "analyse", "describe", "fit_personas", "fit_rows",
           "headline", "load_bundle", "load_inputs", "load_result", "persona_features", "report_sections",
           "save_result", "weighting_note", "write_personas_report", "min_answered", "screened_features"]
