"""Shared fixtures of the funnel tests: nine hand-made leads, each chosen for one rule, with their stage paths, and
the demo's whole funnel analysis, computed once per session."""

from __future__ import annotations

import pandas as pd
import pytest

from alignkit.funnel.analysis import FunnelInputs, analyse
from alignkit.prepare.stage_paths import stage_paths

STAGES = ["Lead", "MQL", "SQL", "Customer"]
AS_OF = pd.Timestamp("2026-06-30")
OLD = pd.Timestamp("2026-01-01")


def day(n: float) -> pd.Timestamp:
    return OLD + pd.Timedelta(days=n)


@pytest.fixture(scope="module")
def hand_made() -> pd.DataFrame:
    """Nine leads, each chosen for one rule. Dates are days after 1 Jan 2026; the export is 30 Jun 2026."""
    nat = pd.NaT
    rows = [
        # key, stage now, lead_at, mql_at, sql_at, customer_at, deal_stage
        ("L1", "Customer", day(0), day(10), day(15), day(40), "won"),  # the straight path
        ("L2", "Customer", day(0), nat, nat, day(50), "won"),  # skipped MQL and SQL
        ("L3", "Lead", day(0), day(20), day(30), nat, "lost"),  # reached SQL, moved back to Lead, deal lost
        ("L4", "Lead", day(0), nat, nat, nat, None),  # stayed a lead for months: stalled
        ("L5", "MQL", nat, nat, nat, nat, None),  # at MQL without any date (created long ago)
        ("L6", "MQL", day(0), nat, day(12), nat, None),  # skipped MQL to SQL, then moved back to MQL
        ("L7", "Lead", AS_OF - pd.Timedelta(days=5), nat, nat, nat, None),  # a new lead: too young to judge
        (
            "L8",
            "MQL",
            AS_OF - pd.Timedelta(days=5),
            AS_OF - pd.Timedelta(days=2),
            nat,
            nat,
            None,
        ),  # moved on, young MQL
        ("L9", None, day(0), nat, nat, nat, None),  # lifecycle value marks it lost (stage empty)
    ]
    frame = pd.DataFrame(
        rows, columns=["lead_key", "stage", "lead_at", "mql_at", "sql_at", "customer_at", "deal_stage"]
    )
    created = frame["lead_at"].fillna(OLD)
    return frame.assign(
        created_at=created,
        stage=pd.Categorical(frame["stage"], categories=STAGES, ordered=True),
        deal_stage=frame["deal_stage"].astype("str"),
        lifecycle_lost=frame["lead_key"].eq("L9"),
        source=["A", "A", "B", "B", "A", "B", "A", "B", "A"],
    )


@pytest.fixture(scope="module")
def hand_paths(hand_made):
    return stage_paths(hand_made, STAGES)


@pytest.fixture(scope="session")
def demo_result(prepared, demo_settings):
    data = FunnelInputs(leads=prepared.leads, touches=prepared.touches, inputs=prepared.inputs)
    return analyse(demo_settings, data=data)
