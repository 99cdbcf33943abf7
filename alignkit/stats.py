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


# ---------------------------------------------------------------------------------------------------------------
# Survey weights: raking, weighted crosstabs (Rao–Scott), weighted means
# ---------------------------------------------------------------------------------------------------------------
