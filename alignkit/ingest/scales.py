"""Ordered answer scales read from the answers themselves, for any export: graded words (agreement, satisfaction,
likelihood, usefulness, importance: "Strongly disagree" … "Strongly agree", "Not at all useful" … "Extremely
useful"), frequency words ("Never" … "Always", "Less than once a month" … "Daily"), quality words ("Poor" …
"Excellent"), numbered scales whose ends carry words ("1 - Very poor" … "7 - Excellent", a 0–10 recommendation)
and ranges (age or income bands, "Under 18", "> 60", "$150,000 or more"). Each detector returns the observed
labels in meaning order, or None; `detect_scale` tries them in turn. Free-text numbers with units (heights like
6'3", "$50,000", "72 kg") are parsed by `parse_with_units`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

# graded words: the word on the positive side, the word(s) on the negative side
_POLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "agreement": (("agree",), ("disagree",)),
    "satisfaction": (("satisfied",), ("dissatisfied", "unsatisfied")),
    "likelihood": (("likely",), ("unlikely",)),
    "usefulness": (("useful", "helpful"), ("useless", "unhelpful")),
    "importance": (("important",), ("unimportant",)),
}
# intensity of a modifier (a bare word is 2.5: between "somewhat" and "very")
_INTENSITY = (
    ("not at all", -4.0),
    ("not very", -1.0),
    ("extremely", 4.0),
    ("completely", 4.0),
    ("totally", 4.0),
    ("absolutely", 4.0),
    ("strongly", 3.0),
    ("very", 3.0),
    ("highly", 3.0),
    ("somewhat", 2.0),
    ("moderately", 2.0),
    ("fairly", 2.0),
    ("quite", 2.0),
    ("tend to", 2.0),
    ("mostly", 2.0),
    ("slightly", 1.0),
    ("a little", 1.0),
    ("mildly", 1.0),
)
_NEUTRAL = re.compile(r"^(neither\b.*|neutral|undecided|no opinion|indifferent|not sure either way)$")
_FREQUENCY: dict[str, float] = {
    "never": 0,
    "almost never": 1,
    "hardly ever": 1,
    "rarely": 1.5,
    "seldom": 1.5,
    "occasionally": 2.5,
    "sometimes": 3,
    "often": 4,
    "frequently": 4,
    "usually": 4.5,
    "very often": 4.6,
    "most of the time": 4.6,
    "almost always": 4.8,
    "always": 5,
    "less than once a year": 10,
    "once a year": 11,
    "yearly": 11,
    "annually": 11,
    "a few times a year": 12,
    "several times a year": 12,
    "every few months": 12.5,
    "quarterly": 12.5,
    "less than once a month": 13,
    "once a month": 14,
    "monthly": 14,
    "a few times a month": 15,
    "several times a month": 15,
    "2-3 times a month": 15,
    "every other week": 15.5,
    "once a week": 16,
    "weekly": 16,
    "a few times a week": 17,
    "several times a week": 17,
    "2-3 times a week": 17,
    "most days": 18,
    "daily": 19,
    "every day": 19,
    "once a day": 19,
    "several times a day": 20,
    "more than once a day": 20,
}
_QUALITY: dict[str, float] = {
    "terrible": 0,
    "awful": 0,
    "very poor": 1,
    "very bad": 1,
    "poor": 2,
    "bad": 2,
    "below average": 2.5,
    "fair": 3,
    "average": 3,
    "okay": 3,
    "ok": 3,
    "good": 4,
    "above average": 4.5,
    "very good": 5,
    "excellent": 6,
    "outstanding": 6,
}
_NUMBERED = re.compile(r"^\s*(\d{1,2})\s*(?:[-–—=:.)]\s*|\(\s*)?([A-Za-z].*?)?\)?\s*$")
_NUMBER = r"[$€£]?\s*(\d[\d,]*(?:\.\d+)?)\s*([kKmM]?)\s*(?:[$€£]|years?|yrs?|employees|people|staff|usd|eur|gbp)?"
_BETWEEN = re.compile(rf"^(?:between\s+|from\s+)?{_NUMBER}\s*(?:-|–|—|to|and)\s*{_NUMBER}\s*(?:\w+\s*)?$", re.I)
_BELOW = re.compile(rf"^(?:under|below|less than|fewer than|up to|<=?|≤)\s*{_NUMBER}\s*(?:\w+\s*)?$", re.I)
_ABOVE = re.compile(rf"^(?:over|above|more than|greater than|at least|>=?|≥)\s*{_NUMBER}\s*(?:\w+\s*)?$", re.I)
_ABOVE_AFTER = re.compile(
    rf"^{_NUMBER}\s*(?:\+|or more|or older|or over|and over|and above|or above|plus)\s*(?:\w+\s*)?$", re.I
)
_BELOW_AFTER = re.compile(
    rf"^{_NUMBER}\s*(?:or less|or fewer|or younger|or under|and under|or below)\s*(?:\w+\s*)?$", re.I
)


def _fold(label: str) -> str:
    return " ".join(str(label).replace("\u2019", "'").lower().split()).strip(" .!")


def _graded(label: str) -> tuple[str, float] | None:
    """Return (family, score) of a graded-word label such as 'Somewhat agree' (neutral labels: ('', 0))."""
    text = _fold(label)
    if _NEUTRAL.match(text):
        return "", 0.0
    for family, (positive, negative) in _POLES.items():
        words = text.split()
        for sign, pole in ((-1.0, negative), (1.0, positive)):
            hit = next((w for w in pole if w in words), None)
            if hit is None:
                continue
            rest = " ".join(w for w in words if w != hit)
            rest = rest.replace("i ", "").strip()
            if rest in ("", "i"):
                return family, sign * 2.5
            for modifier, strength in _INTENSITY:
                if rest == modifier:
                    if strength < 0:  # "not at all useful": the low end, whatever the pole
                        return (family, strength) if sign > 0 else None
                    return family, sign * strength
            if rest == "not" and sign > 0:
                return family, -2.5
            return None
    return None


def _graded_order(labels: list[str]) -> list[str] | None:
    scores = {label: _graded(label) for label in labels}
    families = {f for f, _ in (s for s in scores.values() if s is not None) if f}
    if any(s is None for s in scores.values()) or len(families) != 1:
        return None
    return _by_score({label: s[1] for label, s in scores.items() if s is not None})


def _table_order(labels: list[str], table: dict[str, float]) -> list[str] | None:
    if not all(_fold(label) in table for label in labels):
        return None
    return _by_score({label: table[_fold(label)] for label in labels})


def _by_score(scores: dict[str, float]) -> list[str] | None:
    """Return the labels by score, or None when two labels share a score or fewer than three scores differ."""
    if len(set(scores.values())) != len(scores) or len(scores) < 3:
        return None
    return sorted(scores, key=scores.__getitem__)


def numbered_order(labels: list[str]) -> list[str] | None:
    """Return the labels of a numbered scale whose ends carry words ('1 - Very poor', '2', …, '7 - Excellent') by
    number, or None (plain numbers without words stay numbers)."""
    parsed = {label: m for label in labels if (m := _NUMBERED.match(label)) is not None}
    if len(parsed) != len(set(labels)) or not any(m.group(2) for m in parsed.values()):
        return None
    numbers = {label: int(m.group(1)) for label, m in parsed.items()}
    low, high = min(numbers.values()), max(numbers.values())
    if high - low > 10 or len(numbers) < 3 or _by_score({k: float(v) for k, v in numbers.items()}) is None:
        return None
    by_number = {n: label for label, n in numbers.items()}
    return [by_number.get(n, str(n)) for n in range(low, high + 1)]  # unobserved points kept: scores stay spaced


def _amount(number: str, suffix: str) -> float:
    return float(number.replace(",", "")) * {"k": 1e3, "m": 1e6}.get(suffix.lower(), 1.0)


def range_bounds(label: str) -> tuple[float, float] | None:
    """Return the (low, high) bounds of a range label ('25-34', 'Under 18', '> 60', '$150,000 or more'), else None."""
    text = " ".join(str(label).split())
    if match := _BETWEEN.match(text):
        return _amount(match.group(1), match.group(2) or match.group(4)), _amount(match.group(3), match.group(4))
    if match := (_BELOW.match(text) or _BELOW_AFTER.match(text)):
        return float("-inf"), _amount(match.group(1), match.group(2))
    if match := (_ABOVE.match(text) or _ABOVE_AFTER.match(text)):
        return _amount(match.group(1), match.group(2)), float("inf")
    return None


def range_order(labels: list[str]) -> list[str] | None:
    """Return range labels (bands) ordered by their bounds, or None unless every label is a range or a number
    and at least two are ranges."""
    bounds = {}
    for label in labels:
        found = range_bounds(label)
        if found is None and re.fullmatch(r"\s*\d[\d,]*(?:\.\d+)?\s*", label):
            value = float(label.replace(",", ""))
            found = (value, value)
        if found is None:
            return None
        bounds[label] = found
    if sum(low != high for low, high in bounds.values()) < 2 or len(set(bounds.values())) != len(bounds):
        return None
    return sorted(bounds, key=lambda label: (bounds[label][0], bounds[label][1]))


def detect_scale(labels: Iterable[str]) -> tuple[str, list[str]] | None:
    """Return (scale family, labels in meaning order) for the observed labels of an ordered scale, else None.
    Families: agreement, satisfaction, likelihood, usefulness, importance, frequency, quality, numbered, range."""
    labels = list(dict.fromkeys(str(v).strip() for v in labels))
    if len(labels) < 3:
        return None
    for family, detector in (
        ("graded", _graded_order),
        ("frequency", lambda ls: _table_order(ls, _FREQUENCY)),
        ("quality", lambda ls: _table_order(ls, _QUALITY)),
        ("numbered", numbered_order),
        ("range", range_order),
    ):
        order = detector(labels)
        if order is not None:
            if family == "graded":
                family = next(g[0] for g in map(_graded, order) if g is not None and g[0])
            return family, order
    return None


# --- numbers with units -----------------------------------------------------------------------------------

_FEET = re.compile(r"^(\d)\s*(?:'|’|ft|feet|foot)\s*(?:(\d{1,2}(?:\.\d+)?)\s*(?:\"|”|''|in|inches)?)?$", re.I)
_METRIC = re.compile(r"^(\d+(?:\.\d+)?)\s*(cm|m|kg|kgs|lb|lbs|pounds|g)$", re.I)
_MONEY = re.compile(r"^(?:[$€£]\s*)?(\d[\d,]*(?:\.\d+)?)\s*([kKmM])?\s*(?:[$€£]|usd|eur|gbp|dollars|euros)?$", re.I)
_TO_BASE = {
    "cm": ("length", 1.0),
    "m": ("length", 100.0),
    "kg": ("weight", 1.0),
    "kgs": ("weight", 1.0),
    "lb": ("weight", 0.4536),
    "lbs": ("weight", 0.4536),
    "pounds": ("weight", 0.4536),
    "g": ("weight", 0.001),
}
UNIT_NAMES = {"length": "cm", "weight": "kg", "money": "currency units"}


def _with_unit(text: str) -> tuple[str, float] | None:
    text = text.strip()
    if match := _FEET.match(text):
        return "length", round(int(match.group(1)) * 30.48 + float(match.group(2) or 0) * 2.54, 1)
    if match := _METRIC.match(text):
        kind, factor = _TO_BASE[match.group(2).lower()]
        return kind, float(match.group(1)) * factor
    if (match := _MONEY.match(text)) and (re.search(r"[$€£kKmM]|usd|eur|gbp|dollar|euro", text, re.I)):
        return "money", _amount(match.group(1), match.group(2) or "")
    if re.fullmatch(r"\d[\d,]*(?:\.\d+)?", text):
        return "", float(text.replace(",", ""))
    return None


def parse_with_units(values: pd.Series) -> tuple[pd.Series | None, str]:
    """Return (Float64 values in one unit, what was parsed) for free-text numbers with units, or (None, the reason
    they were left out) when the answers mix kinds of unit or too few carry a number."""
    present = values.dropna().astype("str").str.strip()
    distinct = {v: _with_unit(v) for v in present.unique()}
    parsed = {v: p for v, p in distinct.items() if p is not None}
    counts = present.value_counts()
    share = counts[list(parsed)].sum() / len(present) if len(present) and parsed else 0.0
    kinds = {k for k, _ in parsed.values() if k}
    if not kinds:
        return None, ""
    if len(kinds) > 1:
        return None, (
            f"numbers with mixed units ({', '.join(sorted(kinds))}): left out as text, declare the column "
            "in survey.scales or clean the export"
        )
    if share < 0.95:
        return None, (f"numbers with units in {share:.0%} of the answers only: left out as text")
    (kind,) = kinds
    out = values.astype("str").str.strip().map({v: p[1] for v, p in parsed.items()}).astype("Float64")
    return out, f"number with unit, parsed as {kind} in {UNIT_NAMES[kind]}"
