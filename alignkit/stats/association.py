"""Associations of an attribute with a binary outcome: the (weighted) crosstab, Cramér's V, chi-square / Fisher for
categories, Mann–Whitney with the AUC for numbers, and how well one attribute alone separates the outcome."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignkit.lazy import scipy_stats as _scipy_stats
from alignkit.stats.distributions import (
    expected_counts,
    normal_quantile,
    normal_two_sided_p,
    pearson_chi_square,
)
from alignkit.stats.proportions import as_weights, effective_sample_size


@dataclass(frozen=True)
class Association:
    """A test of association between a grouping and a binary outcome, with its effect sizes.

    `test` names the test used; `auc` and `rank_biserial` are set for numeric values (Mann–Whitney), `cramers_v`
    for categories (chi-square / Fisher). `n_effective` is Kish's n under weights (the row count without)."""

    test: str
    statistic: float
    p_value: float
    cramers_v: float = np.nan
    auc: float = np.nan
    rank_biserial: float = np.nan
    n: int = 0
    n_effective: float = 0.0

    def as_dict(self) -> dict[str, float | str]:
        """Return the fields as a dict (for building tables)."""
        return {
            "test": self.test,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "cramers_v": self.cramers_v,
            "auc": self.auc,
            "rank_biserial": self.rank_biserial,
            "n": self.n,
            "n_effective": self.n_effective,
        }


def _group_codes(groups: pd.Series | np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Return integer codes per row (missing values as their own group '(missing)') and the group labels."""
    codes, uniques = pd.factorize(pd.Series(groups), use_na_sentinel=False)
    labels = ["(missing)" if pd.isna(u) else str(u) for u in uniques]
    return codes, labels


def crosstab(
    groups: pd.Series | np.ndarray, outcome: pd.Series | np.ndarray, *, weights: pd.Series | np.ndarray | None = None
) -> pd.DataFrame:
    """Return the (weighted) table of counts: one row a group (missing kept as its own group), columns False/True."""
    codes, labels = _group_codes(groups)
    y = pd.Series(outcome).astype(bool).to_numpy()
    w = as_weights(len(codes), weights)
    k = len(labels)
    positive = np.bincount(codes, weights=w * y, minlength=k)
    total = np.bincount(codes, weights=w, minlength=k)
    return pd.DataFrame({False: total - positive, True: positive}, index=labels)


def cramers_v(table: pd.DataFrame | np.ndarray) -> float:
    """Return Cramér's V of a table of counts (0 = no association, 1 = perfect), without bias correction."""
    counts = np.asarray(table, dtype=float)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if counts.ndim != 2 or min(counts.shape) < 2:
        return np.nan
    chi2 = pearson_chi_square(counts)[0]
    return float(np.sqrt(chi2 / (counts.sum() * (min(counts.shape) - 1))))


def categorical_association(
    groups: pd.Series | np.ndarray, outcome: pd.Series | np.ndarray, *, weights: pd.Series | np.ndarray | None = None
) -> Association:
    """Return the association of a categorical grouping with an outcome: Fisher's exact test for a 2×2 table with
    an expected count below 5, otherwise the chi-square test; Cramér's V beside it.

    Under weights the table is rescaled to Kish's effective n before testing (a design-effect correction)."""
    table = crosstab(groups, outcome, weights=weights)
    n = len(np.asarray(outcome))
    n_eff = effective_sample_size(weights, n)
    total = float(table.to_numpy().sum())
    counts = table.to_numpy(dtype=float) * (n_eff / total if total > 0 else 1.0)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if counts.ndim != 2 or min(counts.shape) < 2:
        return Association("none (one group or one outcome)", np.nan, np.nan, np.nan, n=n, n_effective=n_eff)
    expected = expected_counts(counts)
    v = cramers_v(counts)
    if counts.shape == (2, 2) and expected.min() < 5:
        odds, p = _scipy_stats().fisher_exact(np.round(counts).astype(int))
        return Association("Fisher exact", float(odds), float(p), v, n=n, n_effective=n_eff)
    chi2, p, _, _ = pearson_chi_square(counts)
    return Association("chi-square", float(chi2), float(p), v, n=n, n_effective=n_eff)


def mann_whitney(
    values: pd.Series | np.ndarray, outcome: pd.Series | np.ndarray, *, weights: pd.Series | np.ndarray | None = None
) -> Association:
    """Return the Mann–Whitney U test of values between outcome True and False (missing values dropped), with
    the AUC (chance that a converter's value beats a non-converter's, ties count half) and the rank-biserial
    correlation 2·AUC − 1. Under weights the AUC is weighted and the p-value uses the effective sample sizes."""
    x = pd.Series(values).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    y = pd.Series(outcome).astype(bool).to_numpy()
    w = as_weights(len(x), weights)
    ok = ~np.isnan(x)
    x, y, w = x[ok], y[ok], w[ok]
    n = int(ok.sum())
    pos, neg = x[y], x[~y]
    if len(pos) == 0 or len(neg) == 0:
        return Association(
            "none (one outcome only)", np.nan, np.nan, n=n, n_effective=effective_sample_size(weights, n)
        )
    # one sort gives both the average ranks and the tie counts
    _, inverse, tie_counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(tie_counts)
    ranks = (ends - (tie_counts - 1) / 2.0)[inverse]
    u = float(ranks[y].sum() - len(pos) * (len(pos) + 1) / 2)
    if weights is None:
        auc = u / (len(pos) * len(neg))
        n1, n2 = float(len(pos)), float(len(neg))
    else:
        auc = _weighted_auc(x, y, w)
        n1, n2 = effective_sample_size(w[y]), effective_sample_size(w[~y])
    # Normal approximation with the tie correction (exact enough for the group sizes seen in a CRM).
    n_all = len(x)
    tie_term = float((tie_counts**3 - tie_counts).sum()) / (n_all * (n_all - 1)) if n_all > 1 else 0.0
    sd = np.sqrt(n1 * n2 / 12 * ((n1 + n2 + 1) - tie_term))
    z = (auc - 0.5) * n1 * n2 / sd if sd > 0 else 0.0
    p = float(normal_two_sided_p(z)) if sd > 0 else 1.0
    return Association(
        "Mann–Whitney U",
        u,
        p,
        auc=float(auc),
        rank_biserial=float(2 * auc - 1),
        n=n,
        n_effective=effective_sample_size(weights, n),
    )


def _weighted_auc(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Return the weighted probability that a positive's value exceeds a negative's (ties count half)."""
    order = np.argsort(x, kind="stable")
    x, y, w = x[order], y[order], w[order]
    _, start = np.unique(x, return_index=True)
    pos = np.add.reduceat(w * y, start)
    neg = np.add.reduceat(w * ~y, start)
    below = np.concatenate([[0.0], np.cumsum(neg)[:-1]])
    total = pos.sum() * neg.sum()
    return float(((pos * below).sum() + 0.5 * (pos * neg).sum()) / total) if total > 0 else np.nan


def roc_auc(scores: np.ndarray, outcome: np.ndarray) -> float:
    """Return the ROC AUC of `scores` for the boolean `outcome`: the probability that a positive scores above a
    negative, ties counting half (scikit-learn's `roc_auc_score`, without its input checks: called many times in a
    row by the permutation importance); NaN without both classes."""
    values = np.asarray(scores, dtype=float)
    return _weighted_auc(values, np.asarray(outcome, dtype=bool), np.ones(len(values)))


def discrimination_auc(
    groups: pd.Series | np.ndarray, outcome: pd.Series | np.ndarray, *, weights: pd.Series | np.ndarray | None = None
) -> float:
    """Return how well one attribute alone separates the outcome: the AUC of scoring each row by its group's
    outcome rate (0.5 = no better than chance, 1 = the attribute alone tells the outcome). Works for categories
    and binned numbers alike, so it can flag a field that gives the outcome away whatever its type."""
    table = crosstab(groups, outcome, weights=weights)
    positive, negative = table[True].to_numpy(), table[False].to_numpy()
    rate = np.divide(positive, positive + negative, out=np.zeros_like(positive), where=(positive + negative) > 0)
    values = np.concatenate([rate, rate])
    labels = np.concatenate([np.ones(len(rate), bool), np.zeros(len(rate), bool)])
    return _weighted_auc(values, labels, np.concatenate([positive, negative]))


def auc_interval(auc: float, positives: int, negatives: int, *, level: float = 0.95) -> tuple[float, float]:
    """Return the confidence interval of an ROC AUC measured on `positives` and `negatives` cases, from Hanley &
    McNeil's standard error (Radiology 143:29–36, 1982), clipped to [0, 1]; (NaN, NaN) without both classes."""
    if positives < 1 or negatives < 1 or not np.isfinite(auc):
        return np.nan, np.nan
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (
        positives * negatives
    )
    half = float(normal_quantile(0.5 + level / 2)) * np.sqrt(max(variance, 0.0))
    return float(max(auc - half, 0.0)), float(min(auc + half, 1.0))
