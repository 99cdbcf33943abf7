"""The package as a user installs it: `python -m build` makes the sdist and, from it, the wheel; the wheel goes into a
fresh virtual environment, and its `alignkit` command makes demo exports, a project, validates it and runs notebook 01
in a folder outside the checkout, with no PYTHONPATH.

The fresh environment sees only what the wheel declares: its Requires-Dist, and theirs, linked from this test
environment (installing them from PyPI would take minutes). Linking the whole site-packages folder instead would
hide a missing declaration (pytest, hypothesis and pyspark are there too) and bring in this environment's editable
install of the checkout."""

from __future__ import annotations

import email
import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
# Imported by alignkit only for an optional extra, so not in the wheel's own requirements.
EXTRA_IMPORTS = {"pyspark"}  # engine/sources.py, under [project.optional-dependencies] spark


def wheel_requirements(wheel: Path) -> list[Requirement]:
    """Return the Requires-Dist entries of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return [Requirement(r) for r in email.message_from_bytes(archive.read(name)).get_all("Requires-Dist", [])]


def installed_closure(requirements: list[Requirement]) -> tuple[dict[str, metadata.Distribution], list[str]]:
    """Return the distributions of this environment that `requirements` need, with their own requirements (markers
    and extras evaluated), by canonical name; and each requirement that no installed version satisfies."""
    found: dict[str, metadata.Distribution] = {}
    extras_done: dict[str, set[str]] = {}
    unmet: list[str] = []
    todo = [(r, "") for r in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        try:
            dist = found.get(name) or metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            unmet.append(f"{requirement} (not installed)")
            continue
        if not requirement.specifier.contains(dist.version, prereleases=True):
            unmet.append(f"{requirement} (installed: {dist.version})")
        new = ({""} | set(requirement.extras)) - extras_done.get(name, set())  # "": its unconditional ones
        found[name] = dist
        extras_done.setdefault(name, set()).update(new)
        todo += [(Requirement(r), e) for r in dist.requires or [] for e in new]
    return found, unmet


def link_distributions(dists: dict[str, metadata.Distribution], site_packages: Path) -> None:
    """Link each distribution's top-level files and folders (its packages, modules, .dist-info) into
    `site_packages`; files it installed outside its own site-packages (scripts, share/jupyter) are left out."""
    for name, dist in dists.items():
        assert dist.files is not None, f"{name} has no RECORD: install it with pip to run this test"
        base = Path(dist.locate_file(""))
        for top in {Path(f).parts[0] for f in dist.files if Path(f).parts[0] != ".."}:
            target = site_packages / top
            if (base / top).exists() and not os.path.lexists(target):
                target.symlink_to(base / top)


# Left out of the copy the package is built from: what git ignores, and git itself.
NOT_SOURCE_AT_TOP = {".git", ".venv", "build", "dist", "data", "reports", "test-artifacts"}
NOT_SOURCE = ("*.egg-info", "__pycache__", ".pytest_cache", ".ipynb_checkpoints")


def source_copy(target: Path) -> Path:
    """Return a copy of the checkout in `target` without generated files. A build in the checkout itself would reuse
    an earlier build's alignkit.egg-info/SOURCES.txt (setuptools reads it back when no VCS plugin lists the files),
    so a file dropped from package-data would still ship, as it would not from a fresh clone."""
    top_level = shutil.ignore_patterns(*NOT_SOURCE_AT_TOP)
    anywhere = shutil.ignore_patterns(*NOT_SOURCE)

    def ignore(folder: str, names: list[str]) -> set[str]:
        return anywhere(folder, names) | (top_level(folder, names) if Path(folder) == REPO else set())

    return Path(shutil.copytree(REPO, target, symlinks=True, ignore=ignore))  # alignkit/notebooks stays a link


@pytest.fixture(scope="module")
def dist_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder holding the sdist and the wheel `python -m build` made of a clean copy of the checkout
    (without build isolation: the setuptools of the test extra builds it, offline)."""
    out = tmp_path_factory.mktemp("dist")
    source = source_copy(tmp_path_factory.mktemp("source") / "alignkit")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    warned = [line for line in (built.stdout + built.stderr).splitlines() if "deprecat" in line.lower()]
    assert warned == []  # e.g. "`project.license` as a TOML table is deprecated": pyproject.toml is current
    return out


@pytest.fixture(scope="module")
def wheel(dist_folder: Path) -> Path:
    (found,) = dist_folder.glob("alignkit-*-py3-none-any.whl")
    return found


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> dict[str, str]:
    """Return the environment variables under which `alignkit` is the fresh virtual environment's, with the wheel
    installed (no dependencies from an index) and its requirements linked in; PYTHONPATH unset."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "JUPYTER_PATH", "VIRTUAL_ENV")}
    env = {**env, "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", "VIRTUAL_ENV": str(venv)}
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # PYTHONPATH unset for pip too: with the checkout on it, pip finds the alignkit.egg-info an editable install left
    # there and calls the wheel "already satisfied"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert installed.returncode == 0, installed.stderr
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    dists, unmet = installed_closure(wheel_requirements(wheel))
    assert unmet == [], f"the wheel's requirements that this environment does not meet: {unmet}"
    link_distributions(dists, site_packages)
    return env


def in_fresh(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a command of the fresh environment (found on its PATH) in `cwd`; fail with its output if it fails."""
    done = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_the_wheel_carries_the_notebooks_templates_and_project_template(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for notebook in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
            assert archive.read(f"alignkit/notebooks/{notebook.name}") == notebook.read_bytes()
        for template in (REPO / "alignkit/report/templates").iterdir():
            assert f"alignkit/report/templates/{template.name}" in names
        assert "alignkit/project_template.yml" in names
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        assert "License-Expression: MIT" in archive.read(meta).decode()
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert len(list((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))) == 5


def test_the_fresh_environment_holds_the_installed_package_and_only_what_it_declares(fresh, tmp_path):
    probe = (
        "import importlib.util, json, sys, alignkit\n"
        "from jupyter_client.kernelspec import KernelSpecManager\n"
        "print(json.dumps({'file': alignkit.__file__, 'path': sys.path,\n"
        "  'kernel': KernelSpecManager().get_kernel_spec('python3').argv[0],\n"
        "  'undeclared': [m for m in ('pytest', 'hypothesis') if importlib.util.find_spec(m)]}))\n"
    )
    seen = json.loads(in_fresh(fresh, "python", "-c", probe, cwd=tmp_path).stdout)
    venv = Path(fresh["VIRTUAL_ENV"])
    assert Path(seen["file"]).is_relative_to(venv)
    assert not any(Path(p).resolve() == REPO for p in seen["path"] if p)  # the editable install is not active
    assert Path(seen["kernel"]).parent == venv / "bin"  # notebooks run on the installed package too
    assert seen["undeclared"] == []  # the test environment's own packages are not visible
    # pip check: every requirement of every installed distribution is met
    checked = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin/python"), "check"],
        capture_output=True,
        text=True,
        timeout=300,
        env=fresh,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # every module the package's code and notebooks import can be imported here, lazy imports too
    script = (
        "import ast, importlib.util, json, sys\nfrom importlib import resources\n"
        "root = resources.files('alignkit')\nnames = set()\n"
        "def sources(folder):\n"
        "    for item in folder.iterdir():\n"
        "        if item.is_dir(): yield from sources(item)\n"
        "        elif item.name.endswith('.py'): yield item.read_text(encoding='utf-8')\n"
        "        elif item.name.endswith('.ipynb'):\n"
        "            for cell in json.loads(item.read_text(encoding='utf-8'))['cells']:\n"
        "                if cell['cell_type'] == 'code': yield ''.join(cell['source'])\n"
        "for text in sources(root):\n"
        "    for node in ast.walk(ast.parse(text)):\n"
        "        if isinstance(node, ast.Import): names |= {a.name.split('.')[0] for a in node.names}\n"
        "        elif isinstance(node, ast.ImportFrom) and node.level == 0: names.add(node.module.split('.')[0])\n"
        "print(json.dumps(sorted(n for n in names - set(sys.stdlib_module_names)\n"
        "                        if importlib.util.find_spec(n) is None)))\n"
    )
    assert set(json.loads(in_fresh(fresh, "python", "-c", script, cwd=tmp_path).stdout)) == EXTRA_IMPORTS


def test_the_installed_command_makes_validates_and_runs_a_project(fresh, tmp_path):
    project = tmp_path / "project"
    in_fresh(fresh, "alignkit", "init", "project", cwd=tmp_path)
    for name in ("01_clean_survey_and_crm.ipynb", "05_alignment_report.ipynb"):
        notebook = nbformat.read(project / "notebooks" / name, as_version=4)
        assert notebook.cells and all(not c.get("outputs") for c in notebook.cells)
    # the demo's project file in place of the template, which names exports the demo does not write
    (project / "alignkit.yml").write_text((REPO / "alignkit.yml").read_text(encoding="utf-8"), encoding="utf-8")
    in_fresh(fresh, "alignkit", "demo-data", "--dir", "data/raw", cwd=project)
    assert "look good" in in_fresh(fresh, "alignkit", "validate", cwd=project).stdout
    in_fresh(fresh, "alignkit", "run", "--only", "01", cwd=project)
    assert (project / "reports" / "01_clean_survey_and_crm.html").stat().st_size > 10_000
    assert (project / "data" / "processed" / "leads.parquet").exists()
