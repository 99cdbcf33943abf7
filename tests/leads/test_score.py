"""The lead score on small synthetic data (the planted signal, calibration, rules and reasons) and on the demo's
planted truth (a hold-out AUC close to that of the true probabilities, calibrated, cross-validated)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from alignkit.leads import score as ls
from alignkit.privacy import pseudonymise


def test_fit_score_learns_the_planted_signal(fitted, synthetic):
    assert fitted.holdout_metrics["roc_auc"] > 0.75
    assert (
        fitted.importance["attribute"].iat[-1] == "noise"
        or fitted.importance.set_index("attribute").loc["noise", "importance"] < 0.01
    )
    assert fitted.leads_per_week == pytest.approx(len(synthetic) / 30, rel=0.02)
    assert fitted.threshold["share_passed"] == pytest.approx(20 / fitted.leads_per_week, abs=0.02)
    assert fitted.rows_used["holdout"] == pytest.approx(0.25 * len(synthetic), abs=1)


def test_calibrated_score_behaves_like_an_estimator(fitted, synthetic):
    model = ls.CalibratedLeadScore(fitted.model.pipeline)
    with pytest.raises(NotFittedError):
        model.predict_proba(ls.model_frame(synthetic.head(3), fitted.numeric, fitted.categorical))
    X = ls.model_frame(synthetic.head(50), fitted.numeric, fitted.categorical)
    proba = fitted.model.predict_proba(X)
    assert proba.shape == (50, 2) and np.allclose(proba.sum(axis=1), 1)
    assert np.allclose(1 / (1 + np.exp(-fitted.model.decision_function(X))), proba[:, 1])


def test_rules_find_the_planted_segment(fitted):
    best = fitted.rules.iloc[0]
    assert best["lift"] > 1.3
    assert fitted.rules["lead_share"].sum() == pytest.approx(1)
    assert "Visits" in best["rule"] or "Size" in best["rule"]
    assert ls.rule_sentence(best).count("of leads") == 1


# --- on the demo's planted truth ---------------------------------------------------------------------------------


def test_holdout_auc_is_close_to_the_truth(result, demo_settings, truth):
    true_p = pd.Series(truth["conversion"]["true_probability_by_record_id"])
    keys = pseudonymise(pd.Series(true_p.index, dtype="str"), salt=demo_settings.pseudonym_salt())
    by_key = pd.Series(true_p.to_numpy(), index=keys.to_numpy())
    holdout = result.score.holdout
    truth_p = by_key.reindex(holdout["lead_key"]).to_numpy()
    assert not np.isnan(truth_p).any()
    truth_auc = roc_auc_score(holdout["converted"], truth_p)
    model_auc = roc_auc_score(holdout["converted"], holdout["score"])
    assert model_auc == pytest.approx(result.score.holdout_metrics["roc_auc"])
    assert truth_auc - model_auc < 0.03, (model_auc, truth_auc)


def test_score_is_calibrated_and_cross_validated(result):
    score = result.score
    holdout = score.holdout
    assert holdout["score"].mean() == pytest.approx(holdout["converted"].mean(), abs=0.015)
    assert set(score.cv_summary["model"]) == {"logistic", "boosting"}
    assert (score.cv_summary["folds"] == 3).all() and (score.cv_summary["roc_auc_sd"] > 0).all()
    assert (score.cv_summary["pr_auc_mean"] > score.cv_summary["pr_auc_of_chance"]).all()
    gains = score.gains
    assert gains["conversion_share"].is_monotonic_increasing and gains["conversion_share"].iat[-1] == pytest.approx(1)
    assert gains["lift"].iat[0] > 2
    assert set(score.partial_dependence) <= set(score.numeric) and len(score.partial_dependence) >= 2


def test_auc_with_and_without_the_suspects(synthetic):
    """A sales-entered status that mostly echoes the outcome: kept out, the comparison adds it back; allowed, the
    comparison takes it out. Either way the figure with it is far above the one without."""
    rng = np.random.default_rng(2)
    frame = synthetic.copy()
    echo = np.where(rng.random(len(frame)) < 0.85, frame["converted"], ~frame["converted"])
    frame["lead_status"] = np.where(echo, "Qualified", "Nurture")
    kept_out = ls.fit_score(
        frame,
        numeric=["visits", "size"],
        categorical=["region"],
        seed=3,
        folds=3,
        importance_repeats=2,
        suspects={"lead_status": "category"},
    )
    allowed = ls.fit_score(
        frame,
        numeric=["visits", "size"],
        categorical=["region", "lead_status"],
        seed=3,
        folds=3,
        importance_repeats=2,
        suspects={"lead_status": "category"},
    )
    for fitted, in_score in ((kept_out, False), (allowed, True)):
        s = fitted.suspect_auc
        assert s["fields"] == ["lead_status"] and s["in_score"] is in_score
        assert s["with"] > s["without"] + 0.05, s
    assert kept_out.suspect_auc["without"] == pytest.approx(kept_out.holdout_metrics["roc_auc"])
    assert allowed.suspect_auc["with"] == pytest.approx(allowed.holdout_metrics["roc_auc"])
    assert kept_out.suspect_auc["without"] == pytest.approx(allowed.suspect_auc["without"], abs=0.01)
