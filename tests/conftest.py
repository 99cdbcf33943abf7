"""Shared fixtures: the demo exports written once per session into a temporary project, and what notebook 01 makes
of them."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alignkit.config import ProjectSettings, load_settings
from alignkit.demo.generator import write_demo_exports

REPO = Path(__file__).resolve().parents[1]


def make_project(folder: Path, raw_from: Path | None = None) -> Path:
    """Return the path of a copy of the demo project file in `folder`, with data/raw filled with the demo exports."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "alignkit.yml", folder / "alignkit.yml")
    raw = folder / "data" / "raw"
    if raw_from is not None:
        shutil.copytree(raw_from, raw, dirs_exist_ok=True)
    else:
        write_demo_exports(raw)
    return folder / "alignkit.yml"


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the project file of a session-wide demo project (exports written once)."""
    return make_project(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def demo_settings(demo_project: Path) -> ProjectSettings:
    return load_settings(demo_project)


@pytest.fixture(scope="session")
def truth(demo_project: Path) -> dict:
    return json.loads((demo_project.parent / "data/raw/demo_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def prepared(demo_settings: ProjectSettings):
    from alignkit.prepare.tables import prepare

    return prepare(demo_settings)


def start_alignkit(project: Path, *args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, Path]:
    """Start `alignkit run` on a project as a user does (a subprocess of the command line); return it and its log."""
    log = project.parent / "alignkit-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "alignkit.cli", "run", "--project", str(project), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    return process, log


def wait_alignkit(process: subprocess.Popen, log: Path) -> None:
    """Wait for a started `alignkit run`; fail with the end of its output if it failed."""
    code = process.wait(timeout=1800)
    assert code == 0, log.read_text(encoding="utf-8", errors="replace")[-4000:]


def run_alignkit(project: Path, *args: str, env: dict[str, str] | None = None) -> None:
    """Run `alignkit run` on a project and wait for it."""
    wait_alignkit(*start_alignkit(project, *args, env=env))


# The second run of the reproducibility test fixes the build time, which the reports must then show.
SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01T00:00:00+00:00


# Text a CRM user or a survey respondent can type that would run as a spreadsheet formula or as HTML in a report.
PLANTED_FORMULA = '=HYPERLINK("http://x","y")'
PLANTED_SCRIPT = "<script>alert(1)</script>"
PLANTED_IMAGE = "<img src=x onerror=alert(1)>"
PLANTED = {"education": PLANTED_FORMULA, "healthcare": PLANTED_SCRIPT, "manufacturing": PLANTED_IMAGE}


def plant(path: Path, column: str, planted: dict[str, str], *, skip_rows: int) -> None:
    """Rewrite a CSV export with every spelling of some values of `column` (case and spaces aside) replaced by a
    planted one, header rows kept: a whole category carries the trap, as when a CRM picklist value is edited."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    index = rows[0].index(column)
    for row in rows[skip_rows:]:
        row[index] = planted.get(row[index].strip().lower(), row[index])
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory: pytest.TempPathFactory, demo_project: Path) -> tuple[Path, Path]:
    """Return the roots of two copies of the demo project (in different folders) on which the whole pipeline
    (`alignkit run`, every notebook) has run once per session, side by side to save time: data/processed/ and
    every report in reports/. The second run has SOURCE_DATE_EPOCH set.

    Both copies carry the same traps (PLANTED): a formula and HTML as values of a CRM field (Industry) and of a
    survey answer (the industry question), which tests/report/test_safe_csv.py follows into every report."""
    raw = tmp_path_factory.mktemp("planted-raw")
    shutil.copytree(demo_project.parent / "data" / "raw", raw, dirs_exist_ok=True)
    plant(raw / "hubspot_contacts.csv", "Industry", PLANTED, skip_rows=1)
    plant(raw / "survey_qualtrics.csv", "Q3", PLANTED, skip_rows=3)
    first = make_project(tmp_path_factory.mktemp("run"), raw_from=raw)
    second = make_project(tmp_path_factory.mktemp("run-again"), raw_from=raw)
    started = [start_alignkit(first), start_alignkit(second, env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})]
    for process, log in started:
        wait_alignkit(process, log)
    return first.parent, second.parent


@pytest.fixture(scope="session")
def demo_run(demo_runs: tuple[Path, Path]) -> Path:
    """Return the root of a demo project on which the whole pipeline has run (see demo_runs)."""
    return demo_runs[0]


# pytest-xdist builds a fixture once per worker that needs it. So that each is built once in the whole session, the
# tests that share one go to the same worker (`--dist loadgroup`): the tests of a session fixture that runs the whole
# pipeline form one group, and every other test is grouped with its module (its module-scoped fixtures: the
# shapes' side-by-side runs, a fitted persona model).
# The persona and the leads tests each share a session fixture `result` (the demo's whole analysis, tens of seconds)
# across several modules: their tests form one group per folder too.
EXPENSIVE_FIXTURE_GROUPS = {"demo_runs": "demo-pipeline", "demo_run": "demo-pipeline"}
ANALYSIS_FIXTURES = {"personas": {"result", "truth_persona"}, "leads": {"result", "saved"}}


def pytest_itemcollected(item: pytest.Item) -> None:
    # marked as each test is collected: xdist reads the marks into the test ids in its pytest_collection_modifyitems
    fixtures = getattr(item, "fixturenames", ())
    group = next((EXPENSIVE_FIXTURE_GROUPS[f] for f in fixtures if f in EXPENSIVE_FIXTURE_GROUPS), None)
    folder = item.path.parent.name
    if group is None and ANALYSIS_FIXTURES.get(folder, set()) & set(fixtures):
        group = f"{folder}-analysis"
    if item.get_closest_marker("xdist_group") is None:
        item.add_marker(pytest.mark.xdist_group(group or item.path.relative_to(REPO).as_posix()))
