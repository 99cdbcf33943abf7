"""Survey-weighted statistics: Kish's design effect, weighted shares and means with their intervals, the weighted
crosstab with its Rao–Scott corrections, weighted Cohen's d and h, and the weighted median.

Survey weights are computed (raked) in alignkit.prepare.weights; the helpers here take them as `weights=` (None = each
response counts once) and give the effective sample size (Kish 1965: n_eff = (Σw)² / Σw²) beside each figure. With
every weight equal to one they return the textbook unweighted results to the last digit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignkit.stats.distributions import chi2_sf, normal_quantile, pearson_chi_square, t_interval
from alignkit.stats.proportions import as_weights, effective_sample_size, proportion


def design_effect(weights: np.ndarray | pd.Series | None) -> float:
    """Return Kish's design effect from unequal weighting, n / n_eff = n Σw² / (Σw)²; 1.0 without weights."""
    if weights is None:
        return 1.0
    w = as_weights(len(np.asarray(weights)), weights)
    n_eff = effective_sample_size(w)
    return float(len(w) / n_eff) if n_eff > 0 else np.nan


def weighted_shares(
    values: pd.Series, *, weights: pd.Series | np.ndarray | None = None, level: float = 0.95
) -> pd.DataFrame:
    """Return one row per category of `values` (categorical order, else sorted): weighted count, n (rows), share
    among answered rows, Wilson CI on Kish's effective n, and n_effective. Missing answers are left out."""
    values = pd.Series(values).reset_index(drop=True)
    w = None if weights is None else pd.Series(as_weights(len(values), weights))
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
        return {
            "n": self.n,
            "mean": self.mean,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "sd": self.sd,
            "n_effective": self.n_effective,
        }


def _weighted_moments(values: pd.Series | np.ndarray, weights) -> tuple[float, float, int, float]:
    """Return mean, variance (reliability-weighted, = sample variance with ddof=1 when weights are one), n, n_eff."""
    series = pd.Series(values)
    mask = series.notna().to_numpy()
    x = series[mask].to_numpy(dtype=float)
    w = as_weights(len(series), weights)[mask]
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


def weighted_mean(
    values: pd.Series | np.ndarray, *, weights: pd.Series | np.ndarray | None = None, level: float = 0.95
) -> WeightedMean:
    """Return the (weighted) mean of the non-missing values with a t interval: mean ± t(n_eff − 1) · sd / √n_eff."""
    mean, variance, n, n_eff = _weighted_moments(values, weights)
    sd = float(np.sqrt(variance)) if np.isfinite(variance) else np.nan
    if n < 2 or not np.isfinite(sd) or n_eff <= 1:
        return WeightedMean(mean, np.nan, np.nan, sd, n, n_eff)
    low, high = t_interval(level, n_eff - 1, loc=mean, scale=sd / np.sqrt(n_eff))
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
        return pd.DataFrame(
            [
                {
                    "n": self.n,
                    "n_effective": self.n_effective,
                    "weighted": self.weighted,
                    "chi2": self.chi2,
                    "df": self.df,
                    "p_value": self.p_value,
                    "mean_deff": self.mean_deff,
                    "rao_scott_chi2": self.rao_scott_chi2,
                    "rao_scott_p": self.rao_scott_p,
                    "rao_scott2_chi2": self.rao_scott2_chi2,
                    "rao_scott2_df": self.rao_scott2_df,
                    "rao_scott2_p": self.rao_scott2_p,
                }
            ]
        )


def _rao_scott_delta(
    row_codes: np.ndarray, col_codes: np.ndarray, w: np.ndarray, n_rows: int, n_cols: int
) -> np.ndarray:
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
    main = np.column_stack(
        [np.ones(cells), *(grid_rows == i for i in range(1, n_rows)), *(grid_cols == j for j in range(1, n_cols))]
    ).astype(float)
    interaction = np.column_stack(
        [(grid_rows == i) & (grid_cols == j) for i in range(1, n_rows) for j in range(1, n_cols)]
    ).astype(float)
    q, _ = np.linalg.qr(main)
    contrasts = interaction - q @ (q.T @ interaction)
    inv_p = np.divide(1.0, p, out=np.zeros_like(p), where=p > 0)
    scaled = contrasts * inv_p[:, None]
    denominator = contrasts.T @ scaled / n
    numerator = scaled.T @ v @ scaled
    return np.linalg.solve(denominator, numerator)


def weighted_crosstab(
    rows: pd.Series, columns: pd.Series, *, weights: pd.Series | np.ndarray | None = None, level: float = 0.95
) -> WeightedCrosstab:
    """Return the (weighted) crosstab of two answers with Pearson's X² and its Rao–Scott corrections.

    Rows missing either answer are left out. The Rao–Scott corrections (Rao and Scott 1981, 1984; Thomas and Rao
    1987) divide X² by the mean eigenvalue δ̄ of the design-effect matrix Δ (first order, on (r−1)(c−1) df), or by
    δ̄ (1 + â²) with 1 + â² = Σδ² / (df δ̄²) (second order, on df / (1 + â²) df) — the tests R's survey::svychisq
    gives as statistic = "Chisq" and (as an F) "F". Categories with no respondents are left out of the test.
    """
    frame = pd.DataFrame(
        {"row": pd.Series(rows).reset_index(drop=True), "column": pd.Series(columns).reset_index(drop=True)}
    )
    w_all = as_weights(len(frame), weights)
    keep = frame.notna().all(axis=1).to_numpy()
    frame, w = frame.loc[keep].reset_index(drop=True), w_all[keep]
    n = len(frame)
    counts = frame.assign(weight=w).pivot_table(
        index="row", columns="column", values="weight", aggfunc="sum", fill_value=0.0, observed=True, sort=True
    )
    counts = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    counts.index.name, counts.columns.name = None, None
    respondents = frame.groupby(["row", "column"], observed=True).size()
    table_rows = []
    for row_label in counts.index:
        in_row = (frame["row"] == row_label).to_numpy()
        for column_label in counts.columns:
            flags = frame.loc[in_row, "column"] == column_label
            result = proportion(flags, weights=w[in_row] if weights is not None else None, level=level)
            table_rows.append(
                {
                    "row": row_label,
                    "column": column_label,
                    "respondents": int(respondents.get((row_label, column_label), 0)),
                    "count": float(counts.at[row_label, column_label]),
                    "row_share": result.share,
                    "ci_low": result.ci_low,
                    "ci_high": result.ci_high,
                    "row_n_effective": result.n_effective,
                }
            )
    table = pd.DataFrame(table_rows)
    n_eff = effective_sample_size(w if weights is not None else None, n)
    n_rows, n_cols = counts.shape
    if n_rows < 2 or n_cols < 2:
        nan = np.nan
        return WeightedCrosstab(counts, table, n, n_eff, nan, 0, nan, nan, nan, nan, nan, nan, nan, weights is not None)
    scaled = counts.to_numpy() * (n / w.sum())
    chi2, p_value, df, _ = pearson_chi_square(scaled)
    chi2, df = float(chi2), int(df)
    if weights is None:
        return WeightedCrosstab(
            counts,
            table,
            n,
            n_eff,
            chi2,
            df,
            float(p_value),
            1.0,
            chi2,
            float(p_value),
            chi2,
            float(df),
            float(p_value),
            False,
        )
    row_codes = pd.Categorical(frame["row"], categories=counts.index).codes.astype(np.int64)
    col_codes = pd.Categorical(frame["column"], categories=counts.columns).codes.astype(np.int64)
    delta = _rao_scott_delta(row_codes, col_codes, w, n_rows, n_cols)
    trace, trace2 = float(np.trace(delta)), float(np.trace(delta @ delta))
    mean_deff = trace / df
    first = chi2 / mean_deff
    second, second_df = chi2 * trace / trace2, trace * trace / trace2
    return WeightedCrosstab(
        counts,
        table,
        n,
        n_eff,
        chi2,
        df,
        float(p_value),
        mean_deff,
        first,
        chi2_sf(first, df),
        second,
        second_df,
        chi2_sf(second, second_df),
        True,
    )


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
        return {
            "kind": self.kind,
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n_effective_a": self.n_a,
            "n_effective_b": self.n_b,
        }


def weighted_cohens_d(
    a: pd.Series | np.ndarray,
    b: pd.Series | np.ndarray,
    *,
    weights_a: pd.Series | np.ndarray | None = None,
    weights_b: pd.Series | np.ndarray | None = None,
    level: float = 0.95,
) -> StandardisedDifference:
    """Return Cohen's d of a − b with weighted means and variances and the pooled SD
    √(((n_a−1)s_a² + (n_b−1)s_b²) / (n_a+n_b−2)) on Kish's effective sizes; CI from the usual large-sample SE
    √((n_a+n_b)/(n_a n_b) + d²/(2(n_a+n_b))) (Hedges and Olkin 1985)."""
    mean_a, var_a, _, n_a = _weighted_moments(a, weights_a)
    mean_b, var_b, _, n_b = _weighted_moments(b, weights_b)
    pooled = np.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / (n_a + n_b - 2)) if n_a + n_b > 2 else np.nan
    d = float((mean_a - mean_b) / pooled) if pooled > 0 else np.nan
    se = np.sqrt((n_a + n_b) / (n_a * n_b) + d * d / (2 * (n_a + n_b))) if n_a > 0 and n_b > 0 else np.nan
    z = float(normal_quantile(0.5 + level / 2))
    return StandardisedDifference("cohens_d", d, float(d - z * se), float(d + z * se), n_a, n_b)


def weighted_cohens_h(
    flags_a: pd.Series | np.ndarray,
    flags_b: pd.Series | np.ndarray,
    *,
    weights_a: pd.Series | np.ndarray | None = None,
    weights_b: pd.Series | np.ndarray | None = None,
    level: float = 0.95,
) -> StandardisedDifference:
    """Return Cohen's h = 2 asin √p_a − 2 asin √p_b of two (weighted) shares, CI ± z √(1/n_a + 1/n_b) on the
    effective sizes."""
    share_a = proportion(flags_a, weights=weights_a)
    share_b = proportion(flags_b, weights=weights_b)
    h = float(2 * np.arcsin(np.sqrt(share_a.share)) - 2 * np.arcsin(np.sqrt(share_b.share)))
    n_a, n_b = share_a.n_effective, share_b.n_effective
    se = np.sqrt(1 / n_a + 1 / n_b) if n_a > 0 and n_b > 0 else np.nan
    z = float(normal_quantile(0.5 + level / 2))
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
