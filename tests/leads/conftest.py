"""Shared fixtures of the leads tests: the demo project's ideal-lead analysis, fitted once per session (3 folds)
and saved like notebook 04 does, and a small hand-made lead table for the rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alignkit.config import ProjectSettings
from alignkit.leads import score as ls
from alignkit.leads.analysis import LeadInputs, LeadsResult, analyse, save_result


@pytest.fixture(scope="session")
def inputs(prepared) -> LeadInputs:
    """The demo's cleaned leads, survey responses and codebook, as notebook 04 reads them."""
    return LeadInputs(
        leads=prepared.leads, responses=prepared.responses, codebook=prepared.codebook, inputs=prepared.inputs
    )


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
    return pd.DataFrame(
        {
            "lead_key": [f"k{i}" for i in range(n)],
            "created_at": created,
            "stage": "Lead",
            "customer_at": customer_at,
            "mql_at": created + pd.Timedelta(days=5),
            "converted": converted,
            "colour": pd.Series(rng.choice(["red", "blue"], n), dtype="str"),
            "visits": pd.Series(rng.poisson(3, n) + 2 * converted, dtype="Int64"),
            "verdict": pd.Series(np.where(converted, "won", "lost"), dtype="str"),
            "rating": pd.Series(rng.choice(["good", "bad"], n), dtype="str"),
            "rating_set_at": created + pd.Timedelta(days=90),
            "tiny": pd.Series(np.where(np.arange(n) < 4, "rare", "common"), dtype="str"),
        }
    )


# --- small synthetic leads with a planted signal (visits, size 50–500, the north region) ---------------------


@pytest.fixture(scope="session")
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
    return pd.DataFrame(
        {
            "lead_key": [f"k{i}" for i in range(n)],
            "created_at": created,
            "visits": visits,
            "size": size,
            "noise": noise,
            "region": region,
            "converted": converted,
        }
    )


@pytest.fixture(scope="session")
def fitted(synthetic) -> ls.LeadScore:
    return ls.fit_score(
        synthetic,
        numeric=["visits", "size", "noise"],
        categorical=["region"],
        seed=3,
        folds=3,
        capacity_per_week=20,
        rule_min_share=0.05,
        importance_repeats=3,
    )
