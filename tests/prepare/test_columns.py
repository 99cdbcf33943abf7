"""Constant and id-like columns are left out with their reason; junk categories (typos, jokes) are listed."""

from __future__ import annotations

import pandas as pd

from alignkit.prepare import columns
from alignkit.prepare.clean import CleaningLog


def test_constant_and_id_columns_are_left_out_and_logged_but_flags_kept():
    n = 40
    leads = pd.DataFrame(
        {
            "lead_id": [f"L{i}" for i in range(n)],
            "magazine": pd.Series(["No"] * n, dtype="str"),  # constant
            "lead_number": [660000 + i for i in range(n)],  # a row number
            "do_not_email": pd.Series(["Yes"] * 3 + [None] * (n - 3), dtype="str"),
            "revenue": [1_000.0 * (i + 1) ** 2 for i in range(n)],
        }
    )  # unique measure
    log = CleaningLog()
    kept, left = columns.left_out_columns(
        leads, ["magazine", "lead_number", "do_not_email", "revenue", "absent"], log=log, table="leads"
    )
    assert list(left["column"]) == ["magazine", "lead_number"] and list(left["role"]) == ["constant", "id"]
    assert list(kept.columns) == ["lead_id", "do_not_email", "revenue"] and "magazine" in leads  # input kept
    entries = log.to_frame()
    assert list(entries["column"]) == ["magazine", "lead_number"] and (entries["rows_affected"] == n).all()
    assert entries["reason"].str.contains("left out of every analysis").all()


def test_junk_categories_lists_typos_of_frequent_values_and_jokes_with_counts():
    sector = (
        ["software"] * 40
        + ["technology"] * 30
        + ["retail"] * 3
        + ["sofware"] * 2
        + ["technolgy"]
        + ["asdf"]
        + ["Mickey Mouse"]
        + ["10-49"]
    )
    frame = pd.DataFrame({"sector": pd.Series(sector, dtype="str")})
    junk = columns.junk_categories(frame, max_rows=5).set_index("value")
    assert set(junk.index) == {"sofware", "technolgy", "asdf", "Mickey Mouse"}
    assert junk.loc["sofware", "rows"] == 2 and junk.loc["sofware", "close_match"] == "software"
    assert junk.loc["sofware", "match_rows"] == 40 and junk.loc["technolgy", "close_match"] == "technology"
    assert pd.isna(junk.loc["asdf", "close_match"]) and "joke" in junk.loc["Mickey Mouse", "why"]
    # a rare real value ("retail", 3 rows) is not junk: nothing frequent is close to it
    assert "retail" not in junk.index
    assert columns.junk_categories(frame, max_rows=1).set_index("value").index.tolist() == [
        "technolgy",
        "asdf",
        "Mickey Mouse",
    ]


def test_looks_like_joke_keeps_real_bands_and_names():
    assert columns.looks_like_joke("???") and columns.looks_like_joke("xxxx") and columns.looks_like_joke("qwerty")
    assert not columns.looks_like_joke("10-49") and not columns.looks_like_joke("Retail")


def test_an_id_is_left_out_whatever_its_dtype_a_measure_is_kept():
    """A sequential lead number (whole numbers, unique, sparse, descending) mapped as an attribute by hand is an
    id, never a trait; unique whole numbers out of row order (employees of each account) are a measure."""
    n = 200
    frame = pd.DataFrame(
        {
            "lead_number": 660737 - (pd.Series(range(n)) * 7 + pd.Series(range(n)) % 5),
            "landing_page_id": [f"{(i % 30) * 7919:012x}a1" for i in range(n)],
            "employees": pd.Series(range(n)).sample(frac=1, random_state=3).to_numpy() * 37 + 11,
        }
    )
    kept, found = columns.left_out_columns(frame, list(frame.columns), log=CleaningLog(), table="leads")
    assert list(kept.columns) == ["employees"]
    assert set(found["column"]) == {"lead_number", "landing_page_id"} and set(found["role"]) == {"id"}
