"""The run manifest (`alignkit.runs.manifest`): every raw input hashed, the settings hashed by meaning, each change
written at once, and the outputs a run rewrites marked until its notebooks end."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from alignkit import __version__
from alignkit.config import load_settings
from alignkit.runs.manifest import RunRecord, file_hash, input_hashes, input_paths, read_manifest, settings_hash

LOOKUPS_AND_MARGINS = """
  lookups:
    - {file: accounts.csv, key: company}
"""


def test_every_raw_input_the_project_names_is_hashed(small_project):
    root = small_project.parent
    text = small_project.read_text(encoding="utf-8")
    assert "\n  lookups:" not in text and "margins_file" not in text
    (root / "data/raw/accounts.csv").write_text("company,sector\nA,x\n", encoding="utf-8")
    (root / "data/raw/margins.csv").write_text("margin,category,share\nregion,EU,1\n", encoding="utf-8")
    text = text.replace("\ncrm:\n", "\ncrm:" + LOOKUPS_AND_MARGINS, 1)
    text = text.replace("\nsurvey:\n", "\nsurvey:\n  weighting: {margins_file: margins.csv}\n", 1)
    small_project.write_text(text, encoding="utf-8")
    settings = load_settings(small_project)
    paths = input_paths(settings)
    assert {
        "survey.file",
        "survey.weighting.margins_file",
        "crm.contacts.file",
        "crm.deals.file",
        "crm.touches.file",
        "crm.lookups[0].file",
    } == set(paths)
    hashes = input_hashes(settings)
    contacts = root / "data/raw" / settings.crm.contacts.file
    entry = hashes[f"data/raw/{settings.crm.contacts.file}"]
    assert entry == {"setting": "crm.contacts.file", "hash": hashlib.sha256(contacts.read_bytes()).hexdigest()[:16]}
    (root / "data/raw/accounts.csv").unlink()
    assert input_hashes(settings)["data/raw/accounts.csv"]["hash"] == "missing"


def test_the_settings_hash_follows_meaning_not_layout(small_project):
    before = settings_hash(load_settings(small_project))
    text = small_project.read_text(encoding="utf-8")
    small_project.write_text("# a comment\n" + text, encoding="utf-8")
    assert settings_hash(load_settings(small_project)) == before
    small_project.write_text(
        text.replace("seed: ", "seed: 1", 1) if "seed: " in text else text + "seed: 7\n", encoding="utf-8"
    )
    assert settings_hash(load_settings(small_project)) != before


def test_a_run_is_recorded_as_it_goes(small_project):
    root = small_project.parent
    settings = load_settings(small_project)
    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    old_report = root / "reports/02_slow_report.html"
    old_report.parent.mkdir(parents=True)
    old_report.write_text("an earlier run's report", encoding="utf-8")
    record = RunRecord(settings, notebooks, command="alignkit run")
    saved = read_manifest(root)
    assert saved["status"] == "running" and saved["run"] == record.run_id and saved["alignkit"] == __version__
    assert saved["command"] == "alignkit run" and saved["ended_at"] is None
    assert saved["settings"] == settings_hash(settings)
    assert saved["inputs"][f"data/raw/{settings.crm.contacts.file}"]["hash"] == file_hash(
        settings.raw_path(settings.crm.contacts.file)
    )
    assert saved["notebooks"] == {
        "01": {"name": "01_count_leads.ipynb", "status": "waiting"},
        "02": {"name": "02_slow_report.ipynb", "status": "waiting"},
    }
    stamp = {"bytes": old_report.stat().st_size, "mtime_ns": old_report.stat().st_mtime_ns}
    assert saved["outputs"] == {  # its reports, there yet or not, are marked as being rewritten by this run
        "reports/01_count_leads.html": {
            "state": "in progress",
            "run": record.run_id,
            "notebook": "01",
            "previous": None,
            "at_start": None,
        },
        "reports/02_slow_report.html": {
            "state": "in progress",
            "run": record.run_id,
            "notebook": "02",
            "previous": None,
            "at_start": stamp,
        },
    }

    record.notebook_started(notebooks[0])
    assert read_manifest(root)["notebooks"]["01"]["status"] == "running"
    table = root / "data/processed/leads.parquet"
    table.parent.mkdir(parents=True)
    table.write_bytes(b"a table")
    report = root / "reports/01_count_leads.html"
    report.write_text("report", encoding="utf-8")
    record.notebook_done(notebooks[0], "ran", [report])
    outputs = read_manifest(root)["outputs"]
    for name in ("reports/01_count_leads.html", "data/processed/leads.parquet"):
        assert outputs[name]["state"] == "complete" and outputs[name]["run"] == record.run_id
        assert outputs[name]["notebook"] == "01" and outputs[name]["inputs"] == {
            k: v["hash"] for k, v in saved["inputs"].items()
        }
        assert outputs[name]["bytes"] == (root / name).stat().st_size
    record.notebook_started(notebooks[1])
    record.notebook_done(notebooks[1], "failed")
    saved = read_manifest(root)
    # not rewritten, and no earlier run recorded it: kept as a file whose inputs are unknown
    assert saved["outputs"]["reports/02_slow_report.html"] == {"state": "unrecorded", "notebook": "02", **stamp}
    assert saved["notebooks"]["02"]["status"] == "failed"
    record.finish("failed")
    saved = read_manifest(root)
    assert saved["status"] == "failed" and saved["ended_at"] >= saved["started_at"]
    json.dumps(saved)


def test_a_new_run_keeps_the_record_of_outputs_it_does_not_rewrite(small_project):
    root = small_project.parent
    settings = load_settings(small_project)
    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    first = RunRecord(settings, notebooks, command="alignkit run")
    report = root / "reports/02_slow_report.html"
    report.parent.mkdir(parents=True)
    first.notebook_started(notebooks[1])
    report.write_text("first", encoding="utf-8")
    first.notebook_done(notebooks[1], "ran", [report])
    first.finish("finished")
    kept = read_manifest(root)["outputs"][str(Path("reports/02_slow_report.html"))]
    second = RunRecord(settings, notebooks[:1], command="alignkit run --only 01")
    assert read_manifest(root)["outputs"]["reports/02_slow_report.html"] == kept
    second.finish("finished")
    third = RunRecord(settings, notebooks, command="alignkit run")
    marked = read_manifest(root)["outputs"]["reports/02_slow_report.html"]
    assert marked == {
        "state": "in progress",
        "run": third.run_id,
        "notebook": "02",
        "previous": kept,
        "at_start": {"bytes": kept["bytes"], "mtime_ns": kept["mtime_ns"]},
    }
    report.unlink()
    RunRecord(settings, notebooks[:1], command="alignkit run --only 01")
    assert "reports/02_slow_report.html" not in read_manifest(root)["outputs"]  # gone: nothing to check


def test_a_table_a_later_notebook_wrote_stays_marked_until_that_notebook_ends(small_project):
    """Notebook 01 rewrites the processed tables, but not the ones a later notebook writes there (a persona model):
    those stay marked as the later notebook's while 01 ends."""
    root = small_project.parent
    settings = load_settings(small_project)
    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    first = RunRecord(settings, notebooks, command="alignkit run")
    first.notebook_started(notebooks[1])
    model = root / "data/processed/persona_model.joblib"
    model.parent.mkdir(parents=True)
    model.write_bytes(b"model")
    first.notebook_done(notebooks[1], "ran")
    first.finish("finished")
    assert read_manifest(root)["outputs"]["data/processed/persona_model.joblib"]["notebook"] == "02"
    second = RunRecord(settings, notebooks, command="alignkit run")
    second.notebook_started(notebooks[0])
    second.notebook_done(notebooks[0], "ran")
    entry = read_manifest(root)["outputs"]["data/processed/persona_model.joblib"]
    assert entry["state"] == "in progress" and entry["notebook"] == "02" and entry["previous"]["run"] == first.run_id
