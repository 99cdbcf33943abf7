"""The whole ideal-lead analysis (notebook 04) judged on the demo's planted truth: the drivers rank first, linked
survey answers are profiled, the saved result loads without refitting, and too few conversions is a clear error."""

from __future__ import annotations

import numpy as np
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
    assert loaded.score.threshold == result.score.threshold and loaded.score.mapping["webinars_attended"] == "Webinars Attended"
    sample = leads.load_inputs(demo_settings).leads.head(50) if (demo_settings.processed_dir / "leads.parquet").exists() else None
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
    leads = pd.DataFrame({"lead_key": [f"k{i}" for i in range(200)], "converted": False,
                          "outcome": pd.Categorical(["lost"] * 200, categories=["converted", "lost", "open"]),
                          "lead_origin": ["API", "Form"] * 100})
    with pytest.raises(InputFileError, match="outcome.converted_values"):
        analyse(settings, LeadInputs(leads=leads))
