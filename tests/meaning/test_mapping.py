"""The canonical names guessed for a CRM table's columns: synonyms first, then the shape of a name borne out by the
values (an id named like one, an outcome named like one), each with its evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.meaning.mapping import guess_mapping

N = 60


def test_a_unique_column_named_like_an_id_is_the_lead_id():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "mql_id": [f"{v:032x}" for v in rng.integers(0, 2**62, N)],
            "first_contact_date": [f"2018-0{1 + i % 9}-1{i % 9}" for i in range(N)],
            "landing_page_id": [f"{i % 7:032x}" for i in range(N)],
            "origin": ["organic_search", "paid_search", "social"] * (N // 3),
        }
    )
    guesses = {g.canonical: (g.column, g.evidence) for g in guess_mapping(frame)}
    assert guesses["lead_id"] == ("mql_id", f"named like an id; {N} distinct values, unique per row")
    assert guesses["source"][0] == "origin" and guesses["created_at"][0] == "first_contact_date"


def test_outcomes_named_y_response_or_converted_are_mapped_as_converted():
    bank = pd.DataFrame(
        {
            "age": [str(20 + i) for i in range(N)],
            "job": ["admin.", "technician"] * (N // 2),
            "y": ["no", "no", "yes"] * (N // 3),
        }
    )
    assert {g.canonical: g.column for g in guess_mapping(bank)} == {"converted": "y"}
    customers = pd.DataFrame(
        {
            "ID": [str(5524 + 7 * i) for i in range(N)],
            "Income": [str(58138 + i) for i in range(N)],
            "Response": ["0", "1", "0"] * (N // 3),
        }
    )
    mapping = {g.canonical: g.column for g in guess_mapping(customers)}
    assert mapping == {"lead_id": "ID", "converted": "Response"}
    variants = pd.DataFrame({"Converted": ["yes", "No", "Y", "Yes ", "no", "n"] * (N // 6)})
    [guess] = guess_mapping(variants)
    assert guess.canonical == "converted" and "two outcome values" in guess.evidence


def test_a_call_log_maps_its_lead_time_and_type():
    """A CRM's call log (Zoho's Calls.csv shape): LEADID, Call Start Time, Call Type."""
    calls = pd.DataFrame(
        {
            "TASKID": [str(10_001 + i) for i in range(N)],
            "LEADID": [str(1 + i % 20) for i in range(N)],
            "Call Start Time": [f"2021-04-{1 + i % 28:02d} 10:{i % 60:02d}:00" for i in range(N)],
            "Call Type": ["Inbound", "Outbound"] * (N // 2),
        }
    )
    mapping = {g.canonical: g.column for g in guess_mapping(calls, "touches")}
    assert mapping == {"lead_id": "LEADID", "at": "Call Start Time", "kind": "Call Type"}
