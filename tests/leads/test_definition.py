"""The lead score's written definition: gains, the MQL threshold at capacity and bands A–D on a hand-made score,
rules read as ranges, and the demo's definition (the planted rule, threshold at sales capacity, ordered bands)."""

from __future__ import annotations

import numpy as np
import pytest

from alignkit.leads.analysis import headline
from alignkit.leads.definition import _describe, assign_band, band_cutoffs, gains_table, threshold_at_capacity


def test_gains_threshold_and_bands():
    y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], dtype=bool)
    score = np.linspace(1, 0.1, 10)
    gains = gains_table(y, score, groups=5)
    assert list(gains["conversion_share"].round(3)) == [0.667, 1.0, 1.0, 1.0, 1.0]
    assert gains["lift"].iat[0] == pytest.approx(1.0 / 0.3)
    at = threshold_at_capacity(y, score, 0.3)
    assert (
        at["share_passed"] == pytest.approx(0.3)
        and at["precision"] == pytest.approx(2 / 3)
        and at["recall"] == pytest.approx(2 / 3)
    )
    cut = band_cutoffs(score, at["threshold"], 0.3)
    bands = assign_band(score, cut)
    assert bands[0] == "A" and bands[-1] == "D" and list(bands) == sorted(bands)


def test_rules_read_as_ranges():
    meaning = {
        "visits": ("number", "visits", True),
        "size": ("number", "size", True),
        "region=north": ("category", "region", "north"),
    }
    text = _describe(
        [("size", ">", 49.5), ("visits", ">", 2.5), ("size", "<=", 500.5), ("region=north", ">", 0.5)], meaning
    )
    assert (
        text == "visits ≥ 3 AND size 50–500 AND region is north"
        or text == "size 50–500 AND visits ≥ 3 AND region is north"
    )
    assert _describe([("region=north", "<=", 0.5)], meaning) == "region is not north"
    labels = {"size": "Number of Employees", "region": "Sales Region"}
    assert (
        _describe([("size", ">", 49.5), ("region=north", ">", 0.5)], meaning, labels)
        == "Number of Employees ≥ 50 AND Sales Region is north"
    )


def test_written_definition(result, demo_settings):
    rules = result.score.rules
    best = rules.iloc[0]
    # Written with the export's headers (the project file's attribute mapping), never the snake_case keys.
    assert best["lift"] > 2 and "Webinars Attended ≥ 1" in best["rule"] and "Number of Employees" in best["rule"]
    assert not rules["rule"].str.contains(r"\b[a-z]+_[a-z_]+\b").any(), rules["rule"].tolist()
    assert rules["lead_share"].sum() == pytest.approx(1)
    assert rules["conversion_share"].sum() == pytest.approx(1)
    threshold = result.score.threshold
    leads_per_week = result.score.leads_per_week
    assert threshold["share_passed"] == pytest.approx(
        demo_settings.sla.sales_capacity_per_week / leads_per_week, abs=0.01
    )
    assert 0 < threshold["precision"] < 1 and 0 < threshold["recall"] <= 1
    bands = result.score.band_table.set_index("band")
    assert list(bands.index) == ["A", "B", "C", "D"]
    assert bands["conversion_rate"].is_monotonic_decreasing
    lines = headline(result)
    assert any("3.0x" in line or "x the average conversion" in line for line in lines)


def test_a_rule_resting_on_a_missing_value_is_flagged_as_data_entry():
    """A field filled mostly for converted leads makes the tree split on '(missing)': the rule says so."""
    import numpy as np
    import pandas as pd

    from alignkit.leads.definition import find_rules, rule_sentence

    rng = np.random.default_rng(5)
    n = 2000
    y = rng.random(n) < 0.3
    frame = pd.DataFrame(
        {
            "sector": np.where(y | (rng.random(n) < 0.1), rng.choice(["retail", "software"], n), "(missing)"),
            "visits": rng.poisson(3, n).astype(float),
        }
    )
    train, test = frame.iloc[:1400], frame.iloc[1400:]
    rules = find_rules(
        train, y[:1400], test, y[1400:], numeric=["visits"], categorical=["sector"], depth=2, min_share=0.03, seed=0
    )
    flagged = rules[rules["data_entry_effect"]]
    assert len(flagged) and flagged["rule"].str.contains("(missing)", regex=False).all()
    assert "data-entry effect" in rule_sentence(flagged.iloc[0])
    assert not rules.loc[~rules["data_entry_effect"], "rule"].str.contains("(missing)", regex=False).any()
