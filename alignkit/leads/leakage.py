"""Which fields may describe a lead, and the leakage guard: stage timestamps, the stage, deal fields and the
first sales touch happen during or after the funnel and are never drivers; the guard also keeps out any field
recorded after the outcome (named in the project file, dated after it, separating converters almost perfectly or
far better than any other field, named like a sales-side record, or filled far more often for one outcome).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from alignkit.config import ProjectSettings
from alignkit.leads.profile import OUTCOME, binned
from alignkit.meaning.words import named_like_descriptor, named_like_sales_field
from alignkit.prepare.stage_paths import stage_at_column
from alignkit.stats import discrimination_auc

# Outcome and funnel fields: describing where a lead ended up, they would leak the outcome into its drivers.
NEVER_DRIVERS = (
    "lead_key",
    "stage",
    "converted",
    "outcome",
    "amount",
    "lost_reason",
    "deal_stage",
    "deal_created_at",
    "deal_closed_at",
    "first_touch_at",
    "created_at",
    "lifecycle_lost",
)
COMPANION_SUFFIXES = ("_set_at", "_set_date", "_updated_at", "_at", "_date")
MISSINGNESS_GAP = 0.5  # missing for one outcome this much more often than for the other: filled because of it
AUC_OUTLIER_RATIO = 2.0  # the top field separates this many times better (AUC − 0.5) than the next best one
AUC_OUTLIER_MIN = 0.7


def stage_date_columns(settings: ProjectSettings) -> list[str]:
    """Return the `<stage>_at` columns of the project's funnel stages (none without funnel stages)."""
    return [stage_at_column(n) for n in settings.funnel.stage_names] if settings.funnel is not None else []


def candidate_fields(leads: pd.DataFrame, settings: ProjectSettings) -> list[str]:
    """Return the fields that may describe a lead: attributes and channel, not timestamps, stage or deal fields."""
    stage_columns = set(stage_date_columns(settings))
    out = []
    for column in leads.columns:
        values = leads[column]
        if column in NEVER_DRIVERS or column in stage_columns or pd.api.types.is_datetime64_any_dtype(values):
            continue
        if values.notna().sum() == 0 or (values.nunique() < 2 and values.notna().all()):
            continue
        out.append(column)
    return out


def _base_name(column: str) -> str:
    for suffix in COMPANION_SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            return column[: -len(suffix)]
    return column


def outcome_time(leads: pd.DataFrame, settings: ProjectSettings) -> pd.Series:
    """Return when each lead's outcome was settled: the conversion date for converters, else the MQL date (the
    decision the score serves), else the creation date."""
    funnel = settings.funnel
    converted_at = leads.get(stage_at_column(funnel.converted_stage)) if funnel is not None else None
    mql_at = leads.get(stage_at_column(funnel.mql_stage)) if funnel is not None else None
    out = pd.Series(pd.NaT, index=leads.index, dtype="datetime64[ns]")
    for column in (converted_at, mql_at, leads.get("created_at")):
        if column is not None:
            out = out.fillna(pd.to_datetime(column).astype("datetime64[ns]"))
    return out


def leakage_guard(
    leads: pd.DataFrame,
    fields: list[str],
    settings: ProjectSettings,
    *,
    outcome: str = OUTCOME,
    groups: Mapping[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Return one row per field recorded after the outcome, with the reason: (a) named in
    leads.post_outcome_fields (or its date is), (b) its companion date ('<field>_set_at', '_at', '_date') falls
    after the outcome for most leads, (c) it alone separates converters almost perfectly (AUC ≥ leads.leakage_auc),
    (d) its name is one of a sales-side record (status, disposition, notes, rating, tags, last activity, a score),
    (e) it is missing far more often for one outcome than for the other (filled once a deal moves), (f) it alone
    separates converters far better than every other field (an outlier among the single-field AUCs).
    `excluded` is False only for fields the project file allows (leads.allow_fields). `groups`: the fields already
    binned (`binned_fields`)."""
    listed = set(settings.leads.post_outcome_fields)
    listed_bases = {_base_name(f) for f in listed}
    settled = outcome_time(leads, settings)
    aucs, evidence = outcome_evidence(
        leads, fields, leads[outcome].astype(bool), leakage_auc=settings.leads.leakage_auc, groups=groups
    )
    rows = []
    for column in fields:
        reasons = []
        if column in listed:
            reasons.append(("listed", "named in leads.post_outcome_fields in the project file"))
        elif column in listed_bases:
            named = sorted(f for f in listed if _base_name(f) == column)
            reasons.append(("listed", f"its date {', '.join(named)} is named in leads.post_outcome_fields"))
        for suffix in COMPANION_SUFFIXES:
            companion = column + suffix
            if companion in leads and pd.api.types.is_datetime64_any_dtype(leads[companion]):
                both = leads[companion].notna() & settled.notna()
                if both.sum() == 0:
                    continue
                after = float((leads.loc[both, companion] > settled[both]).mean())
                if after >= 0.5:
                    reasons.append(
                        (
                            "timestamp",
                            f"{companion} falls after the outcome for {after:.0%} of the "
                            f"{int(both.sum()):,} leads that have it",
                        )
                    )
                break
        reasons.extend(evidence[column])
        if reasons:
            rows.append(
                {
                    "field": column,
                    "checks": ", ".join(r[0] for r in reasons),
                    "reason": "; ".join(r[1] for r in reasons),
                    "single_field_auc": aucs[column],
                    "excluded": column not in settings.leads.allow_fields,
                }
            )
    return pd.DataFrame(rows, columns=["field", "checks", "reason", "single_field_auc", "excluded"])


def outcome_evidence(
    leads: pd.DataFrame,
    fields: list[str],
    converted: pd.Series,
    *,
    leakage_auc: float,
    groups: Mapping[str, pd.Series] | None = None,
) -> tuple[dict[str, float], dict[str, list[tuple[str, str]]]]:
    """Return each field's single-field AUC and its evidence of being recorded after the outcome, read from the
    data alone (no project file): (c) near-perfect AUC ≥ `leakage_auc`, (f) an outlier among the AUCs (not for a
    demographic or firmographic descriptor), (d) a sales-side name (on the snake_case name), (e) missing far more
    often for one outcome. Each evidence item is
    (check, sentence). `alignkit init --from` uses it to draft leads.post_outcome_fields."""
    y = converted.astype(bool)
    groups = groups or {}
    aucs = {
        column: discrimination_auc(groups[column] if column in groups else binned(leads[column]), y)
        for column in fields
    }
    ranked = sorted(aucs, key=lambda c: -aucs[c])
    outlier = None
    if (
        len(ranked) >= 3
        and aucs[ranked[0]] >= AUC_OUTLIER_MIN
        and aucs[ranked[0]] - 0.5 >= AUC_OUTLIER_RATIO * max(aucs[ranked[1]] - 0.5, 0.01)
    ):
        outlier = ranked[0]
    evidence: dict[str, list[tuple[str, str]]] = {}
    for column in fields:
        reasons = []
        auc = aucs[column]
        if auc >= leakage_auc:
            reasons.append(
                (
                    "near-perfect",
                    f"alone it separates converters with AUC {auc:.2f} "
                    f"(threshold {leakage_auc:.2f}): too good to be known beforehand",
                )
            )
        if column == outlier and not named_like_descriptor(column):
            # who the lead is (age, income, country …) is known before the outcome: a strong one is a finding
            second = ranked[1]
            reasons.append(
                (
                    "outlier",
                    f"alone it separates converters far better than any other field (AUC {auc:.2f}; "
                    f"next best {second}, {aucs[second]:.2f})",
                )
            )
        if named_like_sales_field(column):
            reasons.append(
                (
                    "sales-side name",
                    "its name is that of a record sales keeps after contact (status, "
                    "notes, rating, tags, last activity, an assigned score)",
                )
            )
        missing = leads[column].isna()
        if y.any() and (~y).any():
            gap = float(missing[y].mean()) - float(missing[~y].mean())
            if abs(gap) >= MISSINGNESS_GAP:
                side, other = ("converted", "other") if gap < 0 else ("other", "converted")
                reasons.append(
                    (
                        "missingness",
                        f"filled for {1 - missing[y if side == 'converted' else ~y].mean():.0%} "
                        f"of {side} leads but {1 - missing[~y if side == 'converted' else y].mean():.0%} "
                        f"of {other} ones: it is filled because of the outcome",
                    )
                )
        evidence[column] = reasons
    return aucs, evidence


def fields_left_out(leads: pd.DataFrame, settings: ProjectSettings, leakage: pd.DataFrame) -> pd.DataFrame:
    """Return every field kept out of drivers and score, with the reason (by design, by the project file, or the
    guard)."""
    stage_columns = stage_date_columns(settings)
    rows = [
        {
            "field": ", ".join([*(c for c in stage_columns if c in leads), "stage", "outcome"]),
            "reason": "funnel stage and stage dates: they are the outcome's path, not a trait of the lead",
        },
        {
            "field": ", ".join(
                c
                for c in ("amount", "lost_reason", "deal_stage", "deal_created_at", "deal_closed_at", "first_touch_at")
                if c in leads
            ),
            "reason": "deal fields and the first sales touch are recorded after the lead is handed to sales",
        },
    ]
    other_dates = [
        c
        for c in leads.columns
        if pd.api.types.is_datetime64_any_dtype(leads[c]) and c not in stage_columns and c not in NEVER_DRIVERS
    ]
    if other_dates:
        rows.append({"field": ", ".join(other_dates), "reason": "dates: used by the leakage guard, never drivers"})
    for column in settings.leads.exclude_fields:
        if column in leads:
            rows.append({"field": column, "reason": "left out in the project file (leads.exclude_fields)"})
    for _, row in leakage.iterrows():
        if row["excluded"] and row["field"] not in other_dates:
            rows.append({"field": row["field"], "reason": "leakage guard: " + row["reason"]})
    return pd.DataFrame(rows)
