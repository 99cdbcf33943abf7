"""One dictionary of labels: the project file's labels, the export's headers, the codebook's question text, the
report's own column words; field keys in sentences and figures shown by label, file names and settings left alone."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from alignkit.config import load_settings
from alignkit.report.html import ReportFigure
from alignkit.report.labels import Labels, humanize, project_labels, relabel_axes, using_labels
from tests.conftest import REPO


@pytest.fixture()
def settings(tmp_path):
    """The demo project file with a label of its own, and a codebook as notebook 01 writes it."""
    text = (REPO / "alignkit.yml").read_text(encoding="utf-8")
    (tmp_path / "alignkit.yml").write_text(text + "\nlabels:\n  sessions: Website visits\n", encoding="utf-8")
    settings = load_settings(tmp_path / "alignkit.yml")
    settings.processed_dir.mkdir(parents=True)
    pd.DataFrame(
        {
            "column": ["respondent_key", "q2", "q4_1", "q6_1"],
            "kind": ["meta", "single", "likert", "multi"],
            "question": [
                "Pseudonymous respondent key",
                "How many people work at your company?",
                "How much do you agree with each statement?",
                "Where do you look? (Select all)",
            ],
            "item": [None, None, "Data security is our top buying criterion", "Search engines"],
        }
    ).to_parquet(settings.processed_dir / "codebook.parquet")
    return settings


def test_labels_come_from_the_project_file_the_export_headers_and_the_codebook(settings):
    labels = project_labels(settings)
    assert labels.label("sessions") == "Website visits"  # the project file's labels: win
    assert labels.label("webinars_attended") == "Webinars Attended"  # the export's header
    assert labels.label("time_on_site_min") == "Time on Site (minutes)"
    assert labels.label("q2") == "How many people work at your company?"
    assert labels.label("q4_1") == "Data security is our top buying criterion"
    assert labels.label("q6_1") == "Where do you look? (Select all) — Search engines"
    assert "respondent_key" not in labels.fields  # meta columns keep the report's words
    assert labels.label("ci_low") == "95% CI low" and labels.label("from_stage") == "From stage"
    assert labels.label("reached_mql") == "Reached MQL" and labels.label("Lifecycle Stage") == "Lifecycle Stage"


def test_without_a_project_names_are_put_in_words():
    assert humanize("what_converters_have") == "What converters have"
    assert humanize("roc_auc_mean") == "ROC AUC mean" and humanize("mql_to_sql_rate") == "MQL to SQL rate"
    assert Labels().label("rest_rate") == "Rate for the rest"


def test_field_keys_in_sentences_are_relabelled_but_files_and_settings_are_not(settings):
    labels = project_labels(settings)
    rule = "company_size 49–461 AND webinars_attended ≥ 1: 3.0x the average conversion"
    assert labels.text(rule) == "Number of Employees 49–461 AND Webinars Attended ≥ 1: 3.0x the average conversion"
    kept = "Set sla.sales_capacity_per_week; read survey_qualtrics.csv; my_webinars_attended_x stays; sessions rose"
    assert labels.text(kept) == kept
    assert (
        labels.text("Conversion by sessions, per value of industry")
        == "Conversion by Website visits, per value of Industry"
    )
    assert labels.text("pageviews ≥ 3 AND sessions ≤ 4") == "Number of Pageviews ≥ 3 AND Website visits ≤ 4"
    assert labels.label("survey_q2") == "Survey: How many people work at your company?"
    assert labels.field_value("source") == "Source" and labels.field_value("Paid Search") == "Paid Search"


def test_figures_show_fields_by_label(settings):
    ax = plt.figure().subplots()
    ax.barh(["webinars_attended", "company_size"], [0.02, 0.01])
    ax.set_title("Importance of webinars_attended")
    ax.set_xlabel("Drop in ROC AUC")
    ax.set_ylabel("attribute_name")
    with using_labels(project_labels(settings)):
        figure = ReportFigure.from_axes(ax, alt="Bar chart.")
    assert figure.title == "Importance of Webinars Attended"
    ax = plt.figure().subplots()
    ax.barh(["webinars_attended"], [1])
    ax.set_ylabel("attribute_name")
    relabel_axes(ax, Labels())  # no project: snake_case keys are still put in words
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Webinars attended"] and ax.get_ylabel() == "Attribute name"
    plt.close("all")
