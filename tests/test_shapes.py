"""Every shape of export a user brings runs end to end as a user runs it — `alignkit init`, the exports in
data/raw/, a project file, `alignkit validate`, `alignkit run` — and the headline figures of the reports match
figures recomputed here with plain pandas from the fixture exports (tests/fixtures/shapes.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import start_alignkit
from tests.fixtures import shapes

SHAPES = ("survey_only", "lead_list", "pipeline", "crm_renamed")
REPORTS = (
    "01_clean_survey_and_crm",
    "02_funnel_and_sla",
    "03_persona_segments",
    "04_converting_leads",
    "05_alignment_report",
)


def alignkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "alignkit.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, dict]:
    """Return, per shape, the fixture's own figures, the `alignkit validate` output and the finished run's log.
    The four runs go side by side (each is a user's `alignkit run` in its own folder)."""
    out, running = {}, {}
    for name in SHAPES:
        folder = tmp_path_factory.mktemp(name) / "project"
        created = alignkit("init", str(folder))
        assert created.returncode == 0, created.stderr
        facts = getattr(shapes, f"write_{name}")(folder)  # the exports, and the project file a user writes
        validated = alignkit("validate", "--project", str(facts["project"]))
        out[name] = {**facts, "folder": folder, "validate": validated}
        running[name] = start_alignkit(facts["project"])
    for name, (process, log) in running.items():
        out[name]["code"] = process.wait(timeout=1800)
        out[name]["log"] = log.read_text(encoding="utf-8", errors="replace")
    return out


def table(project: dict, report: str, name: str) -> pd.DataFrame:
    return pd.read_csv(project["folder"] / "reports" / report / f"{name}.csv")


@pytest.mark.parametrize("name", SHAPES)
def test_each_shape_validates_and_runs_to_every_report(projects, name):
    project = projects[name]
    assert project["validate"].returncode == 0, project["validate"].stdout + project["validate"].stderr
    assert project["code"] == 0, project["log"][-4000:]
    for report in REPORTS:
        assert (project["folder"] / "reports" / f"{report}.html").exists(), report
    assert "Traceback" not in project["log"]


@pytest.mark.parametrize(
    "name, skipped",
    [("survey_only", {"02", "04"}), ("lead_list", {"02", "03"}), ("pipeline", {"03"}), ("crm_renamed", {"03"})],
)
def test_validate_says_which_analyses_run_and_run_skips_the_rest(projects, name, skipped):
    project = projects[name]
    plan = project["validate"].stdout
    for notebook in ("01", "02", "03", "04", "05"):
        line = next(line for line in plan.splitlines() if line.strip().startswith(notebook + " "))
        assert ("skipped" in line) == (notebook in skipped), line
    for notebook in skipped:
        assert f"skipped {notebook}_" in project["log"]
        page = project["folder"] / "reports" / f"{dict(zip([r[:2] for r in REPORTS], REPORTS))[notebook]}.html"
        assert "Not analysed" in page.read_text(encoding="utf-8")


def test_survey_only_forms_personas_without_a_crm(projects):
    project = projects["survey_only"]
    sizes = table(project, "03_persona_segments", "sizes")
    fit = table(project, "03_persona_segments", "fit").set_index("what")["count"]
    in_no_persona = fit[fit.index.str.startswith("In no persona")].item()
    assert sizes["n"].sum() + in_no_persona == project["responses"] and in_no_persona < 0.1 * project["responses"]
    assert 2 <= len(sizes) <= 10
    page = (project["folder"] / "reports" / "05_alignment_report.html").read_text(encoding="utf-8")
    assert "Not analysed" in page
    cleaning = (project["folder"] / "reports" / "01_clean_survey_and_crm.html").read_text(encoding="utf-8")
    assert "duplicate contacts merged" not in cleaning  # it has no contacts: the headline said "0 … merged"
    lead_list = projects["lead_list"]["folder"] / "reports" / "01_clean_survey_and_crm.html"
    assert "duplicate contacts merged" in lead_list.read_text(encoding="utf-8")


def test_lead_list_profile_counts_the_outcome_column(projects):
    project = projects["lead_list"]
    export = project["export"]
    overall = table(project, "04_converting_leads", "overall").iloc[0]
    assert overall["leads"] == len(export)
    assert overall["converted"] == int((export["Converted"] == 1).sum())
    assert overall["rate"] == pytest.approx(export["Converted"].mean(), abs=1e-3)
    assert overall["open_left_out"] == 0
    drivers = table(project, "04_converting_leads", "drivers")
    assert not drivers["what_converters_have"].fillna("").str.contains("WeLearn").any()  # 4 leads at 100%
    leakage = table(project, "04_converting_leads", "leakage_guard").set_index("field")
    assert {"tags", "lead_quality", "last_activity"} <= set(leakage.index)
    assert "missingness" in leakage.loc["lead_quality", "checks"]
    page = (project["folder"] / "reports" / "04_converting_leads.html").read_text(encoding="utf-8")
    assert "No MQL threshold" in page  # no sales capacity in the project file
    # "Do Not Email" is named like personal data but holds Yes/No: validate notes it, the profile keeps it.
    assert "note: leads.csv, column 'Do Not Email': named like personal data" in project["validate"].stdout
    assert "do_not_email" in set(table(project, "04_converting_leads", "associations")["attribute"])
    # The headline names fields by the export's headers and states the score with and without the suspects.
    assert "Without the suspect fields (Last Activity, Tags, Lead Quality)" in page
    rules = table(project, "04_converting_leads", "rules")
    assert not rules["rule"].str.contains(r"\b[a-z]+_[a-z_]+\b").any(), rules["rule"].tolist()
    assert "What is your current occupation" in " ".join(rules["rule"])
    assert not (project["folder"] / "reports" / "04_converting_leads" / "mql_threshold.csv").exists()


def test_pipeline_counts_open_deals_apart_from_lost_ones(projects):
    project = projects["pipeline"]
    stage = project["tables"]["sales_pipeline"]["deal_stage"]
    won, lost = int((stage == "Won").sum()), int((stage == "Lost").sum())
    still_open = int(stage.isin(["Prospecting", "Engaging"]).sum())
    closed = table(project, "02_funnel_and_sla", "closed_outcomes").iloc[0]
    assert (closed["won"], closed["lost"], closed["open"]) == (won, lost, still_open)
    assert closed["win_rate"] == pytest.approx(won / (won + lost), abs=1e-3)
    overall = table(project, "04_converting_leads", "overall").iloc[0]  # the profile learns from closed deals only
    assert (overall["leads"], overall["converted"], overall["open_left_out"]) == (won + lost, won, still_open)


def test_pipeline_lookups_join_on_normalised_keys_and_count_misses(projects):
    project = projects["pipeline"]
    log = table(project, "01_clean_survey_and_crm", "cleaning_log")
    joins = log[log["step"] == "join_lookup"]
    pipeline = project["tables"]["sales_pipeline"]
    normalised = joins[joins["reason"].str.contains("only once case, spaces")]
    assert normalised.set_index("column").loc["product", "rows_affected"] == int(
        (pipeline["product"] == "GTXPro").sum()
    )
    missed = joins[joins["reason"].str.contains("found no row")].set_index("column")
    assert missed.loc["account", "rows_affected"] == int((pipeline["account"] == "Acme Unlisted Corp").sum())
    assert "Acme Unlisted Corp" in missed.loc["account", "reason"]


def test_renamed_stages_reach_the_reports_and_no_demo_stage_name_does(projects):
    project = projects["crm_renamed"]
    export = project["export"]
    conversion = table(project, "02_funnel_and_sla", "conversion")
    assert list(conversion["from_stage"]) == ["Inquiry", "Working"]
    assert list(conversion["to_stage"]) == ["Working", "Won"]
    stages = table(project, "02_funnel_and_sla", "stages").set_index("stage")
    assert stages.loc["Won", "reached"] == int((export["Status"] == "Won").sum())
    funnel_page = (project["folder"] / "reports" / "02_funnel_and_sla.html").read_text(encoding="utf-8")
    assert "Follow-up times are not measured" in funnel_page  # no touches: no breach invented
    for demo_name in ("Subscriber", "Opportunity", "reached_mql", "reached_customer"):
        assert demo_name not in funnel_page


def test_pipeline_breaks_the_funnel_down_by_the_project_fields(projects):
    segments = table(projects["pipeline"], "02_funnel_and_sla", "segments")
    assert set(segments["breakdown"]) == {"owner", "manager", "regional_office", "sector", "product"}
