"""Benchmark: fitting and predicting the latent class persona model (alignkit.personas.lca.LatentClassModel).

For each size, a synthetic survey with planted latent classes (12 five-level Likert items, 2 single-selects, a
4-option multi-select group, 1 number, 10% of answers missing at random) is written to a temporary parquet file and
read back (not timed), then LatentClassModel.fit (the EM restarts and the map encoder) and predict on the same
rows are timed. One line per size: rows, seconds to fit, seconds to predict, relative entropy; then, for context,
the adjusted Rand index against the planted classes, EM iterations of the best start and whether EM converged.

    .venv/bin/python bench/persona_lca.py                       # 5,000 and 50,000 respondents, k = 4
    .venv/bin/python bench/persona_lca.py --rows 2000 --k 3 --n-init 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

LEVELS = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]


def synthetic_survey(n: int, k: int, *, seed: int = 0, missing: float = 0.1) -> tuple[pd.DataFrame, np.ndarray]:
    """Return n synthetic answers from k planted latent classes and each row's class."""
    rng = np.random.default_rng(seed)
    shares = rng.dirichlet(np.full(k, 5.0))
    truth = rng.choice(k, n, p=shares)
    columns = {}
    for j in range(12):
        peak = rng.integers(0, 5, size=k)[truth]  # each class's typical answer to this item
        p = np.exp(-0.8 * np.abs(np.arange(5)[None, :] - peak[:, None]))
        draw = ((p / p.sum(axis=1, keepdims=True)).cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
        columns[f"q{j + 1}"] = pd.Categorical(np.array(LEVELS)[draw], categories=LEVELS, ordered=True)
    for name, options in (("role", ["IT", "Sales", "Ops", "HR", "Finance"]), ("region", ["North", "South", "East"])):
        p = rng.dirichlet(np.ones(len(options)), size=k)[truth]
        draw = (p.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
        columns[name] = pd.Categorical(np.array(options)[draw])
    for j in range(1, 5):
        columns[f"channel_{j}"] = rng.random(n) < rng.uniform(0.1, 0.8, size=k)[truth]
    columns["team_size"] = np.exp(rng.normal(rng.uniform(1, 3, size=k)[truth], 0.6)).round()
    frame = pd.DataFrame(columns)
    for column in list(frame.columns):
        gone = rng.random(n) < missing
        if frame[column].dtype == bool:
            frame[column] = pd.array(frame[column], dtype="boolean")
        frame.loc[gone, column] = None
    return frame, truth


def main(argv: list[str] | None = None) -> int:
    """Time the latent class model for each size; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="5000,50000", help="comma-separated respondent counts")
    parser.add_argument("--k", type=int, default=4, help="planted and fitted number of classes")
    parser.add_argument("--n-init", type=int, default=5, help="EM restarts (LatentClassModel's default is 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--scan",
        default="",
        help="also time the choice of k (score_lca_k over k = 2..K with 5 "
        "bootstrap refits, as notebook 03 runs it) on these respondent counts, e.g. 5000",
    )
    parser.add_argument("--scan-k", type=int, default=8, help="largest k of the scan (default 8)")
    args = parser.parse_args(argv)

    from sklearn.metrics import adjusted_rand_score

    from alignkit.personas.lca import LatentClassModel

    blocks = {f"channel_{j}": "channel" for j in range(1, 5)}
    print(
        f"LatentClassModel, k={args.k}, n_init={args.n_init}: 12 Likert, 2 single, 4-option multi, 1 number, "
        f"10% missing"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(r) for r in args.rows.split(",")):
            answers, truth = synthetic_survey(n, args.k, seed=args.seed + n)
            path = Path(tmp) / f"survey_{n}.parquet"
            answers.to_parquet(path)
            answers = pd.read_parquet(path)
            model = LatentClassModel(args.k, blocks=blocks, n_init=args.n_init, random_state=args.seed)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                start = time.perf_counter()
                model.fit(answers)
                fitted = time.perf_counter()
                labels = model.predict(answers)
                predicted = time.perf_counter()
            notes = sorted({type(w.message).__name__ for w in caught})
            print(
                f"rows {n:>7,}  fit {fitted - start:7.2f} s  predict {predicted - fitted:6.2f} s  "
                f"entropy {model.entropy_:.3f}  |  ARI vs planted {adjusted_rand_score(truth, labels):.3f}, "
                f"EM iterations {model.n_iter_}, converged {model.converged_}"
                + (f", warnings: {', '.join(notes)}" if notes else ""),
                flush=True,
            )
        for n in (int(r) for r in args.scan.split(",") if r):
            from alignkit.personas.lca import choose_lca_k, score_lca_k

            answers, _ = synthetic_survey(n, args.k, seed=args.seed + n)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                scores = score_lca_k(
                    answers,
                    range(2, args.scan_k + 1),
                    features=list(answers.columns),
                    blocks=blocks,
                    random_state=args.seed,
                )
                elapsed = time.perf_counter() - start
            k, _ = choose_lca_k(scores)
            print(
                f"rows {n:>7,}  choice of k over 2..{args.scan_k} (5 bootstrap refits each): {elapsed:7.2f} s, "
                f"chose k = {k} (planted {args.k})",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
