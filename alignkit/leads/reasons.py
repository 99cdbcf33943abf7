"""Scoring leads with the reasons for and against each score, written in words a salesperson reads.

A reason is an attribute whose value moves this lead's score most against a typical lead's (`contributions`). It
is written from the value and where it stands among the training leads ("Webinars attended 4 (top 10% of leads)",
"Industry: Software (62% of such leads converted)"), never from a missing value, a form placeholder, or a value
held by fewer than `LeadScore.min_support` training leads (too few to say anything about).
"""

from __future__ import annotations

import math
from typing import SupportsFloat, cast

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from alignkit.ingest.tokens import PLACEHOLDER_TOKENS, missing_mask, token_set
from alignkit.leads.definition import MISSING, assign_band
from alignkit.leads.score import LeadScore, model_frame
from alignkit.report.cells import is_year, number_words

__all__ = ["MIN_REASON", "contributions", "reason_text", "score_leads"]

MIN_REASON = 0.05  # log-odds: smaller contributions are not worth a reason
_PLACEHOLDERS = token_set(PLACEHOLDER_TOKENS)


def contributions(score: LeadScore, X: pd.DataFrame) -> pd.DataFrame:
    """Return each attribute's contribution to each lead's log-odds: the change when that attribute is set to the
    typical lead's value (median number, most frequent category). Positive = raises the score. Works for both
    models alike (for the logistic model it equals coefficient × difference from the typical value)."""
    base = score.model.decision_function(X)
    out = {}
    for column in score.features:
        typical = X.copy()
        typical[column] = score.reference[column]
        out[column] = base - score.model.decision_function(typical)
    return pd.DataFrame(out, index=X.index)


def _number(value: float, attribute: str = "") -> str:
    whole = float(value).is_integer()
    return number_words(value, integer=whole, year=whole and is_year(attribute, np.array([value])))


def _pct(share: float) -> int:
    return max(5, math.ceil(share * 20 - 1e-9) * 5)


def _standing(at_or_below: float, at_or_above: float) -> str:
    """Return where a value stands among the training leads, rounded up to 5 points: 'top 10% of leads',
    'bottom 20% of leads', or 'as 60% of leads' when that many hold the very same value."""
    if at_or_above <= 0.5:
        return f"top {_pct(at_or_above)}% of leads"
    if at_or_below <= 0.5:
        return f"bottom {_pct(at_or_below)}% of leads"
    return f"as {_pct(at_or_below + at_or_above - 1)}% of leads"


def reason_text(score: LeadScore, attribute: str, value: object) -> str | None:
    """Return the reason in words for `attribute` = `value`, or None when it may not be a reason: a missing value
    or placeholder, or a value held by fewer than the score's support among the training leads."""
    label = score.label(attribute)
    if attribute in score.numeric:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        number = float(cast("SupportsFloat", value))  # a numeric attribute's cell: a number, None or NaN (above)
        quantiles = score.quantiles.get(attribute)
        if quantiles is None:
            return f"{label} {_number(number, attribute)}"
        at_or_below = float(np.searchsorted(quantiles, number, side="right")) / len(quantiles)
        at_or_above = float(len(quantiles) - np.searchsorted(quantiles, number, side="left")) / len(quantiles)
        # A value out in a thin tail (few training leads as extreme) says too little to be anyone's reason.
        if min(at_or_below, at_or_above) * score.rows_used.get("model_sample", 0) < score.min_support:
            return None
        return f"{label} {_number(number, attribute)} ({_standing(at_or_below, at_or_above)})"
    text = str(value)
    if text == MISSING or missing_mask(pd.Series([text]), _PLACEHOLDERS).iat[0]:
        return None
    leads, rate = score.value_support.get(attribute, {}).get(text, (0, float("nan")))
    if leads < score.min_support:
        return None
    return f"{label}: {text} ({rate:.0%} of such leads converted)"


def score_leads(score: LeadScore, frame: pd.DataFrame, *, key: str = "lead_key", reasons: int = 3) -> pd.DataFrame:
    """Return one row a lead: key, calibrated score, band and the top `reasons` for and against, each in words
    (see `reason_text`), strongest first; contributions under MIN_REASON are left blank, and a value that may not
    be a reason (missing, a placeholder, held by too few leads) is passed over for the next one."""
    X = model_frame(frame, score.numeric, score.categorical)
    with threadpool_limits(limits=1):
        probability = score.model.predict_proba(X)[:, 1]
        contrib = contributions(score, X)
    out = pd.DataFrame(
        {
            key: frame[key].to_numpy() if key in frame else np.arange(len(frame)),
            "score": np.round(probability, 4),
            "band": assign_band(probability, score.bands),
        }
    )
    values = contrib.to_numpy()
    names = np.array(contrib.columns)
    order = np.argsort(-values, axis=1, kind="stable")
    raw = X.to_numpy(dtype=object)
    position = {c: i for i, c in enumerate(X.columns)}
    cache: dict[tuple[str, object], str | None] = {}
    for kind, ranked in (("for", order), ("against", order[:, ::-1])):
        texts: list[list[str]] = [[] for _ in range(reasons)]
        for row in range(len(X)):
            chosen: list[str] = []
            for col in ranked[row]:
                effect = values[row, col]
                if (kind == "for" and effect < MIN_REASON) or (kind == "against" and effect > -MIN_REASON):
                    break
                name = names[col]
                value = raw[row, position[name]]
                slot = (name, value if not (isinstance(value, float) and np.isnan(value)) else None)
                if slot not in cache:
                    cache[slot] = reason_text(score, name, slot[1])
                text = cache[slot]
                if text is None:
                    continue
                chosen.append(text)
                if len(chosen) == reasons:
                    break
            for j in range(reasons):
                texts[j].append(chosen[j] if j < len(chosen) else "")
        for j in range(reasons):
            out[f"reason_{kind}_{j + 1}"] = texts[j]
    return out
