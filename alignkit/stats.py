"""Statistical helpers shared by the analyses. Every one takes optional `weights=`; no weights means weights of one,
and then results equal the textbook unweighted ones to the last digit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

Z_95 = float(_st.norm.ppf(0.975))


def _weights(n: int, weights: np.ndarray | pd.Series | None) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"weights has shape {w.shape}, expected ({n},)")
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    return w


def effective_sample_size(weights: np.ndarray | pd.Series | None, n: int | None = None) -> float:
    """Return Kish's effective sample size (sum w)^2 / sum w^2; with no weights, n."""
    if weights is None:
        return float(n or 0)
    w = np.asarray(weights, dtype=float)
    total = w.sum()
    return float(total * total / np.square(w).sum()) if total > 0 else 0.0


def wilson_interval(successes: float, n: float, *, level: float = 0.95) -> tuple[float, float]:
    """Return the Wilson score interval (low, high) for a proportion; n may be an effective sample size."""
    low, high = wilson_intervals(np.array([successes]), np.array([n]), level=level)
    return (float(low[0]), float(high[0]))


@dataclass(frozen=True)
class Proportion:
    """A share with its Wilson interval; `n` counts rows, `n_effective` is Kish's n under weights."""

    share: float
    ci_low: float
    ci_high: float
    count: float
    n: int
    n_effective: float

    def as_dict(self) -> dict[str, float]:
        """Return the fields as a dict (for building tables)."""
        return {"count": self.count, "n": self.n, "share": self.share, "ci_low": self.ci_low,
                "ci_high": self.ci_high, "n_effective": self.n_effective}


def proportion(flags: pd.Series | np.ndarray, *, weights: pd.Series | np.ndarray | None = None,
               level: float = 0.95) -> Proportion:
    """Return the (weighted) share of True among non-missing flags, with a Wilson CI on the effective n."""
    values = pd.Series(flags)
    mask = values.notna().to_numpy()
    x = values[mask].astype(bool).to_numpy()
    w = _weights(len(values), weights)[mask]
    n = int(mask.sum())
    if n == 0 or w.sum() == 0:
        return Proportion(np.nan, np.nan, np.nan, 0.0, n, 0.0)
    share = float((w * x).sum() / w.sum())
    n_eff = effective_sample_size(w if weights is not None else None, n)
    low, high = wilson_interval(share * n_eff, n_eff, level=level)
    count = float(x.sum()) if weights is None else float((w * x).sum())
    return Proportion(share, low, high, count, n, n_eff)


def proportions_by(frame: pd.DataFrame, flag: str, by: str, *, weights: str | None = None,
                   level: float = 0.95) -> pd.DataFrame:
    """Return one row per group of `by`: count, n, share of `flag`, Wilson CI and effective n."""
    rows = []
    for group, part in frame.groupby(by, observed=True, sort=True, dropna=False):
        result = proportion(part[flag], weights=part[weights] if weights else None, level=level)
        rows.append({by: group, **result.as_dict()})
    return pd.DataFrame(rows)


def benjamini_hochberg(p_values: np.ndarray | pd.Series) -> np.ndarray:
    """Return Benjamini–Hochberg adjusted p-values (q-values), in the input order; NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if not ok.any():
        return out
    out[ok] = _st.false_discovery_control(p[ok], method="bh")
    return out


# ---------------------------------------------------------------------------------------------------------------
# Comparing groups: two proportions, rates by segment (funnel, friction points)
# ---------------------------------------------------------------------------------------------------------------

FISHER_MIN_EXPECTED = 5.0


def wilson_intervals(successes: np.ndarray | pd.Series, n: np.ndarray | pd.Series, *,
                     level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Return arrays (low, high) of Wilson intervals, one per row; NaN where n is 0 (vectorised `wilson_interval`)."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = float(_st.norm.ppf(0.5 + level / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def compare_proportions(count_a: np.ndarray, n_a: np.ndarray, count_b: np.ndarray, n_b: np.ndarray, *,
                        min_expected: float = FISHER_MIN_EXPECTED, level: float = 0.95) -> pd.DataFrame:
    """Return one row per pair of groups (a vs b): both rates, their difference with Newcombe's CI, Cohen's h,
    the two-sided p-value and the test used (two-proportion z-test, or Fisher's exact test when any expected
    cell is below `min_expected`). Counts may be weighted, with n an effective sample size."""
    xa, na = np.asarray(count_a, dtype=float), np.asarray(n_a, dtype=float)
    xb, nb = np.asarray(count_b, dtype=float), np.asarray(n_b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pa, pb = xa / na, xb / nb
        pooled = (xa + xb) / (na + nb)
        se = np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
        z = (pa - pb) / se
        p_value = np.where(se > 0, 2 * _st.norm.sf(np.abs(z)), 1.0)
        cells = np.stack([na * pooled, na * (1 - pooled), nb * pooled, nb * (1 - pooled)])
    small = np.nanmin(cells, axis=0) < min_expected
    test = np.where(small, "fisher", "z")
    for i in np.flatnonzero(small & (na > 0) & (nb > 0)):
        table = np.round([[xa[i], na[i] - xa[i]], [xb[i], nb[i] - xb[i]]]).astype(int)
        p_value[i] = _st.fisher_exact(table).pvalue
    la, ha = wilson_intervals(xa, na, level=level)
    lb, hb = wilson_intervals(xb, nb, level=level)
    diff = pa - pb
    # Newcombe (1998) hybrid score interval for a difference of proportions.
    low = diff - np.sqrt((pa - la) ** 2 + (hb - pb) ** 2)
    high = diff + np.sqrt((ha - pa) ** 2 + (pb - lb) ** 2)
    cohens_h = 2 * np.arcsin(np.sqrt(np.clip(pa, 0, 1))) - 2 * np.arcsin(np.sqrt(np.clip(pb, 0, 1)))
    valid = (na > 0) & (nb > 0)
    return pd.DataFrame({"rate_a": pa, "rate_b": pb, "difference": diff, "difference_ci_low": low,
                         "difference_ci_high": high, "cohens_h": cohens_h,
                         "p_value": np.where(valid, p_value, np.nan), "test": test})


def segment_vs_rest(flags: pd.Series, segments: pd.Series, *, weights: pd.Series | np.ndarray | None = None,
                    min_expected: float = FISHER_MIN_EXPECTED, level: float = 0.95) -> pd.DataFrame:
    """Return one row per segment: its n, count, rate with Wilson CI, the rest's n, count and rate, and the
    comparison of segment vs rest from `compare_proportions`. Rows with a missing flag or segment are ignored;
    with weights, counts are weighted and n is Kish's effective sample size."""
    codes, uniques = pd.factorize(segments, sort=True)
    x_all = flags.to_numpy(dtype=float, na_value=np.nan)
    ok = (codes >= 0) & ~np.isnan(x_all)
    x = x_all[ok].astype(bool).astype(float)
    w = _weights(len(flags), weights)[ok]
    seg = codes[ok]
    size = len(uniques)
    sums = {"w": np.bincount(seg, weights=w, minlength=size), "wx": np.bincount(seg, weights=w * x, minlength=size),
            "w2": np.bincount(seg, weights=w * w, minlength=size), "rows": np.bincount(seg, minlength=size).astype(float)}
    grouped = pd.DataFrame(sums, index=pd.Index(uniques, name="segment"))
    grouped = grouped[grouped["rows"] > 0]
    total = grouped.sum()
    if weights is None:
        n, count = grouped["rows"].to_numpy(float), grouped["wx"].to_numpy()
        rest_n, rest_count = total["rows"] - n, total["wx"] - count
    else:
        # Effective n per group (Kish) and counts scaled to it, so tests and CIs reflect the weighting.
        n_eff = grouped["w"] ** 2 / grouped["w2"]
        rest_w, rest_w2 = total["w"] - grouped["w"], total["w2"] - grouped["w2"]
        rest_eff = np.where(rest_w2 > 0, rest_w ** 2 / rest_w2, 0.0)
        share = grouped["wx"] / grouped["w"]
        rest_share = np.where(rest_w > 0, (total["wx"] - grouped["wx"]) / rest_w, np.nan)
        n, count = n_eff.to_numpy(), (share * n_eff).to_numpy()
        rest_n, rest_count = rest_eff, rest_share * rest_eff
    compared = compare_proportions(count, n, rest_count, rest_n, min_expected=min_expected, level=level)
    low, high = wilson_intervals(count, n, level=level)
    return pd.DataFrame({"segment": grouped.index, "n": grouped["rows"].to_numpy().astype("int64"), "count": count,
                         "rate": compared["rate_a"].to_numpy(), "ci_low": low, "ci_high": high,
                         "rest_n": (total["rows"] - grouped["rows"]).to_numpy().astype("int64"),
                         "rest_rate": compared["rate_b"].to_numpy(),
                         **{c: compared[c].to_numpy() for c in ("difference", "difference_ci_low",
                                                                 "difference_ci_high", "cohens_h", "p_value", "test")}})


def ratio_of_proportions(count_a: np.ndarray, n_a: np.ndarray, count_b: np.ndarray, n_b: np.ndarray, *,
                         level: float = 0.95) -> pd.DataFrame:
    """Return the ratio (lift) of proportion a to proportion b with a Katz log CI (0.5 added to zero cells)."""
    xa, na = np.asarray(count_a, dtype=float), np.asarray(n_a, dtype=float)
    xb, nb = np.asarray(count_b, dtype=float), np.asarray(n_b, dtype=float)
    zero = (xa == 0) | (xb == 0)
    xa_c, xb_c = np.where(zero, xa + 0.5, xa), np.where(zero, xb + 0.5, xb)
    na_c, nb_c = np.where(zero, na + 0.5, na), np.where(zero, nb + 0.5, nb)
    z = float(_st.norm.ppf(0.5 + level / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = (xa / na) / (xb / nb)
        log_ratio = np.log((xa_c / na_c) / (xb_c / nb_c))
        se = np.sqrt(1 / xa_c - 1 / na_c + 1 / xb_c - 1 / nb_c)
    return pd.DataFrame({"lift": lift, "lift_ci_low": np.exp(log_ratio - z * se), "lift_ci_high": np.exp(log_ratio + z * se)})


# ---------------------------------------------------------------------------------------------------------------
# Associations and effect sizes: chi-square / Fisher, Mann–Whitney, Cramér's V, AUC, standardised differences
# ---------------------------------------------------------------------------------------------------------------
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
        return {"test": self.test, "statistic": self.statistic, "p_value": self.p_value, "cramers_v": self.cramers_v,
                "auc": self.auc, "rank_biserial": self.rank_biserial, "n": self.n, "n_effective": self.n_effective}


def _group_codes(groups: pd.Series | np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Return integer codes per row (missing values as their own group '(missing)') and the group labels."""
    codes, uniques = pd.factorize(pd.Series(groups), use_na_sentinel=False)
    labels = ["(missing)" if pd.isna(u) else str(u) for u in uniques]
    return codes, labels


def crosstab(groups: pd.Series | np.ndarray, outcome: pd.Series | np.ndarray, *,
             weights: pd.Series | np.ndarray | None = None) -> pd.DataFrame:
    """Return the (weighted) table of counts: one row a group (missing kept as its own group), columns False/True."""
    codes, labels = _group_codes(groups)
    y = pd.Series(outcome).astype(bool).to_numpy()
    w = _weights(len(codes), weights)
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
    chi2 = _st.chi2_contingency(counts, correction=False)[0]
    return float(np.sqrt(chi2 / (counts.sum() * (min(counts.shape) - 1))))


def categorical_association(groups: pd.Series | np.ndarray, outcome: pd.Series | np.ndarray, *,
                            weights: pd.Series | np.ndarray | None = None) -> Association:
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
    expected = _st.contingency.expected_freq(counts)
    v = cramers_v(counts)
    if counts.shape == (2, 2) and expected.min() < 5:
        odds, p = _st.fisher_exact(np.round(counts).astype(int))
        return Association("Fisher exact", float(odds), float(p), v, n=n, n_effective=n_eff)
    chi2, p, _, _ = _st.chi2_contingency(counts, correction=False)
    return Association("chi-square", float(chi2), float(p), v, n=n, n_effective=n_eff)


def mann_whitney(values: pd.Series | np.ndarray, outcome: pd.Series | np.ndarray, *,
                 weights: pd.Series | np.ndarray | None = None) -> Association:
    """Return the Mann–Whitney U test of values between outcome True and False (missing values dropped), with
    the AUC (chance that a converter's value beats a non-converter's, ties count half) and the rank-biserial
    correlation 2·AUC − 1. Under weights the AUC is weighted and the p-value uses the effective sample sizes."""
    x = pd.Series(values).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    y = pd.Series(outcome).astype(bool).to_numpy()
    w = _weights(len(x), weights)
    ok = ~np.isnan(x)
    x, y, w = x[ok], y[ok], w[ok]
    n = int(ok.sum())
    pos, neg = x[y], x[~y]
    if len(pos) == 0 or len(neg) == 0:
        return Association("none (one outcome only)", np.nan, np.nan, n=n, n_effective=effective_sample_size(weights, n))
    ranks = _st.rankdata(x)
    u = float(ranks[y].sum() - len(pos) * (len(pos) + 1) / 2)
    if weights is None:
        auc = u / (len(pos) * len(neg))
        n1, n2 = float(len(pos)), float(len(neg))
    else:
        auc = _weighted_auc(x, y, w)
        n1, n2 = effective_sample_size(w[y]), effective_sample_size(w[~y])
    # Normal approximation with the tie correction (exact enough for the group sizes seen in a CRM).
    _, tie_counts = np.unique(x, return_counts=True)
    n_all = len(x)
    tie_term = float((tie_counts ** 3 - tie_counts).sum()) / (n_all * (n_all - 1)) if n_all > 1 else 0.0
    sd = np.sqrt(n1 * n2 / 12 * ((n1 + n2 + 1) - tie_term))
    z = (auc - 0.5) * n1 * n2 / sd if sd > 0 else 0.0
    p = float(2 * _st.norm.sf(abs(z))) if sd > 0 else 1.0
    return Association("Mann–Whitney U", u, p, auc=float(auc), rank_biserial=float(2 * auc - 1), n=n,
                       n_effective=effective_sample_size(weights, n))


def _weighted_auc(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Return the weighted probability that a positive's value exceeds a negative's (ties count half)."""
    order = np.argsort(x, kind="stable")
    x, y, w = x[order], y[order], w[order]
    unique, start = np.unique(x, return_index=True)
    pos = np.add.reduceat(w * y, start)
    neg = np.add.reduceat(w * ~y, start)
    below = np.concatenate([[0.0], np.cumsum(neg)[:-1]])
    total = pos.sum() * neg.sum()
    return float(((pos * below).sum() + 0.5 * (pos * neg).sum()) / total) if total > 0 else np.nan


def discrimination_auc(groups: pd.Series | np.ndarray, outcome: pd.Series | np.ndarray, *,
                       weights: pd.Series | np.ndarray | None = None) -> float:
    """Return how well one attribute alone separates the outcome: the AUC of scoring each row by its group's
    outcome rate (0.5 = no better than chance, 1 = the attribute alone tells the outcome). Works for categories
    and binned numbers alike, so it can flag a field that gives the outcome away whatever its type."""
    table = crosstab(groups, outcome, weights=weights)
    positive, negative = table[True].to_numpy(), table[False].to_numpy()
    rate = np.divide(positive, positive + negative, out=np.zeros_like(positive), where=(positive + negative) > 0)
    values = np.concatenate([rate, rate])
    labels = np.concatenate([np.ones(len(rate), bool), np.zeros(len(rate), bool)])
    return _weighted_auc(values, labels, np.concatenate([positive, negative]))


def weighted_mean_sd(values: np.ndarray | pd.Series, *, weights: np.ndarray | pd.Series | None = None) -> tuple[float, float, float]:
    """Return the (weighted) mean, standard deviation and effective n of the non-missing values."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    w = _weights(len(x), weights)
    ok = ~np.isnan(x) & (w > 0)
    if not ok.any():
        return (np.nan, np.nan, 0.0)
    x, w = x[ok], w[ok]
    mean = float(np.average(x, weights=w))
    n_eff = effective_sample_size(w if weights is not None else None, len(x))
    var = float(np.average((x - mean) ** 2, weights=w)) * (n_eff / (n_eff - 1) if n_eff > 1 else np.nan)
    return (mean, float(np.sqrt(var)) if var == var else np.nan, n_eff)


def standardised_difference(mean_a: float, mean_b: float, sd_a: float, sd_b: float) -> float:
    """Return the standardised difference (a − b) / sqrt((sd_a² + sd_b²) / 2): Cohen's d with an unweighted pooled
    SD, the effect size used for balance checks; for shares pass sd = sqrt(p(1 − p)). 0 when both SDs are 0."""
    pooled = np.sqrt((sd_a ** 2 + sd_b ** 2) / 2)
    if not np.isfinite(pooled) or pooled == 0:
        return 0.0 if mean_a == mean_b else float(np.sign(mean_a - mean_b) * np.inf)
    return float((mean_a - mean_b) / pooled)


def compare_share(flags: pd.Series | np.ndarray, in_group: pd.Series | np.ndarray, *,
                  weights: pd.Series | np.ndarray | None = None) -> dict[str, float]:
    """Return a share inside a group vs the rest: share_in, share_out, lift (in / out), standardised difference
    and the two-sided p-value of a two-proportion z-test on Kish's effective sample sizes."""
    flags = pd.Series(flags).reset_index(drop=True)
    group = np.asarray(in_group, dtype=bool)
    w = _weights(len(flags), weights)
    a = proportion(flags[group], weights=None if weights is None else w[group])
    b = proportion(flags[~group], weights=None if weights is None else w[~group])
    p1, p0, n1, n0 = a.share, b.share, a.n_effective, b.n_effective
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0) if n1 + n0 > 0 else np.nan
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0)) if n1 > 0 and n0 > 0 else np.nan
    z = (p1 - p0) / se if se and se > 0 else 0.0
    return {"value_in": p1, "value_out": p0, "lift": p1 / p0 if p0 > 0 else np.nan,
            "std_diff": standardised_difference(p1, p0, np.sqrt(p1 * (1 - p1)), np.sqrt(p0 * (1 - p0))),
            "p_value": float(2 * _st.norm.sf(abs(z))) if np.isfinite(z) else np.nan}


def compare_mean(values: pd.Series | np.ndarray, in_group: pd.Series | np.ndarray, *,
                 weights: pd.Series | np.ndarray | None = None) -> dict[str, float]:
    """Return a mean inside a group vs the rest: value_in, value_out, lift (in / out), standardised difference
    and the two-sided p-value of Welch's t-test on Kish's effective sample sizes."""
    x = pd.Series(values).reset_index(drop=True)
    group = np.asarray(in_group, dtype=bool)
    w = _weights(len(x), weights)
    m1, s1, n1 = weighted_mean_sd(x[group], weights=None if weights is None else w[group])
    m0, s0, n0 = weighted_mean_sd(x[~group], weights=None if weights is None else w[~group])
    p = np.nan
    if n1 > 1 and n0 > 1:
        v1, v0 = s1 ** 2 / n1, s0 ** 2 / n0
        if v1 + v0 > 0:
            t = (m1 - m0) / np.sqrt(v1 + v0)
            df = (v1 + v0) ** 2 / (v1 ** 2 / (n1 - 1) + v0 ** 2 / (n0 - 1))
            p = float(2 * _st.t.sf(abs(t), df))
        else:
            p = 1.0 if m1 == m0 else 0.0
    return {"value_in": m1, "value_out": m0, "lift": m1 / m0 if m0 else np.nan,
            "std_diff": standardised_difference(m1, m0, s1, s0), "p_value": p}


def proportion_difference(count_a: float, n_a: float, count_b: float, n_b: float, *,
                          level: float = 0.95) -> tuple[float, float, float]:
    """Return the difference of two shares a − b with Newcombe's hybrid score interval (method 10, built from
    the two Wilson intervals): (difference, ci_low, ci_high). Counts and n may be weighted / effective."""
    if n_a <= 0 or n_b <= 0:
        return (np.nan, np.nan, np.nan)
    p1, p2 = count_a / n_a, count_b / n_b
    l1, u1 = wilson_interval(count_a, n_a, level=level)
    l2, u2 = wilson_interval(count_b, n_b, level=level)
    diff = p1 - p2
    low = diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (float(diff), float(low), float(high))


def total_variation_distance(p: np.ndarray | pd.Series, q: np.ndarray | pd.Series) -> float:
    """Return half the sum of absolute differences between two distributions (each normalised to sum to 1)."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.sum() <= 0 or q.sum() <= 0:
        return np.nan
    return float(0.5 * np.abs(p / p.sum() - q / q.sum()).sum())


# ---------------------------------------------------------------------------------------------------------------
# Survey weights: raking, weighted crosstabs (Rao–Scott), weighted means
# ---------------------------------------------------------------------------------------------------------------
# Survey weights are computed (raked) in alignkit.weights; the helpers here take them as `weights=` (None = each
# response counts once) and give the effective sample size (Kish 1965: n_eff = (Σw)² / Σw²) beside each figure.
# With every weight equal to one they return the textbook unweighted results to the last digit.


def design_effect(weights: np.ndarray | pd.Series | None) -> float:
    """Return Kish's design effect from unequal weighting, n / n_eff = n Σw² / (Σw)²; 1.0 without weights."""
    if weights is None:
        return 1.0
    w = _weights(len(np.asarray(weights)), weights)
    n_eff = effective_sample_size(w)
    return float(len(w) / n_eff) if n_eff > 0 else np.nan


def weighted_shares(values: pd.Series, *, weights: pd.Series | np.ndarray | None = None,
                    level: float = 0.95) -> pd.DataFrame:
    """Return one row per category of `values` (categorical order, else sorted): weighted count, n (rows), share
    among answered rows, Wilson CI on Kish's effective n, and n_effective. Missing answers are left out."""
    values = pd.Series(values).reset_index(drop=True)
    w = None if weights is None else pd.Series(_weights(len(values), weights))
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = list(values.cat.categories)
    else:
        categories = sorted(values.dropna().unique().tolist())
    answered = values.notna()
    rows = []
    for category in categories:
        flags = (values == category).where(answered)
        result = proportion(flags, weights=w, level=level)
        rows.append({"category": category, **result.as_dict()})
    return pd.DataFrame(rows, columns=["category", "count", "n", "share", "ci_low", "ci_high", "n_effective"])


@dataclass(frozen=True)
class WeightedMean:
    """A (weighted) mean with its t interval on Kish's effective n; `sd` is the weighted standard deviation."""

    mean: float
    ci_low: float
    ci_high: float
    sd: float
    n: int
    n_effective: float

    def as_dict(self) -> dict[str, float]:
        """Return the fields as a dict (for building tables)."""
        return {"n": self.n, "mean": self.mean, "ci_low": self.ci_low, "ci_high": self.ci_high, "sd": self.sd,
                "n_effective": self.n_effective}


def _weighted_moments(values: pd.Series | np.ndarray, weights) -> tuple[float, float, int, float]:
    """Return mean, variance (reliability-weighted, = sample variance with ddof=1 when weights are one), n, n_eff."""
    series = pd.Series(values)
    mask = series.notna().to_numpy()
    x = series[mask].to_numpy(dtype=float)
    w = _weights(len(series), weights)[mask]
    n = len(x)
    total = w.sum()
    if n == 0 or total == 0:
        return np.nan, np.nan, n, 0.0
    mean = (w * x).sum() / total
    deviation = x - mean
    # Σw(x−m)² / (V1 − V2/V1): the unbiased variance with reliability weights; V1 − V2/V1 = V1 (1 − 1/n_eff).
    denominator = total - (w * w).sum() / total
    variance = (w * (deviation * deviation)).sum() / denominator if denominator > 0 else np.nan
    n_eff = total * total / (w * w).sum()
    return float(mean), float(variance), n, float(n_eff)


def weighted_mean(values: pd.Series | np.ndarray, *, weights: pd.Series | np.ndarray | None = None,
                  level: float = 0.95) -> WeightedMean:
    """Return the (weighted) mean of the non-missing values with a t interval: mean ± t(n_eff − 1) · sd / √n_eff."""
    mean, variance, n, n_eff = _weighted_moments(values, weights)
    sd = float(np.sqrt(variance)) if np.isfinite(variance) else np.nan
    if n < 2 or not np.isfinite(sd) or n_eff <= 1:
        return WeightedMean(mean, np.nan, np.nan, sd, n, n_eff)
    low, high = _st.t.interval(level, n_eff - 1, loc=mean, scale=sd / np.sqrt(n_eff))
    return WeightedMean(mean, float(low), float(high), sd, n, n_eff)


@dataclass(frozen=True)
class WeightedCrosstab:
    """A (weighted) crosstab and its test of independence.

    `counts`: weighted counts (rows × columns). `table`: one row per cell with respondents (rows of data), weighted
    count, share of its row with a Wilson CI on the row's effective n. `chi2`/`df`/`p_value`: Pearson's X² on the
    weighted table scaled to the number of respondents (scipy's chi2_contingency, no continuity correction).
    `rao_scott_chi2`/`rao_scott_p`: first-order Rao–Scott correction, X² / δ̄ on df; `rao_scott2_chi2`/`rao_scott2_df`/
    `rao_scott2_p`: second-order (Satterthwaite) correction, X² / (δ̄ (1 + â²)) on df / (1 + â²). Without weights
    the corrected figures equal Pearson's. `mean_deff` is δ̄, the mean generalised design effect.
    """

    counts: pd.DataFrame
    table: pd.DataFrame
    n: int
    n_effective: float
    chi2: float
    df: int
    p_value: float
    mean_deff: float
    rao_scott_chi2: float
    rao_scott_p: float
    rao_scott2_chi2: float
    rao_scott2_df: float
    rao_scott2_p: float
    weighted: bool

    def test(self) -> pd.DataFrame:
        """Return the test results as a one-row table."""
        return pd.DataFrame([{"n": self.n, "n_effective": self.n_effective, "weighted": self.weighted,
                              "chi2": self.chi2, "df": self.df, "p_value": self.p_value, "mean_deff": self.mean_deff,
                              "rao_scott_chi2": self.rao_scott_chi2, "rao_scott_p": self.rao_scott_p,
                              "rao_scott2_chi2": self.rao_scott2_chi2, "rao_scott2_df": self.rao_scott2_df,
                              "rao_scott2_p": self.rao_scott2_p}])


def _rao_scott_delta(row_codes: np.ndarray, col_codes: np.ndarray, w: np.ndarray, n_rows: int, n_cols: int) -> np.ndarray:
    """Return the generalised design-effect matrix Δ of the independence test (Rao and Scott 1984), as in R's
    survey::svychisq: Δ = (C'D⁻¹C / n)⁻¹ (C'D⁻¹ V D⁻¹ C), with C the interaction contrasts orthogonal to the main
    effects, D = diag(p̂) of the weighted cell shares and V their with-replacement (linearised) covariance,
    V = n/(n−1) Σᵢ zᵢzᵢ', zᵢ = wᵢ (yᵢ − p̂) / Σw — each respondent its own sampling unit, weights only."""
    n = len(w)
    cells = n_rows * n_cols
    code = row_codes * n_cols + col_codes
    total = w.sum()
    p = np.bincount(code, weights=w, minlength=cells) / total
    a = np.bincount(code, weights=w * w, minlength=cells) / (total * total)
    # Σᵢ zᵢzᵢ' grouped by cell: diag(a) − a p' − p a' + (Σa) p p'
    cross = np.diag(a) - np.outer(a, p) - np.outer(p, a) + a.sum() * np.outer(p, p)
    v = cross * n / (n - 1)
    grid_rows, grid_cols = np.divmod(np.arange(cells), n_cols)
    main = np.column_stack([np.ones(cells), *(grid_rows == i for i in range(1, n_rows)),
                            *(grid_cols == j for j in range(1, n_cols))]).astype(float)
    interaction = np.column_stack([(grid_rows == i) & (grid_cols == j) for i in range(1, n_rows)
                                   for j in range(1, n_cols)]).astype(float)
    q, _ = np.linalg.qr(main)
    contrasts = interaction - q @ (q.T @ interaction)
    inv_p = np.divide(1.0, p, out=np.zeros_like(p), where=p > 0)
    scaled = contrasts * inv_p[:, None]
    denominator = contrasts.T @ scaled / n
    numerator = scaled.T @ v @ scaled
    return np.linalg.solve(denominator, numerator)


def weighted_crosstab(rows: pd.Series, columns: pd.Series, *, weights: pd.Series | np.ndarray | None = None,
                      level: float = 0.95) -> WeightedCrosstab:
    """Return the (weighted) crosstab of two answers with Pearson's X² and its Rao–Scott corrections.

    Rows missing either answer are left out. The Rao–Scott corrections (Rao and Scott 1981, 1984; Thomas and Rao
    1987) divide X² by the mean eigenvalue δ̄ of the design-effect matrix Δ (first order, on (r−1)(c−1) df), or by
    δ̄ (1 + â²) with 1 + â² = Σδ² / (df δ̄²) (second order, on df / (1 + â²) df) — the tests R's survey::svychisq
    gives as statistic = "Chisq" and (as an F) "F". Categories with no respondents are left out of the test.
    """
    frame = pd.DataFrame({"row": pd.Series(rows).reset_index(drop=True),
                          "column": pd.Series(columns).reset_index(drop=True)})
    w_all = _weights(len(frame), weights)
    keep = frame.notna().all(axis=1).to_numpy()
    frame, w = frame.loc[keep].reset_index(drop=True), w_all[keep]
    n = len(frame)
    counts = frame.assign(weight=w).pivot_table(index="row", columns="column", values="weight", aggfunc="sum",
                                                fill_value=0.0, observed=True, sort=True)
    counts = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    counts.index.name, counts.columns.name = None, None
    respondents = frame.groupby(["row", "column"], observed=True).size()
    table_rows = []
    for row_label in counts.index:
        in_row = (frame["row"] == row_label).to_numpy()
        for column_label in counts.columns:
            flags = frame.loc[in_row, "column"] == column_label
            result = proportion(flags, weights=w[in_row] if weights is not None else None, level=level)
            table_rows.append({"row": row_label, "column": column_label,
                               "respondents": int(respondents.get((row_label, column_label), 0)),
                               "count": float(counts.at[row_label, column_label]), "row_share": result.share,
                               "ci_low": result.ci_low, "ci_high": result.ci_high, "row_n_effective": result.n_effective})
    table = pd.DataFrame(table_rows)
    n_eff = effective_sample_size(w if weights is not None else None, n)
    n_rows, n_cols = counts.shape
    if n_rows < 2 or n_cols < 2:
        nan = np.nan
        return WeightedCrosstab(counts, table, n, n_eff, nan, 0, nan, nan, nan, nan, nan, nan, nan, weights is not None)
    scaled = counts.to_numpy() * (n / w.sum())
    chi2, p_value, df, _ = _st.chi2_contingency(scaled, correction=False)
    chi2, df = float(chi2), int(df)
    if weights is None:
        return WeightedCrosstab(counts, table, n, n_eff, chi2, df, float(p_value), 1.0, chi2, float(p_value),
                                chi2, float(df), float(p_value), False)
    row_codes = pd.Categorical(frame["row"], categories=counts.index).codes.astype(np.int64)
    col_codes = pd.Categorical(frame["column"], categories=counts.columns).codes.astype(np.int64)
    delta = _rao_scott_delta(row_codes, col_codes, w, n_rows, n_cols)
    trace, trace2 = float(np.trace(delta)), float(np.trace(delta @ delta))
    mean_deff = trace / df
    first = chi2 / mean_deff
    second, second_df = chi2 * trace / trace2, trace * trace / trace2
    return WeightedCrosstab(counts, table, n, n_eff, chi2, df, float(p_value), mean_deff, first,
                            float(_st.chi2.sf(first, df)), second, second_df, float(_st.chi2.sf(second, second_df)), True)


@dataclass(frozen=True)
class StandardisedDifference:
    """A standardised difference between two groups (Cohen's d or h) with a normal-approximation CI on the
    groups' effective sizes."""

    kind: str
    estimate: float
    ci_low: float
    ci_high: float
    n_a: float
    n_b: float

    def as_dict(self) -> dict[str, float | str]:
        """Return the fields as a dict (for building tables)."""
        return {"kind": self.kind, "estimate": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "n_effective_a": self.n_a, "n_effective_b": self.n_b}


def weighted_cohens_d(a: pd.Series | np.ndarray, b: pd.Series | np.ndarray, *,
                      weights_a: pd.Series | np.ndarray | None = None, weights_b: pd.Series | np.ndarray | None = None,
                      level: float = 0.95) -> StandardisedDifference:
    """Return Cohen's d of a − b with weighted means and variances and the pooled SD
    √(((n_a−1)s_a² + (n_b−1)s_b²) / (n_a+n_b−2)) on Kish's effective sizes; CI from the usual large-sample SE
    √((n_a+n_b)/(n_a n_b) + d²/(2(n_a+n_b))) (Hedges and Olkin 1985)."""
    mean_a, var_a, _, n_a = _weighted_moments(a, weights_a)
    mean_b, var_b, _, n_b = _weighted_moments(b, weights_b)
    pooled = np.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / (n_a + n_b - 2)) if n_a + n_b > 2 else np.nan
    d = float((mean_a - mean_b) / pooled) if pooled > 0 else np.nan
    se = np.sqrt((n_a + n_b) / (n_a * n_b) + d * d / (2 * (n_a + n_b))) if n_a > 0 and n_b > 0 else np.nan
    z = float(_st.norm.ppf(0.5 + level / 2))
    return StandardisedDifference("cohens_d", d, float(d - z * se), float(d + z * se), n_a, n_b)


def weighted_cohens_h(flags_a: pd.Series | np.ndarray, flags_b: pd.Series | np.ndarray, *,
                      weights_a: pd.Series | np.ndarray | None = None, weights_b: pd.Series | np.ndarray | None = None,
                      level: float = 0.95) -> StandardisedDifference:
    """Return Cohen's h = 2 asin √p_a − 2 asin √p_b of two (weighted) shares, CI ± z √(1/n_a + 1/n_b) on the
    effective sizes."""
    share_a = proportion(flags_a, weights=weights_a)
    share_b = proportion(flags_b, weights=weights_b)
    h = float(2 * np.arcsin(np.sqrt(share_a.share)) - 2 * np.arcsin(np.sqrt(share_b.share)))
    n_a, n_b = share_a.n_effective, share_b.n_effective
    se = np.sqrt(1 / n_a + 1 / n_b) if n_a > 0 and n_b > 0 else np.nan
    z = float(_st.norm.ppf(0.5 + level / 2))
    return StandardisedDifference("cohens_h", h, float(h - z * se), float(h + z * se), n_a, n_b)


def weighted_median(values: np.ndarray | pd.Series, weights: np.ndarray | pd.Series) -> float:
    """Return the weighted median of the non-missing values with a positive weight (the value where the cumulative
    weight reaches half; the midpoint of two values when it lands exactly between them); NaN when none."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    w = np.asarray(weights, dtype=float)
    ok = ~np.isnan(x) & (w > 0)
    if not ok.any():
        return np.nan
    order = np.argsort(x[ok], kind="stable")
    x, w = x[ok][order], w[ok][order]
    cumulative = np.cumsum(w)
    half = cumulative[-1] / 2
    i = int(np.searchsorted(cumulative, half))
    i = min(i, len(x) - 1)
    if np.isclose(cumulative[i], half) and i + 1 < len(x):
        return float((x[i] + x[i + 1]) / 2)
    return float(x[i])
