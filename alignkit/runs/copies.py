"""A notebook's executed copy (reports/executed/NN_name.ipynb) is the record of the run that built its report, so a
copy that looks complete must be one: papermill saves the copy after every cell, so it is written under
`NN_name.running-<pid>.ipynb` and renamed to `NN_name.ipynb` only when the notebook succeeds; a failed notebook's
copy becomes `NN_name.failed.ipynb`, and a stopped run's `NN_name.interrupted.ipynb` (at once on SIGTERM or
Ctrl-C, at the next run's start after a kill)."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from alignkit.kernels import process_alive

STOPPING = threading.Event()  # set when the run is being stopped by a signal (alignkit.runs.stop)
_RUNNING = re.compile(r"^(?P<stem>.+)\.running-(?P<pid>\d+)\.ipynb$")
ENDINGS = {"ran": ".ipynb", "failed": ".failed.ipynb", "interrupted": ".interrupted.ipynb"}


def running_copy(executed_dir: Path, notebook: Path) -> Path:
    """Return where this process writes a notebook's executed copy while it runs."""
    return executed_dir / f"{notebook.stem}.running-{os.getpid()}.ipynb"


def settle_copy(running: Path, state: str) -> Path:
    """Rename a running copy to what became of its notebook ('ran', 'failed' or 'interrupted'; always 'interrupted'
    once a stop began); return the new path. A success removes the failed or interrupted copies of earlier runs."""
    if STOPPING.is_set():
        state = "interrupted"  # a notebook whose kernel the stop killed has not failed
    match = _RUNNING.match(running.name)
    stem = match["stem"] if match else running.stem
    target = running.with_name(stem + ENDINGS[state])
    if running.exists():
        os.replace(running, target)
    if state == "ran":
        for ending in (ENDINGS["failed"], ENDINGS["interrupted"]):
            running.with_name(stem + ending).unlink(missing_ok=True)
    return target


def settle_left_copies(executed_dir: Path, *, own: bool = False) -> list[Path]:
    """Rename to `.interrupted.ipynb` the running copies of processes that are gone (a killed run's), or with `own`
    this process's (a run stopped by a signal); return the new paths."""
    settled = []
    for path in sorted(executed_dir.glob("*.running-*.ipynb")) if executed_dir.is_dir() else []:
        match = _RUNNING.match(path.name)
        if match is None:
            continue
        pid = int(match["pid"])
        if (pid == os.getpid()) if own else (pid != os.getpid() and not process_alive(pid)):
            settled.append(settle_copy(path, "interrupted"))
    return settled
