"""Reading export files: encodings, delimiters, header rows, blank cells and the errors people see."""

from __future__ import annotations

import csv
import hashlib

import openpyxl
import pandas as pd
import pytest

from alignkit.errors import InputFileError
from alignkit.ingest.files import content_hash, parse_bools, parse_datetimes, parse_numbers, read_export, to_snake_case


def write_rows(path, rows, *, delimiter=",", encoding="utf-8", bom=False):
    with path.open("w", newline="", encoding=encoding) as handle:
        if bom:
            handle.write("\ufeff")
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def test_csv_with_bom_quotes_duplicates_and_blank_rows(tmp_path):
    path = write_rows(
        tmp_path / "export.csv",
        [
            [" Name ", "Comment", "Comment", "Score"],
            ["Ann", "Fine, thanks\nsecond line", "x", "1"],
            ["", "", "", ""],
            ["Bob", "   ", "y", "2"],
        ],
        bom=True,
    )
    header, data = read_export(path)
    assert header == [["Name", "Comment", "Comment", "Score"]]
    assert list(data.columns) == ["Name", "Comment", "Comment.1", "Score"]
    assert all(data[c].dtype == "str" for c in data.columns)
    assert len(data) == 3
    assert data.loc[0, "Comment"] == "Fine, thanks\nsecond line"
    assert data.iloc[1].isna().all()  # the blank row is kept, all NA
    assert pd.isna(data.loc[2, "Comment"])  # whitespace-only cell -> NA
    assert data["Score"].tolist()[::2] == ["1", "2"]


def test_truly_blank_line_is_kept_and_extra_header_rows_returned(tmp_path):
    path = tmp_path / "two_headers.csv"
    path.write_text("a,b\nQuestion A,Question B\n1,2\n\n3,4\n", encoding="utf-8")
    header, data = read_export(path, header_rows=2)
    assert header == [["a", "b"], ["Question A", "Question B"]]
    assert data["a"].tolist()[0] == "1" and data.iloc[1].isna().all() and data["b"].tolist()[2] == "4"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path, delimiter):
    path = write_rows(
        tmp_path / "export.csv", [["id", "amount", "note"], ["1", "1,5", "a, b"], ["2", "3", "c"]], delimiter=delimiter
    )
    _, data = read_export(path)
    assert list(data.columns) == ["id", "amount", "note"]
    assert data["amount"].tolist() == ["1,5", "3"] and data["note"].tolist() == ["a, b", "c"]


def test_explicit_delimiter_and_tsv(tmp_path):
    path = write_rows(tmp_path / "export.tsv", [["a", "b"], ["1", "2"]], delimiter="\t")
    assert list(read_export(path, delimiter="tab")[1].columns) == ["a", "b"]
    assert list(read_export(path)[1].columns) == ["a", "b"]


def test_utf16_with_bom(tmp_path):
    path = tmp_path / "excel_unicode.txt"
    path.write_bytes("Name\tCity\nZoë\tMünchen\n".encode("utf-16"))
    _, data = read_export(path)
    assert data.loc[0, "Name"] == "Zoë" and data.loc[0, "City"] == "München"


def test_non_utf8_bytes_are_sniffed_and_a_wrong_setting_names_one_that_decodes(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes("name,city\nJosé,Köln\n".encode("cp1252"))
    _, data = read_export(path)
    assert data.loc[0, "name"] == "José" and data.loc[0, "city"] == "Köln"
    with pytest.raises(InputFileError) as info:
        read_export(path, encoding="utf-8")
    assert "contacts.csv" in str(info.value) and "encoding: cp1252" in str(info.value)
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("name\nZoë\n".encode() + "José\n".encode("cp1252"))
    with pytest.raises(InputFileError, match=r"mixed\.csv.*mixes UTF-8.*byte offset 13"):
        read_export(mixed)
    with pytest.raises(InputFileError, match="not a known text encoding"):
        read_export(path, encoding="klingon")


def test_missing_file_lists_close_names(tmp_path):
    (tmp_path / "survey_export.csv").write_text("a\n1\n")
    with pytest.raises(InputFileError) as info:
        read_export(tmp_path / "survey_exprot.csv")
    message = str(info.value)
    assert "survey_exprot.csv" in message and "does not exist" in message
    assert "'survey_export.csv'" in message and "`file:`" in message


def test_folder_empty_and_headerless_files(tmp_path):
    with pytest.raises(InputFileError, match="is a folder"):
        read_export(tmp_path)
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputFileError, match=r"empty\.csv.*is empty"):
        read_export(tmp_path / "empty.csv")
    (tmp_path / "blank.csv").write_text("\n\n  \n")
    with pytest.raises(InputFileError, match="is empty"):
        read_export(tmp_path / "blank.csv")
    (tmp_path / "bom_only.csv").write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(InputFileError, match="is empty"):
        read_export(tmp_path / "bom_only.csv")
    (tmp_path / "no_header.csv").write_text(",,\n1,2,3\n")
    with pytest.raises(InputFileError, match="no header"):
        read_export(tmp_path / "no_header.csv")


def test_fewer_rows_than_header_rows(tmp_path):
    path = write_rows(tmp_path / "short.csv", [["a", "b"]])
    with pytest.raises(InputFileError, match=r"short\.csv.*1 row.*3 header rows"):
        read_export(path, header_rows=3)
    header, data = read_export(path)
    assert header == [["a", "b"]] and len(data) == 0


def test_ragged_rows_give_a_delimiter_hint(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5,6\n")
    with pytest.raises(InputFileError, match=r"ragged\.csv.*delimiter"):
        read_export(path)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "export.json"
    path.write_text("{}")
    with pytest.raises(InputFileError, match=r"unsupported file type '\.json'"):
        read_export(path)


def test_xlsx_sheets_numbers_and_blank_rows(tmp_path):
    path = tmp_path / "export.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    sheet = book.create_sheet("Data")
    for row in (["Id", "Amount", "Id"], [101, 12.5, "a"], [None, None, None], [102, " ", "b"]):
        sheet.append(row)
    book.save(path)
    header, data = read_export(path, sheet="Data")
    assert header == [["Id", "Amount", "Id"]] and list(data.columns) == ["Id", "Amount", "Id.1"]
    assert data["Id"].tolist()[0] == "101" and data["Amount"].tolist()[0] == "12.5"
    assert data.iloc[1].isna().all() and pd.isna(data.loc[2, "Amount"])
    assert read_export(path, sheet=1)[0] == header
    assert read_export(path)[0] == [["nothing here"]]
    with pytest.raises(InputFileError) as info:
        read_export(path, sheet="Dta")
    assert "export.xlsx" in str(info.value) and "'Data'" in str(info.value) and "`sheet:`" in str(info.value)
    with pytest.raises(InputFileError, match=r"has no sheet 5\. Sheets: 'Notes', 'Data'"):
        read_export(path, sheet=5)


def test_corrupt_archive_and_a_csv_named_xlsx(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a zip file")
    with pytest.raises(InputFileError, match=r"broken\.xlsx.*cannot be read as a ZIP archive"):
        read_export(path)
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_text("a,b\n1,2\n")
    _, data = read_export(renamed)
    assert data.to_dict("list") == {"a": ["1"], "b": ["2"]}
    assert (
        data.attrs["container_note"]
        == "renamed.xlsx is a text file, not an XLSX workbook as its name says: read as one"
    )


def test_content_hash(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n1,2\n")
    assert content_hash(path) == hashlib.sha256(b"a,b\n1,2\n").hexdigest()[:16]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Duration (in seconds)", "duration_in_seconds"),
        ("Q4_1", "q4_1"),
        ("Became a Lead Date", "became_a_lead_date"),
        ("ResponseId", "response_id"),
        ("IPAddress", "ip_address"),
        ("Économie Générale", "economie_generale"),
        ("\ufeffEmail Address ", "email_address"),
        ("HubSpot Score", "hubspot_score"),
        ("???", "column"),
        ("", "column"),
    ],
)
def test_to_snake_case(name, expected):
    assert to_snake_case(name) == expected


def test_parse_numbers():
    values = pd.Series(["1,200", " 12.5", "-3", None, "n/a", "1e3"], dtype="str")
    numbers, n_invalid, share = parse_numbers(values)
    assert numbers.dtype == "Float64"
    assert numbers.tolist()[:3] == [1200.0, 12.5, -3.0] and numbers.tolist()[5] == 1000.0
    assert pd.isna(numbers[3]) and pd.isna(numbers[4])
    assert n_invalid == 1 and share == pytest.approx(0.8)


def test_parse_datetimes_and_bools():
    iso = parse_datetimes(pd.Series(["2025-03-04 10:22:01", "2025-03-05T08:00:00Z", None, "garbage"], dtype="str"))
    assert pd.api.types.is_datetime64_dtype(iso)
    assert iso[0] == pd.Timestamp("2025-03-04 10:22:01") and iso[1] == pd.Timestamp("2025-03-05 08:00:00")
    assert pd.isna(iso[2]) and pd.isna(iso[3])
    us = parse_datetimes(pd.Series(["03/04/2025 10:22:01 AM", "03/14/2025 01:05:00 PM"], dtype="str"))
    assert us.tolist() == [pd.Timestamp("2025-03-04 10:22:01"), pd.Timestamp("2025-03-14 13:05:00")]
    european = parse_datetimes(pd.Series(["25/03/2025 10:00", "04/03/2025 11:30"], dtype="str"))
    assert european.tolist() == [pd.Timestamp("2025-03-25 10:00"), pd.Timestamp("2025-03-04 11:30")]
    flags = parse_bools(pd.Series(["True", "FALSE", "1", "0", None, "maybe"], dtype="str"))
    assert flags.dtype == "boolean" and flags.tolist()[:4] == [True, False, True, False]
    assert flags.isna().tolist()[4:] == [True, True]


def test_a_workbook_keeps_na_texts_for_cleaning_to_count(tmp_path):
    # pandas' read_excel drops "N/A", "NA" and "null" to NaN unless told not to: uncounted, they would vanish
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["Record ID", "Industry"], ["1", "N/A"], ["2", "NA"], ["3", None], ["4", "Retail"], ["5", "null"]):
        sheet.append(row)
    book.save(tmp_path / "contacts.xlsx")
    _, data = read_export(tmp_path / "contacts.xlsx")
    assert data["Industry"].tolist()[:2] == ["N/A", "NA"] and data["Industry"].iloc[4] == "null"
    assert pd.isna(data["Industry"].iloc[2])  # a blank cell is blank


def test_a_cell_of_spaces_is_blank_and_quoted_empty_too(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text('id,note\n1,"   "\n2,""\n3,\t\n4,kept\n', encoding="utf-8")
    _, data = read_export(path)
    assert data["note"].isna().tolist() == [True, True, True, False]


def test_a_file_quoted_twice_is_refused_with_the_fix(tmp_path):
    """An Excel re-save that wrapped every ';'-separated line in quotes: one cell per line, no column to read."""
    path = tmp_path / "bank-additional.csv"
    lines = ['"age;""job"";""y"""'] + [f'"{30 + i};""admin."";""no"""' for i in range(10)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="quoted a second time") as error:
        read_export(path)
    assert "export the data again as plain CSV" in str(error.value)
