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
