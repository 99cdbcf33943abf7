"""One `alignkit run` at a time in a project folder (`alignkit.runs.lock`): a second run refuses at once naming the
first, or waits with --wait; a killed holder leaves no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from alignkit.runs.lock import ProjectBusy, lock_path, project_lock, running_run
from tests.runs.conftest import RUNS_GROUP, alignkit, manifest, wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock: Windows runs take no lock")


@RUNS_GROUP
def test_a_second_run_refuses_at_once_naming_the_running_one(small_project, tmp_path):
    root = small_project.parent
    (root / "slow").touch()
    first = alignkit("run", "--project", str(small_project), tmp=tmp_path / "tmp", wait=False)
    try:
        wait_for(
            lambda: manifest(root).get("notebooks", {}).get("02", {}).get("status") == "running",
            "the first run to reach notebook 02",
        )
        started = time.monotonic()
        second = alignkit("run", "--project", str(small_project), "--only", "01", tmp=tmp_path / "tmp")
        took = time.monotonic() - started
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=60)
    assert second.returncode == 2, second.stderr
    assert f"the run of pid {first.pid}, started " in second.stderr
    assert f"(alignkit run --project {small_project}) is still running in this project folder" in second.stderr
    assert "alignkit run --wait" in second.stderr and "Traceback" not in second.stderr
    assert took < 30  # refused without waiting for the first run (its notebook 02 sleeps 300 s)
    assert manifest(root)["pid"] == first.pid  # the refused run did not touch the manifest


@RUNS_GROUP
def test_with_wait_a_run_starts_when_the_running_one_ends(small_project, tmp_path):
    root = small_project.parent
    with project_lock(root, command="alignkit run (held by the test)"):
        waiting = alignkit(
            "run", "--project", str(small_project), "--only", "99", "--wait", tmp=tmp_path / "t", wait=False
        )
        wait_for(
            lambda: lock_path(root).read_text().count("held by the test") == 1 and waiting.poll() is None,
            "the waiting run",
        )
        time.sleep(3)
        assert waiting.poll() is None  # still waiting while the lock is held
    _, err = waiting.communicate(timeout=120)
    assert f"waiting for the run of pid {os.getpid()}" in err and "(alignkit run (held by the test)) to finish" in err
    assert waiting.returncode == 1 and "no notebooks named NN_*.ipynb" in err  # it ran once the lock was free


def test_the_lock_names_its_holder_and_a_killed_holder_leaves_it_free(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from pathlib import Path; from alignkit.runs.lock import project_lock\n"
                "with project_lock(Path(sys.argv[1]), command='alignkit run --only 01'):\n"
                "    print('held', flush=True); time.sleep(300)"
            ),
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert running_run(tmp_path)["pid"] == holder.pid
        busy = f"the run of pid {holder.pid}, started .* \\(alignkit run --only 01\\)"
        with pytest.raises(ProjectBusy, match=busy), project_lock(tmp_path, command="second"):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert running_run(tmp_path) is None  # the kernel released the flock with the process
    with project_lock(tmp_path, command="third") as me:
        assert me["pid"] == os.getpid() and running_run(tmp_path)["command"] == "third"
    assert running_run(tmp_path) is None
