"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .analysis import (
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
from .fitting import fit_personas, fit_rows, min_answered, screened_features, segmented_rows
from .model import PersonaModel, persona_features
from .report import alignment_sections, report_sections, write_personas_report

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
