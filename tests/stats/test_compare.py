"""Comparing groups (alignkit.stats.compare): two proportions, segment vs rest, lift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from alignkit.stats import compare_proportions, ratio_of_proportions, segment_vs_rest


def test_two_proportion_z_test_matches_the_textbook():
    out = compare_proportions([40], [100], [60], [100]).iloc[0]
    pooled = 0.5
    z = (0.4 - 0.6) / np.sqrt(pooled * pooled * (2 / 100))
    assert out["test"] == "z"
    assert out["p_value"] == pytest.approx(2 * st.norm.sf(abs(z)))
    assert out["difference"] == pytest.approx(-0.2)
    assert out["difference_ci_low"] < -0.2 < out["difference_ci_high"] < 0
    assert out["cohens_h"] == pytest.approx(2 * np.arcsin(np.sqrt(0.4)) - 2 * np.arcsin(np.sqrt(0.6)))


def test_small_counts_use_fisher():
    out = compare_proportions([1], [6], [5], [6]).iloc[0]
    assert out["test"] == "fisher"
    assert out["p_value"] == pytest.approx(st.fisher_exact([[1, 5], [5, 1]]).pvalue)


def test_segment_vs_rest_counts_and_weights():
    flags = pd.Series([True, False, True, True, False, False])
    segments = pd.Series(["a", "a", "b", "b", "b", None])
    table = segment_vs_rest(flags, segments).set_index("segment")
    assert table.loc["a", ["n", "count", "rest_n"]].tolist() == [2, 1, 3]
    assert table.loc["b", "rate"] == pytest.approx(2 / 3) and table.loc["b", "rest_rate"] == pytest.approx(0.5)
    weighted = segment_vs_rest(flags, segments, weights=np.ones(6)).set_index("segment")
    assert weighted["rate"].tolist() == pytest.approx(table["rate"].tolist())
    heavy = segment_vs_rest(flags, segments, weights=np.array([3.0, 1, 1, 1, 1, 1])).set_index("segment")
    assert heavy.loc["a", "rate"] == pytest.approx(0.75)


def test_lift_and_its_interval():
    out = ratio_of_proportions([30], [100], [15], [100]).iloc[0]
    assert out["lift"] == pytest.approx(2.0)
    se = np.sqrt(1 / 30 - 1 / 100 + 1 / 15 - 1 / 100)
    assert out["lift_ci_low"] == pytest.approx(2 * np.exp(-1.959964 * se), rel=1e-5)
    zero = ratio_of_proportions([0], [10], [5], [10]).iloc[0]
    assert zero["lift"] == 0 and np.isfinite(zero["lift_ci_high"])
