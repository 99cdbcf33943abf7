"""The ideal-lead analysis (notebook 04) judged on the demo's planted truth, plus its rules on small hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from alignkit import stats

from alignkit.leads import analysis as leads
from alignkit.config import ProjectSettings
from alignkit.errors import MissingColumnError
from alignkit.leads.profile import conversion_by_value, linked_attributes
from alignkit.privacy import pseudonymise


@pytest.fixture(scope="module")
def inputs(prepared) -> leads.LeadInputs:
    return leads.LeadInputs(leads=prepared.leads, responses=prepared.responses, codebook=prepared.codebook,
                            inputs=prepared.inputs)


@pytest.fixture(scope="module")
def result(demo_settings: ProjectSettings, inputs: leads.LeadInputs) -> leads.LeadsResult:
    return leads.analyse(demo_settings, inputs, folds=3)


@pytest.fixture(scope="module")
def saved(result: leads.LeadsResult, demo_settings: ProjectSettings):
    return leads.save_result(result, demo_settings)


# --- planted truth -------------------------------------------------------------------------------------------


def test_planted_leak_is_flagged_and_kept_out(result, truth):
    leak = truth["conversion"]["leaking_field"]
    flagged = result.leakage.set_index("field")
    assert leak in flagged.index and bool(flagged.loc[leak, "excluded"])
    assert {"listed", "timestamp", "near-perfect"} <= set(flagged.loc[leak, "checks"].split(", "))
    assert leak not in set(result.drivers["attribute"])
    assert leak not in result.score.features
    assert result.left_out["field"].str.contains(leak).any()


def test_planted_drivers_rank_first(result, truth):
    assert set(result.top_drivers[:3]) == set(truth["conversion"]["drivers"])
    top = result.drivers.head(3)
    assert top["significant"].all() and (top["importance"] > 0).all()


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


def test_written_definition(result, demo_settings):
    rules = result.score.rules
    best = rules.iloc[0]
    assert best["lift"] > 2 and "webinars_attended ≥ 1" in best["rule"] and "company_size" in best["rule"]
    assert rules["lead_share"].sum() == pytest.approx(1)
    assert rules["conversion_share"].sum() == pytest.approx(1)
    threshold = result.score.threshold
    leads_per_week = result.score.leads_per_week
    assert threshold["share_passed"] == pytest.approx(demo_settings.sla.sales_capacity_per_week / leads_per_week, abs=0.01)
    assert 0 < threshold["precision"] < 1 and 0 < threshold["recall"] <= 1
    bands = result.score.band_table.set_index("band")
    assert list(bands.index) == ["A", "B", "C", "D"]
    assert bands["conversion_rate"].is_monotonic_decreasing
    lines = leads.headline(result)
    assert any("3.0x" in line or "x the average conversion" in line for line in lines)


def test_linked_survey_answers_are_profiled(result):
    linked = result.linked_associations
    assert len(linked) and (linked["leads"] < result.overall["leads"].iat[0]).all()
    assert linked["attribute"].str.startswith("survey_").all()
    assert linked["q_value"].notna().all()


def test_report_and_saved_result(result, saved, demo_settings):
    path = leads.write_leads_report(result, demo_settings)
    html = path.read_text(encoding="utf-8")
    assert "sales_priority" in html and "The ideal lead, in writing" in html
    assert "What converting leads have in common" in result._repr_html_()
    assert (path.parent / leads.REPORT_SLUG / "drivers.csv").exists()
    values = pd.read_csv(path.parent / leads.REPORT_SLUG / "conversion_by_value.csv")
    shown = values["leads"].dropna()
    assert (shown >= demo_settings.privacy.min_group_size).all()
    loaded = leads.load_result(demo_settings)
    assert loaded.score.features == result.score.features and loaded.score.bands == result.score.bands
    assert loaded.score.threshold == result.score.threshold and loaded.score.mapping["webinars_attended"] == "Webinars Attended"
    sample = leads.load_inputs(demo_settings).leads.head(50) if (demo_settings.processed_dir / "leads.parquet").exists() else None
    if sample is not None:
        from alignkit.leads.score import score_leads
        assert score_leads(loaded.score, sample).equals(score_leads(result.score, sample))


# --- alignkit score ------------------------------------------------------------------------------------------


def test_cli_scores_a_fresh_export(saved, demo_project, demo_settings, truth, tmp_path, inputs):
    from alignkit.cli import main

    raw = pd.read_csv(demo_project.parent / "data/raw/hubspot_contacts.csv", dtype=str, keep_default_na=False)
    fresh = tmp_path / "new_leads.csv"
    raw.head(400).to_csv(fresh, index=False)
    out = tmp_path / "scores.csv"
    assert main(["score", str(fresh), "--project", str(demo_project), "--out", str(out)]) == 0
    scores = pd.read_csv(out)
    assert list(scores.columns[:3]) == ["lead_key", "score", "band"]
    assert len(scores) > 350 and scores["score"].between(0, 1).all() and set(scores["band"]) <= set("ABCD")
    text = scores.to_csv()
    assert "@" not in text and not scores["lead_key"].isin(raw["Record ID"]).any()
    assert scores["lead_key"].isin(inputs.leads["lead_key"]).mean() > 0.95   # a duplicate's copy may be kept here
    reasons = scores.filter(like="reason_").stack().astype(str).str.split(" = ").str[0]
    named = set(reasons.value_counts().head(4).index)
    assert set(truth["conversion"]["drivers"]) & named, named
    assert set(truth["conversion"]["drivers"]) <= set(reasons)
    assert truth["conversion"]["leaking_field"] not in set(reasons)


def test_cli_names_a_missing_column(saved, demo_project, demo_settings, tmp_path, capsys):
    from alignkit.cli import main

    raw = pd.read_csv(demo_project.parent / "data/raw/hubspot_contacts.csv", dtype=str, keep_default_na=False)
    bad = tmp_path / "bad.csv"
    raw.head(30).drop(columns=["Webinars Attended"]).to_csv(bad, index=False)
    with pytest.raises(MissingColumnError, match="Webinars Attended"):
        leads.score_file(bad, demo_settings)
    assert main(["score", str(bad), "--project", str(demo_project), "--out", str(tmp_path / "x.csv")]) == 2
    assert "bad.csv" in capsys.readouterr().err


# --- rules on small frames -----------------------------------------------------------------------------------


def _frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    converted = rng.random(n) < 0.3
    created = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    customer_at = (created + pd.Timedelta(days=30)).where(converted)
    return pd.DataFrame({
        "lead_key": [f"k{i}" for i in range(n)], "created_at": created, "stage": "Lead", "customer_at": customer_at,
        "mql_at": created + pd.Timedelta(days=5), "converted": converted,
        "colour": pd.Series(rng.choice(["red", "blue"], n), dtype="str"),
        "visits": pd.Series(rng.poisson(3, n) + 2 * converted, dtype="Int64"),
        "verdict": pd.Series(np.where(converted, "won", "lost"), dtype="str"),
        "rating": pd.Series(rng.choice(["good", "bad"], n), dtype="str"),
        "rating_set_at": created + pd.Timedelta(days=90),
        "tiny": pd.Series(np.where(np.arange(n) < 4, "rare", "common"), dtype="str"),
    })


def test_leakage_guard_reasons(demo_settings):
    frame = _frame()
    settings = demo_settings.model_copy(update={"leads": demo_settings.leads.model_copy(
        update={"post_outcome_fields": [], "allow_fields": ["rating"]})})
    fields = leads.candidate_fields(frame, settings)
    assert "created_at" not in fields and "customer_at" not in fields and "rating_set_at" not in fields
    guard = leads.leakage_guard(frame, fields, settings).set_index("field")
    assert "near-perfect" in guard.loc["verdict", "checks"] and bool(guard.loc["verdict", "excluded"])
    assert "timestamp" in guard.loc["rating", "checks"] and not bool(guard.loc["rating", "excluded"])
    assert "visits" not in guard.index and "colour" not in guard.index


def test_too_few_conversions_is_a_clear_error(demo_settings):
    from alignkit.errors import InputFileError

    frame = _frame().assign(converted=lambda f: np.arange(len(f)) < 5)
    with pytest.raises(InputFileError, match="too few"):
        leads.analyse(demo_settings, leads.LeadInputs(leads=frame))
    profile = leads.analyse(demo_settings, leads.LeadInputs(leads=frame), fit=False)
    assert profile.score is None and len(profile.drivers)


def test_conversion_by_value_hides_small_groups():
    frame = _frame()
    table = conversion_by_value(frame, ["tiny", "visits"], min_group_size=10)
    rare = table[(table["attribute"] == "tiny") & (table["value"] == "rare")].iloc[0]
    assert rare["suppressed"] and pd.isna(rare["rate"])
    shown = table[~table["suppressed"]]
    assert ((shown["ci_low"] <= shown["rate"]) & (shown["rate"] <= shown["ci_high"])).all()
    overall = frame["converted"].mean()
    assert np.allclose(shown["lift"].astype(float), shown["rate"].astype(float) / overall)
    assert table.loc[table["attribute"] == "visits", "value"].str.contains("–").any()


def test_personas_are_optional_attributes_of_linked_leads():
    frame = _frame(60)
    personas = pd.DataFrame({"respondent_key": [f"r{i}" for i in range(40)], "lead_key": [f"k{i}" for i in range(40)],
                             "persona_id": np.arange(40) % 2, "persona": np.where(np.arange(40) % 2, "Builders", "Buyers"),
                             "used_in_fit": True})
    linked, labels = linked_attributes(frame, None, None, personas)
    assert len(linked) == 40 and set(linked["persona"]) == {"Builders", "Buyers"} and "persona" in labels
    empty, _ = linked_attributes(frame, None, None, None)
    assert empty.empty


# --- statistical helpers ---------------------------------------------------------------------------------------


def test_mann_whitney_matches_scipy_and_weights_of_one():
    from scipy import stats as st

    rng = np.random.default_rng(1)
    x = rng.poisson(3, 300).astype(float)
    y = rng.random(300) < 0.2 + 0.05 * x / 3
    result = stats.mann_whitney(x, y)
    reference = st.mannwhitneyu(x[y], x[~y], method="asymptotic", use_continuity=False)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue)
    assert result.auc == pytest.approx(roc_auc_score(y, x))
    assert result.rank_biserial == pytest.approx(2 * result.auc - 1)
    weighted = stats.mann_whitney(x, y, weights=np.ones(300))
    assert weighted.auc == pytest.approx(result.auc) and weighted.p_value == pytest.approx(result.p_value)


def test_categorical_association_picks_the_test():
    from scipy import stats as st

    rng = np.random.default_rng(2)
    groups = rng.choice(["a", "b", "c"], 500)
    outcome = rng.random(500) < 0.3
    chi = stats.categorical_association(groups, outcome)
    table = pd.crosstab(groups, outcome)
    assert chi.test == "chi-square"
    assert chi.p_value == pytest.approx(st.chi2_contingency(table, correction=False)[1])
    assert 0 <= chi.cramers_v <= 1
    small = stats.categorical_association(np.array(["x"] * 6 + ["y"] * 6), np.array([1, 1, 1, 1, 1, 0] + [0, 0, 0, 0, 0, 1], bool))
    assert small.test == "Fisher exact"
    assert small.p_value == pytest.approx(st.fisher_exact([[1, 5], [5, 1]])[1])
    assert stats.cramers_v(np.array([[10, 0], [0, 10]])) == pytest.approx(1)
    assert stats.discrimination_auc(np.where(outcome, "yes", "no"), outcome) == pytest.approx(1)


def test_the_alignment_page_takes_the_saved_result(saved, demo_settings):
    from alignkit.alignment import page as alignment

    loaded = leads.load_result(demo_settings)
    sections = alignment.build_sections(demo_settings, {"leads": loaded})
    assert {"leads-definition", "leads-drivers"} <= {s.id for s in sections}
    lines = alignment.build_headline(demo_settings, {"leads": loaded})
    assert any("customers" in line for line in lines)


def test_outcome_fields_are_never_drivers(demo_settings):
    leads = pd.DataFrame({"lead_key": ["a", "b", "c", "d"], "converted": [True, False, True, False],
                          "lifecycle_lost": [False, True, False, True], "deal_stage": ["won", "lost", "won", "lost"],
                          "company_size": [10, 20, 30, 40]})
    from alignkit.leads.analysis import candidate_fields

    assert candidate_fields(leads, demo_settings) == ["company_size"]
