"""Benchmark: raking and weighted statistics on a large synthetic survey.

    .venv/bin/python bench/weights.py [--responses 1000000]

Prints wall time and peak memory (ru_maxrss) of: raking to three margins (6, 4 and 8 categories) with trimming,
a weighted 6×4 crosstab with its Rao–Scott corrections, a weighted mean and weighted shares.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from alignkit.prepare.weights import rake
from alignkit.stats import weighted_crosstab, weighted_mean, weighted_shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = args.responses
    size = rng.choice(6, n, p=[0.1, 0.15, 0.2, 0.2, 0.15, 0.2])
    region = (size + rng.choice(4, n)) % 4
    role = (2 * size + rng.choice(4, n)) % 8  # role depends on size: raking needs several passes
    frame = pd.DataFrame(
        {
            "size": pd.Categorical.from_codes(size, [f"s{i}" for i in range(6)]),
            "region": pd.Categorical.from_codes(region, [f"r{i}" for i in range(4)]),
            "role": pd.Categorical.from_codes(role, [f"j{i}" for i in range(8)]),
            "score": rng.normal(50, 10, n),
        }
    )
    margins = {
        "size": dict(zip([f"s{i}" for i in range(6)], [0.25, 0.2, 0.2, 0.15, 0.1, 0.1])),
        "region": dict(zip([f"r{i}" for i in range(4)], [0.4, 0.3, 0.2, 0.1])),
        "role": dict(zip([f"j{i}" for i in range(8)], [0.05, 0.1, 0.2, 0.05, 0.15, 0.15, 0.2, 0.1])),
    }
    timings = {}
    start = time.perf_counter()
    result = rake(frame, margins, trim_ratio=5, max_iterations=200, tolerance=1e-6)
    timings["rake"] = time.perf_counter() - start
    start = time.perf_counter()
    table = weighted_crosstab(frame["size"], frame["region"], weights=result.weights)
    timings["weighted_crosstab 6x4"] = time.perf_counter() - start
    start = time.perf_counter()
    weighted_mean(frame["score"], weights=result.weights)
    weighted_shares(frame["role"], weights=result.weights)
    timings["weighted_mean + weighted_shares"] = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{n:,} responses; raking: {result.iterations} iterations, converged={result.converged}, "
        f"max margin error {result.max_margin_error:.1e}, trimmed {result.trimmed}, design effect "
        f"{result.design_effect:.2f}; crosstab mean deff {table.mean_deff:.2f}"
    )
    for name, seconds in timings.items():
        print(f"  {name:<34} {seconds:7.2f} s")
    print(f"  peak memory (ru_maxrss)            {peak_mb:7.0f} MB")


if __name__ == "__main__":
    main()
