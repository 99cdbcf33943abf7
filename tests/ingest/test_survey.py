"""Survey exports of each platform, written as real files, read back into typed responses and a codebook."""

from __future__ import annotations

import csv
import json

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from alignkit.errors import InputFileError, MissingColumnError
from alignkit.ingest.answers import LIKERT_SCALES
from alignkit.ingest.survey import CODEBOOK_COLUMNS, detect_survey_format, read_survey

AGREE = list(LIKERT_SCALES["agreement_5"])
SATISFIED = list(LIKERT_SCALES["satisfaction_5"])


def write_rows(path, rows, *, bom=False, delimiter=","):
    with path.open("w", newline="", encoding="utf-8") as handle:
        if bom:
            handle.write("\ufeff")
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append([None if cell == "" else cell for cell in row])
    book.save(path)
    return path


def book_row(export, column):
    return export.codebook.set_index("column").loc[column]


def values(export, column):
    return [None if pd.isna(v) else v for v in export.responses[column].tolist()]


def assert_codebook_matches(export):
    book = export.codebook
    assert tuple(book.columns) == CODEBOOK_COLUMNS
    assert book["column"].tolist() == list(export.responses.columns)
    assert set(book["kind"]) <= {"single", "multi", "likert", "numeric", "text", "meta"}
    assert all(isinstance(options, list) for options in book["options"])
    assert book["n_invalid"].dtype == "int64"
    assert export.responses.columns.is_unique


def assert_writes_parquet(export, tmp_path):
    export.codebook.to_parquet(tmp_path / "codebook.parquet")
    export.responses.to_parquet(tmp_path / "responses.parquet")
    back = pd.read_parquet(tmp_path / "codebook.parquet")
    assert [list(o) for o in back["options"]] == export.codebook["options"].tolist()


# --- Qualtrics ------------------------------------------------------------------------------------------------

QUALTRICS_IDS = [
    "StartDate",
    "EndDate",
    "Status",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "RecipientEmail",
    "Q1",
    "Q2_1",
    "Q2_2",
    "Q2_3",
    "Q3_1",
    "Q3_2",
    "Q3_3",
    "Q3_3_TEXT",
    "Q4",
    "Q5",
]
GRID = "How much do you agree? - "
CHANNELS = "Where do you look for tools? (Select all that apply) - "
QUALTRICS_TEXT = [
    "Start Date",
    "End Date",
    "Response Type",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "Recorded Date",
    "Response ID",
    "Recipient Email",
    "Which team do you work in?",
    GRID + "Price matters most",
    GRID + "Support matters - a lot",
    GRID + "We buy fast",
    CHANNELS + "Search engines",
    CHANNELS + "Webinars",
    CHANNELS + "Other",
    CHANNELS + "Other - Text",
    "How many people are in your team?",
    "What would make you switch?",
]
QUALTRICS_ROWS = [
    [
        "2025-03-04 10:00:00",
        "2025-03-04 10:05:00",
        "IP Address",
        "100",
        "300",
        "True",
        "2025-03-04 10:05:00",
        "R_1",
        "ann@example.com",
        "Marketing",
        "Agree",
        "Strongly agree",
        "Disagree",
        "Search engines",
        "",
        "",
        "",
        "12",
        "Better reporting, and faster\nsupport from the vendor",
    ],
    [
        "2025-03-04 11:00:00",
        "2025-03-04 11:02:30",
        "IP Address",
        "100",
        "150",
        "True",
        "2025-03-04 11:02:30",
        "R_2",
        "bob@example.com",
        "Sales",
        "Strongly agree",
        "Agree",
        "Neither agree nor disagree",
        "Search engines",
        "Webinars",
        "Other",
        "Podcasts",
        "1,200",
        "A price that we can justify to the finance team",
    ],
    ["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    [
        "2025-03-05 09:00:00",
        "2025-03-05 09:10:00",
        "IP Address",
        "60",
        "600",
        "False",
        "2025-03-05 09:10:00",
        "R_3",
        "cy@example.com",
        "Marketing",
        "disagree ",
        "Agree",
        "Strongly disagree",
        "",
        "Webinars",
        "",
        "",
        "7",
        "",
    ],
]


def write_qualtrics(path):
    import_ids = [json.dumps({"ImportId": f"QID{c[1:]}" if c.startswith("Q") else c.lower()}) for c in QUALTRICS_IDS]
    return write_rows(path, [QUALTRICS_IDS, QUALTRICS_TEXT, import_ids, *QUALTRICS_ROWS], bom=True)


def test_qualtrics_round_trip(tmp_path):
    path = write_qualtrics(tmp_path / "survey_qualtrics.csv")
    assert detect_survey_format(path) == "qualtrics"
    export = read_survey(path)
    assert export.source_format == "qualtrics" and export.path == path
    assert_codebook_matches(export)
    assert_writes_parquet(export, tmp_path)
    responses, kinds = export.responses, export.codebook.set_index("column")["kind"].to_dict()
    assert list(responses.columns) == [
        "respondent_id",
        "email",
        "started_at",
        "submitted_at",
        "duration_s",
        "finished",
        "status",
        "progress",
        "recorded_date",
        "is_blank_row",
        "q1",
        "q2_1",
        "q2_2",
        "q2_3",
        "q3_1",
        "q3_2",
        "q3_3",
        "q3_3_text",
        "q4",
        "q5",
    ]
    assert {c: kinds[c] for c in ("q1", "q2_1", "q2_2", "q2_3", "q3_1", "q3_3", "q3_3_text", "q4", "q5")} == {
        "q1": "single",
        "q2_1": "likert",
        "q2_2": "likert",
        "q2_3": "likert",
        "q3_1": "multi",
        "q3_3": "multi",
        "q3_3_text": "text",
        "q4": "numeric",
        "q5": "text",
    }
    assert all(kinds[c] == "meta" for c in list(responses.columns)[:10])
    # meta typing
    assert values(export, "respondent_id") == ["R_1", "R_2", None, "R_3"]
    assert responses["started_at"].dtype.kind == "M" and responses["submitted_at"][0] == pd.Timestamp(
        "2025-03-04 10:05"
    )
    assert responses["duration_s"].dtype == "Float64" and values(export, "duration_s") == [300.0, 150.0, None, 600.0]
    assert responses["finished"].dtype == "boolean" and values(export, "finished") == [True, True, None, False]
    assert values(export, "is_blank_row") == [False, False, True, False]
    # Likert grid: scale order, canonical spelling, q2_2 only shows two labels but takes its grid's scale
    for column in ("q2_1", "q2_2", "q2_3"):
        assert responses[column].dtype == pd.CategoricalDtype(AGREE, ordered=True)
        assert book_row(export, column)["options"] == AGREE and book_row(export, column)["group"] == "q2"
    assert values(export, "q2_1") == ["Agree", "Strongly agree", None, "Disagree"]
    assert book_row(export, "q2_2")["question"] == "How much do you agree?"
    assert book_row(export, "q2_2")["item"] == "Support matters - a lot"
    # split multi-select: bools, False when not chosen (also on the blank row)
    assert responses["q3_1"].dtype == bool and values(export, "q3_1") == [True, True, False, False]
    assert values(export, "q3_2") == [False, True, False, True] and values(export, "q3_3") == [
        False,
        True,
        False,
        False,
    ]
    assert book_row(export, "q3_2")["options"] == ["Webinars"] and book_row(export, "q3_2")["group"] == "q3"
    assert book_row(export, "q3_3_text")["group"] == "q3"
    # single, numeric, text
    assert isinstance(responses["q1"].dtype, pd.CategoricalDtype) and not responses["q1"].dtype.ordered
    assert book_row(export, "q1")["options"] == ["Marketing", "Sales"] and book_row(export, "q1")["group"] == "q1"
    assert responses["q4"].dtype == "Float64" and values(export, "q4") == [12.0, 1200.0, None, 7.0]
    assert responses["q5"].dtype == "str"
    assert values(export, "q5")[0] == "Better reporting, and faster\nsupport from the vendor"
    assert values(export, "q5")[2:] == [None, None]
    assert book_row(export, "q5")["source_column"] == "Q5"
    assert book_row(export, "duration_s")["source_column"] == "Duration (in seconds)"


def test_qualtrics_meta_columns_override_and_missing(tmp_path):
    path = write_qualtrics(tmp_path / "survey_qualtrics.csv")
    export = read_survey(path, meta_columns={"respondent_id": "RecipientEmail"})
    assert values(export, "respondent_id")[0] == "ann@example.com"
    assert values(export, "response_id")[0] == "R_1" and book_row(export, "response_id")["kind"] == "meta"
    with pytest.raises(MissingColumnError) as info:
        read_survey(path, meta_columns={"email": "RecipientEmial"})
    message = str(info.value)
    assert "survey_qualtrics.csv" in message and "'RecipientEmial'" in message and "'RecipientEmail'" in message
    assert "survey.columns.email" in message


# --- SurveyMonkey ---------------------------------------------------------------------------------------------

SM_ROW1 = [
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Which team are you in?",
    "How satisfied are you with:",
    "",
    "Which channels do you use?",
    "",
    "",
    "",
    "How many employees?",
    "What would you improve?",
]
SM_ROW2 = [
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "Response",
    "Support",
    "Pricing",
    "Email",
    "Webinars",
    "Events",
    "Other (please specify)",
    "Open-Ended Response",
    "Open-Ended Response",
]
SM_ROWS = [
    [
        1001,
        55,
        "03/04/2025 10:00:00 AM",
        "03/04/2025 10:04:10 AM",
        "1.2.3.4",
        "ann@example.com",
        "Ann",
        "Lee",
        "Marketing",
        "Very satisfied",
        "Satisfied",
        "Email",
        "",
        "",
        "",
        "250",
        "Nothing much",
    ],
    [
        1002,
        55,
        "03/04/2025 01:00:00 PM",
        "03/04/2025 01:01:00 PM",
        "1.2.3.5",
        "bob@example.com",
        "Bob",
        "Ng",
        "Sales",
        "Dissatisfied",
        "Very dissatisfied",
        "Email",
        "Webinars",
        "",
        "Podcasts",
        "40",
        "Cheaper plans",
    ],
    ["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    [
        1003,
        56,
        "03/05/2025 09:00:00 AM",
        "03/05/2025 09:30:00 AM",
        "1.2.3.6",
        "cy@example.com",
        "Cy",
        "Oz",
        "Sales",
        "Neither satisfied nor dissatisfied",
        "",
        "",
        "Webinars",
        "",
        "",
        "1,000",
        "",
    ],
]


def check_surveymonkey(export):
    assert export.source_format == "surveymonkey"
    assert_codebook_matches(export)
    responses, kinds = export.responses, export.codebook.set_index("column")["kind"].to_dict()
    assert list(responses.columns) == [
        "respondent_id",
        "email",
        "first_name",
        "last_name",
        "started_at",
        "submitted_at",
        "duration_s",
        "collector_id",
        "ip_address",
        "is_blank_row",
        "q1",
        "q2_1",
        "q2_2",
        "q3_1",
        "q3_2",
        "q3_3",
        "q3_4",
        "q4",
        "q5",
    ]
    assert {c: kinds[c] for c in list(responses.columns)[10:]} == {
        "q1": "single",
        "q2_1": "likert",
        "q2_2": "likert",
        "q3_1": "multi",
        "q3_2": "multi",
        "q3_3": "multi",
        "q3_4": "text",
        "q4": "numeric",
        "q5": "text",
    }
    assert values(export, "respondent_id") == ["1001", "1002", None, "1003"]
    assert values(export, "started_at")[1] == pd.Timestamp("2025-03-04 13:00:00")
    assert values(export, "duration_s") == [250.0, 60.0, None, 1800.0]
    assert values(export, "is_blank_row") == [False, False, True, False]
    for column in ("q2_1", "q2_2"):
        assert responses[column].dtype == pd.CategoricalDtype(SATISFIED, ordered=True)
    assert values(export, "q2_1") == ["Very satisfied", "Dissatisfied", None, "Neither satisfied nor dissatisfied"]
    assert book_row(export, "q2_2")["item"] == "Pricing" and book_row(export, "q2_2")["group"] == "q2"
    assert book_row(export, "q2_2")["question"] == "How satisfied are you with:"
    assert values(export, "q3_1") == [True, True, False, False] and values(export, "q3_2") == [False, True, False, True]
    assert values(export, "q3_3") == [False, False, False, False] and book_row(export, "q3_3")["options"] == ["Events"]
    assert values(export, "q3_4") == [None, "Podcasts", None, None]
    assert book_row(export, "q3_4")["source_column"] == "Which channels do you use? | Other (please specify)"
    assert values(export, "q4") == [250.0, 40.0, None, 1000.0]
    assert book_row(export, "q1")["options"] == ["Sales", "Marketing"]
    assert values(export, "q5") == ["Nothing much", "Cheaper plans", None, None]


def test_surveymonkey_csv_round_trip(tmp_path):
    path = write_rows(tmp_path / "monkey.csv", [SM_ROW1, SM_ROW2, *SM_ROWS])
    assert detect_survey_format(path) == "surveymonkey"
    check_surveymonkey(read_survey(path))
    assert_writes_parquet(read_survey(path), tmp_path)


def test_surveymonkey_xlsx_round_trip(tmp_path):
    path = write_xlsx(tmp_path / "monkey.xlsx", [SM_ROW1, SM_ROW2, *SM_ROWS])
    assert detect_survey_format(path) == "surveymonkey"
    check_surveymonkey(read_survey(path))


# --- Google Forms ---------------------------------------------------------------------------------------------

GOOGLE_ROWS = [
    [
        "Timestamp",
        "Email address",
        "Which role?",
        "Which tools do you use?",
        "Rate these [Price]",
        "Rate these [Support]",
        "Rate these [Speed]",
        "Anything else?",
    ],
    [
        "3/4/2025 10:22:01",
        "ann@example.com",
        "Marketing",
        "Slack, Email",
        "Agree",
        "Agree",
        "Disagree",
        "Everything works, but the export could be faster",
    ],
    [
        "3/14/2025 8:05:00",
        "bob@example.com",
        "Sales",
        "Email",
        "Strongly agree",
        "Disagree",
        "Agree",
        "More integrations with the tools we already use",
    ],
    ["", "", "", "", "", "", "", ""],
    [
        "3/15/2025 9:00:00",
        "cy@example.com",
        "Sales",
        "Slack, Email, Zoom",
        "Disagree",
        "Agree",
        "Agree",
        "Please add a dark mode, my eyes will thank you",
    ],
    ["3/16/2025 9:00:00", "di@example.com", "Marketing", "Zoom", "Neither agree nor disagree", "", "Agree", ""],
]


def test_google_forms_round_trip(tmp_path):
    path = write_rows(tmp_path / "google.csv", GOOGLE_ROWS)
    assert detect_survey_format(path) == "google_forms"
    export = read_survey(path)
    assert export.source_format == "google_forms"
    assert_codebook_matches(export)
    assert_writes_parquet(export, tmp_path)
    responses, kinds = export.responses, export.codebook.set_index("column")["kind"].to_dict()
    assert list(responses.columns) == [
        "respondent_id",
        "email",
        "submitted_at",
        "is_blank_row",
        "q1",
        "q2_1",
        "q2_2",
        "q2_3",
        "q3_1",
        "q3_2",
        "q3_3",
        "q4",
    ]
    assert {c: kinds[c] for c in list(responses.columns)[4:]} == {
        "q1": "single",
        "q2_1": "multi",
        "q2_2": "multi",
        "q2_3": "multi",
        "q3_1": "likert",
        "q3_2": "likert",
        "q3_3": "likert",
        "q4": "text",
    }
    assert values(export, "respondent_id") == ["R0001", "R0002", "R0003", "R0004", "R0005"]
    assert "Generated" in book_row(export, "respondent_id")["question"]
    assert values(export, "submitted_at")[:2] == [pd.Timestamp("2025-03-04 10:22:01"), pd.Timestamp("2025-03-14 08:05")]
    assert values(export, "is_blank_row") == [False, False, True, False, False]
    # checkbox options by frequency then name; one bool column each
    assert [book_row(export, c)["options"] for c in ("q2_1", "q2_2", "q2_3")] == [["Email"], ["Slack"], ["Zoom"]]
    assert values(export, "q2_1") == [True, True, False, True, False]
    assert values(export, "q2_3") == [False, False, False, True, True]
    assert book_row(export, "q2_1")["group"] == "q2" and book_row(export, "q2_1")["item"] == "Email"
    # grid rows: each its own Likert column in scale order
    for column, item in (("q3_1", "Price"), ("q3_2", "Support"), ("q3_3", "Speed")):
        assert responses[column].dtype == pd.CategoricalDtype(AGREE, ordered=True)
        assert book_row(export, column)["item"] == item and book_row(export, column)["question"] == "Rate these"
    assert values(export, "q3_1") == ["Agree", "Strongly agree", None, "Disagree", "Neither agree nor disagree"]
    assert values(export, "q3_2") == ["Agree", "Disagree", None, "Agree", None]
    assert (
        responses["q4"].dtype == "str" and values(export, "q4")[3] == "Please add a dark mode, my eyes will thank you"
    )


def test_google_forms_commas_in_open_text_are_not_split(tmp_path):
    rows = [["Timestamp", "Why?"]] + [
        [f"3/{d}/2025 10:00:00", text]
        for d, text in enumerate(
            ["Well, it depends", "Fast, cheap, good", "Yes, definitely", "Honestly, no idea"], start=1
        )
    ]
    export = read_survey(write_rows(tmp_path / "google.csv", rows))
    assert list(export.responses.columns) == ["respondent_id", "submitted_at", "is_blank_row", "q1"]
    assert values(export, "q1")[2] == "Yes, definitely"


# --- plain CSV / XLSX -----------------------------------------------------------------------------------------

PLAIN_ROWS = [
    ["respondent_id", "Team", "How often do you use reports?", "Employees", "Comment"],
    ["a1", "Marketing", "Often", "12", "The dashboards are great but exports are slow"],
    ["a2", "Sales", "never", "1,500", "We would like a mobile app for the field team"],
    ["", "", "", "", ""],
    ["a3", "Sales", "Sometimes", "7.5", "Pricing is confusing for small teams like ours"],
]


def check_plain(export, *, generated_ids):
    assert export.source_format == "plain"
    assert_codebook_matches(export)
    kinds = export.codebook.set_index("column")["kind"].to_dict()
    assert list(export.responses.columns)[-4:] == ["team", "how_often_do_you_use_reports", "employees", "comment"]
    assert [kinds[c] for c in list(export.responses.columns)[-4:]] == ["single", "likert", "numeric", "text"]
    assert export.responses["how_often_do_you_use_reports"].dtype == pd.CategoricalDtype(
        list(LIKERT_SCALES["frequency_5"]), ordered=True
    )
    assert values(export, "how_often_do_you_use_reports") == ["Often", "Never", None, "Sometimes"]
    assert values(export, "employees") == [12.0, 1500.0, None, 7.5]
    assert values(export, "is_blank_row") == [False, False, True, False]
    assert book_row(export, "team")["source_column"] == "Team"
    if generated_ids:
        assert values(export, "respondent_id") == ["R0001", "R0002", "R0003", "R0004"]
    else:
        assert values(export, "respondent_id") == ["a1", "a2", None, "a3"]


def test_plain_csv_round_trip(tmp_path):
    path = write_rows(tmp_path / "plain.csv", PLAIN_ROWS)
    assert detect_survey_format(path) == "plain"
    export = read_survey(path)
    check_plain(export, generated_ids=False)
    assert_writes_parquet(export, tmp_path)


def test_plain_xlsx_round_trip_without_id_column(tmp_path):
    path = write_xlsx(tmp_path / "plain.xlsx", [row[1:] for row in PLAIN_ROWS])
    assert detect_survey_format(path) == "plain"
    check_plain(read_survey(path), generated_ids=True)


def test_semicolon_file_with_auto_delimiter(tmp_path):
    path = write_rows(tmp_path / "plain_semicolon.csv", PLAIN_ROWS, delimiter=";")
    check_plain(read_survey(path, delimiter="auto"), generated_ids=False)


def test_numeric_column_counts_invalid_values(tmp_path):
    rows = [["Team size"]] + [[str(n)] for n in range(1, 21)] + [["a dozen"]]
    export = read_survey(write_rows(tmp_path / "sizes.csv", rows))
    assert book_row(export, "team_size")["kind"] == "numeric" and book_row(export, "team_size")["n_invalid"] == 1
    assert values(export, "team_size")[-2:] == [20.0, None]
    rows = [["Team size"]] + [[str(n)] for n in range(1, 19)] + [["a dozen"], ["two"]]
    assert book_row(read_survey(write_rows(tmp_path / "sizes2.csv", rows)), "team_size")["kind"] == "single"


def test_plain_split_multi_unparseable_dates_and_platform_meta(tmp_path):
    rows = [
        ["submitted_at", "Status", "Q6_1", "Q6_2", "Q6_3", "Q7_1", "Q7_2"],
        ["2025-03-04 10:00:00", "Employed", "1", "", "", "5", "3"],
        ["not a date", "Student", "1", "1", "", "4", "4"],
        ["2025-03-06 12:00:00", "Employed", "", "1", "", "2", "1"],
    ]
    export = read_survey(write_rows(tmp_path / "plain.csv", rows))
    assert values(export, "submitted_at") == [pd.Timestamp("2025-03-04 10:00"), None, pd.Timestamp("2025-03-06 12:00")]
    assert book_row(export, "submitted_at")["n_invalid"] == 1
    assert book_row(export, "status")["kind"] == "single"  # platform metadata only for Qualtrics/SM
    assert [book_row(export, c)["kind"] for c in ("q6_1", "q6_2", "q6_3", "q7_1", "q7_2")] == ["multi"] * 3 + [
        "numeric"
    ] * 2
    assert values(export, "q6_2") == [False, True, True] and values(export, "q6_3") == [False, False, False]
    assert book_row(export, "q6_3")["group"] == "q6" and book_row(export, "q7_1")["group"] == "q7"


# --- SPSS -----------------------------------------------------------------------------------------------------


def test_spss_round_trip(tmp_path):
    path = tmp_path / "survey.sav"
    frame = pd.DataFrame(
        {
            "ResponseId": ["R_1", "R_2", "", "R_3"],
            "q1": [4.0, 5.0, None, 1.0],
            "q2": [3.0, 1.0, None, 2.0],
            "q3": [1.0, 2.0, None, 2.0],
            "q4_1": [1.0, None, None, 1.0],
            "q4_2": [None, 1.0, None, None],
            "age": [34.0, 51.0, None, 29.0],
            "comment": ["Too pricey", "Good", "", "Good"],
        }
    )
    pyreadstat.write_sav(
        frame,
        path,
        column_labels={
            "ResponseId": "Response ID",
            "q1": "I trust the vendor",
            "q2": "Budget level",
            "q3": "Region",
            "q4_1": "Channels - Email",
            "q4_2": "Channels - Events",
            "age": "Age",
            "comment": "Any comment?",
        },
        variable_value_labels={
            "q1": dict(zip([1.0, 2.0, 3.0, 4.0, 5.0], AGREE)),
            "q2": {1.0: "Low", 2.0: "Medium", 3.0: "High"},
            "q3": {1.0: "North", 2.0: "South"},
            "q4_1": {1.0: "Email"},
            "q4_2": {1.0: "Events"},
        },
        variable_measure={"q1": "nominal", "q2": "ordinal", "q3": "nominal", "age": "scale"},
    )
    assert detect_survey_format(path) == "spss"
    export = read_survey(path)
    assert export.source_format == "spss"
    assert_codebook_matches(export)
    assert_writes_parquet(export, tmp_path)
    kinds = export.codebook.set_index("column")["kind"].to_dict()
    assert {c: kinds[c] for c in ("q1", "q2", "q3", "q4_1", "q4_2", "age", "comment")} == {
        "q1": "likert",
        "q2": "likert",
        "q3": "single",
        "q4_1": "multi",
        "q4_2": "multi",
        "age": "numeric",
        "comment": "single",
    }
    responses = export.responses
    assert values(export, "respondent_id") == ["R_1", "R_2", None, "R_3"]
    assert responses["q1"].dtype == pd.CategoricalDtype(AGREE, ordered=True)
    assert values(export, "q1") == ["Agree", "Strongly agree", None, "Strongly disagree"]
    assert responses["q2"].dtype == pd.CategoricalDtype(["Low", "Medium", "High"], ordered=True)  # code order
    assert values(export, "q2") == ["High", "Low", None, "Medium"]
    assert responses["q3"].dtype == pd.CategoricalDtype(["North", "South"], ordered=False)
    assert values(export, "q4_1") == [True, False, False, True] and values(export, "q4_2") == [
        False,
        True,
        False,
        False,
    ]
    assert book_row(export, "q4_2")["item"] == "Events" and book_row(export, "q4_2")["group"] == "q4"
    assert book_row(export, "q1")["question"] == "I trust the vendor"
    assert responses["age"].dtype == "Float64" and values(export, "age") == [34.0, 51.0, None, 29.0]
    assert values(export, "is_blank_row") == [False, False, True, False]


# --- detection and bad input ----------------------------------------------------------------------------------


def test_bad_inputs_name_the_file_and_fix(tmp_path):
    with pytest.raises(InputFileError, match=r"no_such_survey\.csv.*does not exist"):
        read_survey(tmp_path / "no_such_survey.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputFileError, match=r"empty\.csv.*is empty"):
        read_survey(tmp_path / "empty.csv")
    (tmp_path / "latin.csv").write_bytes("Name,Comment\nJosé,Très bien\n".encode("cp1252"))
    assert values(read_survey(tmp_path / "latin.csv"), "name") == ["José"]  # the encoding is sniffed
    with pytest.raises(InputFileError) as info:
        read_survey(tmp_path / "latin.csv", encoding="utf-8")
    assert "latin.csv" in str(info.value) and "`encoding: cp1252`" in str(info.value)
    write_rows(tmp_path / "headers_only.csv", [["a", "b"]])
    with pytest.raises(InputFileError, match=r"headers_only\.csv.*no responses"):
        read_survey(tmp_path / "headers_only.csv")
    with pytest.raises(InputFileError, match="format 'excel'"):
        read_survey(tmp_path / "headers_only.csv", format="excel")
    plain = write_rows(tmp_path / "plain.csv", PLAIN_ROWS)
    with pytest.raises(InputFileError, match=r"plain\.csv.*not look like a Qualtrics export"):
        read_survey(plain, format="qualtrics")
    with pytest.raises(InputFileError, match=r"plain\.csv.*SPSS"):
        read_survey(plain, format="spss")


def test_missing_meta_column_names_file_column_and_close_match(tmp_path):
    path = write_rows(tmp_path / "monkey.csv", [SM_ROW1, SM_ROW2, *SM_ROWS])
    with pytest.raises(MissingColumnError) as info:
        read_survey(path, meta_columns={"email": "E-mail Address"})
    message = str(info.value)
    assert "monkey.csv" in message and "'E-mail Address'" in message and "'Email Address'" in message


def test_forced_format_and_xlsx_qualtrics_detection(tmp_path):
    rows = [QUALTRICS_IDS, QUALTRICS_TEXT, [json.dumps({"ImportId": c}) for c in QUALTRICS_IDS], *QUALTRICS_ROWS]
    path = write_xlsx(tmp_path / "qualtrics.xlsx", rows)
    assert detect_survey_format(path) == "qualtrics"
    assert values(read_survey(path, format="qualtrics"), "q4") == [12.0, 1200.0, None, 7.0]
    google = write_rows(tmp_path / "google.csv", GOOGLE_ROWS)
    assert read_survey(google, format="plain").source_format == "plain"


def test_a_plain_survey_export_gets_its_scales_in_meaning_order(tmp_path):
    """The survey-only shape: one header row, bands, frequency words, a numbered scale with word ends, importance
    items, a 0-10 question, refusals; the codebook says what was detected."""
    from tests.fixtures.shapes import AGE_BANDS, FREQUENCY, IMPORTANCE, SATISFACTION, survey_only_export

    path = tmp_path / "customer_survey.csv"
    survey_only_export(600).to_csv(path, index=False)
    export = read_survey(path, format="plain")
    assert_codebook_matches(export)
    book = export.codebook.set_index("column")
    age = book.loc["what_is_your_age"]
    assert age["kind"] == "likert" and list(age["options"]) == [b for b in AGE_BANDS if b != "Under 18"]
    assert age["detected"].startswith("ordered scale: range") and "refusals" in age["detected"]
    assert "Prefer not to say" not in export.responses["what_is_your_age"].cat.categories
    assert list(book.at["how_often_do_you_buy_from_us", "options"]) == list(FREQUENCY)
    assert list(book.at["overall_how_satisfied_are_you_with_us", "options"]) == list(SATISFACTION)
    assert list(book.at["how_important_is_each_to_you_low_prices", "options"]) == list(IMPORTANCE)
    nps = book.loc["how_likely_are_you_to_recommend_us_to_a_friend_0_10"]
    assert nps["kind"] == "likert" and list(nps["options"]) == [str(n) for n in range(11)]
    assert export.responses["what_is_your_age"].cat.ordered
    assert_writes_parquet(export, tmp_path)


def test_scales_and_answer_aliases_from_the_project_file(tmp_path):
    path = write_rows(
        tmp_path / "plain.csv",
        [
            ["id", "Tier", "Channel"],
            ["1", "Gold", "Shop"],
            ["2", "Bronze", "shop"],
            ["3", "Silver", "Web"],
            ["4", "Platinum", "In store"],
        ],
    )
    export = read_survey(
        path,
        format="plain",
        scales={"tier": ["Bronze", "Silver", "Gold"]},
        answer_aliases={"channel": {"shop": "In store"}},
    )
    tier = book_row(export, "tier")
    assert list(tier["options"]) == ["Bronze", "Silver", "Gold"] and tier["n_invalid"] == 1
    assert values(export, "tier") == ["Gold", "Bronze", "Silver", None]
    assert values(export, "channel") == ["In store", "In store", "Web", "In store"]
    with pytest.raises(MissingColumnError, match=r"survey\.scales\.tierz"):
        read_survey(path, format="plain", scales={"tierz": ["Bronze", "Silver"]})


def test_spss_bands_measured_nominal_are_ordered_by_meaning(tmp_path):
    path = tmp_path / "bands.sav"
    frame = pd.DataFrame({"ResponseId": ["R1", "R2", "R3", "R4"], "band": [1.0, 2.0, 3.0, 4.0]})
    pyreadstat.write_sav(
        frame,
        path,
        column_labels={"ResponseId": "Response ID", "band": "Age band"},
        variable_value_labels={"band": {1.0: "65 or older", 2.0: "18-24", 3.0: "Under 18", 4.0: "25-44"}},
        variable_measure={"band": "nominal"},
    )
    export = read_survey(path)
    row = book_row(export, "band")
    assert row["kind"] == "likert" and list(row["options"]) == ["Under 18", "18-24", "25-44", "65 or older"]
    assert values(export, "band") == ["65 or older", "18-24", "Under 18", "25-44"]
