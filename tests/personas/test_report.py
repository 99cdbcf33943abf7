"""The personas report: written with its CSVs, small groups hidden, no email address in it."""

from __future__ import annotations

import pandas as pd

from alignkit.personas.report import write_personas_report


def test_report_hides_small_groups_and_is_written(result, processed):
    path = write_personas_report(result, processed)
    html = path.read_text(encoding="utf-8")
    assert path.name == "03_persona_segments.html" and "Persona 1:" in html and "Why this number of personas" in html
    assert (path.parent / "03_persona_segments" / "k_scores.csv").exists()
    assert "@" not in pd.read_csv(path.parent / "03_persona_segments" / "sizes.csv").to_csv()
