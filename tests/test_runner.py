"""The order `alignkit run` executes notebooks in (`alignkit.runner`): side by side where they do not need each
other, never more at once than asked, and a failure stops only what needs it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from alignkit.runner import Outcome, needs, run_notebooks

NOTEBOOKS = [Path(f"{n}_x.ipynb") for n in ("01", "02", "03", "04", "05")]


class Recorder:
    """A stand-in for executing a notebook: records when each starts and ends, and how many run at once."""

    def __init__(self, *, fail: str = "", skip: str = "") -> None:
        self.fail, self.skip = fail, skip
        self.lock = threading.Lock()
        self.events: list[tuple[str, str]] = []
        self.running = 0
        self.most = 0

    def __call__(self, notebook: Path) -> Outcome:
        number = notebook.name[:2]
        with self.lock:
            self.events.append(("start", number))
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.05)
        with self.lock:
            self.running -= 1
            self.events.append(("end", number))
        if number == self.fail:
            return Outcome(notebook, "failed", "boom")
        return Outcome(notebook, "skipped" if number == self.skip else "ran")

    def index(self, kind: str, number: str) -> int:
        return self.events.index((kind, number))


def test_02_and_03_run_side_by_side_after_01_and_05_waits_for_every_analysis():
    recorder = Recorder()
    outcomes = run_notebooks(NOTEBOOKS, start=recorder, jobs=3)
    assert [o.status for o in outcomes] == ["ran"] * 5
    assert recorder.index("end", "01") < min(recorder.index("start", n) for n in ("02", "03"))
    assert recorder.index("start", "03") < recorder.index("end", "02")  # side by side
    assert recorder.index("end", "03") < recorder.index("start", "04")  # 04 breaks conversion down by persona
    assert max(recorder.index("end", n) for n in ("02", "03", "04")) < recorder.index("start", "05")
    assert recorder.most == 2


def test_never_more_at_once_than_the_jobs_asked():
    recorder = Recorder()
    run_notebooks([Path("01_x.ipynb"), Path("02_x.ipynb"), Path("03_x.ipynb")], start=recorder, jobs=1)
    assert recorder.most == 1
    assert [e for e in recorder.events if e[0] == "start"] == [("start", "01"), ("start", "02"), ("start", "03")]


def test_a_failure_stops_what_needs_it_and_the_others_still_run():
    heard: list[str] = []
    outcomes = run_notebooks(NOTEBOOKS, start=Recorder(fail="03"), jobs=2, done=lambda o: heard.append(o.number))
    status = {o.number: o.status for o in outcomes}
    assert status == {"01": "ran", "02": "ran", "03": "failed", "04": "not run", "05": "not run"}
    assert "03" in next(o.message for o in outcomes if o.number == "04")
    assert sorted(heard) == ["01", "02", "03", "04", "05"]


def test_a_skipped_notebook_lets_the_ones_after_it_run():
    outcomes = run_notebooks(NOTEBOOKS, start=Recorder(skip="03"), jobs=2)
    assert [o.status for o in outcomes] == ["ran", "ran", "skipped", "ran", "ran"]


def test_a_notebook_waits_only_for_the_notebooks_in_the_run():
    assert needs(Path("04_x.ipynb"), [Path("02_x.ipynb"), Path("04_x.ipynb")]) == set()
    assert needs(Path("05_x.ipynb"), NOTEBOOKS) == {"01", "02", "03", "04"}


def test_a_crash_outside_the_cells_is_a_failure_with_its_reason():
    def crash(notebook: Path) -> Outcome:
        if notebook.name.startswith("02"):
            raise OSError("No space left on device")
        return Outcome(notebook, "ran")

    outcomes = run_notebooks(NOTEBOOKS[:2], start=crash, jobs=2)
    assert outcomes[1].status == "failed" and "No space left" in outcomes[1].message
