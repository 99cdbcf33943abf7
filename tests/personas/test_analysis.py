"""The persona analysis: on the demo project the planted personas are recovered, flagged responses are left out of
fitting and still assigned, and the saved model rebuilds the result without refitting.

Weighted personas (issue 7, part 3): the demo project with its population margins switched on, k fixed to 5.
The fit uses k-means sample weights, sizes and profiles are weighted with Kish's effective n beside them, the
weighted persona shares move toward the planted population shares, load_result gives the same weighted numbers
without refitting, and weights of one give the unweighted numbers to the last digit. The lead profile's linked
survey answers are checked on the same weighted project."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from alignkit.config import load_settings
from alignkit.personas.analysis import analyse, describe, load_result, save_result
from alignkit.personas.fitting import fit_personas
from alignkit.personas.profiles import crm_outcomes, persona_sizes, persona_traits, typical_answers
from alignkit.personas.report import write_personas_report
from alignkit.privacy import pseudonymise
from tests.conftest import make_project


def enable_demo_weighting(project: Path) -> None:
    """Uncomment the survey.weighting block the demo project file ships commented out."""
    lines = project.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "# weighting:")
    end = start
    while end < len(lines) and lines[end].lstrip().startswith("#"):
        lines[end] = lines[end].replace("# ", "", 1)
        end += 1
    project.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def weighted_project(tmp_path_factory, demo_project: Path):
    """The demo project with survey weighting on and k fixed to 5, prepared (notebook 01) and its personas fitted,
    saved and reported (notebook 03)."""
    from alignkit.prepare.tables import prepare, write_processed

    project = make_project(tmp_path_factory.mktemp("weighted"), raw_from=demo_project.parent / "data" / "raw")
    enable_demo_weighting(project)
    settings = load_settings(project)
    assert settings.survey.weighting is not None
    settings = settings.model_copy(update={"personas": settings.personas.model_copy(update={"k": 5})})
    write_processed(prepare(settings), settings.processed_dir)
    result = analyse(settings)
    save_result(result, settings)
    report = write_personas_report(result, settings)
    return settings, result, report


def planted_persona(settings, truth: dict, respondent_key: pd.Series) -> pd.Series:
    by_id = truth["survey"]["persona_by_response_id"]
    keys = pseudonymise(pd.Series(list(by_id), dtype="str"), salt=settings.pseudonym_salt())
    return respondent_key.map(dict(zip(keys, by_id.values())))


def planted_shares(persona_id: pd.Series, planted: pd.Series, weights: np.ndarray | None, k: int) -> np.ndarray:
    """Return the share of each planted persona, reading each fitted persona as the planted one most of its
    members belong to (majority vote), weighted or not."""
    w = np.ones(len(persona_id)) if weights is None else np.asarray(weights, dtype=float)
    vote = pd.crosstab(persona_id, planted).idxmax(axis=1)
    mapped = persona_id.map(vote).to_numpy()
    return np.array([w[mapped == j].sum() for j in range(k)]) / w.sum()


def test_weighted_persona_shares_move_toward_the_population(weighted_project, truth):
    settings, result, _ = weighted_project
    from alignkit.personas.analysis import load_inputs

    responses = load_inputs(settings)[0]
    weights = responses["weight"].fillna(0.0).to_numpy(dtype=float)
    assert result.weighted and result.model.sample_weighted_
    # the same data, fitted and described without the weights (the map is reused: it is not compared)
    plain = responses.drop(columns="weight")
    model, scores, rule = fit_personas(plain, load_inputs(settings)[1], settings.personas, seed=settings.seed)
    assert not model.sample_weighted_ and "survey weights" not in rule
    unweighted = describe(
        model,
        plain,
        load_inputs(settings)[1],
        load_inputs(settings)[2],
        settings,
        k_scores=scores,
        k_rule=rule,
        embedding=result.embedding,
    )
    assert not unweighted.weighted and "n_effective" not in unweighted.sizes

    population = np.asarray(truth["survey"]["persona_population_shares"])
    k = len(population)
    planted = planted_persona(settings, truth, result.assignments["respondent_key"])
    assert planted.notna().all()
    fitted_w = planted_shares(result.assignments["persona_id"], planted, weights, k)
    fitted_u = planted_shares(unweighted.assignments["persona_id"], planted, None, k)
    truth_u = planted.value_counts(normalize=True).reindex(range(k), fill_value=0).to_numpy()
    distance_u = 0.5 * np.abs(fitted_u - population).sum()
    distance_w = 0.5 * np.abs(fitted_w - population).sum()
    print("population ", np.round(population, 3))
    print("planted, respondents", np.round(truth_u, 3))
    print(f"unweighted personas {np.round(fitted_u, 3)} TVD {distance_u:.3f}")
    print(f"weighted personas   {np.round(fitted_w, 3)} TVD {distance_w:.3f}")
    print(result.sizes.to_string())
    print(unweighted.sizes.to_string())
    assert distance_w < 0.6 * distance_u  # measured: 0.096 unweighted, 0.004 weighted
    # the sizes table's weighted shares are the same shares, persona by persona
    shares = result.sizes.set_index("persona_id")["share"]
    by_persona = pd.Series(weights).groupby(result.assignments["persona_id"].to_numpy()).sum() / weights.sum()
    np.testing.assert_allclose(shares.to_numpy(), by_persona.reindex(shares.index).to_numpy())


def test_weighted_result_says_so_and_shows_effective_sample_sizes(weighted_project):
    _, result, report = weighted_project
    sizes = result.sizes
    assert {"n_effective", "design_effect"} <= set(sizes.columns)
    shown = sizes[~sizes["suppressed"]]
    assert (shown["n_effective"] < shown["n"]).all() and (shown["design_effect"] > 1).all()
    row = result.weighting.iloc[0]
    assert row["fitted_with_weights"] and row["n_effective"] < row["weighted_responses"] <= row["responses"]
    assert "Fitted with survey weights" in " ".join(result.fit["what"]) and "survey weights" in result.k_rule
    assert {"n_effective", "design_effect"} <= set(result.crm.columns)
    html = report.read_text(encoding="utf-8")
    assert "Weighted:" in html and "effective sample size" in html and "design effect" in html
    assert "Persona sizes (weighted)" in html and "n_effective" in html
    n_eff = f"{row['n_effective']:,.0f}"
    assert n_eff in html
    assert any(
        "weighted" in line for line in __import__("alignkit.personas.analysis", fromlist=["headline"]).headline(result)
    )
    assert "weighted share of respondents" in result._repr_html_()
    sizes_csv = pd.read_csv(report.parent / "03_persona_segments" / "sizes.csv")
    assert "n_effective" in sizes_csv.columns


def test_load_result_gives_the_same_weighted_numbers(weighted_project):
    settings, result, _ = weighted_project
    again = load_result(settings)
    for name in ("sizes", "traits", "top", "typical", "crm", "fit", "weighting"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(result, name), check_exact=True, obj=name)


def test_weights_of_one_give_the_unweighted_numbers_to_the_last_digit(weighted_project):
    settings, result, _ = weighted_project
    from alignkit.personas.analysis import load_inputs

    responses, codebook, leads = load_inputs(settings)
    plain = responses.drop(columns="weight")
    ones = plain.assign(weight=1.0)
    model_u, scores_u, rule_u = fit_personas(plain, codebook, settings.personas, seed=settings.seed)
    model_1, scores_1, _ = fit_personas(ones, codebook, settings.personas, seed=settings.seed)
    np.testing.assert_array_equal(model_u.labels_, model_1.labels_)
    np.testing.assert_array_equal(model_u.cluster_centers_, model_1.cluster_centers_)
    u = describe(
        model_u, plain, codebook, leads, settings, k_scores=scores_u, k_rule=rule_u, embedding=result.embedding
    )
    one = describe(
        model_1, ones, codebook, leads, settings, k_scores=scores_1, k_rule=rule_u, embedding=result.embedding
    )
    assert one.weighted and not u.weighted
    for name in ("sizes", "traits", "top", "typical", "crm"):
        a, b = getattr(u, name), getattr(one, name)
        pd.testing.assert_frame_equal(a, b[a.columns], check_exact=True, obj=name)
    assert one.names == u.names
    # the profile functions directly, weights of one against none
    pid = u.assignments["persona_id"]
    pd.testing.assert_frame_equal(
        persona_sizes(pid, u.names),
        persona_sizes(pid, u.names, weights=pd.Series(1.0, index=pid.index))[
            ["persona_id", "persona", "n", "share", "ci_low", "ci_high", "suppressed"]
        ],
        check_exact=True,
    )
    w1 = pd.Series(1.0, index=plain.index)
    pd.testing.assert_frame_equal(
        persona_traits(plain, pid, codebook), persona_traits(plain, pid, codebook, weights=w1), check_exact=True
    )
    pd.testing.assert_frame_equal(
        typical_answers(plain, pid, codebook, u.names),
        typical_answers(plain, pid, codebook, u.names, weights=w1),
        check_exact=True,
    )
    crm_u = crm_outcomes(
        u.assignments, leads, u.names, stages=settings.funnel.stage_names, sql_stage=settings.funnel.sql_stage
    )
    crm_1 = crm_outcomes(
        u.assignments,
        leads,
        u.names,
        stages=settings.funnel.stage_names,
        sql_stage=settings.funnel.sql_stage,
        weights=w1,
    )
    pd.testing.assert_frame_equal(crm_u, crm_1[crm_u.columns], check_exact=True)


def test_gmm_is_fitted_unweighted_and_says_so(weighted_project):
    settings, _, _ = weighted_project
    from alignkit.personas.analysis import load_inputs

    responses, codebook, _ = load_inputs(settings)
    gmm = settings.personas.model_copy(update={"algorithm": "gmm", "k": 3})
    model, _, rule = fit_personas(responses.head(400), codebook, gmm, seed=settings.seed)
    assert not model.sample_weighted_ and "takes no sample weights" in rule


# ------------------------------------------------------------------------- the lead profile's linked survey answers


def test_weighted_lead_profile_of_linked_leads(weighted_project):
    from alignkit import leads
    from alignkit.leads.profile import WEIGHT

    settings, _, _ = weighted_project
    result = leads.analyse(settings, fit=False)
    weighting = result.linked_weighting
    assert weighting is not None and weighting["n_effective"].iat[0] < weighting["weighted_leads"].iat[0]
    assert "n_effective" in result.linked_values and "n_effective" in result.linked_associations
    assert WEIGHT not in set(result.linked_associations["attribute"])
    assert "persona" in set(result.linked_associations["attribute"])
    shown = result.linked_values.dropna(subset=["rate"])
    assert (shown["n_effective"] <= shown["leads"] + 1e-9).all()
    report = leads.write_leads_report(result, settings).read_text(encoding="utf-8")
    assert "Weighted:" in report and "linked leads only, weighted" in report and "effective sample size" in report
    assert "only the survey answers and personas of linked leads use the survey weights" in report


def test_lead_profile_weights_of_one_give_the_unweighted_numbers(weighted_project):
    from alignkit.leads import analysis as leads
    from alignkit.leads.profile import WEIGHT, associations, conversion_by_value, linked_attributes

    settings, _, _ = weighted_project
    inputs = leads.load_inputs(settings)
    frame, _ = linked_attributes(inputs.leads, inputs.responses.assign(weight=1.0), inputs.codebook, inputs.personas)
    ones = frame.pop(WEIGHT).to_numpy()
    assert (ones == 1).all()
    fields = [c for c in frame.columns if c not in ("lead_key", "converted")]
    plain = conversion_by_value(frame, fields, min_group_size=settings.privacy.min_group_size)
    weighted = conversion_by_value(frame, fields, min_group_size=settings.privacy.min_group_size, weights=ones)
    pd.testing.assert_frame_equal(plain, weighted[plain.columns], check_exact=True)
    plain = associations(frame, fields)
    weighted = associations(frame, fields, weights=ones)
    pd.testing.assert_frame_equal(plain, weighted[plain.columns], check_exact=True)


def test_k_table_says_whether_weights_were_used(weighted_project):
    from alignkit import plots
    from alignkit.personas.analysis import load_inputs

    settings, result, _ = weighted_project
    responses, codebook, _ = load_inputs(settings)
    auto = settings.personas.model_copy(update={"k": "auto", "k_range": (2, 3)})
    part = responses.head(600)
    model, scores, rule = fit_personas(part, codebook, auto, seed=settings.seed)
    assert scores["weighted"].all() and model.sample_weighted_ and "survey weights" in rule
    _, plain, _ = fit_personas(part.drop(columns="weight"), codebook, auto, seed=settings.seed)
    assert "weighted" not in plain
    import matplotlib.pyplot as plt

    ax = plots.plot_persona_sizes(result.sizes[~result.sizes["suppressed"]])
    title, xlabel = ax.get_title(loc="left"), ax.get_xlabel()
    plt.close(ax.figure)
    assert "weighted" in title and "Weighted" in xlabel


# --- the demo, unweighted: planted personas, flagged responses, saving and reloading ------------------------------


def test_personas_recover_the_planted_ones(result, truth_persona):
    assert truth_persona.notna().all()
    assert adjusted_rand_score(truth_persona, result.assignments["persona_id"]) >= 0.95


def test_flagged_responses_are_left_out_of_fitting_and_still_assigned(result, prepared):
    assignments = result.assignments
    assert len(assignments) == len(prepared.responses)
    assert assignments["used_in_fit"].tolist() == prepared.responses["quality_ok"].tolist()
    assert (~assignments["used_in_fit"]).sum() > 0 and assignments["persona_id"].notna().all()
    assert result.fit["count"].iat[1] == prepared.responses["quality_ok"].sum()


def test_saved_model_rebuilds_the_result_without_refitting(result, processed):
    folder = processed.processed_dir
    personas = pd.read_parquet(folder / "personas.parquet")
    assert list(personas.columns) == ["respondent_key", "lead_key", "persona_id", "persona", "used_in_fit", "segmented"]
    assert personas["persona_id"].dtype == "Int64"  # <NA>: answered too few persona questions, in no persona
    bundle = joblib.load(folder / "persona_model.joblib")
    assert {"model", "codebook", "names"} <= set(bundle)
    again = load_result(processed)
    pd.testing.assert_frame_equal(again.assignments, result.assignments)
    pd.testing.assert_frame_equal(again.sizes, result.sizes)
