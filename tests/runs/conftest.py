"""A small project for the runs' tests: the demo exports and project file, with two notebooks of its own that run in
seconds — 01 counts the contacts into data/processed/leads.parquet and writes a report, 02 writes a report, slowly
when the file `slow` is in the project folder (so a test can stop a run while 02 runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from tests.conftest import make_project

# The tests that start `alignkit run` as a subprocess (a kernel each, seconds of CPU) share one xdist worker, so that
# on a small machine they queue behind each other rather than beside the other workers' tests.
RUNS_GROUP = pytest.mark.xdist_group("alignkit-run-subprocesses")

SETUP = """import os, time
import pandas as pd
from alignkit.config import load_settings
from alignkit.io import write_parquet
from alignkit.report.html import write_report
settings = load_settings(project_file)
inputs = pd.DataFrame({"file": [settings.crm.contacts.file]})"""

CELLS = {
    "01_count_leads.ipynb": SETUP
    + """
with open(settings.raw_path(settings.crm.contacts.file), encoding="utf-8-sig") as handle:
    leads = sum(1 for _ in handle) - 1
write_parquet(pd.DataFrame({"leads": [leads]}), settings.processed_dir / "leads.parquet")
write_report("01_count_leads", title="Leads", subtitle="", headline=[f"{leads} leads"], sections=[],
             settings=settings, inputs=inputs)""",
    "02_slow_report.ipynb": SETUP
    + """
if (settings.root / "slow").exists():
    time.sleep(300)
leads = int(pd.read_parquet(settings.processed_dir / "leads.parquet")["leads"].iloc[0])
write_report("02_slow_report", title="Leads again", subtitle="", headline=[f"{leads} leads"], sections=[],
             settings=settings, inputs=inputs)""",
}


def write_notebook(path: Path, code: str) -> Path:
    """Write a notebook of a parameters cell (project_file) and one code cell; return its path."""
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [
        nbformat.v4.new_code_cell('project_file = "../alignkit.yml"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(code),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(book, path)
    return path


@pytest.fixture
def small_project(tmp_path: Path, demo_project: Path) -> Path:
    """Return the project file of a copy of the demo project whose notebooks are the two small ones (CELLS)."""
    project = make_project(tmp_path / "project", raw_from=demo_project.parent / "data" / "raw")
    for name, code in CELLS.items():
        write_notebook(project.parent / "notebooks" / name, code)
    return project


def alignkit(*args: str, tmp: Path, wait: bool = True) -> subprocess.CompletedProcess | subprocess.Popen:
    """Run (or with wait=False start) the `alignkit` command with its temporary folder in `tmp` (so the kernel
    folders a test looks for are its own)."""
    tmp.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp)}
    command = [sys.executable, "-m", "alignkit.cli", *args]
    if wait:
        return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 300) -> None:
    """Poll `condition` until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def manifest(root: Path) -> dict:
    """Return the project's run manifest ({} when there is none or it is being replaced)."""
    try:
        return json.loads((root / ".alignkit" / "last_run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
