"""The probe of issue 30: each hostile input a new user may hand the kit (tests/fixtures/hostile.py), run through the
`alignkit` command as they would, with the exact outcome asserted — the message, the exit code, what was written.
Nothing goes quietly wrong: no command prints a traceback, a cut-off row is never read as data, a file that is not
text is called so, a refused `init` leaves nothing behind, and data that cannot carry an analysis gets a sentence.

The flows a user runs end to end (init, validate, run) are real subprocesses; the single commands that only refuse
or note are called in-process through `alignkit.cli.main` (the same code, without an interpreter start each: the
module stays within a minute on two cores). A run executes only notebook 01 of one project holding every hostile
input a run can survive, and notebooks 01 and 04 of the one-value outcome."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from alignkit.cli import main
from alignkit.config import write_salt
from tests.fixtures import hostile

REPO = Path(__file__).resolve().parents[1]


def alignkit(*args: str, cwd: Path) -> tuple[int, str]:
    """Return the exit code and the output (stdout then stderr) of `python -m alignkit.cli ARGS` run in `cwd`."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "alignkit.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    return done.returncode, output


def in_process(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str]:
    """Return the exit code and output of `alignkit ARGS` called in this process (any exception fails the test)."""
    code = main(list(args))
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "Traceback" not in output, output
    return code, output


def one_line(text: str) -> str:
    return " ".join(text.split())


def nothing_written(parent: Path) -> bool:
    """Return whether a refused `alignkit init proj` left nothing in `parent`: no project, no draft folder."""
    return sorted(p.name for p in parent.iterdir()) == ["in"]


# --- files that are not exports, or hold no rows: init refuses them and writes nothing ---------------------------


@pytest.mark.parametrize(
    ("case", "said"),
    [
        (
            "random_bytes",
            "is not a text export: it looks like binary data (13 NUL byte(s) and 11% control bytes in its "
            "first 4,096 bytes).",
        ),
        ("pdf", "is not a text export: it looks like a PDF document."),
        ("png", "is not a text export: it looks like a PNG image."),
        ("parquet", "is not a text export: it looks like a Parquet data file."),
        ("sqlite", "is not a text export: it looks like an SQLite database."),
        ("gzip_binary", "holds no text inside a gzip-compressed file: its content looks like binary data"),
        ("empty", "is empty (0 bytes)."),
        ("header_only", "has a header but no data rows."),
        ("zip_of_two", "holds 2 files (leads.csv, notes.txt); one export file is expected."),
    ],
)
def test_init_refuses_what_is_no_export_and_writes_nothing(tmp_path, capsys, case, said):
    hostile.CASES[case](tmp_path / "in")
    code, output = in_process(capsys, "init", str(tmp_path / "proj"), "--from", str(tmp_path / "in"))
    assert code == 2
    assert said in one_line(output)
    assert "encoding" not in output  # no advice to decode what is not text
    assert "alignkit.yml" not in output  # nor a key of a project file that was never written
    assert output.rstrip().endswith("Nothing was written.")
    assert nothing_written(tmp_path)


def test_a_refused_encoding_names_the_init_option_and_the_retry_works(tmp_path):
    hostile.mixed_encoding(tmp_path / "in")
    code, output = alignkit("init", "proj", "--from", "in", cwd=tmp_path)
    assert code == 2
    assert "mixes UTF-8 text with another encoding: byte offset 2219 (line 62)" in output
    assert "Fix: run `alignkit init proj --from in --encoding cp1252` (it decodes the file)" in output
    assert "alignkit.yml" not in output  # no key of a project file that was never written
    assert nothing_written(tmp_path)
    code, output = alignkit("init", "proj", "--from", "in", "--encoding", "cp1252", cwd=tmp_path)
    assert code == 0, output  # not "already exists; use --force"
    assert 'encoding: "cp1252"' in (tmp_path / "proj" / "alignkit.yml").read_text(encoding="utf-8")


# --- a file cut off inside its last record --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "rows", "why"),
    [
        ("truncated", 119, "(line 121, data row 120) ends without a line end after 4 of the header's 6 fields"),
        ("unterminated_quote", 120, "(line 122, data row 121) ends inside a quoted value that is never closed"),
        ("cut_character", 120, "(line 122, data row 121) ends in the middle of a character"),
    ],
)
def test_init_says_a_file_is_cut_off_and_leaves_the_row_out(tmp_path, capsys, case, rows, why):
    hostile.CASES[case](tmp_path / "in")
    code, output = in_process(capsys, "init", str(tmp_path / "proj"), "--from", str(tmp_path / "in"))
    assert code == 0, output
    assert f"read leads.csv: contacts ({rows} rows)" in output
    assert f"note: leads.csv looks cut off: its last record {why}" in one_line(output)
    assert "that incomplete row was left out, not read as data" in output


# --- broken project files --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "code", "said"),
    [
        ("misspelt_key", 2, "crm.contacts.atributes: unknown key. Allowed here: file,"),
        (
            "missing_column",
            1,
            "has no column 'Lead Source' (mapped from crm.contacts.columns.source in alignkit.yml). "
            "Close matches: 'Source'.",
        ),
        ("broken_yaml", 2, "not valid YAML"),
    ],
)
def test_a_broken_project_file_is_named_with_its_fix(tmp_path, capsys, case, code, said):
    hostile.CASES[case](tmp_path / "in")
    (tmp_path / "proj").mkdir()
    project = tmp_path / "proj" / "alignkit.yml"
    project.write_text(hostile.PROJECTS[case], encoding="utf-8")
    exit_code, output = in_process(capsys, "validate", "--project", str(project))
    assert exit_code == code
    assert said in one_line(output)
    if case == "misspelt_key":
        assert "Did you mean 'attributes'?" in output
    if case == "broken_yaml":
        assert "line 7, column" in output


# --- data that cannot carry an analysis: a sentence at validate, not a crash -----------------------------------


def hand_project(tmp_path: Path, case: str) -> Path:
    """Return a project file written by hand for a case the draft leaves unmapped (a one-value outcome), with the
    salt `alignkit init` would have written."""
    hostile.CASES[case](tmp_path / "in")
    (tmp_path / "proj").mkdir()
    write_salt(tmp_path / "proj")
    project = tmp_path / "proj" / "alignkit.yml"
    project.write_text(hostile.PROJECTS[case], encoding="utf-8")
    return project


def test_one_lead_is_too_few_rows_to_analyse(tmp_path, capsys):
    code, output = in_process(capsys, "validate", "--project", str(hand_project(tmp_path, "one_row")))
    assert code == 0
    assert (
        "note: 04 The ideal lead will be skipped by `alignkit run`: too few rows to analyse: the CRM holds 1 lead(s)"
    ) in output
    assert "left out of every analysis" not in output  # every column of one row is constant: not said 5 times


def test_no_converted_lead_is_said_before_the_run(tmp_path, capsys):
    code, output = in_process(capsys, "validate", "--project", str(hand_project(tmp_path, "none_converted")))
    assert code == 0
    assert (
        "04 The ideal lead will be skipped by `alignkit run`: every one of the 120 leads has the same outcome "
        "(0 converted)"
    ) in output


def test_blank_and_one_value_columns_and_groups_of_one_are_said(tmp_path, capsys):
    code, output = in_process(capsys, "validate", "--project", str(hand_project(tmp_path, "degenerate_columns")))
    assert code == 0
    text = one_line(output)
    assert "column 'Employees' is left out of every analysis — blank on every row: holds nothing to analyse." in text
    assert "column 'Country' is left out of every analysis — same value on every row" in text
    assert (
        "column 'source' has 1 value(s) held by fewer than privacy.min_group_size (10) leads: 'Fax' (1 lead) — "
        "their figures are blanked in the reports, and a group of one lead says nothing about other leads."
    ) in text


def test_a_one_value_outcome_is_skipped_by_the_run_with_its_reason(tmp_path):
    project = hand_project(tmp_path, "all_converted")
    code, output = alignkit("validate", cwd=project.parent)
    reason = (
        "every one of the 120 leads has the same outcome (120 converted): there is nothing to compare; check "
        "outcome.converted_values (or funnel.converted_stage) in alignkit.yml."
    )
    assert code == 0
    assert f"note: 04 The ideal lead will be skipped by `alignkit run`: {reason}" in output
    code, output = alignkit("run", "--only", "01,04", cwd=project.parent)
    assert code == 0, output
    assert f"skipped 04_converting_leads.ipynb: {reason}" in output
    assert reason in (project.parent / "reports" / "04_converting_leads.html").read_text(encoding="utf-8")


# --- one project holding every hostile input a run survives ------------------------------------------------------

KITCHEN_SINK_PROJECT = """project: probe
paths: {raw: "../in/mes exports – été"}
crm:
  format: generic
  contacts:
    file: "leads 2025.csv"
    columns: {lead_id: "Lead ID", created_at: "Created", converted: "Converted", source: "Source"}
    attributes: {employees: "Employees", revenue: "Revenue", notes: "Notes", partner_source: "Source.1"}
outcome:
  converted_values: ["yes", "y", "true"]
  not_converted_values: ["no", "n", "false"]
"""


def test_a_run_survives_every_hostile_input_and_says_what_it_did(tmp_path):
    hostile.kitchen_sink(tmp_path / "in")
    code, output = alignkit("init", "projet été", "--from", "in/mes exports – été", cwd=tmp_path)
    cut = (
        "leads 2025.csv looks cut off: its last record (line 138, data row 120) ends without a line end after 4 of "
        "the header's 9 fields; that incomplete row was left out, not read as data"
    )
    renamed = "leads 2025.csv repeats column name(s) in its header: the second 'Source' is read as 'Source.1'"
    assert code == 0, output
    assert cut in one_line(output) and renamed in output
    folder = tmp_path / "projet été"
    (folder / "alignkit.yml").write_text(KITCHEN_SINK_PROJECT, encoding="utf-8")
    code, output = alignkit("validate", cwd=folder)
    assert code == 0, output
    assert cut in one_line(output) and renamed in output
    code, output = alignkit("run", "--only", "01", cwd=folder)
    assert code == 0, output

    leads = pd.read_parquet(folder / "data" / "processed" / "leads.parquet")
    expected = hostile.lead_rows()[:-1]  # the cut-off lead is not a lead
    assert len(leads) == len(expected) == 119
    assert int(leads["converted"].sum()) == sum(r[-1] == "1" for r in expected)  # yes/no variants read
    assert leads["employees"].sort_values().tolist() == sorted(float(r[3]) for r in expected)  # no 1500 cut to 1
    revenue = sorted((1 + i % 9) * 1000 + 100 + 7 * i % 900 + (i % 10) / 10 for i in range(119))  # "1.100,0" …
    assert leads["revenue"].sort_values().tolist() == pytest.approx(revenue)  # decimal commas read
    assert sorted(leads["partner_source"].dropna().unique()) == ["Partner", "Web"]
    log = pd.read_parquet(folder / "data" / "processed" / "cleaning_log.parquet")
    read = log[log["step"] == "read_file"]
    assert read["rows_affected"].tolist() == [1, 0]
    assert cut in one_line(read["reason"].iloc[0]) and renamed in read["reason"].iloc[1]

    report = (folder / "reports" / "01_clean_survey_and_crm.html").read_text(encoding="utf-8")
    assert "looks cut off" in report
    assert hostile.SCRIPT not in report and "&lt;script&gt;alert" in report  # shown, never run
    junk = (folder / "reports" / "01_clean_survey_and_crm" / "junk_categories.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in junk and '\n"=HYPERLINK' not in junk and ",=HYPERLINK" not in junk
    executed = (folder / "reports" / "executed" / "01_clean_survey_and_crm.ipynb").read_text(encoding="utf-8")
    assert "Traceback" not in executed
    assert json.loads((folder / "data" / "processed" / "facts.json").read_text())["leads"] == 119
