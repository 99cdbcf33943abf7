"""Persona profiles: the traits that set the demo's personas apart, their CRM outcome, small personas suppressed,
names built and overridden, and the weighted median behind weighted typical answers and CRM outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.personas.profiles import persona_sizes
from alignkit.stats import weighted_median


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


def test_small_personas_are_suppressed():
    ids = pd.Series([1] * 50 + [2] * 4)
    sizes = persona_sizes(ids, {1: "Big", 2: "Tiny"}, min_group_size=10)
    assert sizes.loc[1, "suppressed"] and pd.isna(sizes.loc[1, "share"]) and pd.isna(sizes.loc[1, "n"])


def test_weighted_median():
    assert weighted_median([1, 2, 3], [1, 1, 1]) == 2
    assert weighted_median([1, 2, 3, 4], [1, 1, 1, 1]) == 2.5
    assert weighted_median([1, 2, 3], [1, 1, 5]) == 3
    assert weighted_median([1, np.nan, 3], [3, 1, 1]) == 1
    assert np.isnan(weighted_median([1.0], [0.0]))
    for x in (np.arange(7.0), np.array([5.0, 1, 4, 4, 9, 2])):
        assert weighted_median(x, np.ones(len(x))) == np.median(x)


def test_customer_table_outcomes_are_profiled_per_persona_not_features(tmp_path):
    """A customer table with campaign responses and no CRM: the responses are outcomes (profiled with a CI per
    persona), the constant and the id never form personas, and one impossible income does not move a centre."""
    import numpy as np

    from alignkit.config import load_settings
    from alignkit.personas.analysis import analyse
    from alignkit.prepare.tables import prepare, write_processed
    from tests.fixtures.customers import write_customer_table

    settings = load_settings(write_customer_table(tmp_path)["project"])
    data = prepare(settings)
    write_processed(data, settings.processed_dir)
    result = analyse(settings)
    screen = result.screen.set_index("column")
    assert set(screen.index[screen["use"] == "profile"]) == {"accepted_cmp1", "accepted_cmp2", "response"}
    # The constant column is left out by notebook 01 already (PreparedData.left_out), or by the feature screen.
    assert (
        "z_cost_contact" in " ".join(data.left_out.astype(str).to_numpy().ravel()).lower()
        or screen.at["z_cost_contact", "use"] == "left out"
    )
    assert not {"accepted_cmp1", "accepted_cmp2", "response", "z_cost_contact"} & set(result.model.features_)
    outcomes = result.outcomes[result.outcomes["outcome"] == "response"]
    assert len(outcomes) == result.k and (outcomes["ci_low"] <= outcomes["rate"]).all()
    assert (outcomes["rate"] <= outcomes["ci_high"]).all()
    assert outcomes["rate"].max() > 2 * outcomes["rate"].min()  # planted: 5% to 35% by segment
    assert not any("Response" in n or "Accepted" in n for n in result.names.values())
    responses = pd.read_parquet(settings.processed_dir / "responses.parquet")
    from sklearn.metrics import adjusted_rand_score

    from alignkit.personas.fitting import fit_personas

    sane = responses.assign(income=responses["income"].where(responses["income"] < 200_000, 50_000))
    fixed = settings.personas.model_copy(update={"k": result.k})
    refit, _, _ = fit_personas(sane, result.codebook, fixed, seed=settings.seed)
    assert adjusted_rand_score(refit.predict(sane), result.model.predict(responses)) > 0.95
    assert np.isfinite(result.model.transform(responses)).all()


def _crm(linked, converted, suppressed=None):
    linked, converted = np.asarray(linked), np.asarray(converted)
    return pd.DataFrame(
        {
            "persona": [f"P{i}" for i in range(len(linked))],
            "linked": linked,
            "converted": converted,
            "conversion_rate": converted / linked,
            "suppressed": suppressed if suppressed is not None else [False] * len(linked),
        }
    )


def test_persona_conversion_differs_only_when_the_test_says_so():
    """The demo's shape (five personas, 5–11% converting, ~250 linked each) differs; rates a point apart do not;
    a suppressed persona is not tested; too few conversions for chi-square is no claim at all."""
    from alignkit.personas.profiles import conversion_differs

    assert conversion_differs(_crm([300, 298, 223, 228, 141], [28, 14, 9, 10, 16])) < 0.05
    assert conversion_differs(_crm([300, 300, 300], [30, 33, 27])) > 0.05
    assert np.isnan(conversion_differs(_crm([300, 8], [30, 8], suppressed=[False, True])))
    assert np.isnan(conversion_differs(_crm([40, 40], [1, 3])))


def test_a_scale_numbered_from_zero_is_averaged_on_its_own_numbers():
    from alignkit.personas.profiles import scale_points

    zero_to_ten = ["0 - Not at all likely", *[str(n) for n in range(1, 10)], "10 - Extremely likely"]
    assert scale_points(zero_to_ten).tolist() == list(range(11))  # was 1–11: every mean one point too high
    agreement = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
    assert scale_points(agreement).tolist() == [1, 2, 3, 4, 5]
    assert scale_points(["10", "5", "1"]).tolist() == [1, 2, 3]  # numbers out of order are not the scale's points
    assert scale_points(["18-24", "25-34", "35-44", "45+"]).tolist() == [1, 2, 3, 4]  # bands: their positions


def test_a_statement_asked_on_its_own_is_named_in_its_trait():
    """A plain export's agreement statement is the question itself (no grid item): the trait quoted '“”' before."""
    from alignkit.personas.profiles import persona_traits

    scale = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    rng = np.random.default_rng(0)
    persona = np.repeat([1, 2], 100)
    answers = np.where(persona == 1, rng.integers(3, 5, 200), rng.integers(0, 2, 200))
    responses = pd.DataFrame(
        {
            "easy": pd.Categorical.from_codes(answers, scale),
            "grid_support": pd.Categorical.from_codes(answers, scale),
        }
    )
    codebook = pd.DataFrame(
        {
            "column": ["easy", "grid_support"],
            "question": ['"The product is easy to use"', "How much do you agree?"],  # quoted, as SurveyMonkey does
            "kind": ["likert", "likert"],
            "item": [None, "Support answers quickly"],
            "options": [scale, scale],
        }
    )
    traits = persona_traits(responses, pd.Series(persona), codebook).set_index(["persona_id", "column"])
    assert traits.at[(1, "easy"), "description"].startswith("Agrees more that “The product is easy to use”")
    assert traits.at[(2, "grid_support"), "description"].startswith("Agrees less that “Support answers quickly”")
