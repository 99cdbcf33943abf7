"""The profile of converting leads on small hand-made frames: conversion by value with hidden small groups,
personas as attributes of linked leads, and the statistical tests the profile picks per attribute."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.leads.profile import conversion_by_value, linked_attributes
from tests.leads.conftest import small_leads


def test_conversion_by_value_hides_small_groups():
    frame = small_leads()
    table = conversion_by_value(frame, ["tiny", "visits"], min_group_size=10)
    rare = table[(table["attribute"] == "tiny") & (table["value"] == "rare")].iloc[0]
    assert rare["suppressed"] and pd.isna(rare["rate"])
    shown = table[~table["suppressed"]]
    assert ((shown["ci_low"] <= shown["rate"]) & (shown["rate"] <= shown["ci_high"])).all()
    overall = frame["converted"].mean()
    assert np.allclose(shown["lift"].astype(float), shown["rate"].astype(float) / overall)
    assert table.loc[table["attribute"] == "visits", "value"].str.contains("–").any()


def test_personas_are_optional_attributes_of_linked_leads():
    frame = small_leads(60)
    personas = pd.DataFrame(
        {
            "respondent_key": [f"r{i}" for i in range(40)],
            "lead_key": [f"k{i}" for i in range(40)],
            "persona_id": np.arange(40) % 2,
            "persona": np.where(np.arange(40) % 2, "Builders", "Buyers"),
            "used_in_fit": True,
        }
    )
    linked, labels = linked_attributes(frame, None, None, personas)
    assert len(linked) == 40 and set(linked["persona"]) == {"Builders", "Buyers"} and "persona" in labels
    empty, _ = linked_attributes(frame, None, None, None)
    assert empty.empty


def test_a_tiny_group_at_100_percent_never_beats_a_large_one_at_90():
    """4 leads at 100% against 400 at 90%: the best value needs the support and is ranked by its lower CI bound."""
    from alignkit.leads.profile import best_value

    values = pd.DataFrame(
        {
            "attribute": "source",
            "value": ["WeLearn", "Reference", "Google", "(missing)"],
            "leads": [4, 400, 2000, 500],
            "converted": [4, 360, 700, 480],
            "rate": [1.0, 0.9, 0.35, 0.96],
            "ci_low": [0.51, 0.87, 0.33, 0.94],
            "ci_high": [1.0, 0.92, 0.37, 0.97],
            "lift": [2.5, 2.25, 0.9, 2.4],
        }
    )
    assert best_value(values, "source", min_support=30)["value"] == "Reference"  # '(missing)' is never best
    assert best_value(values, "source", min_support=5000) is None


def test_a_year_column_reads_as_years_in_bins_medians_and_rules():
    """A B2B account's founding year (the pipeline shape's `year_established`): bins, the drivers' medians and the
    rules say 1988–1993, never 1,988–1,993; other whole numbers keep their separators."""
    import numpy as np
    import pandas as pd

    from alignkit.leads.definition import find_rules
    from alignkit.leads.profile import binned

    rng = np.random.default_rng(3)
    year = pd.Series(rng.integers(1979, 2018, 2000), name="year_established", dtype="Int64")
    labels = list(binned(year).cat.categories)
    assert all("," not in label for label in labels) and labels[0].startswith("1979")
    assert "," in " ".join(binned(pd.Series(rng.integers(1000, 20000, 500), name="employees")).cat.categories)
    y = (year.to_numpy(dtype=float) > 2005) & (rng.random(2000) < 0.8)
    frame = pd.DataFrame({"year_established": year.astype(float)})
    rules = find_rules(
        frame.iloc[:1400],
        y[:1400],
        frame.iloc[1400:],
        y[1400:],
        numeric=["year_established"],
        categorical=[],
        depth=1,
        min_share=0.05,
        seed=0,
    )
    assert rules["rule"].str.contains(r"year_established (?:≥|≤) 20\d\d$").all(), rules["rule"].tolist()
