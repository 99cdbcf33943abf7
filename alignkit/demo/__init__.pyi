"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .generator import write_demo_exports, write_survey_wave

__all__ = ["write_demo_exports", "write_survey_wave"]
