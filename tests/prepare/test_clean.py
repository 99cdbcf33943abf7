"""Cleaning steps on small hand-made frames: each returns a new frame, leaves its input alone, and logs what it
changed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alignkit.errors import InputFileError
from alignkit.prepare import clean
from alignkit.prepare.clean import CleaningLog


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(
        {k: pd.Series(v, dtype="str") if isinstance(v[0], str) or v[0] is None else v for k, v in columns.items()}
    )


def test_log_keeps_zero_row_entries_and_sums_by_step():
    log = CleaningLog()
    log.record("a", table="leads", rows=3, reason="x")
    log.record("a", table="responses", rows=2, reason="y")
    log.record("b", table="leads", rows=0, reason="checked, nothing found")
    table = log.to_frame()
    assert list(table.columns) == ["step", "table", "column", "rows_affected", "reason"]
    assert len(table) == 3 and log.rows("a") == 5 and log.rows("a", "leads") == 3 and log.rows("b") == 0


def test_drop_blank_rows_counts_and_does_not_mutate():
    leads = frame(email=["a@x.com", None, "c@x.com"], name=["A", None, None])
    before = leads.copy()
    log = CleaningLog()
    out = clean.drop_blank_rows(leads, log=log, table="leads")
    assert len(out) == 2 and log.rows("drop_blank_rows") == 1
    pd.testing.assert_frame_equal(leads, before)


def test_exact_duplicate_rows_dropped_but_conflicting_ids_are_an_error():
    log = CleaningLog()
    leads = frame(lead_id=["1", "1", "2"], email=["a@x.com", "a@x.com", "b@x.com"])
    out = clean.check_unique_ids(leads, "lead_id", log=log, table="leads", path=Path("contacts.csv"))
    assert len(out) == 2 and log.rows("drop_exact_duplicate_rows") == 1
    conflicting = frame(lead_id=["1", "1"], email=["a@x.com", "other@x.com"])
    with pytest.raises(InputFileError, match=r"contacts\.csv.*lead_id.*Fix"):
        clean.check_unique_ids(conflicting, "lead_id", log=log, table="leads", path=Path("contacts.csv"))


def test_emails_are_trimmed_and_lower_cased():
    log = CleaningLog()
    out = clean.normalise_emails(frame(email=[" Ann@X.com", "bob@x.com", None]), log=log, table="leads")
    assert out["email"].tolist()[:2] == ["ann@x.com", "bob@x.com"] and pd.isna(out["email"].iloc[2])
    assert log.rows("normalise_emails") == 1


def test_test_records_match_patterns_names_and_internal_domains():
    leads = frame(
        email=["test.user@acme.com", "ann@acme.com", "joe@ourco.io", "demo@example.com", "kim@acme.com"],
        first_name=["Test", "Ann", "Joe", "Demo", "Dummy"],
    )
    log = CleaningLog()
    out = clean.drop_test_records(
        leads,
        log=log,
        table="leads",
        internal_domains=["ourco.io"],
        patterns=[r"\btest\b", r"^test[._+-]", r"@example\.(?:com|org)$", r"\bdummy\b"],
    )
    assert out["email"].tolist() == ["ann@acme.com"]
    assert log.rows("drop_test_records") == 4


def test_dedupe_keeps_the_most_complete_then_newest_record_and_maps_ids():
    leads = pd.DataFrame(
        {
            "lead_id": pd.Series(["1", "2", "3", "4", "5"], dtype="str"),
            "email": pd.Series(["a@x.com", "a@x.com", "b@x.com", "b@x.com", "c@x.com"], dtype="str"),
            "industry": pd.Series([None, "Retail", "Retail", "Retail", None], dtype="str"),
            "updated_at": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-03-01", "2025-02-01", "2025-01-01"]),
        }
    )
    log = CleaningLog()
    out, id_map = clean.dedupe_contacts(leads, log=log)
    assert sorted(out["lead_id"]) == ["2", "3", "5"]
    assert id_map == {"1": "2", "4": "3"}
    assert log.rows("dedupe_contacts") == 2


def test_categories_merge_variants_into_the_most_frequent_spelling_and_apply_aliases():
    leads = frame(country=["United States", "united states ", "USA", "United States", "Germany", "Deutschland", None])
    log = CleaningLog()
    out = clean.normalise_categories(
        leads,
        ["country"],
        log=log,
        table="leads",
        aliases={"country": {"USA": "United States", "Deutschland": "Germany"}},
    )
    assert out["country"].tolist()[:6] == ["United States"] * 4 + ["Germany"] * 2
    assert pd.isna(out["country"].iloc[6])
    assert log.rows("normalise_categories") == 3


def test_dates_iso_first_then_day_first_counted_and_too_many_bad_dates_rejected():
    leads = frame(created_at=["2025-03-04 10:00", "05/04/2025", "7 April 2025", "", "2025-01-31"])
    log = CleaningLog()
    out = clean.parse_dates(leads, ["created_at"], log=log, table="leads", path=Path("c.csv"), dayfirst=True)
    assert out["created_at"].dt.strftime("%Y-%m-%d").tolist()[:3] == ["2025-03-04", "2025-04-05", "2025-04-07"]
    assert pd.isna(out["created_at"].iloc[3])
    assert log.rows("parse_dates") == 2
    with pytest.raises(InputFileError, match=r"c\.csv.*created_at.*do not parse.*Fix"):
        clean.parse_dates(
            frame(created_at=["soon", "later", "2025-01-01"]),
            ["created_at"],
            log=log,
            table="leads",
            path=Path("c.csv"),
        )


def test_numbers_read_currency_and_separators_and_count_bad_values():
    deals = frame(amount=["$1,200", "€3 400", "n/a", "15"], note=["a", "b", "c", "d"])
    log = CleaningLog()
    out = clean.parse_numbers(deals, ["note"], log=log, table="deals", required=["amount"])
    assert out["amount"].tolist()[:2] == [1200, 3400] and pd.isna(out["amount"].iloc[2])
    assert pd.api.types.is_string_dtype(out["note"])
    assert log.rows("parse_numbers") == 1


def test_speeders_are_under_the_share_of_the_median():
    responses = pd.DataFrame({"duration_s": [400.0, 420.0, 380.0, 100.0, 410.0]})
    log = CleaningLog()
    out = clean.flag_speeders(responses, log=log, share_of_median=0.33)
    assert out["is_speeder"].tolist() == [False, False, False, True, False]


def test_straightliners_need_every_item_of_a_long_enough_grid():
    labels = ["Disagree", "Neutral", "Agree"]
    likert = pd.CategoricalDtype(labels, ordered=True)
    grid = {f"q{i}": pd.Series(["Agree", "Agree", "Disagree"], dtype=likert) for i in range(5)}
    grid["q4"] = pd.Series(["Agree", "Neutral", None], dtype=likert)
    responses = pd.DataFrame(grid)
    codebook = pd.DataFrame({"column": list(grid), "kind": "likert", "group": "q"})
    log = CleaningLog()
    out = clean.flag_straightliners(responses, codebook, log=log, min_items=5)
    assert out["is_straightliner"].tolist() == [True, False, False]
    short = clean.flag_straightliners(responses, codebook, log=CleaningLog(), min_items=6)
    assert not short["is_straightliner"].any()


def test_placeholders_become_missing_and_each_value_is_counted_per_column():
    from alignkit.ingest.tokens import PLACEHOLDER_TOKENS, REFUSAL_TOKENS, token_set

    raw = frame(
        lead_id=["1", "2", "3", "4", "5"],
        industry=["Select", "Software", "-- select --", "NA", "Retail"],
        region=["Prefer not to say", "EMEA", "N/A", "EMEA", "-"],
    )
    log = CleaningLog()
    out = clean.replace_missing_tokens(
        raw, log=log, table="leads", tokens=token_set(PLACEHOLDER_TOKENS), keep=["lead_id"]
    )
    assert out["industry"].isna().tolist() == [True, False, True, True, False]
    assert out["region"].tolist()[0] == "Prefer not to say"  # refusals are kept in CRM fields by default
    assert raw["industry"].iloc[0] == "Select"  # input untouched
    entries = log.to_frame().set_index(["column", "reason"])["rows_affected"]
    assert entries[("industry", "'Select' means no value (form placeholder or refusal), set to missing")] == 1
    assert entries[("industry", "'NA' means no value (form placeholder or refusal), set to missing")] == 1
    assert log.rows("missing_tokens") == 5
    refusals = token_set(PLACEHOLDER_TOKENS + REFUSAL_TOKENS, add=["TBC"], remove=["na"])
    out = clean.replace_missing_tokens(
        raw.assign(tier=["TBC", "Gold", "Gold", "Gold", "Gold"]), log=CleaningLog(), table="leads", tokens=refusals
    )
    assert out["region"].isna().tolist() == [True, False, True, False, True]
    assert out["industry"].tolist()[3] == "NA" and pd.isna(out["tier"].iloc[0])


def test_a_token_is_found_whatever_its_padding_and_only_in_cells_a_token_could_spell():
    from alignkit.ingest.tokens import PLACEHOLDER_TOKENS, token_set

    cells = [
        "---------------- Select ----------------",
        "(blank)",
        "[N/A]",
        "n.a.",
        "person1@example.com",
        "12",
        "Selected",
        "Software",
        None,
    ]
    raw = frame(lead_id=[str(i) for i in range(len(cells))], industry=cells)
    out = clean.replace_missing_tokens(raw, log=CleaningLog(), table="leads", tokens=token_set(PLACEHOLDER_TOKENS))
    assert out["industry"].isna().tolist() == [True, True, True, True, False, False, False, False, True]
    added = token_set(PLACEHOLDER_TOKENS, add=["-99"])  # a survey's numeric code for no answer
    out = clean.replace_missing_tokens(
        frame(lead_id=["1", "2"], score=["-99", "99"]), log=CleaningLog(), table="leads", tokens=added
    )
    assert out["score"].isna().tolist() == [True, False]


def test_numbers_in_arrow_read_plain_thousands_currency_and_not_a_number_alike():
    values = pd.Series(["1,200", "$3.5", None, "abc", "1e3", "-3", "nan", " 12 ", "€1 200"], dtype="str")
    assert clean.to_number(values).tolist() == [1200.0, 3.5, pd.NA, pd.NA, 1000.0, -3.0, pd.NA, 12.0, 1200.0]
    assert clean.to_number(pd.Series(["1", "2.5", None], dtype="str")).dtype == "Float64"
