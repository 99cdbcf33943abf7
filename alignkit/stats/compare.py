"""Comparing groups: two proportions (z-test or Fisher, Newcombe's CI, Cohen's h), each segment against the rest
(funnel, friction points), the lift of one share over another, and a share or mean inside a group against the rest
with its standardised difference (persona profiles)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from alignkit.lazy import scipy_stats as _scipy_stats
from alignkit.stats.distributions import normal_quantile, normal_two_sided_p, t_two_sided_p
from alignkit.stats.proportions import as_weights, effective_sample_size, proportion, wilson_interval, wilson_intervals

FISHER_MIN_EXPECTED = 5.0


def compare_proportions(
    count_a: np.ndarray,
    n_a: np.ndarray,
    count_b: np.ndarray,
    n_b: np.ndarray,
    *,
    min_expected: float = FISHER_MIN_EXPECTED,
    level: float = 0.95,
) -> pd.DataFrame:
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
        p_value = np.where(se > 0, normal_two_sided_p(z), 1.0)
        cells = np.stack([na * pooled, na * (1 - pooled), nb * pooled, nb * (1 - pooled)])
    small = np.nanmin(cells, axis=0) < min_expected
    test = np.where(small, "fisher", "z")
    for i in np.flatnonzero(small & (na > 0) & (nb > 0)):
        table = np.round([[xa[i], na[i] - xa[i]], [xb[i], nb[i] - xb[i]]]).astype(int)
        p_value[i] = _scipy_stats().fisher_exact(table).pvalue
    la, ha = wilson_intervals(xa, na, level=level)
    lb, hb = wilson_intervals(xb, nb, level=level)
    diff = pa - pb
    # Newcombe (1998) hybrid score interval for a difference of proportions.
    low = diff - np.sqrt((pa - la) ** 2 + (hb - pb) ** 2)
    high = diff + np.sqrt((ha - pa) ** 2 + (pb - lb) ** 2)
    cohens_h = 2 * np.arcsin(np.sqrt(np.clip(pa, 0, 1))) - 2 * np.arcsin(np.sqrt(np.clip(pb, 0, 1)))
    valid = (na > 0) & (nb > 0)
    return pd.DataFrame(
        {
            "rate_a": pa,
            "rate_b": pb,
            "difference": diff,
            "difference_ci_low": low,
            "difference_ci_high": high,
            "cohens_h": cohens_h,
            "p_value": np.where(valid, p_value, np.nan),
            "test": test,
        }
    )


def segment_vs_rest(
    flags: pd.Series,
    segments: pd.Series,
    *,
    weights: pd.Series | np.ndarray | None = None,
    min_expected: float = FISHER_MIN_EXPECTED,
    level: float = 0.95,
) -> pd.DataFrame:
    """Return one row per segment: its n, count, rate with Wilson CI, the rest's n, count and rate, and the
    comparison of segment vs rest from `compare_proportions`. Rows with a missing flag or segment are ignored;
    with weights, counts are weighted and n is Kish's effective sample size."""
    codes, uniques = pd.factorize(segments, sort=True)
    x_all = flags.to_numpy(dtype=float, na_value=np.nan)
    ok = (codes >= 0) & ~np.isnan(x_all)
    x = x_all[ok].astype(bool).astype(float)
    w = as_weights(len(flags), weights)[ok]
    seg = codes[ok]
    size = len(uniques)
    sums = {
        "w": np.bincount(seg, weights=w, minlength=size),
        "wx": np.bincount(seg, weights=w * x, minlength=size),
        "w2": np.bincount(seg, weights=w * w, minlength=size),
        "rows": np.bincount(seg, minlength=size).astype(float),
    }
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
        rest_eff = np.where(rest_w2 > 0, rest_w**2 / rest_w2, 0.0)
        share = grouped["wx"] / grouped["w"]
        rest_share = np.where(rest_w > 0, (total["wx"] - grouped["wx"]) / rest_w, np.nan)
        n, count = n_eff.to_numpy(), (share * n_eff).to_numpy()
        rest_n, rest_count = rest_eff, rest_share * rest_eff
    compared = compare_proportions(count, n, rest_count, rest_n, min_expected=min_expected, level=level)
    low, high = wilson_intervals(count, n, level=level)
    return pd.DataFrame(
        {
            "segment": grouped.index,
            "n": grouped["rows"].to_numpy().astype("int64"),
            "count": count,
            "rate": compared["rate_a"].to_numpy(),
            "ci_low": low,
            "ci_high": high,
            "rest_n": (total["rows"] - grouped["rows"]).to_numpy().astype("int64"),
            "rest_rate": compared["rate_b"].to_numpy(),
            **{
                c: compared[c].to_numpy()
                for c in ("difference", "difference_ci_low", "difference_ci_high", "cohens_h", "p_value", "test")
            },
        }
    )


def ratio_of_proportions(
    count_a: ArrayLike, n_a: ArrayLike, count_b: ArrayLike, n_b: ArrayLike, *, level: float = 0.95
) -> pd.DataFrame:
    """Return the ratio (lift) of proportion a to proportion b with a Katz log CI (0.5 added to zero cells); a count
    or an n may be one number for every pair."""
    xa, na = np.asarray(count_a, dtype=float), np.asarray(n_a, dtype=float)
    xb, nb = np.asarray(count_b, dtype=float), np.asarray(n_b, dtype=float)
    zero = (xa == 0) | (xb == 0)
    xa_c, xb_c = np.where(zero, xa + 0.5, xa), np.where(zero, xb + 0.5, xb)
    na_c, nb_c = np.where(zero, na + 0.5, na), np.where(zero, nb + 0.5, nb)
    z = float(normal_quantile(0.5 + level / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = (xa / na) / (xb / nb)
        log_ratio = np.log((xa_c / na_c) / (xb_c / nb_c))
        se = np.sqrt(1 / xa_c - 1 / na_c + 1 / xb_c - 1 / nb_c)
    return pd.DataFrame(
        {"lift": lift, "lift_ci_low": np.exp(log_ratio - z * se), "lift_ci_high": np.exp(log_ratio + z * se)}
    )


def weighted_mean_sd(
    values: np.ndarray | pd.Series, *, weights: np.ndarray | pd.Series | None = None
) -> tuple[float, float, float]:
    """Return the (weighted) mean, standard deviation and effective n of the non-missing values."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    w = as_weights(len(x), weights)
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
    pooled = np.sqrt((sd_a**2 + sd_b**2) / 2)
    if not np.isfinite(pooled) or pooled == 0:
        return 0.0 if mean_a == mean_b else float(np.sign(mean_a - mean_b) * np.inf)
    return float((mean_a - mean_b) / pooled)


def compare_share(
    flags: pd.Series | np.ndarray, in_group: pd.Series | np.ndarray, *, weights: pd.Series | np.ndarray | None = None
) -> dict[str, float]:
    """Return a share inside a group vs the rest: share_in, share_out, lift (in / out), standardised difference
    and the two-sided p-value of a two-proportion z-test on Kish's effective sample sizes."""
    flags = pd.Series(flags).reset_index(drop=True)
    group = np.asarray(in_group, dtype=bool)
    w = as_weights(len(flags), weights)
    a = proportion(flags[group], weights=None if weights is None else w[group])
    b = proportion(flags[~group], weights=None if weights is None else w[~group])
    p1, p0, n1, n0 = a.share, b.share, a.n_effective, b.n_effective
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0) if n1 + n0 > 0 else np.nan
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0)) if n1 > 0 and n0 > 0 else np.nan
    z = (p1 - p0) / se if se and se > 0 else 0.0
    return {
        "value_in": p1,
        "value_out": p0,
        "lift": p1 / p0 if p0 > 0 else np.nan,
        "std_diff": standardised_difference(p1, p0, np.sqrt(p1 * (1 - p1)), np.sqrt(p0 * (1 - p0))),
        "p_value": float(normal_two_sided_p(z)) if np.isfinite(z) else np.nan,
    }


def compare_mean(
    values: pd.Series | np.ndarray, in_group: pd.Series | np.ndarray, *, weights: pd.Series | np.ndarray | None = None
) -> dict[str, float]:
    """Return a mean inside a group vs the rest: value_in, value_out, lift (in / out), standardised difference
    and the two-sided p-value of Welch's t-test on Kish's effective sample sizes."""
    x = pd.Series(values).reset_index(drop=True)
    group = np.asarray(in_group, dtype=bool)
    w = as_weights(len(x), weights)
    m1, s1, n1 = weighted_mean_sd(x[group], weights=None if weights is None else w[group])
    m0, s0, n0 = weighted_mean_sd(x[~group], weights=None if weights is None else w[~group])
    p = np.nan
    if n1 > 1 and n0 > 1:
        v1, v0 = s1**2 / n1, s0**2 / n0
        if v1 + v0 > 0:
            t = (m1 - m0) / np.sqrt(v1 + v0)
            df = (v1 + v0) ** 2 / (v1**2 / (n1 - 1) + v0**2 / (n0 - 1))
            p = t_two_sided_p(t, df)
        else:
            p = 1.0 if m1 == m0 else 0.0
    return {
        "value_in": m1,
        "value_out": m0,
        "lift": m1 / m0 if m0 else np.nan,
        "std_diff": standardised_difference(m1, m0, s1, s0),
        "p_value": p,
    }


def proportion_difference(
    count_a: float, n_a: float, count_b: float, n_b: float, *, level: float = 0.95
) -> tuple[float, float, float]:
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
