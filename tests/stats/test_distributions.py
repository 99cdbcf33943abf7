"""The scipy.special-based distribution functions give scipy.stats' own answers to float precision."""

import numpy as np
import pytest
from scipy import stats

from alignkit.stats.distributions import (
    average_ranks,
    benjamini_hochberg_adjusted,
    chi2_sf,
    expected_counts,
    normal_quantile,
    normal_two_sided_p,
    pearson_chi_square,
    t_interval,
    t_two_sided_p,
)


def test_normal_and_t_match_scipy_stats():
    q = np.array([0.5, 0.9, 0.975, 0.995, 1e-6])
    np.testing.assert_allclose(normal_quantile(q), stats.norm.ppf(q), rtol=1e-13)
    z = np.array([-4.2, -1.96, 0.0, 0.3, 2.5, 9.0])
    np.testing.assert_allclose(normal_two_sided_p(z), 2 * stats.norm.sf(np.abs(z)), rtol=1e-13)
    for t, df in [(2.1, 3), (-0.4, 17.5), (8.0, 120)]:
        assert t_two_sided_p(t, df) == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-12)
        assert t_interval(0.95, df, 3.0, 0.7) == pytest.approx(
            stats.t.interval(0.95, df, loc=3.0, scale=0.7), rel=1e-12
        )
    for x, df in [(0.2, 1), (3.84, 1), (17.3, 6), (250.0, 30)]:
        assert chi2_sf(x, df) == pytest.approx(stats.chi2.sf(x, df), rel=1e-12)


@pytest.mark.parametrize(
    "table", [[[12, 30], [40, 25]], [[5, 9, 14], [30, 2, 8], [1, 1, 60]], [[0.5, 2.25], [7.0, 1.5]]]
)
def test_pearson_chi_square_matches_chi2_contingency_without_correction(table):
    statistic, p, df, expected = pearson_chi_square(np.array(table))
    want = stats.chi2_contingency(np.array(table, dtype=float), correction=False)
    assert statistic == pytest.approx(want[0], rel=1e-12)
    assert p == pytest.approx(want[1], rel=1e-10)
    assert df == want[2]
    np.testing.assert_allclose(expected, want[3], rtol=1e-13)
    np.testing.assert_allclose(expected_counts(np.array(table)), stats.contingency.expected_freq(np.array(table)))


def test_a_table_with_an_empty_row_is_refused_as_scipy_refuses_it():
    with pytest.raises(ValueError, match="no counts"):
        pearson_chi_square(np.array([[3, 4], [0, 0]]))


def test_ranks_and_benjamini_hochberg_match_scipy_stats():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 20, 500).astype(float)  # many ties
    np.testing.assert_array_equal(average_ranks(x), stats.rankdata(x))
    p = np.concatenate([rng.uniform(0, 1, 200), rng.uniform(0, 1e-3, 20), [0.0, 1.0, 0.05, 0.05]])
    np.testing.assert_allclose(
        benjamini_hochberg_adjusted(p), stats.false_discovery_control(p, method="bh"), rtol=1e-13
    )
    assert len(benjamini_hochberg_adjusted(np.array([]))) == 0
