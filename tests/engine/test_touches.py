"""The touches' aggregations give the same tables in pandas, through DuckDB and through any engine: the demo's whole
funnel to the last digit, and the rules on small hand-made touches."""

from __future__ import annotations

import pandas as pd

from alignkit.engine.backend import as_table, local_backend
from alignkit.engine.touches import collateral_usage, content_before_close, first_sales_touch, touches_per_lead_kind
from alignkit.funnel.analysis import FunnelInputs, analyse

from .conftest import assert_same_results

DAY = pd.Timedelta(days=1)
T0 = pd.Timestamp("2026-03-01 09:30")
TOUCHES = pd.DataFrame(
    {
        "lead_key": ["a", "a", "a", "b", "b", "c", "c"],
        "at": [T0 - 2 * DAY, T0, T0 + DAY, T0 - DAY, T0 + 3 * DAY, T0, pd.NaT],
        "kind": [
            "SALES_CALL",
            "sales_call",
            "EMAIL_OPEN",
            "MEETING",
            "CONTENT_DOWNLOAD",
            "CONTENT_DOWNLOAD",
            "MEETING",
        ],
        "content": [" Guide ", "Guide", None, "", "Case study", "Template", "Guide"],
    }
).astype({"lead_key": "str", "kind": "str", "content": "str"})
SALES = ["SALES_CALL", "MEETING"]


def test_demo_funnel_through_duckdb_is_the_pandas_funnel_to_the_last_digit(
    in_pandas, prepared, processed, demo_settings
):
    touches = local_backend().read_parquet(str(processed / "touches.parquet"))
    through_duckdb = analyse(
        demo_settings, data=FunnelInputs(leads=prepared.leads, touches=touches, inputs=prepared.inputs)
    )
    assert_same_results(in_pandas, through_duckdb)


def test_first_sales_touch_is_at_or_after_the_mql_date_case_blind():
    mql = pd.DataFrame({"lead_key": ["a", "b", "c"], "mql_at": [T0 - DAY, pd.NaT, T0 + DAY]})
    first = first_sales_touch(TOUCHES, mql, sales_kinds=SALES).set_index("lead_key")["first_touch_at"]
    # a: the call two days before its MQL date does not count, the lower-case one does; b: no MQL date, any sales
    # touch counts; c: its only sales touch has no date.
    assert first.to_dict() == {"a": T0, "b": T0 - DAY}


def test_content_before_close_counts_each_item_once_per_deal_in_both_paths():
    deals = pd.DataFrame(
        {
            "lead_key": ["a", "b", "c"],
            "won": [True, False, True],
            "deal_closed_at": [T0 + 2 * DAY, T0 + 4 * DAY, T0 + DAY],
        }
    )
    in_memory = content_before_close(TOUCHES, deals)
    engine = content_before_close(as_table(TOUCHES), deals)
    pd.testing.assert_frame_equal(in_memory, engine, check_exact=True)
    assert in_memory.to_dict("records") == [
        {"item": "Case study", "won_with": 0, "deals_with": 1},
        {"item": "Guide", "won_with": 1, "deals_with": 1},  # a saw ' Guide ' and 'Guide': one item, once
        {"item": "Template", "won_with": 1, "deals_with": 1},
    ]


def test_collateral_sales_never_uses_in_both_paths():
    for kinds in ([], ["content_download"]):
        in_memory = collateral_usage(TOUCHES, sales_kinds=SALES, collateral_kinds=kinds)
        engine = collateral_usage(as_table(TOUCHES), sales_kinds=SALES, collateral_kinds=kinds)
        pd.testing.assert_frame_equal(in_memory.sort_values("content").reset_index(drop=True), engine, check_exact=True)
        assert sorted(engine["content"]) == ["Case study", "Template"]  # 'Guide' is used in sales touches


def test_touches_per_lead_and_kind():
    table = touches_per_lead_kind(TOUCHES)
    row = table[(table["lead_key"] == "a") & (table["kind"] == "SALES_CALL")].iloc[0]
    assert (row["touches"], row["first_at"]) == (1, T0 - 2 * DAY)
    assert int(table["touches"].sum()) == len(TOUCHES)
