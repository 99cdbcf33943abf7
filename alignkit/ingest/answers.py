"""Typing survey answers by what they hold: Likert items matched to a known scale (ordered in scale order),
multi-select options (split columns, or Google Forms' joined checkboxes) as booleans, numbers, open text, other
choices as unordered categories; platform metadata typed as dates, numbers or flags."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from alignkit.ingest.files import parse_bools, parse_datetimes, parse_numbers
from alignkit.ingest.scales import detect_scale, parse_with_units
from alignkit.ingest.tokens import PLACEHOLDER_TOKENS, REFUSAL_TOKENS, fold_token, missing_mask, token_set
from alignkit.text import categorical_of

# name -> labels in scale order; when several scales hold the observed labels, the shortest wins.
LIKERT_SCALES: dict[str, tuple[str, ...]] = {
    "agreement_5": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
    "agreement_7": (
        "Strongly disagree",
        "Disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Agree",
        "Strongly agree",
    ),
    "satisfaction_5": (
        "Very dissatisfied",
        "Dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Satisfied",
        "Very satisfied",
    ),
    "satisfaction_5_extremely": (
        "Extremely dissatisfied",
        "Somewhat dissatisfied",
        "Neither satisfied nor dissatisfied",
        "Somewhat satisfied",
        "Extremely satisfied",
    ),
    "importance_5": (
        "Not at all important",
        "Slightly important",
        "Moderately important",
        "Very important",
        "Extremely important",
    ),
    "likelihood_5": (
        "Extremely unlikely",
        "Somewhat unlikely",
        "Neither likely nor unlikely",
        "Somewhat likely",
        "Extremely likely",
    ),
    "likelihood_5_very": ("Very unlikely", "Unlikely", "Neither likely nor unlikely", "Likely", "Very likely"),
    "frequency_5": ("Never", "Rarely", "Sometimes", "Often", "Always"),
    "quality_5": ("Poor", "Fair", "Good", "Very good", "Excellent"),
}
# other spellings (compared case- and whitespace-insensitively) -> the scale's canonical label
LIKERT_ALIASES: dict[str, str] = {
    "neither agree or disagree": "Neither agree nor disagree",
    "neither disagree nor agree": "Neither agree nor disagree",
    "neither satisfied or dissatisfied": "Neither satisfied nor dissatisfied",
    "neither likely or unlikely": "Neither likely nor unlikely",
}
LIKERT_MIN_DISTINCT = 3  # observed labels needed before a column counts as Likert
NUMERIC_MIN_SHARE = 0.95  # share of non-blank values that must parse as numbers
TEXT_MIN_UNIQUE_SHARE = 0.5  # open text: more than this share of non-blank answers are distinct …
TEXT_MIN_MEAN_LENGTH = 20  # … and answers are longer than this on average (characters)
CHECKBOX_SEPARATOR = ", "  # Google Forms joins ticked checkbox options with this
CHECKBOX_MAX_OPTIONS = 25
CHECKBOX_MIN_COUNT = 2
_DATETIME_META = {"started_at", "submitted_at", "recorded_date"}
_FLOAT_META = {"duration_s", "weight", "progress", "location_latitude", "location_longitude"}
ITEM_ID = re.compile(r"^(.+?)_(\d+)(?:_[A-Za-z]+)?$")


@dataclass
class SourceColumn:
    """One column of the export before typing (its place in the export, question text, item and group)."""

    col: str  # column of the raw frame
    source: str  # the export's header (codebook source_column)
    text: str  # question text
    item: str | None = None  # grid row / option text
    key: str = ""  # question this column belongs to
    option: str | None = None  # SurveyMonkey: row-2 label (an option label for multi-select)
    open_ended: bool = False
    preset: tuple | None = None  # SPSS: (kind, series, options, n_invalid) already typed
    name: str = ""
    group: str = ""


def _norm(label: str) -> str:
    return " ".join(str(label).split()).casefold()


def _scale_lookup(scale: tuple[str, ...]) -> dict[str, str]:
    lookup = {_norm(label): label for label in scale}
    lookup.update(
        {alias: label for alias, label in ((_norm(a), c) for a, c in LIKERT_ALIASES.items()) if label in scale}
    )
    return lookup


def match_scale(values: set[str]) -> tuple[str, ...] | None:
    """Return the shortest known scale holding every observed label (≥ LIKERT_MIN_DISTINCT of them), else None."""
    best = None
    for scale in LIKERT_SCALES.values():
        lookup = _scale_lookup(scale)
        if all(_norm(v) in lookup for v in values) and len({lookup[_norm(v)] for v in values}) >= LIKERT_MIN_DISTINCT:
            best = scale if best is None or len(scale) < len(best) else best
    return best


NO_ANSWER = token_set((*PLACEHOLDER_TOKENS, *REFUSAL_TOKENS))


def _scale_name(scale: tuple[str, ...]) -> str:
    return next(
        (name.split("_")[0] for name, labels in LIKERT_SCALES.items() if tuple(labels) == tuple(scale)), "declared"
    )


def apply_aliases(values: pd.Series, aliases: dict[str, str] | None) -> pd.Series:
    """Return `values` with each alias (compared folded: case, spaces, edge punctuation) replaced by its answer."""
    if not aliases:
        return values
    folded = {fold_token(alias): answer for alias, answer in aliases.items()}
    distinct = values.dropna().unique()
    mapping = {v: folded[fold_token(v)] for v in distinct if fold_token(v) in folded}
    return values.map(lambda v: mapping.get(v, v)).astype("str") if mapping else values


_QUESTION_RANGE = re.compile(r"\b(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})\b")


def question_scale(question: str, numbers: pd.Series) -> tuple[str, ...] | None:
    """Return the points of a numbered scale the question states ('… (0-10)', 'on a scale of 1 to 5') when every
    answer is a whole number inside it, else None."""
    match = _QUESTION_RANGE.search(str(question))
    present = numbers.dropna()
    if not match or present.empty:
        return None
    low, high = int(match.group(1)), int(match.group(2))
    if not 2 <= high - low <= 10 or not ((present % 1 == 0) & present.between(low, high)).all():
        return None
    return tuple(str(n) for n in range(low, high + 1))


def classify_answers(
    values: pd.Series,
    *,
    open_ended: bool = False,
    scale: tuple[str, ...] | None = None,
    declared: bool = False,
    question: str = "",
) -> tuple:
    """Return (kind, typed values, options, n_invalid, detected) for one answer column of strings.

    Placeholders and refusals ("Select", "Prefer not to say", "Don't know") are missing, never a level. Ordered
    scales are found from the answers (a known scale, else graded words, frequency, quality, numbered scales with
    word ends, ranges: ``alignkit.ingest.scales``) and typed as ordered categoricals in meaning order. `scale`
    (a declared scale when `declared`) wins; answers outside a declared scale are missing and counted in n_invalid.
    `detected` says in words how the kind was found (the codebook's `detected` column)."""
    text = values.str.strip()
    refused = missing_mask(text, NO_ANSWER)
    n_refused = int(refused.sum())
    text = text.mask(refused)
    listed = ", ".join(f"{value!r} {n:,}" for value, n in values.str.strip()[refused].value_counts().head(5).items())
    note = f"; {n_refused:,} refusals or placeholders read as missing ({listed})" if n_refused else ""
    present = text.dropna()
    if present.empty:
        return "text", values, [], 0, "no answers" + note
    found = None if (scale or open_ended) else match_scale(set(present.unique()))
    scale = scale or found
    family = "declared in survey.scales" if declared else (_scale_name(scale) if scale else "")
    if scale is None and not open_ended and (detected := detect_scale(present.unique())) is not None:
        family, order = detected
        scale = tuple(order)
    if scale:
        lookup = _scale_lookup(scale)
        typed = categorical_of(text, scale, ordered=True, mapping={v: lookup.get(_norm(v)) for v in present.unique()})
        n_invalid = int((text.notna() & typed.isna()).sum()) if declared else 0
        return (
            "likert",
            typed,
            list(scale),
            n_invalid,
            f"ordered scale: {family} ({len(scale)} levels, in meaning order)" + note,
        )
    numbers, n_invalid, share = parse_numbers(text)
    if share >= NUMERIC_MIN_SHARE:
        if n_invalid == 0 and (points := question_scale(question, numbers)) is not None:
            typed = categorical_of(numbers.astype("Int64").astype("str"), points, ordered=True)
            return (
                "likert",
                typed,
                list(points),
                0,
                f"ordered scale: numbered {points[0]}–{points[-1]} (stated in the question)" + note,
            )
        return "numeric", numbers, [], n_invalid, "numbers" + note
    with_units, reason = parse_with_units(text) if not open_ended else (None, "")
    if with_units is not None:
        return "numeric", with_units, [], 0, reason + note
    if reason:
        return "text", values, [], 0, reason + note
    if open_ended or (
        present.nunique() / len(present) > TEXT_MIN_UNIQUE_SHARE and present.str.len().mean() > TEXT_MIN_MEAN_LENGTH
    ):
        return "text", values, [], 0, "open text" + note
    counts = present.value_counts()
    options = sorted(counts.index, key=lambda v: (-counts[v], v))
    return ("single", categorical_of(text, options), options, 0, "unordered choices (by frequency)" + note)


# What an export writes in a box nobody ticked (FiveThirtyEight's raw SurveyMonkey responses: "Not selected").
UNTICKED = token_set(("Not selected", "Not checked", "Unchecked", "Not ticked"))


def _ticked(values: pd.Series) -> pd.Series:
    """Return which cells of a split multi-select option are ticked: filled, not '0', not an unticked marker."""
    text = values.str.strip()
    return (values.notna() & text.ne("0") & ~text.map(fold_token, na_action="ignore").isin(UNTICKED)).astype(bool)


def _multi_option(s: SourceColumn, values: pd.Series) -> str | None:
    """Return the option label if the column is one option of a split multi-select, else None. A box nobody ticked
    may say so ('Not selected'): such cells are unticked, not a second answer."""
    distinct = {v for v in values.dropna().str.strip().unique() if fold_token(v) not in UNTICKED}
    if _labelled(s):  # SurveyMonkey: cells hold the option label
        return s.option if distinct <= {s.option} else None
    if not ITEM_ID.match(s.source) or s.source.upper().endswith("_TEXT"):
        return None
    if distinct <= {"1"} or distinct == {"0", "1"}:
        return s.item or s.source
    if len(distinct) == 1:
        (value,) = distinct
        if (s.item and _norm(value) == _norm(s.item)) or (
            not s.item and match_scale({value}) is None and parse_numbers(pd.Series([value], dtype="str"))[2] == 0
        ):
            return value
    return None


def _labelled(s: SourceColumn) -> bool:
    return s.option is not None and s.option != CHECKBOX_SEPARATOR


def _checkbox_options(values: pd.Series) -> list[str] | None:
    """Return the options of a Google Forms checkbox column (cells join ticked options with ', '), else None."""
    present = values.dropna().str.strip()
    cells = [cell.split(CHECKBOX_SEPARATOR) for cell in present]
    if not any(len(c) > 1 for c in cells):
        return None
    counts = Counter(token.strip() for cell in cells for token in dict.fromkeys(cell))
    alone = {c[0].strip() for c in cells if len(c) == 1}
    combined = {t.strip() for c in cells if len(c) > 1 for t in c}
    if len(counts) > CHECKBOX_MAX_OPTIONS or min(counts.values()) < CHECKBOX_MIN_COUNT or not alone & combined:
        return None
    return sorted(counts, key=lambda t: (-counts[t], t))


def _declared(s: SourceColumn, table: Mapping | None):
    """Return the project-file entry for a source: by column name, question group, or the export's header."""
    if not table:
        return None
    return next((table[key] for key in (s.name, s.group, s.source, s.key) if key and key in table), None)


def type_questions(
    data: pd.DataFrame,
    srcs: list[SourceColumn],
    *,
    scales: Mapping[str, list[str]] | None = None,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> list[tuple]:
    """Return (source, kind, typed values, options, n_invalid, detected) per output column, Google checkboxes split.

    `scales` (survey.scales: column, question group or export header -> labels in order) declares or corrects an
    ordered scale; `aliases` (survey.answer_aliases: column, group or '*' -> {other spelling: answer}) merges
    spellings before typing."""
    data = data.copy()
    for s in srcs:
        mapping = {**((aliases or {}).get("*") or {}), **(_declared(s, aliases) or {})}
        if mapping and s.preset is None and data[s.col].dtype == "str":
            data[s.col] = apply_aliases(data[s.col], mapping)
    multi = {id(s): _multi_option(s, data[s.col]) for s in srcs if s.preset is None and _declared(s, scales) is None}
    for key in dict.fromkeys(s.key for s in srcs):  # a group is multi-select as a whole, with ≥1 option ticked
        members = [
            s
            for s in srcs
            if s.key == key
            and id(s) in multi
            and (_labelled(s) or (ITEM_ID.match(s.source) and not s.source.upper().endswith("_TEXT")))
        ]
        ticked = any(multi[id(s)] and _ticked(data[s.col]).any() for s in members)
        labelled = any(_labelled(s) for s in members)
        if not ticked or not (labelled or (len(members) > 1 and all(multi[id(s)] for s in members))):
            for s in members:
                multi[id(s)] = None
    group_scale: dict[str, tuple[str, ...] | None] = {}
    for key in {s.key for s in srcs}:
        members = [s for s in srcs if s.key == key and s.preset is None and not multi.get(id(s)) and not s.open_ended]
        if len(members) > 1:
            seen = set().union(*(set(data[s.col].dropna().str.strip().unique()) for s in members))
            seen = {v for v in seen if fold_token(v) not in NO_ANSWER}
            detected = detect_scale(seen)
            group_scale[key] = match_scale(seen) or (tuple(detected[1]) if detected else None)
    out = []
    for s in srcs:
        values = data[s.col]
        declared = _declared(s, scales)
        if s.preset is not None:
            out.append((s, *s.preset, "labelled in the SPSS file"))
        elif declared is not None:
            out.append((s, *classify_answers(values, scale=tuple(declared), declared=True)))
        elif multi.get(id(s)):
            out.append((s, "multi", _ticked(values), [multi[id(s)]], 0, "one option of a multi-select"))
        elif s.option == CHECKBOX_SEPARATOR and (options := _checkbox_options(values)):
            ticked = values.str.split(CHECKBOX_SEPARATOR).map(
                lambda c: {t.strip() for t in c} if isinstance(c, list) else set()
            )
            for k, option in enumerate(options, start=1):
                part = SourceColumn(s.col, s.source, s.text, item=option, name=f"{s.name}_{k}", group=s.name)
                out.append(
                    (
                        part,
                        "multi",
                        ticked.map(lambda chosen, o=option: o in chosen).astype(bool),
                        [option],
                        0,
                        "one option of ticked checkboxes joined with ', '",
                    )
                )
        else:
            out.append(
                (s, *classify_answers(values, open_ended=s.open_ended, scale=group_scale.get(s.key), question=s.text))
            )
    return out


def type_meta(name: str, values: pd.Series) -> pd.Series:
    """Return one metadata column typed: datetimes, floats, nullable booleans, else `str` (SPSS 12.0 -> '12')."""
    if name in _DATETIME_META:
        return parse_datetimes(values)
    if name in _FLOAT_META:
        if pd.api.types.is_numeric_dtype(values):
            return values.astype("Float64")
        return parse_numbers(values.astype("str"))[0]
    if name == "finished":
        return parse_bools(values)
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")
    return values if values.dtype == "str" else values.astype("str")
