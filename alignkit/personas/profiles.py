"""Persona profiles: size and share, the answers that set each persona apart, typical answers, CRM outcome and
names in plain words (drift between survey waves is in ``alignkit.personas.drift``). Pure functions of frames;
weights optional everywhere."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from alignkit.meaning.survey import question_label
from alignkit.personas.model import ANSWER_KINDS
from alignkit.privacy import suppress_small_groups
from alignkit.stats import (
    benjamini_hochberg,
    compare_mean,
    compare_share,
    effective_sample_size,
    proportion,
    weighted_median,
)

SIGNIFICANCE = 0.05  # BH-adjusted p below this, and …
MIN_STD_DIFF = 0.2  # … a standardised difference at least this large (a "small" effect) sets a persona apart
NAME_MAX_STATEMENT = 64


def short_question(text: str) -> str:
    """Return a question without its '(Select all that apply)' note, ' - item' suffix or export boilerplate."""
    text = question_label(str(text)).split(" - ")[0]
    return re.sub(r"\s*\([^)]*\)", "", text).strip()


def _present(value: object) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and np.isnan(value))
        and str(value) not in ("", "nan", "None", "<NA>")
    )


def option_label(row: pd.Series) -> str:
    """Return the words of one multi-select box: its item, else its one option (a plain export whose cells hold the
    option's label, e.g. the film's name), else its column name — never 'nan'."""
    if _present(row.get("item")):
        return str(row["item"])
    options = row.get("options")
    options = [] if options is None or (not hasattr(options, "__len__")) else [o for o in options if _present(o)]
    return str(options[0]) if len(options) == 1 else str(row["column"])


def answer_columns(codebook: pd.DataFrame) -> pd.DataFrame:
    """Return the codebook rows of answers that can describe a persona (Likert, single, multi, numeric)."""
    return codebook[codebook["kind"].isin(ANSWER_KINDS)].reset_index(drop=True)


def _kish(w: np.ndarray) -> tuple[float, float]:
    """Return Kish's effective n and design effect of the positive weights in `w` (NaN, NaN when there are none)."""
    w = w[w > 0]
    if not len(w):
        return np.nan, np.nan
    n_eff = effective_sample_size(w)
    return n_eff, len(w) / n_eff


def persona_sizes(
    persona_id: pd.Series, names: Mapping[int, str], *, weights: pd.Series | None = None, min_group_size: int = 1
) -> pd.DataFrame:
    """Return one row per persona: respondents, share with its 95% Wilson CI (weighted if weights are given);
    personas with fewer than `min_group_size` respondents show no figures.

    With weights the share is the weighted share among weighted responses (a weight of 0, e.g. a flagged response
    under survey.weighting.respondents: quality_ok, counts in `n` but not in the share), its CI is Wilson's on
    Kish's effective n of all the weights, and two columns are added: `n_effective` (Kish's effective n of the
    persona's own weights) and `design_effect` (its weighted respondents / n_effective)."""
    rows = []
    w = None if weights is None else np.asarray(weights, dtype=float)
    members = np.asarray(persona_id)
    for pid in sorted(names):
        result = proportion(persona_id == pid, weights=weights)
        row = {
            "persona_id": pid,
            "persona": names[pid],
            "n": int((persona_id == pid).sum()),
            "share": result.share,
            "ci_low": result.ci_low,
            "ci_high": result.ci_high,
        }
        if w is not None:
            row["n_effective"], row["design_effect"] = _kish(w[members == pid])
        rows.append(row)
    table = pd.DataFrame(rows)
    extra = [] if w is None else ["n_effective", "design_effect"]
    return suppress_small_groups(
        table,
        count_column="n",
        min_group_size=min_group_size,
        value_columns=["n", "share", "ci_low", "ci_high", *extra],
    )


def scale_points(categories: Sequence[object]) -> np.ndarray:
    """Return the number each answer of an ordered scale stands for: the number its label starts with when the
    labels are numbered one by one ("0 - Not at all likely" … "10 - Extremely likely" are 0 … 10: a 0–10 question
    averaged as 1–11 put every mean one point too high), else its position from 1 (bands such as ages keep it)."""
    leading = [re.match(r"\s*(-?\d+(?:\.\d+)?)(?!\d)", str(c)) for c in categories]
    if leading and all(leading):
        numbers = np.array([float(m.group(1)) for m in leading if m is not None])
        if np.all(np.diff(numbers) == 1):  # a numbered scale; bands ("18-24", "25-34" …) keep their positions
            return numbers
    return np.arange(1, len(categories) + 1, dtype=float)


def _indicators(responses: pd.DataFrame, row: pd.Series) -> list[tuple[str, str, pd.Series, bool]]:
    """Return (answer label, measure, values, is_share) for one codebook row: one per option of a single-select."""
    column, kind = row["column"], row["kind"]
    values = responses[column]
    if kind == "single":
        options = list(
            values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else values.dropna().unique()
        )
        return [(str(o), "share", (values == o).where(values.notna()), True) for o in options]
    if kind == "multi":
        return [(option_label(row), "share", values.astype("boolean"), True)]
    if kind == "likert":
        points = scale_points(list(values.cat.categories))
        scored = pd.Series(points[values.cat.codes.to_numpy()], index=values.index).where(values.notna())
        return [(f"average on {points[0]:g}–{points[-1]:g}", "mean", scored, False)]
    return [("average", "mean", pd.to_numeric(values, errors="coerce").astype(float), False)]


def _describe(
    kind: str,
    question: str,
    item: str,
    answer: str,
    value_in: float,
    value_out: float,
    std_diff: float,
    agreement: bool = True,
) -> str:
    if kind == "likert" and not agreement:
        word = "Higher" if std_diff > 0 else "Lower"
        what = f"{question} — {item}" if item else question
        return f"{word} on “{what}” ({answer.replace('average on', 'average')}: {value_in:.1f} vs {value_out:.1f})"
    if kind == "likert":
        verb = "Agrees more" if std_diff > 0 else "Agrees less"
        # a grid's item is the statement; a statement asked on its own is the question itself (its own quotation
        # marks dropped: they would read “"…"”)
        statement = (item or question).strip().strip("\"“”'")
        return f"{verb} that “{statement}” (average {value_in:.1f} vs {value_out:.1f})"
    if kind == "single":
        more = "More often" if std_diff > 0 else "Less often"
        what = f"{question} — {item}" if item else question
        return f"{more} answers “{answer}” to “{what}” ({value_in:.0%} vs {value_out:.0%})"
    if kind == "multi":
        more = "More often" if std_diff > 0 else "Less often"
        return f"{more} ticks “{answer}” for “{question}” ({value_in:.0%} vs {value_out:.0%})"
    word = "Higher" if std_diff > 0 else "Lower"
    what = f"{question} — {item}" if item else question
    return f"{word} on “{what}” (average {value_in:,.1f} vs {value_out:,.1f})"


def persona_traits(
    responses: pd.DataFrame, persona_id: pd.Series, codebook: pd.DataFrame, *, weights: pd.Series | None = None
) -> pd.DataFrame:
    """Return, for every persona and every answer (each option of a single-select), the share or mean in the
    persona vs everyone else, lift, standardised difference, p-value and BH-adjusted q-value (across all the
    comparisons), whether it sets the persona apart, and a sentence in plain words."""
    rows = []
    persona_id = pd.Series(np.asarray(persona_id), index=responses.index)
    w = None if weights is None else np.asarray(weights, dtype=float)
    for _, row in answer_columns(codebook).iterrows():
        question = short_question(row["question"])
        item = (
            str(row.get("item"))
            if row.get("item") not in (None, "", "nan", "<NA>") and pd.notna(row.get("item"))
            else ""
        )
        if not item and " - " in str(row["question"]):  # a plain export's "Question - Item" header
            item = str(row["question"]).split(" - ", 1)[1].strip()
        for answer, measure, values, is_share in _indicators(responses, row):
            for pid in sorted(persona_id.unique()):
                group = (persona_id == pid).to_numpy()
                stats = (compare_share if is_share else compare_mean)(values.reset_index(drop=True), group, weights=w)
                rows.append(
                    {
                        "persona_id": int(pid),
                        "column": row["column"],
                        "kind": row["kind"],
                        "question": question,
                        "item": item,
                        "answer": answer,
                        "measure": measure,
                        **stats,
                        "agreement": _is_agreement(row),
                    }
                )
    table = pd.DataFrame(rows)
    table["q_value"] = benjamini_hochberg(table["p_value"])
    table["sets_apart"] = (table["q_value"] < SIGNIFICANCE) & (table["std_diff"].abs() >= MIN_STD_DIFF)
    table["description"] = [
        _describe(r.kind, r.question, r.item, r.answer, r.value_in, r.value_out, r.std_diff, r.agreement)
        for r in table.itertuples()
    ]
    return table.drop(columns="agreement")


def _is_agreement(row: pd.Series) -> bool:
    """Return whether a codebook row is an agreement scale (its sentences say 'agrees more that …')."""
    detected = str(row.get("detected", "") or "")
    if "agreement" in detected:
        return True
    return not detected.startswith("ordered scale") and any("agree" in str(o).lower() for o in row.get("options", []))


def top_traits(traits: pd.DataFrame, *, n: int = 5) -> pd.DataFrame:
    """Return each persona's `n` answers that set it apart most (largest absolute standardised difference)."""
    apart = traits[traits["sets_apart"]].assign(size=lambda t: t["std_diff"].abs())
    top = (
        apart.sort_values(["persona_id", "size"], ascending=[True, False], kind="stable")
        .groupby("persona_id", sort=True)
        .head(n)
    )
    return top.drop(columns="size").reset_index(drop=True)


_POSITIVE = frozenset({"1", "yes", "y", "true", "accepted", "responded", "converted", "churned", "bought", "purchased"})


def survey_outcomes(
    responses: pd.DataFrame,
    persona_id: pd.Series,
    screen: pd.DataFrame | None,
    names: Mapping[int, str],
    *,
    weights: pd.Series | None = None,
    min_group_size: int = 1,
) -> pd.DataFrame:
    """Return, per persona and survey outcome (a yes/no or 0/1 answer screened as an outcome: response, accepted,
    converted, churn, or personas.outcomes), the share with the outcome and its 95% Wilson CI (weighted when
    `weights` are given); personas smaller than `min_group_size` show no figures. No CRM is needed."""
    columns = ["outcome", "persona_id", "persona", "n", "rate", "ci_low", "ci_high", "suppressed"]
    if screen is None or not len(screen):
        return pd.DataFrame(columns=columns)
    outcome = screen[(screen["use"] == "profile") & screen["reason"].str.contains("outcome")]
    rows = []
    persona_id = pd.Series(np.asarray(persona_id), index=responses.index)
    for column in outcome["column"]:
        values = responses[column]
        text = (
            values.astype("object")
            .where(values.notna())
            .map(lambda v: str(v).strip().lower().removesuffix(".0") if v is not None and v == v else None)
        )
        if text.dropna().nunique() != 2 or not set(text.dropna()) & _POSITIVE:
            continue
        hit = text.isin(_POSITIVE).where(text.notna())
        for pid in sorted(names):
            mine = (persona_id == pid) & hit.notna()
            w = None if weights is None else np.asarray(weights, dtype=float)[mine.to_numpy()]
            result = proportion(hit[mine].astype(bool), weights=w) if mine.any() else None
            rows.append(
                {
                    "outcome": column,
                    "persona_id": pid,
                    "persona": names[pid],
                    "n": int(mine.sum()),
                    "rate": result.share if result else np.nan,
                    "ci_low": result.ci_low if result else np.nan,
                    "ci_high": result.ci_high if result else np.nan,
                }
            )
    if not rows:
        return pd.DataFrame(columns=columns)
    return suppress_small_groups(
        pd.DataFrame(rows),
        count_column="n",
        min_group_size=min_group_size,
        value_columns=["n", "rate", "ci_low", "ci_high"],
    )


def typical_answers(
    responses: pd.DataFrame,
    persona_id: pd.Series,
    codebook: pd.DataFrame,
    names: Mapping[int, str],
    *,
    min_group_size: int = 1,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Return the typical answers of each persona (one column per persona, one row per question): the median
    scale label of a Likert item, the most common option of a single-select with its share, the options of a
    multi-select ticked by at least half, the median of a number (all weighted when `weights` are given).
    Personas below `min_group_size` are left out."""
    persona_id = pd.Series(np.asarray(persona_id), index=responses.index)
    w_all = None if weights is None else pd.Series(np.asarray(weights, dtype=float), index=responses.index)
    answers = answer_columns(codebook)
    out: dict[str, list[str]] = {}
    rows = []
    multi_groups = answers[answers["kind"] == "multi"].groupby("group", sort=False)
    for _, row in answers[answers["kind"] != "multi"].iterrows():
        label = (
            row["item"]
            if row["kind"] == "likert" and pd.notna(row["item"]) and row["item"] not in ("", "nan")
            else short_question(row["question"])
        )
        rows.append((label, row["kind"], [row["column"]]))
    for _, part in multi_groups:
        rows.append((short_question(part["question"].iat[0]), "multi", list(part["column"])))
    keep = [pid for pid in sorted(names) if (persona_id == pid).sum() >= min_group_size]
    for pid in keep:
        mine = responses[persona_id == pid]
        column_values = []
        for _label, kind, columns in rows:
            values = mine[columns[0]]
            if w_all is not None:
                column_values.append(_typical_weighted(mine, columns, kind, w_all[persona_id == pid], codebook))
                continue
            if kind == "likert":
                codes = values.cat.codes[values.notna()]
                text = values.cat.categories[int(np.median(codes))] if len(codes) else ""
            elif kind == "single":
                counts = values.value_counts(normalize=True)
                text = f"{counts.index[0]} ({counts.iloc[0]:.0%})" if len(counts) else ""
            elif kind == "multi":
                ticked = [
                    option_label(codebook[codebook["column"] == c].iloc[0]) for c in columns if mine[c].mean() >= 0.5
                ]
                text = "; ".join(ticked) or "none by most"
            else:
                text = f"{pd.to_numeric(values, errors='coerce').median():,.0f}"
            column_values.append(text)
        out[names[pid]] = column_values
    return pd.DataFrame({"question": [label for label, _, _ in rows], **out})


def _typical_weighted(mine: pd.DataFrame, columns: list[str], kind: str, w: pd.Series, codebook: pd.DataFrame) -> str:
    """One persona's typical answer to one question, weighted (see typical_answers)."""
    values = mine[columns[0]]
    if kind == "likert":
        answered = values.notna()
        codes = values.cat.codes[answered]
        median = weighted_median(codes, w[answered])
        return values.cat.categories[int(median)] if np.isfinite(median) else ""
    if kind == "single":
        answered = values.notna() & (w > 0)
        totals = w[answered].groupby(values[answered].astype("object"), sort=False).sum()
        if not len(totals) or totals.sum() <= 0:
            return ""
        totals = totals.sort_values(ascending=False, kind="stable") / totals.sum()
        return f"{totals.index[0]} ({totals.iloc[0]:.0%})"
    if kind == "multi":
        ticked = []
        for c in columns:
            flags = mine[c].astype("boolean")
            ok = (flags.notna() & (w > 0)).to_numpy()
            if ok.any() and np.average(flags[ok].astype(float), weights=w[ok]) >= 0.5:
                ticked.append(option_label(codebook[codebook["column"] == c].iloc[0]))
        return "; ".join(ticked) or "none by most"
    median = weighted_median(values, w)
    return f"{median:,.0f}" if np.isfinite(median) else "nan"


def _furthest_stage(leads: pd.DataFrame, stages: Sequence[str]) -> pd.Series:
    from alignkit.prepare.stage_paths import stage_at_column

    reached = pd.DataFrame(
        {i: leads[stage_at_column(s)].notna() if stage_at_column(s) in leads else False for i, s in enumerate(stages)},
        index=leads.index,
    )
    if "stage" in leads:
        current = (
            leads["stage"].cat.codes
            if isinstance(leads["stage"].dtype, pd.CategoricalDtype)
            else pd.Series(-1, index=leads.index)
        )
        for i in range(len(stages)):
            reached[i] = reached[i] | (current >= i)
    index = np.where(reached.any(axis=1), reached.to_numpy()[:, ::-1].argmax(axis=1), -1)
    return pd.Series(np.where(index >= 0, len(stages) - 1 - index, -1), index=leads.index)


CRM_OUTCOME_COLUMNS = (
    "persona_id",
    "persona",
    "linked",
    "converted",
    "conversion_rate",
    "ci_low",
    "ci_high",
    "median_amount",
    "top_sources",
    "typical_furthest_stage",
    "suppressed",
)


def no_crm_outcomes() -> pd.DataFrame:
    """Return the CRM outcome table with no rows: the project has no CRM funnel to link respondents to."""
    return pd.DataFrame({c: pd.Series(dtype="bool" if c == "suppressed" else "float64") for c in CRM_OUTCOME_COLUMNS})


def crm_outcomes(
    assignments: pd.DataFrame,
    leads: pd.DataFrame,
    names: Mapping[int, str],
    *,
    stages: Sequence[str],
    sql_stage: str,
    min_group_size: int = 1,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Return, per persona, what its respondents linked to a CRM lead did: leads linked, converted, conversion
    rate with its 95% Wilson CI, median won amount, top three sources, typical furthest funnel stage and the
    share reaching `sql_stage`. Personas with fewer linked leads than `min_group_size` show no figures.

    With `weights` (one per row of `assignments`: the respondents' survey weights) the figures describing
    respondents are weighted: conversion rate (Wilson CI on Kish's effective n), sources, furthest stage, share
    reaching `sql_stage` and median won amount; `linked` and `converted` stay counts of leads, and two columns
    are added: `n_effective` and `design_effect` of the linked respondents' weights."""
    weighted = weights is not None
    if weighted:
        assignments = assignments.assign(_weight=np.asarray(weights, dtype=float))
    linked = assignments.dropna(subset=["lead_key"]).merge(leads, on="lead_key", how="inner")
    furthest = _furthest_stage(linked, stages)
    sql_index = list(stages).index(sql_stage)
    rows = []
    for pid in sorted(names):
        mine = linked[linked["persona_id"] == pid]
        far = furthest[mine.index]
        if weighted:
            rows.append(_crm_row_weighted(pid, names[pid], mine, far, stages, sql_stage, sql_index))
            continue
        rate = proportion(mine["converted"].astype(bool)) if len(mine) else None
        won = mine.loc[mine["converted"].astype(bool), "amount"].dropna()
        sources = mine["source"].value_counts(normalize=True).head(3)
        rows.append(
            {
                "persona_id": pid,
                "persona": names[pid],
                "linked": len(mine),
                "converted": int(mine["converted"].sum()) if len(mine) else 0,
                "conversion_rate": rate.share if rate else np.nan,
                "ci_low": rate.ci_low if rate else np.nan,
                "ci_high": rate.ci_high if rate else np.nan,
                "median_amount": float(won.median()) if len(won) else np.nan,
                "top_sources": ", ".join(f"{s} {v:.0%}" for s, v in sources.items()),
                "typical_furthest_stage": stages[int(np.median(far[far >= 0]))] if (far >= 0).any() else "",
                f"reached_{sql_stage.lower()}_share": float((far >= sql_index).mean()) if len(mine) else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    extra = ["n_effective", "design_effect"] if weighted else []
    out = suppress_small_groups(
        table,
        count_column="linked",
        min_group_size=min_group_size,
        value_columns=[
            "linked",
            "converted",
            "conversion_rate",
            "ci_low",
            "ci_high",
            "median_amount",
            f"reached_{sql_stage.lower()}_share",
            *extra,
        ],
    )
    small = out["suppressed"]
    out["top_sources"] = out["top_sources"].where(~small, "")
    out["typical_furthest_stage"] = out["typical_furthest_stage"].where(~small, "")
    return out


def conversion_differs(crm: pd.DataFrame) -> float:
    """Return the p-value of the chi-square test that the shown personas (crm_outcomes, suppressed rows left out)
    convert at the same rate, on Kish's effective n when weighted; NaN when fewer than two personas can be compared
    or Cochran's rule fails (an expected count under 1, or over a fifth of them under 5): then no persona is called
    better than another."""
    shown = crm[~crm["suppressed"]].dropna(subset=["conversion_rate"])
    n = shown["n_effective"] if "n_effective" in shown else shown["linked"]
    n = n.to_numpy(dtype=float)
    converted = shown["conversion_rate"].to_numpy(dtype=float) * n
    table = np.c_[converted, n - converted]
    if len(shown) < 2 or (table.sum(axis=0) <= 0).any():
        return np.nan
    test = chi2_contingency(table, correction=False)
    expected = test.expected_freq
    if expected.min() < 1 or (expected < 5).mean() > 0.2:
        return np.nan
    return float(test.pvalue)


def _crm_row_weighted(
    pid: int, name: str, mine: pd.DataFrame, far: pd.Series, stages: Sequence[str], sql_stage: str, sql_index: int
) -> dict:
    """One persona's CRM outcome row with the respondents' weights (see crm_outcomes)."""
    w = mine["_weight"].to_numpy(dtype=float)
    converted = mine["converted"].astype(bool)
    rate = proportion(converted, weights=w) if len(mine) else None
    won = converted.to_numpy() & mine["amount"].notna().to_numpy()
    sources = (
        mine.assign(_w=w)
        .groupby("source", sort=False, observed=True)["_w"]
        .sum()
        .sort_values(ascending=False, kind="stable")
    )
    sources = (sources / w.sum()).head(3) if w.sum() > 0 else sources.iloc[:0]
    reached = far >= 0
    furthest = weighted_median(far[reached], w[reached.to_numpy()]) if reached.any() else np.nan
    n_eff, deff = _kish(w)
    return {
        "persona_id": pid,
        "persona": name,
        "linked": len(mine),
        "converted": int(converted.sum()),
        "conversion_rate": rate.share if rate else np.nan,
        "ci_low": rate.ci_low if rate else np.nan,
        "ci_high": rate.ci_high if rate else np.nan,
        "median_amount": weighted_median(mine["amount"][won], w[won]) if won.any() else np.nan,
        "top_sources": ", ".join(f"{s} {v:.0%}" for s, v in sources.items()),
        "typical_furthest_stage": stages[int(furthest)] if np.isfinite(furthest) else "",
        f"reached_{sql_stage.lower()}_share": (
            float(np.average(far >= sql_index, weights=w)) if len(mine) and w.sum() > 0 else np.nan
        ),
        "n_effective": n_eff,
        "design_effect": deff,
    }
