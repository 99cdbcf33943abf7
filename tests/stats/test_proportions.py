"""Shares and intervals (alignkit.stats.proportions) against textbook values: Wilson intervals (one and many),
Kish's effective n, weighted shares, BH."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from alignkit import stats
from alignkit.stats import wilson_interval, wilson_intervals


def test_wilson_interval_matches_the_textbook_example():
    # Newcombe (1998), method 3: 81 of 263 → 0.2553 to 0.3662.
    low, high = stats.wilson_interval(81, 263)
    assert low == pytest.approx(0.2553, abs=1e-4) and high == pytest.approx(0.3662, abs=1e-4)
    assert stats.wilson_interval(0, 10)[0] == 0.0 and stats.wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert all(np.isnan(stats.wilson_interval(0, 0)))


def test_wilson_interval_agrees_with_scipy():
    result = st.binomtest(37, 120).proportion_ci(confidence_level=0.95, method="wilson")
    assert stats.wilson_interval(37, 120) == pytest.approx((result.low, result.high), abs=1e-12)


def test_wilson_intervals_match_the_scalar_helper():
    low, high = wilson_intervals([0, 3, 10], [10, 10, 0])
    assert (low[0], high[0]) == pytest.approx(wilson_interval(0, 10))
    assert (low[1], high[1]) == pytest.approx(wilson_interval(3, 10))
    assert np.isnan(low[2]) and np.isnan(high[2])


def test_proportion_unweighted_equals_weights_of_one_to_the_last_digit():
    flags = pd.Series([True, False, True, None, True, False], dtype="boolean")
    plain = stats.proportion(flags)
    ones = stats.proportion(flags, weights=np.ones(6))
    assert (plain.share, plain.ci_low, plain.ci_high, plain.n) == (ones.share, ones.ci_low, ones.ci_high, ones.n)
    assert plain.share == 3 / 5 and plain.n == 5 and plain.n_effective == 5


def test_weighted_proportion_uses_kish_effective_n():
    flags = np.array([1, 0, 1, 0], dtype=bool)
    weights = np.array([3.0, 1.0, 1.0, 1.0])
    result = stats.proportion(flags, weights=weights)
    assert result.share == pytest.approx(4 / 6)
    assert result.n_effective == pytest.approx(36 / 12)
    assert stats.effective_sample_size(weights) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="non-negative"):
        stats.proportion(flags, weights=np.array([1.0, -1.0, 1.0, 1.0]))


def test_proportions_by_group():
    frame = pd.DataFrame({"source": ["a", "a", "b", "b", "b"], "won": [True, False, True, True, False]})
    table = stats.proportions_by(frame, "won", "source")
    assert table["source"].tolist() == ["a", "b"]
    assert table["share"].tolist() == [0.5, pytest.approx(2 / 3)]
    assert (table["ci_low"] < table["share"]).all() and (table["share"] < table["ci_high"]).all()


def test_benjamini_hochberg_matches_scipy_and_keeps_order_and_nan():
    p = np.array([0.01, 0.04, np.nan, 0.03, 0.2])
    q = stats.benjamini_hochberg(p)
    expected = st.false_discovery_control(p[~np.isnan(p)], method="bh")
    assert np.isnan(q[2])
    np.testing.assert_allclose(q[~np.isnan(q)], expected)
    assert (q[~np.isnan(q)] >= p[~np.isnan(p)]).all()
