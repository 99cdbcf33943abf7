"""Choosing the number of personas: the demo's planted number is found, the rule takes the largest of the most
reproducible, and a fixed k is still scored."""

from __future__ import annotations

import pandas as pd

from alignkit import plots
from alignkit.personas.k_choice import choose_k


def test_chosen_k_is_the_planted_number_of_personas(result, truth):
    assert result.k == truth["survey"]["n_personas"]
    assert result.k_scores.loc[result.k_scores["chosen"], "k"].tolist() == [result.k]
    assert set(result.k_scores["k"]) == set(range(2, 11))


def test_choose_k_takes_the_largest_of_the_most_reproducible():
    scores = pd.DataFrame({"k": [2, 3, 4, 5, 6], "stability": [0.95, 0.80, 0.999, 0.995, 0.93]})
    k, table = choose_k(scores)
    assert k == 5 and table["chosen"].sum() == 1


def test_a_k_whose_smallest_persona_is_under_min_share_is_never_chosen():
    scores = pd.DataFrame(
        {"k": [2, 3, 4, 5], "stability": [0.90, 0.97, 0.99, 0.995], "smallest_share": [0.40, 0.20, 0.06, 0.008]}
    )
    k, table = choose_k(scores, min_share=0.05)
    assert k == 4 and table.loc[table["k"] == 5, "too_small"].item()
    k, table = choose_k(scores.assign(smallest_share=0.01), min_share=0.05)
    assert k == 2 and not table["as_stable_as_best"].any()


def test_a_fixed_k_is_still_scored_so_the_notebook_can_show_it(prepared, demo_settings):
    import matplotlib.pyplot as plt

    from alignkit.personas.fitting import fit_personas

    fixed = demo_settings.personas.model_copy(update={"k": 4})
    model, scores, rule = fit_personas(prepared.responses, prepared.codebook, fixed, seed=0, weights=None)
    assert model.n_clusters == 4
    assert scores["k"].tolist() == [4] and scores["chosen"].tolist() == [True]
    assert 0 <= scores["stability"].iat[0] <= 1 and "fixed in the project file" in rule
    ax = plots.plot_k_choice(scores)
    assert "k = 4" in ax.get_legend().get_texts()[-1].get_text()
    plt.close(ax.figure)
