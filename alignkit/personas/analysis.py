"""Persona segments (notebook 03): fit the persona model on the survey, profile each persona, map respondents,
describe what linked respondents did in the CRM, save the model for new waves, and say the findings in words.

``analyse(settings)`` is the whole notebook in one call; ``load_result(settings)`` rebuilds the same result from
the saved model and data/processed without refitting (for notebook 05). The estimator lives in
``alignkit.personas.model``, the choice of k in ``alignkit.personas.k_choice``, the profiles in
``alignkit.personas.profiles``, new waves in ``alignkit.personas.waves``, the report in ``alignkit.personas.report``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from alignkit import __version__
from alignkit.config import ProjectSettings
from alignkit.errors import InputFileError
from alignkit.io import write_atomic_bytes, write_parquet
from alignkit.personas.customers import customer_inputs, persona_population
from alignkit.personas.descriptors import descriptor_columns_of, descriptor_profile
from alignkit.personas.features import flag_dropouts
from alignkit.personas.fitting import (
    analysis_weights,
    fit_personas,
    fit_rows,
    min_answered,
    screened_features,
    segmented_rows,
    separation,
)
from alignkit.personas.map import persona_map
from alignkit.personas.model import PersonaModel
from alignkit.personas.names import auto_names, named_answers
from alignkit.personas.profiles import (
    conversion_differs,
    crm_outcomes,
    no_crm_outcomes,
    persona_sizes,
    persona_traits,
    survey_outcomes,
    top_traits,
    typical_answers,
)
from alignkit.plan import require
from alignkit.report.cells import format_p
from alignkit.report.findings import finding
from alignkit.report.html import render_fragment
from alignkit.stats import effective_sample_size

__all__ = [
    "PersonaModel",
    "PersonaResult",
    "analyse",
    "analysis_weights",
    "fit_personas",
    "headline",
    "load_inputs",
    "load_result",
    "save_result",
    "weighting_note",
]

PERSONAS_FILE = "personas.parquet"
MODEL_FILE = "persona_model.joblib"


@dataclass(frozen=True, repr=False)
class PersonaResult:
    """Notebook 03's result: how many personas and why, who is in each, what sets each apart, what they did."""

    k: int
    k_rule: str  # how k was chosen, in words
    k_scores: pd.DataFrame  # one row per candidate k (empty when k is fixed in the project file)
    fit: pd.DataFrame  # what the model was fitted on, in numbers
    sizes: pd.DataFrame  # persona_id, persona, n, share, ci_low, ci_high, suppressed
    traits: pd.DataFrame  # every persona × answer comparison
    top: pd.DataFrame  # the five traits that set each persona apart most
    typical: pd.DataFrame  # typical answers, one column per persona
    crm: pd.DataFrame  # CRM outcome of linked respondents per persona (no rows without a CRM funnel)
    assignments: pd.DataFrame  # respondent_key, lead_key, persona_id, persona, used_in_fit
    embedding: pd.DataFrame  # persona map: x, y, persona_id (one row per respondent)
    names: dict[int, str]
    model: PersonaModel = field(repr=False)
    codebook: pd.DataFrame = field(repr=False)
    min_group_size: int = 10
    weighting: pd.DataFrame | None = None  # one row when survey weights are on (n_effective, design effect); else None
    screen: pd.DataFrame | None = None  # every candidate answer: answer rate, used as a feature or why not
    outcomes: pd.DataFrame | None = None  # survey outcome columns per persona: rate with its 95% CI (no CRM needed)
    named: pd.DataFrame | None = None  # the answers each name uses: phrase, members who gave it, share of members
    descriptors: pd.DataFrame | None = None  # who each persona is: descriptor answers per persona with 95% CIs
    not_segmented: int = 0  # respondents who did not answer the persona questions: in no persona
    separation: dict | None = None  # how distinct the personas are: measure, value, verdict in words
    population: str = "respondents"  # who is segmented: survey respondents, or customers / leads (source: crm)

    @property
    def weighted(self) -> bool:
        """Return whether the figures describing respondents are weighted (survey.weighting in the project file)."""
        return self.weighting is not None

    def __repr__(self) -> str:
        return f"PersonaResult(k={self.k}, personas={list(self.names.values())!r})"

    def _repr_html_(self) -> str:
        if self.weighted:
            return render_fragment(
                "summary.html.j2",
                tables=[
                    ("Personas (weighted share of respondents, 95% Wilson CI on Kish's effective n)", self.sizes),
                    ("Survey weights", self.weighting),
                    ("What the model was fitted on", self.fit),
                ],
            )
        tables = [
            ("Personas (share of respondents, 95% Wilson CI)", self.sizes),
            ("What the model was fitted on", self.fit),
        ]
        if self.outcomes is not None and len(self.outcomes):
            tables.append(("Outcomes in the survey per persona (95% Wilson CI)", self.outcomes))
        return render_fragment("summary.html.j2", tables=tables)


def load_inputs(settings: ProjectSettings) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Return responses, codebook and leads from data/processed (written by notebook 01); leads are None when the
    project names no CRM export (a survey alone)."""
    require(settings, "03")
    folder = settings.processed_dir
    if settings.persona_source == "crm":
        path = folder / "leads.parquet"
        if not path.exists():
            raise InputFileError(path, "not found.", fix="run notebook 01 (or `alignkit run --only 01`) first.")
        leads = pd.read_parquet(path)
        responses, codebook = customer_inputs(leads, settings)
        return responses, codebook, leads
    frames: list[pd.DataFrame | None] = []
    for name in ("responses", "codebook", "leads"):
        path = folder / f"{name}.parquet"
        if name == "leads" and settings.crm is None:
            frames.append(None)
            continue
        if not path.exists():
            raise InputFileError(path, "not found.", fix="run notebook 01 (or `alignkit run --only 01`) first.")
        frames.append(pd.read_parquet(path))
    return frames[0], frames[1], frames[2]


def weighting_summary(responses: pd.DataFrame, weights: pd.Series | None, model: PersonaModel) -> pd.DataFrame | None:
    """Return one row saying how the persona figures are weighted (None when unweighted): responses, weighted
    responses, Kish's effective n and design effect, and whether the model itself was fitted with the weights."""
    if weights is None:
        return None
    w = weights.to_numpy(dtype=float)
    positive = w[w > 0]
    n_eff = effective_sample_size(positive) if len(positive) else 0.0
    return pd.DataFrame(
        [
            {
                "responses": len(w),
                "weighted_responses": len(positive),
                "n_effective": n_eff,
                "design_effect": len(positive) / n_eff if n_eff > 0 else np.nan,
                "fitted_with_weights": bool(getattr(model, "sample_weighted_", False)),
            }
        ]
    )


NO_PERSONA_ROW = (
    "In no persona: answered under the share of the persona questions in survey.dropout_min_answered "
    "(drop-outs, or a screener sent them past them)"
)


def _fit_summary(
    responses: pd.DataFrame,
    used: pd.Series,
    model: PersonaModel,
    weights: pd.Series | None = None,
    dropouts: pd.Series | None = None,
    segmented: pd.Series | None = None,
) -> pd.DataFrame:
    missing = int(model.missing_counts_.sum())
    segmented = pd.Series(True, index=responses.index) if segmented is None else segmented
    rows = [
        ("Survey responses", len(responses)),
        ("Used to fit the personas", int(used.sum())),
        (
            "Left out of fitting (speeders, straight-liners, unfinished, drop-outs); still assigned",
            int((~used & segmented).sum()),
        ),
    ]
    if dropouts is not None:
        rows.append(
            (
                "… of which drop-outs (answered under the share of questions shown in survey.dropout_min_answered)",
                int((dropouts & segmented).sum()),
            )
        )
    rows.append((NO_PERSONA_ROW, int((~segmented).sum())))
    rows += [
        ("Answer columns forming the personas", len(model.features_)),
        ("Encoded features (after one-hot)", len(model.get_feature_names_out())),
        (
            "Missing answers left missing (latent classes)"
            if getattr(model, "algorithm", "") == "lca"
            else "Missing answers imputed",
            missing,
        ),
    ]
    if weights is not None:
        fitted = bool(getattr(model, "sample_weighted_", False))
        w = weights.to_numpy(dtype=float)[used.to_numpy()]
        rows += [
            ("Fitted with survey weights (sample weights): 1 = yes, 0 = no", int(fitted)),
            (
                "Effective sample size of the responses fitted (Kish)",
                round(effective_sample_size(w[w > 0])) if (w > 0).any() else 0,
            ),
        ]
    return pd.DataFrame(rows, columns=["what", "count"])


def describe(
    model: PersonaModel,
    responses: pd.DataFrame,
    codebook: pd.DataFrame,
    leads: pd.DataFrame,
    settings: ProjectSettings,
    *,
    k_scores: pd.DataFrame,
    k_rule: str,
    embedding: pd.DataFrame | None = None,
) -> PersonaResult:
    """Return the full result for a fitted model: assignments, sizes, traits, names, typical answers, CRM outcome
    and (unless given) the persona map. Every respondent who answered the persona questions is assigned, flagged
    ones included; those who did not (a screener sent them past the questions) are in no persona and counted."""
    chosen, screen, used = screened_features(
        responses, codebook, settings.personas, min_answered=min_answered(settings)
    )
    segmented = segmented_rows(
        responses,
        chosen,
        min_answered=min_answered(settings),
        not_asked=list(screen.loc[screen["use"] == "not asked", "column"]),
        rows=fit_rows(responses, settings.personas, codebook=codebook, min_answered=min_answered(settings)),
    )
    dropouts = flag_dropouts(
        responses, codebook, min_answered=min_answered(settings), min_answer_rate=settings.personas.min_answer_rate
    )
    k = model.n_clusters_
    all_weights = analysis_weights(responses)
    members = responses.loc[segmented]
    weights = None if all_weights is None else all_weights.loc[segmented]
    persona_id = pd.Series(model.predict(members) + 1, index=members.index, name="persona_id")
    traits = persona_traits(members, persona_id, codebook, weights=weights)
    named = named_answers(
        members, persona_id, traits, features=model.features_, codebook=codebook, labels=settings.labels
    )
    names = auto_names(named, range(1, k + 1), overrides=settings.personas.names)
    named = named.assign(persona=named["persona_id"].map(names))[
        ["persona_id", "persona", "phrase", "members_giving", "members", "share"]
    ]
    minimum = settings.privacy.min_group_size
    everyone = persona_id.reindex(responses.index).astype("Int64")
    assignments = pd.DataFrame(
        {
            "respondent_key": responses["respondent_key"].astype("str"),
            "lead_key": responses["lead_key"].astype("str"),
            "persona_id": everyone,
            "persona": everyone.map(names).astype("str").where(everyone.notna()),
            "used_in_fit": used.astype(bool),
            "segmented": segmented.astype(bool),
        }
    )
    if embedding is None:
        xy = persona_map(model.transform(members), random_state=settings.seed)
        embedding = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "persona_id": persona_id.to_numpy()})
    big = [pid for pid in names if (persona_id == pid).sum() >= minimum]
    return PersonaResult(
        k=k,
        k_rule=k_rule,
        k_scores=k_scores,
        fit=_fit_summary(responses, used, model, all_weights, dropouts, segmented),
        sizes=persona_sizes(persona_id, names, weights=weights, min_group_size=minimum),
        traits=traits[traits["persona_id"].isin(big)].reset_index(drop=True),
        top=top_traits(traits[traits["persona_id"].isin(big)]),
        typical=typical_answers(members, persona_id, codebook, names, min_group_size=minimum, weights=weights),
        crm=(
            crm_outcomes(
                assignments.dropna(subset=["persona_id"]).astype({"persona_id": "int64"}),
                leads,
                names,
                stages=settings.funnel.stage_names,
                sql_stage=settings.funnel.sql_stage,
                min_group_size=minimum,
                weights=all_weights,
            )
            if leads is not None and settings.funnel is not None
            else no_crm_outcomes()
        ),
        assignments=assignments,
        embedding=embedding,
        names=names,
        model=model,
        codebook=codebook,
        min_group_size=minimum,
        weighting=weighting_summary(members, weights, model),
        screen=screen,
        outcomes=survey_outcomes(members, persona_id, screen, names, weights=weights, min_group_size=minimum),
        named=named[named["persona_id"].isin(big)].reset_index(drop=True),
        descriptors=descriptor_profile(
            members,
            persona_id,
            codebook,
            descriptor_columns_of(codebook, model.features_),
            names,
            weights=weights,
            min_group_size=minimum,
        ),
        not_segmented=int((~segmented).sum()),
        separation=separation(k_scores, model),
        population=persona_population(settings),
    )


def analyse(
    settings: ProjectSettings,
    *,
    responses: pd.DataFrame | None = None,
    codebook: pd.DataFrame | None = None,
    leads: pd.DataFrame | None = None,
) -> PersonaResult:
    """Return notebook 03's whole analysis: choose k, fit, profile, map (inputs read from data/processed unless
    given)."""
    if responses is None or codebook is None or (leads is None and settings.crm is not None):
        loaded = load_inputs(settings)
        responses = loaded[0] if responses is None else responses
        codebook = loaded[1] if codebook is None else codebook
        leads = loaded[2] if leads is None else leads
    model, scores, rule = fit_personas(
        responses,
        codebook,
        settings.personas,
        seed=settings.seed,
        weights=analysis_weights(responses),
        min_answered=min_answered(settings),
        min_group_size=settings.privacy.min_group_size,
    )
    return describe(model, responses, codebook, leads, settings, k_scores=scores, k_rule=rule)


def save_result(result: PersonaResult, settings: ProjectSettings) -> dict[str, Path]:
    """Write data/processed/personas.parquet and persona_model.joblib (the model, the codebook it was fitted on,
    the persona names, the k table and the map); return the paths."""
    folder = settings.processed_dir
    personas = write_parquet(result.assignments, folder / PERSONAS_FILE)
    bundle = {
        "model": result.model,
        "codebook": result.codebook,
        "names": result.names,
        "k_scores": result.k_scores,
        "k_rule": result.k_rule,
        "embedding": result.embedding,
        "responses": len(result.assignments),
        "alignkit_version": __version__,
    }
    import io

    buffer = io.BytesIO()
    joblib.dump(bundle, buffer, compress=3)
    model = write_atomic_bytes(folder / MODEL_FILE, buffer.getvalue())
    return {"personas": personas, "model": model}


def load_bundle(settings: ProjectSettings) -> dict:
    """Return the saved persona model bundle (model, codebook, names, k_scores, k_rule, embedding)."""
    path = settings.processed_dir / MODEL_FILE
    if not path.exists():
        raise InputFileError(path, "no saved persona model.", fix="run notebook 03 (`alignkit run --only 03`) first.")
    return joblib.load(path)


def load_result(settings: ProjectSettings) -> PersonaResult:
    """Return the persona result rebuilt from the saved model and data/processed, without refitting."""
    bundle = load_bundle(settings)
    responses, _, leads = load_inputs(settings)
    overrides = dict(settings.personas.names)
    settings = settings.model_copy(
        update={"personas": settings.personas.model_copy(update={"names": {**bundle["names"], **overrides}})}
    )
    embedding = bundle["embedding"] if bundle.get("responses") == len(responses) else None  # responses rebuilt: redraw
    return describe(
        bundle["model"],
        responses,
        bundle["codebook"],
        leads,
        settings,
        k_scores=bundle["k_scores"],
        k_rule=bundle["k_rule"],
        embedding=embedding,
    )


# --- words ----------------------------------------------------------------------------------------------------


def _p_words(p_value: float) -> str:
    text = format_p(p_value)
    return text if text.startswith("<") else f"= {text}"


PERSONA_STEP = "aim campaigns and content at the persona that converts best (see Customer personas)."


def headline(result: PersonaResult) -> list[str]:
    """Return the top findings in plain words for a sales or marketing manager; the persona conversion line carries
    a next step only when the personas' conversion rates differ significantly (`conversion_differs`)."""
    shown = result.sizes[~result.sizes["suppressed"]].sort_values("share", ascending=False)
    lines = [structure_sentence(result) + f" {result.k_rule}"]
    if result.not_segmented:
        total = len(result.assignments)
        lines.append(
            f"{result.not_segmented:,} of {total:,} {result.population} ({result.not_segmented / total:.0%}) "
            "answered too few of the questions that form the personas (a screener may have sent them past "
            "them): they are in no persona, and no persona is named or described from answers they never gave."
        )
    if (note := weighting_note(result)) is not None:
        lines.append(note + ".")
    if len(shown):
        big = shown.iloc[0]
        whom = f"of {result.population}, weighted" if result.weighted else f"of {result.population}"
        lines.append(
            f"The largest is “{big['persona']}”: {big['share']:.0%} {whom} "
            f"(95% CI {big['ci_low']:.0%}–{big['ci_high']:.0%})."
        )
    crm = result.crm[~result.crm["suppressed"]].dropna(subset=["conversion_rate"])
    if len(crm) >= 2:
        best, worst = crm.loc[crm["conversion_rate"].idxmax()], crm.loc[crm["conversion_rate"].idxmin()]
        line = (
            f"Among respondents linked to the CRM, “{best['persona']}” convert most often "
            f"({best['conversion_rate']:.0%}, CI {best['ci_low']:.0%}–{best['ci_high']:.0%}) and "
            f"“{worst['persona']}” least ({worst['conversion_rate']:.0%}, CI "
            f"{worst['ci_low']:.0%}–{worst['ci_high']:.0%})"
        )
        p_value = conversion_differs(result.crm)
        lines.append(
            finding(line + f"; the personas' rates differ (chi-square p {_p_words(p_value)}).", PERSONA_STEP)
            if p_value < 0.05
            else line + ": the personas' rates do not differ significantly, so no "
            "persona converts clearly better than another."
        )
    for pid, part in result.top.groupby("persona_id"):
        lines.append(f"{result.names[pid]}: {part['description'].iat[0]}.")
    return lines


def structure_sentence(result: PersonaResult) -> str:
    """Return the first headline in words: whether the personas are distinct groups, reproducible groups that
    overlap, or a useful split of a continuum, with the measure that says so."""
    sep = result.separation or {}
    source, s = ("The survey", "s") if result.population == "respondents" else (f"The {result.population}", "")
    if not sep or not np.isfinite(sep.get("value", np.nan)):
        return f"{source} split{s} into {result.k} personas."
    measure = f"{sep['measure']} {sep['value']:.2f}; {sep['distinct_at']:.2f} or more marks groups that stand apart"
    stability = f"stability {sep['stability']:.2f}" if np.isfinite(sep["stability"]) else ""
    if sep["verdict"] == "distinct":
        return f"{source} form{s} {result.k} distinct personas ({measure}, {stability})."
    if sep["verdict"] == "overlapping":
        return (
            f"{source} split{s} into {result.k} personas that come back the same when resampled but overlap at "
            f"their borders ({measure}, {stability}): members near a border share answers with the next persona."
        )
    if not sep.get("stable", True):
        weakest = sep.get("weakest_persona", np.nan)
        detail = stability + (
            f", weakest persona {weakest:.2f} where 0.85 marks a stable one" if np.isfinite(weakest) else ""
        )
        return (
            f"The answers form a continuum, not groups that stand apart: these {result.k} personas do not come back "
            f"the same when the data are resampled ({detail}; {measure}), so read them as one useful split among "
            "several possible, and their differences as tendencies."
        )
    return (
        f"The answers form a continuum ({measure}, {stability}): these {result.k} personas are a useful split of "
        "it, not groups that stand apart, so read their differences as tendencies."
    )


def weighting_note(result: PersonaResult) -> str | None:
    """Return the sentence saying how the persona figures are weighted (for the report header), or None."""
    if result.weighting is None:  # unweighted (result.weighted)
        return None
    row = result.weighting.iloc[0]
    fitted = (
        "the persona model was fitted with them (sample weights)"
        if row["fitted_with_weights"]
        else "the persona model was fitted unweighted"
    )
    return (
        f"persona sizes, profiles and CRM outcomes use the survey weights: {int(row['weighted_responses']):,} weighted "
        f"responses count as an effective sample size of {row['n_effective']:,.0f} (design effect "
        f"{row['design_effect']:.2f}); {fitted}"
    )
