"""The profile of converting leads: conversion per attribute value with Wilson CIs and lift, the test that fits
each attribute (chi-square / Fisher, Mann–Whitney) with Benjamini–Hochberg q-values and effect sizes, the ranked
table "what converting leads have in common", and survey answers and personas as attributes of linked leads.

Pure on DataFrames; `alignkit.leads.analyse` runs it on data/processed.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import numpy as np
import pandas as pd

from alignkit.engine.backend import is_table, to_frame
from alignkit.privacy import suppress_small_groups
from alignkit.report.cells import is_year, number_words
from alignkit.stats import (
    benjamini_hochberg,
    categorical_association,
    discrimination_auc,
    effective_sample_size,
    mann_whitney,
    weighted_median,
    wilson_interval,
)

OUTCOME = "converted"
CHANNEL_FIELDS = ("source", "campaign", "owner")
NUMERIC_BINS = 5
MISSING = "(missing)"
WEIGHT = "_survey_weight"  # linked_attributes: the linked response's survey weight, when responses are weighted


# --- the profile ---------------------------------------------------------------------------------------------------


def is_numeric(values: pd.Series) -> bool:
    """Return whether the attribute is a number (binned in quantiles, tested with Mann–Whitney); booleans are not."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def binned(values: pd.Series, bins: int = NUMERIC_BINS) -> pd.Series:
    """Return a categorical: categories as they are, numbers in quantile bins labelled by the range of values
    inside ('3–7', in order), missing values as '(missing)'. Categorical codes keep this fast on a million rows."""
    if not is_numeric(values):
        cat = values.astype("category")
        if cat.isna().any():
            cat = cat.cat.add_categories([MISSING]).fillna(MISSING)
        return cat
    x = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(x)
    codes = np.full(len(x), -1, dtype=np.int64)
    labels: list[str] = []
    if ok.any():
        edges = np.unique(np.quantile(x[ok], np.linspace(0, 1, bins + 1)))
        inner = (
            np.searchsorted(edges[1:-1], x[ok], side="left") if len(edges) > 2 else np.zeros(ok.sum(), dtype=np.int64)
        )
        k = max(len(edges) - 1, 1)
        low = np.full(k, np.inf)
        high = np.full(k, -np.inf)
        np.minimum.at(low, inner, x[ok])
        np.maximum.at(high, inner, x[ok])
        used = np.flatnonzero(np.isfinite(low))
        remap = np.full(k, -1)
        remap[used] = np.arange(len(used))
        codes[ok] = remap[inner]
        integer, year = bool(np.all(np.mod(x[ok], 1) == 0)), is_year(values.name, x[ok])
        fmt = partial(number_words, integer=integer, year=year)
        labels = [fmt(low[i]) if low[i] == high[i] else f"{fmt(low[i])}–{fmt(high[i])}" for i in used]
    if (~ok).any():
        codes[~ok] = len(labels)
        labels.append(MISSING)
    return pd.Series(pd.Categorical.from_codes(codes, categories=labels), index=values.index)


def binned_fields(frame: pd.DataFrame, fields: list[str], bins: int = NUMERIC_BINS) -> dict[str, pd.Series]:
    """Return each field of `frame` binned (see `binned`): computed once by `analyse` and handed to the leakage
    guard, the conversion table and the tests, which would otherwise each bin every field again."""
    return {column: binned(frame[column], bins) for column in fields}


MIN_VALUE_SUPPORT = 30  # leads a value needs before a report may call it the best one (leads.min_value_support)


def conversion_by_value(
    frame: pd.DataFrame,
    fields: list[str],
    *,
    outcome: str = OUTCOME,
    min_group_size: int = 10,
    bins: int = NUMERIC_BINS,
    weights: pd.Series | np.ndarray | None = None,
    groups: Mapping[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Return one row per attribute value (numbers in quantile bins): leads, converted, conversion rate with
    Wilson CI and lift against the overall rate. Groups below `min_group_size` keep their label, figures hidden.

    With `weights` (one per row, e.g. the linked respondents' survey weights) the rate and lift are weighted, the
    CI is Wilson's on the group's Kish effective n, `leads` and `converted` stay counts, and `n_effective` and
    `design_effect` columns are added. `groups`: the fields already binned in `bins` bins (`binned_fields`)."""
    weighted = weights is not None
    if is_table(frame):  # a leads table in an engine: counts per value come back, figures as below
        if weighted:
            raise ValueError("survey weights need the linked leads in memory (a pandas frame)")
        from alignkit.engine.profile import value_counts  # Ibis loads only for a table in an engine

        counts = value_counts(frame, fields, outcome=outcome, bins=bins)
        totals = to_frame(frame.aggregate(n=frame.count(), converted=frame[outcome].cast("int64").sum())).iloc[0]
        n_all, conv_all = float(totals["n"]), float(totals["converted"])
        counted = [
            (column, part["value"].tolist(), part["leads"].to_numpy(), part["converted"].to_numpy(float))
            for column, part in counts.groupby("attribute", sort=False)
        ]
        counted += [
            (column, [], np.zeros(0, int), np.zeros(0)) for column in fields if column not in set(counts["attribute"])
        ]
        counted.sort(key=lambda g: list(fields).index(g[0]))
        rows = [
            row
            for column, values, sizes, converted in counted
            for row in _value_rows(
                column,
                values,
                sizes,
                converted,
                sizes.astype(float),
                converted,
                sizes.astype(float),
                sizes,
                overall=conv_all / n_all if n_all > 0 else np.nan,
            )
        ]
        return _value_table(rows, weighted=False, min_group_size=min_group_size)
    # Weights of one give the unweighted figures exactly: integer sums are exact in floating point.
    w = np.asarray(weights, dtype=float) if weighted else np.ones(len(frame))
    y = frame[outcome].astype(bool).to_numpy()
    overall = float((w * y).sum() / w.sum()) if w.sum() > 0 else np.nan
    rows = []
    for column in fields:
        grouped = groups[column] if groups is not None and column in groups else binned(frame[column], bins)
        codes = grouped.cat.codes.to_numpy()
        k = len(grouped.cat.categories)
        sizes, converted = np.bincount(codes, minlength=k), np.bincount(codes, weights=y, minlength=k)
        total, positive = np.bincount(codes, weights=w, minlength=k), np.bincount(codes, weights=w * y, minlength=k)
        squares = np.bincount(codes, weights=w * w, minlength=k)
        answered = np.bincount(codes, weights=(w > 0).astype(float), minlength=k).astype("int64")
        rows += _value_rows(
            column, list(grouped.cat.categories), sizes, converted, total, positive, squares, answered, overall=overall
        )
    return _value_table(rows, weighted=weighted, min_group_size=min_group_size)


VALUE_COLUMNS = [
    "attribute",
    "value",
    "leads",
    "converted",
    "rate",
    "ci_low",
    "ci_high",
    "lift",
    "n_effective",
    "design_effect",
]


def _value_rows(
    column: str,
    values: list,
    sizes: np.ndarray,
    converted: np.ndarray,
    total: np.ndarray,
    positive: np.ndarray,
    squares: np.ndarray,
    answered: np.ndarray,
    *,
    overall: float,
) -> list[dict]:
    """Return conversion_by_value's rows of one attribute from its per-value sums (counts and weight sums)."""
    rows = []
    for i, (value, n, conv) in enumerate(zip(values, sizes, converted)):
        if n == 0:
            continue
        n_eff = total[i] ** 2 / squares[i] if squares[i] > 0 else 0.0
        rate = positive[i] / total[i] if total[i] > 0 else np.nan
        low, high = wilson_interval(positive[i] * n_eff / total[i], n_eff) if n_eff > 0 else (np.nan, np.nan)
        rows.append(
            {
                "attribute": column,
                "value": value,
                "leads": int(n),
                "converted": int(conv),
                "rate": rate,
                "ci_low": low,
                "ci_high": high,
                "lift": rate / overall if overall else np.nan,
                "n_effective": n_eff,
                "design_effect": int(answered[i]) / n_eff if n_eff > 0 else np.nan,
            }
        )
    return rows


def _value_table(rows: list[dict], *, weighted: bool, min_group_size: int) -> pd.DataFrame:
    """Return conversion_by_value's table from its rows: weight columns only when weighted, small groups hidden."""
    columns = VALUE_COLUMNS if weighted else VALUE_COLUMNS[:-2]
    out = pd.DataFrame(rows, columns=VALUE_COLUMNS)[columns]
    if len(out):
        out = suppress_small_groups(out, count_column="leads", min_group_size=min_group_size, value_columns=columns[2:])
    return out


def associations(
    frame: pd.DataFrame,
    fields: list[str],
    *,
    outcome: str = OUTCOME,
    weights: pd.Series | np.ndarray | None = None,
    groups: Mapping[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Return one row per attribute: the test that fits (Mann–Whitney for numbers, chi-square or Fisher for
    categories), its p-value and Benjamini–Hochberg q-value across the attributes, Cramér's V (numbers in
    quantile bins), AUC and rank-biserial for numbers, medians of converters and the rest.

    With `weights` every test, effect size and median is weighted (tests on Kish's effective n, see
    alignkit.stats), and an `n_effective` column (Kish's n of the weights of the leads answering) is added.
    `groups`: the fields already binned (`binned_fields`)."""
    y = frame[outcome].astype(bool)
    w = None if weights is None else np.asarray(weights, dtype=float)
    rows = []
    for column in fields:
        values = frame[column]
        grouped = groups[column] if groups is not None and column in groups else binned(values)
        cat = categorical_association(grouped, y, weights=w)
        row = {
            "attribute": column,
            "kind": "number" if is_numeric(values) else "category",
            "leads": int(values.notna().sum()),
            "cramers_v": cat.cramers_v,
            "single_field_auc": discrimination_auc(grouped, y, weights=w),
        }
        if w is not None:
            answered = values.notna().to_numpy() & (w > 0)
            row["n_effective"] = effective_sample_size(w[answered]) if answered.any() else 0.0
        if is_numeric(values):
            x = values.astype("Float64")
            if w is None:
                mw = mann_whitney(x, y)
                # a group whose values are all blank (or empty) has no median: NaN, not a TypeError from float(NA)
                medians = tuple(float(m) if pd.notna(m) else np.nan for m in (x[y].median(), x[~y].median()))
            else:
                ok = x.notna().to_numpy()
                mw = mann_whitney(x[ok], y[ok], weights=w[ok])
                yy = y.to_numpy()
                medians = weighted_median(x[yy], w[yy]), weighted_median(x[~yy], w[~yy])
            row.update(
                test=mw.test,
                statistic=mw.statistic,
                p_value=mw.p_value,
                auc=mw.auc,
                rank_biserial=mw.rank_biserial,
                median_converted=medians[0],
                median_rest=medians[1],
            )
        else:
            row.update(
                test=cat.test,
                statistic=cat.statistic,
                p_value=cat.p_value,
                auc=np.nan,
                rank_biserial=np.nan,
                median_converted=np.nan,
                median_rest=np.nan,
            )
        rows.append(row)
    out = pd.DataFrame(rows)
    if len(out):
        out["q_value"] = benjamini_hochberg(out["p_value"])
        out = out[
            [
                "attribute",
                "kind",
                "leads",
                "test",
                "statistic",
                "p_value",
                "q_value",
                "cramers_v",
                "auc",
                "rank_biserial",
                "median_converted",
                "median_rest",
                "single_field_auc",
                *(["n_effective"] if w is not None else []),
            ]
        ]
    return out


def numeric_distribution(
    frame: pd.DataFrame, fields: list[str], *, outcome: str = OUTCOME, bins: int = 20
) -> pd.DataFrame:
    """Return, per numeric attribute, the share of converters and of the rest in each of `bins` equal-width bins
    over the 1st–99th percentile range (outliers in the end bins): the data of the distribution figure."""
    y = frame[outcome].astype(bool).to_numpy()
    rows = []
    for column in fields:
        x = frame[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(x)
        if ok.sum() == 0:
            continue
        low, high = np.quantile(x[ok], [0.01, 0.99])
        if high <= low:
            high = low + 1
        edges = np.linspace(low, high, bins + 1)
        index = np.clip(np.searchsorted(edges, np.clip(x[ok], low, high), side="right") - 1, 0, bins - 1)
        conv = np.bincount(index[y[ok]], minlength=bins) / max(y[ok].sum(), 1)
        rest = np.bincount(index[~y[ok]], minlength=bins) / max((~y[ok]).sum(), 1)
        rows += [
            {
                "attribute": column,
                "bin_low": edges[i],
                "bin_high": edges[i + 1],
                "share_converted": conv[i],
                "share_rest": rest[i],
            }
            for i in range(bins)
        ]
    return pd.DataFrame(rows)


def best_values(values: pd.DataFrame, *, min_support: int = MIN_VALUE_SUPPORT) -> dict[str, pd.Series]:
    """Return `best_value` of every attribute that has one, by attribute: one pass over the table."""
    part = values[values["lift"].notna() & (values["value"] != MISSING) & (values["leads"] >= min_support)]
    # stable: within an attribute, rows tied on both keys keep their order, as `best_value` keeps it
    part = part.sort_values(["attribute", "ci_low", "leads"], ascending=[True, False, False], kind="stable")
    return {row["attribute"]: row for _, row in part.drop_duplicates("attribute").iterrows()}


def best_value(values: pd.DataFrame, attribute: str, *, min_support: int = MIN_VALUE_SUPPORT) -> pd.Series | None:
    """Return the value of `attribute` that converts best among those held by at least `min_support` leads, ranked
    by the lower end of its 95% CI (a shrunk rate: 4 leads at 100% never beat 400 at 90%), or None. A missing value
    is never a best value: missingness is how the data was entered, not a trait."""
    return best_values(values[values["attribute"] == attribute], min_support=min_support).get(attribute)


def _what_converters_have(attribute: str, assoc: pd.Series, best: pd.Series | None) -> str:
    best_text = (
        (
            f"best: {best['value']} ({float(best['lift']):.1f}x, {float(best['rate']):.0%} convert, "
            f"{int(best['leads']):,} leads)"
        )
        if best is not None
        else ""
    )
    if assoc["kind"] == "number":
        medians = np.array([assoc["median_converted"], assoc["median_rest"]], dtype=float)
        words = (
            [f"{m:.0f}" for m in medians] if is_year(attribute, np.round(medians)) else [f"{m:,.4g}" for m in medians]
        )
        return f"median {words[0]} vs {words[1]}; {best_text}"
    return best_text


def rank_commonalities(
    assoc: pd.DataFrame,
    values: pd.DataFrame,
    importance: pd.DataFrame | None,
    channel_fields: tuple[str, ...] = CHANNEL_FIELDS,
    *,
    min_support: int = MIN_VALUE_SUPPORT,
) -> pd.DataFrame:
    """Return the ranked table "what converting leads have in common". Lead attributes are ranked by their effect
    in the score (permutation importance: the drop in hold-out ROC AUC when the attribute is shuffled, which
    accounts for the other attributes) and, without a score, by Cramér's V; channel fields (where the lead came
    from) follow, ranked among themselves, since they describe the channel rather than the lead."""
    out = assoc[["attribute", "kind", "cramers_v", "auc", "q_value"]].copy()
    out["group"] = np.where(out["attribute"].isin(channel_fields), "channel", "lead attribute")
    if importance is not None and len(importance):
        out = out.merge(importance[["attribute", "importance", "importance_sd"]], on="attribute", how="left")
    else:
        out["importance"] = np.nan
        out["importance_sd"] = np.nan
    out["effect"] = out["importance"].fillna(-np.inf) if out["importance"].notna().any() else out["cramers_v"]
    bests = best_values(values, min_support=min_support)
    out["what_converters_have"] = [
        _what_converters_have(a, r, bests.get(a))
        for a, r in zip(
            out["attribute"], assoc.set_index("attribute").loc[out["attribute"]].reset_index().to_dict("records")
        )
    ]
    out["lift_ci_low_of_best"] = [_lift_ci_low_of_best(bests.get(a)) for a in out["attribute"]]
    out = out.sort_values(["group", "effect", "cramers_v"], ascending=[False, False, False], kind="stable")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["significant"] = out["q_value"] < 0.05
    return out[
        [
            "rank",
            "attribute",
            "group",
            "kind",
            "what_converters_have",
            "importance",
            "importance_sd",
            "cramers_v",
            "auc",
            "q_value",
            "significant",
            "lift_ci_low_of_best",
        ]
    ].reset_index(drop=True)


def _lift_ci_low_of_best(best: pd.Series | None) -> float:
    """Return the lower end of the 95% CI of the lift of the attribute's best value (NaN without one)."""
    if best is None or not float(best["rate"]):
        return np.nan
    return float(best["ci_low"]) * float(best["lift"]) / float(best["rate"])


def clear_drivers(drivers: pd.DataFrame) -> pd.DataFrame:
    """Return the lead attributes that mark converting leads clearly: a significant association (q < 0.05) and a
    best value whose lift's 95% CI lies above 1. An attribute at 1.0–1.1x is not a trait worth targeting."""
    return drivers[
        (drivers["group"] == "lead attribute")
        & drivers["significant"].astype(bool)
        & (drivers["lift_ci_low_of_best"] > 1)
    ]


# --- survey answers and personas for linked leads --------------------------------------------------------------


def linked_attributes(
    leads: pd.DataFrame,
    responses: pd.DataFrame | None,
    codebook: pd.DataFrame | None,
    personas: pd.DataFrame | None,
    *,
    outcome: str = OUTCOME,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the leads linked to a survey response (one response a lead: quality-checked first, then latest),
    with their answers and persona as columns, and a label per column (the question) for the tables.

    When the responses carry survey weights (a `weight` column: survey.weighting), the linked response's weight
    is a column too (WEIGHT; 0 where that response has none), to weight the linked figures by."""
    labels: dict[str, str] = {}
    parts = []
    if responses is not None and "lead_key" in responses and responses["lead_key"].notna().any():
        kinds = {} if codebook is None else dict(zip(codebook["column"], codebook["kind"]))
        questions = {} if codebook is None else dict(zip(codebook["column"], codebook["question"].astype(str)))
        if codebook is not None and "item" in codebook:
            items = (
                codebook["item"]
                .astype("object")
                .where(codebook["item"].notna() & ~codebook["item"].astype(str).isin(["", "nan", "<NA>"]))
            )
            questions.update(
                {
                    c: f"{q.split(' - ')[0]} — {i}"
                    for c, q, i in zip(codebook["column"], codebook["question"].astype(str), items)
                    if isinstance(i, str)
                }
            )
        answer_columns = [c for c in responses.columns if kinds.get(c) in ("single", "likert", "multi", "numeric")]
        linked = responses[responses["lead_key"].notna()]
        sort_by = [c for c in ("quality_ok", "submitted_at") if c in linked]
        linked = linked.sort_values(sort_by, ascending=False, kind="stable") if sort_by else linked
        linked = linked.drop_duplicates("lead_key")
        answers = linked.set_index("lead_key")[answer_columns]
        answers.columns = [f"survey_{c}" for c in answer_columns]
        if "weight" in linked:
            answers[WEIGHT] = linked["weight"].astype("Float64").fillna(0.0).to_numpy(dtype=float)
        labels.update({f"survey_{c}": questions.get(c, c) for c in answer_columns})
        parts.append(answers)
    if personas is not None and {"lead_key", "persona"} <= set(personas.columns):
        assigned = personas[personas["lead_key"].notna()].drop_duplicates("lead_key").set_index("lead_key")
        parts.append(assigned[["persona"]].astype("object"))
        labels["persona"] = "Persona (notebook 03)"
    if not parts:
        return pd.DataFrame(columns=["lead_key", outcome]), labels
    joined = pd.concat(parts, axis=1, join="outer")
    frame = leads[["lead_key", outcome]].merge(joined, left_on="lead_key", right_index=True, how="inner")
    return frame.reset_index(drop=True), labels
