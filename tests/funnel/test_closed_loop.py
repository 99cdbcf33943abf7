"""The closed loop and the shared KPIs: touches before the close, collateral sales never uses, cost per lead and
per customer from a spend file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignkit.funnel import closed_loop
from alignkit.ingest.spend import read_spend
from alignkit.prepare.stage_paths import stage_paths


def test_planted_content_comes_first_before_wins(demo_result, truth):
    before = demo_result.closed_loop.before_close
    top = before.iloc[0]
    assert top["item"] == truth["content_before_wins"]
    assert top["q_value"] < 0.05 and top["lift_ci_low"] > 1


def test_collateral_sales_never_uses(demo_result, truth, prepared, demo_settings):
    assert demo_result.closed_loop.unused_collateral["content"].tolist() == truth["content_sales_never_uses"]
    every_kind = closed_loop.collateral_sales_never_uses(
        prepared.touches, sales_kinds=demo_settings.crm.sales_touch_kinds
    )
    assert set(truth["content_sales_never_uses"]) <= set(every_kind["content"])
    assert truth["content_before_wins"] not in set(every_kind["content"])


def test_only_touches_before_the_close_count():
    close = pd.Timestamp("2026-03-01")
    leads = pd.DataFrame(
        {
            "lead_key": ["w1", "w2", "l1", "l2"],
            "deal_stage": ["won", "won", "lost", "lost"],
            "deal_closed_at": [close] * 4,
            "campaign": pd.Series([pd.NA] * 4, dtype="str"),
        }
    )
    touches = pd.DataFrame(
        {
            "lead_key": ["w1", "w2", "l1", "l2", "l2"],
            "at": [
                close - pd.Timedelta(days=1),
                close + pd.Timedelta(days=1),
                close - pd.Timedelta(days=3),
                close - pd.Timedelta(days=2),
                close - pd.Timedelta(days=1),
            ],
            "kind": "CONTENT_DOWNLOAD",
            "content": ["Guide", "Guide", "Guide", "Guide", "Guide"],
        }
    )
    table = closed_loop.touches_before_close(leads, touches).set_index("item")
    # w2's touch came after its close; l2's two touches count once.
    assert table.loc["Guide", ["won_with", "lost_with"]].tolist() == [1, 2]
    assert table.loc["Guide", "lift"] == pytest.approx(0.5)


def test_lost_reasons_by_group():
    leads = pd.DataFrame({"deal_stage": ["lost", "lost", "lost", "won"], "lost_reason": ["Price", "Price", None, None]})
    table = closed_loop.lost_reasons(leads, pd.Series(["A", "A", "B", "A"]), name="source")
    assert table[["source", "lost_reason", "lost_deals"]].values.tolist() == [
        ["A", "Price", 2],
        ["B", "(no reason given)", 1],
    ]


def test_spend_file_gives_cost_per_lead_and_customer(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text(
        'month,source,spend\n2026-01,Paid,1000\n2026-01,Organic,200\n2026-02,Paid,"1,500.50"\n', encoding="utf-8"
    )
    spend = read_spend(path)
    assert spend["spend"].tolist() == [1000.0, 200.0, 1500.5]
    created = pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07", "2026-02-01"])
    customer = pd.to_datetime(["2026-01-20", None, None, "2026-02-20"])
    leads = pd.DataFrame(
        {
            "lead_key": list("abcd"),
            "created_at": created,
            "lead_at": created,
            "customer_at": customer,
            "source": ["Paid", "Paid", "Organic", "Paid"],
            "deal_stage": pd.Series([None] * 4, dtype="str"),
            "deal_closed_at": pd.NaT,
            "amount": np.nan,
            "stage": pd.Categorical(["Customer", "Lead", "Lead", "Customer"], categories=["Lead", "Customer"]),
        }
    )
    paths = stage_paths(leads, ["Lead", "Customer"])
    kpis = closed_loop.monthly_kpis(
        leads,
        {"Customer": paths.reached_at[:, 1]},
        mql_stage="Customer",
        sql_stage="Customer",
        converted_stage="Customer",
        as_of=pd.Timestamp("2026-06-30"),
        maturity_days=30,
        spend=spend,
    ).set_index("month")
    assert kpis.loc["2026-01", "cost_per_lead"] == pytest.approx(1200 / 3)
    assert kpis.loc["2026-01", "cost_per_customer"] == pytest.approx(1200)
    assert kpis.loc["2026-02", "cost_per_customer"] == pytest.approx(1500.5)
    costs = closed_loop.cost_by_segment(leads, spend, converted=paths.reached[:, 1]).set_index("source")
    assert costs.loc["Paid", ["leads", "customers"]].tolist() == [3, 2]
    assert costs.loc["Paid", "cost_per_customer"] == pytest.approx(2500.5 / 2)


def test_cohort_rates_count_stages_reached_without_a_date():
    """A lead at SQL whose CRM holds no SQL date has still reached SQL (and MQL): the monthly cohort rates must
    count it, as the funnel tables do, not only leads whose stage dates are recorded."""
    created = pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08"])
    mql = pd.to_datetime(["2026-01-10", "2026-01-11", None, None])
    leads = pd.DataFrame(
        {
            "lead_key": list("abcd"),
            "created_at": created,
            "lead_at": created,
            "mql_at": mql,
            "sql_at": pd.NaT,
            "deal_stage": pd.Series([None] * 4, dtype="str"),
            "deal_closed_at": pd.NaT,
            "amount": np.nan,
            # a: MQL then SQL (no SQL date); b: MQL; c: at SQL without any date; d: a lead
            "stage": pd.Categorical(["SQL", "MQL", "SQL", "Lead"], categories=["Lead", "MQL", "SQL"], ordered=True),
        }
    )
    names = ["Lead", "MQL", "SQL"]
    paths = stage_paths(leads, names)
    kpis = closed_loop.monthly_kpis(
        leads,
        {n: paths.reached_at[:, i] for i, n in enumerate(names) if i > 0},
        reached={n: paths.reached[:, i] for i, n in enumerate(names) if i > 0},
        mql_stage="MQL",
        sql_stage="SQL",
        converted_stage="SQL",
        as_of=pd.Timestamp("2026-06-30"),
        maturity_days=30,
    ).set_index("month")
    assert kpis.loc["2026-01", "mql_rate"] == pytest.approx(3 / 4)  # a, b and c reached MQL
    assert kpis.loc["2026-01", "mql_to_sql_rate"] == pytest.approx(1 / 2)  # of the MQLs dated in January (a, b): a


def test_funnel_and_closed_loop_share_one_duration_summary_and_one_deal_lost_rule():
    """One helper each, not two copies that can drift apart: the funnel's time in stage and the closed loop's
    cycle length summarise durations the same way (negative ones left out and counted), and both modules read a
    lost deal the same way."""
    from alignkit.funnel import closed_loop
    from alignkit.funnel import conversion as funnel

    days = np.array([1.0, 2.0, 3.0, np.nan, -4.0, 10.0])
    summary = closed_loop.days_summary(days)
    assert summary == {
        "n": 4,
        "median_days": 2.5,
        "p80_days": pytest.approx(np.quantile([1, 2, 3, 10], 0.8)),
        "mean_days": 4.0,
        "dates_out_of_order": 1,
    }
    row = closed_loop._days_row("x", pd.Series(days))
    assert (row["n"], row["median_days"], row["mean_days"]) == (4, 2.5, 4.0)
    assert funnel.days_summary is closed_loop.days_summary and funnel.deal_lost is closed_loop.deal_lost
    leads = pd.DataFrame({"deal_stage": pd.Series(["lost", "won", None, "open"], dtype="str")})
    assert closed_loop.deal_lost(leads).tolist() == [True, False, False, False]
    assert closed_loop.deal_lost(pd.DataFrame(index=range(2))).tolist() == [False, False]
    for module in (funnel, closed_loop):
        assert not hasattr(module, "_snake")
    assert not hasattr(closed_loop, "DAY")
