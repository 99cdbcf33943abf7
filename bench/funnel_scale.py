"""Benchmark at the size that outgrows pandas (issue 17): 5,000,000 leads and 100,000,000 touches written as parquet
(data/processed's shape; not timed), then notebook 02's whole funnel analysis through DuckDB — leads.parquet read
into pandas (one row a lead), the touches aggregated by DuckDB straight from the parquet folder, never loaded — and
then the pandas path on the same data (touches read into memory), in a subprocess whose address space is capped so
that it cannot take the shared machine down. Prints each run's wall time and peak resident memory.

    .venv/bin/python bench/funnel_scale.py [--leads 5000000] [--touches 100000000] [--pandas-cap-gb 14]
        [--duckdb-memory 4GB] [--keep DIR]

Target: the DuckDB run under 3 minutes and 8 GB peak on the 2-core machine. Measured 2026-12-03 (load average about
2, another engineer's jobs on the machine): data written in 151 s (1.8 GB of parquet, not timed); DuckDB (memory limit
4GB, 2 threads) read 4.4 s + analysis 60.4 s = 64.8 s, peak RSS 2.82 GB; the pandas path ran out of memory under a 14
GB address-space cap after 39.5 s (peak RSS 9.74 GB, reading the touches and starting on them). At 1M leads and 10M
touches both finish: DuckDB 7.3 s and 0.93 GB, pandas 34.8 s and 2.26 GB, with the same headline figures. Each run
is a fresh Python process, so its peak memory is its own (the data generation's is not counted). Not a test: tests
never time things.

The funnel's time dimension (issue 27: times to convert, the open pipeline's forecast and its backtest, the MQLs a
goal needs) runs inside the analysis; the bench times it again alone as `time_dimension_s`. Measured 2026-12-06 on the
idle machine, 5M leads and 100M touches: DuckDB read 1.5 s + analysis 60.8 s = 62.2 s (of which the time dimension
21.7 s), peak RSS 3.23 GB; median days to win 46, backtest error 2.4% against 1,165% for the weighted pipeline.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHUNK = 10_000_000


def peak_rss_gb() -> float:
    """Return this process's peak resident memory in GB (ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def write_data(folder: Path, n_leads: int, n_touches: int) -> None:
    """Write leads.parquet and touches.parquet/ (a folder of parts of CHUNK touches) into `folder`."""
    import numpy as np
    from bench.funnel import make_leads, make_touches

    from alignkit.io import write_parquet

    rng = np.random.default_rng(0)
    leads = make_leads(n_leads, rng)
    write_parquet(leads, folder / "leads.parquet")
    parts = folder / "touches.parquet"
    parts.mkdir()
    written = 0
    while written < n_touches:
        m = min(CHUNK, n_touches - written)
        make_touches(leads, m, rng).to_parquet(parts / f"part-{written // CHUNK:04d}.parquet", index=False)
        written += m
        print(f"  wrote {written:,} touches", flush=True)


def run_funnel(folder: Path, engine: str) -> dict:
    """Run notebook 02's analysis on the data in `folder` (engine 'duckdb': touches aggregated in DuckDB from the
    parquet folder; 'pandas': touches read into memory first); return the timings, peak memory and headline."""
    import pandas as pd

    from alignkit import funnel
    from alignkit.config import load_settings
    from alignkit.funnel.analysis import FunnelInputs

    settings = load_settings(ROOT / "alignkit.yml").model_copy(update={"root": folder})
    settings = settings.model_copy(update={"paths": settings.paths.model_copy(update={"processed": "."})})
    start = time.perf_counter()
    data = funnel.load_inputs(settings)
    if engine == "pandas":
        data = FunnelInputs(leads=data.leads, touches=pd.read_parquet(folder / "touches.parquet"), inputs=data.inputs)
    loaded = time.perf_counter()
    result = funnel.analyse(settings, data=data)
    done = time.perf_counter()
    top = result.closed_loop.before_close.iloc[0]
    # the time dimension (issue 27) runs inside the analysis; timed again alone to state what it adds
    from alignkit.funnel.friction import breakdown_columns
    from alignkit.funnel.outlook import time_dimension
    from alignkit.prepare.stage_paths import stage_paths

    paths = stage_paths(data.leads, settings.funnel.stage_names)
    timed = time.perf_counter()
    time_dimension(
        data.leads,
        paths,
        settings,
        as_of=result.as_of,
        breakdowns=breakdown_columns(data.leads, tuple(settings.funnel.breakdowns)),
    )
    time_s = time.perf_counter() - timed
    row = result.time.timing.stages.iloc[-1]
    forecast = result.time.forecast
    return {
        "engine": engine,
        "read_s": round(loaded - start, 1),
        "analysis_s": round(done - loaded, 1),
        "time_dimension_s": round(time_s, 1),
        "median_days_to_win": row["median_days"],
        "forecast_wins_90d": round(float(forecast.within(90)["wins"])),
        "backtest_error": round(forecast.backtest.error("forecast"), 3),
        "weighted_pipeline_error": round(forecast.backtest.error("weighted pipeline"), 3),
        "total_s": round(done - start, 1),
        "peak_rss_gb": round(peak_rss_gb(), 2),
        "as_of": str(result.as_of),
        "first_content": str(top["item"]),
        "unused_collateral": result.closed_loop.unused_collateral["content"].tolist()[:3],
        "mqls_due": int(result.sla.overall["mqls_due"].iloc[0]),
    }


def child(folder: Path, engine: str, cap_gb: float | None) -> None:
    """The body of a run's subprocess: cap the address space, run, print one JSON line."""
    if cap_gb:
        cap = int(cap_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        print("RESULT " + json.dumps(run_funnel(folder, engine)), flush=True)
    except MemoryError:
        print(
            "RESULT "
            + json.dumps(
                {
                    "engine": engine,
                    "failed": f"ran out of memory (address space capped at {cap_gb:g} GB)",
                    "peak_rss_gb": round(peak_rss_gb(), 2),
                }
            ),
            flush=True,
        )


def launch(folder: Path, engine: str, cap_gb: float | None, env: dict[str, str]) -> dict:
    """Run one engine in a fresh Python process; return what it printed (or how it died)."""
    start = time.perf_counter()
    command = [sys.executable, __file__, "--child", engine, "--dir", str(folder)]
    if cap_gb:
        command += ["--pandas-cap-gb", str(cap_gb)]
    process = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env})
    wall = time.perf_counter() - start
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if lines:
        return {**json.loads(lines[-1][7:]), "process_wall_s": round(wall, 1)}
    tail = (process.stderr or process.stdout).strip().splitlines()[-3:]
    reason = (
        "ran out of memory"
        if any("MemoryError" in line or "bad_alloc" in line or "Cannot allocate" in line for line in tail)
        else f"failed (exit {process.returncode})"
    )
    return {
        "engine": engine,
        "failed": f"{reason} under a {cap_gb:g} GB address-space cap" if cap_gb else reason,
        "process_wall_s": round(wall, 1),
        "last_lines": tail,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=5_000_000)
    parser.add_argument("--touches", type=int, default=100_000_000)
    parser.add_argument("--pandas-cap-gb", type=float, default=14.0)
    parser.add_argument("--duckdb-memory", default="4GB", help="DuckDB's memory limit (it spills beyond it)")
    parser.add_argument("--keep", help="write the data into this folder and keep it (default: a temporary folder)")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.dir), args.child, args.pandas_cap_gb if args.child == "pandas" else None)
        return
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="alignkit-funnel-scale-"))
    try:
        if not (folder / "leads.parquet").exists():
            folder.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            print(
                f"writing {args.leads:,} leads and {args.touches:,} touches as parquet into {folder} (not timed)",
                flush=True,
            )
            generator = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys; sys.path.insert(0, sys.argv[1]); "
                    "from bench.funnel_scale import write_data; from pathlib import Path; "
                    "write_data(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))",
                    str(ROOT),
                    str(folder),
                    str(args.leads),
                    str(args.touches),
                ]
            )
            generator.check_returncode()
            size = sum(p.stat().st_size for p in folder.rglob("*.parquet")) / 1e9
            print(f"data written in {time.perf_counter() - t0:.0f} s ({size:.1f} GB of parquet)", flush=True)
        duck = launch(
            folder, "duckdb", None, {"ALIGNKIT_DUCKDB_MEMORY_LIMIT": args.duckdb_memory, "ALIGNKIT_DUCKDB_THREADS": "2"}
        )
        print("DuckDB:", json.dumps(duck), flush=True)
        if not args.skip_pandas:
            pandas_run = launch(folder, "pandas", args.pandas_cap_gb, {})
            print("pandas:", json.dumps(pandas_run), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
