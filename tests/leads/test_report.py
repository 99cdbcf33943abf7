"""The leads report on the demo: written with its CSVs and small groups hidden, and the short version the
alignment page takes from the saved result."""

from __future__ import annotations

import pandas as pd

from alignkit.leads.analysis import load_result
from alignkit.leads.report import REPORT_SLUG, write_leads_report


def test_report_is_written_with_its_tables(result, demo_settings):
    path = write_leads_report(result, demo_settings)
    html = path.read_text(encoding="utf-8")
    assert "sales_priority" in html and "The ideal lead, in writing" in html
    assert (path.parent / REPORT_SLUG / "drivers.csv").exists()
    values = pd.read_csv(path.parent / REPORT_SLUG / "conversion_by_value.csv")
    shown = values["leads"].dropna()
    assert (shown >= demo_settings.privacy.min_group_size).all()


def test_the_alignment_page_takes_the_saved_result(saved, demo_settings):
    from alignkit.alignment import page as alignment

    loaded = load_result(demo_settings)
    sections = alignment.build_sections(demo_settings, {"leads": loaded})
    assert {"leads-definition", "leads-drivers"} <= {s.id for s in sections}
    lines = alignment.build_headline(demo_settings, {"leads": loaded})
    assert any("customers" in line for line in lines)


def test_the_alignment_page_takes_the_tables_without_drawing_a_figure(result, monkeypatch):
    from alignkit.leads import report
    from alignkit.report.html import ReportFigure, ReportTable

    full = [s for s in report.report_sections(result) if s.id in {"definition", "drivers"}]
    assert any(isinstance(i, ReportFigure) for s in full for i in s.items)  # the full report draws them

    def refuse(*args, **kwargs):
        raise AssertionError("the alignment page drew a figure it does not show")

    monkeypatch.setattr(ReportFigure, "from_axes", refuse)
    short = report.alignment_sections(result)
    assert [s.id for s in short] == [s.id for s in full]
    for kept, whole in zip(short, full):
        assert [t.name for t in kept.items] == [i.name for i in whole.items if isinstance(i, ReportTable)][:3]
