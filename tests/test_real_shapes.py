"""Shapes of real public exports (tests/fixtures/real_shapes.py) from `alignkit init --from` on, as a new user runs
them: no ALIGNKIT_SALT in the environment (init writes the salt file, kept out of git), the draft decides each
file's kind, the lead id (or the row number), the outcome and its rate as the fixture says, `validate` passes on
the unedited draft, and `run` completes on three of them with no 'Traceback' in any output, notebook or report."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from alignkit.draft.assemble import draft_project
from tests.fixtures import real_shapes

RUN = ("telemarketing", "mql_deals", "converted_variants")


ENV = {k: v for k, v in os.environ.items() if k != "ALIGNKIT_SALT"}  # a new user has no salt in the environment


def alignkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "alignkit.cli", *args], capture_output=True, text=True, timeout=900, env=ENV
    )


@pytest.fixture(scope="module")
def drafted(tmp_path_factory) -> dict[str, dict]:
    """Return, per shape: its truth, the draft (in process), the drafted YAML, validate's and run's output."""
    out = {}
    for name, write in real_shapes.WRITERS.items():
        base = tmp_path_factory.mktemp(name)
        truth = write(base / "exports")
        created = alignkit("init", str(base / "project"), "--from", str(base / "exports"))
        project = base / "project" / "alignkit.yml"
        out[name] = {
            "truth": truth,
            "draft": draft_project([base / "exports"]),
            "init": created,
            "project": project,
            "yaml": yaml.safe_load(project.read_text(encoding="utf-8")) if project.exists() else None,
            "validate": alignkit("validate", "--project", str(project)),
        }
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", "alignkit.cli", "run", "--project", str(out[name]["project"])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        for name in RUN
    }  # side by side, as users may
    for name, process in running.items():
        stdout, stderr = process.communicate(timeout=1800)
        out[name]["run"] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return out


@pytest.mark.parametrize("name", list(real_shapes.WRITERS))
def test_the_draft_decides_kinds_id_and_outcome_as_the_export_is(drafted, name):
    truth, draft = drafted[name]["truth"], drafted[name]["draft"]
    assert {e.path.name: e.kind for e in draft.exports} == truth["kinds"]
    if truth["lead_id"] is None:
        assert draft.contacts is None
        return
    assert draft.contacts.column("lead_id") == truth["lead_id"]
    column, values = truth["outcome"]
    assert draft.outcome.column == column
    assert sorted(v.strip() for v in draft.outcome.converted_values) == sorted({v.strip() for v in values})
    assert float(draft.outcome.converted.mean()) == pytest.approx(truth["rate"])
    attributes = {t.column for t in draft.contacts.attributes.values()}
    assert not attributes & set(truth["never_traits"])
    assert not set(draft.suspects) & set(truth.get("not_suspects", []))


@pytest.mark.parametrize("name", list(real_shapes.WRITERS))
def test_the_unedited_draft_validates_without_a_salt_in_the_environment(drafted, name):
    shape = drafted[name]
    assert shape["init"].returncode == 0, shape["init"].stderr
    folder = shape["project"].parent
    assert (folder / ".alignkit-salt").stat().st_size > 32
    assert ".alignkit-salt" in (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    salt = (folder / ".alignkit-salt").read_text(encoding="utf-8").strip()
    assert salt not in shape["project"].read_text(encoding="utf-8")
    validated = shape["validate"]
    assert validated.returncode == 0 and "look good" in validated.stdout, validated.stdout + validated.stderr
    assert "Traceback" not in validated.stdout + validated.stderr


@pytest.mark.parametrize("name", RUN)
def test_run_completes_with_no_traceback_and_the_drafted_outcome(drafted, name):
    shape = drafted[name]
    ran = shape["run"]
    assert ran.returncode == 0, (ran.stdout + ran.stderr)[-3000:]
    folder = shape["project"].parent
    texts = [
        ran.stdout,
        ran.stderr,
        *(p.read_text(encoding="utf-8") for p in folder.glob("reports/*.html")),
        *(json.dumps(json.loads(p.read_text(encoding="utf-8"))["cells"]) for p in folder.glob("notebooks/*.ipynb")),
    ]
    assert not [t for t in texts if "Traceback" in t]
    salt = (folder / ".alignkit-salt").read_text(encoding="utf-8").strip()
    assert not [t for t in texts if salt in t]
    leads = pd.read_parquet(folder / "data" / "processed" / "leads.parquet")
    assert leads["converted"].mean() == pytest.approx(shape["truth"]["rate"])
    for column in shape["truth"].get("numbers", []):  # decimal commas read as numbers, not dropped
        assert pd.api.types.is_numeric_dtype(leads[column]) and leads[column].notna().all()
    drivers = pd.read_csv(folder / "reports" / "04_converting_leads" / "drivers.csv")
    assert not set(drivers.iloc[:, 0].astype(str)) & {"lead_number", "landing_page_id", "mql_id"}


def test_a_membership_table_with_dates_gives_a_timed_funnel(drafted):
    """The closed-deals table lists the MQLs that converted and when (won_date): the draft reads the date, lays out
    MQL → Won from the outcome (the MQL list has no stage column), and notebook 02 times the conversion with the
    open MQLs censored."""
    shape = drafted["mql_deals"]
    data, truth = shape["yaml"], shape["truth"]
    assert data["crm"]["contacts"]["converted_from"]["date"] == "won_date"
    assert [s["name"] for s in data["funnel"]["stages"]] == ["MQL", "Won"]
    times = pd.read_csv(shape["project"].parent / "reports" / "02_funnel_and_sla" / "time_to_convert.csv")
    won = times.iloc[-1]
    assert won["to_stage"] == "Won" and won["reached"] == round(truth["rate"] * 1500)
    assert won["median_days_ci_low"] - 2 <= truth["median_days_to_win"] <= won["median_days_ci_high"] + 2
