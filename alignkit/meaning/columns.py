"""What one column is, decided once from its name and values, with the evidence in words: an id, a constant, an
email, a phone number, a person's name, an organisation, a place, a date, a binary outcome, yes/no, a number, an
ordered scale, a multi-select, free text or a category.

The draft writes each decision's evidence as a `# guessed:` comment; cleaning leaves ids and constants out of
every analysis (`column_role`); privacy removes the personal data this module finds (`personal_data_columns`).
A person's name is personal data; an organisation or a place is not, and neither are values that repeat across
many rows. An id is never a trait, whatever its dtype: unique text, a run of whole numbers, or sparse whole
numbers named like an id or in row order (a sequential lead number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from alignkit.ingest.answers import classify_answers, match_scale
from alignkit.ingest.files import parse_datetimes, parse_numbers, to_snake_case
from alignkit.ingest.tokens import fold_token
from alignkit.meaning.dates import date_order_evidence
from alignkit.meaning.words import (
    COUNTRIES,
    ORGANISATION_NAME,
    ORGANISATION_SUFFIXES,
    PERSON_NAME,
    PLACE_NAME,
    named_like_id,
    named_like_outcome,
    named_like_people,
)
from alignkit.privacy import looks_like_pii_column, pii_kind

ID_MIN_ROWS = 20
PROBE_ROWS = 20_000  # a column's kind is probed on its first rows' values before every cell is read
ROLE_SAMPLE = 1_000
REFERENCE_MIN_DISTINCT = 20  # a repeating column named like an id, with more distinct opaque codes, is a key
OPAQUE_KEY = r"(?=.*\d)[A-Za-z0-9_\-]{12,}"  # a hash, a uuid or a long code: no words, at least one digit
AMOUNT_TEXT = r"[$€£¥]?\s?[+-]?[\d,.]*\d[kKmMbB%]?"
SEQUENCE_MAX_GAP = 100  # unnamed unique whole numbers in row order, this far apart on average, number rows
TYPE_SAMPLE = 20_000  # values a type is read from (counts and uniqueness are read from every row)
DATE_MIN_SHARE = 0.9  # share of non-blank values that must parse as dates
MULTI_SEPARATORS = (";", ", ")
MULTI_MIN_SHARE = 0.2  # share of cells holding a separator before a column reads as multi-select
MULTI_MAX_OPTIONS = 25
YES_NO = frozenset({"yes", "no", "y", "n", "true", "false"})
OUTCOME_VALUES = frozenset(
    {
        *YES_NO,
        "0",
        "1",
        "0.0",
        "1.0",
        "won",
        "lost",
        "win",
        "loss",
        "converted",
        "not converted",
        "success",
        "failure",
        "t",
        "f",
    }
)
SAMPLE_VALUES = 5
ORGANISATION_MIN_SHARE = 0.2  # share of values ending in a company form (Inc, GmbH …) that makes them organisations
PLACE_MIN_SHARE = 0.3  # share of values that are countries, states or large cities that makes them places
REPEAT_MAX_SHARE = 0.5  # name-like values with fewer distinct values than this share of rows repeat: a category
REPEAT_MIN_ROWS = 40
KEPT_ROLES = ("number", "category", "ordered scale", "yes/no", "multi-select", "organisation", "place")
PERSONAL_ROLES = ("email", "phone", "person name")
Role = Literal[
    "constant",
    "id",
    "email",
    "phone",
    "person name",
    "organisation",
    "place",
    "date",
    "outcome",
    "yes/no",
    "number",
    "ordered scale",
    "multi-select",
    "free text",
    "category",
]


@dataclass(frozen=True)
class ColumnMeaning:
    """What one column is: its role, the evidence that decided it (the draft's comment) and, for an ordered scale
    or a category, its levels (meaning order, or by count); `source` says who decided it."""

    column: str
    role: str
    evidence: str
    levels: tuple[str, ...] = ()
    source: Literal["guessed", "project file"] = "guessed"

    @property
    def personal(self) -> bool:
        """Return whether the column holds personal data (an email, a phone number or a person's name)."""
        return self.role in PERSONAL_ROLES


def _whole_numbers(values: pd.Series, present: pd.Series) -> pd.Series | None:
    """Return the present values as float64 when every one is a number, else None."""
    if pd.api.types.is_numeric_dtype(values):
        return present.astype("float64")
    sample = present.head(ROLE_SAMPLE).astype("str")
    if not pd.to_numeric(sample, errors="coerce").notna().all():
        return None
    numbers = pd.to_numeric(present.astype("str"), errors="coerce")
    return numbers.astype("float64") if numbers.notna().all() else None


def _reference_evidence(present: pd.Series) -> str | None:
    """Return why a repeating column named like an id holds keys of another table's rows (opaque codes such as a
    landing page's hash, many of them), or None for a short list of codes (a region code is a category)."""
    distinct = present.nunique()
    if distinct <= REFERENCE_MIN_DISTINCT:
        return None
    sample = pd.Series(present.unique()[:ROLE_SAMPLE], dtype="str")
    if sample.str.fullmatch(OPAQUE_KEY).mean() < 0.9:
        return None
    return (
        f"named like an id; {distinct:,} distinct opaque codes that repeat: keys of another table's rows, never a trait"
    )


def identifier_evidence(values: pd.Series, name: str = "") -> str | None:
    """Return why a column is an identifier, or None: unique per row over 20+ rows and text without spaces (not
    times), or whole numbers in a dense run, or sparse whole numbers named like an id or running in row order (a
    sequential lead number); a column named like an id is one when unique wherever it is filled."""
    snake = to_snake_case(name) if name else ""
    present = values.dropna()
    if len(present) < 2 or pd.api.types.is_bool_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return None
    head = present.iloc[:PROBE_ROWS]
    named = bool(snake) and named_like_id(snake)
    if not head.is_unique or not present.is_unique:
        return _reference_evidence(present) if named else None
    if len(present) < len(values):
        if named and len(present) >= ID_MIN_ROWS:
            return f"named like an id; unique wherever filled ({len(present):,} of {len(values):,} rows)"
        return None
    if len(present) < ID_MIN_ROWS and not named:
        return None
    numbers = _whole_numbers(values, present)
    unique = f"{len(present):,} distinct values, unique per row"
    if numbers is not None:
        if not bool((numbers == numbers.round()).all()):
            return None  # unique decimals are measures
        if numbers.max() - numbers.min() < 2 * len(numbers):
            return unique
        if named:
            return f"{unique}; whole numbers named like an id"
        in_order = numbers.is_monotonic_increasing or numbers.is_monotonic_decreasing
        if (
            len(numbers) >= ID_MIN_ROWS
            and in_order
            and numbers.max() - numbers.min() <= SEQUENCE_MAX_GAP * len(numbers)
        ):
            return f"{unique}; whole numbers in row order (a sequence number)"
        return None
    text = present.head(ROLE_SAMPLE).astype("str")
    head = text.head(200)
    separated = head[head.str.contains(r"\d[-/:. ]\d", regex=True)]  # a date has separated fields; a hex key not
    if (
        len(separated) > len(head) / 2
        and pd.to_datetime(separated, format="mixed", errors="coerce").notna().mean() > 0.5
    ):
        return None  # unique timestamps are times, not identifiers
    if text.str.fullmatch(AMOUNT_TEXT).mean() >= 0.9:
        return None  # "$342.09K", "12%": amounts written as text are measures, however unique
    if named or text.str.contains(r"\s", regex=True).mean() < 0.5:
        return unique
    return None


def column_role(values: pd.Series, name: str = "") -> str | None:
    """Return "constant" when every row holds the same value (blank counts as a value, so a flag that is "Yes"
    or blank is not constant), "id" when the column is an identifier (`identifier_evidence`), else None."""
    head = values.iloc[:PROBE_ROWS]
    head_distinct = head.nunique(dropna=False)
    named = bool(name) and named_like_id(to_snake_case(name))
    if head_distinct > 1 and (head_distinct < len(head) or values.hasnans) and not named:
        return None  # a repeat or a blank in the first rows: neither constant nor one value a row
    if values.nunique(dropna=False) <= 1:
        return "constant"
    return "id" if identifier_evidence(values, name) is not None else None


def date_share(values: pd.Series) -> float:
    """Return the share of a column's non-blank values that parse as dates (0 for numbers alone)."""
    present = values.dropna()
    present = present.sample(TYPE_SAMPLE, random_state=0) if len(present) > TYPE_SAMPLE else present
    if present.empty or parse_numbers(present)[2] >= 0.95:
        return 0.0
    return float(parse_datetimes(present).notna().mean())


def _share_of(text: pd.Series, test: Callable[[str], bool]) -> float:
    """Return the share of non-blank values (weighted by rows) for which `test` holds, tested once per value."""
    counts = text.value_counts()
    hits = [test(v) for v in counts.index]
    return float(counts[hits].sum() / counts.sum()) if len(counts) else 0.0


def _organisation_value(value: str) -> bool:
    words = value.casefold().replace(",", " ").split()
    return len(words) > 1 and words[-1] in ORGANISATION_SUFFIXES


def organisation_or_place(column: str, text: pd.Series) -> tuple[str, str] | None:
    """Return ('organisation' | 'place', evidence) when a text column's name or values say it names organisations
    (company forms: Inc, Ltd, GmbH …) or places (countries, states, large cities), else None."""
    snake = to_snake_case(column)
    if ORGANISATION_NAME.search(snake):
        return "organisation", "named like organisations, not personal data"
    if PLACE_NAME.search(snake):
        return "place", "named like places, not personal data"
    organisations = _share_of(text, _organisation_value)
    if organisations >= ORGANISATION_MIN_SHARE:
        return "organisation", (
            f"{organisations:.0%} of values end in a company form (Inc, Ltd, GmbH …): organisations, not personal data"
        )
    places = _share_of(text, lambda v: v.casefold() in COUNTRIES)
    if places >= PLACE_MIN_SHARE:
        return "place", f"{places:.0%} of values are countries, states or cities: places, not personal data"
    return None


def name_like_evidence(column: str, values: pd.Series) -> tuple[str, str]:
    """Return (role, evidence) for a column whose values look like people's names (privacy.pii_kind 'name'):
    'organisation' or 'place' when its name or values say so (company forms, countries and cities), 'category'
    when the values repeat across many rows, else 'person name'."""
    snake = to_snake_case(column)
    text = values.dropna().astype("str").str.strip()
    distinct = text.nunique()
    if PERSON_NAME.search(snake) or named_like_people(snake):
        return "person name", f"values look like people's names ({distinct:,} distinct), named like people; never shown"
    found = organisation_or_place(column, text)
    if found is not None:
        return found
    if len(text) >= REPEAT_MIN_ROWS and distinct < REPEAT_MAX_SHARE * len(text):
        return "category", (
            f"capitalised words that repeat ({distinct:,} distinct in {len(text):,} rows): a "
            f"category, not people's names"
        )
    return "person name", f"values look like people's names ({distinct:,} distinct); never shown"


def _multi_options(present: pd.Series) -> list[str] | None:
    for separator in MULTI_SEPARATORS:
        holding = present.str.contains(separator, regex=False)
        if holding.mean() >= MULTI_MIN_SHARE:
            options = present.str.split(separator).explode().str.strip()
            distinct = options.nunique()
            if distinct <= MULTI_MAX_OPTIONS and distinct < present.nunique():
                return sorted(options.unique())
    return None


def _counts_text(counts: pd.Series) -> str:
    top = ", ".join(f"{v} {n:,}" for v, n in counts.head(SAMPLE_VALUES).items())
    more = f" (+{len(counts) - SAMPLE_VALUES} more)" if len(counts) > SAMPLE_VALUES else ""
    return f"{len(counts)} values: {top}{more}"


def outcome_values(values: pd.Series) -> list[str] | None:
    """Return a column's two distinct values (folded for case and spaces: 'Yes ', 'yes', 'Y' are one) when they
    read as an outcome (yes/no, 1/0, won/lost, true/false), else None."""
    present = values.dropna().astype("str").str.strip()
    folded = {fold_token(v) for v in present.unique()}
    folded = {"yes" if v == "y" else "no" if v == "n" else v for v in folded}
    return sorted(folded) if len(folded) == 2 and folded <= OUTCOME_VALUES else None


def decide_column(column: str, values: pd.Series) -> ColumnMeaning:
    """Return what a column is, with the evidence: constant, email, phone, id, person name, organisation, place,
    date, outcome (a two-valued column named like one: y, target, response, converted, churn …), yes/no, number,
    ordered scale (levels in meaning order), multi-select, free text or category (values by count). Values of
    personal data, and of columns named like people, are never written into the evidence."""
    role = column_role(values, column)
    present = values.dropna().astype("str").str.strip()
    sample = present.sample(TYPE_SAMPLE, random_state=0) if len(present) > TYPE_SAMPLE else present
    snake = to_snake_case(column)
    if role == "constant":
        shown = "blank" if present.empty else f"{present.iloc[0]!r}" if pii_kind(values) is None else "one value"
        return ColumnMeaning(column, "constant", f"{shown} in every row")
    kind = pii_kind(values)
    if kind == "phone" and role == "id" and named_like_id(snake):
        # SurveyMonkey's RespondentID: ten-digit numbers, unique, named like an id — an id, not phone numbers
        return ColumnMeaning(column, "id", identifier_evidence(values, column) or "named like an id, unique per row")
    if kind in ("email", "phone"):
        return ColumnMeaning(column, kind, f"values look like {kind}s ({present.nunique():,} distinct); never shown")
    if kind == "name":
        named_role, evidence = name_like_evidence(column, values)
        if named_role != "category":
            levels = () if named_role == "person name" else tuple(present.value_counts().index)
            return ColumnMeaning(column, named_role, evidence, levels)
    if role == "id":
        return ColumnMeaning(column, "id", identifier_evidence(values, column) or "unique per row")
    if date_share(values) >= DATE_MIN_SHARE:
        return ColumnMeaning(column, "date", f"dates, {date_order_evidence(present)}")
    binary = outcome_values(present)
    by_value = present.value_counts()  # folded a distinct value at a time, not a row at a time
    counts = by_value.groupby(by_value.index.map(fold_token)).sum().sort_values(ascending=False, kind="stable")
    said = ", ".join(f"{v} {n:,}" for v, n in counts.items())
    if binary and named_like_outcome(snake):
        return ColumnMeaning(column, "outcome", f"named like an outcome, two values: {said}", tuple(binary))
    folded = set(counts.index)
    if folded and folded <= YES_NO:
        return ColumnMeaning(column, "yes/no", said)
    if parse_numbers(sample)[2] >= 0.95:
        numbers = parse_numbers(present)[0]
        return ColumnMeaning(column, "number", f"numbers from {numbers.min():g} to {numbers.max():g}")
    scale = match_scale(set(present.unique()))
    if scale:
        return ColumnMeaning(column, "ordered scale", "levels in order: " + " < ".join(scale), tuple(scale))
    options = _multi_options(sample)
    if options:
        return ColumnMeaning(column, "multi-select", f"{len(options)} options", tuple(options))
    if classify_answers(sample)[0] == "text":
        return ColumnMeaning(column, "free text", f"{present.nunique():,} distinct answers")
    counts = by_value
    if looks_like_pii_column(snake) or (named_like_people(snake) and len(snake.split("_")) <= 4):
        # a column of people (an owner, a manager) may hold their names: counts only, never a value
        return ColumnMeaning(
            column, "category", f"{len(counts)} values (named like people: values not shown)", tuple(counts.index)
        )
    if kind == "name":
        return ColumnMeaning(
            column, "category", f"{name_like_evidence(column, values)[1]}; {_counts_text(counts)}", tuple(counts.index)
        )
    found = organisation_or_place(column, sample)
    if found is not None:
        return ColumnMeaning(column, found[0], f"{found[1]}; {_counts_text(counts)}", tuple(counts.index))
    return ColumnMeaning(column, "category", _counts_text(counts), tuple(counts.index))


def is_personal_data(column: str, values: pd.Series) -> bool:
    """Return whether a column holds personal data by its values: emails, phone numbers, or people's names that
    are not organisations, places or repeated categories (`name_like_evidence`)."""
    kind = pii_kind(values)
    if kind == "phone" and column_role(values, column) == "id" and named_like_id(to_snake_case(column)):
        # SurveyMonkey's RespondentID: ten-digit numbers, unique, named like an id — an id, not phone numbers
        return False
    if kind in ("email", "phone"):
        return True
    return kind == "name" and name_like_evidence(column, values)[0] == "person name"
