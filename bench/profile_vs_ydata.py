"""Benchmark the converting-lead profile against ydata-profiling (issue 29): on the same 200,000-row lead table, each
as a whole process timed wall-clock — alignkit's profile (what notebook 04's analysis computes without the score:
`alignkit.leads.analysis.analyse(settings, fit=False)` — the leakage guard, conversion per attribute value with its
intervals, the association tests with q-values, the binned numeric distributions, the ranked drivers), then
ydata-profiling's minimal mode and its full (default) mode writing their HTML report. Prints the three times, each
process's own split (imports, reading, work) and the ratios.

    .venv/bin/python bench/profile_vs_ydata.py [--leads 200000] [--ydata-python /tmp/ydata-venv/bin/python]
        [--python PYTHON] [--runs 1] [--keep DIR]

ydata-profiling is never a dependency of alignkit (it pins pandas < 3): install it into a venv of its own and name
that interpreter, e.g.

    python3 -m venv /tmp/ydata-venv && /tmp/ydata-venv/bin/pip install ydata-profiling pyarrow

Without --ydata-python, or when ydata_profiling does not import there, the ydata runs are skipped with a message.
Its usage analytics are switched off (YDATA_PROFILING_NO_ANALYTICS) so that no process waits on the network.

The table (not timed): the lead export of bench/run_small.py at --leads rows (seeded, conversion planted on the
source, company size, visits and webinars), drafted with `alignkit init --from` and cleaned by notebook 01
(`alignkit run --only 01`), i.e. data/processed/leads.parquet as notebook 04 reads it. Every timed process reads that
file itself (pyarrow in the ydata venv; without it the table is also written as CSV and ydata reads that, said in
the output). As in bench/run_small.py, the alignkit processes run from a temporary folder so that a checkout put first
on PYTHONPATH (e.g. a git worktree at an earlier commit) is the one imported; --python picks the interpreter.
Not a test: tests never time things; exits 0.

Targets (issue 29, on the 2-core machine, one run on the same table): the alignkit process ≥ 5× faster than
ydata-profiling's minimal mode and ≥ 15× faster than its full mode.

Measured 2026-12-06 at 3aa7e90 (before issue 29; ydata-profiling 4.18.4 with pandas 2.3.3 and pyarrow; one run
each; load average about 2, another engineer's session on the machine), 200,000 leads x 23 columns: alignkit 3.1 s
(imports 1.9 s, reading 0.1 s, analysis 0.7 s); ydata minimal 7.4 s (report 4.5 s); ydata full 12.2 s (report
9.4 s) — alignkit 2.4x and 3.9x faster (targets 5x and 15x).

After issue 29 (imports on first use, the tests' distributions from scipy.special; load average 1.6; 3 runs each,
medians): alignkit 1.5 s (runs 1.9, 1.5, 1.5: imports 0.6-0.8 s, reading 0.1 s, analysis 0.7 s); ydata minimal 7.9 s,
ydata full 12.9 s — 5.2x (target 5x: met) and 8.5x (target 15x: not met; the full mode's report alone, 9.4-10.2 s, is
13-14x the kit's analysis, but Python with pandas and pyarrow imported takes about 0.45 s before any work).

After the profile bins each field once, ranks in one sort and finds each best value once (quiet machine, load
average 1.0, 3 runs each, medians): alignkit 1.34 s (runs 1.6, 1.3, 1.3: imports 0.6 s, reading 0.1 s, analysis
0.4-0.6 s); ydata minimal 9.1 s, full 14.3 s — 6.8x (met) and 10.7x (not met: 15x needs the whole process under
0.95 s; Python with pandas and pyarrow is 0.42 s, pydantic and scipy.special about 0.25 s, the interpreter's exit
about 0.2 s).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from run_small import SEED, lead_export

ALIGNKIT_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from alignkit.config import load_settings
from alignkit.leads import analysis
t1 = time.perf_counter()
settings = load_settings(sys.argv[1])
inputs = analysis.load_inputs(settings)
t2 = time.perf_counter()
result = analysis.analyse(settings, inputs, fit=False)
t3 = time.perf_counter()
print("RESULT " + json.dumps({"import_s": t1 - t0, "read_s": t2 - t1, "work_s": t3 - t2, "rows": len(inputs.leads),
                              "columns": inputs.leads.shape[1], "drivers": list(result.top_drivers[:3]),
                              "alignkit": analysis.__file__}))
"""

YDATA_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import warnings; warnings.simplefilter("ignore")
import pandas as pd
from ydata_profiling import ProfileReport
t1 = time.perf_counter()
table = sys.argv[1]
frame = pd.read_parquet(table) if table.endswith(".parquet") else pd.read_csv(table)
t2 = time.perf_counter()
ProfileReport(frame, minimal=sys.argv[2] == "minimal", progress_bar=False, title="leads").to_file(sys.argv[3])
t3 = time.perf_counter()
print("RESULT " + json.dumps({"import_s": t1 - t0, "read_s": t2 - t1, "work_s": t3 - t2, "rows": len(frame)}))
"""


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict:
    """Run `command` as a fresh process; return its RESULT line with the process's wall time (or its failure)."""
    start = time.perf_counter()
    process = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode or not lines:
        return {
            "failed": f"exit {process.returncode}: "
            + " | ".join((process.stderr or process.stdout).strip().splitlines()[-3:]),
            "wall_s": wall,
        }
    return {**json.loads(lines[-1][7:]), "wall_s": wall}


def prepare(work: Path, python: str, n: int) -> Path:
    """Write the lead export, draft its project and run notebook 01; return the project file."""
    exports = work / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    lead_export(n, np.random.default_rng(SEED)).to_csv(exports / "crm_leads.csv", index=False)
    project = work / "project"
    for args in (
        ["init", str(project), "--from", str(exports)],
        ["run", "--project", str(project / "alignkit.yml"), "--only", "01"],
    ):
        process = subprocess.run([python, "-m", "alignkit.cli", *args], cwd=work, capture_output=True, text=True)
        if process.returncode:
            raise SystemExit(f"`alignkit {args[0]}` failed (exit {process.returncode}):\n{process.stderr[-3000:]}")
    return project / "alignkit.yml"


def ydata_ready(python: str | None, work: Path) -> tuple[bool, bool, str]:
    """Return (ydata_profiling imports, pyarrow imports, what was found) for the interpreter `python`."""
    if not python:
        return False, False, "no --ydata-python given"
    probe = subprocess.run(
        [
            python,
            "-W",
            "ignore",
            "-c",
            "import ydata_profiling, pandas; print(ydata_profiling.__version__, pandas.__version__)",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        env={**os.environ, "YDATA_PROFILING_NO_ANALYTICS": "True"},
    )
    if probe.returncode:
        return False, False, f"ydata_profiling does not import with {python}: {probe.stderr.strip().splitlines()[-1:]}"
    arrow = subprocess.run([python, "-c", "import pyarrow"], cwd=work, capture_output=True).returncode == 0
    version, pandas_version = probe.stdout.split()
    return True, arrow, f"ydata-profiling {version} with pandas {pandas_version} ({python})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--ydata-python", help="an interpreter with ydata-profiling installed (its own venv)")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the alignkit processes")
    parser.add_argument("--runs", type=int, default=1, help="runs of each process (the median is compared)")
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temporary folder, removed)")
    args = parser.parse_args()
    work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="alignkit-vs-ydata-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        project_file = prepare(work, args.python, args.leads)
        table = project_file.parent / "data" / "processed" / "leads.parquet"
        print(
            f"wrote {args.leads:,} leads, drafted the project and ran notebook 01 in "
            f"{time.perf_counter() - start:.1f} s (not timed): {table}",
            flush=True,
        )
        have_ydata, arrow, found = ydata_ready(args.ydata_python, work)
        ydata_table = table
        if have_ydata and not arrow:
            import pandas as pd

            ydata_table = table.with_suffix(".csv")
            pd.read_parquet(table).to_csv(ydata_table, index=False)
            found += "; no pyarrow there, so it reads the same table as CSV"
        print(
            f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores; "
            + (found if have_ydata else f"ydata runs skipped: {found}"),
            flush=True,
        )
        runs: dict[str, list[dict]] = {"alignkit": [], "ydata minimal": [], "ydata full": []}
        for _ in range(args.runs):
            runs["alignkit"].append(timed([args.python, "-c", ALIGNKIT_CHILD, str(project_file)], cwd=work))
            if have_ydata:
                for mode in ("minimal", "full"):
                    runs[f"ydata {mode}"].append(
                        timed(
                            [
                                args.ydata_python,
                                "-c",
                                YDATA_CHILD,
                                str(ydata_table),
                                mode,
                                str(work / f"ydata-{mode}.html"),
                            ],
                            cwd=work,
                            env={"YDATA_PROFILING_NO_ANALYTICS": "True"},
                        )
                    )
        walls = {}
        for name, results in runs.items():
            for result in results:
                if "failed" in result:
                    print(f"{name}: FAILED after {result['wall_s']:.1f} s — {result['failed']}", flush=True)
                else:
                    print(
                        f"{name}: {result['wall_s']:.1f} s as a whole process (imports {result['import_s']:.1f} s, "
                        f"reading {result['read_s']:.1f} s, {'analysis' if name == 'alignkit' else 'report'} "
                        f"{result['work_s']:.1f} s; {result['rows']:,} rows"
                        + (
                            f" x {result['columns']} columns; top drivers {', '.join(result['drivers'])}; "
                            f"{result['alignkit']}"
                            if name == "alignkit"
                            else ""
                        )
                        + ")",
                        flush=True,
                    )
            good = [r["wall_s"] for r in results if "failed" not in r]
            if good:
                walls[name] = statistics.median(good)
        mine = walls.get("alignkit")
        for name in ("ydata minimal", "ydata full"):
            if mine and name in walls:
                target = 5 if name == "ydata minimal" else 15
                ratio = walls[name] / mine
                print(
                    f"RATIO {name} / alignkit: {ratio:.1f}x (target ≥ {target}x: "
                    f"{'met' if ratio >= target else 'not met'})"
                )
        print("RESULT " + json.dumps({k: round(v, 2) for k, v in walls.items()}), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
