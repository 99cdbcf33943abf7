"""A damaged export told by its bytes: what a file that is not text looks like, and the incomplete last record of
one cut off — and the complete files that must not be mistaken for either."""

from __future__ import annotations

import pytest

from alignkit.ingest.damage import binary_kind, cut_record
from alignkit.ingest.files import read_export

HEADER = "id,name,size\n"


def cut(text: str | bytes, *, encoding: str = "utf-8", chunk: int = 7):
    data = text.encode(encoding) if isinstance(text, str) else text
    return cut_record(
        (data[i : i + chunk] for i in range(0, len(data), chunk)), encoding=encoding, delimiter=",", fields=3
    )


@pytest.mark.parametrize(
    "text",
    [
        HEADER + "1,a,10\n2,b,20\n",  # ends with a line end
        HEADER + "1,a,10\n2,b,20",  # no final line end, but all fields
        HEADER + "1,a,10\r\n2,b,20\r\n",  # Windows line ends
        HEADER + '1,"a\nb",10\n2,b,20\n',  # a line break inside a quoted value
        HEADER + "1,5'11\",10\n2,b,20\n",  # a stray quote (an inch sign) earlier in the file
        HEADER + "1,a,10\n2,b,\n",  # a blank last cell is a field
        HEADER,  # the header alone
    ],
)
def test_a_complete_file_is_not_called_cut(text):
    assert cut(text) is None


def test_a_last_row_with_fewer_fields_and_no_line_end_is_cut():
    found = cut(HEADER + "1,a,10\n2,b,20\n3,c")
    assert (found.line, found.reason) == (4, "ends without a line end after 2 of the header's 3 fields")
    assert found.keep_bytes == len(HEADER + "1,a,10\n2,b,20\n")


def test_an_unterminated_quote_cuts_the_record_where_it_began():
    text = HEADER + '1,a,10\n2,"b\nstill b'
    found = cut(text)
    assert (found.line, found.keep_bytes) == (3, len(HEADER + "1,a,10\n"))
    assert "unterminated quote" in found.reason


def test_a_character_cut_in_half_cuts_its_record():
    data = (HEADER + "1,a,10\n2,Zoë,2").encode("utf-8") + "é".encode()[:1]
    found = cut(data)
    assert found.line == 3 and "middle of a character" in found.reason


def test_the_reader_leaves_the_cut_row_out_and_counts_it(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes((HEADER + "1,a,10\n2,b,789\n3,c").encode("utf-8"))
    _, data = read_export(path)
    assert data["size"].tolist() == ["10", "789"]  # "3,c" is not a lead of unknown size: it is left out
    assert "data row 3" in data.attrs["cut_note"]


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "a PDF document"),
        (b"SQLite format 3\x00" + bytes(100), "an SQLite database"),
        (b"PAR1\x15\x04", "a Parquet data file"),
        (bytes(range(256)) * 8, "binary data (8 NUL byte(s) and 11% control bytes in its first 2,048 bytes)"),
    ],
    ids=["pdf", "sqlite", "parquet", "every byte"],
)
def test_binary_files_are_named(head, kind):
    assert binary_kind(head) == kind


@pytest.mark.parametrize(
    "head",
    [
        "id;name\n1;Zoë\n".encode(),
        "id,name\r\n1,Zoë\r\n".encode("cp1252"),
        "\ufeffid,name\n".encode("utf-16"),  # UTF-16 with a byte-order mark
        "id,name\n1,a\n".encode("utf-16-le"),  # … and without one
    ],
    ids=["utf-8", "cp1252", "utf-16", "utf-16-le"],
)
def test_text_is_not_binary(head):
    assert binary_kind(head) is None


def test_the_survey_reader_carries_the_notes_to_the_cleaning_log(tmp_path):
    from alignkit.ingest.survey import read_survey

    path = tmp_path / "survey.csv"
    lines = ["id,q1,q1,q2"] + [f"{i},Agree,Yes,{i % 5}" for i in range(1, 30)] + ["30,Disag"]
    path.write_text("\n".join(lines), encoding="utf-8")
    export = read_survey(path)
    assert len(export.responses) == 29
    assert [rows for rows, _ in export.notes] == [1, 0]
    assert "line 31, data row 30" in export.notes[0][1] and "'q1' is read as 'q1.1'" in export.notes[1][1]
