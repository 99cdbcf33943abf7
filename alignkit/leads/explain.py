"""What the fitted lead score leans on: permutation importance and partial dependence, computed as scikit-learn's
`permutation_importance` and `partial_dependence(kind="average", method="brute")` compute them (tested equal), with
the shuffled or gridded copies of the leads stacked into batches of a few thousand rows and the batches scored side
by side in threads.

Why: scikit-learn scores each copy in a call of its own. On a few thousand leads each call is mostly the pipeline
checking and converting its input (about 9 ms for 2,500 leads), fifty or sixty times over; on a large table the calls
are one after another while boosting could score in a thread a core."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import numpy as np
import pandas as pd

from alignkit.stats.association import roc_auc

# cells (rows × columns) scored in one call: enough copies to spread a call's fixed cost (the pipeline checking its
# input, about 9 ms) over many leads, few enough that boosting, which reads the whole batch once a tree, reads it from
# the processor's cache (it scores 200,000 leads × 40 columns three times faster in batches of 5,000 than at once)
BATCH_CELLS = 400_000


class ScoresLeads(Protocol):
    """A fitted classifier with log-odds and probabilities (the calibrated lead score)."""

    def decision_function(self, X: pd.DataFrame) -> np.ndarray: ...

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray: ...


def _score_stacked(
    function, copies: Iterator[pd.DataFrame], shape: tuple[int, int], *, threads: int | None = 1
) -> list[np.ndarray]:
    """Return `function` applied to each copy (all of `shape`: rows, columns), computed on the copies stacked in
    batches of about BATCH_CELLS cells, the batches scored side by side in threads (one a core; each thread's
    OpenMP/BLAS capped at `threads`: boosting scores outside Python's lock). Copies are made a few batches at a time,
    so memory stays flat however many are asked for."""
    from threadpoolctl import threadpool_limits

    rows_each = shape[0]
    per_batch = max(1, BATCH_CELLS // max(shape[0] * shape[1], 1))
    workers = max(1, os.cpu_count() or 1)

    def score(batch: list[pd.DataFrame]) -> np.ndarray:
        with threadpool_limits(limits=threads):
            return np.asarray(function(pd.concat(batch, ignore_index=True)))

    out: list[np.ndarray] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while window := [b for b in (list(itertools.islice(copies, per_batch)) for _ in range(workers)) if b]:
            for batch, values in zip(window, pool.map(score, window)):
                out.extend(values[i * rows_each : (i + 1) * rows_each] for i in range(len(batch)))
    return out


def permutation_importance_auc(
    model: ScoresLeads, X: pd.DataFrame, y: np.ndarray, *, repeats: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean and standard deviation, per column of X, of the drop in ROC AUC when that column is shuffled
    (`repeats` shuffles) — scikit-learn's `permutation_importance(scoring="roc_auc")` with the same shuffles."""
    # scikit-learn draws one seed from the random state, then shuffles every column with a fresh generator from it
    column_seed = np.random.RandomState(seed).randint(np.iinfo(np.int32).max + 1)
    X = X.reset_index(drop=True)

    def shuffled_copies() -> Iterator[pd.DataFrame]:
        for column in X.columns:
            generator = np.random.RandomState(column_seed)
            order = np.arange(len(X))
            values = X[column].to_numpy()
            for _ in range(repeats):
                # as scikit-learn does: each repeat shuffles the column as the previous repeat left it
                generator.shuffle(order)
                values = values[order]
                shuffled = X.copy()
                shuffled[column] = values
                yield shuffled

    baseline = roc_auc(model.decision_function(X), y)
    margins = _score_stacked(model.decision_function, shuffled_copies(), X.shape)
    drops = np.array([baseline - roc_auc(m, y) for m in margins]).reshape(X.shape[1], repeats)
    return drops.mean(axis=1), drops.std(axis=1)


def partial_dependence_curve(model: ScoresLeads, X: pd.DataFrame, column: str, grid: np.ndarray) -> pd.DataFrame:
    """Return the average predicted conversion probability with `column` set to each grid value for every lead of X
    (scikit-learn's `partial_dependence(kind="average", method="brute")`): columns `column`, `predicted_rate`."""
    X = X.reset_index(drop=True)

    def gridded_copies() -> Iterator[pd.DataFrame]:
        for value in grid:
            copy = X.copy()
            copy[column] = value
            yield copy

    rates = [p[:, 1].mean() for p in _score_stacked(model.predict_proba, gridded_copies(), X.shape)]
    return pd.DataFrame({column: np.asarray(grid), "predicted_rate": rates})
