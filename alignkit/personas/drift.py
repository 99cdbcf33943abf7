"""Drift between survey waves: how each persona's share moved (Newcombe CI of the change) and how far each
question's answers moved (total-variation distance, Cramér's V). Pure functions of frames, used by
``alignkit.personas.waves``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from alignkit.personas.profiles import answer_columns, short_question
from alignkit.privacy import suppress_small_groups
from alignkit.stats import cramers_v, proportion, proportion_difference, total_variation_distance


def share_drift(
    before: pd.Series,
    after: pd.Series,
    names: Mapping[int, str],
    *,
    weights_before: pd.Series | None = None,
    weights_after: pd.Series | None = None,
    min_group_size: int = 1,
) -> pd.DataFrame:
    """Return, per persona, its share in the earlier wave and in the new one, the change (new − earlier) with
    Newcombe's 95% CI, and whether the CI excludes zero; largest absolute change first."""
    rows = []
    for pid in sorted(names):
        a = proportion(after == pid, weights=weights_after)
        b = proportion(before == pid, weights=weights_before)
        diff, low, high = proportion_difference(
            a.share * a.n_effective, a.n_effective, b.share * b.n_effective, b.n_effective
        )
        rows.append(
            {
                "persona_id": pid,
                "persona": names[pid],
                "n_before": int((before == pid).sum()),
                "n_after": int((after == pid).sum()),
                "share_before": b.share,
                "share_after": a.share,
                "change": diff,
                "change_ci_low": low,
                "change_ci_high": high,
                "moved": bool(low > 0 or high < 0),
            }
        )
    table = pd.DataFrame(rows)
    table = table.assign(n=table[["n_before", "n_after"]].min(axis=1))
    table = suppress_small_groups(
        table,
        count_column="n",
        min_group_size=min_group_size,
        value_columns=["share_before", "share_after", "change", "change_ci_low", "change_ci_high"],
    )
    order = table["change"].abs().fillna(-1).sort_values(ascending=False, kind="stable").index
    return table.loc[order].drop(columns="n").reset_index(drop=True)


def _distribution(values: pd.Series, kind: str, bins: np.ndarray | None) -> pd.Series:
    if kind == "numeric":
        numbers = pd.to_numeric(values, errors="coerce").astype(float)
        return pd.cut(numbers, bins, include_lowest=True).value_counts(sort=False)
    if kind == "multi":
        return values.astype("boolean").value_counts().reindex([True, False], fill_value=0)
    return values.astype("str").value_counts()


def question_drift(before: pd.DataFrame, after: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Return, per answer column, how far its distribution moved between waves: total-variation distance (the
    share of answers that would have to change) and Cramér's V of wave × answer; largest move first."""
    rows = []
    for _, row in answer_columns(codebook).iterrows():
        column, kind = row["column"], row["kind"]
        if column not in before or column not in after:
            continue
        bins = None
        if kind == "numeric":
            edges = np.unique(
                np.nanquantile(pd.to_numeric(before[column], errors="coerce").astype(float), np.linspace(0, 1, 6))
            )
            bins = np.concatenate([[-np.inf], edges[1:-1], [np.inf]]) if len(edges) > 2 else np.array([-np.inf, np.inf])
        a = _distribution(before[column], kind, bins)
        b = _distribution(after[column], kind, bins)
        table = pd.concat([a, b], axis=1).fillna(0)
        label = short_question(row["question"]) + (
            f" — {row['item']}"
            if kind in ("likert", "multi") and pd.notna(row.get("item")) and row.get("item") not in ("", "nan")
            else ""
        )
        rows.append(
            {
                "column": column,
                "question": label,
                "kind": kind,
                "distance": total_variation_distance(table.iloc[:, 0], table.iloc[:, 1]),
                "cramers_v": cramers_v(table.to_numpy().T),
            }
        )
    out = pd.DataFrame(rows)
    return out.sort_values("distance", ascending=False, kind="stable").reset_index(drop=True)
