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
