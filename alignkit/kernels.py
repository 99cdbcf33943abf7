"""Kernels started ahead of their notebooks: while notebook 01 cleans the exports, the kernels of the notebooks after
it start and import what their first cells import, so each of those notebooks begins with its kernel ready and its
libraries loaded (on a small export, a kernel's start and its import cell are most of a notebook's time).

A warm kernel is an ordinary fresh kernel in the notebook's folder that has run one `import` statement; a kernel
that fails to warm is shut down and its notebook starts a kernel of its own, as without warming. Every kernel is
shut down when its notebook ends, and the ones no notebook took when the run ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

# What each notebook's first code cell imports (its own analysis package, the figures and their libraries).
WARM_IMPORTS: dict[str, str] = {
    "02": "import pandas, matplotlib.pyplot, alignkit.plots, alignkit.funnel",
    "03": "import pandas, matplotlib.pyplot, alignkit.plots, alignkit.personas",
    "04": "import pandas, matplotlib.pyplot, alignkit.plots, alignkit.leads",
    "05": "import pandas, matplotlib.pyplot, alignkit.plots, alignkit.alignment",
}
WARM_TIMEOUT = 120  # seconds a kernel may take to start and import


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

    sockets = Path(tempfile.mkdtemp(prefix="alignkit-kernel-"))
    manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))
    kernel = WarmKernel(manager, sockets)
    try:
        await manager.start_kernel(cwd=str(notebook.parent), extra_arguments=extra_arguments)
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=WARM_TIMEOUT)
            reply = await client.execute_interactive(code, silent=True, store_history=False, timeout=WARM_TIMEOUT,
                                                     output_hook=lambda message: None)
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
        for notebook in notebooks:
            future = self.futures[notebook.name[:2]]
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(asyncio.run(_start(notebook, WARM_IMPORTS[notebook.name[:2]], extra_arguments)))
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
