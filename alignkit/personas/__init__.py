"""Personas (notebook 03): which answers and respondents form them and how many (``fitting``: k-means or latent
classes), persona profiles and names, customer personas from the CRM, the map, new survey waves or customers
assigned to the fitted personas, and the personas report."""

from alignkit.personas.analysis import (
                                        PersonaResult,
                                        analyse,
                                        describe,
                                        headline,
                                        load_bundle,
                                        load_inputs,
                                        load_result,
                                        save_result,
                                        structure_sentence,
                                        weighting_note,
)
from alignkit.personas.fitting import fit_personas, fit_rows, min_answered, screened_features, segmented_rows
from alignkit.personas.model import PersonaModel, persona_features
from alignkit.personas.report import alignment_sections, report_sections, write_personas_report

__all__ = [
                                        "PersonaModel",
                                        "PersonaResult",
                                        "alignment_sections",
                                        "analyse",
                                        "describe",
                                        "fit_personas",
                                        "fit_rows",
                                        "headline",
                                        "load_bundle",
                                        "load_inputs",
                                        "load_result",
                                        "min_answered",
                                        "persona_features",
                                        "report_sections",
                                        "save_result",
                                        "screened_features",
                                        "segmented_rows",
                                        "structure_sentence",
                                        "weighting_note",
                                        "write_personas_report",
]
