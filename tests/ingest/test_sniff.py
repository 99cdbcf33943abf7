"""Files read by what they are (`alignkit.ingest.sniff`): a workbook, a gzip or ZIP, an SPSS file named .csv; the
encoding and delimiter sniffed on a sample; a header-only or all-blank export refused at validate."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from alignkit.ingest.files import read_export
from alignkit.ingest.sniff import detect_container, sniff_delimiter, sniff_encoding
from tests.fixtures import shapes

ROWS = [["Record ID", "Industry", "City"], ["1", "Software", "Köln"], ["2", "Retail", "São Paulo"]]
EXPECTED = {"Record ID": ["1", "2"], "Industry": ["Software", "Retail"], "City": ["Köln", "São Paulo"]}


def _csv(rows: list[list[str]], sep: str = ",") -> str:
    return "".join(sep.join(r) + "\n" for r in rows)


def test_a_workbook_named_csv_is_read_as_the_workbook_it_is(tmp_path):
    book = openpyxl.Workbook()
    for row in ROWS:
        book.active.append(row)
    path = tmp_path / "leads.csv"
    book.save(path)
    assert detect_container(path) == "xlsx"
    _, data = read_export(path)
    assert data.to_dict("list") == EXPECTED
    assert (
        data.attrs["container_note"] == "leads.csv is an XLSX workbook, not a text file as its name says: read as one"
    )


def test_gzip_zip_and_spss_files_named_csv(tmp_path):
    gz = tmp_path / "leads.csv.gz"
    gz.write_bytes(gzip.compress(_csv(ROWS).encode("utf-8")))
    zipped = tmp_path / "leads_export.csv"  # a ZIP with the CSV inside, named like the CSV
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("leads.csv", _csv(ROWS, ";").encode("cp1252"))
    for path in (gz, zipped):
        _, data = read_export(path)
        assert data.to_dict("list") == EXPECTED, path
    assert "is a ZIP archive" in read_export(zipped)[1].attrs["container_note"]
    sav = tmp_path / "survey.csv"
    pyreadstat.write_sav(
        pd.DataFrame({"q1": [1.0, 2.0], "region": ["North", "South"]}),
        str(sav),
        variable_value_labels={"q1": {1.0: "Agree", 2.0: "Disagree"}},
    )
    assert detect_container(sav) == "sav"
    _, data = read_export(sav)
    assert data.to_dict("list") == {"q1": ["Agree", "Disagree"], "region": ["North", "South"]}


@pytest.mark.parametrize("encoding, bom", [("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-8", b"")])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_encoding_and_delimiter_are_sniffed(tmp_path, encoding, bom, sep):
    path = tmp_path / "leads.csv"
    path.write_bytes(bom + _csv(ROWS, sep).encode(encoding))
    _, data = read_export(path)
    assert data.to_dict("list") == EXPECTED
    assert sniff_encoding(path.read_bytes()) == ("utf-8-sig" if bom else encoding)
    assert sniff_delimiter(_csv(ROWS, sep)) == sep


def test_a_header_only_or_all_blank_export_fails_validate(tmp_path):
    for name, blank_rows in (("header_only", 0), ("all_blank", 3)):
        folder = tmp_path / name
        subprocess.run([sys.executable, "-m", "alignkit.cli", "init", str(folder)], check=True, capture_output=True)
        facts = shapes.write_lead_list(folder, n=200)
        columns = list(facts["export"].columns)
        (folder / "data" / "raw" / "leads.csv").write_text(
            ",".join(columns) + "\n" + ("," * (len(columns) - 1) + "\n") * blank_rows, encoding="utf-8"
        )
        done = subprocess.run(
            [sys.executable, "-m", "alignkit.cli", "validate", "--project", str(facts["project"])],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 1, done.stdout
        assert "leads.csv: has a header but no data rows" in done.stderr, done.stderr


def test_validate_reads_a_workbook_named_csv(tmp_path):
    folder = tmp_path / "p"
    subprocess.run([sys.executable, "-m", "alignkit.cli", "init", str(folder)], check=True, capture_output=True)
    facts = shapes.write_lead_list(folder, n=300)
    export = Path(folder / "data" / "raw" / "leads.csv")
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    frame.to_excel(export.with_suffix(".xlsx"), index=False)
    export.with_suffix(".xlsx").replace(export)
    done = subprocess.run(
        [sys.executable, "-m", "alignkit.cli", "validate", "--project", str(facts["project"])],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "leads.csv is an XLSX workbook, not a text file as its name says: read as one" in done.stdout
