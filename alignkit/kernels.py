"""Kernels started ahead of their notebooks: while notebook 01 cleans the exports, the kernels of the notebooks after
it start and import what their first cells import, so each of those notebooks begins with its kernel ready and its
libraries loaded (on a small export, a kernel's start and its import cell are most of a notebook's time).

A warm kernel is an ordinary fresh kernel in the notebook's folder that has run one `import` statement; a kernel
that fails to warm is shut down and its notebook starts a kernel of its own, as without warming. Every kernel is
shut down when its notebook ends, and the ones no notebook took when the run ends.

Each kernel's socket folder is named `alignkit-kernel-<pid>-*` after the run's process, so that the next run can
remove the folders a killed run left behind (those whose process is gone): `remove_orphan_folders`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

# What each notebook uses (its own analysis package, the figures and their libraries; the packages load their names
# on first use, so each is loaded whole here), and for notebook 03 the persona map's first-use cost.
_LOAD = "import matplotlib.pyplot, alignkit.lazy\nalignkit.lazy.load_all("
WARM_IMPORTS: dict[str, str] = {
    "02": _LOAD + "'alignkit.plots', 'alignkit.funnel')",
    "03": _LOAD + "'alignkit.plots', 'alignkit.personas')\n"
    "import alignkit.personas.map\nalignkit.personas.map.warm_up()",  # umap-learn's import and numba compilation
    "04": _LOAD + "'alignkit.plots', 'alignkit.leads')",
    "05": _LOAD + "'alignkit.plots', 'alignkit.alignment'{stages})",  # and the analyses this run makes
}
STAGE_PACKAGES = {"02": "alignkit.funnel", "03": "alignkit.personas", "04": "alignkit.leads"}


def warm_code(number: str, numbers: set[str]) -> str:
    """Return the code that warms notebook `number`'s kernel in a run of the notebooks `numbers`: notebook 05 loads
    the packages of the analyses that run (a survey alone needs no funnel or lead score)."""
    stages = "".join(f", '{STAGE_PACKAGES[n]}'" for n in sorted(numbers) if n in STAGE_PACKAGES)
    return WARM_IMPORTS[number].replace("{stages}", stages)


WARM_TIMEOUT = 120  # seconds a kernel may take to start and import
FOLDER_PREFIX = "alignkit-kernel-"
_OWNED_FOLDER = re.compile(rf"{FOLDER_PREFIX}(\d+)-")


# A Unix socket's address holds at most 107 bytes on Linux (108 with its end); the kernel's are `<folder>/kernel-<n>`.
MAX_SOCKET_PATH = 100


def socket_settings(sockets: Path) -> dict[str, str]:
    """Return a kernel manager's transport settings for a kernel whose files live in `sockets`: Unix sockets there
    where the platform has them and their path fits a socket address, else TCP (a long TMPDIR, e.g. a test's
    folder, made the kernel fail with "File name too long"); the connection file in `sockets` either way."""
    settings = {"connection_file": str(sockets / "kernel.json")}
    if os.name == "posix" and len(os.fsencode(sockets / "kernel-9")) <= MAX_SOCKET_PATH:
        settings.update(transport="ipc", ip=str(sockets / "kernel"))
    return settings


def folder_prefix() -> str:
    """Return the name prefix of this process's kernel socket folders (`alignkit-kernel-<pid>-`)."""
    return f"{FOLDER_PREFIX}{os.getpid()}-"


def process_alive(pid: int) -> bool:
    """Return whether a process with this pid exists (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def remove_orphan_folders(parent: Path | None = None) -> list[Path]:
    """Remove the kernel socket folders in `parent` (the temporary folder) whose process is gone (a killed run's);
    return them. Folders without a pid in their name (alignkit 0.4.0 and before named them so) are left alone: their
    owner cannot be told."""
    removed = []
    for folder in sorted(Path(parent or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*")):
        owner = _OWNED_FOLDER.match(folder.name)
        if owner and folder.is_dir() and not process_alive(int(owner.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def remove_own_folders(parent: Path | None = None) -> None:
    """Remove this process's kernel socket folders (a run stopped by a signal: its kernels end with it)."""
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{folder_prefix()}*"):
        shutil.rmtree(folder, ignore_errors=True)


class WarmKernel:
    """A started kernel (an AsyncKernelManager) in a notebook's folder, with its socket folder."""

    def __init__(self, manager: Any, sockets: Path) -> None:
        self.manager = manager
        self.sockets = sockets

    def shutdown(self) -> None:
        """Stop the kernel and remove its socket folder, from outside any event loop (never raises: the run goes
        on)."""
        asyncio.run(self.ashutdown())

    async def ashutdown(self) -> None:
        """Stop the kernel and remove its socket folder, inside an event loop (never raises)."""
        with contextlib.suppress(Exception):
            await self.manager.shutdown_kernel(now=True)
        shutil.rmtree(self.sockets, ignore_errors=True)


async def _start(notebook: Path, code: str, extra_arguments: list[str]) -> WarmKernel:
    from jupyter_client.manager import AsyncKernelManager

    sockets = Path(tempfile.mkdtemp(prefix=folder_prefix()))
    manager = AsyncKernelManager(kernel_name="python3", **socket_settings(sockets))  # in the folder: one to remove
    kernel = WarmKernel(manager, sockets)
    try:
        await manager.start_kernel(cwd=str(notebook.parent), extra_arguments=extra_arguments)
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=WARM_TIMEOUT)
            reply = await client.execute_interactive(
                code, silent=True, store_history=False, timeout=WARM_TIMEOUT, output_hook=lambda message: None
            )
            if reply["content"].get("status") != "ok":
                raise RuntimeError(f"warming {notebook.name}: {reply['content'].get('ename')}")
        finally:
            client.stop_channels()
    except BaseException:
        await kernel.ashutdown()
        raise
    return kernel


class KernelPool:
    """Warm kernels for the notebooks after the first, started one after another in a background thread."""

    def __init__(self, notebooks: Sequence[Path], *, extra_arguments: list[str]) -> None:
        self.futures: dict[str, Future[WarmKernel]] = {}
        wanted = [n for n in notebooks if n.name[:2] in WARM_IMPORTS]
        for notebook in wanted:
            self.futures[notebook.name[:2]] = Future()
        self._thread = threading.Thread(target=self._warm, args=(wanted, extra_arguments), daemon=True)
        self._thread.start()

    def _warm(self, notebooks: Sequence[Path], extra_arguments: list[str]) -> None:
        numbers = {n.name[:2] for n in notebooks}
        for notebook in notebooks:
            future = self.futures[notebook.name[:2]]
            if not future.set_running_or_notify_cancel():
                continue
            try:
                code = warm_code(notebook.name[:2], numbers)
                future.set_result(asyncio.run(_start(notebook, code, extra_arguments)))
            except BaseException as error:
                future.set_exception(error)

    def take(self, notebook: Path) -> WarmKernel | None:
        """Return the notebook's warm kernel (waiting for it to finish warming), or None when it has none or it
        failed to warm. The caller shuts it down when the notebook ends."""
        future = self.futures.pop(notebook.name[:2], None)
        if future is None:
            return None
        try:
            return future.result(timeout=WARM_TIMEOUT * 2)
        except Exception:
            return None

    def close(self) -> None:
        """Shut down every warm kernel no notebook took (a skipped notebook's, or the run's end after a failure)."""
        for future in self.futures.values():
            if not future.cancel():
                with contextlib.suppress(Exception):
                    future.result(timeout=WARM_TIMEOUT * 2).shutdown()
        self.futures.clear()
