"""`alignkit init DIR --from FILES` on every export shape of tests/fixtures/shapes.py (the exports only, not their
hand-written project files): the drafted mapping is right, `alignkit validate` passes on the draft unedited, and
`alignkit run` completes on it (two shapes run, side by side, as tests/test_shapes.py does)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import start_alignkit
from tests.fixtures import shapes

SHAPES = ("survey_only", "lead_list", "pipeline", "crm_renamed")
RUN = ("lead_list", "pipeline")
ENV = {"ALIGNKIT_SALT": "init-from-test-salt"}


def alignkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "alignkit.cli", *args],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **ENV},
    )


@pytest.fixture(scope="module")
def drafts(tmp_path_factory) -> dict[str, dict]:
    """Return, per shape, the drafted project (path, text, parsed YAML) and its `alignkit validate` output; the
    shapes in RUN also carry their finished `alignkit run`'s exit code and log."""
    out, running = {}, {}
    for name in SHAPES:
        base = tmp_path_factory.mktemp(name)
        facts = getattr(shapes, f"write_{name}")(base / "exports")
        facts["project"].unlink()  # the hand-written project file is not used
        files = sorted(str(p) for p in (base / "exports" / "data" / "raw").glob("*.csv"))
        created = alignkit("init", str(base / "project"), "--from", *files)
        assert created.returncode == 0, created.stderr
        project = base / "project" / "alignkit.yml"
        text = project.read_text(encoding="utf-8")
        out[name] = {
            "project": project,
            "text": text,
            "yaml": yaml.safe_load(text),
            "facts": facts,
            "validate": alignkit("validate", "--project", str(project)),
        }
        if name in RUN:
            running[name] = start_alignkit(project, env=ENV)
    for name, (process, log) in running.items():
        out[name]["code"] = process.wait(timeout=1800)
        out[name]["log"] = log.read_text(encoding="utf-8", errors="replace")
    return out


@pytest.mark.parametrize("name", SHAPES)
def test_the_draft_validates_unedited(drafts, name):
    validated = drafts[name]["validate"]
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "look good" in validated.stdout


@pytest.mark.parametrize("name", RUN)
def test_alignkit_run_completes_on_the_draft(drafts, name):
    draft = drafts[name]
    assert draft["code"] == 0, draft["log"][-4000:]
    assert "Traceback" not in draft["log"]
    reports = draft["project"].parent / "reports"
    assert {p.stem[:2] for p in reports.glob("*.html")} >= {"01", "04", "05"}


def test_survey_only_is_drafted_as_a_plain_survey(drafts):
    data = drafts["survey_only"]["yaml"]
    assert data["survey"] == {"file": "customer_survey.csv", "format": "plain", "encoding": "auto", "delimiter": "auto"}
    assert "crm" not in data
    text = drafts["survey_only"]["text"]
    assert (
        "How often do you buy from us?: ordered scale — levels in order: Never < Rarely < Sometimes < Often "
        "< Always" in text
    )


def test_lead_list_maps_its_id_outcome_and_suspects(drafts):
    data, text = drafts["lead_list"]["yaml"], drafts["lead_list"]["text"]
    contacts = data["crm"]["contacts"]
    assert contacts["columns"] == {"lead_id": "Prospect ID", "converted": "Converted", "source": "Lead Source"}
    assert contacts["attributes"]["do_not_email"] == "Do Not Email"
    assert "magazine" not in contacts["attributes"] and "#   Magazine: constant — 'No' in every row" in text
    # a sparse, descending lead number is an id (never a trait); country names are places, not people's names
    assert "#   Lead Number: id — 3,000 distinct values, unique per row; whole numbers named like an id" in text
    assert contacts["attributes"]["country"] == "Country" and "guessed: place — named like places" in text
    assert data["outcome"] == {"converted_values": ["1"], "not_converted_values": ["0"], "open_values": []}
    assert {"tags", "lead_quality", "last_activity"} <= set(data["leads"]["post_outcome_fields"])
    for line in text.splitlines():  # placeholders are missing values, never a category
        if line.strip().startswith(("specialization:", "city:")):
            assert "Select" not in line and (
                "category — 4 values" in line or "place — named like places, not personal data; 3 values" in line
            ), line


def test_pipeline_maps_stages_lookups_and_their_keys(drafts):
    data, text = drafts["pipeline"]["yaml"], drafts["pipeline"]["text"]
    columns = data["crm"]["contacts"]["columns"]
    assert columns == {
        "lead_id": "opportunity_id",
        "stage": "deal_stage",
        "owner": "sales_agent",
        "amount": "close_value",
        "created_at": "engage_date",
        "closed_at": "close_date",
    }
    joins = {lk["file"]: (lk["key"], lk["on"]) for lk in data["crm"]["lookups"]}
    assert joins == {
        "accounts.csv": ("account", "account"),
        "products.csv": ("product", "product"),
        "sales_teams.csv": ("sales_agent", "owner"),
    }
    funnel = data["funnel"]
    assert [(s["value"], s.get("reached_column")) for s in funnel["stages"]] == [
        ("Prospecting", None),
        ("Engaging", "engage_date"),
        ("Won", None),
    ]
    assert (funnel["lost_values"], funnel["judge"], funnel["converted_stage"]) == (["Lost"], "closed", "Won")
    assert "100% of the 7 distinct product values match" in text  # 'GTXPro' folds onto 'GTX Pro'
    assert "98% of the 61 distinct account values match" in text and "1 unmatched" in text


def test_crm_renamed_maps_its_own_stage_names_and_dates(drafts):
    data = drafts["crm_renamed"]["yaml"]
    assert data["crm"]["contacts"]["columns"] == {
        "lead_id": "Lead ID",
        "created_at": "Created",
        "stage": "Status",
        "source": "Source",
        "owner": "Owner",
    }
    funnel = data["funnel"]
    assert [(s["value"], s.get("reached_column")) for s in funnel["stages"]] == [
        ("Inquiry", None),
        ("Working", "Worked On"),
        ("Won", "Won On"),
    ]
    assert (funnel["lost_values"], funnel["judge"]) == (["Disqualified"], "maturity")
    assert set(data["crm"]["contacts"]["attributes"]) == {"company_size", "region", "pages_viewed"}


def test_the_draft_names_inputs_relative_to_its_folder(drafts):
    draft = drafts["pipeline"]
    raw = (draft["project"].parent / draft["yaml"]["paths"]["raw"]).resolve()
    assert (raw / "sales_pipeline.csv").exists()
    assert not Path(draft["yaml"]["paths"]["raw"]).is_absolute()


def headline_of(report: Path) -> list[str]:
    """Return a report's headline lines as a reader sees them (tags stripped, entities decoded)."""
    section = report.read_text(encoding="utf-8").split('id="headline"', 1)[1].split("</section>", 1)[0]
    return [html.unescape(re.sub(r"<[^>]+>", "", li)) for li in re.findall(r"<li>(.*?)</li>", section, re.S)]


NOTHING_TO_DO = (
    "No segment converts significantly below",
    "Follow-up times are not measured",
    "No rule of the leads' traits",
    "No lead attribute marks converting leads clearly",
)


@pytest.mark.parametrize("name", RUN)
def test_a_next_step_only_where_the_finding_gives_one(drafts, name):
    """Every headline a sales manager reads (02, 04, 05) on the drafted shapes: a finding with nothing to act on
    carries no next step; the rule and the traits are recommended exactly when their lift's 95% CI on the report's
    own CSV twins lies above 1; a score no better than chance asks no one to rank leads by it."""
    reports = drafts[name]["project"].parent / "reports"
    lines = [
        line
        for slug in ("02_funnel_and_sla", "04_converting_leads", "05_alignment_report")
        if (reports / f"{slug}.html").exists()
        for line in headline_of(reports / f"{slug}.html")
    ]
    assert lines
    for line in lines:
        if line.startswith(NOTHING_TO_DO):
            assert "Next step" not in line, line
    text = " ".join(lines)
    rules = pd.read_csv(reports / "04_converting_leads" / "rules.csv")
    clear_rule = ((rules["lift_ci_low"] > 1) & ~rules["data_entry_effect"].astype(bool)).any()
    assert ("Next step: write this rule" in text) == clear_rule
    drivers = pd.read_csv(reports / "04_converting_leads" / "drivers.csv")
    clear_trait = (
        (drivers["group"] == "lead attribute") & drivers["significant"] & (drivers["lift_ci_low_of_best"] > 1)
    ).any()
    assert ("Next step: marketing targets leads with these traits" in text) == clear_trait
    if "hardly better than chance" in text:
        assert "Next step: use the lead score" not in text and "Next step: pass leads above" not in text
    if name == "pipeline":
        # Its wins depend on the sales agent alone, who is assigned by sales and kept out of the lead's traits.
        assert not clear_rule and not clear_trait and "hardly better than chance" in text
    else:
        # The web-form lead list converts by occupation and time on the site (tests/fixtures/shapes.py).
        assert clear_rule and clear_trait and "Next step: use the lead score" in text


def test_the_drafted_pipeline_times_wins_and_losses_by_their_close_date(drafts):
    """The one-table pipeline's close_date is drafted as the deals' own close date: a won deal without a Won date
    is won on it, a lost one lost on it (never on the day it entered), and open deals stay open, censored."""
    folder = drafts["pipeline"]["project"].parent / "reports" / "02_funnel_and_sla"
    won = pd.read_csv(folder / "time_to_convert.csv").iloc[-1]
    facts = drafts["pipeline"]["facts"]
    assert (won["to_stage"], won["reached"], won["lost"]) == ("Won", facts["won"], facts["lost"])
    cycle = pd.read_csv(folder / "sales_cycle.csv").set_index("outcome")
    # closes were drawn 5 to 119 days after engagement, for won and lost deals alike: a median near 62 days
    for outcome in ("won", "lost"):
        assert 50 <= cycle.loc[outcome, "median_days"] <= 70, cycle
