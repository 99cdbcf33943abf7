"""The time-to-convert estimator (`alignkit.funnel.timing`) against lifelines and against planted times."""

from __future__ import annotations

import numpy as np
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter

from alignkit.funnel.time_to_convert import cycle_table, logrank_p, time_to_convert
from alignkit.funnel.timing import LOST, OPEN, REACHED, incidence, median_day, summarise
from alignkit.prepare.stage_paths import stage_paths
from tests.fixtures.timed import AS_OF, TWO_STAGES, exponential_wins


def _counts(days: np.ndarray, event: np.ndarray) -> np.ndarray:
    return np.bincount(days * 3 + event, minlength=(days.max() + 1) * 3).reshape(-1, 3)


def test_without_losses_the_incidence_is_one_minus_lifelines_kaplan_meier_with_tied_days():
    rng = np.random.default_rng(3)
    days = rng.integers(0, 60, 3000)
    event = np.where(rng.random(3000) < 0.6, REACHED, OPEN)
    won, lost, _ = incidence(_counts(days, event))
    km = KaplanMeierFitter().fit(days, event == REACHED)
    expected = 1 - km.survival_function_at_times(np.arange(days.max() + 1)).to_numpy()
    assert np.allclose(won, expected)
    assert not lost.any()


def test_with_competing_losses_the_incidence_is_lifelines_aalen_johansen_on_untied_times():
    rng = np.random.default_rng(4)
    days = rng.permutation(np.arange(1, 801))  # untied, so lifelines does not jitter
    event = rng.choice([OPEN, REACHED, LOST], 800, p=[0.3, 0.4, 0.3])
    won, lost, _ = incidence(_counts(days, event))
    for cause, ours in ((REACHED, won), (LOST, lost)):
        aj = AalenJohansenFitter(calculate_variance=False).fit(days, event, event_of_interest=cause)
        theirs = aj.cumulative_density_.iloc[:, 0]
        at = theirs.index.to_numpy().astype(int)
        assert np.allclose(ours[at], theirs.to_numpy())


def test_the_median_days_to_win_is_recovered_and_the_closed_only_median_is_biased():
    leads = exponential_wins(6000, mean_days=60, seed=1)
    truth = 60 * np.log(2)  # the exponential's median: 41.6 days
    paths = stage_paths(leads, TWO_STAGES)
    timing = time_to_convert(
        leads, paths, mql_stage="MQL", converted_stage="Customer", as_of=AS_OF, by={}, min_group_size=10
    )
    won = timing.stages.iloc[-1]
    assert won["median_days_ci_low"] <= truth <= won["median_days_ci_high"]
    cycle = cycle_table(timing.to_won).set_index("outcome")
    naive = cycle.loc["won", "closed_only_median_days"]
    # the closed deals over-represent fast ones: young leads that will win late are still open
    assert naive < won["median_days_ci_low"] and naive < 0.85 * truth
    assert won["within_30d_ci_low"] <= 1 - np.exp(-30 / 60) <= won["within_30d_ci_high"]


def test_the_median_counts_only_eventual_wins_when_some_never_convert():
    leads = exponential_wins(8000, mean_days=30, seed=2, win_share=0.25, lost_share=0.35)
    timing = time_to_convert(
        leads,
        stage_paths(leads, TWO_STAGES),
        mql_stage="MQL",
        converted_stage="Customer",
        as_of=AS_OF,
        by={},
        min_group_size=10,
    )
    won = timing.stages.iloc[-1]
    assert won["median_days_ci_low"] <= 30 * np.log(2) <= won["median_days_ci_high"]
    assert won["eventual_ci_low"] <= 0.25 <= won["eventual_ci_high"]


def test_two_sources_with_different_speeds_differ_by_log_rank_and_the_same_speed_does_not():
    fast_slow = exponential_wins(3000, mean_days={"Fast": 20, "Slow": 40}, seed=5)
    timing = time_to_convert(
        fast_slow,
        stage_paths(fast_slow, TWO_STAGES),
        mql_stage="MQL",
        converted_stage="Customer",
        as_of=AS_OF,
        by={"source": fast_slow["source"]},
        min_group_size=10,
    )
    groups = timing.groups.set_index("segment")
    assert groups.loc["Fast", "q_value"] < 0.001 and groups.loc["Fast", "significant"]
    assert groups.loc["Fast", "median_days"] < groups.loc["Slow", "median_days"]
    assert groups.loc["Fast", "difference_ci_low"] > 0
    same = exponential_wins(3000, mean_days={"A": 30, "B": 30}, seed=6)
    timing = time_to_convert(
        same,
        stage_paths(same, TWO_STAGES),
        mql_stage="MQL",
        converted_stage="Customer",
        as_of=AS_OF,
        by={"source": same["source"]},
        min_group_size=10,
    )
    assert not timing.groups["significant"].any()
    assert set(timing.curves["group"]) == {"All leads", "A", "B"}


@pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")  # inside lifelines 0.30.0
def test_logrank_on_per_day_counts_is_lifelines_on_the_leads():
    from lifelines.statistics import logrank_test

    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 90, 500), rng.integers(5, 100, 400)
    ea, eb = rng.random(500) < 0.5, rng.random(400) < 0.5
    expected = logrank_test(a, b, ea, eb).p_value
    ours = logrank_p(_counts(a, np.where(ea, REACHED, OPEN)), _counts(b, np.where(eb, REACHED, OPEN)))
    assert ours == pytest.approx(expected)


def test_summaries_are_deterministic_and_empty_past_the_follow_up():
    counts = _counts(np.array([0, 3, 5, 10, 20]), np.array([REACHED, OPEN, REACHED, LOST, OPEN]))
    first, second = summarise(counts, seed=0), summarise(counts, seed=0)
    assert first == second or all(
        (a == b) or (np.isnan(a) and np.isnan(b)) for a, b in zip(first.values(), second.values())
    )
    assert np.isnan(first["within_30d_share"]) and first["follow_up_days"] == 20
    assert np.isnan(median_day(np.zeros(5)))  # nobody reached the target


def test_young_cohorts_are_judged_on_the_days_they_had_not_read_as_worse():
    from alignkit.funnel.time_to_convert import cohort_incidence
    from alignkit.funnel.timing import lead_outcomes_in_time

    leads = exponential_wins(12_000, mean_days=40, seed=8, span_days=240, win_share=0.3, lost_share=0.0)
    paths = stage_paths(leads, TWO_STAGES)
    outcomes = lead_outcomes_in_time(leads, paths, converted_stage="Customer")
    cohorts = cohort_incidence(paths, outcomes, converted_stage="Customer", as_of=AS_OF).set_index("cohort")
    truth = 0.3 * (1 - np.exp(-30 / 40))
    month = leads["created_at"].dt.to_period("M").astype(str)
    naive = leads.groupby(month)["customer_at"].apply(lambda s: s.notna().mean())
    young = cohorts.index[-2]  # created 1–2 months before the export
    assert (
        cohorts.loc[young, "converted_within_30d_ci_low"] <= truth <= cohorts.loc[young, "converted_within_30d_ci_high"]
    )
    assert naive[young] < naive[cohorts.index[0]] * 0.8  # counted naively, the young cohort looks worse
    assert np.isnan(cohorts.loc[cohorts.index[-1], "converted_within_90d_share"])  # not yet 90 days old: no figure
