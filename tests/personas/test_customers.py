"""Customer personas from the CRM (personas.source: crm) on a customer table with three planted spending patterns:
spend and purchases form the personas, who the customers are (income, birth year, education, household) describes
them, the campaign response is profiled per persona with its CI and never clustered on, and `alignkit assign`
places new customers on the saved personas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from alignkit.config import load_settings
from alignkit.personas.analysis import analyse, headline, save_result
from alignkit.plan import analysis_plan
from alignkit.privacy import pseudonymise
from tests.fixtures.customers import customer_table, write_crm_customers


@pytest.fixture(scope="module")
def customers(tmp_path_factory):
    from alignkit.prepare.tables import prepare, write_processed

    info = write_crm_customers(tmp_path_factory.mktemp("crm_customers"))
    settings = load_settings(info["project"])
    write_processed(prepare(settings), settings.processed_dir)
    result = analyse(settings)
    keys = pseudonymise(pd.Series(info["ids"]), salt=settings.pseudonym_salt()).astype("str")
    rows = result.assignments.set_index("respondent_key").loc[keys.to_numpy()].reset_index()
    return info, settings, result, rows


def test_the_plan_forms_customer_personas_from_the_crm(customers):
    _, settings, _, _ = customers
    planned = {p.notebook: p for p in analysis_plan(settings, facts={})}
    assert settings.persona_source == "crm" and planned["03"].runs
    assert "customer personas" in planned["03"].reason


def test_the_planted_spending_patterns_come_back(customers):
    info, _, result, rows = customers
    assert rows["persona_id"].notna().all()
    ari = adjusted_rand_score(info["segment"], rows["persona_id"].astype("int64"))
    assert ari >= 0.8, (ari, result.k, result.sizes.to_string())


def test_spend_forms_and_who_they_are_describes(customers):
    _, _, result, _ = customers
    use = result.screen.set_index("column")["use"]
    assert set(use[use == "feature"].index) == {
        "mnt_wines",
        "mnt_meat_products",
        "num_web_purchases",
        "num_store_purchases",
        "num_deals_purchases",
    }
    assert {"income", "year_birth", "education", "marital_status", "kidhome"} <= set(use[use == "descriptor"].index)
    assert use["converted"] == "profile"  # the outcome is never clustered on
    assert {"Income", "Education"} <= set(result.descriptors["descriptor"])
    shown = result.descriptors[result.descriptors["value"].notna()]
    assert shown[["ci_low", "ci_high"]].notna().all().all()
    # a cell of fewer than min_group_size people (the joke answers 'YOLO', 'Absurd') shows no figure
    jokes = result.descriptors[result.descriptors["answer"].isin(["YOLO", "Absurd"])]
    assert len(jokes) and (jokes["value"].isna() | (jokes["value"] == 0)).all() and jokes["value"].isna().any()
    income = result.descriptors[result.descriptors["column"] == "income"]
    assert (income["answer"] == "median").all() and (income["value"] < 200_000).all()  # the 666,666 moves no median


def test_the_campaign_response_is_profiled_per_persona_with_its_ci(customers):
    info, _, result, rows = customers
    outcome = result.outcomes[result.outcomes["outcome"] == "converted"].set_index("persona_id")
    assert len(outcome) == result.k and (outcome["ci_low"] <= outcome["rate"]).all()
    for pid, row in outcome.iterrows():  # the rate is the members' own response rate
        members = (rows["persona_id"] == pid).to_numpy()
        assert row["rate"] == pytest.approx(info["response"][members].mean())
    assert outcome["rate"].max() - outcome["rate"].min() > 0.15  # planted: 5% vs 35% response


def test_the_headline_speaks_of_customers(customers):
    _, _, result, _ = customers
    lines = headline(result)
    assert lines[0].startswith("The customers") and "respondents" not in " ".join(lines)
    for name in result.names.values():
        assert not any(word in name for word in ("Income", "Year birth", "Education", "Kidhome", "nan"))


def test_new_customers_are_assigned_to_the_saved_personas(customers, tmp_path):
    from alignkit.personas.waves import assign_wave, write_wave_outputs

    info, settings, result, _ = customers
    save_result(result, settings)
    fresh = customer_table(300, seed=99, with_segment=True)
    fresh["ID"] = [f"new-{i}" for i in range(len(fresh))]
    path = tmp_path / "new_customers.csv"
    fresh.drop(columns=["segment", "Response"]).to_csv(path, index=False)
    wave = assign_wave(path, settings)
    assert len(wave.assignments) == 300 and wave.assignments["persona_id"].notna().all()
    # the same planted pattern goes to the same persona as in the fitted table
    fitted = pd.DataFrame({"segment": info["segment"], "persona": customers[3]["persona_id"].astype("int64")})
    usual = fitted.groupby("segment")["persona"].agg(lambda s: s.mode().iat[0])
    expected = pd.Series(fresh["segment"].to_numpy()).map(usual).to_numpy()
    assert np.mean(wave.assignments["persona_id"].astype("int64").to_numpy() == expected) >= 0.9
    outputs = write_wave_outputs(wave, settings)
    assert outputs["report"].exists() and outputs["assignments"].exists()
