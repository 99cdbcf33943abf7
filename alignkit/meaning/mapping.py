"""The canonical names (lead_id, created_at, stage, source, converted …) guessed for a CRM table's columns.

A canonical name is guessed from the column's name — the CRM presets' own names and common synonyms, exactly or
within a rapidfuzz ratio; an id or an outcome also by the shape of its name ("mql_id", "y", "Response") — and must
be borne out by the values (an id is unique per row, a date parses, a stage has few values, an outcome two).
Every guess carries its evidence, which the draft writes beside it as a comment.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from alignkit.ingest.crm import CRM_PRESETS
from alignkit.ingest.files import parse_numbers, to_snake_case
from alignkit.meaning.columns import DATE_MIN_SHARE, column_role, date_share, identifier_evidence, outcome_values
from alignkit.meaning.words import named_like_id, named_like_outcome, outcome_rank
from alignkit.privacy import pii_kind

NAME_MATCH_MIN = 88  # rapidfuzz ratio of snake_case names that counts as the same name
STAGE_MAX_VALUES = 30  # a stage or outcome column holds at most this many distinct values

SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {  # table -> canonical name -> column names
    "contacts": {
        "lead_id": (
            "id",
            "lead_id",
            "contact_id",
            "record_id",
            "prospect_id",
            "customer_id",
            "opportunity_id",
            "deal_id",
            "lead_number",
        ),
        "email": ("email", "email_address", "e_mail"),
        "first_name": ("first_name", "firstname", "given_name"),
        "last_name": ("last_name", "lastname", "surname", "family_name"),
        "phone": ("phone", "phone_number", "mobile", "telephone"),
        "created_at": (
            "created",
            "created_at",
            "create_date",
            "created_date",
            "created_on",
            "date_created",
            "created_time",
            "creation_date",
            "create_time",
            "signup_date",
            "lead_date",
            "first_contact_date",
            "date_joined",
            "dt_customer",
            "customer_since",
        ),
        "stage": ("stage", "deal_stage", "lifecycle_stage", "lead_status", "status", "pipeline_stage"),
        "converted": ("converted", "is_converted", "conversion", "won", "outcome", "is_won"),
        "closed_at": (
            "closed",
            "close_date",
            "closed_at",
            "closed_date",
            "date_closed",
            "won_date",
            "close_time",
            "closing_date",
            "conversion_date",
            "converted_at",
            "converted_date",
        ),
        "source": ("source", "lead_source", "original_source", "channel", "utm_source", "origin", "lead_origin"),
        "campaign": ("campaign", "campaign_name", "utm_campaign"),
        "owner": ("owner", "lead_owner", "contact_owner", "sales_agent", "sales_rep", "agent", "rep", "account_owner"),
        "amount": ("amount", "close_value", "deal_value", "deal_amount", "value", "revenue"),
        "lost_reason": ("lost_reason", "loss_reason", "closed_lost_reason", "reason_lost"),
    },
    "deals": {
        "deal_id": ("deal_id", "opportunity_id", "id", "record_id"),
        "lead_id": ("lead_id", "contact_id", "associated_contact_id", "prospect_id"),
        "stage": ("stage", "deal_stage", "status"),
        "amount": ("amount", "value", "close_value", "deal_value"),
        "created_at": ("created", "created_at", "create_date", "created_date", "created_time", "creation_date"),
        "closed_at": ("closed", "close_date", "closed_at", "closed_date", "closing_date", "date_closed"),
        "lost_reason": ("lost_reason", "loss_reason", "closed_lost_reason"),
    },
    "touches": {
        "lead_id": ("lead_id", "contact_id", "prospect_id"),
        "at": (
            "at",
            "date",
            "activity_date",
            "timestamp",
            "occurred_at",
            "created_at",
            "call_start_time",
            "start_time",
            "start_datetime",
            "activity_time",
            "event_date",
        ),
        "kind": ("kind", "type", "activity_type", "event_type", "channel", "call_type"),
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


def _names(table: str, canonical: str) -> list[str]:
    preset = [to_snake_case(p[table][canonical]) for p in CRM_PRESETS.values() if canonical in p.get(table, {})]
    return [*SYNONYMS[table][canonical], *preset]


def name_score(column: str, names: list[str]) -> float:
    """Return how closely a column's snake_case name matches one of `names` (100 = the same; rapidfuzz ratio)."""
    best = process.extractOne(to_snake_case(column), names, scorer=fuzz.ratio)
    return float(best[1]) if best else 0.0


def _values_fit(canonical: str, values: pd.Series, column: str = "", table: str = "contacts") -> str | None:
    """Return the values' evidence for `canonical`, or None when the values rule it out."""
    present = values.dropna()
    distinct = present.nunique()
    if present.empty:
        return None
    if canonical == "lead_id" and table != "contacts":
        # a deal's or an activity's lead: a reference, several rows per lead
        return f"{distinct:,} distinct values referencing leads" if distinct >= 2 else None
    if canonical in ("lead_id", "deal_id"):
        unique = values.notna().all() and values.is_unique and len(values) > 1
        return f"{distinct:,} distinct values, unique per row" if unique else None
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
        words = outcome_values(values)
        if words is None and distinct != 2:
            return None
        counts = present.astype("str").str.strip().value_counts()
        return f"{'two outcome values' if words else '2 distinct values'}: " + ", ".join(
            f"{v} {n:,}" for v, n in counts.head(6).items()
        )
    if canonical in ("stage", "kind"):
        return f"{distinct} distinct values" if 2 <= distinct <= STAGE_MAX_VALUES else None
    if canonical == "lost_reason":
        return f"{distinct} distinct values"
    if column_role(values) in ("id", "constant"):
        return None
    return f"{distinct:,} distinct values"


def _shaped_like(canonical: str, column: str, values: pd.Series) -> str:
    """Return how a column's name has the shape of `canonical` though it is no synonym of it ("mql_id" for an id,
    "y" or "Response" for the outcome), or ''."""
    snake = to_snake_case(column)
    if (
        canonical in ("lead_id", "deal_id")
        and named_like_id(snake)
        and values.notna().all()
        and identifier_evidence(values, column) is not None
    ):
        return "named like an id"
    if canonical == "converted" and named_like_outcome(snake) and outcome_values(values) is not None:
        return "named like an outcome"
    return ""


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
            by_shape = _shaped_like(canonical, str(column), frame[column]) if score < NAME_MATCH_MIN else ""
            if score < NAME_MATCH_MIN and not by_values and not by_shape:
                continue
            evidence = _values_fit(canonical, frame[column], str(column), table)
            if evidence is None:
                continue
            if by_shape:
                score = NAME_MATCH_MIN - 1  # after every column named as a synonym …
                # … and a plain name ("Response") before a numbered one ("AcceptedCmp1": an earlier campaign's)
                rank = (
                    len(names) + 2 * outcome_rank(to_snake_case(str(column))) + any(ch.isdigit() for ch in str(column))
                )
            how = (
                "its name"
                if score == 100
                else (
                    f"a name close to {canonical!r} ({score:.0f}/100)"
                    if score >= NAME_MATCH_MIN
                    else by_shape or "its values"
                )
            )
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
