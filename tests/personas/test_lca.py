"""The latent class persona model: it recovers planted classes (with answers missing at random and with a block of
questions asked to only some respondents), picks the planted number of classes, reports an entropy that tells
separated classes from noise, and keeps the scikit-learn contract of PersonaModel."""

from __future__ import annotations

import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import adjusted_rand_score

from alignkit.personas.lca import LatentClassModel, choose_lca_k, relative_entropy, score_lca_k

LEVELS = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
SHARES = (0.45, 0.33, 0.22)
BLOCKS = {f"channel_{j}": "channel" for j in range(1, 4)}
SEPARATION = 0.7  # how sharply each class's Likert answers peak at its level (0 = no structure)


def planted_survey(
    n: int = 900, *, seed: int = 0, missing: float = 0.0, structure: bool = True
) -> tuple[pd.DataFrame, np.ndarray]:
    """Return n answers from three planted latent classes (shares 45/33/22%) and each row's class: ten 5-level
    Likert items (each class peaks at a different level), two single-selects, a 3-option multi-select group;
    `missing` of every answer blanked at random. `structure=False`: the same survey answered at random."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(3, n, p=SHARES) if structure else np.zeros(n, dtype=int)
    columns = {}
    peaks = np.array([0, 2, 4])
    for j in range(10):
        peak = peaks[(truth + j) % 3]
        p = np.exp(-SEPARATION * np.abs(np.arange(5)[None, :] - peak[:, None])) if structure else np.ones((n, 5))
        draw = ((p / p.sum(axis=1, keepdims=True)).cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
        columns[f"q{j + 1}"] = pd.Categorical(np.array(LEVELS)[draw], categories=LEVELS, ordered=True)
    for name, options in (("role", ["IT", "Sales", "Ops", "HR"]), ("region", ["North", "South", "East"])):
        p = np.full((n, len(options)), 0.15)
        if structure:
            p[np.arange(n), truth % len(options)] = 0.6
        draw = ((p / p.sum(axis=1, keepdims=True)).cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
        columns[name] = pd.Categorical(np.array(options)[draw])
    for j in range(1, 4):
        columns[f"channel_{j}"] = rng.random(n) < (np.where(truth == j - 1, 0.8, 0.15) if structure else 0.4)
    frame = pd.DataFrame(columns)
    if missing:
        for column in list(frame.columns):
            gone = rng.random(n) < missing
            if frame[column].dtype == bool:
                frame[column] = pd.array(frame[column], dtype="boolean")
            frame.loc[gone, column] = None
    return frame, truth


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, np.ndarray]:
    return planted_survey()


@pytest.fixture(scope="module")
def fitted(planted) -> LatentClassModel:
    return LatentClassModel(3, blocks=BLOCKS, random_state=0).fit(planted[0])


def test_recovers_planted_classes(planted, fitted):
    answers, truth = planted
    model = fitted
    assert model.algorithm == "lca" and model.n_clusters_ == 3
    assert adjusted_rand_score(truth, model.labels_) >= 0.9
    assert model.entropy_ >= 0.8
    sizes = np.bincount(model.labels_, minlength=3)
    assert sizes.tolist() == sorted(sizes.tolist(), reverse=True)  # persona 0 is the largest
    np.testing.assert_allclose(model.class_shares_.sum(), 1.0)
    np.testing.assert_allclose(model.class_shares_, sizes / sizes.sum(), atol=0.03)
    proba = model.predict_proba(answers)
    assert proba.shape == (len(answers), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(answers), model.labels_)
    assert model.kinds_["q1"] == "likert" and model.kinds_["role"] == "single" and model.kinds_["channel_1"] == "multi"
    assert model.question_weights_.to_dict() == {
        **{f"q{j}": 1.0 for j in range(1, 11)},
        "role": 1.0,
        "region": 1.0,
        "channel": 1.0,
    }
    assert np.isfinite([model.log_likelihood_, model.bic_, model.aic_]).all() and model.bic_ > model.aic_
    names = model.get_feature_names_out()
    Z = model.transform(answers)
    assert Z.shape == (len(answers), len(names)) and model.cluster_centers_.shape == (3, len(names))
    assert model.distances(answers).shape == (len(answers), 3)
    np.testing.assert_allclose(model.entropy_, relative_entropy(proba))


def test_recovers_classes_with_answers_missing_at_random():
    answers, truth = planted_survey(seed=1, missing=0.3)
    answers["never_answered"] = pd.Categorical([None] * len(answers), categories=["Yes", "No"])
    model = LatentClassModel(3, blocks=BLOCKS, random_state=0).fit(answers)
    assert adjusted_rand_score(truth, model.labels_) >= 0.8
    pd.testing.assert_series_equal(model.missing_counts_, answers.isna().sum().astype(int), check_names=False)
    assert model.missing_counts_.drop("never_answered").between(200, 340).all()  # ~30% of 900, not imputed
    assert model.unused_features_ == ["never_answered"] and model.missing_counts_["never_answered"] == 900


def test_a_block_asked_to_some_respondents_only():
    answers, truth = planted_survey(seed=2)
    block = ["q7", "q8", "q9", "q10"]
    asked = np.random.default_rng(3).random(len(answers)) < 0.6
    answers.loc[~asked, block] = np.nan
    model = LatentClassModel(3, blocks=BLOCKS, random_state=0).fit(answers)
    assert adjusted_rand_score(truth[asked], model.labels_[asked]) >= 0.9
    assert adjusted_rand_score(truth[~asked], model.labels_[~asked]) >= 0.8  # fewer answers, still classified
    assert (model.missing_counts_[block] == (~asked).sum()).all()
    # The same block entered as a "not asked" level: four answers that are "not asked" together break the
    # independence of answers within a class, so being asked becomes a class of its own. Leave skips missing.
    marked = LatentClassModel(3, blocks=BLOCKS, random_state=0, not_asked=block).fit(answers)
    assert marked.kinds_["q7"] == "single" and marked.missing_counts_["q7"] == 0
    assert adjusted_rand_score(asked, marked.labels_) > 0.6 > adjusted_rand_score(truth, marked.labels_)


def test_score_lca_k_and_choose_lca_k_find_the_planted_three(planted):
    answers, _ = planted
    scores = score_lca_k(answers, [2, 3, 4], features=list(answers.columns), blocks=BLOCKS, n_bootstrap=2, n_init=2)
    assert list(scores.columns[:8]) == [
        "k",
        "bic",
        "aic",
        "entropy",
        "log_likelihood",
        "smallest_share",
        "stability",
        "stability_lowest",
    ]
    k, table = choose_lca_k(scores)
    assert k == 3 and table.loc[table["chosen"], "k"].tolist() == [3]
    assert table.set_index("k").loc[3, "stability"] >= 0.9
    again = score_lca_k(answers, [3], features=list(answers.columns), blocks=BLOCKS, n_bootstrap=2, n_init=2)
    pd.testing.assert_frame_equal(again, scores[scores["k"] == 3].reset_index(drop=True))  # seeded


def test_entropy_and_bic_on_answers_without_structure():
    # Relative entropy measures how certain the model is of its own classes, and spurious classes fitted to
    # noise can be quite certain when respondents are few per parameter: at 900 respondents this survey's
    # noise gave 0.4-0.75 over seeds. With 3,000 respondents it stays under 0.5 (0.23-0.42 over six seeds).
    noise, _ = planted_survey(3000, seed=4, structure=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a flat likelihood converges slowly
        model = LatentClassModel(3, blocks=BLOCKS, random_state=0, n_init=1, max_iter=150).fit(noise)
    assert model.entropy_ < 0.5
    # what does tell noise from structure: BIC prefers a single class
    small, _ = planted_survey(600, seed=5, structure=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = score_lca_k(small, [1, 2, 3], features=None, blocks=BLOCKS, n_bootstrap=0, n_init=1)
    assert choose_lca_k(scores)[0] == 1


def test_choose_lca_k_skips_a_k_with_a_tiny_class():
    scores = pd.DataFrame(
        {"k": [2, 3, 4, 5], "bic": [120.0, 100.0, 90.0, 95.0], "smallest_share": [0.30, 0.12, 0.03, 0.01]}
    )
    k, table = choose_lca_k(scores, min_share=0.05)
    assert k == 3
    assert table["too_small"].tolist() == [False, False, True, True]
    assert table["chosen"].tolist() == [False, True, False, False]
    assert choose_lca_k(scores, min_share=0.0)[0] == 4
    assert choose_lca_k(scores, min_share=0.5)[0] == 2  # none big enough: the smallest k


def test_deterministic_clones_and_pickles(planted, fitted, tmp_path):
    answers, _ = planted
    with pytest.raises(NotFittedError):
        LatentClassModel(3).predict(answers)
    model = LatentClassModel(3, blocks=BLOCKS, random_state=0)
    assert clone(model).set_params(n_clusters=4).get_params()["n_clusters"] == 4
    np.testing.assert_array_equal(clone(model).fit(answers).labels_, fitted.labels_)
    joblib.dump(fitted, tmp_path / "lca.joblib")
    again = joblib.load(tmp_path / "lca.joblib")
    np.testing.assert_array_equal(again.predict(answers), fitted.predict(answers))
    np.testing.assert_allclose(again.predict_proba(answers), fitted.predict_proba(answers))


def test_predicts_new_rows_with_unseen_levels_and_reordered_columns(planted, fitted):
    answers, _ = planted
    new = answers.iloc[:20].copy()
    new["role"] = pd.Categorical(["Legal"] * 10 + list(new["role"].iloc[10:].astype(str)))  # a level never seen
    new["region"] = new["region"].astype(str)  # text, not categorical
    shuffled = new[list(reversed(new.columns))]
    labels = fitted.predict(shuffled)
    assert labels.shape == (20,) and set(labels) <= {0, 1, 2}
    # an unseen level is treated as not answered
    blanked = new.copy()
    blanked["role"] = blanked["role"].cat.add_categories(["?"]).where(blanked["role"] != "Legal")
    np.testing.assert_allclose(fitted.predict_proba(shuffled), fitted.predict_proba(blanked))
    with pytest.raises(ValueError, match="q3"):
        fitted.predict(new.drop(columns=["q3"]))


def test_sample_weights_and_numbers():
    answers, truth = planted_survey(400, seed=6)
    rng = np.random.default_rng(7)
    # a count with a point mass at zero and a long tail: without a variance floor one class could sit on 0
    answers["team_size"] = np.where(rng.random(400) < 0.4, 0.0, np.exp(rng.normal(2 + truth, 0.5)).round())
    answers.loc[:30, "team_size"] = np.nan
    model = LatentClassModel(3, blocks=BLOCKS, random_state=0).fit(answers)
    assert model.kinds_["team_size"] == "numeric" and np.isfinite(model.log_likelihood_)
    weighted = LatentClassModel(3, blocks=BLOCKS, random_state=0).fit(answers, sample_weight=np.ones(400))
    assert weighted.sample_weighted_ and not model.sample_weighted_
    np.testing.assert_array_equal(weighted.labels_, model.labels_)
    np.testing.assert_allclose(weighted.bic_, model.bic_)
    heavy = np.where(truth == 2, 3.0, 1.0)  # the smallest class counted three times over
    reweighted = LatentClassModel(3, blocks=BLOCKS, random_state=0).fit(answers, sample_weight=heavy)
    share = dict(zip(*np.unique(truth, return_counts=True)))[2] * 3 / heavy.sum()
    assert np.isclose(np.sort(reweighted.class_shares_), share, atol=0.05).any()
    with pytest.raises(ValueError, match="sample_weight"):
        LatentClassModel(3).fit(answers, sample_weight=np.ones(3))


def test_scikit_learn_estimator_checks_pass():
    from sklearn.utils.estimator_checks import check_estimator

    expected = {
        "check_sample_weight_equivalence_on_dense_data": "EM starts from random posteriors drawn per row, so a "
        "repeated row starts differently from a weighted one; the "
        "robust scaling of numbers uses unweighted medians"
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(
            LatentClassModel(3, n_init=1, max_iter=50, random_state=0), expected_failed_checks=expected, on_fail=None
        )
    assert [r["check_name"] for r in results if r["status"] == "failed"] == []
