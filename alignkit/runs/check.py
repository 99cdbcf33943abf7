"""What `alignkit validate` says about the outputs: whether a run is going on, whether the last run finished (and
which notebooks did not), and which reports and processed tables were built from other inputs or settings than the
current ones, or by a run that did not finish. Read from the run manifest and the run lock; the inputs are hashed
again, now (see `alignkit.runs`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alignkit.config import ProjectSettings
from alignkit.runs.lock import describe_holder, running_run
from alignkit.runs.manifest import input_hashes, read_manifest, settings_hash

AGAIN = "Run `alignkit run` again."
# what became of a notebook, said of one and of several
STATE_WORDS = {
    "ran": ("finished", "finished"),
    "skipped": ("was skipped", "were skipped"),
    "failed": ("failed", "failed"),
    "not run": ("did not run (a notebook it needs failed)", "did not run (notebooks they need failed)"),
    "interrupted": ("was interrupted", "were interrupted"),
    "running": ("was running when the run was killed", "were running when the run was killed"),
    "waiting": ("did not start", "did not start"),
}


def _when(iso: str | None) -> str:
    """Return an ISO time as '2026-12-06 12:03 UTC' (or '?')."""
    if not iso:
        return "?"
    return f"{iso[:10]} {iso[11:16]} UTC"


def _numbers(numbers: list[str]) -> str:
    return ", ".join(numbers)


def last_run_notes(manifest: Mapping[str, Any]) -> list[str]:
    """Return what the last run did not finish, in words (nothing when it finished)."""
    status = manifest.get("status")
    if status == "finished":
        return []
    by_state: dict[str, list[str]] = {}
    for number, entry in sorted(manifest.get("notebooks", {}).items()):
        by_state.setdefault(entry.get("status", "waiting"), []).append(number)
    how = {
        "running": "was stopped (killed) before it finished",
        "interrupted": "was interrupted (SIGTERM or Ctrl-C) before it finished",
        "failed": "ended with notebooks that did not finish",
    }.get(str(status), f"ended as {status}")
    parts = [
        f"notebook{'s' if len(n) > 1 else ''} {_numbers(n)} {STATE_WORDS[state][len(n) > 1]}"
        for state in ("ran", "skipped", "failed", "not run", "running", "interrupted", "waiting")
        if (n := by_state.get(state))
    ]
    return [
        f"the last run ({manifest.get('run')}, {manifest.get('command', 'alignkit run')}, started "
        f"{_when(manifest.get('started_at'))}) {how}: {'; '.join(parts)}. The reports of the notebooks that did "
        f"not finish are an earlier run's, or missing. {AGAIN}"
    ]


def _stamp_matches(path: Path, entry: Mapping[str, Any]) -> bool:
    stat = path.stat()
    return entry.get("bytes") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns


def output_problems(
    name: str,
    entry: Mapping[str, Any],
    path: Path,
    manifest: Mapping[str, Any],
    inputs_now: Mapping[str, str],
    settings_now: str,
) -> list[str]:
    """Return what is wrong with one output (a report or a processed table) as parts of a sentence; [] when it was
    built by a finished run from the current inputs and settings."""
    problems = []
    unrecorded = "built by an older alignkit or by hand: no run recorded its inputs"
    if entry.get("state") == "in progress":
        earlier = entry.get("previous") or {}
        number = entry.get("notebook")
        state = (
            (manifest.get("notebooks") or {}).get(number, {}).get("status")
            if entry.get("run") == manifest.get("run")
            else None
        )
        why = f"notebook {number} {STATE_WORDS[state][0]}" if state in STATE_WORDS else f"in notebook {number}"
        if not (entry.get("at_start") and _stamp_matches(path, entry["at_start"])):
            problems.append(f"written by run {entry.get('run')}, which did not finish ({why})")
            if entry.get("run") != manifest.get("run"):
                return problems
            entry = {
                "run": manifest.get("run"),
                "started_at": manifest.get("started_at"),
                "settings": manifest.get("settings"),
                "inputs": {k: v.get("hash") for k, v in (manifest.get("inputs") or {}).items()},
            }
        elif not earlier or earlier.get("state") in ("unrecorded", "unfinished"):
            return [
                f"not rewritten by run {entry.get('run')}, which did not finish ({why}); "
                + (
                    f"written by run {earlier.get('run')}, which did not finish either"
                    if earlier.get("state") == "unfinished"
                    else unrecorded
                )
            ]
        else:
            problems.append(
                f"not rewritten by run {entry.get('run')}, which did not finish ({why}): still "
                f"from run {earlier.get('run')}"
            )
            entry = earlier
    elif entry.get("state") in ("unrecorded", "unfinished"):
        return [
            unrecorded
            if entry.get("state") == "unrecorded"
            else f"written by run {entry.get('run')}, which did not finish (in notebook {entry.get('notebook')})"
        ]
    elif not _stamp_matches(path, entry):
        return [
            f"rewritten after run {entry.get('run')} recorded it (outside `alignkit run`, e.g. a notebook run by "
            "hand): no run recorded its inputs"
        ]
    elif entry.get("run") == manifest.get("run") and manifest.get("status") != "finished":
        problems.append(f"built by run {entry.get('run')}, which did not finish")
    changed = sorted(k for k, h in (entry.get("inputs") or {}).items() if k in inputs_now and inputs_now[k] != h)
    if changed:
        problems.append(
            f"built from {', '.join(changed)} as {'they were' if len(changed) > 1 else 'it was'} "
            f"when run {entry.get('run')} started ({_when(entry.get('started_at'))}); "
            f"{'they have' if len(changed) > 1 else 'the file has'} changed since"
        )
    if entry.get("settings") and entry.get("settings") != settings_now:
        problems.append(
            f"built with other settings (the project file's meaning has changed since run {entry.get('run')})"
        )
    return problems


def output_notes(settings: ProjectSettings, manifest: Mapping[str, Any]) -> list[str]:
    """Return one line per stale or unfinished report, and one per group of processed tables with the same
    problems (tables of one run usually share them)."""
    inputs_now = {name: item["hash"] for name, item in input_hashes(settings).items()}
    settings_now = settings_hash(settings)
    reports: list[str] = []
    tables: dict[str, list[str]] = {}
    for name, entry in sorted((manifest.get("outputs") or {}).items()):
        path = settings.root / name
        if not isinstance(entry, dict) or not path.is_file():
            continue
        problems = output_problems(name, entry, path, manifest, inputs_now, settings_now)
        if not problems:
            continue
        if path.suffix == ".html":
            reports.append(f"{name}: {'; '.join(problems)}. {AGAIN}")
        else:
            tables.setdefault("; ".join(problems), []).append(name)
    grouped = [f"{', '.join(names)}: {problems}. {AGAIN}" for problems, names in tables.items()]
    return reports + grouped


def run_notes(settings: ProjectSettings) -> list[str]:
    """Return what `alignkit validate` says about the runs and outputs of the project ([] before the first run)."""
    holder = running_run(settings.root)
    if holder is not None:
        return [
            f"{describe_holder(holder)} is running now: its reports are being rewritten; run `alignkit validate` "
            "again when it has finished."
        ]
    manifest = read_manifest(settings.root)
    if not manifest:
        return []
    return last_run_notes(manifest) + output_notes(settings, manifest)
