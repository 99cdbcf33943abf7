"""The order `alignkit run` executes the numbered notebooks in: 01 first; then the analyses it feeds side by side —
02, 03 and 04, at most `jobs` at a time (04 after 03 when 03 runs, since it breaks conversion down by the personas 03
writes); then 05, which puts them on one page. A notebook starts once every notebook it needs in this run has
finished or been skipped; a failed one stops only the notebooks that need it, and the others still write their
reports."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

# What each notebook needs before it can start (by number), when those notebooks are part of the run.
NEEDS: dict[str, frozenset[str]] = {
    "02": frozenset({"01"}),
    "03": frozenset({"01"}),
    "04": frozenset({"01", "03"}),
    "05": frozenset({"01", "02", "03", "04"}),
}


def default_jobs() -> int:
    """Return how many notebooks run at once by default: one a core, at most the three independent analyses."""
    return max(1, min(3, os.cpu_count() or 1))


@dataclass
class Outcome:
    """What became of one notebook: 'ran', 'skipped' (the plan rules it out, `message` says why), 'failed'
    (`message` says where), or 'not run' (a notebook it needs failed)."""

    notebook: Path
    status: str
    message: str = ""
    details: list[str] = field(default_factory=list)  # e.g. the reports it wrote

    @property
    def number(self) -> str:
        """Return the notebook's number ('02')."""
        return self.notebook.name[:2]


def needs(notebook: Path, run: Sequence[Path]) -> set[str]:
    """Return the numbers of the notebooks in `run` that `notebook` must wait for."""
    numbers = {n.name[:2] for n in run}
    return set(NEEDS.get(notebook.name[:2], frozenset())) & numbers


def run_notebooks(
    notebooks: Sequence[Path],
    *,
    start: Callable[[Path], Outcome],
    jobs: int = 1,
    done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run `start(notebook)` for each notebook once what it needs has finished, at most `jobs` at a time (in
    threads: the work happens in each notebook's own kernel process); return every notebook's outcome in the
    order given. `start` returns the outcome (ran, skipped or failed); `done` hears each one as it comes. An
    exception in this thread (a signal handler's) leaves at once, without waiting for the notebooks still running."""
    pending = list(notebooks)
    finished: dict[str, Outcome] = {}
    running: dict[Future[Outcome], Path] = {}

    def settle(outcome: Outcome) -> None:
        finished[outcome.number] = outcome
        if done is not None:
            done(outcome)

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        while pending or running:
            for notebook in list(pending):
                wanted = needs(notebook, notebooks)
                failed = sorted(n for n in wanted if n in finished and finished[n].status in ("failed", "not run"))
                if failed:
                    pending.remove(notebook)
                    settle(Outcome(notebook, "not run", f"it needs notebook {', '.join(failed)}, which did not finish"))
                elif wanted <= set(finished) and len(running) < max(1, jobs):
                    pending.remove(notebook)
                    running[pool.submit(start, notebook)] = notebook
            if not running:
                continue
            complete, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in complete:
                notebook = running.pop(future)
                try:
                    settle(future.result())
                except Exception as error:  # a crash outside the notebook's cells (kernel died, disk full …)
                    settle(Outcome(notebook, "failed", f"alignkit: notebook {notebook.name} failed: {error}"))
    except BaseException:
        # stopped (a signal, Ctrl-C): do not wait for the notebooks still running, the caller ends the run
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [finished[n.name[:2]] for n in notebooks]
