"""Executing one notebook for `alignkit run`: papermill with one progress bar a notebook and no kernel log lines, the
kernel's sockets in a folder of the run's own, the message for a notebook that failed, and which reports a notebook
wrote."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from traitlets.config import Config


def notebook_failure(notebook: Path, executed: Path, error: Any) -> str:
    """Return the message for a notebook that failed under papermill: notebook, cell, error, the copy to open."""
    lines = str(error.evalue).strip().splitlines()
    what = f"{error.ename}: {lines[0]}" if lines else str(error.ename)
    return (
        f"alignkit: notebook {notebook.name} failed in cell {error.cell_index + 1} of the executed copy "
        f"(In [{error.exec_count}]) with {what.rstrip('.')}.\n"
        f"Open {executed} to see the cell and its full traceback; fix the cause and run again."
    )


# The kernel's own logging (e.g. "Kernel is running over TCP without encryption", or "KeyboardInterrupt caught in
# kernel" when it is interrupted on shutdown) is not for the person running the notebooks: a failing cell and a dead
# kernel reach them through papermill's errors. Cell output stays in the executed copy of each notebook.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]


def execute_quietly(
    papermill: Any,
    notebook: Path,
    executed: Path,
    project_file: Path,
    *,
    position: int = 0,
    kernel: object | None = None,
) -> None:
    """Run one notebook with papermill: one progress bar named after it (on line `position`, so bars of notebooks
    running side by side do not overwrite each other), no kernel or library log lines; in `kernel` (a started
    kernel manager, `alignkit.kernels`) when given, else in a kernel of its own."""
    import logging
    import warnings

    from alignkit.kernels import folder_prefix

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    with warnings.catch_warnings(), tempfile.TemporaryDirectory(prefix=folder_prefix()) as sockets:
        warnings.simplefilter("ignore")
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters={"project_file": str(project_file.resolve())},
            # the kernel starts in the notebook's folder without papermill's `cwd`, which
            # changes the folder of the whole process: unsafe with notebooks side by side
            resources={"metadata": {"path": str(notebook.parent)}},
            log_output=False,
            extra_arguments=KERNEL_ARGUMENTS,
            **({"km": kernel} if kernel is not None else {}),
            config=kernel_transport(Path(sockets)),
            progress_bar={"desc": notebook.stem, "unit": "cell", "leave": True, "position": position},
        )


def kernel_transport(sockets: Path) -> Config:
    """Return the kernel manager's config: the transport `alignkit.kernels.socket_settings` picks, the connection file
    in `sockets`.

    Over TCP, jupyter_client picks each of the kernel's five ports by binding port 0 and letting it go; two kernels
    started at once (two `alignkit run`s, or a run beside JupyterLab) can be handed the same port, and the kernel
    then prints "Address already in use" tracebacks. Sockets in a folder of the run's own cannot collide. The
    connection file goes there too (not loose in the temporary folder), so a killed run's leftovers are one folder.
    """
    from traitlets.config import Config

    from alignkit.kernels import socket_settings

    return Config({"KernelManager": socket_settings(sockets)})


def report_times(reports_dir: Path) -> dict[Path, int]:
    """Return each report of `reports_dir` with its modification time (ns)."""
    return {path: path.stat().st_mtime_ns for path in reports_dir.glob("*.html")}


def written_since(reports_dir: Path, before: dict[Path, int]) -> list[Path]:
    """Return the reports written or rewritten since `before` (path -> modification time)."""
    return [path for path, mtime in sorted(report_times(reports_dir).items()) if before.get(path) != mtime]
