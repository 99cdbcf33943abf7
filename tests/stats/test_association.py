"""Association statistics: Mann-Whitney with weights, the categorical test chosen by expected counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from alignkit import stats


def test_mann_whitney_matches_scipy_and_weights_of_one():
    from scipy import stats as st

    rng = np.random.default_rng(1)
    x = rng.poisson(3, 300).astype(float)
    y = rng.random(300) < 0.2 + 0.05 * x / 3
    result = stats.mann_whitney(x, y)
    reference = st.mannwhitneyu(x[y], x[~y], method="asymptotic", use_continuity=False)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue)
    assert result.auc == pytest.approx(roc_auc_score(y, x))
    assert result.rank_biserial == pytest.approx(2 * result.auc - 1)
    weighted = stats.mann_whitney(x, y, weights=np.ones(300))
    assert weighted.auc == pytest.approx(result.auc) and weighted.p_value == pytest.approx(result.p_value)


def test_categorical_association_picks_the_test():
    from scipy import stats as st

    rng = np.random.default_rng(2)
    groups = rng.choice(["a", "b", "c"], 500)
    outcome = rng.random(500) < 0.3
    chi = stats.categorical_association(groups, outcome)
    table = pd.crosstab(groups, outcome)
    assert chi.test == "chi-square"
    assert chi.p_value == pytest.approx(st.chi2_contingency(table, correction=False)[1])
    assert 0 <= chi.cramers_v <= 1
    small = stats.categorical_association(
        np.array(["x"] * 6 + ["y"] * 6), np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1], bool)
    )
    assert small.test == "Fisher exact"
    assert small.p_value == pytest.approx(st.fisher_exact([[1, 5], [5, 1]])[1])
    assert stats.cramers_v(np.array([[10, 0], [0, 10]])) == pytest.approx(1)
    assert stats.discrimination_auc(np.where(outcome, "yes", "no"), outcome) == pytest.approx(1)


def test_auc_interval_covers_the_true_auc_about_95_times_in_100():
    """Two normal score distributions a shift d apart have AUC Φ(d/√2): Hanley–McNeil's 95% interval of the
    measured AUC holds it in about 95% of samples, narrows with more cases, and is NaN with one class only."""
    from scipy.stats import norm

    rng = np.random.default_rng(4)
    shift, true_auc = 0.8, norm.cdf(0.8 / np.sqrt(2))
    covered, widths = 0, []
    for _ in range(400):
        pos, neg = rng.normal(shift, 1, 60), rng.normal(0, 1, 140)
        auc = roc_auc_score(np.r_[np.ones(60), np.zeros(140)], np.r_[pos, neg])
        low, high = stats.auc_interval(auc, 60, 140)
        covered += low <= true_auc <= high
        widths.append(high - low)
    assert 0.92 <= covered / 400 <= 0.98
    low, high = stats.auc_interval(0.7, 600, 1400)
    assert high - low < np.mean(widths) / 2.5 and low < 0.7 < high
    assert np.isnan(stats.auc_interval(0.7, 0, 100)[0])


def test_roc_auc_is_scikit_learns_with_ties_and_without_both_classes():
    rng = np.random.default_rng(4)
    scores = rng.integers(0, 6, 300).astype(float)  # many ties
    outcome = rng.random(300) < 0.2 + 0.1 * scores
    assert stats.roc_auc(scores, outcome) == pytest.approx(roc_auc_score(outcome, scores), abs=1e-12)
    assert np.isnan(stats.roc_auc(scores, np.zeros(300, bool)))
