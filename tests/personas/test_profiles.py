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
