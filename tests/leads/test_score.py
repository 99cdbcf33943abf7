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


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 3000
    visits = rng.poisson(4, n).astype(float)
    size = rng.integers(1, 2000, n).astype(float)
    region = rng.choice(["north", "south", "east"], n)
    noise = rng.normal(size=n)
    logit = -3 + 0.45 * visits + 1.5 * ((size >= 50) & (size <= 500)) + 0.8 * (region == "north")
    converted = rng.random(n) < 1 / (1 + np.exp(-logit))
    created = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 30 * 7 * 86400, n)), unit="s")
    visits[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({"lead_key": [f"k{i}" for i in range(n)], "created_at": created, "visits": visits,
                         "size": size, "noise": noise, "region": region, "converted": converted})


@pytest.fixture(scope="module")
def fitted(synthetic) -> ls.LeadScore:
    return ls.fit_score(synthetic, numeric=["visits", "size", "noise"], categorical=["region"], seed=3, folds=3,
                        capacity_per_week=20, rule_min_share=0.05, importance_repeats=3)


def test_fit_score_learns_the_planted_signal(fitted, synthetic):
    assert fitted.holdout_metrics["roc_auc"] > 0.75
    assert fitted.importance["attribute"].iat[-1] == "noise" or fitted.importance.set_index("attribute").loc["noise", "importance"] < 0.01
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
    assert "visits" in best["rule"] or "size" in best["rule"]
    assert ls.rule_sentence(best).count("of leads") == 1


def test_reasons_name_the_drivers(fitted, synthetic):
    scored = ls.score_leads(fitted, synthetic.head(200))
    assert list(scored.columns) == ["lead_key", "score", "band", *[f"reason_for_{i}" for i in (1, 2, 3)],
                                    *[f"reason_against_{i}" for i in (1, 2, 3)]]
    first = scored["reason_for_1"].str.split(" = ").str[0]
    assert first[first != ""].isin(["visits", "size", "region"]).mean() > 0.75   # noise: a weak model effect only
    contrib = ls.contributions(fitted, ls.model_frame(synthetic.head(5), fitted.numeric, fitted.categorical))
    assert list(contrib.columns) == fitted.features


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


def test_a_missing_value_is_never_a_reason(result, inputs):
    """Blank the attributes of some leads: their reasons come from the values they have, never from 'missing'."""
    from alignkit.leads import score_leads

    leads = inputs.leads.head(300).copy()
    for column in result.score.features[:3]:
        leads.loc[leads.index[:150], column] = None
    scored = score_leads(result.score, leads)
    reasons = scored.filter(like="reason_").to_numpy().ravel()
    assert not any("= missing" in r or "(missing)" in r for r in reasons)
    assert any(r for r in scored.loc[:149].filter(like="reason_for").to_numpy().ravel())
