"""Demo: synthetic survey and CRM exports with a planted truth (personas, drivers, dirt, slow owners), and the
scorecard that checks the kit finds it. Only the CLI and the tests import this; no analysis stage does.

design: the planted design · crm and survey: the exports built from it · generator: writes them with their truth ·
truth: the scorecard."""

from alignkit.demo.generator import write_demo_exports, write_survey_wave

__all__ = ["write_demo_exports", "write_survey_wave"]
