"""A run stopped by SIGTERM (`alignkit.runs.stop`) ends in order and at once: the manifest says interrupted, the
executed copy says so in its name, its kernel folders are gone and its kernel ends with it."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import pytest

from tests.runs.conftest import RUNS_GROUP, alignkit, manifest, wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and kernel socket folders")


def kernels_of_run(run: str) -> list[int]:
    """Return the pids of the kernel processes started for a run (their environment names it), from /proc."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if (
                f"ALIGNKIT_RUN={run}".encode() in environ.read_bytes().split(b"\0")
                and b"ipykernel" in (environ.parent / "cmdline").read_bytes()
            ):
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


@RUNS_GROUP
def test_sigterm_stops_the_run_in_order(small_project, tmp_path):
    root = small_project.parent
    tmp = tmp_path / "tmp"
    (root / "slow").touch()
    run = alignkit("run", "--project", str(small_project), "--only", "02", tmp=tmp, wait=False)
    wait_for(
        lambda: (
            manifest(root).get("notebooks", {}).get("02", {}).get("status") == "running"
            and any((root / "reports/executed").glob("02_slow_report.running-*.ipynb"))
        ),
        "notebook 02 to start",
    )
    run_id = manifest(root)["run"]
    wait_for(lambda: kernels_of_run(run_id) != [], "notebook 02's kernel")
    stopped_at = time.monotonic()
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert time.monotonic() - stopped_at < 20  # notebook 02 would sleep 300 s
    assert run.returncode == 128 + signal.SIGTERM, err
    assert f"alignkit: run {run_id} stopped by SIGTERM while notebook 02 ran. `alignkit validate` lists" in err
    assert "Traceback" not in err, err
    saved = manifest(root)
    assert saved["status"] == "interrupted" and saved["notebooks"]["02"]["status"] == "interrupted"
    assert saved["ended_at"] is not None
    assert sorted(p.name for p in (root / "reports/executed").iterdir()) == ["02_slow_report.interrupted.ipynb"]
    assert list(tmp.iterdir()) == []  # no kernel folder, no kernel connection file
    wait_for(lambda: kernels_of_run(run_id) == [], "the kernel to end with its run", timeout=15)
    checked = alignkit("validate", "--project", str(small_project), "--quick", tmp=tmp)
    assert "was interrupted (SIGTERM or Ctrl-C) before it finished: notebook 02 was interrupted." in checked.stdout
