"""Day/month order decided from the data, shared within a file, refused when it cannot be told, never swapped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alignkit.errors import InputFileError
from alignkit.prepare import clean
from alignkit.prepare.clean import CleaningLog

PATH = Path("data/raw/contacts.csv")


def dates(*values) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def test_decide_dayfirst_reads_the_order_from_a_field_above_12():
    assert clean.decide_dayfirst(pd.Series(["25/03/2024", "01/02/2024", None], dtype="str")) is True
    assert clean.decide_dayfirst(pd.Series(["03/25/2024 14:05", "01/02/2024"], dtype="str")) is False
    # every value reads both ways (or is ISO): undecidable from this column alone
    assert clean.decide_dayfirst(pd.Series(["01/02/2024", "2024-05-06", "11.12.24"], dtype="str")) is None


def test_decide_dayfirst_refuses_a_column_needing_both_orders():
    from alignkit.errors import AlignkitError, DateOrderError

    with pytest.raises(DateOrderError) as caught:
        clean.decide_dayfirst(pd.Series(["25/03/2024", "03/25/2024", "01/02/2024"], dtype="str"))
    assert isinstance(caught.value, AlignkitError) and isinstance(caught.value, ValueError)
    assert caught.value.day_first == ["25/03/2024"] and caught.value.month_first == ["03/25/2024"]


def test_auto_reads_a_day_first_column_and_lends_its_order_to_an_ambiguous_one():
    contacts = pd.DataFrame(
        {
            "created_at": dates("25/03/2024 14:05", "2024-01-05", "01/02/24", "March 3, 2024", None),
            "mql_at": dates("01/02/2024", "03/04/2024", None, None, None),
        }
    )
    log = CleaningLog()
    out = clean.parse_dates(contacts, ["created_at", "mql_at"], log=log, table="leads", path=PATH)
    assert out["created_at"].tolist()[:4] == [
        pd.Timestamp("2024-03-25 14:05"),
        pd.Timestamp("2024-01-05"),
        pd.Timestamp("2024-02-01"),
        pd.Timestamp("2024-03-03"),
    ]
    assert out["mql_at"].tolist()[:2] == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-04-03")]
    non_iso = log.to_frame().query("column == 'created_at'")
    assert non_iso["rows_affected"].iloc[0] == 3 and "day first" in non_iso["reason"].iloc[0]  # mixed formats counted


def test_an_all_ambiguous_file_is_refused_naming_file_column_and_setting():
    contacts = pd.DataFrame({"created_at": dates("01/02/2024", "03/04/2024", "2024-05-06")})
    contacts.attrs["source_columns"] = {"created_at": "Create Date"}
    with pytest.raises(InputFileError) as caught:
        clean.parse_dates(contacts, ["created_at"], log=CleaningLog(), table="leads", path=PATH)
    message = str(caught.value)
    assert "contacts.csv" in message and "'Create Date'" in message and "clean.dayfirst" in message
    forced = clean.parse_dates(contacts, ["created_at"], log=CleaningLog(), table="leads", path=PATH, dayfirst=True)
    assert forced["created_at"].iloc[1] == pd.Timestamp("2024-04-03")


def test_a_column_holding_25_03_and_03_25_is_refused_not_half_swapped():
    contacts = pd.DataFrame({"created_at": dates("25/03/2024", "03/25/2024", "2024-05-06")})
    with pytest.raises(InputFileError, match="both orders"):
        clean.parse_dates(contacts, ["created_at"], log=CleaningLog(), table="leads", path=PATH)
    # forcing an order never reads the misfit the other way round: it does not parse, and is counted
    mostly = pd.DataFrame({"created_at": dates("25/03/2024", "03/25/2024", *["01/02/2024"] * 8)})
    log = CleaningLog()
    out = clean.parse_dates(mostly, ["created_at"], log=log, table="leads", path=PATH, dayfirst=True)
    assert pd.isna(out["created_at"].iloc[1]) and out["created_at"].iloc[2] == pd.Timestamp("2024-02-01")
    assert log.to_frame().query("reason.str.contains('does not parse')")["rows_affected"].tolist() == [1]


def test_iso_and_same_day_dates_need_no_order():
    contacts = pd.DataFrame({"created_at": dates("2024-03-05", "01/01/2024", "5 March 2024")})
    out = clean.parse_dates(contacts, ["created_at"], log=CleaningLog(), table="leads", path=PATH)
    assert out["created_at"].notna().all()
