"""The lead score's accuracy tables and its written definition: gains and lift, calibration, the MQL threshold
at sales capacity with precision and recall, bands A–D, and rules in words from a shallow decision tree.

Pure functions of outcomes and scores (or of lead tables, for the rules); `alignkit.leads.score` uses them.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from alignkit.report.cells import is_year, number_words
from alignkit.stats import wilson_interval

# --- accuracy figures ------------------------------------------------------------------------------------------


def gains_table(y: np.ndarray, score: np.ndarray, *, groups: int = 10) -> pd.DataFrame:
    """Return the gains and lift table: leads sorted by score in `groups` equal parts, best first, with the
    conversion rate of each part, the share of all conversions captured so far (recall) and the lift."""
    order = np.argsort(-score, kind="stable")
    y_sorted = np.asarray(y, dtype=float)[order]
    parts = np.array_split(np.arange(len(y_sorted)), groups)
    base = y_sorted.mean()
    rows, seen, caught = [], 0, 0.0
    for i, part in enumerate(parts, start=1):
        seen += len(part)
        caught += y_sorted[part].sum()
        rate = y_sorted[part].mean()
        rows.append(
            {
                "part": i,
                "leads": len(part),
                "lead_share": seen / len(y_sorted),
                "min_score": float(np.asarray(score)[order][part].min()),
                "conversion_rate": rate,
                "lift": rate / base,
                "cumulative_conversion_rate": caught / seen,
                "cumulative_lift": caught / seen / base,
                "conversion_share": caught / y_sorted.sum(),
            }
        )
    return pd.DataFrame(rows)


def calibration_table(y: np.ndarray, score: np.ndarray, *, bins: int = 10) -> pd.DataFrame:
    """Return predicted vs observed conversion in score deciles, with the observed rate's Wilson CI."""
    frame = pd.DataFrame({"y": np.asarray(y, dtype=float), "score": score})
    frame["bin"] = pd.qcut(frame["score"].rank(method="first"), bins, labels=False)
    rows = []
    for _, part in frame.groupby("bin"):
        low, high = wilson_interval(part["y"].sum(), len(part))
        rows.append(
            {
                "leads": len(part),
                "predicted_rate": part["score"].mean(),
                "observed_rate": part["y"].mean(),
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows)


def threshold_at_capacity(y: np.ndarray, score: np.ndarray, share: float) -> dict[str, float]:
    """Return the score threshold that passes the top `share` of leads, and the precision and recall there."""
    share = float(min(max(share, 0.0), 1.0))
    threshold = float(np.quantile(score, 1 - share)) if share < 1 else float(np.min(score))
    chosen = score >= threshold
    y = np.asarray(y, dtype=bool)
    precision = float(y[chosen].mean()) if chosen.any() else np.nan
    recall = float(y[chosen].sum() / y.sum()) if y.any() else np.nan
    low, high = wilson_interval(y[chosen].sum(), chosen.sum()) if chosen.any() else (np.nan, np.nan)
    return {
        "threshold": threshold,
        "share_passed": float(chosen.mean()),
        "precision": precision,
        "precision_ci_low": low,
        "precision_ci_high": high,
        "recall": recall,
    }


def band_cutoffs(score: np.ndarray, mql_threshold: float, share: float) -> dict[str, float]:
    """Return the lowest score of bands A, B and C (D is the rest): A = the best tenth of leads (or half of those
    sales can follow up, if fewer), B = the rest above the MQL threshold, C = the upper half of the others. Without
    a threshold (no sales capacity set: `mql_threshold` NaN) band B is empty."""
    top_a = min(0.10, share / 2) if np.isfinite(share) and share > 0 else 0.10
    a = float(np.quantile(score, 1 - top_a))
    b = min(mql_threshold, a) if np.isfinite(mql_threshold) else a
    below = score[score < b]
    c = float(np.quantile(below, 0.5)) if len(below) else b
    return {"A": a, "B": b, "C": min(c, b)}


def assign_band(score: np.ndarray, cutoffs: dict[str, float]) -> np.ndarray:
    """Return the band (A/B/C/D) of each score."""
    return np.select([score >= cutoffs["A"], score >= cutoffs["B"], score >= cutoffs["C"]], ["A", "B", "C"], "D")


# --- the written definition: rules from a shallow tree -----------------------------------------------------------


def _rule_features(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> tuple[pd.DataFrame, dict]:
    """Return numbers (missing as the median) and one 0/1 column per category value, with what each column means."""
    columns, meaning = {}, {}
    for column in numeric:
        values = frame[column]
        columns[column] = values.fillna(values.median()).to_numpy()
        integer = bool(np.all(np.mod(values.dropna(), 1) == 0))
        year = integer and is_year(column, values.dropna().to_numpy(dtype=float))
        meaning[column] = ("number", column, "year" if year else integer)  # "year": a whole number written 1998
    for column in categorical:
        counts = frame[column].value_counts()
        for level in counts.index[counts >= 20]:
            name = f"{column}={level}"
            columns[name] = (frame[column] == level).to_numpy(dtype=float)
            meaning[name] = ("category", column, level)
    return pd.DataFrame(columns, index=frame.index), meaning


MISSING = "(missing)"  # the category a missing value of a categorical attribute is scored as


def _data_entry_effect(conditions: list[tuple[str, str, float]], meaning: dict) -> bool:
    """Return whether a rule splits on a field being missing or not: how the data was entered, not a trait."""
    return any(meaning[feature][0] == "category" and meaning[feature][2] == MISSING for feature, _, _ in conditions)


def _describe(conditions: list[tuple[str, str, float]], meaning: dict, labels: dict[str, str] | None = None) -> str:
    """Return a rule in words from its path of (feature, '<=' / '>', threshold) conditions, each field named by
    its label in `labels` (the project file's or the export's header) where it has one."""
    labels = labels or {}
    bounds: dict[str, list[float]] = {}
    parts: list[str] = []
    for feature, op, threshold in conditions:
        kind, column, extra = meaning[feature]
        if kind == "number":
            low, high = bounds.setdefault(column, [-np.inf, np.inf])
            bounds[column] = [low, min(high, threshold)] if op == "<=" else [max(low, threshold), high]
        else:
            name = labels.get(column, column)
            parts.append(f"{name} is {extra}" if op == ">" else f"{name} is not {extra}")
    for column, (low, high) in bounds.items():
        integer = meaning[column][2]
        lo = (np.floor(low) + 1 if integer else low) if np.isfinite(low) else None
        hi = (np.floor(high) if integer else high) if np.isfinite(high) else None
        fmt = partial(number_words, integer=bool(integer), year=integer == "year")
        column = labels.get(column, column)
        if lo is not None and hi is not None:
            parts.insert(0, f"{column} {fmt(lo)}–{fmt(hi)}" if integer else f"{column} between {fmt(lo)} and {fmt(hi)}")
        elif lo is not None:
            parts.insert(0, f"{column} ≥ {fmt(lo)}" if integer else f"{column} > {fmt(lo)}")
        elif hi is not None:
            parts.insert(0, f"{column} ≤ {fmt(hi)}")
    return " AND ".join(parts) if parts else "all leads"


def find_rules(
    train: pd.DataFrame,
    y_train: np.ndarray,
    test: pd.DataFrame,
    y_test: np.ndarray,
    *,
    numeric: list[str],
    categorical: list[str],
    depth: int,
    min_share: float,
    seed: int,
    labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Return the leaves of a shallow decision tree fitted on `train` as rules in words, each measured on the
    unseen `test` leads: leads, share of leads, conversion rate with Wilson CI, lift and share of conversions,
    best first by the CI's lower bound.
    `data_entry_effect` marks a rule that splits on a field being "(missing)": a trace of data entry (a field
    filled once a deal moves), never the written definition of the ideal lead."""
    X_train, meaning = _rule_features(train, numeric, categorical)
    X_test, _ = _rule_features(test, numeric, categorical)
    X_test = X_test.reindex(columns=X_train.columns, fill_value=0.0)
    from sklearn.tree import DecisionTreeClassifier  # loaded where rules are grown: it costs half a second

    tree = DecisionTreeClassifier(
        max_depth=depth, min_samples_leaf=max(int(min_share * len(X_train)), 20), class_weight=None, random_state=seed
    ).fit(X_train, y_train)
    t = tree.tree_
    names = list(X_train.columns)
    paths: dict[int, list[tuple[str, str, float]]] = {}

    def walk(node: int, path: list[tuple[str, str, float]]) -> None:
        if t.children_left[node] == -1:
            paths[node] = path
            return
        feature, threshold = names[t.feature[node]], float(t.threshold[node])
        walk(t.children_left[node], [*path, (feature, "<=", threshold)])
        walk(t.children_right[node], [*path, (feature, ">", threshold)])

    walk(0, [])
    leaf = tree.apply(X_test)
    y_test = np.asarray(y_test, dtype=bool)
    base = y_test.mean()
    rows = []
    for node, path in paths.items():
        inside = leaf == node
        n, conv = int(inside.sum()), int(y_test[inside].sum())
        rate = conv / n if n else np.nan
        low, high = wilson_interval(conv, n) if n else (np.nan, np.nan)
        rows.append(
            {
                "rule": _describe(path, meaning, labels),
                "data_entry_effect": _data_entry_effect(path, meaning),
                "leads": n,
                "lead_share": n / len(y_test),
                "conversion_rate": rate,
                "ci_low": low,
                "ci_high": high,
                "lift": rate / base,
                "lift_ci_low": low / base,
                "lift_ci_high": high / base,
                "conversion_share": conv / y_test.sum() if y_test.any() else np.nan,
            }
        )
    # Ranked by the lower CI bound (a shrunk rate), so a small leaf at a high rate never outranks a large one
    # whose rate is almost as high and far surer.
    out = pd.DataFrame(rows).sort_values(["ci_low", "lift"], ascending=False, kind="stable").reset_index(drop=True)
    return out


def clear_rules(rules: pd.DataFrame) -> pd.DataFrame:
    """Return the rules worth writing into the MQL definition: those whose lift's 95% CI on hold-out leads lies
    above 1 (the lower end of their conversion's interval above the average lead's rate), data-entry effects left
    out. A rule at 1.0x describes the average lead, not the ideal one."""
    entered = rules["data_entry_effect"].astype(bool) if "data_entry_effect" in rules else False
    return rules[(rules["lift_ci_low"] > 1) & ~entered]


def rule_sentence(rule: pd.Series) -> str:
    """Return one rule as a plain sentence: the condition, then lift, share of leads and share of conversions, and
    a warning when it rests on a missing value (a data-entry effect)."""
    sentence = (
        f"{rule['rule']}: {rule['lift']:.1f}x the average conversion ({rule['conversion_rate']:.0%} convert), "
        f"{rule['lead_share']:.0%} of leads, {rule['conversion_share']:.0%} of customers."
    )
    if bool(rule.get("data_entry_effect", False)):
        sentence += " It rests on a field being missing or not: a data-entry effect, not a trait of the lead."
    return sentence
