"""The outcome laid out: stage values in funnel order with the dates marking them, lost values, how open deals are
judged; converted values; fields suspected of being recorded after the outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.draft.outcome import converted_layout, post_outcome_suspects, stage_layout


def _pipeline(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    stage = rng.choice(["Prospecting", "Engaging", "Won", "Lost"], n, p=[0.2, 0.2, 0.35, 0.25])
    engaged = stage != "Prospecting"
    closed = np.isin(stage, ["Won", "Lost"])
    return pd.DataFrame(
        {
            "deal_stage": stage,
            "engage_date": np.where(engaged, "2025-02-03", None),
            "close_date": np.where(closed, "2025-04-01", None),
        }
    )


def test_stages_in_order_with_their_dates_and_a_close_date_means_judge_closed():
    layout = stage_layout(_pipeline(), "deal_stage", ["engage_date", "close_date"])
    assert [s.value for s in layout.stages] == ["Prospecting", "Engaging", "Won"]
    assert [s.reached_column for s in layout.stages] == [None, "engage_date", None]  # close_date: lost ones too
    assert layout.lost_values == ["Lost"]
    assert layout.judge == "closed" and "close_date" in layout.judge_evidence
    assert layout.converted.isna().sum() == int(_pipeline()["deal_stage"].isin(["Prospecting", "Engaging"]).sum())


def test_a_lifecycle_without_close_dates_is_judged_by_maturity_and_its_won_date_marks_won():
    frame = pd.DataFrame({"Status": ["Inquiry"] * 5 + ["Working"] * 4 + ["Won"] * 3 + ["Disqualified"] * 2})
    frame["Worked On"] = np.where(frame["Status"].isin(["Working", "Won"]), "2025-01-02", None)
    frame["Won On"] = np.where(frame["Status"] == "Won", "2025-02-02", None)
    layout = stage_layout(frame, "Status", ["Worked On", "Won On"])
    assert [(s.value, s.reached_column) for s in layout.stages] == [
        ("Inquiry", None),
        ("Working", "Worked On"),
        ("Won", "Won On"),
    ]
    assert layout.judge == "maturity" and layout.lost_values == ["Disqualified"]
    assert layout.converted.tolist() == [False] * 9 + [True] * 3 + [False] * 2


def test_converted_values_from_their_words_and_open_ones_apart():
    frame = pd.DataFrame({"Converted": ["Yes", "No", "No", "Open", "yes"]})
    layout = converted_layout(frame, "Converted")
    assert (layout.converted_values, layout.not_converted_values, layout.open_values) == (
        ["Yes", "yes"],
        ["No"],
        ["Open"],
    )
    coded = converted_layout(pd.DataFrame({"Outcome": ["A", "B", "B", "B"]}), "Outcome")
    assert coded.converted_values == ["A"] and "check it" in coded.value_evidence


def test_sales_side_and_outcome_filled_fields_are_suspects_with_their_evidence():
    rng = np.random.default_rng(5)
    n = 600
    converted = pd.Series(rng.random(n) < 0.4)
    frame = pd.DataFrame(
        {
            "Region": rng.choice(["North", "South"], n),
            "Visits": rng.poisson(3, n).astype(str),
            "Lead Quality": np.where(converted & (rng.random(n) < 0.9), "High", None),
            "Budget": rng.choice(["Low", "High"], n),
        }
    )
    suspects = post_outcome_suspects(
        frame,
        {"region": "Region", "visits": "Visits", "lead_quality": "Lead Quality", "budget": "Budget"},
        converted.astype("boolean"),
        numeric={"visits"},
    )
    assert set(suspects) == {"lead_quality"}
    assert (
        "sales keeps after contact" in suspects["lead_quality"]
        and "filled for 89% of converted leads but 0% of other ones" in suspects["lead_quality"]
    )
