"""Each column's meaning decided from its name and values, and the canonical mapping; personal data never shown."""

from __future__ import annotations

import pandas as pd

from alignkit.meaning.columns import PROBE_ROWS, column_role, decide_column
from alignkit.meaning.mapping import guess_mapping

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
    typed = decide_column("Do Not Email", _crm()["Do Not Email"])
    assert (typed.role, typed.evidence) == ("yes/no", "no 30, yes 10")


def test_types_of_other_columns():
    frame = _crm()
    assert decide_column("Magazine", frame["Magazine"]).evidence == "'No' in every row"
    assert decide_column("Lead Number", frame["Lead Number"].astype(str)).role == "id"
    scale = decide_column("Agree", pd.Series(["Agree", "Disagree", "Strongly agree", "Neither agree nor disagree"] * 5))
    assert scale.role == "ordered scale"
    assert scale.levels.index("Disagree") < scale.levels.index("Neither agree nor disagree") < scale.levels.index("Strongly agree")
    multi = decide_column("Tools", pd.Series(["Excel;Slack", "Slack", "Excel;Jira;Slack", "Jira"] * 5))
    assert (multi.role, multi.levels) == ("multi-select", ("Excel", "Jira", "Slack"))
    assert decide_column("Visits", pd.Series(["1", "2", "3,000", "4"] * 5)).role == "number"
    day_first = decide_column("Signed", pd.Series(["25/03/2025", "02/04/2025", "13/01/2025"] * 5))
    assert (day_first.role, day_first.evidence) == ("date", "dates, day first")


def test_personal_data_is_typed_by_its_values_and_never_sampled():
    typed = decide_column("Contact", _crm()["E-mail Adress"])
    assert typed.role == "email" and "@" not in typed.evidence and "person" not in typed.evidence


def test_a_column_of_people_shows_counts_never_names():
    managers = pd.Series(["Dustin Brinkmann", "Cara Losch", "Summer Sewald"] * 8)   # too few names for pii_kind
    typed = decide_column("manager", managers)
    assert typed.role == "category" and "Brinkmann" not in typed.evidence and typed.evidence.startswith("3 values")
    assert "Retail 2" in decide_column("Industry", pd.Series(["Retail", "IT", "Retail"])).evidence


def test_column_role_finds_constants_and_ids_but_not_flags_measures_or_times():
    rows = 30
    assert column_role(pd.Series(["EMEA"] * rows, dtype="str")) == "constant"
    assert column_role(pd.Series([None] * rows, dtype="str")) == "constant"
    # a yes/no flag exported as "Yes" or blank is information, not a constant
    assert column_role(pd.Series(["Yes"] + [None] * (rows - 1), dtype="str")) is None
    assert column_role(pd.Series([f"C-{i:05d}" for i in range(rows)], dtype="str")) == "id"
    assert column_role(pd.Series([str(100200 + i) for i in range(rows)], dtype="str")) == "id"
    assert column_role(pd.Series([1250.5 * (i + 1) for i in range(rows)])) is None            # amounts
    assert column_role(pd.Series([str(1_000 * (i + 1) ** 2) for i in range(rows)], dtype="str")) is None
    times = pd.Series([f"2024-03-{1 + i % 28:02d} 10:{i:02d}" for i in range(rows)], dtype="str")
    assert column_role(times) is None
    assert column_role(pd.Series([f"great product number {i}" for i in range(rows)], dtype="str")) is None
    assert column_role(pd.Series([f"C-{i}" for i in range(5)], dtype="str")) is None         # too few rows



def test_column_role_reads_the_whole_column_where_the_first_rows_cannot_tell():
    """The role is decided on the first rows only when they already show a repeat or a blank (neither constant nor
    an id); a column that looks constant or unique there is read in full."""
    rows = PROBE_ROWS + 1_000
    assert column_role(pd.Series(["EMEA"] * (rows - 1) + ["APAC"], dtype="str")) is None
    assert column_role(pd.Series(["EMEA"] * rows, dtype="str")) == "constant"
    assert column_role(pd.Series([f"C-{i:06d}" for i in range(rows)], dtype="str")) == "id"
    unique_then_repeat = [f"C-{i:06d}" for i in range(rows - 1)] + ["C-000001"]
    assert column_role(pd.Series(unique_then_repeat, dtype="str")) is None
    assert column_role(pd.Series([f"C-{i:06d}" for i in range(rows - 1)] + [None], dtype="str")) is None
