"""The column mapping guessed from names and values, and every other column's type.

A canonical name (lead_id, created_at, stage, source …) is guessed from the column's name — the CRM presets' own
names and common synonyms, exactly or within a rapidfuzz ratio — and must be borne out by the values (an id is
unique per row, a date parses, a stage has few values). Every guess carries its evidence, which the writer puts
beside it as a comment. Columns whose values are personal data (read from the values) never show a sample value.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from alignkit.ingest.answers import classify_answers, match_scale
from alignkit.ingest.crm import CRM_PRESETS
from alignkit.ingest.files import parse_datetimes, parse_numbers, to_snake_case
from alignkit.ingest.tokens import fold_token
from alignkit.prepare.clean import column_role, decide_dayfirst
from alignkit.privacy import looks_like_pii_column, pii_kind

NAME_MATCH_MIN = 88           # rapidfuzz ratio of snake_case names that counts as the same name
DATE_MIN_SHARE = 0.9          # share of non-blank values that must parse as dates
STAGE_MAX_VALUES = 30         # a stage or outcome column holds at most this many distinct values
MULTI_SEPARATORS = (";", ", ")
MULTI_MIN_SHARE = 0.2         # share of cells holding a separator before a column reads as multi-select
MULTI_MAX_OPTIONS = 25
YES_NO = frozenset({"yes", "no", "y", "n", "true", "false"})
SAMPLE_VALUES = 5
PERSON_WORDS = frozenset({"owner", "manager", "agent", "rep", "assignee", "user", "salesperson", "contact", "person"})
TYPE_SAMPLE = 20_000          # values a type is read from (counts and uniqueness are read from every row)

SYNONYMS: dict[str, tuple[str, ...]] = {
    "contacts": {
        "lead_id": ("id", "lead_id", "contact_id", "record_id", "prospect_id", "customer_id", "opportunity_id",
                    "deal_id", "lead_number"),
        "email": ("email", "email_address", "e_mail"),
        "first_name": ("first_name", "firstname", "given_name"),
        "last_name": ("last_name", "lastname", "surname", "family_name"),
        "phone": ("phone", "phone_number", "mobile", "telephone"),
        "created_at": ("created", "created_at", "create_date", "created_date", "created_on", "date_created",
                       "signup_date", "lead_date"),
        "stage": ("stage", "deal_stage", "lifecycle_stage", "lead_status", "status", "pipeline_stage"),
        "converted": ("converted", "is_converted", "conversion", "won", "outcome", "is_won"),
        "source": ("source", "lead_source", "original_source", "channel", "utm_source"),
        "campaign": ("campaign", "campaign_name", "utm_campaign"),
        "owner": ("owner", "lead_owner", "contact_owner", "sales_agent", "sales_rep", "agent", "rep",
                  "account_owner"),
        "amount": ("amount", "close_value", "deal_value", "deal_amount", "value", "revenue"),
        "lost_reason": ("lost_reason", "loss_reason", "closed_lost_reason", "reason_lost"),
    },
    "deals": {
        "deal_id": ("deal_id", "opportunity_id", "id", "record_id"),
        "lead_id": ("lead_id", "contact_id", "associated_contact_id", "prospect_id"),
        "stage": ("stage", "deal_stage", "status"),
        "amount": ("amount", "value", "close_value", "deal_value"),
        "created_at": ("created", "created_at", "create_date", "created_date"),
        "closed_at": ("closed", "close_date", "closed_at", "closed_date"),
        "lost_reason": ("lost_reason", "loss_reason", "closed_lost_reason"),
    },
    "touches": {
        "lead_id": ("lead_id", "contact_id", "prospect_id"),
        "at": ("at", "date", "activity_date", "timestamp", "occurred_at", "created_at"),
        "kind": ("kind", "type", "activity_type", "event_type", "channel"),
        "content": ("content", "content_name", "subject", "asset", "title"),
    },
}
DATE_CANONICAL = {"created_at", "closed_at", "at"}


@dataclass(frozen=True)
class Guess:
    """One canonical name guessed for a column, with the evidence shown beside it in the draft."""

    canonical: str
    column: str
    evidence: str


@dataclass(frozen=True)
class ColumnType:
    """One column's detected type and what the writer says about it (never a sample value of personal data)."""

    column: str
    kind: str                     # id | constant | pii | date | yes/no | number | ordered scale | multi-select |
                                  # free text | category
    detail: str
    levels: tuple[str, ...] = ()  # an ordered scale's levels in meaning order, or a category's values by count


def _names(table: str, canonical: str) -> list[str]:
    preset = [to_snake_case(p[table][canonical]) for p in CRM_PRESETS.values() if canonical in p.get(table, {})]
    return [*SYNONYMS[table][canonical], *preset]


def name_score(column: str, names: list[str]) -> float:
    """Return how closely a column's snake_case name matches one of `names` (100 = the same; rapidfuzz ratio)."""
    best = process.extractOne(to_snake_case(column), names, scorer=fuzz.ratio)
    return float(best[1]) if best else 0.0


def date_share(values: pd.Series) -> float:
    """Return the share of a column's non-blank values that parse as dates (0 for numbers alone)."""
    present = values.dropna()
    present = present.sample(TYPE_SAMPLE, random_state=0) if len(present) > TYPE_SAMPLE else present
    if present.empty or parse_numbers(present)[2] >= 0.95:
        return 0.0
    return float(parse_datetimes(present).notna().mean())


def _values_fit(canonical: str, values: pd.Series) -> str | None:
    """Return the values' evidence for `canonical`, or None when the values rule it out."""
    present = values.dropna()
    distinct = present.nunique()
    if present.empty:
        return None
    if canonical in ("lead_id", "deal_id"):
        unique = values.notna().all() and values.is_unique and len(values) > 1
        return f"{distinct:,} distinct values, unique per row" if unique or column_role(values) == "id" else None
    if canonical in ("email", "phone"):
        return f"values look like {canonical} addresses" if pii_kind(values) == canonical else None
    if canonical in ("first_name", "last_name"):
        return "values look like names" if pii_kind(values) == "name" else None
    if canonical in DATE_CANONICAL:
        share = date_share(values)
        return f"{share:.0%} of {len(present):,} values parse as dates" if share >= DATE_MIN_SHARE else None
    if canonical == "amount":
        share = parse_numbers(present)[2]
        return f"numbers in {share:.0%} of {len(present):,} filled rows" if share >= 0.95 else None
    if canonical == "converted":
        return f"{distinct} distinct values" if distinct == 2 else None
    if canonical in ("stage", "kind"):
        return f"{distinct} distinct values" if 2 <= distinct <= STAGE_MAX_VALUES else None
    if canonical == "lost_reason":
        return f"{distinct} distinct values"
    if column_role(values) in ("id", "constant"):
        return None
    return f"{distinct:,} distinct values"


def guess_mapping(frame: pd.DataFrame, table: str = "contacts") -> list[Guess]:
    """Return the canonical names guessed for a table's columns, best name match first, each column used once:
    a name must match a preset or synonym (rapidfuzz ratio ≥ NAME_MATCH_MIN) and the values must fit it; an email
    or phone column is also found by its values alone."""
    candidates = []
    for canonical in SYNONYMS[table]:
        names = _names(table, canonical)
        for column in frame.columns:
            score = name_score(str(column), names)
            rank = next((i for i, n in enumerate(names) if n == to_snake_case(str(column))), len(names))
            by_values = canonical in ("email", "phone") and pii_kind(frame[column]) == canonical
            if score < NAME_MATCH_MIN and not by_values:
                continue
            evidence = _values_fit(canonical, frame[column])
            if evidence is None:
                continue
            how = "its name" if score == 100 else (f"a name close to {canonical!r} ({score:.0f}/100)"
                                                   if score >= NAME_MATCH_MIN else "its values")
            candidates.append((score, rank, canonical, str(column), f"{how}; {evidence}"))
    guesses: list[Guess] = []
    used_columns: set[str] = set()
    for _, _, canonical, column, evidence in sorted(candidates, key=lambda c: (-c[0], c[1], c[2], c[3])):
        if column in used_columns or any(g.canonical == canonical for g in guesses):
            continue
        if canonical == "converted" and any(g.canonical == "stage" for g in guesses):
            continue
        if canonical == "stage" and any(g.canonical == "converted" for g in guesses):
            continue
        guesses.append(Guess(canonical, column, evidence))
        used_columns.add(column)
    order = list(SYNONYMS[table])
    return sorted(guesses, key=lambda g: order.index(g.canonical))


def _multi_options(present: pd.Series) -> list[str] | None:
    for separator in MULTI_SEPARATORS:
        holding = present.str.contains(separator, regex=False)
        if holding.mean() >= MULTI_MIN_SHARE:
            options = present.str.split(separator).explode().str.strip()
            distinct = options.nunique()
            if distinct <= MULTI_MAX_OPTIONS and distinct < present.nunique():
                return sorted(options.unique())
    return None


def column_type(column: str, values: pd.Series) -> ColumnType:
    """Return a column's detected type: id, constant, pii, date, yes/no, number, ordered scale (levels in meaning
    order), multi-select, free text or category (values by count)."""
    role = column_role(values)
    present = values.dropna().astype("str").str.strip()
    sample = present.sample(TYPE_SAMPLE, random_state=0) if len(present) > TYPE_SAMPLE else present
    if role == "constant":
        shown = "blank" if present.empty else f"{present.iloc[0]!r}" if pii_kind(values) is None else "one value"
        return ColumnType(column, "constant", f"{shown} in every row")
    kind = pii_kind(values)
    if kind is not None:
        return ColumnType(column, "pii", f"values look like {kind}s ({present.nunique():,} distinct); never shown")
    if role == "id":
        return ColumnType(column, "id", f"{present.nunique():,} distinct values, unique per row")
    if date_share(values) >= DATE_MIN_SHARE:
        order = decide_dayfirst(present)
        said = {True: "day first", False: "month first", None: "day/month order not decidable from the values"}[order]
        return ColumnType(column, "date", f"dates, {said}")
    folded = {fold_token(v) for v in present.unique()}
    if folded and folded <= YES_NO:
        counts = present.map(fold_token).value_counts()
        return ColumnType(column, "yes/no", ", ".join(f"{v} {n:,}" for v, n in counts.items()))
    if parse_numbers(sample)[2] >= 0.95:
        numbers = parse_numbers(present)[0]
        return ColumnType(column, "number", f"numbers from {numbers.min():g} to {numbers.max():g}")
    scale = match_scale(set(present.unique()))
    if scale:
        return ColumnType(column, "ordered scale", "levels in order: " + " < ".join(scale), tuple(scale))
    options = _multi_options(sample)
    if options:
        return ColumnType(column, "multi-select", f"{len(options)} options", tuple(options))
    if classify_answers(sample)[0] == "text":
        return ColumnType(column, "free text", f"{present.nunique():,} distinct answers")
    counts = present.value_counts()
    if looks_like_pii_column(to_snake_case(column)) or PERSON_WORDS & set(to_snake_case(column).split("_")):
        # a column of people (an owner, a manager) may hold their names: counts only, never a value
        return ColumnType(column, "category", f"{len(counts)} values (named like people: values not shown)",
                          tuple(counts.index))
    top = ", ".join(f"{v} {n:,}" for v, n in counts.head(SAMPLE_VALUES).items())
    more = f" (+{len(counts) - SAMPLE_VALUES} more)" if len(counts) > SAMPLE_VALUES else ""
    return ColumnType(column, "category", f"{len(counts)} values: {top}{more}", tuple(counts.index))
