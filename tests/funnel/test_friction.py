"""Friction points: breakdown columns, segment-vs-rest conversion ranked by leads lost, segments inside a
higher-ranked friction point, personas as a breakdown, and the demo's planted friction point."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignkit.funnel.analysis import FunnelInputs, analyse, headline
from alignkit.funnel.friction import breakdown_columns, friction_points, nested_within, segment_conversion
from alignkit.funnel.report import report_sections
from alignkit.prepare.stage_paths import stage_paths
from tests.funnel.conftest import AS_OF, OLD


def test_a_persona_column_becomes_a_breakdown(hand_made):
    assert "persona" not in breakdown_columns(hand_made)
    assert "campaign" not in breakdown_columns(hand_made.assign(campaign=pd.Series(pd.NA, dtype="str")))
    assert breakdown_columns(hand_made.assign(persona="P"))[-1] == "persona"


def test_segment_conversion_ranks_the_planted_friction_segment():
    rng = np.random.default_rng(0)
    n = 4000
    source = rng.choice(["good", "ok", "bad"], n)
    mql = np.full(n, OLD)
    sql = np.where(rng.random(n) < np.where(source == "bad", 0.2, 0.6), OLD + pd.Timedelta(days=5), pd.NaT)
    leads = pd.DataFrame(
        {
            "lead_key": np.arange(n).astype(str),
            "created_at": OLD,
            "lead_at": OLD,
            "mql_at": mql,
            "sql_at": pd.to_datetime(sql),
            "source": source,
            "stage": pd.Categorical(np.where(pd.isna(sql), "MQL", "SQL"), categories=["Lead", "MQL", "SQL"]),
        }
    )
    paths = stage_paths(leads, ["Lead", "MQL", "SQL"])
    segments = segment_conversion(leads, paths, as_of=AS_OF, maturity_days=30, by=["source"], min_group_size=10)
    friction = friction_points(segments)
    top = friction.iloc[0]
    assert (top["segment"], top["from_stage"], top["to_stage"]) == ("bad", "MQL", "SQL")
    assert top["leads_lost"] == pytest.approx(top["n"] * (top["rest_rate"] - top["rate"]))
    assert (segments["q_value"] >= segments["p_value"]).all()


def test_a_segment_inside_a_higher_ranked_friction_point_is_not_repeated():
    """Campaign p1 lies wholly inside source Paid (both friction points at Lead → MQL): marked within it. Owner Kim
    holds half Paid leads: a finding of its own. Campaign p1 at another step is not compared across steps."""
    n = 200
    paid = np.arange(n) < 100
    leads = pd.DataFrame(
        {
            "lead_key": [f"L{i}" for i in range(n)],
            "created_at": OLD,
            "lead_at": OLD,
            "mql_at": pd.NaT,
            "source": np.where(paid, "Paid", "Web"),
            "campaign": np.where(np.arange(n) < 60, "p1", "other"),
            "owner": np.where((np.arange(n) >= 50) & (np.arange(n) < 150), "Kim", "Lee"),
        }
    )
    leads["stage"] = pd.Categorical(["Lead"] * n, categories=["Lead", "MQL"], ordered=True)
    paths = stage_paths(leads, ["Lead", "MQL"])
    friction = pd.DataFrame(
        {
            "from_stage": ["Lead"] * 3 + ["MQL"],
            "to_stage": ["MQL"] * 3 + ["SQL"],
            "breakdown": ["source", "campaign", "owner", "campaign"],
            "segment": ["Paid", "p1", "Kim", "p1"],
        }
    )
    within = nested_within(friction, leads, paths, as_of=AS_OF, maturity_days=30)
    assert within.tolist() == ["", "source Paid", "", ""]


def test_planted_friction_point_is_reported_first(demo_result, truth):
    planted = truth["friction_point"]
    top = demo_result.friction.iloc[0]
    assert (top["breakdown"], top["segment"]) == ("source", planted["source"])
    assert (top["from_stage"], top["to_stage"]) == (planted["from_stage"], planted["to_stage"])
    assert top["rate"] == pytest.approx(planted["mql_to_sql_rate_by_source"][planted["source"]], abs=0.03)
    assert "Paid Social" in headline(demo_result)[1] and "Next step" in headline(demo_result)[1]


def test_demo_friction_points_do_not_repeat_the_paid_social_campaigns(demo_result):
    top = demo_result.friction.iloc[0]
    assert (top["breakdown"], top["segment"], top["from_stage"], top["to_stage"]) == (
        "source",
        "Paid Social",
        "MQL",
        "SQL",
    )
    nested = demo_result.friction.iloc[1:]
    assert not nested["segment"].astype(str).str.startswith("paid-social").any()
    marked = demo_result.segments[demo_result.segments["within"] != ""]
    assert set(marked["segment"]) == {"paid-social-spring", "paid-social-summer", "paid-social-autumn"}
    assert (marked["within"] == "source Paid Social").all()
    assert not any("paid-social" in line for line in headline(demo_result))


def test_personas_where_linked_become_a_breakdown(prepared, demo_settings):
    leads = prepared.leads
    rng = np.random.default_rng(1)
    linked = leads.sample(3000, random_state=1)
    personas = pd.DataFrame(
        {"lead_key": linked["lead_key"].to_numpy(), "persona": rng.choice(["P1", "P2"], len(linked))}
    )
    result = analyse(
        demo_settings, data=FunnelInputs(leads=leads, touches=None, inputs=prepared.inputs), personas=personas
    )
    rows = result.segments[result.segments["breakdown"] == "persona"]
    assert set(rows["segment"]) == {"P1", "P2"}
    assert rows.loc[rows["from_stage"] == "Lead", "n"].sum() <= 3000
    assert "persona" not in leads and not result.closed_loop.touches
    closed_loop = next(s for s in report_sections(result) if s.id == "closed-loop")  # no touches: no content
    assert "unused_collateral" not in [getattr(item, "name", "") for item in closed_loop.items]
    assert any("Not measured" in paragraph for paragraph in closed_loop.paragraphs)
