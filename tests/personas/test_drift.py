"""Drift between waves: share changes ordered by the size of the move, and the effect sizes behind them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignkit import stats
from alignkit.personas.drift import share_drift


def test_effect_size_helpers():
    diff, low, high = stats.proportion_difference(56, 70, 48, 80)  # Newcombe (1998), example (a)
    assert (round(diff, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)
    assert stats.total_variation_distance([1, 0], [0, 1]) == 1.0
    assert stats.cramers_v([[10, 0], [0, 10]]) == pytest.approx(1.0)
    share = stats.compare_share(pd.Series([True] * 30 + [False] * 70), np.r_[np.ones(50), np.zeros(50)].astype(bool))
    assert share["value_in"] == 0.6 and share["value_out"] == 0.0 and share["p_value"] < 1e-6
    mean = stats.compare_mean(
        pd.Series(np.r_[np.ones(50) * 2, np.ones(50)]), np.r_[np.ones(50), np.zeros(50)].astype(bool)
    )
    assert mean["lift"] == 2.0 and mean["std_diff"] == np.inf


def test_share_drift_orders_by_size_of_move():
    before = pd.Series([1] * 50 + [2] * 50)
    after = pd.Series([1] * 20 + [2] * 80)
    table = share_drift(before, after, {1: "A", 2: "B"})
    assert table["change"].abs().tolist() == pytest.approx([0.3, 0.3])
    assert table["moved"].all() and (table["change_ci_low"] < table["change"]).all()
