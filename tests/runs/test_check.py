"""What `alignkit validate` says about the outputs (`alignkit.runs.check`): reports and tables built from inputs that
have changed since, or by a run that did not finish, and what the last run did not finish — first on a ledger
written step by step, then on a real run killed during notebook 02."""

from __future__ import annotations

import re
import signal
import sys
from pathlib import Path

import pytest

from alignkit.config import load_settings
from alignkit.runs.check import run_notes
from alignkit.runs.lock import project_lock
from alignkit.runs.manifest import RunRecord
from tests.runs.conftest import RUNS_GROUP, alignkit, manifest, wait_for


def _run(settings, notebooks: list[Path], *, stop_in: str = "") -> RunRecord:
    """Record a run whose notebooks write their report (and 01 its table), stopping (as if killed) in `stop_in`."""
    root = settings.root
    record = RunRecord(settings, notebooks, command="alignkit run")
    for notebook in notebooks:
        record.notebook_started(notebook)
        if notebook.name[:2] == stop_in:
            return record
        report = root / "reports" / f"{notebook.stem}.html"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(f"built by {record.run_id}", encoding="utf-8")
        if notebook.name[:2] == "01":
            (root / "data/processed").mkdir(parents=True, exist_ok=True)
            (root / "data/processed/leads.parquet").write_text(record.run_id, encoding="utf-8")
        record.notebook_done(notebook, "ran", [report])
    record.finish("finished")
    return record


def _cut(path: Path, lines: int) -> None:
    """Drop the last `lines` lines of a file (an export that lost rows)."""
    kept = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)[:-lines]
    path.write_text("".join(kept), encoding="utf-8")


def test_stale_and_unfinished_outputs_are_named_with_the_input_and_the_run(small_project):
    settings = load_settings(small_project)
    root = settings.root
    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    (root / "reports").mkdir()
    (root / "reports/02_slow_report.html").write_text("an older alignkit's report", encoding="utf-8")
    unknown = _run(settings, notebooks, stop_in="02")
    killed = "which did not finish (notebook 02 was running when the run was killed)"
    assert run_notes(settings)[2] == (
        f"reports/02_slow_report.html: not rewritten by run {unknown.run_id}, {killed}; "
        "built by an older alignkit or by hand: no run recorded its inputs. Run "
        "`alignkit run` again."
    )
    first = _run(settings, notebooks)
    assert run_notes(settings) == []
    contacts = f"data/raw/{settings.crm.contacts.file}"
    _cut(root / contacts, 100)
    notes = run_notes(settings)
    changed = (
        f"built from {contacts} as it was when run {first.run_id} started "
        f"({first.data['started_at'][:10]} {first.data['started_at'][11:16]} UTC); the file has changed since"
    )
    assert notes == [
        f"reports/01_count_leads.html: {changed}. Run `alignkit run` again.",
        f"reports/02_slow_report.html: {changed}. Run `alignkit run` again.",
        f"data/processed/leads.parquet: {changed}. Run `alignkit run` again.",
    ]

    second = _run(settings, notebooks, stop_in="02")  # killed while notebook 02 ran: the manifest says running
    notes = run_notes(settings)
    assert notes[0].startswith(f"the last run ({second.run_id}, alignkit run, started ")
    assert (
        ") was stopped (killed) before it finished: notebook 01 finished; notebook 02 was running when the run "
        "was killed." in notes[0]
    )
    assert notes[1] == (
        f"reports/01_count_leads.html: built by run {second.run_id}, which did not finish. Run `alignkit run` again."
    )
    assert notes[2] == (
        f"reports/02_slow_report.html: not rewritten by run {second.run_id}, {killed}: still from "
        f"run {first.run_id}; {changed}. Run `alignkit run` again."
    )
    assert notes[3].startswith("data/processed/leads.parquet: built by run ")

    with project_lock(root, command="alignkit run --only 01"):
        held = run_notes(settings)
    assert len(held) == 1 and "(alignkit run --only 01) is running now" in held[0]

    third = _run(settings, notebooks)
    assert run_notes(settings) == []
    (root / "reports/02_slow_report.html").write_text("rebuilt by hand in JupyterLab", encoding="utf-8")
    assert run_notes(settings) == [
        f"reports/02_slow_report.html: rewritten after run {third.run_id} recorded it "
        "(outside `alignkit run`, e.g. a notebook run by hand): no run recorded its inputs. "
        "Run `alignkit run` again."
    ]


def test_a_report_an_unfinished_run_wrote_is_named_so_after_another_unfinished_run(small_project):
    settings = load_settings(small_project)
    root = settings.root
    notebook = root / "notebooks/02_slow_report.ipynb"
    killed = RunRecord(settings, [notebook], command="alignkit run --only 02")
    killed.notebook_started(notebook)
    (root / "reports").mkdir()
    (root / "reports/02_slow_report.html").write_text("written, then the run was killed", encoding="utf-8")
    assert run_notes(settings)[1] == (
        f"reports/02_slow_report.html: written by run {killed.run_id}, which did not "
        "finish (notebook 02 was running when the run was killed). Run `alignkit run` "
        "again."
    )
    again = RunRecord(settings, [notebook], command="alignkit run --only 02")
    again.notebook_started(notebook)
    assert run_notes(settings)[1] == (
        f"reports/02_slow_report.html: not rewritten by run {again.run_id}, which did "
        "not finish (notebook 02 was running when the run was killed); written by run "
        f"{killed.run_id}, which did not finish either. Run `alignkit run` again."
    )
    again.notebook_done(notebook, "failed")
    again.finish("failed")
    assert run_notes(settings)[1] == (
        f"reports/02_slow_report.html: written by run {killed.run_id}, which did not "
        "finish (in notebook 02). Run `alignkit run` again."
    )


@RUNS_GROUP
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL, flock and kernel socket folders are POSIX")
def test_a_run_killed_in_notebook_02_is_named_by_validate_and_cleaned_up_by_the_next(small_project, tmp_path):
    root = small_project.parent
    tmp = tmp_path / "tmp"
    first = alignkit("run", "--project", str(small_project), tmp=tmp)
    assert first.returncode == 0, first.stderr[-3000:]
    first_run = manifest(root)["run"]
    assert manifest(root)["status"] == "finished"
    (root / "slow").touch()
    killed = alignkit("run", "--project", str(small_project), tmp=tmp, wait=False)
    wait_for(
        lambda: (
            manifest(root).get("notebooks", {}).get("02", {}).get("status") == "running"
            and any((root / "reports/executed").glob("02_slow_report.running-*.ipynb"))
        ),
        "notebook 02 to start",
    )
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=60)
    second_run = manifest(root)["run"]
    contacts = root / "data/raw" / load_settings(small_project).crm.contacts.file
    _cut(contacts, 100)

    checked = alignkit("validate", "--project", str(small_project), "--quick", tmp=tmp)
    assert checked.returncode == 0, checked.stderr
    out = checked.stdout
    assert manifest(root)["status"] == "running" and manifest(root)["notebooks"]["02"]["status"] == "running"
    assert f"the last run ({second_run}, alignkit run --project {small_project}, started " in out
    assert (
        "was stopped (killed) before it finished: notebook 01 finished; notebook 02 was running when the run "
        "was killed." in out
    )
    assert re.search(
        rf"reports/01_count_leads.html: built by run {second_run}, which did not finish; "
        rf"built from data/raw/{contacts.name} as it was when run {second_run} started",
        out,
    )
    assert (
        f"reports/02_slow_report.html: not rewritten by run {second_run}, which did not finish (notebook 02 was "
        f"running when the run was killed): still from run {first_run}; built from data/raw/{contacts.name}" in out
    )
    footer = (root / "reports/01_count_leads.html").read_text(encoding="utf-8")
    assert f'by the run <span class="build-run">{second_run}</span> of <code>alignkit run</code>' in footer
    assert "Traceback" not in out + checked.stderr
    left = sorted(tmp.glob(f"alignkit-kernel-{killed.pid}-*"))
    assert left  # a SIGKILL leaves the kernel folders behind …
    assert sorted((root / "reports/executed").glob("02_slow_report.running-*.ipynb"))

    (root / "slow").unlink()
    again = alignkit("run", "--project", str(small_project), "--only", "01", tmp=tmp)
    assert again.returncode == 0, again.stderr[-3000:]
    assert not any(path.exists() for path in left)  # … and the next run removes them
    assert list(tmp.iterdir()) == []  # with the kernels' connection files, kept inside them
    executed = sorted(p.name for p in (root / "reports/executed").iterdir())
    assert executed == ["01_count_leads.ipynb", "02_slow_report.interrupted.ipynb", "02_slow_report.ipynb"]
    assert manifest(root)["status"] == "finished"
    out = alignkit("validate", "--project", str(small_project), "--quick", tmp=tmp).stdout
    assert "reports/01_count_leads.html" not in out  # rebuilt from the current inputs
    assert (
        f"reports/02_slow_report.html: not rewritten by run {second_run}, which did not finish (in notebook 02): "
        f"still from run {first_run}; built from data/raw/{contacts.name} as it was when run "
        f"{first_run} started" in out
    )  # still the first run's, and the contacts changed since
