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
    personas = pd.DataFrame({"respondent_key": [f"r{i}" for i in range(40)], "lead_key": [f"k{i}" for i in range(40)],
                             "persona_id": np.arange(40) % 2, "persona": np.where(np.arange(40) % 2, "Builders", "Buyers"),
                             "used_in_fit": True})
    linked, labels = linked_attributes(frame, None, None, personas)
    assert len(linked) == 40 and set(linked["persona"]) == {"Builders", "Buyers"} and "persona" in labels
    empty, _ = linked_attributes(frame, None, None, None)
    assert empty.empty
