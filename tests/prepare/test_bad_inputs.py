"""Every bad input in DESIGN's rules gets a clear error naming the file and the column — or, where it is a
data-quality matter, a counted entry in the cleaning log. Never a bare traceback, never a silently wrong number."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alignkit.config import load_settings
from alignkit.errors import InputFileError
from alignkit.prepare.tables import prepare
from tests.conftest import make_project

N_ROWS = 400


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory, demo_project) -> Path:
    """Return a data/raw folder with the first rows of each demo export (fast to prepare)."""
    folder = tmp_path_factory.mktemp("small_raw")
    raw = demo_project.parent / "data" / "raw"
    contacts = pd.read_csv(raw / "hubspot_contacts.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    deals = pd.read_csv(raw / "hubspot_deals.csv", dtype=str, keep_default_na=False)
    touches = pd.read_csv(raw / "hubspot_activities.csv", dtype=str, keep_default_na=False)
    # Contacts with a deal first, so the small sample still has deals, touches and every stage.
    with_deal = contacts["Record ID"].isin(deals["Associated Contact ID"])
    sample = pd.concat([contacts[with_deal].head(N_ROWS // 2), contacts[~with_deal].head(N_ROWS // 2)])
    sample.to_csv(folder / "hubspot_contacts.csv", index=False)
    deals[deals["Associated Contact ID"].isin(sample["Record ID"])].to_csv(folder / "hubspot_deals.csv", index=False)
    touches[touches["Contact ID"].isin(sample["Record ID"])].to_csv(folder / "hubspot_activities.csv", index=False)
    text = (raw / "survey_qualtrics.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    (folder / "survey_qualtrics.csv").write_text("".join(text[: N_ROWS + 3]), encoding="utf-8")
    return folder


def project_with(tmp_path: Path, small_raw: Path, name: str, payload: bytes | None):
    project = make_project(tmp_path, raw_from=small_raw)
    target = project.parent / "data" / "raw" / name
    if payload is None:
        target.unlink()
    else:
        target.write_bytes(payload)
    return load_settings(project)


def edited(small_raw: Path, name: str, edit) -> bytes:
    frame = pd.read_csv(small_raw / name, dtype=str, keep_default_na=False)
    return edit(frame).to_csv(index=False).encode("utf-8")


def test_small_project_prepares(tmp_path, small_raw):
    data = prepare(load_settings(make_project(tmp_path, raw_from=small_raw)))
    assert 0 < len(data.leads) <= N_ROWS


@pytest.mark.parametrize(
    "case,file,column,fragment",
    [
        ("missing file", "hubspot_deals.csv", None, "does not exist"),
        ("empty file", "hubspot_contacts.csv", None, "empty"),
        ("misspelt column", "hubspot_contacts.csv", "Lifecycle Stage", "Close matches: 'Lifecycle stage'"),
        ("wrong encoding", "hubspot_contacts.csv", None, "encoding"),
        ("duplicate ids", "hubspot_contacts.csv", "Record ID", "more than one different row"),
        ("dates that do not parse", "hubspot_contacts.csv", "Create Date", "do not parse"),
    ],
)
def test_bad_input_names_file_and_column(tmp_path, small_raw, case, file, column, fragment):
    contacts = "hubspot_contacts.csv"
    payload = {
        "missing file": None,
        "empty file": b"",
        "misspelt column": edited(
            small_raw, contacts, lambda f: f.rename(columns={"Lifecycle Stage": "Lifecycle stage"})
        ),
        # UTF-8 accents first, then an Excel (cp1252) edit: a file pasted together from two encodings
        "wrong encoding": (small_raw / contacts)
        .read_bytes()
        .replace(b"Smith", "Sm\u00efth".encode("utf-8"), 1)
        .replace(b"Smith", "Sm\u00eft\u00e9".encode("cp1252")),
        "duplicate ids": edited(
            small_raw,
            contacts,
            lambda f: f.assign(**{"Record ID": f["Record ID"].where(f.index != 5, f["Record ID"].iloc[3])}),
        ),
        "dates that do not parse": edited(small_raw, contacts, lambda f: f.assign(**{"Create Date": "soon"})),
    }[case]
    settings = project_with(tmp_path, small_raw, file, payload)
    with pytest.raises(InputFileError) as caught:
        prepare(settings)
    message = str(caught.value)
    assert file in message, message
    assert fragment in message, message
    if column:
        assert repr(column) in message, message
    assert "Fix:" in message, message


def test_wrong_delimiter_is_read_or_explained(tmp_path, small_raw):
    semicolons = edited(small_raw, "hubspot_deals.csv", lambda f: f).decode().replace(",", ";").encode()
    settings = project_with(tmp_path, small_raw, "hubspot_deals.csv", semicolons)
    assert len(prepare(settings).leads) > 0  # sniffed


def test_wrong_type_is_counted_not_hidden(tmp_path, small_raw):
    payload = edited(
        small_raw, "hubspot_deals.csv", lambda f: f.assign(Amount=f["Amount"].where(f.index % 10 != 0, "call me"))
    )
    settings = project_with(tmp_path, small_raw, "hubspot_deals.csv", payload)
    log = prepare(settings).cleaning_log
    entry = log[(log["step"] == "parse_numbers") & (log["column"] == "amount")]
    assert entry["rows_affected"].sum() == len(pd.read_csv(small_raw / "hubspot_deals.csv").index[::10]) > 10


def test_a_few_bad_dates_are_counted(tmp_path, small_raw):
    payload = edited(
        small_raw,
        "hubspot_contacts.csv",
        lambda f: f.assign(**{"Create Date": f["Create Date"].where(f.index % 50 != 1, "31/31/2025")}),
    )
    settings = project_with(tmp_path, small_raw, "hubspot_contacts.csv", payload)
    log = prepare(settings).cleaning_log
    entry = log[
        (log["step"] == "parse_dates") & (log["column"] == "created_at") & log["reason"].str.contains("does not parse")
    ]
    assert entry["rows_affected"].sum() == len(range(1, N_ROWS, 50))


def test_rows_without_an_id_are_counted_and_left_out(tmp_path, small_raw):
    """Half-filled rows (an Industry cell, no Record ID: a stray line under a report) are not blank, so they reach
    the id check: they are counted and left out instead of breaking the lead table."""

    def add_strays(frame: pd.DataFrame) -> pd.DataFrame:
        strays = pd.DataFrame({c: [""] * 3 for c in frame.columns}).assign(Industry=["Retail", "Software", "Retail"])
        return pd.concat([frame, strays], ignore_index=True)

    settings = project_with(
        tmp_path, small_raw, "hubspot_contacts.csv", edited(small_raw, "hubspot_contacts.csv", add_strays)
    )
    data = prepare(settings)
    log = data.cleaning_log
    assert log.loc[log["step"] == "drop_rows_without_id", "rows_affected"].sum() == 3
    assert data.leads["lead_key"].is_unique and len(data.leads) <= N_ROWS
