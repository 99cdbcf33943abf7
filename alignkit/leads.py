"""What converting leads have in common (notebook 04): the leakage guard, the profile of every attribute, the
ranked drivers, survey answers and personas for linked leads, and — through `alignkit.lead_score` — the lead
score, its written definition and its report, reports/04_converting_leads.html.

The outcome is `leads.converted`. Stage timestamps, the stage, deal fields and the first sales touch happen
during or after the funnel and are never drivers; the guard also keeps out any field recorded after the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from alignkit.config import ProjectSettings
from alignkit.lead_score import LeadScore, fit_score
from alignkit.lead_profile import (CHANNEL_FIELDS, MISSING, OUTCOME, _binned, _is_numeric, associations,
                                   conversion_by_value, linked_attributes, numeric_distribution, rank_commonalities)
from alignkit.stats import discrimination_auc, proportion
from alignkit.tables import stage_at_column

REPORT_SLUG = "04_converting_leads"
SCORE_FILE = "lead_score.joblib"
NEVER_DRIVERS = ("lead_key", "stage", "converted", "amount", "lost_reason", "deal_stage", "deal_created_at",
                 "deal_closed_at", "first_touch_at", "created_at")
COMPANION_SUFFIXES = ("_set_at", "_set_date", "_updated_at", "_at", "_date")


@dataclass(frozen=True)
class LeadInputs:
    """What the analysis reads from data/processed: leads, and optionally survey answers and personas."""

    leads: pd.DataFrame
    responses: pd.DataFrame | None = None
    codebook: pd.DataFrame | None = None
    personas: pd.DataFrame | None = None
    inputs: pd.DataFrame | None = None


def load_inputs(settings: ProjectSettings) -> LeadInputs:
    """Return the processed tables notebook 04 needs (personas.parquet only if notebook 03 wrote it)."""
    folder = settings.processed_dir

    def read(name: str) -> pd.DataFrame | None:
        path = folder / f"{name}.parquet"
        return pd.read_parquet(path) if path.exists() else None

    leads = read("leads")
    if leads is None:
        from alignkit.errors import InputFileError
        raise InputFileError(folder / "leads.parquet", "not found.", fix="run notebook 01 (or `alignkit run --only 01`) first.")
    return LeadInputs(leads=leads, responses=read("responses"), codebook=read("codebook"), personas=read("personas"),
                      inputs=read("inputs"))


# --- which fields may be drivers, and the leakage guard ---------------------------------------------------------


def candidate_fields(leads: pd.DataFrame, settings: ProjectSettings) -> list[str]:
    """Return the fields that may describe a lead: attributes and channel, not timestamps, stage or deal fields."""
    stage_columns = {stage_at_column(n) for n in settings.funnel.stage_names}
    out = []
    for column in leads.columns:
        values = leads[column]
        if column in NEVER_DRIVERS or column in stage_columns or pd.api.types.is_datetime64_any_dtype(values):
            continue
        if values.notna().sum() == 0 or values.nunique() < 2 and values.notna().all():
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
    converted_at = leads.get(stage_at_column(settings.funnel.converted_stage))
    mql_at = leads.get(stage_at_column(settings.funnel.mql_stage))
    out = pd.Series(pd.NaT, index=leads.index, dtype="datetime64[ns]")
    for column in (converted_at, mql_at, leads.get("created_at")):
        if column is not None:
            out = out.fillna(pd.to_datetime(column).astype("datetime64[ns]"))
    return out


def leakage_guard(leads: pd.DataFrame, fields: list[str], settings: ProjectSettings, *,
                  outcome: str = OUTCOME) -> pd.DataFrame:
    """Return one row per field recorded after the outcome, with the reason: (a) named in
    leads.post_outcome_fields (or its date is), (b) its companion date ('<field>_set_at', '_at', '_date') falls
    after the outcome for most leads, (c) it alone separates converters almost perfectly (AUC ≥ leads.leakage_auc).
    `excluded` is False only for fields the project file allows (leads.allow_fields)."""
    listed = set(settings.leads.post_outcome_fields)
    listed_bases = {_base_name(f) for f in listed}
    settled = outcome_time(leads, settings)
    y = leads[outcome].astype(bool)
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
                    reasons.append(("timestamp", f"{companion} falls after the outcome for {after:.0%} of the "
                                                 f"{int(both.sum()):,} leads that have it"))
                break
        auc = discrimination_auc(_binned(leads[column]), y)
        if auc >= settings.leads.leakage_auc:
            reasons.append(("near-perfect", f"alone it separates converters with AUC {auc:.2f} "
                                            f"(threshold {settings.leads.leakage_auc:.2f}): too good to be known beforehand"))
        if reasons:
            rows.append({"field": column, "checks": ", ".join(r[0] for r in reasons),
                         "reason": "; ".join(r[1] for r in reasons), "single_field_auc": auc,
                         "excluded": column not in settings.leads.allow_fields})
    return pd.DataFrame(rows, columns=["field", "checks", "reason", "single_field_auc", "excluded"])


def fields_left_out(leads: pd.DataFrame, settings: ProjectSettings, leakage: pd.DataFrame) -> pd.DataFrame:
    """Return every field kept out of drivers and score, with the reason (by design, by the project file, or the guard)."""
    stage_columns = [stage_at_column(n) for n in settings.funnel.stage_names]
    rows = [{"field": ", ".join(c for c in stage_columns if c in leads) + ", stage",
             "reason": "funnel stage and stage dates: they are the outcome's path, not a trait of the lead"},
            {"field": ", ".join(c for c in ("amount", "lost_reason", "deal_stage", "deal_created_at", "deal_closed_at",
                                            "first_touch_at") if c in leads),
             "reason": "deal fields and the first sales touch are recorded after the lead is handed to sales"}]
    other_dates = [c for c in leads.columns if pd.api.types.is_datetime64_any_dtype(leads[c])
                   and c not in stage_columns and c not in NEVER_DRIVERS]
    if other_dates:
        rows.append({"field": ", ".join(other_dates), "reason": "dates: used by the leakage guard, never drivers"})
    for column in settings.leads.exclude_fields:
        if column in leads:
            rows.append({"field": column, "reason": "left out in the project file (leads.exclude_fields)"})
    for _, row in leakage.iterrows():
        if row["excluded"] and row["field"] not in other_dates:
            rows.append({"field": row["field"], "reason": "leakage guard: " + row["reason"]})
    return pd.DataFrame(rows)


# --- the whole analysis ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadsResult:
    """Notebook 04's result: the profile of converting leads, the fields kept out, and the fitted lead score."""

    overall: pd.DataFrame                 # leads, converted, rate and its CI
    left_out: pd.DataFrame                # every field kept out of drivers and score, with the reason
    leakage: pd.DataFrame                 # the leakage guard's findings
    values: pd.DataFrame                  # conversion per attribute value
    associations: pd.DataFrame            # one row per attribute: test, q-value, effect sizes
    distribution: pd.DataFrame            # numeric attributes: converters vs the rest, binned
    drivers: pd.DataFrame                 # the ranked table "what converting leads have in common"
    linked_values: pd.DataFrame           # survey answers and personas (linked leads only)
    linked_associations: pd.DataFrame
    linked_labels: dict[str, str] = field(default_factory=dict)
    score: LeadScore | None = None
    min_group_size: int = 10

    @property
    def overall_rate(self) -> float:
        """Return the share of leads that converted."""
        return float(self.overall["rate"].iat[0])

    @property
    def top_drivers(self) -> list[str]:
        """Return the lead attributes in rank order (channel fields left out)."""
        return list(self.drivers.loc[self.drivers["group"] == "lead attribute", "attribute"])

    def _repr_html_(self) -> str:
        from alignkit.report import render_fragment

        tables = [("Overall conversion", self.overall), ("What converting leads have in common", self.drivers.head(12)),
                  ("Fields kept out of drivers and score", self.left_out)]
        if self.score is not None:
            tables.append(("Score accuracy (cross-validated)", self.score.cv_summary))
        return render_fragment("summary.html.j2", tables=tables)


def analyse(settings: ProjectSettings, inputs: LeadInputs | None = None, *, fit: bool = True,
            folds: int | None = None) -> LeadsResult:
    """Return the whole analysis from data/processed (or from `inputs`): guard, profile, drivers, linked
    answers and, if `fit`, the lead score (cross-validated, calibrated, with rules and the MQL threshold)."""
    inputs = inputs or load_inputs(settings)
    leads = inputs.leads
    fields = candidate_fields(leads, settings)
    leakage = leakage_guard(leads, fields, settings)
    dropped = set(settings.leads.exclude_fields) | set(leakage.loc[leakage["excluded"], "field"])
    attributes = [f for f in fields if f not in dropped]
    y = leads[OUTCOME].astype(bool)
    overall = pd.DataFrame([{"leads": len(leads), **{k: v for k, v in proportion(y).as_dict().items()
                                                     if k in ("count", "share", "ci_low", "ci_high")}}])
    overall = overall.rename(columns={"count": "converted", "share": "rate"})
    min_group = settings.privacy.min_group_size
    values = conversion_by_value(leads, attributes, min_group_size=min_group)
    assoc = associations(leads, attributes)
    numeric = [a for a in attributes if _is_numeric(leads[a])]
    score = None
    if fit:
        categorical = [a for a in attributes if a not in numeric]
        mapping = {k: v for k, v in settings.crm.contacts.attributes.items()}
        from alignkit.ingest.files import to_snake_case
        mapping = {to_snake_case(k): v for k, v in mapping.items() if to_snake_case(k) in attributes}
        score = fit_score(leads, numeric=numeric, categorical=categorical, seed=settings.seed,
                          folds=folds or settings.leads.cv_folds, holdout_share=settings.leads.holdout_share,
                          max_rows=settings.leads.max_model_rows, capacity_per_week=settings.sla.sales_capacity_per_week,
                          rule_depth=settings.leads.rule_depth, rule_min_share=settings.leads.rule_min_share,
                          mapping=mapping)
    drivers = rank_commonalities(assoc, values, score.importance if score is not None else None)
    linked, labels = linked_attributes(leads, inputs.responses, inputs.codebook, inputs.personas)
    linked_fields = [c for c in linked.columns if c not in ("lead_key", OUTCOME) and linked[c].notna().any()]
    linked_values = conversion_by_value(linked, linked_fields, min_group_size=min_group) if len(linked) else pd.DataFrame()
    linked_assoc = associations(linked, linked_fields) if len(linked) and linked[OUTCOME].nunique() > 1 else pd.DataFrame()
    if len(linked_assoc):
        linked_assoc.insert(1, "question", linked_assoc["attribute"].map(labels))
        linked_assoc = linked_assoc.sort_values("cramers_v", ascending=False, kind="stable").reset_index(drop=True)
    return LeadsResult(overall=overall, left_out=fields_left_out(leads, settings, leakage), leakage=leakage,
                       values=values, associations=assoc, distribution=numeric_distribution(leads, numeric),
                       drivers=drivers, linked_values=linked_values, linked_associations=linked_assoc,
                       linked_labels=labels, score=score, min_group_size=min_group)


def save_result(result: LeadsResult, settings: ProjectSettings) -> Path:
    """Write data/processed/lead_score.joblib (the fitted score with its feature list, mapping, CV metrics,
    threshold and bands, plus the profile tables) atomically; return its path."""
    import io

    import joblib

    from alignkit.io import write_atomic_bytes

    buffer = io.BytesIO()
    joblib.dump(result, buffer)
    return write_atomic_bytes(settings.processed_dir / SCORE_FILE, buffer.getvalue())


def load_result(settings: ProjectSettings) -> LeadsResult:
    """Return the result notebook 04 saved (no refitting); raise InputFileError if it has not run yet."""
    import joblib

    path = settings.processed_dir / SCORE_FILE
    if not path.exists():
        from alignkit.errors import InputFileError
        raise InputFileError(path, "not found.", fix="run notebook 04 (or `alignkit run --only 04`) first.")
    return joblib.load(path)
