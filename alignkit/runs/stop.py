"""A run stopped by SIGTERM or Ctrl-C (SIGINT) ends in order: the manifest says `interrupted` and which notebooks were
running, their executed copies are renamed `.interrupted.ipynb`, the run's kernel socket folders are removed, and the
process exits at once (128 + the signal's number) without waiting for the notebooks still running. Its kernels (the
processes it started) are ended first: left alone, they would see their parent gone and end within a second
(ipykernel's parent poller), but a kernel still starting would find its socket folder gone and print a traceback.
A notebook's thread that writes its executed copy in that last instant leaves `NN_….running-<pid>.ipynb`, which the
next start renames.
A SIGKILL cannot be caught: the next run's start cleans up after it (`alignkit.runs`)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from alignkit.kernels import remove_own_folders
from alignkit.runs.copies import STOPPING, settle_left_copies
from alignkit.runs.manifest import RUN_ENV, RunRecord

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class RunStopped(BaseException):
    """The run received SIGTERM or SIGINT (a BaseException, like KeyboardInterrupt: no `except Exception` eats it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, frame: object) -> None:
    raise RunStopped(signum)


@contextmanager
def guarded_run(record: RunRecord, executed_dir: Path) -> Iterator[None]:
    """Run the `with` block as the run `record` describes: its id exported in ALIGNKIT_RUN (the kernels started in
    the block inherit it), SIGTERM and SIGINT ending it in order (`end_stopped_run`, in the main thread only: no
    other thread can set signal handlers), and any other exception recorded as a failed run before it goes on."""
    inherited = os.environ.get(RUN_ENV)
    os.environ[RUN_ENV] = record.run_id
    main = threading.current_thread() is threading.main_thread()
    before = {s: signal.signal(s, _raise) for s in SIGNALS} if main else {}
    try:
        yield
    except RunStopped as stop:
        end_stopped_run(record, stop, executed_dir)
    except BaseException:
        record.finish("failed")  # an error outside the notebooks: the manifest must not say running
        raise
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
        if inherited is None:
            os.environ.pop(RUN_ENV, None)
        else:
            os.environ[RUN_ENV] = inherited


def end_children() -> None:
    """Kill the processes this one started (the kernels, and what they started) and wait until they are gone.
    SIGKILL, not SIGTERM: a kernel given time to end would let its notebook's thread write the executed copy again."""
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):  # it ended on its own meanwhile
            child.kill()
    psutil.wait_procs(children, timeout=5)


def end_stopped_run(record: RunRecord, stop: RunStopped, executed_dir: Path) -> NoReturn:
    """Record the stop, rename the running executed copies, remove the kernel folders, say so, and exit."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut the cleaning short
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    running = [n for n, e in sorted(record.data["notebooks"].items()) if e["status"] == "running"]
    STOPPING.set()  # a notebook thread settling its copy now calls it interrupted
    record.finish("interrupted")
    end_children()
    settle_left_copies(executed_dir, own=True)
    remove_own_folders()
    print(
        f"alignkit: run {record.run_id} stopped by {stop}"
        + (f" while notebook{'s' if len(running) > 1 else ''} {', '.join(running)} ran" if running else "")
        + ". `alignkit validate` lists the reports it left unfinished.",
        file=sys.stderr,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(128 + stop.signum)
