"""Shared fixtures of the leads tests: the demo project's ideal-lead analysis, fitted once per session (3 folds)
and saved like notebook 04 does, and a small hand-made lead table for the rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alignkit.config import ProjectSettings
from alignkit.leads.analysis import LeadInputs, LeadsResult, analyse, save_result


@pytest.fixture(scope="session")
def inputs(prepared) -> LeadInputs:
    """The demo's cleaned leads, survey responses and codebook, as notebook 04 reads them."""
    return LeadInputs(leads=prepared.leads, responses=prepared.responses, codebook=prepared.codebook,
                      inputs=prepared.inputs)


@pytest.fixture(scope="session")
def result(demo_settings: ProjectSettings, inputs: LeadInputs) -> LeadsResult:
    """The whole analysis of the demo leads, with a score cross-validated on 3 folds."""
    return analyse(demo_settings, inputs, folds=3)


@pytest.fixture(scope="session")
def saved(result: LeadsResult, demo_settings: ProjectSettings) -> Path:
    """data/processed/lead_score.joblib, written like notebook 04 writes it."""
    return save_result(result, demo_settings)


def small_leads(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Return a small lead table: a weak driver (visits), noise (colour), a perfect leak (verdict), a field dated
    after the outcome (rating, rating_set_at) and a rare value (tiny)."""
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
