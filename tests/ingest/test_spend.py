"""The spend file of notebook 02: a malformed or missing file is named with its column and fix, and validate
reports it."""

from __future__ import annotations

import pytest

from alignkit.errors import InputFileError, MissingColumnError
from alignkit.ingest.spend import read_spend


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("month,spend\n2026-01,10\n", "source"),
        ("source,spend\nPaid,10\n", "month"),
        ("month,source,spend\n2026-01,Paid,ten\n", "spend"),
        ("month,source,spend\nsoon,Paid,10\n", "month"),
    ],
)
def test_malformed_spend_file_names_file_and_column(tmp_path, text, column):
    path = tmp_path / "spend.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_spend(path)
    assert "spend.csv" in str(info.value) and repr(column) in str(info.value)
    if column in ("source",) or text.startswith("source"):
        assert isinstance(info.value, MissingColumnError)


def test_missing_spend_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputFileError, match="spend file not found"):
        read_spend(tmp_path / "nope.csv")


def test_validate_reports_a_bad_spend_file(tmp_path, demo_project):
    from alignkit.config import load_settings
    from alignkit.prepare.validate import validate_project
    from tests.conftest import make_project

    project = make_project(tmp_path / "p", raw_from=demo_project.parent / "data" / "raw")
    project.write_text(
        project.read_text(encoding="utf-8").replace("spend_file: null", "spend_file: spend.csv"), encoding="utf-8"
    )
    (project.parent / "data" / "raw" / "spend.csv").write_text("month,source,cost\n2026-01,Paid,10\n", encoding="utf-8")
    problems = validate_project(load_settings(project), deep=False)
    assert [p.column for p in problems] == ["spend"]
    assert "spend.csv" in problems[0].message
