"""Benchmark: the converting-lead profile and the cross-validated lead score for 1,000,000 leads × 40 attributes.

Run: .venv/bin/python bench/lead_score.py [--leads 1000000] [--attributes 40]
Prints the wall time of each part and the peak resident memory (target: under 3 minutes, under 6 GB).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alignkit.config import load_settings  # noqa: E402
from alignkit.leads import analysis as leads  # noqa: E402


def synthetic_leads(n: int, attributes: int, *, seed: int = 0) -> pd.DataFrame:
    """Return n leads with `attributes` columns (two thirds numeric, one third categorical), a planted outcome
    driven by three of them, and a creation date spread over two years."""
    rng = np.random.default_rng(seed)
    n_numeric = attributes * 2 // 3
    columns: dict[str, object] = {
        "lead_key": pd.Series(np.char.add("k", np.arange(n).astype(str)), dtype="str"),
        "created_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 730 * 86400, n)), unit="s"),
    }
    for j in range(n_numeric):
        values = rng.poisson(2 + j % 5, n).astype("float64") if j % 2 else rng.lognormal(3, 1, n).round(1)
        values[rng.random(n) < 0.03] = np.nan
        columns[f"num_{j:02d}"] = pd.array(values, dtype="Float64")
    for j in range(attributes - n_numeric):
        levels = np.array([f"level_{k}" for k in range(3 + j % 10)])
        columns[f"cat_{j:02d}"] = pd.Series(levels[rng.integers(0, len(levels), n)], dtype="str")
    frame = pd.DataFrame(columns)
    x0 = np.log1p(frame["num_01"].astype(float).fillna(0).to_numpy())
    x1 = frame["num_00"].astype(float).fillna(20).to_numpy()
    logit = -3.2 + 0.8 * x0 + 1.2 * ((x1 > 10) & (x1 < 60)) + 0.7 * (frame["cat_00"] == "level_0").to_numpy()
    frame["converted"] = rng.random(n) < 1 / (1 + np.exp(-logit))
    return frame


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--attributes", type=int, default=40)
    args = parser.parse_args()
    settings = load_settings(ROOT / "alignkit.yml")
    start = time.perf_counter()
    frame = synthetic_leads(args.leads, args.attributes)
    built = time.perf_counter()
    print(
        f"built {len(frame):,} leads x {args.attributes} attributes in {built - start:.1f} s "
        f"(conversion {frame['converted'].mean():.1%}); peak RSS {peak_rss_gb():.2f} GB",
        flush=True,
    )
    leads.analyse(settings, leads.LeadInputs(leads=frame), fit=False)
    profiled = time.perf_counter()
    print(
        f"profile (guard, per-value rates, tests, ranking): {profiled - built:.1f} s; peak RSS {peak_rss_gb():.2f} GB",
        flush=True,
    )
    result = leads.analyse(settings, leads.LeadInputs(leads=frame))
    done = time.perf_counter()
    score = result.score
    cv = score.cv_summary.set_index("model")
    print(
        f"profile + cross-validated score ({settings.leads.cv_folds} folds on {score.rows_used['model_sample']:,} "
        f"training leads, hold-out {score.rows_used['holdout']:,}): {done - profiled:.1f} s",
        flush=True,
    )
    for model, row in cv.iterrows():
        print(
            f"  {model:9s} ROC AUC {row['roc_auc_mean']:.3f} ± {row['roc_auc_sd']:.3f}, PR AUC "
            f"{row['pr_auc_mean']:.3f} ± {row['pr_auc_sd']:.3f}"
        )
    print(
        f"  chosen {score.model_name}: hold-out ROC AUC {score.holdout_metrics['roc_auc']:.3f}; top drivers "
        f"{', '.join(result.top_drivers[:3])}"
    )
    total = (profiled - built) + (done - profiled)
    print(
        f"TOTAL wall time (profile alone + full analysis, data building excluded): {total:.1f} s; "
        f"full analysis alone {done - profiled:.1f} s; peak RSS {peak_rss_gb():.2f} GB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
