"""Persona segments: the estimator's contract, the choice of k and the planted personas, profiles, privacy,
the persona map, saving and reloading, and new waves (`alignkit assign`)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import Pipeline

from alignkit import plots, stats
from alignkit.config import ProjectSettings
from alignkit.demo.generator import write_survey_wave
from alignkit.errors import ConfigError
from alignkit.personas.map import _fuzzy_graph, persona_map
from alignkit.personas.model import PersonaModel, choose_k, persona_features
from alignkit.personas.profiles import auto_names, persona_sizes, share_drift
from alignkit.personas.analysis import analyse, load_result, save_result, write_personas_report
from alignkit.privacy import pseudonymise


@pytest.fixture(scope="session")
def processed(prepared, demo_settings: ProjectSettings) -> ProjectSettings:
    """The demo project's data/processed, as notebook 01 writes it."""
    from alignkit.prepare.tables import write_processed

    write_processed(prepared, demo_settings.processed_dir)
    return demo_settings


@pytest.fixture(scope="session")
def result(processed: ProjectSettings):
    """The whole persona analysis of the demo data, saved like notebook 03 saves it."""
    outcome = analyse(processed)
    save_result(outcome, processed)
    return outcome


@pytest.fixture(scope="session")
def truth_persona(result, truth, demo_settings) -> pd.Series:
    """The planted persona of each respondent, aligned with result.assignments."""
    ids = pd.Series(list(truth["survey"]["persona_by_response_id"]))
    keys = pseudonymise(ids, salt=demo_settings.pseudonym_salt())
    planted = dict(zip(keys, truth["survey"]["persona_by_response_id"].values()))
    return result.assignments["respondent_key"].map(planted)


@pytest.fixture(scope="session")
def small_answers() -> pd.DataFrame:
    """Three clearly separated groups of mixed answers (ordered, single, multi, numeric, some missing)."""
    rng = np.random.default_rng(0)
    group = np.repeat([0, 1, 2], 60)
    scale = ["Low", "Mid", "High"]
    frame = pd.DataFrame({
        "attitude": pd.Categorical(np.array(scale)[group], categories=scale, ordered=True),
        "role": pd.Categorical(np.where(group == 1, "IT", np.where(rng.random(180) < 0.5, "Sales", "Ops"))),
        "ticked": (group == 2) | (rng.random(180) < 0.05),
        "team": np.exp(group * 1.5 + rng.normal(0, 0.3, 180)).round(),
        **{f"channel_{j}": rng.random(180) < 0.5 for j in range(8)},
    })
    frame.loc[[3, 70], "attitude"] = np.nan
    return frame


# --- the estimator ----------------------------------------------------------------------------------------------


def test_persona_model_is_a_scikit_learn_estimator(small_answers):
    model = PersonaModel(3, random_state=0)
    with pytest.raises(NotFittedError):
        model.predict(small_answers)
    assert model.get_params()["n_clusters"] == 3
    assert clone(model).set_params(n_clusters=4).get_params()["n_clusters"] == 4
    fitted = model.fit(small_answers)
    assert fitted is model and model.n_clusters_ == 3 and len(model.labels_) == len(small_answers)
    assert model.missing_counts_["attitude"] == 2
    names = model.get_feature_names_out()
    assert model.transform(small_answers).shape == (len(small_answers), len(names))
    assert {"attitude", "role_IT", "ticked", "team"} <= set(names)
    np.testing.assert_array_equal(model.predict(small_answers), model.labels_)
    assert adjusted_rand_score(np.repeat([0, 1, 2], 60), model.labels_) > 0.9
    assert np.bincount(model.labels_).tolist() == sorted(np.bincount(model.labels_).tolist(), reverse=True)


def test_persona_model_pickles_and_fits_in_a_pipeline(small_answers, tmp_path):
    model = PersonaModel(3, random_state=0).fit(small_answers)
    joblib.dump(model, tmp_path / "model.joblib")
    again = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(again.predict(small_answers), model.predict(small_answers))
    pipeline = Pipeline([("personas", PersonaModel(3, random_state=0))]).fit(small_answers)
    np.testing.assert_array_equal(pipeline.predict(small_answers), model.labels_)
    weighted = PersonaModel(3, random_state=0).fit(small_answers, sample_weight=np.ones(len(small_answers)))
    np.testing.assert_array_equal(weighted.labels_, model.labels_)
    blocks = {f"channel_{j}": "channels" for j in range(8)}
    for algorithm in ("gmm", "agglomerative"):
        other = PersonaModel(3, algorithm=algorithm, blocks=blocks, random_state=0).fit(small_answers)
        assert adjusted_rand_score(np.repeat([0, 1, 2], 60), other.predict(small_answers)) > 0.8
    with pytest.raises(ValueError, match="sample weights"):
        PersonaModel(3, algorithm="gmm").fit(small_answers, sample_weight=np.ones(len(small_answers)))


def test_every_question_carries_the_same_weight(small_answers):
    blocks = {f"channel_{j}": "channels" for j in range(8)}
    model = PersonaModel(3, blocks=blocks, random_state=0).fit(small_answers)
    Z = model.transform(small_answers)
    names = list(model.get_feature_names_out())
    block_of = [blocks.get(n, n.split("_")[0] if n.startswith("role_") else n) for n in names]
    variance = pd.Series(Z.var(axis=0), index=block_of).groupby(level=0).sum()
    np.testing.assert_allclose(variance.to_numpy(), 1.0, rtol=1e-9)   # eight channel options weigh as one question


def test_scikit_learn_estimator_checks_pass():
    from sklearn.utils.estimator_checks import check_estimator

    expected = {"check_sample_weight_equivalence_on_dense_data":
                "imputation and robust scaling use unweighted medians; weights act on question weights and k-means"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(PersonaModel(3, n_init=2, random_state=0), expected_failed_checks=expected, on_fail=None)
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert failed == []


def test_features_come_from_the_codebook(prepared):
    codebook = prepared.codebook
    all_answers = persona_features(codebook)
    assert set(all_answers["kind"]) == {"likert", "single", "multi", "numeric"}
    assert "q8" not in set(all_answers["column"]) and "respondent_key" not in set(all_answers["column"])
    assert set(all_answers.loc[all_answers["kind"] == "multi", "block"]) == {"q6"}
    narrowed = persona_features(codebook, features=["q4", "q6"], profile_only=["q4_8"])
    assert set(narrowed["column"]) == {f"q4_{i}" for i in range(1, 8)} | {f"q6_{i}" for i in range(1, 7)}
    with pytest.raises(ConfigError, match="personas.features.*q44"):
        persona_features(codebook, features=["q44"])


# --- the demo: planted personas ---------------------------------------------------------------------------------


def test_chosen_k_is_the_planted_number_of_personas(result, truth):
    assert result.k == truth["survey"]["n_personas"]
    assert result.k_scores.loc[result.k_scores["chosen"], "k"].tolist() == [result.k]
    assert set(result.k_scores["k"]) == set(range(2, 11))


def test_personas_recover_the_planted_ones(result, truth_persona):
    assert truth_persona.notna().all()
    assert adjusted_rand_score(truth_persona, result.assignments["persona_id"]) >= 0.8


def test_flagged_responses_are_left_out_of_fitting_and_still_assigned(result, prepared):
    assignments = result.assignments
    assert len(assignments) == len(prepared.responses)
    assert assignments["used_in_fit"].tolist() == prepared.responses["quality_ok"].tolist()
    assert (~assignments["used_in_fit"]).sum() > 0 and assignments["persona_id"].notna().all()
    assert result.fit["count"].iat[1] == prepared.responses["quality_ok"].sum()


def test_traits_describe_the_planted_differences(result):
    security = result.top[result.top["description"].str.contains("Data security is our top buying criterion")]
    assert len(security) and (security["std_diff"].abs() > 1).all()
    traits = result.traits
    assert (traits["q_value"] >= traits["p_value"] - 1e-12).all()
    assert traits.groupby("persona_id").size().nunique() == 1
    assert result.top.groupby("persona_id").size().max() == 5
    assert len(set(result.names.values())) == result.k


def test_crm_outcome_per_persona(result):
    crm = result.crm
    assert crm["linked"].sum() > 0.3 * len(result.assignments)
    shown = crm[~crm["suppressed"]]
    assert ((shown["ci_low"] <= shown["conversion_rate"]) & (shown["conversion_rate"] <= shown["ci_high"])).all()
    assert shown["top_sources"].str.len().gt(0).all()


def test_small_personas_are_suppressed_and_names_can_be_overridden():
    ids = pd.Series([1] * 50 + [2] * 4)
    sizes = persona_sizes(ids, {1: "Big", 2: "Tiny"}, min_group_size=10)
    assert sizes.loc[1, "suppressed"] and pd.isna(sizes.loc[1, "share"]) and pd.isna(sizes.loc[1, "n"])
    traits = pd.DataFrame({"persona_id": [1, 2], "kind": ["single", "likert"], "answer": ["IT", "x"],
                           "item": ["", "Security first"], "std_diff": [1.0, 1.0], "sets_apart": [True, True]})
    assert auto_names(traits, [1, 2]) == {1: "IT", 2: "Security first"}
    assert auto_names(traits, [1, 2], overrides={2: "Security leaders"})[2] == "Security leaders"


def test_report_hides_small_groups_and_is_written(result, processed):
    path = write_personas_report(result, processed)
    html = path.read_text(encoding="utf-8")
    assert path.name == "03_persona_segments.html" and "Persona 1:" in html and "Why this number of personas" in html
    assert (path.parent / "03_persona_segments" / "k_scores.csv").exists()
    assert "@" not in pd.read_csv(path.parent / "03_persona_segments" / "sizes.csv").to_csv()


# --- map, colours, saving ---------------------------------------------------------------------------------------


def test_fuzzy_graph_matches_umap_and_map_is_reproducible():
    import umap.umap_ as umap_

    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(1)
    Z = rng.normal(size=(400, 6))
    dist, index = NearestNeighbors(n_neighbors=10).fit(Z).kneighbors(Z)
    ours = _fuzzy_graph(index, dist).tocsr()
    theirs = umap_.fuzzy_simplicial_set(Z, 10, np.random.RandomState(0), "euclidean", knn_indices=index,
                                        knn_dists=dist)[0].tocsr()
    assert abs(ours - theirs).max() < 1e-4
    first = persona_map(Z, random_state=3, fit_rows=300)
    np.testing.assert_array_equal(first, persona_map(Z, random_state=3, fit_rows=300))
    assert first.shape == (400, 2) and np.isfinite(first).all()


def test_persona_colours_are_fixed_by_persona_number():
    colours = plots.persona_colours({2: "B", 1: "A", 3: "C"})
    assert colours == {"A": plots.PALETTE[0], "B": plots.PALETTE[1], "C": plots.PALETTE[2]}
    assert plots.persona_colours(["A", "B"])["B"] == plots.PALETTE[1]


def test_saved_model_rebuilds_the_result_without_refitting(result, processed):
    folder = processed.processed_dir
    personas = pd.read_parquet(folder / "personas.parquet")
    assert list(personas.columns) == ["respondent_key", "lead_key", "persona_id", "persona", "used_in_fit"]
    assert personas["persona_id"].dtype == "int64"
    bundle = joblib.load(folder / "persona_model.joblib")
    assert {"model", "codebook", "names"} <= set(bundle)
    again = load_result(processed)
    pd.testing.assert_frame_equal(again.assignments, result.assignments)
    pd.testing.assert_frame_equal(again.sizes, result.sizes)


# --- new waves ----------------------------------------------------------------------------------------------------


def test_a_wave_with_one_persona_doubled_is_named_first(result, processed, truth_persona, tmp_path):
    from alignkit.personas.waves import assign_wave, write_wave_outputs

    planted = 2                                           # "Hands-on growth marketers": 22% → 44%
    ours = pd.crosstab(truth_persona, result.assignments["persona_id"]).loc[planted].idxmax()
    wave, _ = write_survey_wave(tmp_path / "wave_2027.csv", persona_shares={planted: 0.44})
    outcome = assign_wave(wave, processed)
    first = outcome.shares.iloc[0]
    assert first["persona_id"] == ours and first["change"] > 0.1 and first["moved"]
    written = write_wave_outputs(outcome, processed)
    csv = pd.read_csv(written["assignments"])
    assert list(csv.columns) == ["respondent_key", "persona_id", "persona", "quality_ok"]
    assert not csv.astype(str).apply(lambda c: c.str.contains("@")).any().any()
    assert written["report"].name == "03_persona_drift_wave_2027.html"


def test_assign_refuses_a_wave_with_another_scale(processed, tmp_path):
    wave, _ = write_survey_wave(tmp_path / "relabelled.csv", n_responses=200)
    text = wave.read_text(encoding="utf-8-sig").replace("Strongly agree", "Totally agree")
    wave.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "alignkit.cli", "assign", str(wave), "--project",
                             str(processed.source_file)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 2
    assert "relabelled.csv" in result.stderr and "q4_1" in result.stderr and "Fix:" in result.stderr


# --- statistics ---------------------------------------------------------------------------------------------------


def test_effect_size_helpers():
    diff, low, high = stats.proportion_difference(56, 70, 48, 80)          # Newcombe (1998), example (a)
    assert (round(diff, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)
    assert stats.total_variation_distance([1, 0], [0, 1]) == 1.0
    assert stats.cramers_v([[10, 0], [0, 10]]) == pytest.approx(1.0)
    share = stats.compare_share(pd.Series([True] * 30 + [False] * 70), np.r_[np.ones(50), np.zeros(50)].astype(bool))
    assert share["value_in"] == 0.6 and share["value_out"] == 0.0 and share["p_value"] < 1e-6
    mean = stats.compare_mean(pd.Series(np.r_[np.ones(50) * 2, np.ones(50)]), np.r_[np.ones(50), np.zeros(50)].astype(bool))
    assert mean["lift"] == 2.0 and mean["std_diff"] == np.inf


def test_share_drift_orders_by_size_of_move():
    before = pd.Series([1] * 50 + [2] * 50)
    after = pd.Series([1] * 20 + [2] * 80)
    table = share_drift(before, after, {1: "A", 2: "B"})
    assert table["change"].abs().tolist() == pytest.approx([0.3, 0.3])
    assert table["moved"].all() and (table["change_ci_low"] < table["change"]).all()


def test_choose_k_takes_the_largest_of_the_most_reproducible():
    scores = pd.DataFrame({"k": [2, 3, 4, 5, 6], "stability": [0.95, 0.80, 0.999, 0.995, 0.93]})
    k, table = choose_k(scores)
    assert k == 5 and table["chosen"].sum() == 1


def test_a_fixed_k_is_still_scored_so_the_notebook_can_show_it(prepared, demo_settings):
    import matplotlib.pyplot as plt

    from alignkit.personas.analysis import fit_personas

    fixed = demo_settings.personas.model_copy(update={"k": 4})
    model, scores, rule = fit_personas(prepared.responses, prepared.codebook, fixed, seed=0, weights=None)
    assert model.n_clusters == 4
    assert scores["k"].tolist() == [4] and scores["chosen"].tolist() == [True]
    assert 0 <= scores["stability"].iat[0] <= 1 and "fixed in the project file" in rule
    ax = plots.plot_k_choice(scores)
    assert "k = 4" in ax.get_legend().get_texts()[-1].get_text()
    plt.close(ax.figure)
