"""The persona map and colours: the fuzzy graph matches umap-learn's, the map is reproducible, and each persona's
colour is fixed by its number."""

from __future__ import annotations

import numpy as np

from alignkit import plots
from alignkit.personas.map import _fuzzy_graph, persona_map


def test_fuzzy_graph_matches_umap_and_map_is_reproducible():
    import umap.umap_ as umap_
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(1)
    Z = rng.normal(size=(400, 6))
    dist, index = NearestNeighbors(n_neighbors=10).fit(Z).kneighbors(Z)
    ours = _fuzzy_graph(index, dist).tocsr()
    theirs = umap_.fuzzy_simplicial_set(
        Z, 10, np.random.RandomState(0), "euclidean", knn_indices=index, knn_dists=dist
    )[0].tocsr()
    assert abs(ours - theirs).max() < 1e-4
    first = persona_map(Z, random_state=3, fit_rows=300)
    np.testing.assert_array_equal(first, persona_map(Z, random_state=3, fit_rows=300))
    assert first.shape == (400, 2) and np.isfinite(first).all()


def test_persona_colours_are_fixed_by_persona_number():
    colours = plots.persona_colours({2: "B", 1: "A", 3: "C"})
    assert colours == {"A": plots.PALETTE[0], "B": plots.PALETTE[1], "C": plots.PALETTE[2]}
    assert plots.persona_colours(["A", "B"])["B"] == plots.PALETTE[1]


def test_neighbour_purity_and_labels_on_the_densest_region():
    from alignkit.personas.map import neighbour_purity
    from alignkit.plots.personas import densest_point

    rng = np.random.default_rng(2)
    apart = np.vstack([rng.normal(0, 0.3, (200, 2)), rng.normal(5, 0.3, (200, 2))])
    labels = np.repeat([1, 2], 200)
    assert neighbour_purity(apart, labels) > 0.99
    assert 0.4 < neighbour_purity(apart, rng.permutation(labels)) < 0.6
    # a crescent: its centroid lies in empty space, its densest point on the crescent
    angle = rng.uniform(0, np.pi, 400)
    crescent = np.column_stack([np.cos(angle), np.sin(angle)]) * 5 + rng.normal(0, 0.1, (400, 2))
    crescent[:150] = np.column_stack([np.cos(angle[:150] * 0.1), np.sin(angle[:150] * 0.1)]) * 5
    point = densest_point(crescent)
    assert abs(np.hypot(*point) - 5) < 0.5 and np.hypot(*crescent.mean(axis=0)) < 4.5


def test_demo_map_keeps_each_persona_in_its_region(result):
    from alignkit.personas.map import neighbour_purity

    assert neighbour_purity(result.embedding[["x", "y"]].to_numpy(), result.embedding["persona_id"].to_numpy()) >= 0.8


def test_warm_up_compiles_the_layout_and_leaves_maps_unchanged():
    import json
    import subprocess
    import sys

    draw = (
        "import json, numpy as np\nfrom alignkit.personas import map as m\n{warm}"
        "Z = np.random.default_rng(5).normal(size=(300, 5))\n"
        "import umap.layouts as layouts\n"
        "compiled = len(layouts._nb_optimize_layout_euclidean_single_epoch.signatures)\n"
        "print(json.dumps({{'compiled_before_map': compiled, 'map': m.persona_map(Z, random_state=2).tolist()}}))"
    )
    cold, warm = (
        json.loads(
            subprocess.run(
                [sys.executable, "-c", draw.format(warm=w)], capture_output=True, text=True, check=True
            ).stdout.splitlines()[-1]
        )
        for w in ("", "m.warm_up()\n")
    )
    assert cold["compiled_before_map"] == 0 and warm["compiled_before_map"] >= 1
    assert warm["map"] == cold["map"]
