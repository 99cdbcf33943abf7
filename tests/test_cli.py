"""The `alignkit` command, run as a user runs it: a real subprocess of the installed console entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from alignkit.config import load_settings
from tests.conftest import make_project


def alignkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "alignkit.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=900
    )


def test_demo_data_writes_the_exports(tmp_path):
    result = alignkit("demo-data", "--dir", str(tmp_path / "raw"))
    assert result.returncode == 0, result.stderr
    assert {p.name for p in (tmp_path / "raw").iterdir()} == {
        "survey_qualtrics.csv",
        "hubspot_contacts.csv",
        "hubspot_deals.csv",
        "hubspot_activities.csv",
        "demo_truth.json",
    }


def test_init_creates_a_project_folder(tmp_path):
    result = alignkit("init", str(tmp_path / "new"))
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "new"
    for sub in ("data/raw", "data/processed", "reports", "notebooks"):
        assert (folder / sub).is_dir()
    assert load_settings(folder / "alignkit.yml").crm.format == "auto"
    notebooks = sorted((folder / "notebooks").glob("*.ipynb"))
    assert notebooks and notebooks[0].name == "01_clean_survey_and_crm.ipynb"
    for cell in nbformat.read(notebooks[0], as_version=4).cells:
        assert cell.cell_type != "code" or not cell.outputs
    assert alignkit("init", str(folder)).returncode == 1  # never overwrites a project file silently


def test_validate_passes_on_the_demo(demo_project):
    result = alignkit("validate", "--project", str(demo_project))
    assert result.returncode == 0, result.stderr
    assert "look good" in result.stdout


def test_validate_lists_every_misspelt_column_with_close_matches(tmp_path, demo_project):
    project = make_project(tmp_path, raw_from=demo_project.parent / "data" / "raw")
    text = project.read_text(encoding="utf-8")
    text = text.replace("industry: Industry", "industry: Industy").replace(
        "job_title: Job Title", "job_title: Job title"
    )
    project.write_text(text, encoding="utf-8")
    result = alignkit("validate", "--project", str(project))
    assert result.returncode == 1
    assert "2 problem(s)" in result.stderr
    assert "hubspot_contacts.csv" in result.stderr
    assert "'Industy'" in result.stderr and "Close matches: 'Industry'" in result.stderr
    assert "'Job title'" in result.stderr and "Close matches: 'Job Title'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_project_file_is_an_error_not_a_traceback(tmp_path):
    (tmp_path / "alignkit.yml").write_text("crm: {formt: hubspot}\n", encoding="utf-8")
    result = alignkit("validate", "--project", str(tmp_path / "alignkit.yml"))
    assert result.returncode == 2
    assert "crm.formt: unknown key" in result.stderr and "Traceback" not in result.stderr


def test_run_executes_the_notebooks_and_writes_reports(tmp_path, demo_project):
    project = make_project(tmp_path, raw_from=demo_project.parent / "data" / "raw")
    result = alignkit("run", "--project", str(project), "--only", "01")
    assert result.returncode == 0, result.stderr[-3000:]
    root = project.parent
    assert (root / "reports" / "01_clean_survey_and_crm.html").exists()
    leads = pd.read_parquet(root / "data" / "processed" / "leads.parquet")
    assert len(leads) == json.loads((root / "data/raw/demo_truth.json").read_text())["n_leads"]
    assert (root / "reports" / "executed" / "01_clean_survey_and_crm.ipynb").exists()
    # The terminal: one progress bar named after the notebook, one line per report written, no kernel or library
    # log lines (the kernel's "running over TCP without encryption" warning among them).
    lines = [line.strip() for line in result.stderr.replace("\r", "\n").splitlines() if line.strip()]
    bars = [line for line in lines if "%|" in line]
    assert bars and all(line.startswith("01_clean_survey_and_crm:") for line in bars)
    others = [line for line in lines if "%|" not in line]
    assert others == [f"wrote {root / 'reports' / '01_clean_survey_and_crm.html'}"], others
    assert result.stdout == ""


def test_a_failing_notebook_names_the_notebook_cell_and_error(tmp_path, demo_project):
    project = make_project(tmp_path, raw_from=demo_project.parent / "data" / "raw")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    book = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('project_file = "../alignkit.yml"')
    parameters.metadata["tags"] = ["parameters"]
    book.cells = [
        parameters,
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise ValueError('the leads table is empty')"),
    ]
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(book, notebooks / "09_fail_on_purpose.ipynb")
    result = alignkit("run", "--project", str(project), "--only", "09")
    assert result.returncode == 2, result.stderr[-3000:]
    # the failed notebook's executed copy says so in its name: none named like a complete one is left
    executed = tmp_path / "reports" / "executed" / "09_fail_on_purpose.failed.ipynb"
    assert "notebook 09_fail_on_purpose.ipynb failed in cell 4 of the executed copy (In [4])" in result.stderr
    assert "ValueError: the leads table is empty." in result.stderr
    assert f"Open {executed}" in result.stderr and executed.exists()
    assert sorted(p.name for p in executed.parent.iterdir()) == [executed.name]
    assert "Traceback" not in result.stderr and "PapermillExecutionError" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets: Windows kernels keep TCP")
def test_run_kernels_talk_over_sockets_of_their_own(tmp_path, request):
    """Two kernels started at once over TCP can be handed the same free port ("Address already in use", seen in CI
    when tests ran `alignkit run` side by side); the run's kernel listens on Unix sockets in its own folder instead."""
    import papermill

    from alignkit.runs.execute import kernel_transport

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import json, os\nfrom ipykernel import get_connection_info\n"
            "info = get_connection_info(unpack=True)\n"
            "print(json.dumps({'transport': info['transport'], 'ip': info['ip'],"
            " 'sockets': sorted(os.listdir(os.path.dirname(info['ip'])))}))"
        )
    ]
    nbformat.write(notebook, tmp_path / "probe.ipynb")
    # a short folder: a socket address holds ~100 bytes, and a deep one falls back to TCP (alignkit.kernels)
    sockets = Path(tempfile.mkdtemp(prefix="ak-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(sockets, ignore_errors=True))
    executed = papermill.execute_notebook(
        str(tmp_path / "probe.ipynb"),
        str(tmp_path / "out.ipynb"),
        config=kernel_transport(sockets),
        log_output=False,
        progress_bar=False,
    )
    seen = json.loads(executed.cells[0].outputs[0]["text"])
    assert seen["transport"] == "ipc" and seen["ip"] == str(sockets / "kernel")
    # shell, iopub, stdin, control, heartbeat, and the connection file (a killed run leaves one folder behind)
    assert seen["sockets"] == [f"kernel-{n}" for n in range(1, 6)] + ["kernel.json"]


def test_run_skips_the_grammar_jsonschema_would_build_on_import(demo_project):
    """papermill reaches jsonschema, whose optional rfc3987_syntax builds a Lark grammar on import (0.85 s of a run's
    start): `alignkit run` marks it absent, in its own process only."""
    code = (
        "import sys; from alignkit.cli import main; code = main(['run', '--project', sys.argv[1], '--only', '99']); "
        "print(code, sys.modules.get('rfc3987_syntax', 'absent'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(demo_project)], capture_output=True, text=True, timeout=300
    )
    assert result.stdout.split() == ["1", "None"], result.stdout + result.stderr
