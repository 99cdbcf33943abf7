"""Notebook 01's report: self-contained, every table beside it as CSV, the manifest, and no personal data."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from alignkit.config import load_settings
from alignkit.ingest.files import read_export
from alignkit.quality import REPORT_SLUG, write_cleaning_report
from alignkit.report import format_cell
from tests.conftest import make_project


@pytest.fixture(scope="module")
def report(tmp_path_factory, demo_project, prepared):
    project = make_project(tmp_path_factory.mktemp("report"), raw_from=demo_project.parent / "data" / "raw")
    settings = load_settings(project)
    return write_cleaning_report(prepared, settings), settings


def test_report_is_self_contained(report):
    path, _ = report
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "no request may leave the file"
    assert "<link " not in html and "<script" not in html
    assert html.count('src="data:image/png;base64,') >= 2
    assert all(re.search(r'alt="[^"]{10,}"', tag) for tag in re.findall(r"<img [^>]+>", html))


def test_every_table_is_written_as_csv(report):
    path, _ = report
    html = path.read_text(encoding="utf-8")
    links = re.findall(rf'href="({REPORT_SLUG}/[\w]+\.csv)"', html)
    assert {"01_clean_survey_and_crm/cleaning_log.csv", "01_clean_survey_and_crm/codebook.csv"} <= set(links)
    for link in links:
        assert len(pd.read_csv(path.parent / link)) > 0


def test_report_states_its_inputs_settings_and_versions(report, prepared):
    path, _ = report
    html = path.read_text(encoding="utf-8")
    for _, row in prepared.inputs.iterrows():
        assert row["file"] in html and row["sha256"] in html
    assert "alignkit 0.1.0" in html and "pandas" in html and "speeder_share_of_median" in html
    assert "demo-salt-not-secret" not in html


def test_report_holds_no_personal_data(report):
    path, settings = report
    html = path.read_text(encoding="utf-8").lower()
    contacts = read_export(settings.raw_path("hubspot_contacts.csv"))[1].dropna(subset=["Email"])
    assert not any(email.strip().lower() in html for email in contacts["Email"])
    assert not any(phone in html for phone in contacts["Phone Number"].dropna())
    names = (contacts["First Name"] + " " + contacts["Last Name"]).str.lower()
    assert not any(name in html for name in names)


@pytest.mark.parametrize("column,value,text", [("share", 0.1234, "12.3%"), ("rows", 1234, "1,234"),
                                               ("rows_out", pd.NA, ""), ("flag", True, "yes"), ("mean", 2.5, "2.50")])
def test_cells_are_formatted_for_reading(column, value, text):
    assert format_cell(column, value) == text
