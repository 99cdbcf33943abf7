"""Which answers may form personas, and which respondents they are fitted on, on real surveys.

- Drop-outs: a response that answered less than a set share of the questions it was shown (every question asked
  to most respondents, plus the skip-logic questions it answered) is flagged, even without a Finished column.
- Skip logic: a question answered by a minority (a grid shown only to app users) is not imputed with the
  majority's answer; it is left out of the features (listed with its answer rate) or, when the project file says
  ``personas.skipped_questions: not_asked``, enters with a "not asked" level.
- Outcomes, ids, constants and near-unique answers never form personas; outcomes are profiled per persona.
- Outliers and junk levels (an impossible income, a birth year before 1900, a joke answer) are counted for
  notebook 01; the model's robust scaling keeps one such value from moving a centre.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from alignkit.meaning.columns import identifier_evidence
from alignkit.meaning.words import named_like_id, named_like_outcome
from alignkit.stats import proportion

QUESTION_KINDS = ("likert", "single", "numeric")  # kinds whose blank means "not answered"
NEAR_UNIQUE_SHARE = 0.5  # a choice question with more distinct answers than this share of answers …
NEAR_UNIQUE_MIN = 50  # … and more than this many is near-unique (names, free text read as choices)
ID_UNIQUE_SHARE = 0.9
FAR_OUT_IQR = 3.0  # Tukey's far-out fences: beyond Q1 − 3·IQR or Q3 + 3·IQR
JUNK_MAX_SHARE = 0.01  # a choice level given by under 1% of answers …
JUNK_MAX_COUNT = 5  # … and by at most this many respondents is a junk level
NOT_ASKED = "not asked"
SCREEN_COLUMNS = ("column", "question", "kind", "answer_rate", "distinct", "use", "reason")


def question_columns(codebook: pd.DataFrame) -> list[str]:
    """Return the answer columns whose blank means 'not answered' (Likert, single-select, numeric)."""
    return list(codebook.loc[codebook["kind"].isin(QUESTION_KINDS), "column"])


def answer_rates(responses: pd.DataFrame, codebook: pd.DataFrame, rows: pd.Series | None = None) -> pd.Series:
    """Return the share of respondents (in `rows`, default all) who answered each question column."""
    part = responses if rows is None else responses.loc[rows]
    columns = [c for c in question_columns(codebook) if c in part]
    return part[columns].notna().mean() if len(part) else pd.Series(0.0, index=columns)


def flag_dropouts(
    responses: pd.DataFrame, codebook: pd.DataFrame, *, min_answered: float = 0.5, min_answer_rate: float = 0.5
) -> pd.Series:
    """Return a boolean Series: True for a response answering less than `min_answered` of the questions it was
    shown. Shown = every question answered by at least `min_answer_rate` of all responses, plus the minority
    (skip-logic) questions this response answered. Needs no Finished column or timestamps."""
    columns = question_columns(codebook)
    columns = [c for c in columns if c in responses]
    if not columns:
        return pd.Series(False, index=responses.index)
    answered = responses[columns].notna()
    common = answered.mean() >= min_answer_rate
    shown = common.to_numpy()[None, :] | answered.to_numpy()
    share = answered.to_numpy().sum(axis=1) / np.maximum(shown.sum(axis=1), 1)
    return pd.Series(share < min_answered, index=responses.index, name="is_dropout")


def dropout_summary(
    responses: pd.DataFrame, codebook: pd.DataFrame, *, min_answered: float = 0.5, min_answer_rate: float = 0.5
) -> pd.DataFrame:
    """Return one row for notebook 01: drop-outs flagged, of how many responses, share with its 95% Wilson CI, the
    rule, and how many of them the export's Finished column (when it has one) also marks unfinished."""
    flag = flag_dropouts(responses, codebook, min_answered=min_answered, min_answer_rate=min_answer_rate)
    result = proportion(flag)
    row = {
        "flag": f"Drop-outs (answered under {min_answered:.0%} of the questions they were shown)",
        "responses": int(result.count),
        "of": result.n,
        "share": result.share,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
    }
    if "is_incomplete" in responses:
        row["also_unfinished"] = int((flag & responses["is_incomplete"].astype(bool)).sum())
    return pd.DataFrame([row])


def screen_features(
    responses: pd.DataFrame,
    candidates: pd.DataFrame,
    *,
    fit: pd.Series | None = None,
    min_answer_rate: float = 0.5,
    skipped: str = "leave_out",
    outcomes: Sequence[str] = (),
    descriptors: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Return one row per candidate answer column (the codebook rows of ``persona_features``): its answer rate
    among the fitted responses, distinct answers, `use` ('feature', 'not asked', 'profile' or 'left out') and the
    reason in words. Descriptors (`descriptors`: column -> evidence, from
    ``alignkit.meaning.survey``: gender, age, income, region, company size …) describe the personas ('descriptor') and
    do not form them unless no other answer is left. Outcomes (declared in personas.outcomes or named like
    response / accepted / converted / churn) are profiled per persona; ids, constants and near-unique answers are
    left out; a question answered by fewer than `min_answer_rate` is left out, or enters with a "not asked" level
    when `skipped` is 'not_asked'."""
    part = responses if fit is None else responses.loc[fit]
    descriptors = dict(descriptors or {})
    rows = []
    for _, row in candidates.iterrows():
        column, kind = row["column"], row["kind"]
        values = part[column]
        answered = values.notna() if kind != "multi" else pd.Series(True, index=values.index)
        rate = float(answered.mean()) if len(values) else 0.0
        distinct = int(values.dropna().nunique())
        n_answered = int(answered.sum())
        group = str(row.get("block", column))
        if column in outcomes or group in outcomes:
            use, reason = "profile", "an outcome (personas.outcomes): profiled per persona, never a feature"
        elif named_like_outcome(column) and kind in ("single", "multi", "numeric") and distinct <= 2:
            use, reason = (
                "profile",
                "named like an outcome (response, accepted, converted, churn): profiled per persona",
            )
        elif distinct <= 1:
            use, reason = "left out", "one answer only (a constant)"
        elif named_like_id(column) and n_answered and distinct >= ID_UNIQUE_SHARE * n_answered:
            use, reason = "left out", "an id (named like one, a different value for nearly every respondent)"
        elif kind in ("numeric", "single") and (evidence := identifier_evidence(values, column)):
            use, reason = "left out", f"an id or row number ({evidence})"
        elif kind == "single" and distinct > max(NEAR_UNIQUE_MIN, NEAR_UNIQUE_SHARE * n_answered):
            use, reason = "left out", f"near-unique ({distinct:,} different answers among {n_answered:,})"
        elif column in descriptors:
            use, reason = (
                "descriptor",
                (
                    f"{descriptors[column]}: describes the personas, does not form them "
                    "(name it in personas.features to segment on it)"
                ),
            )
        elif rate < min_answer_rate and skipped == "not_asked" and kind != "numeric":
            use, reason = (
                "not asked",
                (
                    f"answered by {rate:.0%} (skip logic): enters with a '{NOT_ASKED}' level "
                    "(personas.skipped_questions: not_asked)"
                ),
            )
        elif rate < min_answer_rate:
            use, reason = (
                "left out",
                (
                    f"answered by {rate:.0%}, under personas.min_answer_rate {min_answer_rate:.0%} "
                    "(skip logic): not imputed, profiled per persona"
                ),
            )
        else:
            use, reason = "feature", "forms the personas"
        rows.append(
            {
                "column": column,
                "question": str(row.get("question", "")),
                "kind": kind,
                "answer_rate": rate,
                "distinct": distinct,
                "use": use,
                "reason": reason,
            }
        )
    screen = pd.DataFrame(rows, columns=list(SCREEN_COLUMNS))
    if descriptors and not screen["use"].isin(["feature", "not asked"]).any():
        # A survey of who-they-are questions only: segmenting on them beats no personas at all, and says so.
        fallback = screen["use"] == "descriptor"
        screen.loc[fallback, "use"] = "feature"
        screen.loc[fallback, "reason"] = screen.loc[fallback, "reason"].str.split(":").str[0] + (
            ": forms the personas, as no attitude, need or behaviour question is left"
        )
    return screen


def with_not_asked(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return `frame` with each of `columns` as an unordered categorical whose blanks are the level 'not asked'."""
    if not columns:
        return frame
    out = frame.copy()
    for column in columns:
        values = out[column]
        labels = (
            list(values.cat.categories)
            if isinstance(values.dtype, pd.CategoricalDtype)
            else sorted(values.dropna().astype(str).unique())
        )
        text = values.astype("object").where(values.notna(), NOT_ASKED).astype(str)
        out[column] = pd.Categorical(text, categories=[*map(str, labels), NOT_ASKED], ordered=False)
    return out


def answer_outliers(responses: pd.DataFrame, codebook: pd.DataFrame, *, this_year: int | None = None) -> pd.DataFrame:
    """Return one row per outlier finding for notebook 01: column, what (impossible year, negative value, far out
    of the range, junk level), the values and how many responses hold them. Nothing is changed: the persona model
    scales numbers robustly (median and IQR, clipped), so one such value cannot move a persona's centre."""
    rows = []
    numeric = codebook.loc[codebook["kind"] == "numeric", "column"]
    year_now = this_year or pd.Timestamp("today").year
    for column in [c for c in numeric if c in responses]:
        values = pd.to_numeric(responses[column], errors="coerce").astype(float).dropna()
        if values.empty:
            continue
        findings = []
        if "year" in column and values.between(1000, 3000).mean() > 0.9:
            findings.append(("impossible year (before 1900 or in the future)", (values < 1900) | (values > year_now)))
        if (values < 0).mean() < 0.01:
            findings.append(("negative where answers are otherwise not", values < 0))
        q1, q3 = values.quantile([0.25, 0.75])
        iqr = q3 - q1
        if iqr > 0:
            findings.append(
                (
                    f"far out (beyond {FAR_OUT_IQR:g} × IQR from the quartiles)",
                    (values < q1 - FAR_OUT_IQR * iqr) | (values > q3 + FAR_OUT_IQR * iqr),
                )
            )
        for what, mask in findings:
            if mask.any():
                rows.append(
                    {
                        "column": column,
                        "what": what,
                        "values": ", ".join(f"{v:g}" for v in sorted(set(values[mask]))[:5]),
                        "responses": int(mask.sum()),
                    }
                )
    single = codebook.loc[codebook["kind"] == "single", "column"]
    for column in [c for c in single if c in responses]:
        counts = responses[column].value_counts()
        total = counts.sum()
        junk = counts[(counts > 0) & (counts <= JUNK_MAX_COUNT) & (counts < JUNK_MAX_SHARE * total)]
        if len(junk) and len(junk) < len(counts):
            rows.append(
                {
                    "column": column,
                    "what": f"junk level (under {JUNK_MAX_SHARE:.0%} of answers)",
                    "values": ", ".join(map(str, junk.index[:5])),
                    "responses": int(junk.sum()),
                }
            )
    return pd.DataFrame(rows, columns=["column", "what", "values", "responses"])


def dropouts_table(data, settings) -> pd.DataFrame:
    """Return notebook 01's drop-out row for the prepared data (`dropout_summary` with the project file's
    survey.dropout_min_answered and personas.min_answer_rate), or an empty table when there is no survey."""
    if data.responses is None or data.codebook is None or settings.survey is None:
        return pd.DataFrame(columns=["flag", "responses", "of", "share", "ci_low", "ci_high"])
    return dropout_summary(
        data.responses,
        data.codebook,
        min_answered=settings.survey.dropout_min_answered,
        min_answer_rate=settings.personas.min_answer_rate,
    )


def outliers_table(data) -> pd.DataFrame:
    """Return notebook 01's outlier findings for the prepared data (`answer_outliers`), or an empty table when
    there is no survey."""
    if data.responses is None or data.codebook is None:
        return pd.DataFrame(columns=["column", "what", "values", "responses"])
    return answer_outliers(data.responses, data.codebook)
