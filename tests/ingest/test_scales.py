"""Ordered scales read from the answers: every family in meaning order, never alphabetical or by frequency; bands
by their bounds; numbered scales with word ends (gaps kept); numbers with units parsed or left out with the reason."""

from __future__ import annotations

import pandas as pd
import pytest

from alignkit.ingest.scales import detect_scale, numbered_order, parse_with_units, range_bounds


@pytest.mark.parametrize(
    ("shuffled", "family", "order"),
    [
        (
            ["Agree", "Strongly disagree", "Somewhat agree", "Neither agree nor disagree", "Disagree"],
            "agreement",
            ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Somewhat agree", "Agree"],
        ),
        (
            ["Very satisfied", "Neutral", "Very dissatisfied", "Satisfied"],
            "satisfaction",
            ["Very dissatisfied", "Neutral", "Satisfied", "Very satisfied"],
        ),
        (
            ["Very useful", "Not at all useful", "Extremely useful", "Somewhat useful"],
            "usefulness",
            ["Not at all useful", "Somewhat useful", "Very useful", "Extremely useful"],
        ),
        (
            ["Very important", "Slightly important", "Not at all important", "Extremely important"],
            "importance",
            ["Not at all important", "Slightly important", "Very important", "Extremely important"],
        ),
        (
            ["Unlikely", "Very likely", "Neither likely nor unlikely", "Likely"],
            "likelihood",
            ["Unlikely", "Neither likely nor unlikely", "Likely", "Very likely"],
        ),
        (
            ["Sometimes", "Always", "Never", "Often", "Rarely"],
            "frequency",
            ["Never", "Rarely", "Sometimes", "Often", "Always"],
        ),
        (
            ["Weekly", "Daily", "Less than once a month", "Once a month"],
            "frequency",
            ["Less than once a month", "Once a month", "Weekly", "Daily"],
        ),
        (["Good", "Excellent", "Poor", "Fair"], "quality", ["Poor", "Fair", "Good", "Excellent"]),
        (["65 or older", "18-24", "Under 18", "25–34"], "range", ["Under 18", "18-24", "25–34", "65 or older"]),
        (["> 60", "< 30", "30 - 60"], "range", ["< 30", "30 - 60", "> 60"]),
        (
            ["$150,000 or more", "Less than $25,000", "$50,000 - $74,999", "$25,000 to $49,999"],
            "range",
            ["Less than $25,000", "$25,000 to $49,999", "$50,000 - $74,999", "$150,000 or more"],
        ),
        (
            ["1000+ employees", "1-9 employees", "50-199 employees", "10-49 employees"],
            "range",
            ["1-9 employees", "10-49 employees", "50-199 employees", "1000+ employees"],
        ),
    ],
)
def test_scales_are_found_in_meaning_order(shuffled, family, order):
    assert detect_scale(shuffled) == (family, order)


def test_unordered_choices_and_plain_numbers_are_not_scales():
    assert detect_scale(["Yes", "No", "Maybe"]) is None
    assert detect_scale(["IT", "Sales", "Finance"]) is None
    assert detect_scale(["1", "2", "3", "4"]) is None  # plain numbers stay numbers
    assert detect_scale(["Agree", "Satisfied", "Very likely"]) is None  # words of different scales
    # "not very" before the negative pole has no place on the scale: no order (it raised TypeError)
    assert detect_scale(["Very likely", "Likely", "Not very unlikely", "Unlikely"]) is None


def test_numbered_scale_with_word_ends_keeps_unobserved_points():
    assert numbered_order(["7 - Excellent", "2", "1 - Very poor", "5"]) == [
        "1 - Very poor",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7 - Excellent",
    ]
    assert detect_scale(["10 - Extremely likely", "0 - Not at all likely", "6"])[0] == "numbered"


def test_range_bounds():
    assert range_bounds("Under 18") == (float("-inf"), 18.0)
    assert range_bounds("65+") == (65.0, float("inf"))
    assert range_bounds("$50k-$75k") == (50_000.0, 75_000.0)
    assert range_bounds("Sometimes") is None


def test_numbers_with_units_are_parsed_into_one_unit():
    heights, how = parse_with_units(pd.Series(["6'3\"", "5 ft 10", "180 cm", None, "5'11"], dtype="str"))
    assert how == "number with unit, parsed as length in cm"
    assert heights.round(1).tolist()[:3] == [190.5, 177.8, 180.0] and heights.isna().sum() == 1
    money, how = parse_with_units(pd.Series(["$50,000", "60k", "€1,200.50", "70000"], dtype="str"))
    assert money.tolist() == [50_000.0, 60_000.0, 1200.5, 70_000.0] and "money" in how


def test_numbers_with_mixed_units_are_left_out_with_the_reason():
    values, reason = parse_with_units(pd.Series(["$50,000", "60 kg", "72 kg"], dtype="str"))
    assert values is None and "mixed units" in reason
    values, reason = parse_with_units(pd.Series(["tall", "about 6 feet", "6'1", "short"], dtype="str"))
    assert values is None and "left out" in reason
