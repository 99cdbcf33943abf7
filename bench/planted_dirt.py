"""Print how well notebook 01's cleaning finds the demo's planted dirt: found/planted per kind, recall, precision.

.venv/bin/python bench/planted_dirt.py            # writes the demo exports into a temporary project first
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    from alignkit.config import load_settings
    from alignkit.demo.generator import write_demo_exports
    from alignkit.demo.truth import dirt_scorecard, load_truth
    from alignkit.prepare.tables import prepare

    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        shutil.copyfile(REPO / "alignkit.yml", project / "alignkit.yml")
        write_demo_exports(project / "data" / "raw")
        settings = load_settings(project / "alignkit.yml")
        started = time.perf_counter()
        data = prepare(settings)
        seconds = time.perf_counter() - started
        card = dirt_scorecard(data, load_truth(settings), settings)
    print(f"notebook 01's cleaning on the demo exports: {seconds:.1f} s")
    print(card.to_string(index=False, formatters={"recall": "{:.1%}".format, "precision": "{:.1%}".format}))
    worst = card[["recall", "precision"]].min().min()
    print(f"lowest recall or precision: {worst:.1%} (target ≥ 95%)")
    return 0 if worst >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
