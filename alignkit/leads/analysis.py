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
from alignkit.ingest.files import to_snake_case
from alignkit.leads.score import LeadScore, fit_score, score_leads
from alignkit.leads.profile import WEIGHT as LINKED_WEIGHT
from alignkit.leads.profile import (CHANNEL_FIELDS, OUTCOME, _binned, _is_numeric, associations,
                                   conversion_by_value, linked_attributes, numeric_distribution, rank_commonalities)
from alignkit.stats import discrimination_auc, effective_sample_size, proportion
from alignkit.prepare.tables import stage_at_column

REPORT_SLUG = "04_converting_leads"
SCORE_FILE = "lead_score.joblib"
MIN_PER_CLASS = 10   # converted (and other) leads needed per cross-validation fold
# Outcome and funnel fields: describing where a lead ended up, they would leak the outcome into its drivers.
NEVER_DRIVERS = ("lead_key", "stage", "converted", "amount", "lost_reason", "deal_stage", "deal_created_at",
                 "deal_closed_at", "first_touch_at", "created_at", "lifecycle_lost")
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
    linked_weighting: pd.DataFrame | None = None   # survey weights of the linked leads' responses; None = unweighted

    @property
    def overall_rate(self) -> float:
        """Return the share of leads that converted."""
        return float(self.overall["rate"].iat[0])

    @property
    def top_drivers(self) -> list[str]:
        """Return the lead attributes in rank order (channel fields left out)."""
        return list(self.drivers.loc[self.drivers["group"] == "lead attribute", "attribute"])

    def _repr_html_(self) -> str:
        from alignkit.report.html import render_fragment

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
    overall = overall.rename(columns={"count": "converted", "share": "rate"}).astype({"converted": "int64"})
    min_group = settings.privacy.min_group_size
    values = conversion_by_value(leads, attributes, min_group_size=min_group)
    assoc = associations(leads, attributes)
    numeric = [a for a in attributes if _is_numeric(leads[a])]
    score = None
    folds = folds or settings.leads.cv_folds
    if fit and min(int(y.sum()), int((~y).sum())) < MIN_PER_CLASS * folds:
        from alignkit.errors import InputFileError
        raise InputFileError(settings.processed_dir / "leads.parquet",
                             f"{int(y.sum()):,} converted and {int((~y).sum()):,} other leads: too few of one kind to "
                             f"fit and cross-validate a score ({MIN_PER_CLASS * folds} of each needed for {folds} folds).",
                             column=OUTCOME, fix="check funnel.converted_stage in alignkit.yml, or run the profile "
                             "alone with analyse(settings, fit=False).")
    if fit:
        categorical = [a for a in attributes if a not in numeric]
        mapping = {to_snake_case(name): column for name, column in settings.crm.contacts.attributes.items()
                   if to_snake_case(name) in attributes}
        score = fit_score(leads, numeric=numeric, categorical=categorical, seed=settings.seed,
                          folds=folds, holdout_share=settings.leads.holdout_share,
                          max_rows=settings.leads.max_model_rows, capacity_per_week=settings.sla.sales_capacity_per_week,
                          rule_depth=settings.leads.rule_depth, rule_min_share=settings.leads.rule_min_share,
                          mapping=mapping)
    drivers = rank_commonalities(assoc, values, score.importance if score is not None else None)
    linked, labels = linked_attributes(leads, inputs.responses, inputs.codebook, inputs.personas)
    linked_weights = linked.pop(LINKED_WEIGHT).fillna(0.0).to_numpy(dtype=float) if LINKED_WEIGHT in linked else None
    linked_fields = [c for c in linked.columns if c not in ("lead_key", OUTCOME) and linked[c].notna().any()]
    linked_values = (conversion_by_value(linked, linked_fields, min_group_size=min_group, weights=linked_weights)
                     if len(linked) else pd.DataFrame())
    linked_assoc = (associations(linked, linked_fields, weights=linked_weights)
                    if len(linked) and linked[OUTCOME].nunique() > 1 else pd.DataFrame())
    if len(linked_assoc):
        linked_assoc.insert(1, "question", linked_assoc["attribute"].map(labels))
        linked_assoc = linked_assoc.sort_values("cramers_v", ascending=False, kind="stable").reset_index(drop=True)
    return LeadsResult(overall=overall, left_out=fields_left_out(leads, settings, leakage), leakage=leakage,
                       values=values, associations=assoc, distribution=numeric_distribution(leads, numeric),
                       drivers=drivers, linked_values=linked_values, linked_associations=linked_assoc,
                       linked_labels=labels, score=score, min_group_size=min_group,
                       linked_weighting=_linked_weighting(linked_weights))


def _linked_weighting(weights: np.ndarray | None) -> pd.DataFrame | None:
    """Return one row on the linked leads' survey weights (leads, weighted, Kish's effective n, design effect)."""
    if weights is None:
        return None
    positive = weights[weights > 0]
    n_eff = effective_sample_size(positive) if len(positive) else 0.0
    return pd.DataFrame([{"linked_leads": len(weights), "weighted_leads": int(len(positive)), "n_effective": n_eff,
                          "design_effect": len(positive) / n_eff if n_eff > 0 else np.nan}])


def weighting_note(result: LeadsResult) -> str | None:
    """Return the sentence saying which figures are weighted (for the report header), or None when none are."""
    w = getattr(result, "linked_weighting", None)
    if w is None or not len(result.linked_associations):
        return None
    row = w.iloc[0]
    return (f"only the survey answers and personas of linked leads use the survey weights of their responses: "
            f"{int(row['weighted_leads']):,} weighted linked leads count as an effective sample size of "
            f"{row['n_effective']:,.0f} (design effect {row['design_effect']:.2f}); every other figure counts each lead once")


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


# --- headline and report ---------------------------------------------------------------------------------------


def _driver_words(result: LeadsResult, top: int = 3) -> list[str]:
    rows = result.drivers[result.drivers["group"] == "lead attribute"].head(top)
    return [f"{r['attribute']} ({r['what_converters_have']})" for _, r in rows.iterrows()]


def headline_parts(result: LeadsResult) -> dict[str, list[str]]:
    """Return the top findings in plain words, by topic: overall, drivers, channel, leakage, score, threshold, rule
    (a topic with nothing to say is an empty list)."""
    parts: dict[str, list[str]] = {}
    o = result.overall.iloc[0]
    parts["overall"] = [f"{o['rate']:.1%} of leads became customers ({int(o['converted']):,} of {int(o['leads']):,}; "
             f"95% CI {o['ci_low']:.1%}–{o['ci_high']:.1%})."]
    parts["drivers"] = ["What converting leads have in common, strongest first: " + "; ".join(_driver_words(result)) + "."]
    lines = parts.setdefault("channel", [])
    channel = result.values[result.values["attribute"].isin(CHANNEL_FIELDS[:1]) & result.values["lift"].notna()]
    sig = result.associations.set_index("attribute")["q_value"]
    if len(channel) and sig.get(CHANNEL_FIELDS[0], 1) < 0.05:
        worst = channel.sort_values("lift").iloc[0]
        lines.append(f"Where leads come from matters too: {worst['value']} leads convert at {float(worst['rate']):.1%} "
                     f"({float(worst['lift']):.2f}x the average) — check the funnel report for where they stall.")
    lines = parts.setdefault("leakage", [])
    leaks = result.leakage[result.leakage["excluded"]]
    if len(leaks):
        lines.append(f"Kept out of the drivers and the score because they are recorded after the outcome: "
                     f"{', '.join(leaks['field'])} (see 'Fields kept out').")
    if result.score is not None:
        s = result.score
        cv = s.cv_summary.set_index("model").loc[s.model_name]
        lines = parts.setdefault("score", [])
        lines.append(f"The lead score ({s.model_name}) ranks leads with ROC AUC {cv['roc_auc_mean']:.2f} ± {cv['roc_auc_sd']:.2f} "
                     f"across {int(cv['folds'])} folds and {s.holdout_metrics['roc_auc']:.2f} on hold-out leads "
                     "(0.5 = chance, 1 = perfect); its scores are calibrated probabilities.")
        t = s.threshold
        lines = parts.setdefault("threshold", [])
        if s.capacity_per_week:
            lines.append(f"Sales can follow up {s.capacity_per_week:,} leads a week of about {s.leads_per_week:,.0f} arriving: "
                         f"an MQL threshold of score ≥ {t['threshold']:.3f} passes {t['share_passed']:.0%} of leads, catches "
                         f"{t['recall']:.0%} of future customers (recall), and {t['precision']:.0%} of those passed convert (precision).")
        lines = parts.setdefault("rule", [])
        good = s.rules[s.rules["lift"] > 1]
        if len(good):
            from alignkit.leads.score import rule_sentence
            lines.append("The ideal lead in one rule: " + rule_sentence(good.iloc[0]))
    return parts


def headline(result: LeadsResult) -> list[str]:
    """Return the top findings in plain words for a sales manager."""
    return [line for lines in headline_parts(result).values() for line in lines]


ALIGNMENT_HEADLINE = ("drivers", "rule", "score", "threshold")


def alignment_headline(result: LeadsResult) -> list[str]:
    """Return the lines for the alignment page: the drivers, the ideal lead in one rule, the score's accuracy and
    the MQL threshold (the overall conversion rate is left to the funnel's line)."""
    parts = headline_parts(result)
    return [line for topic in ALIGNMENT_HEADLINE for line in parts.get(topic, [])]


PRECISE = {"p_value": "{:.2g}", "q_value": "{:.2g}", "importance": "{:.3f}", "importance_sd": "{:.3f}",
           "lowest_score": "{:.3f}", "score_threshold": "{:.3f}", "min_score": "{:.3f}", "cramers_v": "{:.3f}"}


def _for_report(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with p-values, importances and score cut-offs as text at a readable precision (the report
    formats other floats with two decimals, which would show a q-value of 1e-30 as 0.00)."""
    out = frame.copy()
    for column, fmt in PRECISE.items():
        if column in out:
            out[column] = [fmt.format(v) if pd.notna(v) else "" for v in out[column]]
    return out


def _figure(ax, alt: str):
    from alignkit.report.html import ReportFigure

    return ReportFigure.from_axes(ax, alt=alt)


def report_sections(result: LeadsResult) -> list:
    """Return the report's sections: definition, drivers, values, fields kept out, linked survey, score accuracy."""
    from alignkit import plots
    from alignkit.leads.score import MODEL_LABELS, rule_sentence
    from alignkit.report.html import ReportTable, Section

    sections = []
    s = result.score
    if s is not None:
        good = s.rules[s.rules["lift"] > 1]
        threshold = pd.DataFrame([{"sales_capacity_per_week": s.capacity_per_week, "leads_per_week": s.leads_per_week,
                                   "score_threshold": s.threshold["threshold"], "passed_share": s.threshold["share_passed"],
                                   "precision_rate": s.threshold["precision"], "ci_low": s.threshold["precision_ci_low"],
                                   "ci_high": s.threshold["precision_ci_high"], "recall_share": s.threshold["recall"]}])
        sections.append(Section("definition", "The ideal lead, in writing", [
            "Rules found by a shallow decision tree on the training leads, each measured on hold-out leads it never saw: "
            "how many leads match, how many of them convert, the lift against the average lead, and the share of all "
            "customers they hold. Rules that beat the average:", *[rule_sentence(r) for _, r in good.iterrows()],
            "The MQL threshold is set so that marketing passes about as many leads as sales can follow up each week "
            "(sla.sales_capacity_per_week). Precision: the share of passed leads that convert; recall: the share of "
            "all future customers that are passed.",
            "Bands: A = the best tenth of leads (call first), B = the rest above the MQL threshold, C = the upper half "
            "of the leads below it (nurture), D = the rest."],
            [ReportTable("rules", "Rules (measured on hold-out leads)", _for_report(s.rules), count_columns=["leads"]),
             ReportTable("mql_threshold", "The MQL threshold at sales capacity (hold-out leads)", _for_report(threshold)),
             ReportTable("bands", "Score bands A–D (hold-out leads)", _for_report(s.band_table), count_columns=["leads"])]))
    top = result.drivers[result.drivers["group"] == "lead attribute"].head(3)["attribute"].tolist()
    items = [ReportTable("drivers", "What converting leads have in common (ranked)", _for_report(result.drivers))]
    if s is not None:
        items.append(_figure(plots.plot_driver_importance(result.drivers), "Bar chart of permutation importance per attribute."))
    for attribute in top:
        items.append(_figure(plots.plot_conversion_by_value(result.values, attribute, overall_rate=result.overall_rate),
                             f"Conversion rate with 95% CI per value of {attribute}."))
        if attribute in set(result.distribution.get("attribute", [])):
            items.append(_figure(plots.plot_numeric_by_outcome(result.distribution, attribute),
                                 f"Distribution of {attribute} among converters and the rest."))
    items.append(ReportTable("associations", "Tests and effect sizes per attribute (q = Benjamini–Hochberg)", _for_report(result.associations)))
    sections.append(Section("drivers", "What converting leads have in common", [
        "Lead attributes are ranked by how much the score relies on them: the drop in hold-out ROC AUC when the "
        "attribute is shuffled (permutation importance), which accounts for the other attributes — so a field that "
        "only echoes another (pageviews echo sessions) ranks below the one that matters. Channel fields (where the "
        "lead came from) are ranked after the attributes: they describe the channel, not the lead.",
        "Beside the rank: Cramér's V (0 = no association, 1 = perfect; numbers in quintiles), the AUC of numbers "
        "(chance that a converter's value is higher than a non-converter's; 0.5 = no difference), and the q-value of "
        "the test that fits (chi-square or Fisher for categories, Mann–Whitney for numbers), corrected for testing "
        "many attributes."], items))
    sections.append(Section("values", "Conversion by attribute value", [
        f"Every attribute value with its leads, conversion rate (95% Wilson CI) and lift against the average "
        f"({result.overall_rate:.1%}). Numbers are shown in quintiles. Groups under {result.min_group_size} leads are hidden."],
        [ReportTable("conversion_by_value", "Conversion per value", _for_report(result.values), max_rows=300, count_columns=["leads"])]))
    sections.append(Section("left_out", "Fields kept out of drivers and score", [
        "A field recorded after the outcome would look like a perfect driver and make the score useless on new leads. "
        "The leakage guard flags a field named in the project file (leads.post_outcome_fields), a field whose date "
        "falls after the outcome, and a field that alone separates converters almost perfectly."],
        [ReportTable("fields_left_out", "Fields kept out, with the reason", _for_report(result.left_out)),
         ReportTable("leakage_guard", "What the leakage guard found", _for_report(result.leakage))]))
    if len(result.linked_associations):
        n = int(result.linked_associations["leads"].max())
        weighted = getattr(result, "linked_weighting", None)
        words = [f"Only the {n:,} leads linked to a survey response are in this section, so its rates describe that "
                 "subset, not all leads; its attributes are not in the score. Ranked by Cramér's V."]
        if weighted is not None:
            row = weighted.iloc[0]
            words.append(f"Weighted: each linked lead counts with its survey response's weight (survey.weighting), so "
                         f"rates, lifts, medians, tests and effect sizes describe the population the weights stand for. "
                         f"Confidence intervals and tests use Kish's effective sample size: {int(row['weighted_leads']):,} "
                         f"weighted leads count as {row['n_effective']:,.0f} (design effect {row['design_effect']:.2f}); "
                         "leads and converted stay counts of leads, and a lead whose response has no weight (a quality "
                         "flag) is left out of the weighted figures.")
        linked_items = [] if weighted is None else [ReportTable("linked_weighting", "Survey weights of the linked leads", weighted)]
        sections.append(Section("linked", "Survey answers and personas (linked leads only" + (", weighted)" if weighted is not None else ")"),
            words,
            [*linked_items, ReportTable("linked_associations", "Survey answers and personas: tests and effect sizes", _for_report(result.linked_associations)),
             ReportTable("linked_values", "Conversion per answer (linked leads)", _for_report(result.linked_values), max_rows=200, count_columns=["leads"])]))
    if s is not None:
        metrics = pd.DataFrame([{"model": s.model_name, "leads": s.holdout_metrics["leads"],
                                 "conversions": s.holdout_metrics["conversions"], "roc_auc": s.holdout_metrics["roc_auc"],
                                 "pr_auc": s.holdout_metrics["pr_auc"], "base_rate": s.holdout_metrics["base_rate"]}])
        items = [ReportTable("cross_validation", "Cross-validated accuracy (mean ± sd across folds)", _for_report(s.cv_summary)),
                 ReportTable("holdout", "Accuracy of the chosen, calibrated score on hold-out leads", _for_report(metrics)),
                 _figure(plots.plot_gains(s.gains, capacity_share=s.threshold.get("capacity_share")),
                         "Cumulative gains curve of the score on hold-out leads."),
                 ReportTable("gains", "Gains and lift by score tenth (hold-out leads)", _for_report(s.gains), count_columns=["leads"]),
                 _figure(plots.plot_calibration(s.calibration), "Predicted vs observed conversion per score decile.")]
        for attribute, curve in s.partial_dependence.items():
            items.append(_figure(plots.plot_partial_dependence(curve, attribute), f"Partial dependence of the score on {attribute}."))
        sections.append(Section("score", "The lead score and how accurate it is", [
            (f"The table has {s.rows_used['leads']:,} leads; the models use a stratified sample of "
             f"{s.rows_used['training'] + s.rows_used['holdout']:,} of them. " if s.rows_used.get("leads", 0) >
             s.rows_used["training"] + s.rows_used["holdout"] else "")
            + f"Two models were cross-validated ({s.rows_used['model_sample']:,} training leads, stratified folds): "
            + "; ".join(MODEL_LABELS.values()) + f". The better by mean ROC AUC ({s.model_name}) was calibrated "
            "(Platt scaling on its out-of-fold predictions) so a score of 0.2 means about 20% of such leads convert, "
            f"then measured on {s.rows_used['holdout']:,} hold-out leads. PR AUC is compared with chance, the base rate.",
            "Per-lead reasons (from `alignkit score`): each attribute's contribution is how far it moves the lead's "
            "log-odds compared with a typical lead's value (median number, most frequent category)."], items))
    return sections


def alignment_sections(result: LeadsResult) -> list:
    """Return the short version for the alignment page (notebook 05): the written definition and the ranked drivers."""
    keep = {"definition", "drivers"}
    sections = [s for s in report_sections(result) if s.id in keep]
    from dataclasses import replace

    from alignkit.report.html import ReportTable
    return [replace(s, items=[i for i in s.items if isinstance(i, ReportTable)][:3]) for s in sections]


def write_leads_report(result: LeadsResult, settings: ProjectSettings, *, inputs: pd.DataFrame | None = None) -> Path:
    """Write reports/04_converting_leads.html (and its CSVs); return the HTML path."""
    from alignkit.report.html import write_report

    if inputs is None:
        path = settings.processed_dir / "inputs.parquet"
        inputs = pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=["table", "file", "rows", "sha256"])
    return write_report(REPORT_SLUG, title="The ideal lead: what converting leads have in common",
                        subtitle="Drivers, a shared lead score, the MQL threshold and a written definition for sales and marketing.",
                        headline=headline(result), sections=report_sections(result), settings=settings, inputs=inputs,
                        weighting=weighting_note(result))


# --- scoring a new CRM export (`alignkit score`) ---------------------------------------------------------------


def _known_levels(score: LeadScore) -> dict[str, list[str]]:
    encoder = score.model.pipeline_.named_steps["prepare"].named_transformers_["categories"]
    return {c: [str(v) for v in levels] for c, levels in zip(score.categorical, encoder.categories_)}


def score_file(path: Path | str, settings: ProjectSettings, *, result: LeadsResult | None = None) -> pd.DataFrame:
    """Return one row a lead of a CRM contacts export: pseudonymous lead_key, calibrated score, band A–D and the
    top three reasons for and against. The export goes through notebook 01's ingest and cleaning (test records
    dropped, duplicates merged, categories normalised, ids pseudonymised), so no PII reaches the output.

    Raises MissingColumnError naming the file and the column when a column the score needs is not in the export."""
    from alignkit.prepare import clean
    from alignkit.prepare.clean import CleaningLog
    from alignkit.errors import MissingColumnError
    from alignkit.ingest.crm import read_crm_table, resolve_mapping
    from alignkit.ingest.files import read_export
    from alignkit.privacy import pseudonymise
    from alignkit.prepare.tables import clean_contacts

    path = Path(path)
    result = result or load_result(settings)
    score = result.score
    if score is None:
        from alignkit.errors import InputFileError
        raise InputFileError(settings.processed_dir / SCORE_FILE, "holds no fitted score.", fix="rerun notebook 04 with the score.")
    contacts = settings.crm.contacts
    attributes = {name: column for name, column in score.mapping.items() if name in score.features}
    spec = contacts.model_copy(update={"file": str(path), "attributes": attributes})
    raw = read_crm_table("contacts", path, spec, crm_format=settings.crm.format)
    preset = resolve_mapping("contacts", raw.format, spec)
    for feature in score.features:
        if feature not in raw.frame:
            column = attributes.get(feature) or preset.get(feature, feature)
            available = list(read_export(path, encoding=spec.encoding, delimiter=spec.delimiter, sheet=spec.sheet)[1].columns)
            raise MissingColumnError(path, column, available, mapped_from=f"the lead score's attribute {feature!r}")
    scoring_settings = settings.model_copy(update={"crm": settings.crm.model_copy(update={"contacts": spec})})
    frame, _ = clean_contacts(raw, scoring_settings, log=CleaningLog())
    for column, levels in _known_levels(score).items():
        if column in frame:
            by_fold = {clean._fold(level): level for level in levels}
            folded = frame[column].astype("str").map(lambda v: by_fold.get(clean._fold(v), v), na_action="ignore")
            frame[column] = folded
    frame["lead_key"] = pseudonymise(frame["lead_id"].astype("str"), salt=settings.pseudonym_salt())
    return score_leads(score, frame)
