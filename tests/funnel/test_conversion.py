"""Conversion through the funnel: stage paths (skips and moves back counted by hand), maturity, time in stage,
outcomes and cohorts, and the demo's planted irregularities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignkit.funnel import conversion
from alignkit.funnel.friction import segment_conversion
from alignkit.prepare.stage_paths import stage_paths
from tests.funnel.conftest import AS_OF, OLD, day


def test_reached_skipped_and_moved_back_are_counted_by_hand(hand_paths):
    table = conversion.stage_table(hand_paths).set_index("stage")
    # Lead: all nine (L5 has no date but sits at MQL, so it passed Lead).
    # MQL: L1, L2 (skipped), L3, L5 (current stage), L6 (skipped), L8 = 6.
    # SQL: L1, L2 (skipped), L3, L6 = 4.   Customer: L1, L2 = 2.
    assert table["reached"].tolist() == [9, 6, 4, 2]
    # Skips: MQL by L2 and L6, SQL by L2; the first stage is never a skip; L5's MQL has no date but is not a skip
    # because L5 went no further.
    assert table["skipped"].tolist() == [0, 2, 1, 0]
    # Furthest stage: Lead = L4, L7, L9; MQL = L5, L8; SQL = L3, L6 (both moved back); Customer = L1, L2.
    assert table["stopped_here"].tolist() == [3, 2, 2, 2]
    assert table["moved_back_from_here"].tolist() == [0, 0, 2, 0]
    assert hand_paths.moved_back.tolist() == [False, False, True, False, False, True, False, False, False]
    irregular = conversion.irregularities(hand_paths).set_index("irregularity")["leads"]
    assert irregular["skipped at least one stage"] == 2
    assert irregular["skipped MQL"] == 2 and irregular["skipped SQL"] == 1
    assert irregular["moved back to an earlier stage"] == 2


def test_skipped_stage_takes_the_date_of_the_next_dated_stage(hand_paths):
    l2 = 1
    assert pd.Timestamp(hand_paths.reached_at[l2, 1]) == day(50)  # MQL skipped: reached when it became Customer
    assert pd.Timestamp(hand_paths.reached_at[l2, 2]) == day(50)
    assert np.isnat(hand_paths.reached_at[4, 1])  # L5: at MQL, no date known


def test_conversion_is_judged_only_on_matured_leads(hand_paths):
    table = conversion.conversion_table(hand_paths, as_of=AS_OF, maturity_days=30).set_index("from_stage")
    # Lead → MQL: judged all but L7 and L8 (5 days old; L8 already moved on, but counting only the young leads
    # that moved on would select on the outcome) = 7; converted: L1, L2, L3, L5, L6.
    assert (table.loc["Lead", "judged"], table.loc["Lead", "converted"]) == (7, 5)
    assert table.loc["Lead", "not_yet_judged"] == 2
    # MQL → SQL: judged L1, L2, L3, L6 (reached MQL long ago) and L5 (no MQL date: its old creation date stands
    # in); L8 is too young. Converted: L1, L2, L3, L6.
    assert (table.loc["MQL", "judged"], table.loc["MQL", "converted"]) == (5, 4)
    assert table.loc["MQL", "rate"] == pytest.approx(0.8)
    # SQL → Customer: L1, L2 of L1, L2, L3, L6.
    assert (table.loc["SQL", "judged"], table.loc["SQL", "converted"]) == (4, 2)
    # Cumulative: leads created at least 30 days before the export (all but L7, L8) = 7; customers 2.
    assert table.loc["SQL", "cumulative_n"] == 7 and table.loc["SQL", "cumulative_converted"] == 2
    assert (table["ci_low"] <= table["rate"]).all() and (table["rate"] <= table["ci_high"]).all()


def test_open_stalled_and_lost_at_each_stage(hand_made, hand_paths):
    table = conversion.outcome_table(
        hand_made, hand_paths, converted_stage="Customer", as_of=AS_OF, maturity_days=30
    ).set_index("stage")
    # Lead: L7 open (young), L4 stalled, L9 lost by lifecycle.  MQL: L8 open, L5 stalled.
    # SQL: L3 lost (deal closed lost), L6 stalled (no movement since day 12).
    assert table.loc["Lead", ["open", "stalled", "lost (deal)", "lost (lifecycle)"]].tolist() == [1, 1, 0, 1]
    assert table.loc["MQL", ["open", "stalled", "lost (deal)", "lost (lifecycle)"]].tolist() == [1, 1, 0, 0]
    assert table.loc["SQL", ["open", "stalled", "lost (deal)", "lost (lifecycle)"]].tolist() == [0, 1, 1, 0]


def test_an_unknown_lifecycle_value_is_not_counted_as_lost(hand_made, hand_paths):
    """L9 with its stage empty because notebook 01 did not know its lifecycle value (lifecycle_lost False): its
    own count, 'stage unknown', and out of the lost share."""
    unknown = hand_made.assign(lifecycle_lost=False)
    outcome = conversion.lead_outcomes(unknown, hand_paths, as_of=AS_OF, maturity_days=30)
    assert outcome[8] == "stage unknown" and (outcome != "lost (lifecycle)").all()
    table = conversion.outcome_table(
        unknown, hand_paths, converted_stage="Customer", as_of=AS_OF, maturity_days=30
    ).set_index("stage")
    assert table.loc["Lead", ["open", "stalled", "lost (deal)", "lost (lifecycle)", "stage unknown"]].tolist() == [
        1,
        1,
        0,
        0,
        1,
    ]
    assert table.loc["Lead", "lost_share"] == pytest.approx(1 / 3)  # only L4 (stalled) of L4, L7, L9
    known = conversion.outcome_table(
        hand_made, hand_paths, converted_stage="Customer", as_of=AS_OF, maturity_days=30
    ).set_index("stage")
    assert known.loc["Lead", "stage unknown"] == 0 and known.loc["Lead", "lost_share"] == pytest.approx(2 / 3)
    assert "Customer" not in table.index


def test_time_in_stage_uses_leads_with_both_dates(hand_paths):
    times = conversion.time_in_stage(hand_paths, converted_stage="Customer").set_index("from_stage")
    # Lead → MQL with both dates: L1 (10 days), L3 (20 days), L8 (3 days).
    assert times.loc["Lead", "leads"] == 3
    assert times.loc["Lead", "median_days"] == pytest.approx(10)
    # Created → Customer: L1 40 days, L2 50 days.
    assert times.loc["Created", "median_days"] == pytest.approx(45)


def test_young_cohorts_are_not_judged():
    created = pd.to_datetime(["2026-01-10", "2026-01-20", "2026-06-10", "2026-06-11"])
    leads = pd.DataFrame(
        {
            "lead_key": list("abcd"),
            "created_at": created,
            "lead_at": created,
            "mql_at": [created[0], pd.NaT, created[2], pd.NaT],
            "stage": pd.Categorical(["MQL", "Lead", "MQL", "Lead"], categories=["Lead", "MQL"]),
        }
    )
    paths = stage_paths(leads, ["Lead", "MQL"])
    cohorts = conversion.cohort_table(paths, as_of=AS_OF, maturity_days=30, converted_stage="MQL").set_index("cohort")
    assert cohorts.loc["2026-01", "matured"] and cohorts.loc["2026-01", "mql_share"] == pytest.approx(0.5)
    assert not cohorts.loc["2026-06", "matured"] and pd.isna(cohorts.loc["2026-06", "mql_share"])
    assert cohorts.loc["2026-06", "reached_mql"] == 1


def test_young_leads_are_not_judged_even_when_they_already_moved_on():
    """Counting young leads only when they have already converted selects on the outcome and inflates the rate:
    a campaign launched last month would show 100%. A step is judged on leads that reached the stage long enough
    ago, whatever they did since."""
    young = AS_OF - pd.Timedelta(days=5)
    leads = pd.DataFrame(
        {
            "lead_key": ["old_yes", "old_no", "young_yes", "young_no"],
            "created_at": [OLD, OLD, young, young],
            "lead_at": [OLD, OLD, young, young],
            "mql_at": [day(3), pd.NaT, young + pd.Timedelta(days=1), pd.NaT],
            "stage": pd.Categorical(["MQL", "Lead", "MQL", "Lead"], categories=["Lead", "MQL"], ordered=True),
        }
    )
    paths = stage_paths(leads, ["Lead", "MQL"])
    row = conversion.conversion_table(paths, as_of=AS_OF, maturity_days=30).iloc[0]
    # Only the two old leads are judged: one of two converted. The young converter is not yet judged, like the
    # young lead that has not moved (judging it would give 2 of 3).
    assert (row["judged"], row["converted"], row["not_yet_judged"]) == (2, 1, 2)
    assert row["rate"] == pytest.approx(0.5)
    segments = segment_conversion(
        leads.assign(source=["A", "A", "A", "A"]), paths, as_of=AS_OF, maturity_days=30, by=["source"]
    )
    assert segments.loc[0, "n"] == 2 and segments.loc[0, "rate"] == pytest.approx(0.5)


def test_stage_dates_out_of_order_are_counted_not_dropped_silently():
    """A lead whose MQL date comes before its Lead date cannot give a time in stage; it is left out of the
    median, and counted so the reader sees it."""
    leads = pd.DataFrame(
        {
            "lead_key": ["a", "b", "c"],
            "created_at": [OLD] * 3,
            "lead_at": [day(0), day(0), day(10)],
            "mql_at": [day(4), day(6), day(2)],
            "stage": pd.Categorical(["MQL"] * 3, categories=["Lead", "MQL"], ordered=True),
        }
    )
    times = conversion.time_in_stage(stage_paths(leads, ["Lead", "MQL"]), converted_stage="MQL").set_index("from_stage")
    assert times.loc["Lead", "leads"] == 2 and times.loc["Lead", "median_days"] == pytest.approx(5)
    assert times.loc["Lead", "dates_out_of_order"] == 1
    assert times.loc["Created", "dates_out_of_order"] == 0


def test_demo_irregularities_match_the_planted_ones(demo_result, truth):
    counts = demo_result.irregularities.set_index("irregularity")["leads"]
    assert counts["skipped SQL"] == truth["funnel_irregularities"]["skipped_sql"]
    assert counts["moved back to an earlier stage"] == truth["funnel_irregularities"]["moved_back_to_lead"]
