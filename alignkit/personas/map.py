"""The persona map: a 2-D UMAP embedding of the weighted answer space, fast in a fresh process.

Where the time goes (measured with bench/persona_map.py): in a fresh process umap-learn spends most of a small map
compiling numba code for its neighbour graph and running Python-level loops, not embedding. So the k-nearest
neighbours come from scikit-learn, the fuzzy graph from vectorised numpy (the same construction, checked against
umap-learn in the tests), and only UMAP's layout optimisation runs in umap-learn.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.neighbors import NearestNeighbors


def _fuzzy_graph(knn_index: np.ndarray, knn_dist: np.ndarray, *, iterations: int = 64):
    """Return UMAP's fuzzy simplicial set (a sparse symmetric graph) from a k-nearest-neighbour graph.

    The same construction as umap-learn's ``fuzzy_simplicial_set`` (local connectivity 1, fuzzy union), computed
    with vectorised numpy instead of numba-compiled loops: in a fresh process the numba compilation alone takes
    longer than the whole map budget for 5,000 respondents.
    """
    from scipy.sparse import coo_matrix

    n, k = knn_dist.shape
    target = np.log2(k)
    positive = np.where(knn_dist > 0, knn_dist, np.inf)
    rho = positive.min(axis=1)
    rho[~np.isfinite(rho)] = 0.0
    gap = np.maximum(knn_dist[:, 1:] - rho[:, None], 0.0)  # the first neighbour is the point itself
    low, high, sigma = np.zeros(n), np.full(n, np.inf), np.ones(n)
    for _ in range(iterations):
        total = np.exp(-gap / sigma[:, None]).sum(axis=1)
        too_big = total > target
        high = np.where(too_big, sigma, high)
        low = np.where(too_big, low, sigma)
        sigma = np.where(np.isfinite(high), (low + high) / 2, sigma * 2)
    mean_dist = knn_dist.mean()
    floor = 1e-3 * np.where(rho > 0, knn_dist.mean(axis=1), mean_dist)
    sigma = np.maximum(sigma, floor)
    strength = np.exp(-np.maximum(knn_dist - rho[:, None], 0.0) / sigma[:, None])
    strength[knn_index == np.arange(n)[:, None]] = 0.0
    graph = coo_matrix((strength.ravel(), (np.repeat(np.arange(n), k), knn_index.ravel())), shape=(n, n)).tocsr()
    transpose = graph.T.tocsr()
    product = graph.multiply(transpose)
    graph = (graph + transpose - product).tocoo()
    graph.eliminate_zeros()
    return graph


def persona_map(
    Z: np.ndarray,
    *,
    random_state: int = 0,
    n_neighbors: int = 15,
    min_dist: float = 0.15,
    n_epochs: int = 150,
    fit_rows: int = 20_000,
    timings: dict | None = None,
) -> np.ndarray:
    """Return a 2-D UMAP embedding (n × 2) of the weighted answer space, reproducible given `random_state`.

    Where the time goes (measured, see bench/persona_map.py): in a fresh process umap-learn spends most of a
    small map compiling numba code and building its neighbour graph in Python-level loops. So the k-nearest
    neighbours come from scikit-learn, the fuzzy graph from vectorised numpy (`_fuzzy_graph`, the same
    construction), and only UMAP's layout optimisation (`simplicial_set_embedding`, 150 epochs) runs in
    umap-learn. Above `fit_rows` rows the layout is fitted on a seeded sample and every other row is placed at
    the distance-weighted mean position of its nearest sampled neighbours (how UMAP initialises new points).
    `timings`, if given, receives seconds per step. Parameters measured on the demo's 3,000 respondents
    (neighbour purity, see `neighbour_purity`): 15 neighbours / min_dist 0.15 give 0.980, 30 / 0.3 give 0.981,
    50 / 0.5 give 0.983, at up to twice the layout time; so 15 / 0.15 stay, within the time budget.
    """
    timings = timings if timings is not None else {}
    start = time.perf_counter()
    with warnings.catch_warnings():  # umap imports tqdm.auto, which warns in notebooks without widgets
        warnings.simplefilter("ignore")
        from umap.umap_ import find_ab_params, simplicial_set_embedding  # a cold import costs seconds: only here

    timings["import_umap_s"] = time.perf_counter() - start
    Z = np.asarray(Z, dtype=float)
    n = len(Z)
    rng = np.random.default_rng(random_state)
    sample = np.sort(rng.choice(n, fit_rows, replace=False)) if n > fit_rows else np.arange(n)
    k = min(n_neighbors, len(sample) - 1)
    start = time.perf_counter()
    nn = NearestNeighbors(n_neighbors=k).fit(Z[sample])
    dist, idx = nn.kneighbors(Z[sample])
    timings["knn_s"] = time.perf_counter() - start
    start = time.perf_counter()
    graph = _fuzzy_graph(idx, dist)
    timings["graph_s"] = time.perf_counter() - start
    start = time.perf_counter()
    a, b = find_ab_params(1.0, min_dist)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embedded, _ = simplicial_set_embedding(
            Z[sample],
            graph,
            2,
            1.0,
            a,
            b,
            1.0,
            5,
            n_epochs,
            "spectral",
            np.random.RandomState(random_state),
            "euclidean",
            {},
            False,
            {},
            False,
        )
    timings["layout_s"] = time.perf_counter() - start
    if len(sample) == n:
        return embedded
    start = time.perf_counter()
    out = np.empty((n, 2))
    out[sample] = embedded
    rest = np.setdiff1d(np.arange(n), sample)
    d, j = nn.kneighbors(Z[rest], n_neighbors=k)
    weight = 1.0 / (d + 1e-9)
    out[rest] = (embedded[j] * weight[:, :, None]).sum(axis=1) / weight.sum(axis=1, keepdims=True)
    timings["place_rest_s"] = time.perf_counter() - start
    return out


def warm_up() -> None:
    """Import umap-learn and compile its layout optimisation by drawing a tiny seeded map, and return nothing.

    In a fresh process the first map pays both (about 4 s of CPU on the 2-core machine, more than the rest of a small
    survey's notebook 03): `alignkit run` calls this in notebook 03's kernel while notebook 01 still runs, so the
    notebook's own map then costs only its layout. The compiled code is numba's, the same for every map."""
    rng = np.random.default_rng(0)
    persona_map(rng.normal(size=(60, 4)), n_epochs=2, random_state=0)


def neighbour_purity(xy: np.ndarray, labels: np.ndarray, *, n_neighbors: int = 10) -> float:
    """Return the mean share of each respondent's `n_neighbors` nearest neighbours on the map that share its
    persona (1 = every persona sits in its own region; the share of the largest persona is what chance gives)."""
    xy = np.asarray(xy, dtype=float)
    labels = np.asarray(labels)
    k = min(n_neighbors, len(xy) - 1)
    if k < 1:
        return float("nan")
    _, index = NearestNeighbors(n_neighbors=k + 1).fit(xy).kneighbors(xy)
    return float((labels[index[:, 1:]] == labels[:, None]).mean())
