"""The open pipeline's forecast, its backtest and the MQLs a goal needs, on funnels whose truth is planted."""

from __future__ import annotations

import numpy as np
import pytest

from alignkit.funnel.backtest import backtest, stage_win_rates
from alignkit.funnel.forecast import expected_totals, fit_landmarks, open_leads, predict, timeline
from alignkit.funnel.goal import mqls_needed
from alignkit.funnel.time_to_convert import time_to_convert
from alignkit.funnel.timing import entry_times, lead_outcomes_in_time
from alignkit.prepare.stage_paths import stage_paths
from tests.fixtures.timed import AS_OF, PIPELINE, TWO_STAGES, exponential_wins, staged_pipeline


@pytest.fixture(scope="module")
def pipeline():
    leads = staged_pipeline(12_000, seed=11)
    paths = stage_paths(leads, PIPELINE)
    outcomes = lead_outcomes_in_time(leads, paths, converted_stage="Won")
    return leads, timeline(leads, paths, outcomes, converted_stage="Won")


def test_an_open_opportunity_gets_the_planted_chance_for_its_days_at_the_stage(pipeline):
    _, line = pipeline
    model = fit_landmarks(line, as_of=AS_OF)
    cells = model.cells.set_index(["stage", "landmark"])
    # at the Opportunity stage (index 1), wins come at 3% a day for 30 days, lost at 1% a day (competing):
    # the chance of winning within 30 days from day 0 is 0.03 / 0.04 × (1 − e^(−0.04 × 30))
    fresh = 0.03 / 0.04 * (1 - np.exp(-0.04 * 30))
    assert cells.loc[(1, 0), "p_30"] == pytest.approx(fresh, abs=0.03)
    # after 30 days at the stage the win hazard falls to 0.3% a day: 0.003 / 0.013 × (1 − e^(−0.013 × 90))
    late = 0.003 / 0.013 * (1 - np.exp(-0.013 * 90))
    assert cells.loc[(1, 30), "p_90"] == pytest.approx(late, abs=0.04)
    assert cells.loc[(1, 30), "p_90"] < cells.loc[(1, 0), "p_90"] / 2


def test_the_open_pipeline_is_forecast_with_an_interval(pipeline):
    _, line = pipeline
    predicted = predict(line, fit_landmarks(line, as_of=AS_OF), as_of=AS_OF)
    assert len(predicted) == open_leads(line).sum()
    totals = expected_totals(predicted, 90)
    assert totals["wins_low"] < totals["wins"] < totals["wins_high"]
    assert totals["revenue_low"] < totals["revenue"] < totals["revenue_high"]
    assert (predicted["p_30"] <= predicted["p_90"] + 1e-12).all()


def test_the_backtest_is_calibrated_and_beats_the_weighted_pipeline(pipeline):
    _, line = pipeline
    test = backtest(line, as_of=AS_OF, maturity_days=None)
    assert not test.reason and len(test.by_cutoff) >= 6
    assert test.error("forecast") < 0.15
    assert test.error("forecast") < test.error("weighted pipeline")
    calibration = test.calibration[
        (test.calibration["method"] == "forecast") & (test.calibration["lead_forecasts"] >= 300)
    ]
    assert len(calibration) >= 3
    assert ((calibration["predicted"] - calibration["observed"]).abs() < 0.05).all()
    forecast = test.summary.set_index("method").loc["forecast"]
    assert forecast["interval_held"] >= 0.6


def test_a_short_history_is_not_backtested_and_says_why():
    leads = staged_pipeline(3000, seed=12, span_days=200)
    paths = stage_paths(leads, PIPELINE)
    line = timeline(leads, paths, lead_outcomes_in_time(leads, paths, converted_stage="Won"), converted_stage="Won")
    test = backtest(line, as_of=AS_OF, maturity_days=None)
    assert test.reason.startswith("the history covers") and test.by_cutoff.empty


def test_stage_win_rates_count_closed_deals_or_matured_leads(pipeline):
    _, line = pipeline
    closed_only = stage_win_rates(line, as_of=AS_OF, maturity_days=None)
    matured = stage_win_rates(line, as_of=AS_OF, maturity_days=90)
    assert closed_only[2] == 1.0 and 0 < closed_only[1] < 1
    assert matured[0] <= closed_only[0]


def test_the_mqls_a_goal_needs_match_the_arithmetic():
    # a quarter of the MQLs win, each for 2,000: 100,000 a month needs 100,000 / (0.25 × 2,000) = 200 MQLs
    leads = exponential_wins(12_000, mean_days=20, seed=13, win_share=0.25, lost_share=0.5, amount=2000.0)
    paths = stage_paths(leads, TWO_STAGES)
    timing = time_to_convert(
        leads, paths, mql_stage="MQL", converted_stage="Customer", as_of=AS_OF, by={}, min_group_size=10
    )
    won = timing.to_won.rows & timing.outcomes.won
    goal = mqls_needed(
        timing.to_won,
        leads["amount"].to_numpy(float, na_value=np.nan)[won],
        entry_times(paths, "MQL"),
        as_of=AS_OF,
        revenue_goal=100_000,
        customers_goal=None,
        agreed=150,
    )
    assert goal is not None and not goal.reason
    assert goal.needed_ci[0] <= 200 <= goal.needed_ci[1]
    assert goal.needed_ci[1] - goal.needed_ci[0] < 40
    assert goal.agreed_is_enough == "no"
    assert len(goal.delivered) == 6 and goal.delivered["delivered"].between(800, 1100).all()
    customers = mqls_needed(
        timing.to_won,
        np.array([]),
        entry_times(paths, "MQL"),
        as_of=AS_OF,
        revenue_goal=100_000,
        customers_goal=50,
        agreed=0,
    )
    assert customers.kind == "customers" and customers.needed_ci[0] <= 200 <= customers.needed_ci[1]


def test_a_revenue_goal_without_amounts_or_wins_says_why():
    won_some = exponential_wins(500, mean_days=20, seed=14, win_share=0.3, lost_share=0.3)
    paths = stage_paths(won_some, TWO_STAGES)
    timing = time_to_convert(
        won_some, paths, mql_stage="MQL", converted_stage="Customer", as_of=AS_OF, by={}, min_group_size=10
    )
    no_amounts = mqls_needed(
        timing.to_won, np.array([]), entry_times(paths, "MQL"), as_of=AS_OF, revenue_goal=1e5, customers_goal=None
    )
    assert "sla.customers_per_month" in no_amounts.reason
    leads = exponential_wins(500, mean_days=20, seed=14, win_share=0.0, lost_share=0.5)
    paths = stage_paths(leads, TWO_STAGES)
    timing = time_to_convert(
        leads, paths, mql_stage="MQL", converted_stage="Customer", as_of=AS_OF, by={}, min_group_size=10
    )
    no_wins = mqls_needed(
        timing.to_won, np.array([]), entry_times(paths, "MQL"), as_of=AS_OF, revenue_goal=None, customers_goal=10
    )
    assert "won yet" in no_wins.reason
    assert (
        mqls_needed(
            timing.to_won, np.array([]), entry_times(paths, "MQL"), as_of=AS_OF, revenue_goal=None, customers_goal=None
        )
        is None
    )


@pytest.mark.parametrize("shape", ["one lead", "none won", "no leads", "all on one day"])
def test_degenerate_histories_get_a_sentence_not_a_number(shape):
    from alignkit.funnel.outlook import forecast_lines, forecast_pipeline, goal_lines, time_lines

    leads = {
        "one lead": lambda: exponential_wins(1, mean_days=20, seed=1),
        "none won": lambda: exponential_wins(300, mean_days=20, seed=3, win_share=0, lost_share=0.5),
        "no leads": lambda: exponential_wins(0, mean_days=20, seed=5),
        "all on one day": lambda: exponential_wins(50, mean_days=20, seed=6, span_days=0),
    }[shape]()
    paths = stage_paths(leads, TWO_STAGES)
    timing = time_to_convert(
        leads,
        paths,
        mql_stage="MQL",
        converted_stage="Customer",
        as_of=AS_OF,
        by={"source": leads["source"]},
        min_group_size=10,
    )
    forecast = forecast_pipeline(leads, paths, timing, as_of=AS_OF, maturity_days=90)
    goal = mqls_needed(
        timing.to_won,
        np.full(int(timing.outcomes.won.sum()), 1000.0),
        entry_times(paths, "MQL"),
        as_of=AS_OF,
        revenue_goal=1e5,
        customers_goal=None,
        agreed=10,
    )
    lines = time_lines(timing) + forecast_lines(forecast, timing) + goal_lines(goal)
    assert not any("nan" in line for line in lines), lines
    assert goal.reason and "cannot be derived" in goal_lines(goal)[0]
