"""What each export is, read from its bytes, header and values: survey responses (and the platform that wrote
them), the CRM's contacts, leads or customers, deals or opportunities, activities or touches, a lookup table,
marketing spend, or a membership table — the ids of a subset of another table's rows (the closed deals of a list of
MQLs, the customers among leads), which becomes that table's outcome.

`read_for_draft` reads a file once and decides every column's meaning (`alignkit.meaning.columns`); `assign_kinds`
decides the kinds of a set of files together, because a lookup, an activity log or a membership table is only
recognisable beside the table it joins onto. A wide table of answer-like columns (ordered scales, multi-selects,
few-valued questions) is a survey even without an id, a timestamp or question-like headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from alignkit.errors import InputFileError
from alignkit.ingest.damage import read_notes
from alignkit.ingest.files import read_export, to_snake_case
from alignkit.ingest.sniff import detect_container, sniff_delimiter, sniff_encoding, text_sample
from alignkit.ingest.survey import detect_survey_format
from alignkit.ingest.tokens import PLACEHOLDER_TOKENS, missing_mask, token_set
from alignkit.meaning.columns import ColumnMeaning, column_role, decide_column
from alignkit.meaning.words import QUESTION_CODE, SURVEY_META, SURVEY_META_COMMON
from alignkit.text import fold_key

KINDS = ("survey", "contacts", "deals", "touches", "lookup", "spend", "membership")
READABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".gz", ".zip", ".ods", ".xlsx", ".xlsm", ".xls", ".sav", ".zsav")
QUESTION_SHARE = 0.3  # a plain table is a survey when this share of its headers read as questions
QUESTION_MIN_LENGTH = 40  # a header this long (or holding '?') reads as a question
LOOKUP_MIN_SHARE = 0.5  # a small table is a lookup when one of its unique columns holds this share of a
# column of the main table's distinct values
ANSWER_MIN_COLUMNS = 8  # a table of answers has at least this many columns …
ANSWER_SHARE = 0.6  # … of which this share are answer-like (scales, multi-selects, few-valued choices) …
SCALE_SHARE = 0.3  # … or this share are ordered scales or multi-selects
ANSWER_MAX_LEVELS = 12
MIN_ROWS = 2  # one row is no table to analyse
MEMBERSHIP_MIN_SHARE = 0.95  # a table is a membership of another when this share of its unique keys are that one's ids
_PLACEHOLDERS = token_set(PLACEHOLDER_TOKENS)


@dataclass(frozen=True)
class ExportFile:
    """One export read for drafting: its text values (form placeholders as missing), what it is and why."""

    path: Path
    frame: pd.DataFrame
    kind: str = ""
    survey_format: str | None = None
    encoding: str = "auto"
    delimiter: str | None = None
    reason: str = ""
    placeholders: int = 0  # cells read as missing because they held a form placeholder ("Select")
    format_note: str = ""  # why the survey format differs from detect_survey_format's answer
    meanings: dict[str, ColumnMeaning] = field(default_factory=dict)  # every column's decided meaning
    member_of: str = ""  # a membership table: the contacts' column whose ids it lists; a deals or touches
    # table: its own column holding the contacts' ids
    member_key: str = ""  # … and its own column holding them
    given: bool = False  # encoding and delimiter given on the command line (`alignkit init --encoding`)
    notes: tuple[str, ...] = ()  # how it was read, for the user: a cut-off last row left out, repeated names


def export_paths(sources: list[Path]) -> list[Path]:
    """Return the export files named by `sources` (files, or folders whose readable files are all taken), sorted."""
    out: list[Path] = []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            out.extend(sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in READABLE_SUFFIXES))
        else:
            out.append(source)
    if not out:
        raise InputFileError(
            Path(sources[0]) if sources else Path("."),
            "holds no export (.csv, .tsv, .txt, .xlsx, .sav).",
            fix="name the export files, or the folder holding them, after --from",
        )
    return out


def text_format(path: Path) -> tuple[str, str | None]:
    """Return (encoding, delimiter) sniffed on the first bytes of delimited text (plain, gzip or a ZIP's one file),
    the way the readers decide them; ('auto', None) for a workbook or SPSS file, which carry their own encoding."""
    container = detect_container(path)
    if container not in ("text", "gzip", "zip"):
        return "auto", None
    sample = text_sample(path, container)
    encoding = sniff_encoding(sample)
    return encoding, sniff_delimiter(sample.decode(encoding, errors="ignore"), suffix=path.suffix.lower())


def read_for_draft(path: Path, *, encoding: str = "auto", delimiter: str = "auto") -> ExportFile:
    """Return the export read as text (blank rows dropped, form placeholders as missing, counted), with its
    encoding, delimiter (sniffed unless given) and, for a survey platform's export, the format. Raises
    InputFileError for a table with a header but no data rows."""
    path = Path(path)
    survey_format = detect_survey_format(path, encoding=encoding, delimiter=delimiter)
    if survey_format == "spss":
        import pyreadstat

        frame, _ = pyreadstat.read_sav(str(path))
        frame = frame.astype("str").where(frame.notna())
        return ExportFile(path, frame, survey_format="spss", meanings=_meanings(frame))
    note = ""
    if survey_format == "surveymonkey":
        header, rows = read_export(path, encoding=encoding, delimiter=delimiter)
        if "Respondent ID" in header[0] and len(rows) and pd.notna(rows["Respondent ID"].iloc[0]):
            # SurveyMonkey's second header row leaves the Respondent ID cell blank; here row 2 is a response
            survey_format, note = (
                "plain",
                (
                    "a 'Respondent ID' header reads as SurveyMonkey, but row 2 holds a "
                    "response, not SurveyMonkey's second header row: plain"
                ),
            )
    header_rows = {"qualtrics": 3, "surveymonkey": 2}.get(survey_format, 1)
    _, frame = read_export(path, header_rows=header_rows, encoding=encoding, delimiter=delimiter)
    notes = [note for _, note in read_notes(path, frame)]
    frame = frame.dropna(how="all").reset_index(drop=True)
    if frame.empty:
        raise InputFileError(
            path,
            "has a header but no data rows" + (" (every row is blank)." if notes else "."),
            fix="export the data again with its rows",
        )
    if len(frame) < MIN_ROWS:
        notes.append(f"{path.name} has {len(frame)} data row: too few rows to analyse")
    placeholders = 0
    for column in frame.columns:
        mask = missing_mask(frame[column], _PLACEHOLDERS)
        placeholders += int(mask.sum())
        frame[column] = frame[column].mask(mask)
    sniffed_encoding, sniffed_delimiter = text_format(path)
    is_text = sniffed_delimiter is not None
    return ExportFile(
        path,
        frame,
        survey_format=survey_format,
        encoding=encoding if encoding != "auto" and is_text else sniffed_encoding,
        delimiter=delimiter if delimiter != "auto" and is_text else sniffed_delimiter,
        placeholders=placeholders,
        format_note=note,
        meanings=_meanings(frame),
        given=encoding != "auto" or delimiter != "auto",
        notes=tuple(notes),
    )


def _meanings(frame: pd.DataFrame) -> dict[str, ColumnMeaning]:
    return {str(c): decide_column(str(c), frame[c]) for c in frame.columns}


def answers_evidence(meanings: dict[str, ColumnMeaning]) -> str:
    """Return why a table's columns read as survey answers ('' when they do not): two of a survey platform's meta
    columns (ResponseId, StartDate, Finished, Timestamp …), many coded question headers (q1, Q0004_0001), many
    ordered scales or multi-selects, or a wide table of few-valued answers; never with an outcome column."""
    roles = [m.role for m in meanings.values() if m.role not in ("constant", "id", "date", "free text")]
    if len(meanings) < ANSWER_MIN_COLUMNS or not roles or any(m.role == "outcome" for m in meanings.values()):
        return ""
    snake = [to_snake_case(c) for c in meanings]
    meta = sorted(set(snake) & SURVEY_META)
    meta += sorted(set(snake) & SURVEY_META_COMMON) if meta else []
    if len(meta) >= 2:
        return f"a survey platform's meta columns ({', '.join(meta[:4])})"
    coded = sum(bool(QUESTION_CODE.match(c)) for c in snake)
    if coded >= QUESTION_SHARE * len(snake):
        return f"{coded} of {len(snake)} headers are coded questions (q1, Q0004_0001 …)"
    scales = sum(r in ("ordered scale", "multi-select") for r in roles)
    answers = scales + sum(
        m.role in ("yes/no", "category") and len(m.levels) <= ANSWER_MAX_LEVELS for m in meanings.values()
    )
    if scales / len(meanings) >= SCALE_SHARE:
        return f"{scales} of {len(meanings)} columns are answer scales or multi-selects"
    if answers / len(meanings) >= ANSWER_SHARE and scales:
        return (
            f"{answers} of {len(meanings)} columns are answers (scales, multi-selects or choices of at most "
            f"{ANSWER_MAX_LEVELS} values), {scales} of them scales"
        )
    return ""


def looks_like_survey(columns: list[str]) -> bool:
    """Return whether a plain table's headers read as survey questions (QUESTION_SHARE of them end in '?' or are
    long)."""
    questions = [c for c in columns if "?" in c or len(c) >= QUESTION_MIN_LENGTH]
    return len(columns) > 0 and len(questions) / len(columns) >= QUESTION_SHARE


def looks_like_spend(columns: list[str]) -> bool:
    """Return whether the header is that of marketing spend: a month or date, and a spend or cost column."""
    names = {to_snake_case(c) for c in columns}
    return bool(names & {"month", "date", "period"}) and bool(names & {"spend", "cost", "amount_spent"})


def folded_keys(values: pd.Series) -> frozenset[str]:
    """Return a column's distinct non-blank values folded for case, spaces and punctuation (as crm.lookups joins)."""
    return frozenset(fold_key(v) for v in values.dropna().unique())


def key_share(keys: pd.Series, values: pd.Series) -> float:
    """Return the share of `values`' distinct non-blank values found among `keys` once both are folded."""
    return _share(folded_keys(keys), folded_keys(values))


def _share(have: frozenset[str], wanted: frozenset[str]) -> float:
    return len(wanted & have) / len(wanted) if wanted else 0.0


class _Keys:
    """Folded key sets of the files' columns, each computed once."""

    def __init__(self) -> None:
        self._sets: dict[tuple[Path, str], frozenset[str]] = {}

    def __call__(self, export: ExportFile, column: str) -> frozenset[str]:
        if (export.path, column) not in self._sets:
            self._sets[(export.path, column)] = folded_keys(export.frame[column])
        return self._sets[(export.path, column)]


def _same_thing(one: str, other: str) -> bool:
    """Return whether two column names name the same thing ('account' and 'Account', 'ACCOUNTID' and 'account_id')."""
    words = _singular_words(_reference_stem(one) or to_snake_case(one))
    return bool(words & _singular_words(_reference_stem(other) or to_snake_case(other)))


def _joins_main(small: ExportFile, main: ExportFile, keys: _Keys) -> bool:
    """Return whether a unique column of `small` holds LOOKUP_MIN_SHARE of a column of `main`'s values (a lookup);
    whole-number keys, which tables share by chance, must also be named alike."""
    for key in small.frame.columns:
        if small.frame[key].notna().all() and small.frame[key].is_unique:
            numeric = all(k.isdigit() for k in keys(small, key))
            if any(
                _share(keys(small, key), keys(main, c)) >= LOOKUP_MIN_SHARE
                for c in main.frame.columns
                if not numeric or _same_thing(str(key), str(c))
            ):
                return True
    return False


def _is_id(values: pd.Series, name: str) -> bool:
    return column_role(values, name) == "id" or (
        values.notna().all() and values.is_unique and "id" in to_snake_case(name).split("_")
    )


REFERENCE_NAME = re.compile(r"^(.*?)_?(?:id|ids|key|number|no)$")
NOT_NAMES = frozenset({"", "associated", "related", "parent", "primary", "record"})


def _reference_stem(column: str) -> str | None:
    """Return what a column named like a reference to another table's ids names ('lead' of 'LEADID' or
    'lead_id', 'associated_contact' of 'Associated Contact ID'), '' for a bare 'id', or None."""
    match = REFERENCE_NAME.match(to_snake_case(column))
    return match.group(1) if match else None


def _singular_words(text: str) -> set[str]:
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in text.split("_")} - NOT_NAMES


def _refers_to(column: str, other: ExportFile, ids: list[str]) -> bool:
    """Return whether a reference column's name names `other`: its file ('Leads.csv' for 'LEADID') or one of its id
    columns ('Record ID' for 'Associated Record ID')."""
    stem = _reference_stem(column) or ""
    names = _singular_words(to_snake_case(other.path.stem))
    for id_column in ids:
        names |= _singular_words(_reference_stem(id_column) or to_snake_case(id_column))
    return bool(_singular_words(stem) & names)


def _parent(table: ExportFile, others: list[ExportFile], keys: _Keys) -> ExportFile | None:
    """Return the table whose id column (unique per row) holds most of an id-named column of `table`'s
    values — the contacts a deal or an activity belongs to — else None. Where the keys are whole numbers, which
    tables share by chance (1001 is an account, an owner and a lead), the column must also name that table."""
    found = _parent_and_key(table, others, keys)
    return found[0] if found else None


def _parent_and_key(table: ExportFile, others: list[ExportFile], keys: _Keys) -> tuple[ExportFile, str] | None:
    """Return (parent table, `table`'s column holding its ids) as `_parent` decides it, or None."""
    for other in others:
        ids = [c for c in other.frame.columns if _is_id(other.frame[c], str(c))]
        for i, column in enumerate(table.frame.columns):
            if i == 0 and table.frame[column].is_unique:
                continue  # a unique first column is the table's own id (Record ID, Activity ID)
            if _reference_stem(str(column)) is None:
                continue  # a reference to another table's ids is named like one (Contact ID, lead_id, LEADID)
            wanted = keys(table, column)
            numeric = all(k.isdigit() for k in wanted)
            if numeric and not _refers_to(str(column), other, ids):
                continue
            if any(_share(keys(other, c), wanted) >= LOOKUP_MIN_SHARE for c in ids):
                return other, str(column)
    return None


def _membership(table: ExportFile, main: ExportFile, keys: _Keys) -> tuple[str, str, float] | None:
    """Return (main's id column, table's key column, share) when `table`'s unique key lists a subset of `main`'s
    ids (the closed deals of a list of MQLs): nearly every key is one of main's ids and it has fewer rows."""
    if len(table.frame) >= len(main.frame):
        return None
    ids = [c for c in main.frame.columns if main.frame[c].is_unique and _is_id(main.frame[c], str(c))]
    for column in table.frame.columns:
        values = table.frame[column]
        if not (values.notna().all() and values.is_unique):
            continue
        for id_column in ids:
            wanted = keys(table, column)
            if (
                all(k.isdigit() for k in wanted)
                and to_snake_case(str(column)) != to_snake_case(id_column)
                and not _refers_to(str(column), main, [id_column])
            ):
                continue  # whole numbers shared by chance (contact 1001, lead 1001): the names must agree
            share = _share(keys(main, id_column), wanted)
            if share >= MEMBERSHIP_MIN_SHARE:
                return id_column, str(column), share
    return None


def _activity_columns(columns: list[str]) -> bool:
    """Return whether a child table's header is that of activities (calls, emails, events, a type) rather than
    deals (a stage column says deals)."""
    names = [to_snake_case(c) for c in columns]
    words = {w for n in names for w in n.split("_")}
    if words & {"stage", "dealstage"}:
        return False
    return bool(words & {"activity", "activities", "touch", "event", "engagement", "call", "meeting", "task"}) or bool(
        {"type", "kind"} & set(names)
    )


def assign_kinds(files: list[ExportFile]) -> list[ExportFile]:
    """Return the files with their kinds: surveys by their header rows, headers or answers, spend by its header;
    among the rest the largest table that is not rows of another's ids is the CRM contacts/leads; a table holding
    rows per contact id is activities (calls, events, a type) or deals (a stage); one whose unique key lists a
    subset of the contacts' ids is their membership (the converted ones); one whose unique column matches a column
    of the contacts is a lookup. Whole-number keys, which tables share by chance, must also be named alike."""
    out: dict[Path, ExportFile] = {}
    crm: list[ExportFile] = []
    for f in files:
        columns = [str(c) for c in f.frame.columns]
        if f.survey_format not in (None, "plain"):
            out[f.path] = replace(f, kind="survey", reason=f"the header rows of a {f.survey_format} export")
        elif looks_like_spend(columns):
            out[f.path] = replace(f, kind="spend", reason="a month and a spend column")
        elif looks_like_survey(columns) or f.format_note:
            out[f.path] = replace(f, kind="survey", reason="most headers read as questions")
        elif answers := answers_evidence(f.meanings):
            out[f.path] = replace(f, kind="survey", reason=answers)
        else:
            crm.append(f)
    keys = _Keys()
    parents = {f.path: _parent(f, [o for o in crm if o is not f], keys) for f in crm}
    tops = [f for f in crm if parents[f.path] is None] or crm
    if crm:
        main = max(tops, key=lambda f: (len(f.frame), f.frame.shape[1]))
        # a child's ids are the main table's (contacts), not another child's (an activity id run 1, 2, 3 …), and
        # a child of another table too (potentials of a campaign) is still one of the contacts' deals
        links = {f.path: (_parent_and_key(f, [main], keys) if parents[f.path] else None) for f in crm}
        out[main.path] = replace(
            main,
            kind="contacts",
            reason=f"the largest table ({len(main.frame):,} rows) that is not rows of another table's ids",
        )
        for f in crm:
            if f is main:
                continue
            link = links[f.path]
            if link is not None and link[0].path == main.path:
                kind = "touches" if _activity_columns([str(c) for c in f.frame.columns]) else "deals"
                what = "dated activities with a type" if kind == "touches" else "records"
                key = link[1]
                out[f.path] = replace(
                    f, kind=kind, member_of=key, reason=f"{what}, several for one id of {main.path.name} (in {key})"
                )
            elif (member := _membership(f, main, keys)) is not None:
                out[f.path] = replace(
                    f,
                    kind="membership",
                    member_of=member[0],
                    member_key=member[1],
                    reason=f"its {member[1]} values are {member[2]:.0%} of the "
                    f"{member[0]} ids of {main.path.name}, {len(f.frame):,} of its "
                    f"{len(main.frame):,} rows: those rows' outcome",
                )
            elif _joins_main(f, main, keys):
                out[f.path] = replace(
                    f, kind="lookup", reason=f"a unique column whose values match a column of {main.path.name}"
                )
            else:
                out[f.path] = replace(f, kind="", reason=f"neither joins {main.path.name} nor holds its ids")
    return [out[f.path] for f in files]
