"""How many personas: score each candidate k by how reproducible its personas are under bootstrap refits
(adjusted Rand index, Hennig's clusterwise Jaccard) beside silhouette, Calinski–Harabasz and Davies–Bouldin, and
choose the most reproducible k (ties go to the larger k)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.metrics.cluster import contingency_matrix

from alignkit.personas.model import PersonaModel

STABILITY_TOLERANCE = 0.01  # candidates this close to the most reproducible k count as equally reproducible
PERSONA_STABLE = 0.85  # Hennig (2007): a cluster whose mean bootstrap Jaccard is at least 0.85 is stable
LCA_STABLE = 0.8  # latent classes: bootstrap adjusted Rand index at which the classes come back


def _nearest(Z: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return ((Z[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)


def _persona_jaccard(reference: np.ndarray, other: np.ndarray, k: int) -> np.ndarray:
    """Return, per reference cluster, its best Jaccard overlap with any cluster of `other` (Hennig's measure)."""
    table = contingency_matrix(reference, other)
    size_ref = table.sum(axis=1, keepdims=True)
    size_other = table.sum(axis=0, keepdims=True)
    jaccard = table / (size_ref + size_other - table)
    best = np.zeros(k)
    best[np.unique(reference)] = jaccard.max(axis=1)
    return best


def score_k(
    Z: np.ndarray,
    k_values: Sequence[int],
    *,
    algorithm: str = "kmeans",
    random_state: int = 0,
    sample_weight: np.ndarray | None = None,
    n_bootstrap: int = 5,
    n_init: int = 10,
    refit_n_init: int = 5,
    silhouette_rows: int = 2500,
) -> pd.DataFrame:
    """Return one row per candidate number of personas k: silhouette, Calinski–Harabasz, Davies–Bouldin, and
    stability over `n_bootstrap` refits on bootstrap resamples (each labelling every row by its nearest centre):
    `stability` is the median adjusted Rand index with the full fit (robust to one refit stuck in a poor local
    optimum), `stability_lowest` the lowest, `weakest_persona_jaccard` the mean Jaccard
    overlap of the least reproducible persona (Hennig's clusterwise stability). Seeded: same inputs, same table.
    Silhouette is computed on a seeded sample of `silhouette_rows` rows (it grows with the square of the rows).
    """
    Z = np.asarray(Z, dtype=float)
    n = len(Z)
    rng = np.random.default_rng(random_state)
    sil_rows = np.sort(rng.choice(n, min(n, silhouette_rows), replace=False))
    boot = [rng.choice(n, n, replace=True) for _ in range(n_bootstrap)]
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=float)

    def labels_of(k: int, seed: int, rows: np.ndarray | None) -> np.ndarray:
        data = Z if rows is None else Z[rows]
        model = PersonaModel(algorithm=algorithm, n_init=n_init if rows is None else refit_n_init)
        clusterer = model._clusterer(k, seed)
        if algorithm == "kmeans":
            return clusterer.fit(data, sample_weight=None if w is None else (w if rows is None else w[rows])).labels_
        return clusterer.fit_predict(data)

    rows = []
    for k in k_values:
        if k >= n:
            continue
        labels = labels_of(k, random_state, None)
        aris, jaccards = [], []
        for b, index in enumerate(boot):
            part = labels_of(k, random_state + 1 + b, index)
            centres = np.vstack([Z[index][part == j].mean(axis=0) for j in np.unique(part)])
            relabelled = _nearest(Z, centres)
            aris.append(adjusted_rand_score(labels, relabelled))
            jaccards.append(_persona_jaccard(labels, relabelled, k))
        rows.append(
            {
                "k": k,
                "silhouette": float(silhouette_score(Z[sil_rows], labels[sil_rows])),
                "calinski_harabasz": float(calinski_harabasz_score(Z, labels)),
                "davies_bouldin": float(davies_bouldin_score(Z, labels)),
                "stability": float(np.median(aris)) if aris else np.nan,
                "stability_lowest": float(np.min(aris)) if aris else np.nan,
                "weakest_persona_jaccard": float(np.mean(jaccards, axis=0).min()) if jaccards else np.nan,
                "smallest_share": float(np.bincount(labels, minlength=k).min() / n),
            }
        )
    return pd.DataFrame(rows)


def choose_k(
    scores: pd.DataFrame, *, tolerance: float = STABILITY_TOLERANCE, min_share: float = 0.0
) -> tuple[int, pd.DataFrame]:
    """Return the chosen number of personas and the score table with `too_small` and `chosen` columns.

    A k whose smallest persona holds under `min_share` of the respondents is not a candidate (a persona of 0.8% is
    not a segment a team can act on); when every k is, the smallest k is chosen.

    First rule, when the table has `weakest_persona_jaccard`: the largest k whose every persona comes back in the
    bootstrap refits (each persona's mean Jaccard overlap at least PERSONA_STABLE, Hennig's threshold for a stable
    cluster). Merging two real groups reproduces as well as keeping them apart, so the overall adjusted Rand index
    alone cannot tell 2 from 3 true groups; asking every persona to be stable can. Only when no k passes:

    The rule: the k whose personas reproduce best when the survey is resampled (highest median adjusted Rand
    index between the full fit and the bootstrap refits); candidates within `tolerance` of the best count as
    equally reproducible, and the largest of them wins (the finest segmentation that is as reproducible as any).
    A split of a real group at an arbitrary line does not reproduce, so too many personas lose; merging real
    groups reproduces well but never better than the true groups, so ties go up, not down.
    Silhouette, Calinski–Harabasz and Davies–Bouldin are shown beside it but do not decide: on overlapping
    survey segments they favour the coarsest split (k = 2) almost always.
    """
    table = scores.copy()
    table["too_small"] = (table["smallest_share"] < min_share) if "smallest_share" in table else False
    allowed = table[~table["too_small"]]
    if allowed.empty:
        table["as_stable_as_best"] = False
        k = int(table["k"].min())
        table["chosen"] = table["k"] == k
        return k, table
    if "weakest_persona_jaccard" in table:
        table["every_persona_stable"] = (table["weakest_persona_jaccard"] >= PERSONA_STABLE) & ~table["too_small"]
        if table["every_persona_stable"].any():
            k = int(table.loc[table["every_persona_stable"], "k"].max())
            table["as_stable_as_best"] = table["every_persona_stable"]
            table["chosen"] = table["k"] == k
            return k, table
    best = allowed["stability"].max()
    table["as_stable_as_best"] = (table["stability"] >= best - tolerance) & ~table["too_small"]
    k = int(table.loc[table["as_stable_as_best"], "k"].max())
    table["chosen"] = table["k"] == k
    return k, table
