"""Which analyses a project file enables, and the one-line stop of a notebook opened on a project without its
inputs."""

from __future__ import annotations

import pytest
import yaml

from alignkit.config import ProjectSettings
from alignkit.errors import NotAnalysedError
from alignkit.plan import analyses_run, analysis_plan, outcome_definition, require
from tests.conftest import REPO
from tests.fixtures import shapes


def _settings(text: str) -> ProjectSettings:
    return ProjectSettings.model_validate(yaml.safe_load(text))


@pytest.mark.parametrize(
    "text, expected",
    [
        (shapes.SURVEY_ONLY_PROJECT, ["personas"]),
        (shapes.LEAD_LIST_PROJECT, ["leads"]),
        (shapes.PIPELINE_PROJECT, ["funnel", "leads"]),
        (shapes.CRM_RENAMED_PROJECT, ["funnel", "leads"]),
        ((REPO / "alignkit.yml").read_text(encoding="utf-8"), ["funnel", "personas", "leads"]),
    ],
)
def test_each_shape_enables_the_analyses_its_inputs_allow(text, expected):
    settings = _settings(text)
    assert analyses_run(settings) == expected
    plan = analysis_plan(settings)
    assert [p.notebook for p in plan] == ["01", "02", "03", "04", "05"]
    assert plan[0].runs and plan[-1].runs
    assert all(p.reason for p in plan)


def test_a_crm_without_stages_or_outcome_runs_no_lead_analysis():
    settings = _settings("crm: {contacts: {file: c.csv, columns: {lead_id: Id}}}\n")
    plan = {p.notebook: p for p in analysis_plan(settings)}
    assert not plan["04"].runs and "crm.contacts.columns.converted" in plan["04"].reason


def test_a_notebook_opened_without_its_inputs_stops_with_the_reason():
    settings = _settings(shapes.SURVEY_ONLY_PROJECT)
    require(settings, "03")
    with pytest.raises(NotAnalysedError, match="no CRM export is named"):
        require(settings, "02")


def test_a_project_needs_one_input_and_funnel_stages_need_a_crm():
    with pytest.raises(ValueError, match="name at least one input"):
        _settings("project: nothing\n")
    with pytest.raises(ValueError, match="funnel stages need a CRM export"):
        _settings(
            shapes.SURVEY_ONLY_PROJECT + "funnel: {stages: [{name: A, value: a}, {name: B, value: b}], "
            "mql_stage: A, sql_stage: B, converted_stage: B}\n"
        )


def test_what_notebook_01_found_in_the_data_can_rule_an_analysis_out(tmp_path):
    """A survey of one response, or one with no answer personas can use, skips notebook 03; leads that all share
    one outcome skip notebook 04 — each with the reason, where the project file alone would have run them."""
    settings = _settings(shapes.LEAD_LIST_PROJECT).model_copy(update={"root": tmp_path})
    assert analysis_plan(settings, facts={"leads": 500, "converted": 120})[3].runs
    for converted in (0, 500):
        planned = analysis_plan(settings, facts={"leads": 500, "converted": converted})[3]
        assert not planned.runs and "same outcome" in planned.reason
    survey = _settings(shapes.SURVEY_ONLY_PROJECT).model_copy(update={"root": tmp_path})
    few = analysis_plan(survey, facts={"responses": 1, "persona_answers": 12})[2]
    assert not few.runs and "1 usable response(s), too few" in few.reason
    none = analysis_plan(survey, facts={"responses": 400, "persona_answers": 0})[2]
    assert not none.runs and "no answer personas can be formed from" in none.reason
    (tmp_path / "data" / "processed").mkdir(parents=True)
    (tmp_path / "data" / "processed" / "facts.json").write_text('{"responses": 3, "persona_answers": 5}')
    assert "personas" not in analyses_run(survey)  # read from the run's facts.json


@pytest.mark.parametrize(
    "text, expected",
    [
        ((REPO / "alignkit.yml").read_text(encoding="utf-8"), "converted = reaching Customer (funnel.converted_stage)"),
        (shapes.PIPELINE_PROJECT, "converted = reaching Won (funnel.converted_stage)"),
        (shapes.LEAD_LIST_PROJECT, "converted = the converted column (crm.contacts.columns.converted: Converted)"),
        (
            "crm: {contacts: {file: c.csv, columns: {lead_id: Id}, converted_from: {file: won.csv, key: Id}}}\n",
            "converted = listed in won.csv (crm.contacts.converted_from)",
        ),
        (shapes.SURVEY_ONLY_PROJECT, "no CRM export is named (crm.contacts), so there are no leads and outcomes."),
    ],
)
def test_the_outcome_definition_names_the_key_that_sets_it(text, expected):
    assert outcome_definition(_settings(text)) == expected
