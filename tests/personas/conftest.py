"""Shared fixtures of the persona tests: the demo project's data/processed and its persona analysis, fitted and
saved once per session like notebook 03 does, and each respondent's planted persona."""

from __future__ import annotations

import pandas as pd
import pytest

from alignkit.config import ProjectSettings
from alignkit.personas.analysis import analyse, save_result
from alignkit.privacy import pseudonymise


@pytest.fixture(scope="session")
def processed(prepared, demo_settings: ProjectSettings) -> ProjectSettings:
    """The demo project's data/processed, as notebook 01 writes it."""
    from alignkit.prepare.tables import write_processed

    write_processed(prepared, demo_settings.processed_dir)
    return demo_settings


@pytest.fixture(scope="session")
def result(processed: ProjectSettings):
    """The whole persona analysis of the demo data, saved like notebook 03 saves it."""
    outcome = analyse(processed)
    save_result(outcome, processed)
    return outcome


@pytest.fixture(scope="session")
def truth_persona(result, truth, demo_settings) -> pd.Series:
    """The planted persona of each respondent, aligned with result.assignments."""
    ids = pd.Series(list(truth["survey"]["persona_by_response_id"]))
    keys = pseudonymise(ids, salt=demo_settings.pseudonym_salt())
    planted = dict(zip(keys, truth["survey"]["persona_by_response_id"].values()))
    return result.assignments["respondent_key"].map(planted)
