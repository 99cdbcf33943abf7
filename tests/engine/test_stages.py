"""Stage reach and time in stage counted by an engine give the pandas tables to the last digit: on leads chosen for
each rule (skips, moves back, undated stages, young leads, a lost value) and on the demo."""

from __future__ import annotations

import pandas as pd

from alignkit.engine.stages import stage_counts, time_in_stage
from alignkit.funnel import conversion
from alignkit.prepare.stage_paths import stage_at_column, stage_paths

from ..funnel.conftest import STAGES, hand_made  # noqa: F401 (the hand-made leads fixture)


def _columns(names):
    return [(name, stage_at_column(name)) for name in names]


def test_hand_made_leads_through_duckdb(hand_made):  # noqa: F811 (pytest passes the fixture imported above)
    paths = stage_paths(hand_made, STAGES)
    pd.testing.assert_frame_equal(
        stage_counts(hand_made, _columns(STAGES)), conversion.stage_table(paths), check_exact=True
    )
    for converted in ("Customer", "SQL"):
        pd.testing.assert_frame_equal(
            time_in_stage(hand_made, _columns(STAGES), converted_stage=converted),
            conversion.time_in_stage(paths, converted_stage=converted),
            check_exact=True,
        )


def test_out_of_order_dates_are_counted_not_measured():
    day = pd.Timestamp("2026-01-01")
    leads = pd.DataFrame(
        {
            "lead_key": ["a", "b", "c"],
            "created_at": [day] * 3,
            "stage": ["MQL"] * 3,
            "lead_at": [day, day + pd.Timedelta(days=5), day],
            "mql_at": [day + pd.Timedelta(days=2), day, day + pd.Timedelta(hours=30)],
        }
    )
    times = time_in_stage(leads, _columns(["Lead", "MQL"]), converted_stage="MQL").iloc[0]
    assert (times["leads"], times["dates_out_of_order"], times["median_days"]) == (2, 1, 1.625)


def test_demo_stages_through_duckdb(prepared, demo_settings):
    names = demo_settings.funnel.stage_names
    paths = stage_paths(prepared.leads, names)
    pd.testing.assert_frame_equal(
        stage_counts(prepared.leads, _columns(names)), conversion.stage_table(paths), check_exact=True
    )
    pd.testing.assert_frame_equal(
        time_in_stage(prepared.leads, _columns(names), converted_stage=demo_settings.funnel.converted_stage),
        conversion.time_in_stage(paths, converted_stage=demo_settings.funnel.converted_stage),
        check_exact=True,
    )
