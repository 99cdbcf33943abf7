"""The whole funnel analysis: the date it is measured at (export date, far-future dates, funnel.as_of), and the
demo's result, its report sections and how it shows in a notebook."""

from __future__ import annotations

import pandas as pd
import pytest

from alignkit.funnel import analysis
from alignkit.funnel.analysis import FunnelInputs
from alignkit.funnel.report import report_sections
from alignkit.prepare.as_of import export_date


def test_demo_as_of_is_the_export_date(demo_result, truth):
    assert abs(demo_result.as_of - pd.Timestamp(truth["export_date"])) < pd.Timedelta(hours=1)


def test_a_far_future_date_does_not_move_the_export_date(prepared, demo_settings, truth):
    """One touch typo'd into 2062 and one lead created in 2099: both left out, counted, said in the report."""
    from alignkit.funnel.report import as_of_sentence

    touches = prepared.touches.copy()
    touches.loc[0, "at"] = pd.Timestamp("2062-03-01")
    leads = prepared.leads.copy()
    leads.loc[0, "created_at"] = pd.Timestamp("2099-01-01")
    when = export_date(leads, touches, stages=demo_settings.funnel.stage_names)
    assert abs(when.date - pd.Timestamp(truth["export_date"])) < pd.Timedelta(hours=1)
    assert when.dates_ignored == 2 and when.source == "data"
    result = analysis.analyse(demo_settings, data=FunnelInputs(leads=leads, touches=touches, inputs=prepared.inputs))
    assert result.as_of == when.date and result.future_dates_ignored == 2
    assert "2 dates lying far beyond the rest of the data" in as_of_sentence(result)


def test_funnel_as_of_in_the_project_file_sets_the_date(prepared, demo_settings):
    from alignkit.funnel.report import as_of_sentence

    settings = demo_settings.model_copy(
        update={"funnel": demo_settings.funnel.model_copy(update={"as_of": pd.Timestamp("2026-08-31").date()})}
    )
    result = analysis.analyse(
        settings, data=FunnelInputs(leads=prepared.leads, touches=prepared.touches, inputs=prepared.inputs)
    )
    assert result.as_of == pd.Timestamp("2026-08-31") and result.as_of_source == "project file"
    assert "the date set in the project file (funnel.as_of)" in as_of_sentence(result)


def test_funnel_as_of_is_read_from_the_project_file(tmp_path, demo_project):
    from alignkit.config import load_settings
    from alignkit.errors import ConfigError

    text = demo_project.read_text(encoding="utf-8").replace("  # as_of: 2026-06-30", "  as_of: 2026-06-30")
    (tmp_path / "alignkit.yml").write_text(text, encoding="utf-8")
    assert load_settings(tmp_path / "alignkit.yml").funnel.as_of == pd.Timestamp("2026-06-30").date()
    (tmp_path / "alignkit.yml").write_text(text.replace("as_of: 2026-06-30", "as_of: 30 June"), encoding="utf-8")
    with pytest.raises(ConfigError, match="as_of"):
        load_settings(tmp_path / "alignkit.yml")


def test_demo_report_sections_hold_every_part(demo_result):
    ids = [section.id for section in report_sections(demo_result)]
    assert ids == [
        "definitions",
        "funnel",
        "friction",
        "time",
        "forecast",
        "goal",
        "cohorts",
        "sla",
        "closed-loop",
        "kpis",
    ]
    assert "friction points" in demo_result._repr_html_()
    assert repr(demo_result).startswith("FunnelResult(as of 2026-09-30")


def test_the_headline_says_how_long_leads_take_what_the_pipeline_brings_and_the_mqls_the_goal_needs(demo_result):
    lines = analysis.headline(demo_result)
    assert any(line.startswith("Half of the won deals are won within") and "95% CI" in line for line in lines)
    forecast = next(line for line in lines if "open leads should bring" in line)
    assert "95% interval" in forecast and "weighted pipeline" in forecast
    goal = next(line for line in lines if line.startswith("To reach 2M a month"))
    assert "MQLs a month (95% CI" in goal and "Next step:" in goal
    assert demo_result.time.forecast.backtest.error("forecast") < demo_result.time.forecast.backtest.error(
        "weighted pipeline"
    )


def test_a_funnel_without_dates_says_times_are_not_measured(demo_result):
    from dataclasses import replace

    from alignkit.funnel.report_time import time_sections

    (section,) = time_sections(replace(demo_result, time=None))
    assert section.id == "time" and section.paragraphs[0].startswith("Not measured")
