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


def test_the_alignment_page_draws_only_the_figures_it_shows(result, monkeypatch):
    from alignkit.personas import report
    from alignkit.report.html import ReportFigure

    full = report.report_sections(result)
    drawn: list[str] = []
    original = ReportFigure.from_axes.__func__

    def counting(cls, ax, *, alt, check=True):
        drawn.append(alt)
        return original(cls, ax, alt=alt, check=check)

    monkeypatch.setattr(ReportFigure, "from_axes", classmethod(counting))
    short = report.alignment_sections(result)
    shown = [i.alt for s in short for i in s.items if isinstance(i, ReportFigure)]
    assert drawn == shown and report.PERSONA_MAP_ALT not in drawn
    kept = [s.id for s in full if s.id in ("sizes", "crm") or s.id.startswith("persona-")]
    assert [s.id for s in short] == kept
