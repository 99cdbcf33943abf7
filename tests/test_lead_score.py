"""The lead score's parts on small synthetic data: calibration, gains, threshold, bands, rules and reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from alignkit.leads import score as ls
from alignkit.leads.definition import _describe


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


def test_gains_threshold_and_bands():
    y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], dtype=bool)
    score = np.linspace(1, 0.1, 10)
    gains = ls.gains_table(y, score, groups=5)
    assert list(gains["conversion_share"].round(3)) == [0.667, 1.0, 1.0, 1.0, 1.0]
    assert gains["lift"].iat[0] == pytest.approx(1.0 / 0.3)
    at = ls.threshold_at_capacity(y, score, 0.3)
    assert at["share_passed"] == pytest.approx(0.3) and at["precision"] == pytest.approx(2 / 3) and at["recall"] == pytest.approx(2 / 3)
    cut = ls.band_cutoffs(score, at["threshold"], 0.3)
    bands = ls.assign_band(score, cut)
    assert bands[0] == "A" and bands[-1] == "D" and list(bands) == sorted(bands)


def test_rules_read_as_ranges():
    meaning = {"visits": ("number", "visits", True), "size": ("number", "size", True),
               "region=north": ("category", "region", "north")}
    text = _describe([("size", ">", 49.5), ("visits", ">", 2.5), ("size", "<=", 500.5), ("region=north", ">", 0.5)], meaning)
    assert text == "visits ≥ 3 AND size 50–500 AND region is north" or text == "size 50–500 AND visits ≥ 3 AND region is north"
    assert _describe([("region=north", "<=", 0.5)], meaning) == "region is not north"


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
