"""validate lists every value of a stage, outcome or deal-stage column the project file does not know, with its
count and close matches: a misspelt value in alignkit.yml must not quietly leave every lead at "stage unknown"."""

from __future__ import annotations

import pandas as pd

from alignkit.config import load_settings
from alignkit.prepare.validate import unknown_values, validate_project
from tests.conftest import make_project
from tests.fixtures import shapes


def test_a_misspelt_stage_value_fails_validate_with_the_count_and_close_match(tmp_path):
    facts = shapes.write_crm_renamed(tmp_path / "project", n=300)
    project = facts["project"]
    assert unknown_values(load_settings(project)) == []
    project.write_text(project.read_text().replace("value: Working,", "value: Workng,"))
    problems = validate_project(load_settings(project))
    working = int((facts["export"]["Status"] == "Working").sum())
    assert len(problems) == 1 and problems[0].column == "Status"
    assert f"'Working' ({working:,} rows; close to 'Workng')" in problems[0].message
    assert "funnel.stages[].value" in problems[0].message and "crm_leads.csv" in problems[0].message


def test_placeholders_in_the_stage_column_are_missing_not_unknown(tmp_path):
    facts = shapes.write_crm_renamed(tmp_path / "project", n=300)
    raw = facts["project"].parent / "data" / "raw" / "crm_leads.csv"
    export = facts["export"].copy()
    export.loc[:9, "Status"] = "-- Select --"
    export.loc[10:12, "Status"] = "Qualifed"
    export.to_csv(raw, index=False)
    [problem] = unknown_values(load_settings(facts["project"]))
    assert "'Qualifed' (3 rows" in problem.message and "Select" not in problem.message


def test_outcome_values_in_no_list_are_listed(tmp_path):
    facts = shapes.write_lead_list(tmp_path / "project", n=300)
    raw = facts["project"].parent / "data" / "raw" / "leads.csv"
    export = facts["export"].astype({"Converted": "str"})
    export.loc[:4, "Converted"] = "yes"
    export.to_csv(raw, index=False)
    [problem] = unknown_values(load_settings(facts["project"]))
    assert "'yes' (5 rows" in problem.message and "outcome.converted_values" in problem.message


def test_deal_stages_with_no_won_value_fail(tmp_path, demo_project):
    project = make_project(tmp_path / "project", raw_from=demo_project.parent / "data" / "raw")
    settings = load_settings(project)
    path = project.parent / "data" / "raw" / "hubspot_deals.csv"
    deals = pd.read_csv(path, dtype=str, keep_default_na=False)
    won = deals["Deal Stage"].isin(settings.crm.won_deal_stages)
    assert won.any() and unknown_values(settings) == []
    deals.loc[won, "Deal Stage"] = "closed won (signed)"
    deals.to_csv(path, index=False)
    [problem] = unknown_values(settings)
    assert problem.column == "Deal Stage" and "crm.won_deal_stages" in problem.message
    assert f"'closed won (signed)' ({int(won.sum()):,} rows" in problem.message


def test_a_do_not_email_flag_is_a_suggestion_not_a_problem(tmp_path):
    from alignkit.prepare.validate import pii_suggestions

    facts = shapes.write_lead_list(tmp_path / "project", n=300)
    settings = load_settings(facts["project"])
    assert validate_project(settings) == []
    [note] = pii_suggestions(settings)
    assert note.column == "Do Not Email" and "privacy.pii_columns" in note.message
    project = facts["project"]
    project.write_text(project.read_text().replace("privacy:\n", "privacy:\n  pii_columns: [Do Not Email]\n"))
    assert pii_suggestions(load_settings(project)) == []
