"""Shared fixtures: the demo exports written once per session into a temporary project, and what notebook 01 makes of them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from alignkit.config import ProjectSettings, load_settings
from alignkit.demo import write_demo_exports

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
    from alignkit.tables import prepare

    return prepare(demo_settings)


def run_alignkit(project: Path, *args: str, env: dict[str, str] | None = None) -> None:
    """Run `alignkit run` on a project as a user does (a subprocess of the command line); fail with its stderr."""
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "alignkit.cli", "run", "--project", str(project), *args],
                            capture_output=True, text=True, timeout=1800, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr[-4000:]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory, demo_project: Path) -> Path:
    """Return the root of a demo project on which the whole pipeline (`alignkit run`, every notebook) has run once
    per session: data/processed/ and every report in reports/."""
    project = make_project(tmp_path_factory.mktemp("run"), raw_from=demo_project.parent / "data" / "raw")
    run_alignkit(project)
    return project.parent
