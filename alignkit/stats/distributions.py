"""The normal, t and chi-square tail areas and quantiles the tests need, and Pearson's chi-square test of a table,
from `scipy.special`'s distribution functions.

Why not `scipy.stats`: importing it costs 0.4–0.8 s (measured with `python -X importtime` on the 2-core machine,
issue 29), more than the whole converting-lead profile of 200,000 leads takes. The functions here are the same
formulas scipy.stats evaluates (its `norm`, `t` and `chi2` call these scipy.special functions), and
tests/stats/test_distributions.py checks each against scipy.stats to float precision. Fisher's exact test is
still scipy.stats' own, loaded when a small table needs it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import chdtrc, ndtr, ndtri, stdtr, stdtrit


def normal_quantile(q: float | np.ndarray) -> float | np.ndarray:
    """Return the standard normal quantile of `q` (1.96 for 0.975)."""
    return ndtri(q)


def normal_two_sided_p(z: float | np.ndarray) -> float | np.ndarray:
    """Return the two-sided p-value of a standard normal statistic `z`: 2·P(Z > |z|)."""
    return 2 * ndtr(-np.abs(z))


def t_two_sided_p(t: float, df: float) -> float:
    """Return the two-sided p-value of Student's t statistic `t` with `df` degrees of freedom."""
    return float(2 * stdtr(df, -abs(t)))


def t_interval(level: float, df: float, loc: float, scale: float) -> tuple[float, float]:
    """Return the central `level` interval of a t distribution with `df` degrees of freedom, centre `loc` and
    scale `scale` (scipy.stats.t.interval)."""
    half = float(stdtrit(df, 0.5 + level / 2)) * scale
    return loc - half, loc + half


def chi2_sf(statistic: float, df: float) -> float:
    """Return P(X > statistic) for a chi-square variable X with `df` degrees of freedom."""
    return float(chdtrc(df, statistic))


def expected_counts(counts: np.ndarray) -> np.ndarray:
    """Return the counts a table would hold if its rows and columns were independent: row total × column total ÷
    grand total (scipy.stats.contingency.expected_freq)."""
    counts = np.asarray(counts, dtype=float)
    return np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()


def pearson_chi_square(counts: np.ndarray) -> tuple[float, float, int, np.ndarray]:
    """Return Pearson's chi-square test of independence of a table of counts without the continuity correction
    (scipy.stats.chi2_contingency(counts, correction=False)): the statistic, its p-value, the degrees of freedom
    and the expected counts. Every row and column needs a positive total."""
    counts = np.asarray(counts, dtype=float)
    expected = expected_counts(counts)
    if (expected <= 0).any():
        raise ValueError("a row or column of the table has no counts: drop it before testing")
    statistic = float(((counts - expected) ** 2 / expected).sum())
    df = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    return statistic, (chi2_sf(statistic, df) if df > 0 else 1.0), df, expected


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Return the ranks of `values` from 1, ties sharing their average rank (scipy.stats.rankdata)."""
    return pd.Series(np.asarray(values)).rank(method="average").to_numpy(dtype=float)


def benjamini_hochberg_adjusted(p: np.ndarray) -> np.ndarray:
    """Return Benjamini–Hochberg adjusted p-values of `p` (no missing values), in the input order: the smallest
    m·p(j)/j over j ≥ i, capped at 1 (scipy.stats.false_discovery_control(p, method='bh'))."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out
