"""One `alignkit run` at a time in a project folder: an exclusive `flock` on `<project>/.alignkit/run.lock`, held for
the whole run and released by the kernel when the process ends, however it ends (a killed run leaves no stale lock).
The holder writes its pid, start time and command into the file, so a second run can name it.

Where the platform has no `fcntl` (Windows), no lock is taken: two runs there are not stopped."""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alignkit.errors import AlignkitError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

STATE_DIR = ".alignkit"
LOCK_NAME = "run.lock"


class ProjectBusy(AlignkitError):
    """Another `alignkit run` holds the project's lock; the message names it."""


def state_dir(root: Path) -> Path:
    """Return the folder of the project's run state (`<project>/.alignkit`)."""
    return Path(root) / STATE_DIR


def lock_path(root: Path) -> Path:
    """Return the path of the project's run lock."""
    return state_dir(root) / LOCK_NAME


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _read_holder(path: Path) -> dict[str, Any]:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def describe_holder(holder: dict[str, Any]) -> str:
    """Return a run as a person reads it: 'the run of pid 123, started 2026-12-06T12:03:11+00:00 (alignkit run)'."""
    if not holder:
        return "another run (it has not yet written who it is)"
    return (
        f"the run of pid {holder.get('pid', '?')}, started {holder.get('started_at', '?')} "
        f"({holder.get('command', 'alignkit run')})"
    )


def running_run(root: Path) -> dict[str, Any] | None:
    """Return the pid, start time and command of the run holding the project's lock, or None when no run holds it."""
    path = lock_path(root)
    if fcntl is None or not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@contextmanager
def project_lock(
    root: Path, *, command: str, wait: bool = False, waiting: Callable[[str], None] | None = None
) -> Iterator[dict[str, Any]]:
    """Hold the project's run lock for the `with` block; yield what it records of this run (pid, started_at,
    command). When another run holds it: raise ProjectBusy naming that run, or with `wait` tell `waiting` whom we
    wait for and block until it ends."""
    path = lock_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = describe_holder(_read_holder(path))
                if not wait:
                    raise ProjectBusy(
                        f"{Path(root) / STATE_DIR / LOCK_NAME}: {holder} is still running in this project folder; two "
                        "runs at once would write the same reports. Fix: wait for it to finish (or stop it), or run "
                        "`alignkit run --wait` to start when it ends."
                    ) from None
                if waiting is not None:
                    waiting(f"waiting for {holder} to finish …")
                fcntl.flock(fd, fcntl.LOCK_EX)
        me = {"pid": os.getpid(), "started_at": _now(), "command": command}
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, (json.dumps(me) + "\n").encode("utf-8"))
        yield me
    finally:
        os.close(fd)  # closing the only descriptor releases the flock
