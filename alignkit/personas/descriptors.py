"""Who each persona is: the descriptors (gender, age, income, region, company size, industry, role) that describe
the personas without forming them, profiled per persona with 95% intervals beside everyone else's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from alignkit.lazy import scipy_stats as _scipy_stats
from alignkit.meaning.survey import DESCRIPTOR, persona_split
from alignkit.personas.profiles import _indicators, short_question
from alignkit.stats import proportion
from alignkit.stats.compare import weighted_mean_sd


def median_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Return the median and its distribution-free interval: the order statistics whose ranks are the binomial(n, ½)
    quantiles (NaN, NaN, NaN without values)."""
    x = np.sort(values[np.isfinite(values)])
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan
    lo = int(_scipy_stats().binom.ppf((1 - level) / 2, n, 0.5))
    hi = int(_scipy_stats().binom.ppf(1 - (1 - level) / 2, n, 0.5))
    return float(np.median(x)), float(x[max(lo - 1, 0)]), float(x[min(hi, n - 1)])


def descriptor_columns_of(codebook: pd.DataFrame, features: Sequence[str]) -> list[str]:
    """Return the descriptor columns to profile: every answer the meaning layer calls a descriptor (gender, age,
    income, region …) that does not form the personas — listed in personas.profile_only or not."""
    split = persona_split(codebook)
    return [c for c in split.loc[split["use"] == DESCRIPTOR, "column"] if c not in set(features)]


def descriptor_profile(
    responses: pd.DataFrame,
    persona_id: pd.Series,
    codebook: pd.DataFrame,
    descriptors: Sequence[str],
    names: Mapping[int, str],
    *,
    weights: pd.Series | None = None,
    min_group_size: int = 1,
) -> pd.DataFrame:
    """Return who each persona is: for every descriptor column (``descriptor_columns_of``) and persona, the share
    giving each answer (or the median of a number, robust to the odd impossible income, with its order-statistic
    interval) with its 95% CI (Wilson for shares; with `weights`, shares on Kish's effective n and numbers as the
    weighted mean with a t interval)
    beside everyone else's. Personas smaller than `min_group_size` show no figures, and neither does an answer
    given by fewer than `min_group_size` of a persona's members (a cell of one or two people identifies them)."""
    columns = [
        "column",
        "descriptor",
        "answer",
        "persona_id",
        "persona",
        "n",
        "value",
        "ci_low",
        "ci_high",
        "everyone_else",
        "measure",
        "suppressed",
    ]
    wanted = list(descriptors)
    book = codebook.set_index("column")
    ids = pd.Series(np.asarray(persona_id), index=responses.index)
    w_all = None if weights is None else np.asarray(weights, dtype=float)
    rows = []
    for column in [c for c in wanted if c in responses]:
        question = short_question(book.at[column, "question"]) if column in book.index else column
        row = codebook[codebook["column"] == column].iloc[0].copy()
        if row["kind"] == "likert":
            row["kind"] = "single"  # a band (age, income, company size): the share in each band says who
        for answer, measure, values, is_share in _indicators(responses, row):
            values = pd.Series(np.asarray(values, dtype="float64"), index=responses.index)
            for pid in sorted(names):
                mine = (ids == pid).to_numpy() & values.notna().to_numpy()
                rest = (ids != pid).to_numpy() & values.notna().to_numpy()
                w = None if w_all is None else w_all[mine]
                if is_share:
                    result = proportion(values[mine].astype(bool), weights=w) if mine.any() else None
                    value, low, high = (result.share, result.ci_low, result.ci_high) if result else (np.nan,) * 3
                    other = float(values[rest].mean()) if rest.any() else np.nan
                    giving = int(values[mine].astype(bool).sum())
                    if 0 < giving < min_group_size:
                        value, low, high = np.nan, np.nan, np.nan  # too few people to show
                elif w is None:
                    value, low, high = median_interval(values[mine].to_numpy())
                    other = float(values[rest].median()) if rest.any() else np.nan
                    measure = "median"
                else:
                    mean, sd, n_eff = weighted_mean_sd(values[mine], weights=w)
                    half = (_scipy_stats().t.ppf(0.975, n_eff - 1) * sd / np.sqrt(n_eff)) if n_eff > 1 else np.nan
                    value, low, high = mean, mean - half, mean + half
                    other = float(values[rest].mean()) if rest.any() else np.nan
                label = "median" if (not is_share and w is None) else answer
                rows.append(
                    {
                        "column": column,
                        "descriptor": question,
                        "answer": label,
                        "persona_id": pid,
                        "persona": names[pid],
                        "n": int(mine.sum()),
                        "value": value,
                        "ci_low": low,
                        "ci_high": high,
                        "everyone_else": other,
                        "measure": measure,
                    }
                )
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(rows)
    sizes = ids.value_counts()
    table["suppressed"] = table["persona_id"].map(sizes).fillna(0) < min_group_size
    table.loc[table["suppressed"], ["n", "value", "ci_low", "ci_high"]] = np.nan
    return table[columns]
