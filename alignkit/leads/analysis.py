"""What converting leads have in common (notebook 04): the inputs, the whole analysis — the leakage guard
(`alignkit.leads.leakage`), the profile of every attribute and the ranked drivers (`alignkit.leads.profile`),
survey answers and personas for linked leads, and the lead score (`alignkit.leads.score`) — its result, saved to
data/processed/lead_score.joblib, and its headline. The report is `alignkit.leads.report`.

The outcome is `leads.converted`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alignkit.config import ProjectSettings
from alignkit.errors import InputFileError
from alignkit.ingest.files import to_snake_case
from alignkit.io import write_atomic_bytes
from alignkit.leads.leakage import candidate_fields, fields_left_out, leakage_guard
from alignkit.leads.profile import (
    CHANNEL_FIELDS,
    OUTCOME,
    associations,
    binned_fields,
    clear_drivers,
    conversion_by_value,
    is_numeric,
    linked_attributes,
    numeric_distribution,
    rank_commonalities,
)
from alignkit.leads.profile import WEIGHT as LINKED_WEIGHT
from alignkit.plan import MIN_PER_CLASS, require
from alignkit.prepare.as_of import export_date
from alignkit.report.findings import USEFUL_AUC, finding
from alignkit.report.html import render_fragment
from alignkit.report.labels import humanize, project_labels
from alignkit.stats import effective_sample_size, proportion

if TYPE_CHECKING:
    from alignkit.leads.score import LeadScore

SCORE_FILE = "lead_score.joblib"


# No lead is linked to a survey response (no survey, or no email to link by): the table keeps its columns.
NO_LINKED_ASSOCIATIONS = pd.DataFrame(
    {
        c: pd.Series(dtype="float64" if c in ("p_value", "q_value", "cramers_v", "leads") else "str")
        for c in ("attribute", "question", "kind", "test", "p_value", "q_value", "cramers_v", "leads")
    }
)


@dataclass(frozen=True)
class LeadInputs:
    """What the analysis reads from data/processed: leads, and optionally survey answers and personas."""

    leads: pd.DataFrame
    responses: pd.DataFrame | None = None
    codebook: pd.DataFrame | None = None
    personas: pd.DataFrame | None = None
    inputs: pd.DataFrame | None = None


def load_inputs(settings: ProjectSettings) -> LeadInputs:
    """Return the processed tables notebook 04 needs (personas.parquet only if notebook 03 wrote it);
    NotAnalysedError, saying why, when the project has no CRM leads with an outcome."""
    require(settings, "04")
    folder = settings.processed_dir

    def read(name: str) -> pd.DataFrame | None:
        path = folder / f"{name}.parquet"
        return pd.read_parquet(path) if path.exists() else None

    leads = read("leads")
    if leads is None:
        raise InputFileError(
            folder / "leads.parquet", "not found.", fix="run notebook 01 (or `alignkit run --only 01`) first."
        )
    return LeadInputs(
        leads=leads,
        responses=read("responses"),
        codebook=read("codebook"),
        personas=read("personas"),
        inputs=read("inputs"),
    )


def decided(leads: pd.DataFrame, settings: ProjectSettings) -> pd.Series:
    """Return which leads have a decided outcome, the only ones the profile, rules and score learn from: converted,
    lost, or — when the funnel judges leads by maturity — still open but older than the maturity window at the
    export date. An open opportunity of a pipeline judged on closed outcomes (funnel.judge: closed) or an open
    value of a converted column is never counted as not converted."""
    if "outcome" not in leads:  # written before leads.parquet had an outcome: every lead as before
        return pd.Series(True, index=leads.index)
    outcome = leads["outcome"].astype("str")
    closed = outcome.isin(["converted", "lost"])
    funnel = settings.funnel
    if funnel is None or funnel.judge == "closed" or settings.has_outcome_column:
        return closed
    stages = funnel.stage_names
    as_of = pd.Timestamp(funnel.as_of) if funnel.as_of is not None else export_date(leads, stages=stages).date
    old = pd.to_datetime(leads["created_at"]) <= as_of - pd.Timedelta(days=funnel.cohort_maturity_days)
    return closed | old.fillna(False)


# --- the whole analysis ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadsResult:
    """Notebook 04's result: the profile of converting leads, the fields kept out, and the fitted lead score."""

    overall: pd.DataFrame  # leads, converted, rate and its CI
    left_out: pd.DataFrame  # every field kept out of drivers and score, with the reason
    leakage: pd.DataFrame  # the leakage guard's findings
    values: pd.DataFrame  # conversion per attribute value
    associations: pd.DataFrame  # one row per attribute: test, q-value, effect sizes
    distribution: pd.DataFrame  # numeric attributes: converters vs the rest, binned
    drivers: pd.DataFrame  # the ranked table "what converting leads have in common"
    linked_values: pd.DataFrame  # survey answers and personas (linked leads only)
    linked_associations: pd.DataFrame
    linked_labels: dict[str, str] = field(default_factory=dict)
    score: LeadScore | None = None
    min_group_size: int = 10
    linked_weighting: pd.DataFrame | None = None  # survey weights of the linked leads' responses; None = unweighted
    labels: dict[str, str] = field(default_factory=dict)  # CRM attribute → the export's header, as people read it

    def label(self, attribute: str) -> str:
        """Return the attribute's label: its export header, a survey question's text, else its name in words."""
        return self.labels.get(attribute) or self.linked_labels.get(attribute) or humanize(attribute)

    @property
    def overall_rate(self) -> float:
        """Return the share of leads that converted."""
        return float(self.overall["rate"].iat[0])

    @property
    def top_drivers(self) -> list[str]:
        """Return the lead attributes in rank order (channel fields left out)."""
        return list(self.drivers.loc[self.drivers["group"] == "lead attribute", "attribute"])

    def _repr_html_(self) -> str:
        tables = [
            ("Overall conversion", self.overall),
            ("What converting leads have in common", self.drivers.head(12)),
            ("Fields kept out of drivers and score", self.left_out),
        ]
        if self.score is not None:
            tables.append(("Score accuracy (cross-validated)", self.score.cv_summary))
        return render_fragment("summary.html.j2", tables=tables)


def analyse(
    settings: ProjectSettings, inputs: LeadInputs | None = None, *, fit: bool = True, folds: int | None = None
) -> LeadsResult:
    """Return the whole analysis from data/processed (or from `inputs`): guard, profile, drivers, linked
    answers and, if `fit`, the lead score (cross-validated, calibrated, with rules and the MQL threshold)."""
    inputs = inputs or load_inputs(settings)
    known = decided(inputs.leads, settings)
    leads = inputs.leads.loc[known].reset_index(drop=True)
    fields = candidate_fields(leads, settings)
    groups = binned_fields(leads, fields)
    leakage = leakage_guard(leads, fields, settings, groups=groups)
    dropped = set(settings.leads.exclude_fields) | set(leakage.loc[leakage["excluded"], "field"])
    attributes = [f for f in fields if f not in dropped]
    y = leads[OUTCOME].astype(bool)
    overall = pd.DataFrame(
        [
            {
                "leads": len(leads),
                **{k: v for k, v in proportion(y).as_dict().items() if k in ("count", "share", "ci_low", "ci_high")},
            }
        ]
    )
    overall = overall.rename(columns={"count": "converted", "share": "rate"}).astype({"converted": "int64"})
    overall["open_left_out"] = int((~known).sum())
    min_group = settings.privacy.min_group_size
    values = conversion_by_value(leads, attributes, min_group_size=min_group, groups=groups)
    assoc = associations(leads, attributes, groups=groups)
    numeric = [a for a in attributes if is_numeric(leads[a])]
    score = None
    folds = folds or settings.leads.cv_folds
    if fit and min(int(y.sum()), int((~y).sum())) < MIN_PER_CLASS * folds:
        raise InputFileError(
            settings.processed_dir / "leads.parquet",
            f"{int(y.sum()):,} converted and {int((~y).sum()):,} other leads: too few of one kind to "
            f"fit and cross-validate a score ({MIN_PER_CLASS * folds} of each needed for {folds} folds).",
            column=OUTCOME,
            fix=(
                "check outcome.converted_values (the outcome column's values that mean converted)"
                if settings.has_outcome_column
                else "check funnel.converted_stage"
            )
            + " in alignkit.yml, or run the "
            "profile alone with analyse(settings, fit=False).",
        )
    if fit:
        categorical = [a for a in attributes if a not in numeric]
        mapping = {
            to_snake_case(name): column
            for name, column in settings.need_crm().contacts.attributes.items()
            if to_snake_case(name) in attributes
        }
        suspects = {
            f: ("number" if is_numeric(leads[f]) else "category")
            for f in leakage["field"]
            if f in leads and not pd.api.types.is_datetime64_any_dtype(leads[f])
        }
        from alignkit.leads.score import fit_score  # scikit-learn loads only when a score is fitted

        score = fit_score(
            leads,
            numeric=numeric,
            categorical=categorical,
            seed=settings.seed,
            folds=folds,
            holdout_share=settings.leads.holdout_share,
            max_rows=settings.leads.max_model_rows,
            capacity_per_week=settings.sla.sales_capacity_per_week,
            rule_depth=settings.leads.rule_depth,
            rule_min_share=settings.leads.rule_min_share,
            mapping=mapping,
            labels=dict(project_labels(settings).fields),
            min_support=max(settings.leads.min_value_support, min_group),
            suspects=suspects,
        )
    drivers = rank_commonalities(
        assoc,
        values,
        score.importance if score is not None else None,
        min_support=max(settings.leads.min_value_support, min_group),
    )
    linked, labels = linked_attributes(leads, inputs.responses, inputs.codebook, inputs.personas)
    linked_weights = linked.pop(LINKED_WEIGHT).fillna(0.0).to_numpy(dtype=float) if LINKED_WEIGHT in linked else None
    linked_fields = [c for c in linked.columns if c not in ("lead_key", OUTCOME) and linked[c].notna().any()]
    linked_values = (
        conversion_by_value(linked, linked_fields, min_group_size=min_group, weights=linked_weights)
        if len(linked)
        else pd.DataFrame()
    )
    linked_assoc = (
        associations(linked, linked_fields, weights=linked_weights)
        if len(linked) and linked[OUTCOME].nunique() > 1
        else NO_LINKED_ASSOCIATIONS
    )
    if len(linked_assoc) and "question" not in linked_assoc:
        linked_assoc.insert(1, "question", linked_assoc["attribute"].map(labels))
        linked_assoc = linked_assoc.sort_values("cramers_v", ascending=False, kind="stable").reset_index(drop=True)
    return LeadsResult(
        overall=overall,
        left_out=fields_left_out(leads, settings, leakage),
        leakage=leakage,
        values=values,
        associations=assoc,
        distribution=numeric_distribution(leads, numeric),
        drivers=drivers,
        linked_values=linked_values,
        linked_associations=linked_assoc,
        linked_labels=labels,
        score=score,
        min_group_size=min_group,
        linked_weighting=_linked_weighting(linked_weights),
        labels=dict(project_labels(settings).fields),
    )


def _linked_weighting(weights: np.ndarray | None) -> pd.DataFrame | None:
    """Return one row on the linked leads' survey weights (leads, weighted, Kish's effective n, design effect)."""
    if weights is None:
        return None
    positive = weights[weights > 0]
    n_eff = effective_sample_size(positive) if len(positive) else 0.0
    return pd.DataFrame(
        [
            {
                "linked_leads": len(weights),
                "weighted_leads": len(positive),
                "n_effective": n_eff,
                "design_effect": len(positive) / n_eff if n_eff > 0 else np.nan,
            }
        ]
    )


def weighting_note(result: LeadsResult) -> str | None:
    """Return the sentence saying which figures are weighted (for the report header), or None when none are."""
    w = getattr(result, "linked_weighting", None)
    if w is None or not len(result.linked_associations):
        return None
    row = w.iloc[0]
    return (
        "only the survey answers and personas of linked leads use the survey weights of their responses: "
        f"{int(row['weighted_leads']):,} weighted linked leads count as an effective sample size of "
        f"{row['n_effective']:,.0f} (design effect {row['design_effect']:.2f}); every other figure counts each lead "
        "once"
    )


def save_result(result: LeadsResult, settings: ProjectSettings) -> Path:
    """Write data/processed/lead_score.joblib (the fitted score with its feature list, mapping, CV metrics,
    threshold and bands, plus the profile tables) atomically; return its path."""
    buffer = io.BytesIO()
    import joblib

    joblib.dump(result, buffer)
    return write_atomic_bytes(settings.processed_dir / SCORE_FILE, buffer.getvalue())


def load_result(settings: ProjectSettings) -> LeadsResult:
    """Return the result notebook 04 saved (no refitting); raise InputFileError if it has not run yet."""
    path = settings.processed_dir / SCORE_FILE
    if not path.exists():
        raise InputFileError(path, "not found.", fix="run notebook 04 (or `alignkit run --only 04`) first.")
    import joblib

    return joblib.load(path)


# --- headline ----------------------------------------------------------------------------------------------------


def _driver_words(rows: pd.DataFrame, result: LeadsResult) -> list[str]:
    return [f"{result.label(r['attribute'])} ({r['what_converters_have']})" for _, r in rows.iterrows()]


def suspect_auc_sentence(score: LeadScore) -> str:
    """Return the score's hold-out AUC with and without the leakage guard's suspects, in one sentence."""
    s = score.suspect_auc
    if not s:
        return "The leakage guard flagged no field the score could use: there is no figure with and without suspects."
    names = ", ".join(score.label(f) for f in s["fields"])
    if s["in_score"]:
        return (
            f"The score keeps {names} (allowed in leads.allow_fields): hold-out ROC AUC {s['with']:.2f} with "
            f"them, {s['without']:.2f} without — if they are filled after contact, the lower figure is the true one."
        )
    return (
        f"Without the suspect fields ({names}) the score's hold-out ROC AUC is {s['without']:.2f}; with them it "
        f"would be {s['with']:.2f}, a figure no lead has before the outcome is known."
    )


def headline_parts(result: LeadsResult) -> dict[str, list[str]]:
    """Return the top findings in plain words, by topic: overall, drivers, channel, leakage, score, threshold, rule
    (a topic with nothing to say is an empty list). A topic's first line ends with its next step only when the
    finding gives one: drivers and a rule only when their lift's 95% CI lies above 1, the score and its threshold
    only when the score ranks leads better than chance (`LeadScore.ranks_leads`)."""
    parts: dict[str, list[str]] = {}
    o = result.overall.iloc[0]
    still_open = int(o.get("open_left_out", 0) or 0)
    ranks = result.score is not None and result.score.ranks_leads
    parts["overall"] = [
        finding(
            f"{o['rate']:.1%} of leads with a decided outcome converted ({int(o['converted']):,} of "
            f"{int(o['leads']):,}; 95% CI {o['ci_low']:.1%}–{o['ci_high']:.1%})"
            + (f"; {still_open:,} leads still open are left out, not counted as lost." if still_open else "."),
            NEXT_STEPS["overall"] if ranks else None,
        )
    ]
    attributes = result.drivers[result.drivers["group"] == "lead attribute"]
    clear = clear_drivers(result.drivers)
    if len(clear):
        parts["drivers"] = [
            finding(
                "What converting leads have in common, strongest first: "
                + "; ".join(_driver_words(clear.head(3), result))
                + ".",
                NEXT_STEPS["drivers"],
            )
        ]
    elif len(attributes):
        parts["drivers"] = [
            "No lead attribute marks converting leads clearly (none has a value whose lift's 95% CI "
            "lies above 1 with a significant association); the closest: "
            + "; ".join(_driver_words(attributes.head(2), result))
            + "."
        ]
    lines = parts.setdefault("channel", [])
    channel = result.values[result.values["attribute"].isin(CHANNEL_FIELDS[:1]) & result.values["lift"].notna()]
    sig = result.associations.set_index("attribute")["q_value"]
    if len(channel) and sig.get(CHANNEL_FIELDS[0], 1) < 0.05:
        worst = channel.sort_values("lift").iloc[0]
        below = float(worst["ci_high"]) < float(worst["rate"]) / float(worst["lift"])
        lines.append(
            finding(
                f"Where leads come from matters too: {worst['value']} leads convert at "
                f"{float(worst['rate']):.1%} (95% CI {float(worst['ci_low']):.1%}–"
                f"{float(worst['ci_high']):.1%}; {float(worst['lift']):.2f}x the average).",
                NEXT_STEPS["channel"] if below else None,
            )
        )
    leaks = result.leakage[result.leakage["excluded"]]
    leakage = (
        [
            f"Kept out of the drivers and the score because they are recorded after the outcome: "
            f"{', '.join(result.label(f) for f in leaks['field'])} (see 'Fields kept out')."
        ]
        if len(leaks)
        else []
    )
    if result.score is not None and result.score.suspect_auc:
        leakage.append(suspect_auc_sentence(result.score))
    parts["leakage"] = [finding(" ".join(leakage), NEXT_STEPS["leakage"] if len(leaks) else None)] if leakage else []
    if result.score is not None:
        s = result.score
        cv = s.cv_summary.set_index("model").loc[s.model_name]
        low, high = s.holdout_auc_interval
        accuracy = (
            f"The lead score ({s.model_name}) ranks leads with ROC AUC {cv['roc_auc_mean']:.2f} ± "
            f"{cv['roc_auc_sd']:.2f} across {int(cv['folds'])} folds and {s.holdout_metrics['roc_auc']:.2f} "
            f"on hold-out leads (95% CI {low:.2f}–{high:.2f}; 0.5 = chance, 1 = perfect)"
        )
        parts["score"] = [
            accuracy + "; its scores are calibrated probabilities."
            if ranks
            else accuracy + f": hardly better than chance (below {USEFUL_AUC:.1f}), so sales should not "
            "order leads by it; the traits in this export do not tell who converts."
        ]
        t = s.threshold
        lines = parts.setdefault("threshold", [])
        if s.capacity_per_week and ranks:
            lines.append(
                finding(
                    f"Sales can follow up {s.capacity_per_week:,} leads a week of about "
                    f"{s.leads_per_week:,.0f} arriving: an MQL threshold of score ≥ {t['threshold']:.3f} "
                    f"passes {t['share_passed']:.0%} of leads, catches {t['recall']:.0%} of future "
                    f"customers (recall), and {t['precision']:.0%} of those passed convert (precision, "
                    f"95% CI {t['precision_ci_low']:.0%}–{t['precision_ci_high']:.0%}).",
                    NEXT_STEPS["threshold"],
                )
            )
        lines = parts.setdefault("rule", [])
        from alignkit.leads.definition import clear_rules, rule_sentence

        good = clear_rules(s.rules)
        if len(good):
            best = good.iloc[0]
            lines.append(
                finding(
                    "The ideal lead in one rule: "
                    + rule_sentence(best).rstrip(".")
                    + f"; 95% CI of its conversion {best['ci_low']:.0%}–{best['ci_high']:.0%}.",
                    NEXT_STEPS["rule"],
                )
            )
        elif len(s.rules):
            lines.append(
                "No rule of the leads' traits picks out leads that convert clearly above the average "
                f"({s.holdout_metrics['base_rate']:.0%} of hold-out leads): no rule's lift has a 95% CI "
                "above 1, so the MQL definition gains nothing from one yet."
            )
    return parts


# The detailed report's headline: one line a topic, most useful first, each actionable one with what to do about it.
HEADLINE_ORDER = ("overall", "rule", "drivers", "threshold", "leakage", "score", "channel")
NEXT_STEPS = {
    "overall": "use the lead score below to decide which leads sales calls first.",
    "rule": "write this rule into the MQL definition (see The ideal lead, in writing).",
    "drivers": "marketing targets leads with these traits.",
    "threshold": "pass leads above this score to sales first and nurture the rest.",
    "leakage": "keep these fields out of the lead score, and ask sales when each one is filled in.",
    "channel": "review how leads from this source are qualified and handed over to sales.",
}


def headline(result: LeadsResult) -> list[str]:
    """Return the top findings in plain words for a sales manager: one line a topic (HEADLINE_ORDER), each
    actionable one with its next step."""
    parts = headline_parts(result)
    return [
        " ".join(parts[topic])
        for topic in (*HEADLINE_ORDER, *(t for t in parts if t not in HEADLINE_ORDER))
        if parts.get(topic)
    ]


ALIGNMENT_HEADLINE = ("drivers", "rule", "score", "threshold")


def alignment_headline(result: LeadsResult) -> list[str]:
    """Return the lines for the alignment page: the drivers, the ideal lead in one rule, the score's accuracy and
    the MQL threshold (the overall conversion rate is left to the funnel's line)."""
    parts = headline_parts(result)
    return [line for topic in ALIGNMENT_HEADLINE for line in parts.get(topic, [])]
