"""The column mapping guessed from names and values, and each column's type; personal data never shown."""

from __future__ import annotations

import pandas as pd

from alignkit.draft.columns import column_type, guess_mapping

N = 40


def _crm() -> pd.DataFrame:
    return pd.DataFrame({
        "Prospect ID": [f"p{i:03d}" for i in range(N)],
        "Lead Number": range(1000, 1000 + N),
        "E-mail Adress": [f"person{i}@firm{i % 7}.com" for i in range(N)],
        "Lead Sources": ["Google", "Direct", "Referral", "Event"] * (N // 4),
        "Created": [f"2025-03-{1 + i % 28:02d}" for i in range(N)],
        "Status": ["Inquiry", "Working", "Won", "Disqualified"] * (N // 4),
        "Do Not Email": ["Yes", "No", "No", "No"] * (N // 4),
        "Magazine": ["No"] * N,
    })


def test_mapping_from_preset_names_close_names_and_values():
    mapping = {g.canonical: g.column for g in guess_mapping(_crm())}
    assert mapping == {"lead_id": "Prospect ID", "email": "E-mail Adress", "created_at": "Created",
                       "stage": "Status", "source": "Lead Sources"}
    evidence = {g.canonical: g.evidence for g in guess_mapping(_crm())}
    assert evidence["lead_id"] == "its name; 40 distinct values, unique per row"
    assert "close to 'source'" in evidence["source"]


def test_a_name_without_fitting_values_is_not_mapped():
    frame = pd.DataFrame({"Lead ID": ["a", "a", "b"] * 10, "Created": ["soon", "later", "never"] * 10})
    assert guess_mapping(frame) == []


def test_do_not_email_is_a_yes_no_attribute_not_an_email_column():
    typed = column_type("Do Not Email", _crm()["Do Not Email"])
    assert (typed.kind, typed.detail) == ("yes/no", "no 30, yes 10")


def test_types_of_other_columns():
    frame = _crm()
    assert column_type("Magazine", frame["Magazine"]).detail == "'No' in every row"
    assert column_type("Lead Number", frame["Lead Number"].astype(str)).kind == "id"
    scale = column_type("Agree", pd.Series(["Agree", "Disagree", "Strongly agree", "Neither agree nor disagree"] * 5))
    assert scale.kind == "ordered scale"
    assert scale.levels.index("Disagree") < scale.levels.index("Neither agree nor disagree") < scale.levels.index("Strongly agree")
    multi = column_type("Tools", pd.Series(["Excel;Slack", "Slack", "Excel;Jira;Slack", "Jira"] * 5))
    assert (multi.kind, multi.levels) == ("multi-select", ("Excel", "Jira", "Slack"))
    assert column_type("Visits", pd.Series(["1", "2", "3,000", "4"] * 5)).kind == "number"
    day_first = column_type("Signed", pd.Series(["25/03/2025", "02/04/2025", "13/01/2025"] * 5))
    assert (day_first.kind, day_first.detail) == ("date", "dates, day first")


def test_personal_data_is_typed_by_its_values_and_never_sampled():
    typed = column_type("Contact", _crm()["E-mail Adress"])
    assert typed.kind == "pii" and "@" not in typed.detail and "person" not in typed.detail


def test_a_column_of_people_shows_counts_never_names():
    managers = pd.Series(["Dustin Brinkmann", "Cara Losch", "Summer Sewald"] * 8)   # too few names for pii_kind
    typed = column_type("manager", managers)
    assert typed.kind == "category" and "Brinkmann" not in typed.detail and typed.detail.startswith("3 values")
    assert "Retail 2" in column_type("Industry", pd.Series(["Retail", "IT", "Retail"])).detail
