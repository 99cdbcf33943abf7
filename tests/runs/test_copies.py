"""Executed notebook copies (`alignkit.runs.copies`): a copy named like a complete one is one; a failed or stopped
notebook's copy says so in its name, also after a run that was killed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alignkit.runs.copies import running_copy, settle_copy, settle_left_copies


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_copy_gets_its_final_name_only_when_its_notebook_succeeds(tmp_path):
    notebook = Path("02_funnel_and_sla.ipynb")
    running = running_copy(tmp_path, notebook)
    assert running.name == f"02_funnel_and_sla.running-{os.getpid()}.ipynb"
    running.write_text("half", encoding="utf-8")
    failed = settle_copy(running, "failed")
    assert failed.name == "02_funnel_and_sla.failed.ipynb" and not running.exists()
    running.write_text("whole", encoding="utf-8")
    done = settle_copy(running, "ran")
    assert done.name == "02_funnel_and_sla.ipynb" and done.read_text(encoding="utf-8") == "whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["02_funnel_and_sla.ipynb"]  # the failed one is gone


def test_the_copies_of_a_killed_run_are_named_interrupted_and_a_live_runs_are_left(tmp_path):
    dead = tmp_path / f"03_persona_segments.running-{_dead_pid()}.ipynb"
    live = tmp_path / f"04_converting_leads.running-{os.getppid()}.ipynb"  # pytest's parent: alive
    mine = running_copy(tmp_path, Path("05_alignment_report.ipynb"))
    for path in (dead, live, mine):
        path.write_text("half", encoding="utf-8")
    assert settle_left_copies(tmp_path) == [tmp_path / "03_persona_segments.interrupted.ipynb"]
    assert live.exists() and mine.exists()
    assert settle_left_copies(tmp_path, own=True) == [tmp_path / "05_alignment_report.interrupted.ipynb"]
    assert live.exists()


def test_once_a_stop_began_a_failing_notebooks_copy_is_called_interrupted(tmp_path):
    """Ctrl-C reaches the kernels too: their cells fail as the run stops, and those notebooks did not fail."""
    from alignkit.runs.copies import STOPPING

    running = running_copy(tmp_path, Path("03_persona_segments.ipynb"))
    running.write_text("half", encoding="utf-8")
    STOPPING.set()
    try:
        assert settle_copy(running, "failed").name == "03_persona_segments.interrupted.ipynb"
    finally:
        STOPPING.clear()
