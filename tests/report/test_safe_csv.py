"""CSV twins and `alignkit score` output are safe to open in a spreadsheet (OWASP CSV injection), numbers stay
numbers; and values planted in a CRM field and a survey answer reach no report unescaped and no CSV as a formula."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from alignkit.report.safe_csv import FORMULA_STARTS, PLAIN_NUMBER, inert_frame, inert_text, write_inert_csv
from tests.conftest import PLANTED_FORMULA as FORMULA


@pytest.mark.parametrize(
    "value,written",
    [
        (FORMULA, "'" + FORMULA),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-0.25", "-0.25"),
        ("+3", "+3"),
        ("a=b", "a=b"),
        ("", ""),
        (3, 3),
    ],
)
def test_text_that_would_run_as_a_formula_is_quoted(value, written):
    assert inert_text(value) == written


def test_numbers_stay_numbers_and_the_input_is_not_mutated(tmp_path):
    frame = pd.DataFrame(
        {
            "reason": [FORMULA, "Paid Search", None],
            "score": [-0.5, 0.25, 1.0],
            "leads": [-3, 4, 5],
            "band": pd.Categorical(["@A", "B", "C"]),
            "note": pd.array(["-x", "ok", pd.NA], dtype="string"),
        }
    )
    out = inert_frame(frame)
    assert frame["reason"].iat[0] == FORMULA  # not mutated
    assert out["reason"].tolist()[:2] == ["'" + FORMULA, "Paid Search"] and pd.isna(out["reason"].iat[2])
    assert out["score"].tolist() == [-0.5, 0.25, 1.0] and out["leads"].dtype == frame["leads"].dtype
    assert out["band"].tolist() == ["'@A", "B", "C"] and out["note"].tolist()[:2] == ["'-x", "ok"]
    back = pd.read_csv(write_inert_csv(frame, tmp_path / "t.csv"))
    assert back["score"].tolist() == [-0.5, 0.25, 1.0] and back["leads"].tolist() == [-3, 4, 5]


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _live_formulas(cells: list[str]) -> list[str]:
    return [c for c in cells if c.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(c)]


@pytest.fixture(scope="module")
def scores(tmp_path_factory, demo_run) -> Path:
    """Return the CSV `alignkit score` writes for the demo run's contacts, which carry the planted traps."""
    root = tmp_path_factory.mktemp("scored")
    contacts = demo_run / "data" / "raw" / "hubspot_contacts.csv"
    scored = subprocess.run(
        [
            sys.executable,
            "-m",
            "alignkit.cli",
            "score",
            str(contacts),
            "--project",
            str(demo_run / "alignkit.yml"),
            "--out",
            str(root / "scores.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert scored.returncode == 0, scored.stderr
    return root / "scores.csv"


def test_planted_formulas_reach_every_csv_inert(demo_run, scores):
    csvs = [*sorted((demo_run / "reports").glob("*/*.csv")), scores]
    cells = {path: _cells(path) for path in csvs}
    assert not {f"{p.parent.name}/{p.name}": _live_formulas(c) for p, c in cells.items() if _live_formulas(c)}
    reached = [p for p, c in cells.items() if any(cell.startswith("'" + FORMULA[:10]) for cell in c)]
    # it reaches them from both sides (else this test proves nothing): the CRM field (conversion by industry) and
    # the survey answer (persona profiles)
    assert {"04_converting_leads", "03_persona_segments"} <= {p.parent.name for p in reached}, reached
    assert pd.api.types.is_float_dtype(pd.read_csv(scores)["score"])  # numbers stay numbers


def test_planted_html_is_escaped_in_every_report(demo_run):
    pages = {p.name: p.read_text(encoding="utf-8") for p in (demo_run / "reports").glob("*.html")}
    assert len(pages) == 5
    for name, html in pages.items():
        assert "<script" not in html.lower() and "<img src=x" not in html.lower(), name
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in html for html in pages.values())
    assert any("&lt;img src=x onerror=alert(1)&gt;" in html for html in pages.values())
