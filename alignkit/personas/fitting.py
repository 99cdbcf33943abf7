"""Fitting the personas: which respondents and answers form them (screening, drop-outs, the respondents a screener
sent past the questions), which algorithm (k-means, or latent classes when answers are blank) and how many personas,
and how distinct they turn out (``separation``). ``alignkit.personas.analysis`` describes the fitted model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from alignkit.config import PersonaSettings, ProjectSettings
from alignkit.errors import ConfigError
from alignkit.meaning.survey import descriptor_columns, persona_split
from alignkit.personas.features import flag_dropouts, screen_features
from alignkit.personas.k_choice import LCA_STABLE, PERSONA_STABLE, choose_k, score_k
from alignkit.personas.model import PersonaModel, persona_features
from alignkit.prepare.weights import WEIGHT_COLUMN

if TYPE_CHECKING:  # imported where used: StepMix loads only when latent classes are fitted
    from alignkit.personas.lca import LatentClassModel


def fit_rows(
    responses: pd.DataFrame,
    persona_settings: PersonaSettings,
    *,
    codebook: pd.DataFrame | None = None,
    min_answered: float = 0.5,
) -> pd.Series:
    """Return which responses the model is fitted on: those without a quality flag (unless include_flagged) and,
    given the codebook, never a drop-out (answered under `min_answered` of the questions it was shown)."""
    if persona_settings.include_flagged or "quality_ok" not in responses:
        used = pd.Series(True, index=responses.index)
    else:
        used = responses["quality_ok"].astype(bool)
    if codebook is not None:
        used = used & ~flag_dropouts(
            responses, codebook, min_answered=min_answered, min_answer_rate=persona_settings.min_answer_rate
        )
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


def screened_features(
    responses: pd.DataFrame, codebook: pd.DataFrame, persona_settings: PersonaSettings, *, min_answered: float = 0.5
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Return (the codebook rows forming the personas, the screening table of every candidate, the fitted rows):
    outcomes, ids, constants, near-unique answers and skip-logic questions are screened out (``features``)."""
    candidates = persona_features(
        codebook, features=persona_settings.features, profile_only=persona_settings.profile_only
    )
    used = fit_rows(responses, persona_settings, codebook=codebook, min_answered=min_answered)
    descriptors = descriptor_columns(persona_split(codebook), chosen=persona_settings.features)
    screen = screen_features(
        responses,
        candidates,
        fit=used,
        min_answer_rate=persona_settings.min_answer_rate,
        skipped=persona_settings.skipped_questions,
        outcomes=persona_settings.outcomes,
        descriptors=descriptors,
    )
    chosen = candidates[screen["use"].isin(["feature", "not asked"]).to_numpy()].reset_index(drop=True)
    if chosen.empty:
        raise ConfigError(
            "No survey answer is left to form personas: "
            + "; ".join(f"{r.column}: {r.reason}" for r in screen.itertuples())
            + ". Fix: lower personas.min_answer_rate, set "
            "personas.skipped_questions: not_asked, or name the answers in personas.features."
        )
    asked = list(screen.loc[screen["use"] == "not asked", "column"])
    used = used & segmented_rows(responses, chosen, min_answered=min_answered, not_asked=asked, rows=used)
    return chosen, screen, used


CONDITIONAL_RATE = 0.8  # a question fewer of the fitted respondents answered was asked of some only (skip logic)


def segmented_rows(
    responses: pd.DataFrame,
    features: pd.DataFrame,
    *,
    min_answered: float = 0.5,
    not_asked: Sequence[str] = (),
    rows: pd.Series | None = None,
) -> pd.Series:
    """Return which respondents answered at least `min_answered` of the questions that form the personas (each
    question counts once; a multi-select block counts only for those who ticked a box in it, since an unticked box
    cannot say whether it was shown; a question under CONDITIONAL_RATE of the respondents in `rows` (default all)
    answered was asked of some only and counts only for those who answered it; a skip-logic question entering
    with a 'not asked' level is left out). The others (those a screener sent past the questions, who never
    saw them) are in no persona: a persona is never formed, named or described from answers nobody gave."""
    blocks = features.loc[~features["column"].isin(list(not_asked))].groupby("block", sort=False)["column"].apply(list)
    if blocks.empty:
        return pd.Series(True, index=responses.index)
    kinds = features.set_index("column")["kind"]
    answered, shown = [], []
    for columns in blocks:
        values = responses[columns]
        if kinds.get(columns[0]) == "multi":
            # a box left unticked cannot tell 'shown, none ticked' from 'never shown': a multi-select counts only
            # for those who ticked something in it
            ticked = values.astype("boolean").fillna(False).any(axis=1).to_numpy()
            answered.append(ticked)
            shown.append(ticked)
        else:
            filled = values.notna().any(axis=1).to_numpy()
            rate = filled[np.asarray(rows, dtype=bool)].mean() if rows is not None and np.any(rows) else filled.mean()
            answered.append(filled)
            shown.append(np.ones(len(values), dtype=bool) if rate >= CONDITIONAL_RATE else filled)
    share = np.column_stack(answered).sum(axis=1) / np.maximum(np.column_stack(shown).sum(axis=1), 1)
    return pd.Series(share >= min_answered, index=responses.index, name="segmented")


def analysis_weights(responses: pd.DataFrame) -> pd.Series | None:
    """Return the survey weight of every response (same index; 0 for a response without a weight, i.e. one with a
    quality flag under survey.weighting.respondents: quality_ok), or None when responses.parquet is unweighted."""
    if WEIGHT_COLUMN not in responses:
        return None
    return responses[WEIGHT_COLUMN].astype("Float64").fillna(0.0).astype("float64")


class _ModelArgs(TypedDict):
    """The arguments every persona model (and the LCA's k scoring) is built with."""

    features: list[str]
    blocks: dict[str, str]
    random_state: int
    not_asked: list[str] | None
    unordered: list[str] | None


MISSING_FOR_LCA = 0.05  # a share of blank answers (among those fitted) above which auto picks latent classes


def choose_algorithm(
    responses: pd.DataFrame,
    features: pd.DataFrame,
    used: pd.Series,
    persona_settings: PersonaSettings,
    *,
    not_asked: Sequence[str] = (),
) -> tuple[str, str]:
    """Return the persona algorithm and why, in words. personas.algorithm: auto picks latent classes ('lca': each
    blank answer stays missing in the likelihood) when more than MISSING_FOR_LCA of the answers forming the
    personas are blank among the respondents fitted (skip logic, items left out), and k-means otherwise (no blank
    to fill in, and faster); any other setting is used as set."""
    chosen = persona_settings.algorithm
    # a "not asked" question's blank is a level of its own, not a missing answer
    single = features.loc[(features["kind"] != "multi") & ~features["column"].isin(not_asked), "column"]
    blank = float(responses.loc[used, list(single)].isna().to_numpy().mean()) if len(single) and used.any() else 0.0
    if chosen != "auto":
        return chosen, f"personas.algorithm: {chosen} (set in the project file); {blank:.0%} of the answers are blank."
    if blank > MISSING_FOR_LCA:
        return "lca", (
            f"latent classes (personas.algorithm: auto): {blank:.0%} of the answers forming the personas "
            f"are blank among those fitted, above {MISSING_FOR_LCA:.0%}; a latent class model leaves "
            "each blank missing (full-information maximum likelihood) where k-means would fill it in."
        )
    return "kmeans", (
        f"k-means (personas.algorithm: auto): {blank:.0%} of the answers forming the personas are blank "
        f"among those fitted, at most {MISSING_FOR_LCA:.0%}, so filling them in moves nothing."
    )


def smallest_share(settings_min_share: float, n_fitted: int, min_group_size: int) -> float:
    """Return the smallest persona allowed, as a share: personas.min_share, never under the privacy minimum."""
    return max(settings_min_share, min_group_size / max(n_fitted, 1))


def fit_personas(
    responses: pd.DataFrame,
    codebook: pd.DataFrame,
    persona_settings: PersonaSettings,
    *,
    seed: int,
    weights: pd.Series | str | None = "auto",
    min_answered: float = 0.5,
    min_group_size: int = 1,
    threads: int | None = 1,
) -> tuple[PersonaModel | LatentClassModel, pd.DataFrame, str]:
    """Return the fitted persona model, the table behind the choice of k (the one row of a fixed k) and the rule used.

    `threads` caps the OpenMP/BLAS threads of the fits (None = all cores). One is the default: k-means' OpenMP
    threads spin-wait, and on a machine shared with other work (notebooks 02–04 side by side) the choice of k for
    500 respondents took 26 s of wall time and 16.6 s of CPU with two threads against 1.0 s and 0.7 s with one
    (measured on the 2-core machine under load, issue 29)."""
    with threadpool_limits(limits=threads):
        return _fit_personas(
            responses,
            codebook,
            persona_settings,
            seed=seed,
            weights=weights,
            min_answered=min_answered,
            min_group_size=min_group_size,
        )


def _fit_personas(
    responses: pd.DataFrame,
    codebook: pd.DataFrame,
    persona_settings: PersonaSettings,
    *,
    seed: int,
    weights: pd.Series | str | None,
    min_answered: float,
    min_group_size: int,
) -> tuple[PersonaModel | LatentClassModel, pd.DataFrame, str]:
    """Return what `fit_personas` returns, with the threads as they are.

    The algorithm is ``choose_algorithm``'s. k-means: k is the most reproducible number of personas whose smallest
    persona is at least ``smallest_share`` (bootstrap refits; silhouette shown). Latent classes: the lowest BIC
    among such k (entropy and bootstrap stability shown). `weights` = "auto" uses the responses' survey weights
    when responses.parquet has them; the Gaussian mixture and agglomerative clustering take none, so they are
    fitted unweighted and the rule says so (the profiles are still weighted)."""
    if isinstance(weights, str):
        weights = analysis_weights(responses)
    features, screen, used = screened_features(responses, codebook, persona_settings, min_answered=min_answered)
    not_asked = list(screen.loc[screen["use"] == "not asked", "column"])
    algorithm, algorithm_rule = choose_algorithm(responses, features, used, persona_settings, not_asked=not_asked)
    X = responses.loc[used]
    floor = smallest_share(persona_settings.min_share, len(X), min_group_size)
    w = None if weights is None else np.nan_to_num(np.asarray(weights, dtype=float)[used.to_numpy()], nan=0.0)
    unweighted_note = ""
    if w is not None and algorithm not in ("kmeans", "lca"):
        unweighted_note = (
            f" The {algorithm} algorithm takes no sample weights, so the personas are "
            "fitted unweighted; their sizes and profiles are weighted."
        )
        w = None
    weighted_note = " Fitted with the survey weights (sample weights)." if w is not None else ""
    common = _ModelArgs(
        features=list(features["column"]),
        blocks=dict(zip(features["column"], features["block"])),
        random_state=seed,
        not_asked=not_asked or None,
        unordered=band_columns(features) or None,
    )
    low, high = persona_settings.k_range if persona_settings.k == "auto" else (int(persona_settings.k),) * 2
    candidates = range(low, min(high, max(len(X) - 1, low)) + 1)
    if algorithm == "lca":
        from alignkit.personas.lca import LatentClassModel, choose_lca_k, score_lca_k

        # a blank stays missing in the likelihood: a "not asked" level would make being asked a class of its own
        common["not_asked"] = None
        scores = score_lca_k(X, candidates, sample_weight=w, **common)
        if persona_settings.k == "auto":
            k, scores = choose_lca_k(scores, min_share=floor)
            if scores.loc[scores["chosen"], "stable"].item():
                rule = (
                    f"k = {k}: the lowest BIC between {low} and {high} among the numbers of latent classes that "
                    f"come back when the respondents are resampled (stability at least {LCA_STABLE}) and whose "
                    f"smallest class holds at least {floor:.0%} (personas.min_share)."
                )
            else:
                rule = (
                    f"k = {k}: no number of latent classes between {low} and {high} comes back when the respondents "
                    f"are resampled (stability {LCA_STABLE} or more), so k is the most stable one whose smallest "
                    f"class holds at least {floor:.0%} (personas.min_share)."
                )
        else:
            k, scores = int(persona_settings.k), scores.assign(chosen=True, too_small=scores["smallest_share"] < floor)
            rule = f"k = {k}, fixed in the project file (personas.k); entropy {scores['entropy'].iat[0]:.2f}."
        model = LatentClassModel(k, **common).fit(X, sample_weight=w)
    else:
        model = PersonaModel(2, algorithm=algorithm, **common)
        Z = model.fit(X, sample_weight=w).transform(X)
        scores = score_k(Z, candidates, algorithm=algorithm, random_state=seed, sample_weight=w)
        if persona_settings.k == "auto":
            k, scores = choose_k(scores, min_share=floor)
            if scores.get("every_persona_stable", pd.Series(False)).any():
                rule = (
                    f"k = {k}: the largest number of personas between {low} and {high} whose every persona comes "
                    "back when the data are resampled and refitted (each persona's mean Jaccard overlap at least "
                    f"{PERSONA_STABLE}, Hennig's threshold) and whose smallest persona holds at least {floor:.0%} "
                    "(personas.min_share)."
                )
            else:
                rule = (
                    f"k = {k}: no number of personas between {low} and {high} has every persona stable under "
                    "resampling, so k is the most reproducible one overall (median adjusted Rand index of bootstrap "
                    f"refits; within 0.01 of the best, the larger k) whose smallest persona holds at least "
                    f"{floor:.0%} (personas.min_share)."
                )
        else:
            # A fixed k is still scored, so the reader sees how reproducible the chosen number of personas is.
            k = int(persona_settings.k)
            scores = scores.assign(chosen=True, too_small=scores["smallest_share"] < floor)
            rule = (
                f"k = {k}, fixed in the project file (personas.k); stability {scores['stability'].iat[0]:.2f} "
                "(median adjusted Rand index of bootstrap refits, 1 = identical)."
            )
        model = model.set_params(n_clusters=k).fit(X, sample_weight=w)
    if weights is not None:
        scores["weighted"] = w is not None
    return model, scores, f"{algorithm_rule} {rule}{weighted_note}{unweighted_note}"


SILHOUETTE_DISTINCT = 0.25  # Kaufman & Rousseeuw: above 0.25 there is a substantial cluster structure
SILHOUETTE_OVERLAP = 0.15  # below it, survey personas are a split of a continuum (measured: notebook 03 tests)
ENTROPY_DISTINCT = 0.8  # Clark & Muthén: entropy >= 0.8 classifies respondents with high accuracy
ENTROPY_OVERLAP = 0.6
STABLE = 0.9  # bootstrap adjusted Rand index: the same personas come back when resampled


def separation(k_scores: pd.DataFrame, model) -> dict:
    """Return how distinct the personas are: the measure ('silhouette' for k-means, 'entropy' for latent classes),
    its value at the chosen k, the bootstrap stability, and the verdict ('distinct', 'overlapping' or
    'continuum') with the sentence a report shows."""
    row = (
        k_scores[k_scores["chosen"]].iloc[0]
        if "chosen" in k_scores and k_scores["chosen"].any()
        else (k_scores.iloc[0] if len(k_scores) else pd.Series(dtype=float))
    )
    stability = float(row.get("stability", np.nan))
    if getattr(model, "algorithm", "") == "lca":
        measure, value = "entropy", float(row.get("entropy", getattr(model, "entropy_", np.nan)))
        distinct, overlap = ENTROPY_DISTINCT, ENTROPY_OVERLAP
    else:
        measure, value = "silhouette", float(row.get("silhouette", np.nan))
        distinct, overlap = SILHOUETTE_DISTINCT, SILHOUETTE_OVERLAP
    weakest = float(row.get("weakest_persona_jaccard", np.nan))
    if measure == "entropy":
        stable = np.isfinite(stability) and stability >= LCA_STABLE
    else:  # every persona must come back (Hennig), not only the partition on average
        stable = (
            np.isfinite(stability) and stability >= STABLE and (not np.isfinite(weakest) or weakest >= PERSONA_STABLE)
        )
    if np.isfinite(value) and value >= distinct and stable:
        verdict = "distinct"
    elif np.isfinite(value) and value >= overlap and stable:
        verdict = "overlapping"
    else:
        verdict = "continuum"
    return {
        "measure": measure,
        "value": value,
        "stability": stability,
        "weakest_persona": weakest,
        "stable": bool(stable),
        "verdict": verdict,
        "distinct_at": distinct,
        "overlap_at": overlap,
    }
