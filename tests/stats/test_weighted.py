"""Weighted statistics (alignkit.stats.weighted): with every weight one they give the
textbook unweighted results to the last digit; with weights they agree with independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from alignkit import stats

RNG = np.random.default_rng(2026)
N = 400
ROWS = pd.Series(RNG.choice(["small", "mid", "large"], N, p=[0.5, 0.3, 0.2]))
COLUMNS = pd.Series(np.where(RNG.random(N) < np.where(ROWS == "large", 0.6, 0.4), "yes", "no"))
COLUMNS3 = pd.Series(RNG.choice(["email", "events", "search", "social"], N))
VALUES = pd.Series(RNG.normal(50, 12, N))
WEIGHTS = RNG.gamma(2.0, 0.5, N)
ONES = np.ones(N)


def test_design_effect_and_effective_n():
    assert stats.design_effect(None) == 1.0
    assert stats.design_effect(ONES) == 1.0
    w = np.array([1.0, 1.0, 2.0, 4.0])
    # n Σw² / (Σw)² = 4 · 22 / 64
    assert stats.design_effect(w) == pytest.approx(4 * 22 / 64)
    assert stats.design_effect(w) == pytest.approx(len(w) / stats.effective_sample_size(w))


def test_shares_with_weights_of_one_equal_unweighted():
    unweighted = stats.weighted_shares(ROWS)
    ones = stats.weighted_shares(ROWS, weights=ONES)
    pd.testing.assert_frame_equal(unweighted, ones, check_exact=True)
    counts = ROWS.value_counts()
    for _, row in unweighted.iterrows():
        assert row["share"] == counts[row["category"]] / N
        assert (row["ci_low"], row["ci_high"]) == stats.wilson_interval(counts[row["category"]], N)


def test_weighted_shares_use_kish_n():
    shares = stats.weighted_shares(ROWS, weights=WEIGHTS).set_index("category")
    n_eff = WEIGHTS.sum() ** 2 / np.square(WEIGHTS).sum()
    for category, row in shares.iterrows():
        share = WEIGHTS[category == ROWS].sum() / WEIGHTS.sum()
        assert row["share"] == pytest.approx(share, rel=1e-12)
        assert row["n_effective"] == pytest.approx(n_eff, rel=1e-12)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(stats.wilson_interval(share * n_eff, n_eff), rel=1e-12)
    assert shares["share"].sum() == pytest.approx(1)


def test_shares_keep_categorical_order_and_skip_missing():
    values = pd.Series(pd.Categorical(["b", "a", None, "b"], categories=["c", "b", "a"]))
    shares = stats.weighted_shares(values)
    assert shares["category"].tolist() == ["c", "b", "a"]
    assert shares["share"].tolist() == [0, 2 / 3, 1 / 3] and shares["n"].tolist() == [3, 3, 3]


def test_mean_with_weights_of_one_equals_the_textbook_t_interval():
    x = VALUES.to_numpy()
    reference = st.t.interval(0.95, N - 1, loc=np.mean(x), scale=st.sem(x))
    for weights in (None, ONES):
        result = stats.weighted_mean(VALUES, weights=weights)
        assert result.mean == np.mean(x)
        assert result.sd == np.std(x, ddof=1)
        assert (result.ci_low, result.ci_high) == reference
        assert result.n == N and result.n_effective == N


def test_weighted_mean_against_direct_formulas():
    result = stats.weighted_mean(VALUES, weights=WEIGHTS)
    w, x = WEIGHTS, VALUES.to_numpy()
    mean = np.average(x, weights=w)
    n_eff = w.sum() ** 2 / (w**2).sum()
    variance = np.average((x - mean) ** 2, weights=w) * n_eff / (n_eff - 1)
    assert result.mean == pytest.approx(mean, rel=1e-13)
    assert result.sd == pytest.approx(np.sqrt(variance), rel=1e-12)
    half = st.t.ppf(0.975, n_eff - 1) * np.sqrt(variance / n_eff)
    assert (result.ci_low, result.ci_high) == pytest.approx((mean - half, mean + half), rel=1e-12)
    # scaling every weight by a constant changes nothing
    scaled = stats.weighted_mean(VALUES, weights=WEIGHTS * 7.5)
    assert scaled.mean == pytest.approx(result.mean, rel=1e-13) and scaled.ci_low == pytest.approx(
        result.ci_low, rel=1e-12
    )


@pytest.mark.parametrize("columns", [COLUMNS, COLUMNS3], ids=["2 columns", "4 columns"])
def test_crosstab_with_weights_of_one_equals_scipy(columns):
    reference = st.chi2_contingency(pd.crosstab(ROWS, columns), correction=False)
    plain = stats.weighted_crosstab(ROWS, columns)
    ones = stats.weighted_crosstab(ROWS, columns, weights=ONES)
    for result in (plain, ones):
        assert result.chi2 == reference.statistic
        assert result.p_value == reference.pvalue
        assert result.df == reference.dof
        np.testing.assert_array_equal(result.counts.to_numpy(), pd.crosstab(ROWS, columns).to_numpy())
    assert plain.rao_scott_chi2 == plain.chi2 and plain.rao_scott_p == plain.p_value and plain.mean_deff == 1.0
    # with weights of one the design is simple random sampling: Δ = n/(n−1) I (the n/(n−1) of the with-replacement
    # variance estimator, as in R's survey package), so δ̄ = n/(n−1) and the second-order df equal the first-order df
    assert ones.mean_deff == pytest.approx(N / (N - 1), rel=1e-12)
    assert ones.rao_scott2_df == pytest.approx(reference.dof, rel=1e-12)
    assert ones.rao_scott_chi2 == pytest.approx(reference.statistic * (N - 1) / N, rel=1e-12)


def rao_scott_reference(rows: pd.Series, columns: pd.Series, w: np.ndarray) -> tuple[float, float]:
    """Independent route to tr(Δ) and tr(Δ²): per-respondent indicator matrix, explicit linearised covariance,
    Helmert contrasts (any basis of the interaction space gives a similar Δ, so the same traces)."""
    r_levels, c_levels = sorted(rows.unique()), sorted(columns.unique())
    cells = [(r, c) for r in r_levels for c in c_levels]
    y = np.column_stack([((rows == r) & (columns == c)).to_numpy(float) for r, c in cells])
    n = len(w)
    p = (w[:, None] * y).sum(axis=0) / w.sum()
    z = w[:, None] * (y - p) / w.sum()
    v = n / (n - 1) * (z.T @ z)

    def helmert(k: int) -> np.ndarray:
        return np.array([[1.0 if i < j else (-j if i == j else 0.0) for j in range(1, k)] for i in range(k)])

    contrasts = np.kron(helmert(len(r_levels)), helmert(len(c_levels)))
    d_inv = np.diag(1 / p)
    delta = np.linalg.inv(contrasts.T @ d_inv @ contrasts / n) @ (contrasts.T @ d_inv @ v @ d_inv @ contrasts)
    return float(np.trace(delta)), float(np.trace(delta @ delta))


@pytest.mark.parametrize("columns", [COLUMNS, COLUMNS3], ids=["2 columns", "4 columns"])
def test_rao_scott_against_an_independent_computation(columns):
    result = stats.weighted_crosstab(ROWS, columns, weights=WEIGHTS)
    trace, trace2 = rao_scott_reference(ROWS, columns, WEIGHTS)
    df = (ROWS.nunique() - 1) * (columns.nunique() - 1)
    # Pearson's X² on the weighted table scaled to n respondents
    scaled = pd.crosstab(ROWS, columns, values=WEIGHTS, aggfunc="sum").to_numpy() * N / WEIGHTS.sum()
    chi2 = st.chi2_contingency(scaled, correction=False).statistic
    assert result.chi2 == pytest.approx(chi2, rel=1e-12)
    assert result.mean_deff == pytest.approx(trace / df, rel=1e-9)
    assert result.rao_scott_chi2 == pytest.approx(chi2 * df / trace, rel=1e-9)
    assert result.rao_scott_p == pytest.approx(st.chi2.sf(chi2 * df / trace, df), rel=1e-8)
    assert result.rao_scott2_df == pytest.approx(trace**2 / trace2, rel=1e-9)
    assert result.rao_scott2_chi2 == pytest.approx(chi2 * trace / trace2, rel=1e-9)
    # unequal weights inflate the variance: the design effect is above one and the corrected test is less significant
    assert result.mean_deff > 1 and result.rao_scott_p > result.p_value


def test_crosstab_table_has_row_shares_with_cis_and_skips_missing():
    rows = pd.Series(["a", "a", "b", None, "b", "b"])
    columns = pd.Series(["x", "y", "x", "x", None, "x"])
    result = stats.weighted_crosstab(rows, columns, weights=np.array([1, 3, 1, 1, 1, 1.0]))
    assert result.n == 4
    cell = result.table.set_index(["row", "column"])
    assert cell.loc[("a", "y"), "row_share"] == pytest.approx(0.75)
    assert cell.loc[("a", "y"), "count"] == 3 and cell.loc[("a", "y"), "respondents"] == 1
    assert cell.loc[("b", "x"), "row_share"] == 1.0
    assert {"ci_low", "ci_high", "row_n_effective"} <= set(result.table.columns)


def test_cohens_d_and_h_with_weights_of_one_equal_the_textbook():
    a, b = VALUES[:150].to_numpy(), VALUES[150:].to_numpy() + 3
    n_a, n_b = len(a), len(b)
    pooled = np.sqrt(((n_a - 1) * np.var(a, ddof=1) + (n_b - 1) * np.var(b, ddof=1)) / (n_a + n_b - 2))
    d = (np.mean(a) - np.mean(b)) / pooled
    for weights_a, weights_b in ((None, None), (np.ones(n_a), np.ones(n_b))):
        result = stats.weighted_cohens_d(a, b, weights_a=weights_a, weights_b=weights_b)
        assert result.estimate == d
        se = np.sqrt((n_a + n_b) / (n_a * n_b) + d * d / (2 * (n_a + n_b)))
        assert result.ci_low == pytest.approx(d - 1.959963984540054 * se, rel=1e-14)
    flags_a, flags_b = a > 50, b > 50
    h = 2 * np.arcsin(np.sqrt(flags_a.mean())) - 2 * np.arcsin(np.sqrt(flags_b.mean()))
    assert stats.weighted_cohens_h(flags_a, flags_b).estimate == h
    assert stats.weighted_cohens_h(flags_a, flags_b, weights_a=np.ones(n_a), weights_b=np.ones(n_b)).estimate == h


def test_weighted_cohens_d_uses_weighted_moments():
    a, b = np.array([1.0, 2.0, 3.0, 10.0]), np.array([0.0, 1.0, 2.0])
    wa = np.array([1.0, 1.0, 1.0, 0.0])  # a weight of zero drops the outlier
    result = stats.weighted_cohens_d(a, b, weights_a=wa)
    # a: mean 2, n_eff 3, variance 1 (as for [1, 2, 3]); b: mean 1, variance 1 → pooled SD 1, d = 1
    assert result.estimate == pytest.approx(1.0, rel=1e-12)
    assert result.n_a == pytest.approx(3)
