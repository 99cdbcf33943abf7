"""The run manifest (`<project>/.alignkit/last_run.json`): what the last `alignkit run` saw (inputs' content hashes,
settings hash, version), how far it got (each notebook's state, the run's status) and, carried from run to run, which
run wrote each report and processed table (the ledger of outputs). See `alignkit.runs` for the design."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from alignkit import __version__
from alignkit.config import ProjectSettings
from alignkit.io import write_atomic_text
from alignkit.runs.lock import state_dir

MANIFEST_NAME = "last_run.json"
RUN_ENV = "ALIGNKIT_RUN"  # the run id, inherited by the notebooks' kernels: each report's footer names its run
FINAL_STATES = ("ran", "skipped", "failed", "not run")


def manifest_path(root: Path) -> Path:
    """Return the path of the project's run manifest."""
    return state_dir(root) / MANIFEST_NAME


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0)


def file_hash(path: Path) -> str:
    """Return the first 16 hex characters of the SHA-256 of the file's bytes, read a MB at a time (the same hash as
    the content hash in every report's inputs table)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def input_paths(settings: ProjectSettings) -> dict[str, Path]:
    """Return every raw input file the project file names, by the setting that names it (survey.file,
    crm.contacts.file, crm.lookups[0].file …). A lake names a folder or glob of parquet files: each file is listed;
    a database table is not a file and is not listed."""
    named: dict[str, str | None] = {}
    if settings.survey is not None:
        named["survey.file"] = settings.survey.file
        if settings.survey.weighting is not None:
            named["survey.weighting.margins_file"] = settings.survey.weighting.margins_file
    if settings.crm is not None:
        for role in ("contacts", "deals", "touches"):
            table = getattr(settings.crm, role)
            if table is None:
                continue
            named[f"crm.{role}.file"] = table.file
            if table.converted_from is not None:
                named[f"crm.{role}.converted_from.file"] = table.converted_from.file
            if table.lake:
                lake = settings.raw_path(table.lake)
                files = sorted(lake.rglob("*.parquet")) if lake.is_dir() else sorted(lake.parent.glob(lake.name))
                for index, path in enumerate(files):
                    named[f"crm.{role}.lake[{index}]"] = str(path)
        for index, lookup in enumerate(settings.crm.lookups):
            named[f"crm.lookups[{index}].file"] = lookup.file
    return {key: settings.raw_path(value) for key, value in named.items() if value}


def shown(path: Path, root: Path) -> str:
    """Return a path relative to the project folder when it is inside it."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


def input_hashes(settings: ProjectSettings) -> dict[str, dict[str, Any]]:
    """Return each raw input (by its path relative to the project) with the setting naming it and its content hash
    ('missing' when the file is not there)."""
    found = {}
    for setting, path in input_paths(settings).items():
        found[shown(path, settings.root)] = {
            "setting": setting,
            "hash": file_hash(path) if path.is_file() else "missing",
        }
    return found


def settings_hash(settings: ProjectSettings) -> str:
    """Return a hash of the resolved settings (every key, defaults filled in): any change to what the project file
    means changes it, a comment or a reordering does not."""
    text = json.dumps(settings.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_manifest(root: Path) -> dict[str, Any]:
    """Return the project's run manifest, or {} before the first run (or when it cannot be read)."""
    try:
        manifest = json.loads(manifest_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _stamp(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def planned_outputs(settings: ProjectSettings, notebook: Path, ledger: dict[str, dict[str, Any]]) -> list[str]:
    """Return the outputs a notebook rewrites: its report (reports/<its name>.html, there yet or not) and the others
    its number starts (reports/NN_*.html), the outputs the ledger says it wrote before, and, for notebook 01, every
    processed table."""
    root = settings.root
    number = notebook.name[:2]
    found = {
        shown(p, root)
        for p in [settings.reports_dir / f"{notebook.stem}.html", *settings.reports_dir.glob(f"{number}_*.html")]
    }
    found |= {name for name, entry in ledger.items() if entry.get("notebook") == number}
    if number == "01" and settings.processed_dir.is_dir():
        found |= {shown(p, root) for p in settings.processed_dir.iterdir() if p.is_file()}
    return sorted(found)


class RunRecord:
    """The manifest of the run under way: each change is written to disk at once (atomically), so a run killed at
    any moment leaves a manifest saying how far it got."""

    def __init__(self, settings: ProjectSettings, notebooks: Sequence[Path], *, command: str) -> None:
        self.settings = settings
        self.root = settings.root
        self._lock = threading.Lock()
        started = _now()
        previous = read_manifest(self.root)
        self.data: dict[str, Any] = {
            # start time and pid, for people; four random hex digits, for runs a process starts within a second
            "run": f"{started.strftime('%Y%m%dT%H%M%SZ')}-{os.getpid()}-{secrets.token_hex(2)}",
            "pid": os.getpid(),
            "command": command,
            "alignkit": __version__,
            "status": "running",
            "started_at": started.isoformat(),
            "ended_at": None,
            "settings": settings_hash(settings),
            "inputs": input_hashes(settings),
            "notebooks": {n.name[:2]: {"name": n.name, "status": "waiting"} for n in notebooks},
            "outputs": previous.get("outputs", {}) if isinstance(previous.get("outputs"), dict) else {},
        }
        self._notebook_started: dict[str, int] = {}
        outputs = self.data["outputs"]
        for name in [n for n in outputs if not (self.root / n).is_file()]:
            del outputs[name]  # removed since: nothing left to check
        owners = {
            name: n.name[:2]
            for n in notebooks  # a later notebook's claim wins over 01's claim
            for name in planned_outputs(settings, n, outputs)
        }  # on every processed table
        for name, number in sorted(owners.items()):
            earlier = outputs.get(name)
            path = self.root / name
            if earlier is not None and earlier.get("state") == "in progress":  # an earlier run that did not finish
                if path.is_file() and earlier.get("at_start") != _stamp(path):  # … wrote it: say so
                    earlier = {
                        "state": "unfinished",
                        "run": earlier.get("run"),
                        "notebook": earlier.get("notebook"),
                        **_stamp(path),
                    }
                else:  # … did not: keep what it kept
                    earlier = earlier.get("previous")
            outputs[name] = {
                "state": "in progress",
                "run": self.data["run"],
                "notebook": number,
                "previous": earlier,
                "at_start": _stamp(path) if path.is_file() else None,
            }
        self._write()

    @property
    def run_id(self) -> str:
        """Return the run's id: its UTC start time, pid and four random hex digits."""
        return self.data["run"]

    def _write(self) -> None:
        write_atomic_text(manifest_path(self.root), json.dumps(self.data, indent=1, ensure_ascii=False) + "\n")

    def notebook_started(self, notebook: Path) -> None:
        """Record that a notebook started (from any thread)."""
        with self._lock:
            self._notebook_started[notebook.name[:2]] = _now_ns()
            self.data["notebooks"][notebook.name[:2]].update(status="running", started_at=_now().isoformat())
            self._write()

    def notebook_done(self, notebook: Path, status: str, written: Iterable[Path] = ()) -> None:
        """Record how a notebook ended and the reports it wrote; the processed tables changed since it started and
        not yet recorded by this run are recorded as its too (with notebooks side by side, a table goes to the first
        of them to end after it was written: its run and inputs are right, its notebook may be a neighbour's).
        Outputs it was to rewrite and did not get their earlier record back."""
        number = notebook.name[:2]
        with self._lock:
            since = self._notebook_started.get(number)
            files = {shown(p, self.root): p for p in written}
            if since is not None and self.settings.processed_dir.is_dir():
                for path in self.settings.processed_dir.iterdir():
                    name = shown(path, self.root)
                    entry = self.data["outputs"].get(name, {})
                    mine = entry.get("run") == self.run_id and entry.get("state") == "complete"
                    unchanged = entry.get("state") == "in progress" and entry.get("at_start") == _stamp(path)
                    if path.is_file() and path.stat().st_mtime_ns >= since and not (mine or unchanged):
                        files[name] = path
            for name, path in files.items():
                if path.is_file():
                    self.data["outputs"][name] = {
                        "state": "complete",
                        "run": self.run_id,
                        "notebook": number,
                        "started_at": self.data["started_at"],
                        "alignkit": __version__,
                        "settings": self.data["settings"],
                        "inputs": {k: v["hash"] for k, v in self.data["inputs"].items()},
                        **_stamp(path),
                    }
            for name, entry in list(self.data["outputs"].items()):
                if (
                    entry.get("state") == "in progress"
                    and entry.get("run") == self.run_id
                    and entry.get("notebook") == number
                ):
                    if entry.get("previous"):
                        self.data["outputs"][name] = entry["previous"]
                    elif not entry.get("at_start"):
                        del self.data["outputs"][name]
                    else:  # a file no run recorded (an older alignkit's, or made by hand): kept as unknown
                        self.data["outputs"][name] = {"state": "unrecorded", "notebook": number, **entry["at_start"]}
            self.data["notebooks"][number].update(status=status, ended_at=_now().isoformat())
            self._write()

    def finish(self, status: str) -> None:
        """Record the run's end: 'finished', 'failed' (a notebook failed or did not run) or 'interrupted'; a notebook
        still running is recorded as interrupted."""
        with self._lock:
            for entry in self.data["notebooks"].values():
                if entry["status"] == "running":
                    entry["status"] = "interrupted"
            self.data.update(status=status, ended_at=_now().isoformat())
            self._write()


def _now_ns() -> int:
    # a file's st_mtime_ns comes from the kernel's coarse clock (a tick behind time_ns()): a second's margin is
    # safe, since a notebook writes its outputs seconds after its kernel starts
    return time.time_ns() - 1_000_000_000
