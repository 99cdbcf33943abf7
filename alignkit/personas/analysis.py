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
from alignkit.config import PersonaSettings, ProjectSettings
from alignkit.errors import ConfigError, InputFileError
from alignkit.plan import require
from alignkit.io import write_atomic_bytes, write_parquet
from alignkit.personas.map import persona_map
from alignkit.personas.k_choice import choose_k, score_k
from alignkit.personas.features import flag_dropouts, screen_features
from alignkit.personas.model import PersonaModel, persona_features
from alignkit.personas.names import auto_names
from alignkit.personas.profiles import (conversion_differs, crm_outcomes, no_crm_outcomes, persona_sizes, persona_traits, top_traits,
                                       survey_outcomes, typical_answers)
from alignkit.report.cells import format_p
from alignkit.report.findings import finding
from alignkit.report.html import render_fragment
from alignkit.stats import effective_sample_size
from alignkit.prepare.weights import WEIGHT_COLUMN

__all__ = ["PersonaModel", "PersonaResult", "analyse", "load_result", "headline", "weighting_note", "save_result",
           "fit_personas", "load_inputs", "analysis_weights"]

PERSONAS_FILE = "personas.parquet"
MODEL_FILE = "persona_model.joblib"


@dataclass(frozen=True, repr=False)
class PersonaResult:
    """Notebook 03's result: how many personas and why, who is in each, what sets each apart, what they did."""

    k: int
    k_rule: str                       # how k was chosen, in words
    k_scores: pd.DataFrame            # one row per candidate k (empty when k is fixed in the project file)
    fit: pd.DataFrame                 # what the model was fitted on, in numbers
    sizes: pd.DataFrame               # persona_id, persona, n, share, ci_low, ci_high, suppressed
    traits: pd.DataFrame              # every persona × answer comparison
    top: pd.DataFrame                 # the five traits that set each persona apart most
    typical: pd.DataFrame             # typical answers, one column per persona
    crm: pd.DataFrame                 # CRM outcome of linked respondents per persona (no rows without a CRM funnel)
    assignments: pd.DataFrame         # respondent_key, lead_key, persona_id, persona, used_in_fit
    embedding: pd.DataFrame           # persona map: x, y, persona_id (one row per respondent)
    names: dict[int, str]
    model: PersonaModel = field(repr=False)
    codebook: pd.DataFrame = field(repr=False)
    min_group_size: int = 10
    weighting: pd.DataFrame | None = None   # one row when survey weights are on (n_effective, design effect); else None
    screen: pd.DataFrame | None = None      # every candidate answer: answer rate, used as a feature or why not
    outcomes: pd.DataFrame | None = None    # survey outcome columns per persona: rate with its 95% CI (no CRM needed)

    @property
    def weighted(self) -> bool:
        """Return whether the figures describing respondents are weighted (survey.weighting in the project file)."""
        return self.weighting is not None

    def __repr__(self) -> str:
        return f"PersonaResult(k={self.k}, personas={list(self.names.values())!r})"

    def _repr_html_(self) -> str:
        if self.weighted:
            return render_fragment("summary.html.j2", tables=[
                ("Personas (weighted share of respondents, 95% Wilson CI on Kish's effective n)", self.sizes),
                ("Survey weights", self.weighting), ("What the model was fitted on", self.fit)])
        tables = [("Personas (share of respondents, 95% Wilson CI)", self.sizes), ("What the model was fitted on", self.fit)]
        if self.outcomes is not None and len(self.outcomes):
            tables.append(("Outcomes in the survey per persona (95% Wilson CI)", self.outcomes))
        return render_fragment("summary.html.j2", tables=tables)


def load_inputs(settings: ProjectSettings) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Return responses, codebook and leads from data/processed (written by notebook 01); leads are None when the
    project names no CRM export (a survey alone)."""
    require(settings, "03")
    folder = settings.processed_dir
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


def fit_rows(responses: pd.DataFrame, persona_settings: PersonaSettings, *, codebook: pd.DataFrame | None = None,
             min_answered: float = 0.5) -> pd.Series:
    """Return which responses the model is fitted on: those without a quality flag (unless include_flagged) and,
    given the codebook, never a drop-out (answered under `min_answered` of the questions it was shown)."""
    if persona_settings.include_flagged or "quality_ok" not in responses:
        used = pd.Series(True, index=responses.index)
    else:
        used = responses["quality_ok"].astype(bool)
    if codebook is not None:
        used = used & ~flag_dropouts(responses, codebook, min_answered=min_answered,
                                     min_answer_rate=persona_settings.min_answer_rate)
    return used


def band_columns(features: pd.DataFrame) -> list[str]:
    """Return the feature columns holding bands (age or income bands, company sizes): ordered in the data and the
    profiles, but encoded one-hot in the model, since one band's step to the next is of unknown, unequal size
    (1-9 to 10-49 employees is not 200-499 to 500-999); a score would invent a gradient k-means then cuts along."""
    if "detected" not in features:
        return []
    return list(features.loc[features["detected"].astype("str").str.startswith("ordered scale: range"), "column"])


def min_answered(settings: ProjectSettings) -> float:
    """Return the drop-out threshold of the project file (survey.dropout_min_answered; 0.5 without a survey)."""
    return settings.survey.dropout_min_answered if settings.survey is not None else 0.5


def screened_features(responses: pd.DataFrame, codebook: pd.DataFrame, persona_settings: PersonaSettings, *,
                      min_answered: float = 0.5) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Return (the codebook rows forming the personas, the screening table of every candidate, the fitted rows):
    outcomes, ids, constants, near-unique answers and skip-logic questions are screened out (``features``)."""
    candidates = persona_features(codebook, features=persona_settings.features, profile_only=persona_settings.profile_only)
    used = fit_rows(responses, persona_settings, codebook=codebook, min_answered=min_answered)
    screen = screen_features(responses, candidates, fit=used, min_answer_rate=persona_settings.min_answer_rate,
                             skipped=persona_settings.skipped_questions, outcomes=persona_settings.outcomes)
    chosen = candidates[screen["use"].isin(["feature", "not asked"]).to_numpy()].reset_index(drop=True)
    if chosen.empty:
        raise ConfigError("No survey answer is left to form personas: " + "; ".join(
            f"{r.column}: {r.reason}" for r in screen.itertuples()) + ". Fix: lower personas.min_answer_rate, set "
            "personas.skipped_questions: not_asked, or name the answers in personas.features.")
    return chosen, screen, used


def analysis_weights(responses: pd.DataFrame) -> pd.Series | None:
    """Return the survey weight of every response (same index; 0 for a response without a weight, i.e. one with a
    quality flag under survey.weighting.respondents: quality_ok), or None when responses.parquet is unweighted."""
    if WEIGHT_COLUMN not in responses:
        return None
    return responses[WEIGHT_COLUMN].astype("Float64").fillna(0.0).astype("float64")


def weighting_summary(responses: pd.DataFrame, weights: pd.Series | None, model: PersonaModel) -> pd.DataFrame | None:
    """Return one row saying how the persona figures are weighted (None when unweighted): responses, weighted
    responses, Kish's effective n and design effect, and whether the model itself was fitted with the weights."""
    if weights is None:
        return None
    w = weights.to_numpy(dtype=float)
    positive = w[w > 0]
    n_eff = effective_sample_size(positive) if len(positive) else 0.0
    return pd.DataFrame([{"responses": len(w), "weighted_responses": int(len(positive)), "n_effective": n_eff,
                          "design_effect": len(positive) / n_eff if n_eff > 0 else np.nan,
                          "fitted_with_weights": bool(getattr(model, "sample_weighted_", False))}])


def fit_personas(responses: pd.DataFrame, codebook: pd.DataFrame, persona_settings: PersonaSettings, *,
                 seed: int, weights: pd.Series | None | str = "auto",
                 min_answered: float = 0.5) -> tuple[PersonaModel, pd.DataFrame, str]:
    """Return the fitted persona model, the table behind the choice of k (the one row of a fixed k) and the rule used.

    `weights` = "auto" (the default) uses the responses' survey weights when responses.parquet has them
    (survey.weighting); None fits unweighted. Weights reach k-means as sample weights (the k table then has a
    `weighted` column saying so); the Gaussian mixture and agglomerative clustering take none, so they are fitted
    unweighted and the rule says so (the profiles are still weighted)."""
    if isinstance(weights, str):
        weights = analysis_weights(responses)
    features, screen, used = screened_features(responses, codebook, persona_settings, min_answered=min_answered)
    not_asked = [c for c in screen.loc[screen["use"] == "not asked", "column"]]
    X = responses.loc[used]
    w = None if weights is None else np.nan_to_num(np.asarray(weights, dtype=float)[used.to_numpy()], nan=0.0)
    unweighted_note = ""
    if w is not None and persona_settings.algorithm != "kmeans":
        unweighted_note = (f" The {persona_settings.algorithm} algorithm takes no sample weights, so the personas are "
                           "fitted unweighted; their sizes and profiles are weighted.")
        w = None
    model = PersonaModel(2, algorithm=persona_settings.algorithm, features=list(features["column"]),
                         blocks=dict(zip(features["column"], features["block"])), random_state=seed,
                         not_asked=not_asked or None, unordered=band_columns(features) or None)
    if persona_settings.k == "auto":
        low, high = persona_settings.k_range
        Z = model.fit(X, sample_weight=w).transform(X)
        scores = score_k(Z, range(low, high + 1), algorithm=persona_settings.algorithm, random_state=seed, sample_weight=w)
        k, scores = choose_k(scores)
        if weights is not None:
            scores["weighted"] = w is not None
        rule = (f"k = {k}: the most reproducible number of personas between {low} and {high} (median adjusted Rand "
                "index of bootstrap refits; within 0.01 of the best, the larger k)."
                + (" Fitted with the survey weights (k-means sample weights)." if w is not None else ""))
    else:
        # A fixed k is still scored, so the reader sees how reproducible the chosen number of personas is.
        k = int(persona_settings.k)
        Z = model.fit(X, sample_weight=w).transform(X)
        scores = score_k(Z, [k], algorithm=persona_settings.algorithm, random_state=seed, sample_weight=w)
        scores["chosen"] = True
        if weights is not None:
            scores["weighted"] = w is not None
        rule = (f"k = {k}, fixed in the project file (personas.k); stability {scores['stability'].iat[0]:.2f} "
                "(median adjusted Rand index of bootstrap refits, 1 = identical)."
                + (" Fitted with the survey weights (k-means sample weights)." if w is not None else ""))
    return model.set_params(n_clusters=k).fit(X, sample_weight=w), scores, rule + unweighted_note


def _fit_summary(responses: pd.DataFrame, used: pd.Series, model: PersonaModel,
                 weights: pd.Series | None = None, dropouts: pd.Series | None = None) -> pd.DataFrame:
    missing = int(model.missing_counts_.sum())
    rows = [("Survey responses", len(responses)), ("Used to fit the personas", int(used.sum())),
            ("Left out of fitting (speeders, straight-liners, unfinished, drop-outs); still assigned", int((~used).sum()))]
    if dropouts is not None:
        rows.append(("… of which drop-outs (answered under the share of questions shown in "
                     "survey.dropout_min_answered)", int(dropouts.sum())))
    rows += [
            ("Answer columns forming the personas", len(model.features_)),
            ("Encoded features (after one-hot)", len(model.get_feature_names_out())),
            ("Missing answers imputed", missing)]
    if weights is not None:
        fitted = bool(getattr(model, "sample_weighted_", False))
        w = weights.to_numpy(dtype=float)[used.to_numpy()]
        rows += [("Fitted with survey weights (k-means sample weights): 1 = yes, 0 = no", int(fitted)),
                 ("Effective sample size of the responses fitted (Kish)",
                  round(effective_sample_size(w[w > 0])) if (w > 0).any() else 0)]
    return pd.DataFrame(rows, columns=["what", "count"])


def describe(model: PersonaModel, responses: pd.DataFrame, codebook: pd.DataFrame, leads: pd.DataFrame,
             settings: ProjectSettings, *, k_scores: pd.DataFrame, k_rule: str,
             embedding: pd.DataFrame | None = None) -> PersonaResult:
    """Return the full result for a fitted model: assignments, sizes, traits, names, typical answers, CRM outcome
    and (unless given) the persona map. Every respondent is assigned, flagged ones included."""
    persona_id = pd.Series(model.predict(responses) + 1, index=responses.index, name="persona_id")
    _, screen, used = screened_features(responses, codebook, settings.personas, min_answered=min_answered(settings))
    dropouts = flag_dropouts(responses, codebook, min_answered=min_answered(settings),
                             min_answer_rate=settings.personas.min_answer_rate)
    k = model.n_clusters_
    weights = analysis_weights(responses)
    traits = persona_traits(responses, persona_id, codebook, weights=weights)
    names = auto_names(traits, range(1, k + 1), overrides=settings.personas.names, features=model.features_,
                       codebook=codebook)
    minimum = settings.privacy.min_group_size
    assignments = pd.DataFrame({"respondent_key": responses["respondent_key"].astype("str"),
                                "lead_key": responses["lead_key"].astype("str"),
                                "persona_id": persona_id.astype("int64"),
                                "persona": persona_id.map(names).astype("str"), "used_in_fit": used.astype(bool)})
    if embedding is None:
        xy = persona_map(model.transform(responses), random_state=settings.seed)
        embedding = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "persona_id": persona_id.to_numpy()})
    big = [pid for pid in names if (persona_id == pid).sum() >= minimum]
    return PersonaResult(
        k=k, k_rule=k_rule, k_scores=k_scores, fit=_fit_summary(responses, used, model, weights, dropouts),
        sizes=persona_sizes(persona_id, names, weights=weights, min_group_size=minimum),
        traits=traits[traits["persona_id"].isin(big)].reset_index(drop=True),
        top=top_traits(traits[traits["persona_id"].isin(big)]),
        typical=typical_answers(responses, persona_id, codebook, names, min_group_size=minimum, weights=weights),
        crm=(crm_outcomes(assignments, leads, names, stages=settings.funnel.stage_names,
                          sql_stage=settings.funnel.sql_stage, min_group_size=minimum, weights=weights)
             if leads is not None and settings.funnel is not None else no_crm_outcomes()),
        assignments=assignments, embedding=embedding, names=names, model=model, codebook=codebook,
        min_group_size=minimum, weighting=weighting_summary(responses, weights, model), screen=screen,
        outcomes=survey_outcomes(responses, persona_id, screen, names, weights=weights, min_group_size=minimum))


def analyse(settings: ProjectSettings, *, responses: pd.DataFrame | None = None, codebook: pd.DataFrame | None = None,
            leads: pd.DataFrame | None = None) -> PersonaResult:
    """Return notebook 03's whole analysis: choose k, fit, profile, map (inputs read from data/processed unless given)."""
    if responses is None or codebook is None or (leads is None and settings.crm is not None):
        loaded = load_inputs(settings)
        responses = loaded[0] if responses is None else responses
        codebook = loaded[1] if codebook is None else codebook
        leads = loaded[2] if leads is None else leads
    model, scores, rule = fit_personas(responses, codebook, settings.personas, seed=settings.seed,
                                       weights=analysis_weights(responses), min_answered=min_answered(settings))
    return describe(model, responses, codebook, leads, settings, k_scores=scores, k_rule=rule)


def save_result(result: PersonaResult, settings: ProjectSettings) -> dict[str, Path]:
    """Write data/processed/personas.parquet and persona_model.joblib (the model, the codebook it was fitted on,
    the persona names, the k table and the map); return the paths."""
    folder = settings.processed_dir
    personas = write_parquet(result.assignments, folder / PERSONAS_FILE)
    bundle = {"model": result.model, "codebook": result.codebook, "names": result.names, "k_scores": result.k_scores,
              "k_rule": result.k_rule, "embedding": result.embedding, "alignkit_version": __version__}
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
    settings = settings.model_copy(update={"personas": settings.personas.model_copy(
        update={"names": {**bundle["names"], **overrides}})})
    embedding = bundle["embedding"] if len(bundle["embedding"]) == len(responses) else None   # responses rebuilt: redraw
    return describe(bundle["model"], responses, bundle["codebook"], leads, settings, k_scores=bundle["k_scores"],
                    k_rule=bundle["k_rule"], embedding=embedding)


# --- words ----------------------------------------------------------------------------------------------------


def _p_words(p_value: float) -> str:
    text = format_p(p_value)
    return text if text.startswith("<") else f"= {text}"


PERSONA_STEP = "aim campaigns and content at the persona that converts best (see Customer personas)."


def headline(result: PersonaResult) -> list[str]:
    """Return the top findings in plain words for a sales or marketing manager; the persona conversion line carries
    a next step only when the personas' conversion rates differ significantly (`conversion_differs`)."""
    shown = result.sizes[~result.sizes["suppressed"]].sort_values("share", ascending=False)
    lines = [f"The survey splits into {result.k} personas. {result.k_rule}"]
    if result.weighted:
        lines.append(weighting_note(result) + ".")
    if len(shown):
        big = shown.iloc[0]
        whom = "of respondents, weighted" if result.weighted else "of respondents"
        lines.append(f"The largest is “{big['persona']}”: {big['share']:.0%} {whom} "
                     f"(95% CI {big['ci_low']:.0%}–{big['ci_high']:.0%}).")
    crm = result.crm[~result.crm["suppressed"]].dropna(subset=["conversion_rate"])
    if len(crm) >= 2:
        best, worst = crm.loc[crm["conversion_rate"].idxmax()], crm.loc[crm["conversion_rate"].idxmin()]
        line = (f"Among respondents linked to the CRM, “{best['persona']}” convert most often "
                f"({best['conversion_rate']:.0%}, CI {best['ci_low']:.0%}–{best['ci_high']:.0%}) and "
                f"“{worst['persona']}” least ({worst['conversion_rate']:.0%}, CI {worst['ci_low']:.0%}–{worst['ci_high']:.0%})")
        p_value = conversion_differs(result.crm)
        lines.append(finding(line + f"; the personas' rates differ (chi-square p {_p_words(p_value)}).", PERSONA_STEP)
                     if p_value < 0.05 else line + ": the personas' rates do not differ significantly, so no "
                     "persona converts clearly better than another.")
    for pid, part in result.top.groupby("persona_id"):
        lines.append(f"{result.names[pid]}: {part['description'].iat[0]}.")
    return lines


def weighting_note(result: PersonaResult) -> str | None:
    """Return the sentence saying how the persona figures are weighted (for the report header), or None."""
    if not result.weighted:
        return None
    row = result.weighting.iloc[0]
    fitted = ("the persona model was fitted with them (k-means sample weights)" if row["fitted_with_weights"]
              else "the persona model was fitted unweighted")
    return (f"persona sizes, profiles and CRM outcomes use the survey weights: {int(row['weighted_responses']):,} weighted "
            f"responses count as an effective sample size of {row['n_effective']:,.0f} (design effect "
            f"{row['design_effect']:.2f}); {fitted}")
