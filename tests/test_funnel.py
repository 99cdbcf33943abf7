"""The funnel: stage paths (skips and moves back counted by hand), maturity, outcomes, cohorts, friction points,
and the whole analysis judged against the demo's planted truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignkit.funnel import analysis as funnel
from alignkit.funnel.analysis import FunnelInputs

STAGES = ["Lead", "MQL", "SQL", "Customer"]
AS_OF = pd.Timestamp("2026-06-30")
OLD = pd.Timestamp("2026-01-01")


def _day(n: float) -> pd.Timestamp:
    return OLD + pd.Timedelta(days=n)


@pytest.fixture(scope="module")
def hand_made() -> pd.DataFrame:
    """Nine leads, each chosen for one rule. Dates are days after 1 Jan 2026; the export is 30 Jun 2026."""
    nat = pd.NaT
    rows = [
        # key, stage now, lead_at, mql_at, sql_at, customer_at, deal_stage
        ("L1", "Customer", _day(0), _day(10), _day(15), _day(40), "won"),    # the straight path
        ("L2", "Customer", _day(0), nat, nat, _day(50), "won"),              # skipped MQL and SQL
        ("L3", "Lead", _day(0), _day(20), _day(30), nat, "lost"),            # reached SQL, moved back to Lead, deal lost
        ("L4", "Lead", _day(0), nat, nat, nat, None),                        # stayed a lead for months: stalled
        ("L5", "MQL", nat, nat, nat, nat, None),                             # at MQL without any date (created long ago)
        ("L6", "MQL", _day(0), nat, _day(12), nat, None),                    # skipped MQL to SQL, then moved back to MQL
        ("L7", "Lead", AS_OF - pd.Timedelta(days=5), nat, nat, nat, None),   # a new lead: too young to judge
        ("L8", "MQL", AS_OF - pd.Timedelta(days=5), AS_OF - pd.Timedelta(days=2), nat, nat, None),  # moved on, young MQL
        ("L9", None, _day(0), nat, nat, nat, None),                          # lifecycle value marks it lost (stage empty)
    ]
    frame = pd.DataFrame(rows, columns=["lead_key", "stage", "lead_at", "mql_at", "sql_at", "customer_at", "deal_stage"])
    created = frame["lead_at"].fillna(OLD)
    return frame.assign(created_at=created, stage=pd.Categorical(frame["stage"], categories=STAGES, ordered=True),
                        deal_stage=frame["deal_stage"].astype("str"), lifecycle_lost=frame["lead_key"].eq("L9"),
                        source=["A", "A", "B", "B", "A", "B", "A", "B", "A"])


@pytest.fixture(scope="module")
def hand_paths(hand_made):
    return funnel.stage_paths(hand_made, STAGES)


def test_reached_skipped_and_moved_back_are_counted_by_hand(hand_paths):
    table = funnel.stage_table(hand_paths).set_index("stage")
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
    irregular = funnel.irregularities(hand_paths).set_index("irregularity")["leads"]
    assert irregular["skipped at least one stage"] == 2
    assert irregular["skipped MQL"] == 2 and irregular["skipped SQL"] == 1
    assert irregular["moved back to an earlier stage"] == 2


def test_skipped_stage_takes_the_date_of_the_next_dated_stage(hand_paths):
    l2 = 1
    assert pd.Timestamp(hand_paths.reached_at[l2, 1]) == _day(50)   # MQL skipped: reached when it became Customer
    assert pd.Timestamp(hand_paths.reached_at[l2, 2]) == _day(50)
    assert np.isnat(hand_paths.reached_at[4, 1])                      # L5: at MQL, no date known


def test_conversion_is_judged_only_on_matured_leads(hand_paths):
    table = funnel.conversion_table(hand_paths, as_of=AS_OF, maturity_days=30).set_index("from_stage")
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
    table = funnel.outcome_table(hand_made, hand_paths, converted_stage="Customer", as_of=AS_OF,
                                 maturity_days=30).set_index("stage")
    # Lead: L7 open (young), L4 stalled, L9 lost by lifecycle.  MQL: L8 open, L5 stalled.
    # SQL: L3 lost (deal closed lost), L6 stalled (no movement since day 12).
    assert table.loc["Lead", ["open", "stalled", "lost (deal)", "lost (lifecycle)"]].tolist() == [1, 1, 0, 1]
    assert table.loc["MQL", ["open", "stalled", "lost (deal)", "lost (lifecycle)"]].tolist() == [1, 1, 0, 0]
    assert table.loc["SQL", ["open", "stalled", "lost (deal)", "lost (lifecycle)"]].tolist() == [0, 1, 1, 0]


def test_an_unknown_lifecycle_value_is_not_counted_as_lost(hand_made, hand_paths):
    """L9 with its stage empty because notebook 01 did not know its lifecycle value (lifecycle_lost False): its
    own count, 'stage unknown', and out of the lost share."""
    unknown = hand_made.assign(lifecycle_lost=False)
    outcome = funnel.lead_outcomes(unknown, hand_paths, as_of=AS_OF, maturity_days=30)
    assert outcome[8] == "stage unknown" and (outcome != "lost (lifecycle)").all()
    table = funnel.outcome_table(unknown, hand_paths, converted_stage="Customer", as_of=AS_OF,
                                 maturity_days=30).set_index("stage")
    assert table.loc["Lead", ["open", "stalled", "lost (deal)", "lost (lifecycle)", "stage unknown"]].tolist() == [1, 1, 0, 0, 1]
    assert table.loc["Lead", "lost_share"] == pytest.approx(1 / 3)   # only L4 (stalled) of L4, L7, L9
    known = funnel.outcome_table(hand_made, hand_paths, converted_stage="Customer", as_of=AS_OF,
                                 maturity_days=30).set_index("stage")
    assert known.loc["Lead", "stage unknown"] == 0 and known.loc["Lead", "lost_share"] == pytest.approx(2 / 3)
    assert "Customer" not in table.index


def test_time_in_stage_uses_leads_with_both_dates(hand_paths):
    times = funnel.time_in_stage(hand_paths, converted_stage="Customer").set_index("from_stage")
    # Lead → MQL with both dates: L1 (10 days), L3 (20 days), L8 (3 days).
    assert times.loc["Lead", "leads"] == 3
    assert times.loc["Lead", "median_days"] == pytest.approx(10)
    # Created → Customer: L1 40 days, L2 50 days.
    assert times.loc["Created", "median_days"] == pytest.approx(45)


def test_young_cohorts_are_not_judged():
    created = pd.to_datetime(["2026-01-10", "2026-01-20", "2026-06-10", "2026-06-11"])
    leads = pd.DataFrame({"lead_key": list("abcd"), "created_at": created, "lead_at": created,
                          "mql_at": [created[0], pd.NaT, created[2], pd.NaT],
                          "stage": pd.Categorical(["MQL", "Lead", "MQL", "Lead"], categories=["Lead", "MQL"])})
    paths = funnel.stage_paths(leads, ["Lead", "MQL"])
    cohorts = funnel.cohort_table(paths, as_of=AS_OF, maturity_days=30, converted_stage="MQL").set_index("cohort")
    assert cohorts.loc["2026-01", "matured"] and cohorts.loc["2026-01", "mql_share"] == pytest.approx(0.5)
    assert not cohorts.loc["2026-06", "matured"] and pd.isna(cohorts.loc["2026-06", "mql_share"])
    assert cohorts.loc["2026-06", "reached_mql"] == 1


def test_a_persona_column_becomes_a_breakdown(hand_made):
    assert "persona" not in funnel.breakdown_columns(hand_made)
    assert "campaign" not in funnel.breakdown_columns(hand_made.assign(campaign=pd.Series(pd.NA, dtype="str")))
    assert funnel.breakdown_columns(hand_made.assign(persona="P"))[-1] == "persona"


def test_segment_conversion_ranks_the_planted_friction_segment():
    rng = np.random.default_rng(0)
    n = 4000
    source = rng.choice(["good", "ok", "bad"], n)
    mql = np.full(n, OLD)
    sql = np.where(rng.random(n) < np.where(source == "bad", 0.2, 0.6), OLD + pd.Timedelta(days=5), pd.NaT)
    leads = pd.DataFrame({"lead_key": np.arange(n).astype(str), "created_at": OLD, "lead_at": OLD, "mql_at": mql,
                          "sql_at": pd.to_datetime(sql), "source": source,
                          "stage": pd.Categorical(np.where(pd.isna(sql), "MQL", "SQL"), categories=["Lead", "MQL", "SQL"])})
    paths = funnel.stage_paths(leads, ["Lead", "MQL", "SQL"])
    segments = funnel.segment_conversion(leads, paths, as_of=AS_OF, maturity_days=30, by=["source"], min_group_size=10)
    friction = funnel.friction_points(segments)
    top = friction.iloc[0]
    assert (top["segment"], top["from_stage"], top["to_stage"]) == ("bad", "MQL", "SQL")
    assert top["leads_lost"] == pytest.approx(top["n"] * (top["rest_rate"] - top["rate"]))
    assert (segments["q_value"] >= segments["p_value"]).all()


# --- the demo, judged against its planted truth ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def demo_result(prepared, demo_settings):
    data = FunnelInputs(leads=prepared.leads, touches=prepared.touches, inputs=prepared.inputs)
    return funnel.analyse(demo_settings, data=data)


def test_planted_friction_point_is_reported_first(demo_result, truth):
    planted = truth["friction_point"]
    top = demo_result.friction.iloc[0]
    assert (top["breakdown"], top["segment"]) == ("source", planted["source"])
    assert (top["from_stage"], top["to_stage"]) == (planted["from_stage"], planted["to_stage"])
    assert top["rate"] == pytest.approx(planted["mql_to_sql_rate_by_source"][planted["source"]], abs=0.03)
    assert "Paid Social" in funnel.headline(demo_result)[2]


def test_a_segment_inside_a_higher_ranked_friction_point_is_not_repeated():
    """Campaign p1 lies wholly inside source Paid (both friction points at Lead → MQL): marked within it. Owner Kim
    holds half Paid leads: a finding of its own. Campaign p1 at another step is not compared across steps."""
    n = 200
    paid = np.arange(n) < 100
    leads = pd.DataFrame({"lead_key": [f"L{i}" for i in range(n)], "created_at": OLD, "lead_at": OLD,
                          "mql_at": pd.NaT, "source": np.where(paid, "Paid", "Web"),
                          "campaign": np.where(np.arange(n) < 60, "p1", "other"),
                          "owner": np.where((np.arange(n) >= 50) & (np.arange(n) < 150), "Kim", "Lee")})
    leads["stage"] = pd.Categorical(["Lead"] * n, categories=["Lead", "MQL"], ordered=True)
    paths = funnel.stage_paths(leads, ["Lead", "MQL"])
    friction = pd.DataFrame({"from_stage": ["Lead"] * 3 + ["MQL"], "to_stage": ["MQL"] * 3 + ["SQL"],
                             "breakdown": ["source", "campaign", "owner", "campaign"],
                             "segment": ["Paid", "p1", "Kim", "p1"]})
    within = funnel.nested_within(friction, leads, paths, as_of=AS_OF, maturity_days=30)
    assert within.tolist() == ["", "source Paid", "", ""]


def test_demo_friction_points_do_not_repeat_the_paid_social_campaigns(demo_result):
    top = demo_result.friction.iloc[0]
    assert (top["breakdown"], top["segment"], top["from_stage"], top["to_stage"]) == ("source", "Paid Social", "MQL", "SQL")
    nested = demo_result.friction.iloc[1:]
    assert not nested["segment"].astype(str).str.startswith("paid-social").any()
    marked = demo_result.segments[demo_result.segments["within"] != ""]
    assert set(marked["segment"]) == {"paid-social-spring", "paid-social-summer", "paid-social-autumn"}
    assert (marked["within"] == "source Paid Social").all()
    assert not any("paid-social" in line for line in funnel.headline(demo_result))


def test_demo_irregularities_match_the_planted_ones(demo_result, truth):
    counts = demo_result.irregularities.set_index("irregularity")["leads"]
    assert counts["skipped SQL"] == truth["funnel_irregularities"]["skipped_sql"]
    assert counts["moved back to an earlier stage"] == truth["funnel_irregularities"]["moved_back_to_lead"]


def test_demo_as_of_is_the_export_date(demo_result, truth):
    assert abs(demo_result.as_of - pd.Timestamp(truth["export_date"])) < pd.Timedelta(hours=1)


def test_a_far_future_date_does_not_move_the_export_date(prepared, demo_settings, truth):
    """One touch typo'd into 2062 and one lead created in 2099: both left out, counted, said in the report."""
    from alignkit.funnel.report import as_of_sentence

    touches = prepared.touches.copy()
    touches.loc[0, "at"] = pd.Timestamp("2062-03-01")
    leads = prepared.leads.copy()
    leads.loc[0, "created_at"] = pd.Timestamp("2099-01-01")
    when = funnel.export_date(leads, touches, stages=demo_settings.funnel.stage_names)
    assert abs(when.date - pd.Timestamp(truth["export_date"])) < pd.Timedelta(hours=1)
    assert when.dates_ignored == 2 and when.source == "data"
    result = funnel.analyse(demo_settings, data=FunnelInputs(leads=leads, touches=touches, inputs=prepared.inputs))
    assert result.as_of == when.date and result.future_dates_ignored == 2
    assert "2 dates lying far beyond the rest of the data" in as_of_sentence(result)


def test_funnel_as_of_in_the_project_file_sets_the_date(prepared, demo_settings):
    from alignkit.funnel.report import as_of_sentence

    settings = demo_settings.model_copy(update={"funnel": demo_settings.funnel.model_copy(
        update={"as_of": pd.Timestamp("2026-08-31").date()})})
    result = funnel.analyse(settings, data=FunnelInputs(leads=prepared.leads, touches=prepared.touches,
                                                        inputs=prepared.inputs))
    assert result.as_of == pd.Timestamp("2026-08-31") and result.as_of_source == "project file"
    assert "the date set in the project file (funnel.as_of)" in as_of_sentence(result)


def test_funnel_as_of_is_read_from_the_project_file(tmp_path, demo_project):
    from alignkit.config import load_settings
    from alignkit.errors import ConfigError

    text = demo_project.read_text(encoding="utf-8").replace("  # as_of: 2026-06-30", "  as_of: 2026-06-30")
    (tmp_path / "alignkit.yml").write_text(text, encoding="utf-8")
    assert load_settings(tmp_path / "alignkit.yml").funnel.as_of == pd.Timestamp("2026-06-30").date()
    (tmp_path / "alignkit.yml").write_text(text.replace("as_of: 2026-06-30", "as_of: 30 June"), encoding="utf-8")
    with pytest.raises(ConfigError, match="as_of"):
        load_settings(tmp_path / "alignkit.yml")


def test_demo_report_sections_hold_every_part(demo_result):
    ids = [section.id for section in funnel.report_sections(demo_result)]
    assert ids == ["definitions", "funnel", "friction", "cohorts", "sla", "closed-loop", "kpis"]
    assert "friction points" in demo_result._repr_html_()
    assert repr(demo_result).startswith("FunnelResult(as of 2026-09-30")


def test_personas_where_linked_become_a_breakdown(prepared, demo_settings):
    leads = prepared.leads
    rng = np.random.default_rng(1)
    linked = leads.sample(3000, random_state=1)
    personas = pd.DataFrame({"lead_key": linked["lead_key"].to_numpy(), "persona": rng.choice(["P1", "P2"], len(linked))})
    result = funnel.analyse(demo_settings, data=FunnelInputs(leads=leads, touches=None, inputs=prepared.inputs),
                            personas=personas)
    rows = result.segments[result.segments["breakdown"] == "persona"]
    assert set(rows["segment"]) == {"P1", "P2"}
    assert rows.loc[rows["from_stage"] == "Lead", "n"].sum() <= 3000
    assert "persona" not in leads and result.closed_loop is None
    assert "closed-loop" not in [section.id for section in funnel.report_sections(result)]  # no touches, no loop


def test_young_leads_are_not_judged_even_when_they_already_moved_on():
    """Counting young leads only when they have already converted selects on the outcome and inflates the rate:
    a campaign launched last month would show 100%. A step is judged on leads that reached the stage long enough
    ago, whatever they did since."""
    young = AS_OF - pd.Timedelta(days=5)
    leads = pd.DataFrame({
        "lead_key": ["old_yes", "old_no", "young_yes", "young_no"],
        "created_at": [OLD, OLD, young, young],
        "lead_at": [OLD, OLD, young, young],
        "mql_at": [_day(3), pd.NaT, young + pd.Timedelta(days=1), pd.NaT],
        "stage": pd.Categorical(["MQL", "Lead", "MQL", "Lead"], categories=["Lead", "MQL"], ordered=True)})
    paths = funnel.stage_paths(leads, ["Lead", "MQL"])
    row = funnel.conversion_table(paths, as_of=AS_OF, maturity_days=30).iloc[0]
    # Only the two old leads are judged: one of two converted. The young converter is not yet judged, like the
    # young lead that has not moved (judging it would give 2 of 3).
    assert (row["judged"], row["converted"], row["not_yet_judged"]) == (2, 1, 2)
    assert row["rate"] == pytest.approx(0.5)
    segments = funnel.segment_conversion(leads.assign(source=["A", "A", "A", "A"]), paths, as_of=AS_OF,
                                         maturity_days=30, by=["source"])
    assert segments.loc[0, "n"] == 2 and segments.loc[0, "rate"] == pytest.approx(0.5)


def test_stage_dates_out_of_order_are_counted_not_dropped_silently():
    """A lead whose MQL date comes before its Lead date cannot give a time in stage; it is left out of the
    median, and counted so the reader sees it."""
    leads = pd.DataFrame({"lead_key": ["a", "b", "c"], "created_at": [OLD] * 3,
                          "lead_at": [_day(0), _day(0), _day(10)], "mql_at": [_day(4), _day(6), _day(2)],
                          "stage": pd.Categorical(["MQL"] * 3, categories=["Lead", "MQL"], ordered=True)})
    times = funnel.time_in_stage(funnel.stage_paths(leads, ["Lead", "MQL"]), converted_stage="MQL").set_index("from_stage")
    assert times.loc["Lead", "leads"] == 2 and times.loc["Lead", "median_days"] == pytest.approx(5)
    assert times.loc["Lead", "dates_out_of_order"] == 1
    assert times.loc["Created", "dates_out_of_order"] == 0
