"""The persona estimator: its scikit-learn contract, every question weighing the same, and the answers from the
codebook that form the personas."""

from __future__ import annotations

import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import Pipeline

from alignkit.errors import ConfigError
from alignkit.personas.model import PersonaModel, persona_features


@pytest.fixture(scope="session")
def small_answers() -> pd.DataFrame:
    """Three clearly separated groups of mixed answers (ordered, single, multi, numeric, some missing)."""
    rng = np.random.default_rng(0)
    group = np.repeat([0, 1, 2], 60)
    scale = ["Low", "Mid", "High"]
    frame = pd.DataFrame(
        {
            "attitude": pd.Categorical(np.array(scale)[group], categories=scale, ordered=True),
            "role": pd.Categorical(np.where(group == 1, "IT", np.where(rng.random(180) < 0.5, "Sales", "Ops"))),
            "ticked": (group == 2) | (rng.random(180) < 0.05),
            "team": np.exp(group * 1.5 + rng.normal(0, 0.3, 180)).round(),
            **{f"channel_{j}": rng.random(180) < 0.5 for j in range(8)},
        }
    )
    frame.loc[[3, 70], "attitude"] = np.nan
    return frame


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
    np.testing.assert_allclose(variance.to_numpy(), 1.0, rtol=1e-9)  # eight channel options weigh as one question


def test_scikit_learn_estimator_checks_pass():
    from sklearn.utils.estimator_checks import check_estimator

    expected = {
        "check_sample_weight_equivalence_on_dense_data": "imputation and robust scaling use unweighted medians; "
        "weights act on question weights and k-means"
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(
            PersonaModel(3, n_init=2, random_state=0), expected_failed_checks=expected, on_fail=None
        )
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
    with pytest.raises(ConfigError, match=r"personas\.features.*q44"):
        persona_features(codebook, features=["q44"])
