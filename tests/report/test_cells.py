"""Numbers as people read them and tables shaped for the page (the CSV twin keeps every column)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignkit.report.cells import display_table, format_cell, interval_columns
from alignkit.report.labels import Labels


@pytest.mark.parametrize(
    "column,value,text",
    [
        ("share", 0.1234, "12.3%"),
        ("conversion_rate", 0.07285, "7.3%"),
        ("rows", 1234, "1,234"),
        ("leads", 20000.0, "20,000"),
        ("rows_out", pd.NA, ""),
        ("flag", True, "yes"),
        ("mean", 2.5, "2.50"),
        ("q_value", 2.4e-24, "< 0.001"),
        ("q_value", "2.4e-24", "< 0.001"),
        ("p_value", 0.0123, "0.012"),
        ("p_value", "", ""),
        ("importance", -0.00004, "0.00"),
        ("importance", "-0.000", "0.000"),
        ("vs_rest_rate", -0.0001, "0.0%"),
        ("lift_ci_low", 1.3, "1.30"),
        ("std_diff", np.float64(-0.0), "0"),
        ("at", pd.Timestamp("2026-01-02 10:00"), "2026-01-02"),
    ],
)
def test_cells_are_formatted_for_reading(column, value, text):
    assert format_cell(column, value) == text


def test_each_figure_is_shown_with_its_interval_in_one_cell_and_headers_in_words():
    frame = pd.DataFrame(
        {
            "stage": ["MQL", "SQL"],
            "rate": [0.39, 0.62],
            "ci_low": [0.38, 0.6],
            "ci_high": [0.4, 0.64],
            "converted": [10, 20],
            "converted_ci_low": [0.1, 0.2],
            "converted_ci_high": [0.2, 0.3],
            "win_rate": [0.3, None],
            "win_ci_low": [0.2, None],
            "win_ci_high": [0.4, None],
            "field": ["webinars_attended", "other"],
        }
    )
    assert interval_columns(list(frame.columns)) == {
        "rate": ("ci_low", "ci_high"),
        "win_rate": ("win_ci_low", "win_ci_high"),
    }
    shown = display_table(frame, 10, Labels({"webinars_attended": "Webinars attended"}))
    assert [h for h, _ in shown.headers] == [
        "Stage",
        "Rate (95% CI)",
        "Converted",
        "Converted CI low",
        "Converted CI high",
        "Win rate (95% CI)",
        "Field",
    ]
    assert [t for t, _ in shown.rows[0]] == [
        "MQL",
        "39.0% (38.0%–40.0%)",
        "10",
        "10.0%",
        "20.0%",
        "30.0% (20.0%–40.0%)",
        "Webinars attended",
    ]
    assert shown.rows[1][5] == ("", "num") and shown.rows[1][6] == ("other", "")
    rules = pd.DataFrame({"rule": ["webinars_attended ≥ 1"], "step": ["drop_test_records"]})
    assert [t for t, _ in display_table(rules, 5, Labels({"webinars_attended": "Webinars attended"})).rows[0]] == [
        "Webinars attended ≥ 1",
        "Drop test records",
    ]


def test_a_wide_table_shows_ten_columns_details_first_out_and_names_the_rest():
    frame = pd.DataFrame(
        {
            "segment": ["a"],
            "n": [10],
            "rate": [0.2],
            "ci_low": [0.1],
            "ci_high": [0.3],
            "test": ["z"],
            "statistic": [1.2],
            "p_value": [0.01],
            "q_value": [0.02],
            "cohens_h": [0.1],
            **{f"extra_{i}": [i] for i in range(6)},
            "suppressed": [False],
        }
    )
    shown = display_table(frame, 5)
    assert [h for h, _ in shown.headers] == [
        "Segment",
        "n",
        "Rate (95% CI)",
        "q",
        "Extra 0",
        "Extra 1",
        "Extra 2",
        "Extra 3",
        "Extra 4",
        "Extra 5",
    ]
    assert shown.omitted == ["Test", "Statistic", "p", "Effect size (Cohen's h)"]
    assert (
        shown.note
        == "Also in the CSV and the full table (not shown here): Test, Statistic, p, Effect size (Cohen's h)."
    )
    small = frame.assign(suppressed=[True])[["segment", "n", "suppressed"]]
    assert [h for h, _ in display_table(small, 5).headers] == ["Segment", "n", "Suppressed (small group)"]
    wide = frame.assign(suppressed=[True])
    assert [h for h, _ in display_table(wide, 5).headers][-2:] == ["Extra 4", "Suppressed (small group)"]


def test_years_are_written_without_a_thousands_separator():
    from alignkit.report.cells import is_year, number_words

    years = np.array([1979.0, 1998.0, 2017.0])
    assert is_year("year_established", years) and is_year("Founded", years)
    assert not is_year("employees", years)  # a count that happens to lie in 1800–2100
    assert not is_year("year_established", np.array([1998.5]))  # not a whole number
    assert not is_year("year_established", np.array([1, 2, 3]))  # years since, not a year
    assert number_words(1998, year=True) == "1998" and number_words(1998) == "1,998"
    assert number_words(1998.25, integer=False) == "1,998.2"
