"""The score's explanations computed on stacked copies give scikit-learn's numbers: the same permutation importance
(same shuffles) and the same partial dependence, for both candidate models, with unseen and missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import partial_dependence, permutation_importance

from alignkit.leads import explain
from alignkit.leads import score as ls


@pytest.fixture(scope="module", params=["logistic", "boosting"])
def model_and_data(request, synthetic):
    numeric, categorical = ["visits", "size", "noise"], ["region"]
    X = ls.model_frame(synthetic, numeric, categorical)
    y = synthetic["converted"].to_numpy()
    model = ls.CalibratedLeadScore(ls.build_models(numeric, categorical, seed=0)[request.param]).fit(X[:2000], y[:2000])
    return model, X[2000:], y[2000:]


def test_permutation_importance_matches_scikit_learn(model_and_data):
    model, X, y = model_and_data
    expected = permutation_importance(model, X, y, scoring="roc_auc", n_repeats=4, random_state=5)
    mean, sd = explain.permutation_importance_auc(model, X, y, repeats=4, seed=5)
    assert np.allclose(mean, expected.importances_mean) and np.allclose(sd, expected.importances_std)
    assert mean[list(X.columns).index("visits")] > mean[list(X.columns).index("noise")]


def test_partial_dependence_matches_scikit_learn(model_and_data):
    model, X, _ = model_and_data
    grid = np.unique(np.quantile(X["visits"].dropna(), np.linspace(0.02, 0.98, 20)))
    expected = partial_dependence(
        model, X, ["visits"], custom_values={"visits": grid}, kind="average", response_method="predict_proba"
    )
    curve = explain.partial_dependence_curve(model, X, "visits", grid)
    assert list(curve.columns) == ["visits", "predicted_rate"]
    assert np.allclose(curve["visits"], expected["grid_values"][0])
    assert np.allclose(curve["predicted_rate"], expected["average"][0])
    assert curve["predicted_rate"].iat[-1] > curve["predicted_rate"].iat[0]  # the planted effect of visits


def test_stacking_in_batches_keeps_each_copy_apart(model_and_data, monkeypatch):
    model, X, y = model_and_data
    whole = explain.permutation_importance_auc(model, X, y, repeats=3, seed=1)
    monkeypatch.setattr(
        explain, "BATCH_CELLS", X.size * 2 + 1
    )  # two copies a batch, the last one alone; windows of a batch a core
    assert np.allclose(explain.permutation_importance_auc(model, X, y, repeats=3, seed=1), whole)


def test_unseen_and_missing_categories_are_scored_like_the_fit_scores_them(model_and_data):
    model, X, _ = model_and_data
    odd = X.head(4).copy()
    odd["region"] = ["north", "never seen", ls.MISSING, "south"]
    proba = model.predict_proba(odd)[:, 1]
    assert np.isfinite(proba).all()
    curve = explain.partial_dependence_curve(model, odd, "size", np.array([10.0, 300.0]))
    assert np.isfinite(curve["predicted_rate"]).all()
    assert pd.api.types.is_float_dtype(curve["size"])


def test_known_values_are_read_from_a_score_saved_before_the_codes_step(model_and_data):
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    model, X, _ = model_and_data
    assert ls.known_values(model.pipeline_, ["region"]) == {"region": sorted(X["region"].unique())}
    old = Pipeline([("prepare", ColumnTransformer([("categories", OneHotEncoder(), ["region"])]))]).fit(X)
    assert ls.known_values(old, ["region"]) == ls.known_values(model.pipeline_, ["region"])
