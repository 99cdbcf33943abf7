"""Shares and their intervals: the weights check every helper shares, Kish's effective sample size, Wilson
intervals (one or many), a share with its interval (`proportion`, `proportions_by`) and Benjamini–Hochberg
q-values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignkit.stats.distributions import benjamini_hochberg_adjusted, normal_quantile

Z_95 = float(normal_quantile(0.975))


def as_weights(n: int, weights: np.ndarray | pd.Series | None) -> np.ndarray:
    """Return `weights` as a float array of length n (ones when None); raise ValueError when its shape is not (n,)
    or a weight is negative or not finite."""
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


def wilson_intervals(
    successes: np.ndarray | pd.Series, n: np.ndarray | pd.Series, *, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return arrays (low, high) of Wilson intervals, one per row; NaN where n is 0 (vectorised `wilson_interval`)."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = float(normal_quantile(0.5 + level / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


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
        return {
            "count": self.count,
            "n": self.n,
            "share": self.share,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n_effective": self.n_effective,
        }


def proportion(
    flags: pd.Series | np.ndarray, *, weights: pd.Series | np.ndarray | None = None, level: float = 0.95
) -> Proportion:
    """Return the (weighted) share of True among non-missing flags, with a Wilson CI on the effective n."""
    values = pd.Series(flags)
    mask = values.notna().to_numpy()
    x = values[mask].astype(bool).to_numpy()
    w = as_weights(len(values), weights)[mask]
    n = int(mask.sum())
    if n == 0 or w.sum() == 0:
        return Proportion(np.nan, np.nan, np.nan, 0.0, n, 0.0)
    share = float((w * x).sum() / w.sum())
    n_eff = effective_sample_size(w if weights is not None else None, n)
    low, high = wilson_interval(share * n_eff, n_eff, level=level)
    count = float(x.sum()) if weights is None else float((w * x).sum())
    return Proportion(share, low, high, count, n, n_eff)


def proportions_by(
    frame: pd.DataFrame, flag: str, by: str, *, weights: str | None = None, level: float = 0.95
) -> pd.DataFrame:
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
    out[ok] = benjamini_hochberg_adjusted(p[ok])
    return out
