"""Who each persona is: the descriptors (gender, age, income, region, company size, industry, role) that describe
the personas without forming them, profiled per persona with 95% intervals beside everyone else's."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats as _st

from alignkit.personas.profiles import _indicators, short_question
from alignkit.stats import proportion
from alignkit.stats.compare import weighted_mean_sd


def descriptor_profile(responses: pd.DataFrame, persona_id: pd.Series, codebook: pd.DataFrame,
                       screen: pd.DataFrame | None, names: Mapping[int, str], *, weights: pd.Series | None = None,
                       min_group_size: int = 1) -> pd.DataFrame:
    """Return who each persona is: for every descriptor (the screen's 'descriptor' rows: gender, age, income, region,
    company size …) and persona, the share giving each answer (or the mean of a number) with its 95% CI (Wilson for
    shares, t for means; weighted on Kish's effective n when `weights` are given) beside everyone else's. Personas
    smaller than `min_group_size` show no figures."""
    columns = ["descriptor", "answer", "persona_id", "persona", "n", "value", "ci_low", "ci_high", "everyone_else",
               "measure", "suppressed"]
    if screen is None or not len(screen):
        return pd.DataFrame(columns=columns)
    wanted = list(screen.loc[screen["use"] == "descriptor", "column"])
    book = codebook.set_index("column")
    ids = pd.Series(np.asarray(persona_id), index=responses.index)
    w_all = None if weights is None else np.asarray(weights, dtype=float)
    rows = []
    for column in [c for c in wanted if c in responses]:
        question = short_question(book.at[column, "question"]) if column in book.index else column
        row = codebook[codebook["column"] == column].iloc[0].copy()
        if row["kind"] == "likert":
            row["kind"] = "single"           # a band (age, income, company size): the share in each band says who
        for answer, measure, values, is_share in _indicators(responses, row):
            values = pd.Series(np.asarray(values, dtype="float64"), index=responses.index)
            for pid in sorted(names):
                mine = (ids == pid).to_numpy() & values.notna().to_numpy()
                rest = (ids != pid).to_numpy() & values.notna().to_numpy()
                w = None if w_all is None else w_all[mine]
                if is_share:
                    result = proportion(values[mine].astype(bool), weights=w) if mine.any() else None
                    value, low, high = ((result.share, result.ci_low, result.ci_high) if result else (np.nan,) * 3)
                    other = float(values[rest].mean()) if rest.any() else np.nan
                else:
                    mean, sd, n_eff = weighted_mean_sd(values[mine], weights=w)
                    half = (_st.t.ppf(0.975, n_eff - 1) * sd / np.sqrt(n_eff)) if n_eff > 1 else np.nan
                    value, low, high = mean, mean - half, mean + half
                    other = float(values[rest].mean()) if rest.any() else np.nan
                rows.append({"descriptor": question, "answer": answer, "persona_id": pid, "persona": names[pid],
                             "n": int(mine.sum()), "value": value, "ci_low": low, "ci_high": high,
                             "everyone_else": other, "measure": measure})
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(rows)
    sizes = ids.value_counts()
    table["suppressed"] = table["persona_id"].map(sizes).fillna(0) < min_group_size
    table.loc[table["suppressed"], ["n", "value", "ci_low", "ci_high"]] = np.nan
    return table[columns]
