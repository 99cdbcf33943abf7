"""Kernels started ahead of their notebooks (`alignkit.kernels`): warm, in the notebook's folder, used once, and
never left running."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import papermill

from alignkit import kernels
from alignkit.kernels import KernelPool
from alignkit.runs.execute import KERNEL_ARGUMENTS
from alignkit.runs.execute import execute_quietly as _execute_quietly


def _notebook(folder: Path, name: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("project_file = 'x'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import os, sys\nprint(os.getcwd(), 'alignkit.plots' in sys.modules)"),
    ]
    path = folder / name
    nbformat.write(nb, path)
    return path


def test_a_warm_kernel_runs_its_notebook_with_the_imports_done_and_is_shut_down(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = _notebook(folder, "02_x.ipynb")
    pool = KernelPool([notebook], extra_arguments=KERNEL_ARGUMENTS)
    warm = pool.take(notebook)
    assert warm is not None and warm.manager.has_kernel
    try:
        _execute_quietly(papermill, notebook, tmp_path / "out.ipynb", tmp_path / "alignkit.yml", kernel=warm.manager)
    finally:
        warm.shutdown()
    printed = nbformat.read(tmp_path / "out.ipynb", 4).cells[-1].outputs[0]["text"].split()
    assert printed == [str(folder), "True"]  # in the notebook's folder, its imports already done
    assert not warm.manager.has_kernel and not warm.sockets.exists()
    pool.close()
    assert child_kernels() == []


def test_a_kernel_that_fails_to_warm_leaves_its_notebook_to_start_its_own(tmp_path, monkeypatch):
    monkeypatch.setitem(kernels.WARM_IMPORTS, "04", "import a_module_that_is_not_there")
    made: list[str] = []
    real_mkdtemp = kernels.tempfile.mkdtemp

    def recording_mkdtemp(*args, **kwargs):
        made.append(real_mkdtemp(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(kernels.tempfile, "mkdtemp", recording_mkdtemp)
    notebook = _notebook(tmp_path, "04_x.ipynb")
    pool = KernelPool([notebook], extra_arguments=KERNEL_ARGUMENTS)
    assert pool.take(notebook) is None
    pool.close()
    assert len(made) == 1 and not Path(made[0]).exists()  # the failed kernel was shut down, its sockets removed
    assert child_kernels() == []


def child_kernels() -> list[str]:
    """Return the command lines of the ipykernel processes this test process started that still run (from /proc)."""
    import os

    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and "ipykernel" in cmdline:
            found.append(cmdline)
    return found


def test_kernels_no_notebook_took_are_shut_down_at_the_end(tmp_path):
    notebook = _notebook(tmp_path, "05_x.ipynb")
    pool = KernelPool([notebook], extra_arguments=KERNEL_ARGUMENTS)
    future = pool.futures["05"]
    pool.close()
    warm = future.result() if not future.cancelled() else None
    assert warm is None or not warm.manager.has_kernel
    assert child_kernels() == []


def test_the_kernel_folders_of_a_gone_process_are_removed_and_no_others(tmp_path):
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    left = tmp_path / f"alignkit-kernel-{gone.pid}-abcd"
    (left / "kernel-1").parent.mkdir()
    (left / "kernel-1").write_text("", encoding="utf-8")
    mine = tmp_path / f"{kernels.folder_prefix()}efgh"
    unnamed = tmp_path / "alignkit-kernel-x1y2"  # alignkit 0.4.0's names: whose it is cannot be told
    mine.mkdir()
    unnamed.mkdir()
    assert kernels.remove_orphan_folders(tmp_path) == [left]
    assert not left.exists() and mine.exists() and unnamed.exists()
    kernels.remove_own_folders(tmp_path)
    assert not mine.exists() and unnamed.exists()


def test_notebook_05_warms_only_the_analyses_of_its_run():
    survey_only = kernels.warm_code("05", {"03", "05"})
    assert "alignkit.personas" in survey_only and "alignkit.leads" not in survey_only
    assert "alignkit.funnel" not in survey_only
    everything = kernels.warm_code("05", {"02", "03", "04", "05"})
    assert all(package in everything for package in kernels.STAGE_PACKAGES.values())
    assert kernels.warm_code("04", {"04", "05"}) == kernels.WARM_IMPORTS["04"]
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            kernels.warm_code("05", {"04", "05"})
            + "\nimport sys; print('alignkit.leads.score' in sys.modules, 'alignkit.funnel.analysis' in "
            "sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert loaded == ["True", "False"]


def test_a_socket_folder_too_deep_for_a_socket_address_falls_back_to_tcp(tmp_path):
    short = kernels.socket_settings(Path("/tmp/alignkit-kernel-1-abc"))
    assert short["transport"] == "ipc" and short["connection_file"] == "/tmp/alignkit-kernel-1-abc/kernel.json"
    deep = tmp_path / ("d" * 60) / "alignkit-kernel-1-abc"
    settings = kernels.socket_settings(deep)
    assert "transport" not in settings and "ip" not in settings  # jupyter_client's default: TCP on localhost
    assert settings["connection_file"] == str(deep / "kernel.json")
