"""Conversion counts per attribute value from a leads table in an engine: the lead profile's table is the pandas one
to the last digit — categories, numbers in quantile bins (edges, labels), missing values, small groups hidden."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.engine.backend import as_table
from alignkit.leads.leakage import candidate_fields
from alignkit.leads.profile import conversion_by_value, is_numeric


def test_profile_of_small_leads_through_duckdb():
    rng = np.random.default_rng(5)
    n = 500
    frame = pd.DataFrame(
        {
            "converted": rng.random(n) < 0.3,
            "region": pd.Series(rng.choice(["north", "south", "east", None], n), dtype="str"),
            "visits": pd.Series(np.where(rng.random(n) < 0.1, np.nan, rng.poisson(4, n)), dtype="Float64").astype(
                "Int64"
            ),
            "spend": rng.lognormal(3, 1, n).round(2),
            "flat": 7.0,
        }
    )
    fields = ["region", "visits", "spend", "flat"]
    expected = conversion_by_value(frame, fields, min_group_size=10)
    pd.testing.assert_frame_equal(
        conversion_by_value(as_table(frame), fields, min_group_size=10), expected, check_exact=True
    )
    assert "(missing)" in set(expected["value"]) and len(expected[expected["attribute"] == "spend"]) == 5


def test_demo_profile_through_duckdb(prepared, demo_settings):
    leads = prepared.leads
    fields = [
        f
        for f in candidate_fields(leads, demo_settings)
        if is_numeric(leads[f]) or pd.api.types.is_string_dtype(leads[f])
    ]
    expected = conversion_by_value(leads, fields, min_group_size=10)
    pd.testing.assert_frame_equal(
        conversion_by_value(as_table(leads), fields, min_group_size=10), expected, check_exact=True
    )
