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
    if n <= 0:
        return (np.nan, np.nan)
    z = float(_st.norm.ppf(0.5 + level / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


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


# ---------------------------------------------------------------------------------------------------------------
# Associations and effect sizes: chi-square / Fisher, Mann–Whitney, Cramér's V, AUC, standardised differences
# ---------------------------------------------------------------------------------------------------------------


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


def cramers_v(table: np.ndarray | pd.DataFrame) -> float:
    """Return Cramér's V of a contingency table of (possibly weighted) counts: 0 = no association, 1 = complete."""
    counts = np.asarray(table, dtype=float)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if counts.size == 0 or min(counts.shape) < 2:
        return 0.0
    chi2 = _st.chi2_contingency(counts, correction=False)[0]
    return float(np.sqrt(chi2 / (counts.sum() * (min(counts.shape) - 1))))



# ---------------------------------------------------------------------------------------------------------------
# Survey weights: raking, weighted crosstabs (Rao–Scott), weighted means
# ---------------------------------------------------------------------------------------------------------------
