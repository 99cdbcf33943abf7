"""Measure what importing alignkit costs (issue 29): `python -c "from alignkit import leads"`, the CLI, and each
notebook's import cell, each in fresh processes; prints the median wall time of each and the ten modules with the
largest cumulative import time (`python -X importtime`) of one statement.

    .venv/bin/python bench/imports.py [--runs 5] [--python PYTHON] [--top STATEMENT ...]

Each statement runs as `python -c STATEMENT` from a temporary folder, so a checkout put first on PYTHONPATH (e.g. a
git worktree at an earlier commit) is the one imported; the script prints the alignkit it used. A notebook's import
cell is its first code cell that imports alignkit, with `plots.apply_theme()` (the first use of matplotlib) kept and
the project-file lines left out. Not a test: tests never time things; exits 0.

Measured 2026-12-06 on the 2-core machine: see the closing note of issue 29 and CHANGELOG.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def import_cells(notebooks: Path) -> dict[str, str]:
    """Return each notebook's import cell (number → code), without the lines that need a project file."""
    cells = {}
    for notebook in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and "from alignkit" in source:
                keep = [line for line in source.splitlines() if "settings" not in line and "project_file" not in line]
                cells[f"notebook {notebook.name[:2]} import cell"] = "\n".join(keep)
                break
    return cells


def wall(python: str, statement: str, cwd: str) -> float:
    """Return the wall time of one fresh `python -c statement` process."""
    start = time.perf_counter()
    subprocess.run([python, "-c", statement], cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def top_imports(python: str, statement: str, cwd: str, n: int) -> list[tuple[float, str]]:
    """Return the `n` modules with the largest cumulative import time (ms, name) when running `statement`."""
    err = subprocess.run(
        [python, "-X", "importtime", "-c", statement], cwd=cwd, check=True, capture_output=True, text=True
    ).stderr
    rows = []
    for line in err.splitlines()[1:]:
        if line.startswith("import time:") and line.count("|") == 2:
            _, cumulative, name = line.split("|")
            rows.append((int(cumulative) / 1000, name.rstrip()))
    return sorted(rows, reverse=True)[:n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument(
        "--top",
        action="append",
        help="a statement whose top ten is printed (repeatable; default: "
        "`from alignkit import leads` and notebook 04's import cell)",
    )
    args = parser.parse_args()
    cwd = tempfile.mkdtemp(prefix="alignkit-imports-")
    used = subprocess.run(
        [args.python, "-c", "import alignkit; print(alignkit.__file__, alignkit.__version__)"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"alignkit used: {used}")
    # the notebooks of the checkout measured (alignkit/notebooks links to its notebooks/)
    cells = import_cells(Path(used.split()[0]).parent / "notebooks")
    statements = {
        "python alone": "pass",
        "from alignkit import leads": "from alignkit import leads",
        "import alignkit.cli": "import alignkit.cli",
        **cells,
    }
    wall(args.python, "import pandas", cwd)  # the first process reads the files from disk; measure warm caches
    results = {}
    for label, statement in statements.items():
        times = [wall(args.python, statement, cwd) for _ in range(args.runs)]
        results[label] = round(statistics.median(times), 3)
        print(f"{label}: {results[label]:.2f} s (median of {args.runs}; {min(times):.2f}–{max(times):.2f})", flush=True)
    for statement in args.top or ["from alignkit import leads", cells.get("notebook 04 import cell", "")]:
        print(f"top ten of `{statement}` by cumulative import time:".replace("\n", "; "))
        for ms, name in top_imports(args.python, statement, cwd, 10):
            print(f"  {ms:8.0f} ms  {name.strip()}")
    print("RESULT " + json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
