"""The whole ideal-lead analysis (notebook 04) judged on the demo's planted truth: the drivers rank first, linked
survey answers are profiled, the saved result loads without refitting, and too few conversions is a clear error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignkit.errors import InputFileError
from alignkit.leads import analysis as leads
from alignkit.leads.reasons import score_leads
from tests.leads.conftest import small_leads


def test_planted_drivers_rank_first(result, truth):
    assert set(result.top_drivers[:3]) == set(truth["conversion"]["drivers"])
    top = result.drivers.head(3)
    assert top["significant"].all() and (top["importance"] > 0).all()


def test_linked_survey_answers_are_profiled(result):
    linked = result.linked_associations
    assert len(linked) and (linked["leads"] < result.overall["leads"].iat[0]).all()
    assert linked["attribute"].str.startswith("survey_").all()
    assert linked["q_value"].notna().all()


def test_saved_result_loads_without_refitting(result, saved, demo_settings):
    assert "What converting leads have in common" in result._repr_html_()
    loaded = leads.load_result(demo_settings)
    assert loaded.score.features == result.score.features and loaded.score.bands == result.score.bands
    assert (
        loaded.score.threshold == result.score.threshold
        and loaded.score.mapping["webinars_attended"] == "Webinars Attended"
    )
    sample = (
        leads.load_inputs(demo_settings).leads.head(50)
        if (demo_settings.processed_dir / "leads.parquet").exists()
        else None
    )
    if sample is not None:
        assert score_leads(loaded.score, sample).equals(score_leads(result.score, sample))


def test_too_few_conversions_is_a_clear_error(demo_settings):
    frame = small_leads().assign(converted=lambda f: np.arange(len(f)) < 5)
    with pytest.raises(InputFileError, match="too few"):
        leads.analyse(demo_settings, leads.LeadInputs(leads=frame))
    profile = leads.analyse(demo_settings, leads.LeadInputs(leads=frame), fit=False)
    assert profile.score is None and len(profile.drivers)


def test_one_outcome_only_stops_with_what_to_check():
    """A lead list whose outcome column holds one value: a clear message naming the setting, not a traceback."""
    import pandas as pd
    import pytest
    import yaml

    from alignkit.config import ProjectSettings
    from alignkit.errors import InputFileError
    from alignkit.leads import LeadInputs, analyse
    from tests.fixtures import shapes

    settings = ProjectSettings.model_validate(yaml.safe_load(shapes.LEAD_LIST_PROJECT))
    leads = pd.DataFrame(
        {
            "lead_key": [f"k{i}" for i in range(200)],
            "converted": False,
            "outcome": pd.Categorical(["lost"] * 200, categories=["converted", "lost", "open"]),
            "lead_origin": ["API", "Form"] * 100,
        }
    )
    with pytest.raises(InputFileError, match=r"outcome\.converted_values"):
        analyse(settings, LeadInputs(leads=leads))


def null_leads(n: int = 2500, seed: int = 11) -> pd.DataFrame:
    """Return a B2B pipeline's lead table (account revenue and size, office, product, series) whose outcome is
    independent of every trait: the shape of a real export where the CRM's fields do not tell who wins."""
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    converted = rng.random(n) < 0.59
    return pd.DataFrame(
        {
            "lead_key": [f"k{i}" for i in range(n)],
            "created_at": created,
            "stage": "Engaging",
            "customer_at": (created + pd.Timedelta(days=40)).where(converted),
            "converted": converted,
            "revenue": rng.lognormal(7, 1.2, n).round(1),
            "employees": pd.Series(rng.integers(10, 20000, n), dtype="Int64"),
            "office_location": pd.Series(rng.choice(["United States", "Kenya", "Philipines", "Japan"], n), dtype="str"),
            "product": pd.Series(rng.choice(["GTX Basic", "GTX Pro", "MG Special", "GTXPlus Pro"], n), dtype="str"),
        }
    )


def test_no_next_step_where_nothing_separates_converting_leads(demo_settings, result):
    """Traits that do not tell who converts: the headline says so and recommends no rule, no traits to target and
    no ranking by the score; on the demo, where traits were planted, every one of those steps is there."""
    null = leads.analyse(demo_settings, leads.LeadInputs(leads=null_leads()), folds=3)
    lines = " ".join(leads.headline(null))
    assert null.score.holdout_metrics["roc_auc"] < 0.6 and not null.score.ranks_leads
    assert "hardly better than chance" in lines and "No lead attribute marks converting leads clearly" in lines
    for step in ("write this rule", "targets leads with these traits", "use the lead score", "pass leads above"):
        assert step not in lines.lower(), lines
    assert (null.score.rules["lift_ci_low"] <= 1).all() or "The ideal lead in one rule" in lines
    demo = " ".join(leads.headline(result))
    assert result.score.ranks_leads
    for step in (
        "write this rule",
        "marketing targets leads with these traits",
        "use the lead score",
        "pass leads above",
    ):
        assert f"Next step: {step}" in demo, demo
