"""Survey exports (Qualtrics, SurveyMonkey, Google Forms, plain CSV/XLSX, SPSS .sav) into a typed responses
frame and its codebook.

This module knows the formats (header rows, question and item texts, platform metadata under canonical names
such as respondent_id, submitted_at, duration_s); `alignkit.ingest.answers` types each answer column by what it
holds (Likert items as ordered categoricals in scale order, multi-select as one boolean column per option,
numbers as Float64, open text as ``str``, other choices as unordered categoricals).
Blank rows are kept (``is_blank_row``) so that cleaning counts what it drops. The export is never modified.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from alignkit.errors import InputFileError, MissingColumnError
from alignkit.ingest.answers import (
    CHECKBOX_SEPARATOR,
    ITEM_ID,
    LIKERT_MIN_DISTINCT,
    SourceColumn,
    match_scale,
    type_meta,
    type_questions,
)
from alignkit.ingest.damage import read_notes
from alignkit.ingest.files import check_input_file, read_export, to_snake_case
from alignkit.ingest.scales import detect_scale
from alignkit.ingest.sniff import detect_container

SURVEY_FORMATS = ("auto", "qualtrics", "surveymonkey", "google_forms", "plain", "spss")
KINDS = ("single", "multi", "likert", "numeric", "text", "meta")
CODEBOOK_COLUMNS = ("column", "question", "item", "kind", "options", "group", "source_column", "n_invalid", "detected")


META_CANONICAL = (
    "respondent_id",
    "email",
    "first_name",
    "last_name",
    "started_at",
    "submitted_at",
    "duration_s",
    "finished",
    "weight",
)
# canonical meta name -> export headers that mean it (matched by their snake_case), in every format
DEFAULT_META_COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent_id": ("ResponseId", "Respondent ID", "respondent_id", "Response ID"),
    "email": ("RecipientEmail", "Email Address", "Email address", "email"),
    "first_name": ("RecipientFirstName", "First Name", "first_name"),
    "last_name": ("RecipientLastName", "Last Name", "last_name"),
    "started_at": ("StartDate", "Start Date", "started_at"),
    "submitted_at": ("EndDate", "End Date", "Timestamp", "submitted_at"),
    "duration_s": ("Duration (in seconds)", "duration_s"),
    "finished": ("Finished", "finished"),
    "weight": ("weight",),
}
# other Qualtrics / SurveyMonkey metadata (also in SPSS exports), kept as kind 'meta' under its snake_case name
EXTRA_META = frozenset(
    {
        "status",
        "progress",
        "ip_address",
        "recorded_date",
        "distribution_channel",
        "user_language",
        "location_latitude",
        "location_longitude",
        "external_reference",
        "external_data_reference",
        "collector_id",
        "custom_data_1",
    }
)
_SM_GENERIC = {"", "Response", "Open-Ended Response"}
_FORMAT_FIX = "set `format:` for the survey in alignkit.yml to one of " + ", ".join(SURVEY_FORMATS)


@dataclass(frozen=True)
class SurveyExport:
    """A survey export read and typed: the responses, their codebook, the format it came in and its path."""

    responses: pd.DataFrame  # one row a response (blank rows KEPT as all-NA rows, flagged in is_blank_row)
    codebook: pd.DataFrame  # one row per column of `responses`, same order (CODEBOOK_COLUMNS)
    source_format: str  # 'qualtrics' | 'surveymonkey' | 'google_forms' | 'plain' | 'spss'
    path: Path
    notes: list[tuple[int, str]] = field(default_factory=list)  # (rows left out, sentence): ingest.damage.read_notes


def detect_survey_format(
    path: Path, *, encoding: str = "auto", delimiter: str = "auto", sheet: str | int | None = None
) -> str:
    """Return the platform that wrote the export: 'qualtrics', 'surveymonkey', 'google_forms', 'spss' or 'plain'."""
    path = Path(path)
    if path.suffix.lower() in (".sav", ".zsav") or (path.is_file() and detect_container(path) == "sav"):
        return "spss"
    header, data = read_export(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
    return _detect(header[0], data)[0]


def _row(data: pd.DataFrame, i: int) -> list[str]:
    return [] if len(data) <= i else ["" if pd.isna(v) else str(v).strip() for v in data.iloc[i].tolist()]


def _detect(first: list[str], data: pd.DataFrame) -> tuple[str, int]:
    second, third = _row(data, 0), _row(data, 1)
    if next((c for c in third if c), "").startswith('{"ImportId"'):
        return "qualtrics", 3
    if "ResponseId" in first and "Response ID" in second:
        return "qualtrics", 2
    if "Respondent ID" in first or {"Response", "Open-Ended Response"} & set(second):
        return "surveymonkey", 2
    if first and first[0].casefold() == "timestamp":
        return "google_forms", 1
    return "plain", 1


def read_survey(
    path: Path,
    *,
    format: str = "auto",
    encoding: str = "auto",
    delimiter: str = "auto",
    sheet: str | int | None = None,
    meta_columns: Mapping[str, str] | None = None,
    scales: Mapping[str, list[str]] | None = None,
    answer_aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> SurveyExport:
    """Return the export read into typed responses and a codebook (see the module docstring for the rules).

    ``meta_columns`` maps canonical meta names (respondent_id, email, submitted_at …) to export headers and
    overrides the per-platform defaults; a header the file lacks raises MissingColumnError. ``scales``
    (survey.scales) declares or corrects ordered scales and ``answer_aliases`` (survey.answer_aliases) merges answer
    spellings, each keyed by column name, question group or export header (aliases also by '*': every column);
    a key that names no question raises MissingColumnError.
    """
    path = Path(path)
    if format not in SURVEY_FORMATS:
        raise InputFileError(path, f"cannot be read with format {format!r}.", fix=_FORMAT_FIX)
    if format == "spss" or (
        format == "auto"
        and (path.suffix.lower() in (".sav", ".zsav") or (path.is_file() and detect_container(path) == "sav"))
    ):
        fmt, data, srcs, headers = "spss", *_parse_spss(path)
    else:
        header, raw = read_export(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
        fmt, n_header = _detect(header[0], raw)
        if format != "auto" and format != fmt:
            if format == "qualtrics":
                raise InputFileError(
                    path,
                    'does not look like a Qualtrics export: its third row is not the {"ImportId": …} row.',
                    fix="export with 3 header rows, or " + _FORMAT_FIX,
                )
            fmt, n_header = format, {"surveymonkey": 2}.get(format, 1)
        rows = [header[0]] + [_row(raw, i) for i in range(n_header - 1)]
        if len(raw) < n_header - 1:
            raise InputFileError(
                path, f"has fewer rows than the {n_header} header rows of a {fmt} export.", fix=_FORMAT_FIX
            )
        data = raw.iloc[n_header - 1 :].reset_index(drop=True)
        keep = [i for i, c in enumerate(data.columns) if any(r[i] for r in rows) or data[c].notna().any()]
        data, rows = data.iloc[:, keep], [[r[i] for i in keep] for r in rows]
        srcs = {"qualtrics": _parse_qualtrics, "surveymonkey": _parse_surveymonkey, "google_forms": _parse_google}.get(
            fmt, _parse_plain
        )(data, rows)
        headers = rows
    if len(data) == 0:
        raise InputFileError(
            path, "has header rows but no responses.", fix="export the survey again with its responses"
        )
    numbered = fmt in ("surveymonkey", "google_forms")
    meta, srcs = _resolve_meta(
        path, srcs, headers, meta_columns or {}, numbered=numbered, extras=fmt in ("qualtrics", "surveymonkey", "spss")
    )
    _name_questions(srcs, numbered=numbered)
    export = _assemble(path, fmt, data, meta, srcs, scales=scales, aliases=answer_aliases)
    return replace(export, notes=read_notes(path, raw)) if fmt != "spss" else export


def _parse_qualtrics(data: pd.DataFrame, rows: list[list[str]]) -> list[SourceColumn]:
    srcs = []
    for col, qid, text in zip(data.columns, rows[0], rows[1]):
        match = ITEM_ID.match(qid)
        srcs.append(
            SourceColumn(
                col,
                qid or col,
                text or qid or col,
                key=match.group(1) if match else qid or col,
                open_ended=qid.upper().endswith("_TEXT"),
            )
        )
    return srcs


def _parse_plain(data: pd.DataFrame, rows: list[list[str]]) -> list[SourceColumn]:
    srcs = []
    for col, head in zip(data.columns, rows[0]):
        match = ITEM_ID.match(head)
        srcs.append(SourceColumn(col, head or col, head or col, key=match.group(1) if match else col))
    return srcs


def _parse_surveymonkey(data: pd.DataFrame, rows: list[list[str]]) -> list[SourceColumn]:
    srcs, key, text = [], -1, ""
    for col, head, label in zip(data.columns, rows[0], rows[1]):
        if head or key < 0:
            key, text = key + 1, head
        generic = label in _SM_GENERIC
        open_ended = label == "Open-Ended Response" or "please specify" in label.casefold()
        srcs.append(
            SourceColumn(
                col,
                text if generic else f"{text} | {label}",
                text,
                item=None if generic else label,
                key=str(key),
                option=None if generic else label,
                open_ended=open_ended,
            )
        )
    return srcs


def _parse_google(data: pd.DataFrame, rows: list[list[str]]) -> list[SourceColumn]:
    srcs, key, previous = [], -1, None
    for col, head in zip(data.columns, rows[0]):
        grid = re.match(r"^(.*\S)\s*\[(.+)\]$", head)
        text = grid.group(1) if grid else head
        if not grid or previous != text:
            key += 1
        previous = text if grid else None
        srcs.append(
            SourceColumn(
                col,
                head,
                text,
                item=grid.group(2).strip() if grid else None,
                key=str(key),
                option=None if grid else CHECKBOX_SEPARATOR,
            )
        )
    return srcs


def _parse_spss(path: Path) -> tuple[pd.DataFrame, list[SourceColumn], list[list[str]]]:
    import pyreadstat

    check_input_file(path)
    try:
        frame, meta = pyreadstat.read_sav(str(path))
    except Exception as exc:  # pyreadstat raises its own error types for corrupt or non-SPSS files
        raise InputFileError(
            path,
            f"cannot be read as an SPSS .sav file ({type(exc).__name__}: {exc}).",
            fix="export the survey again as .sav, or as CSV with `format: plain`",
        ) from None
    for col in frame.columns:
        if frame[col].dtype == "str":
            frame[col] = frame[col].mask(frame[col].str.strip().eq(""))
    srcs = []
    for col, label in zip(meta.column_names, meta.column_labels):
        match = ITEM_ID.match(col)
        src = SourceColumn(col, col, label or col, key=match.group(1) if match else col)
        labels = meta.variable_value_labels.get(col)
        if labels:
            src.preset = _spss_categorical(frame[col], labels, meta.variable_measure.get(col) == "ordinal")
        elif pd.api.types.is_numeric_dtype(frame[col]):
            src.preset = ("numeric", frame[col].astype("Float64"), [], 0)
        elif pd.api.types.is_datetime64_any_dtype(frame[col]):
            src.preset = ("text", frame[col].dt.strftime("%Y-%m-%d %H:%M:%S").astype("str"), [], 0)
        srcs.append(src)
    return frame, srcs, [list(meta.column_names), [s.text for s in srcs]]


def _spss_categorical(values: pd.Series, labels: Mapping, ordinal: bool) -> tuple:
    codes = sorted(labels)
    names = [str(labels[c]) for c in codes]
    mapped = values.map({c: str(labels[c]) for c in codes})
    n_invalid = int((values.notna() & mapped.isna()).sum())
    present = set(values.dropna().tolist())
    if len(codes) == 1 and present <= {codes[0], 0}:
        return "multi", values.eq(codes[0]).fillna(False).astype(bool), names, n_invalid
    scale = match_scale(set(names))
    detected = None if scale is not None or ordinal else detect_scale(names)  # e.g. nominal-measured age bands
    likert = len(names) >= LIKERT_MIN_DISTINCT and (ordinal or scale is not None or detected is not None)
    order = detected[1] if detected else list(dict.fromkeys(names))
    dtype = pd.CategoricalDtype(order, ordered=likert)
    return ("likert" if likert else "single"), mapped.astype(dtype), list(dtype.categories), n_invalid


def _resolve_meta(
    path: Path,
    srcs: list[SourceColumn],
    headers: list[list[str]],
    overrides: Mapping[str, str],
    *,
    numbered: bool,
    extras: bool,
) -> tuple[list[tuple[str, SourceColumn]], list[SourceColumn]]:
    """Return the (canonical name, source) pairs of metadata columns and the remaining question sources."""
    sizes = Counter(s.key for s in srcs)
    chosen: dict[str, SourceColumn] = {}
    for canonical, header in overrides.items():
        hits = [s for s in srcs if s.source == header] or [s for s in srcs if s.text == header]
        hits = hits or [s for s in srcs if s.source.casefold() == header.strip().casefold()]
        if not hits:
            raise MissingColumnError(
                path, header, [h for h in headers[0] if h], mapped_from=f"survey.columns.{canonical}"
            )
        chosen[canonical] = hits[0]
    taken = {id(s) for s in chosen.values()}
    for canonical, candidates in DEFAULT_META_COLUMNS.items():
        wanted = {to_snake_case(c) for c in candidates}
        for s in srcs:
            if (
                canonical not in chosen
                and id(s) not in taken
                and to_snake_case(s.source) in wanted
                and not (numbered and sizes[s.key] > 1)
            ):
                chosen[canonical] = s
                taken.add(id(s))
    meta = [(name, chosen[name]) for name in [*META_CANONICAL, *chosen] if name in chosen]
    meta = list(dict(meta).items())
    known = {to_snake_case(c) for candidates in DEFAULT_META_COLUMNS.values() for c in candidates}
    known |= EXTRA_META if extras else set()
    for s in srcs:
        snake = to_snake_case(s.source)
        if (
            id(s) not in taken
            and (snake in known or (extras and s.source.startswith("Q_")))
            and not (numbered and sizes[s.key] > 1)
        ):
            meta.append((snake, s))
            taken.add(id(s))
    return meta, [s for s in srcs if id(s) not in taken]


def _name_questions(srcs: list[SourceColumn], *, numbered: bool) -> None:
    """Set each source's canonical name and group id (in place)."""
    keys = list(dict.fromkeys(s.key for s in srcs))
    sizes = Counter(s.key for s in srcs)
    seen: Counter = Counter()
    for s in srcs:
        seen[s.key] += 1
        if numbered:
            group = f"q{keys.index(s.key) + 1}"
            s.name = f"{group}_{seen[s.key]}" if sizes[s.key] > 1 else group
        else:
            group, s.name = to_snake_case(s.key), to_snake_case(s.source)
        s.group = group if sizes[s.key] > 1 else s.name
    for key in keys:
        members = [s for s in srcs if s.key == key and s.item is None]
        if len(members) == sizes[key] and (sizes[key] > 1 or ITEM_ID.match(members[0].source)):
            for s, (question, item) in zip(members, _split_items([s.text for s in members])):
                s.text, s.item = question, item


def _split_items(texts: list[str]) -> list[tuple[str, str | None]]:
    """Return (question, item) per "Question - Item" text, cut where the texts stop sharing their prefix."""
    if len(texts) > 1 and all(" - " in t for t in texts):
        cut = os.path.commonprefix(texts).rfind(" - ")  # noqa: RUF071 (texts, not paths: their common characters)
        if cut > 0:
            return [(t[:cut], t[cut + 3 :].strip() or None) for t in texts]
    pairs = [t.partition(" - ") for t in texts]
    return [(head, tail) if sep else (head, None) for head, sep, tail in pairs]


def _assemble(
    path: Path,
    fmt: str,
    data: pd.DataFrame,
    meta: list[tuple[str, SourceColumn]],
    srcs: list[SourceColumn],
    *,
    scales: Mapping | None = None,
    aliases: Mapping | None = None,
) -> SurveyExport:
    columns: dict[str, pd.Series] = {}
    book: list[dict] = []

    def add(
        name: str,
        values: pd.Series,
        kind: str,
        question: str,
        item: str | None,
        options: list[str],
        group: str | None,
        source: str | None,
        n_invalid: int = 0,
        detected: str = "",
    ) -> None:
        base, k = name, 1
        while name in columns:
            k += 1
            name = f"{base}_{k}"
        columns[name] = values.reset_index(drop=True)
        book.append(
            {
                "column": name,
                "question": question,
                "item": item,
                "kind": kind,
                "options": [str(o) for o in options],
                "group": group or name,
                "source_column": source,
                "n_invalid": int(n_invalid),
                "detected": detected or kind,
            }
        )

    for setting, table in (("survey.scales", scales), ("survey.answer_aliases", aliases)):
        known = {k for s in srcs for k in (s.name, s.group, s.source, s.key) if k} | {"*"}
        for key in [k for k in (table or {}) if k not in known]:
            raise MissingColumnError(path, key, sorted({s.name for s in srcs}), mapped_from=f"{setting}.{key}")
    typed = [(name, s, type_meta(name, data[s.col])) for name, s in meta]
    first = {name: values for name, _, values in reversed(typed)}
    if "respondent_id" not in first:
        width = max(4, len(str(len(data))))
        add(
            "respondent_id",
            pd.Series([f"R{i:0{width}d}" for i in range(1, len(data) + 1)], dtype="str"),
            "meta",
            "Generated by alignkit: the export has no respondent id column, so the id is 'R' + the row number.",
            None,
            [],
            None,
            None,
        )
    if "duration_s" not in first and {"started_at", "submitted_at"} <= set(first):
        seconds = (first["submitted_at"] - first["started_at"]).dt.total_seconds().astype("Float64")
        typed.append(
            (
                "duration_s",
                SourceColumn("", "", "Computed by alignkit: submitted_at - started_at, in seconds."),
                seconds,
            )
        )
    order = [*META_CANONICAL, *(name for name, _, _ in typed)]
    for name, s, values in sorted(typed, key=lambda entry: order.index(entry[0])):
        n_invalid = int((data[s.col].notna() & values.isna()).sum()) if s.col else 0  # e.g. dates that do not parse
        add(name, values, "meta", s.text, None, [], None, s.source or None, n_invalid)
    add(
        "is_blank_row",
        data.isna().all(axis=1).astype(bool),
        "meta",
        "Computed by alignkit: the export row has no answer at all.",
        None,
        [],
        None,
        None,
    )
    for s, kind, values, options, n_invalid, detected in type_questions(data, srcs, scales=scales, aliases=aliases):
        add(s.name, values, kind, s.text, s.item, options, s.group, s.source, n_invalid, detected)
    codebook = pd.DataFrame(book, columns=list(CODEBOOK_COLUMNS))
    for col in ("column", "question", "item", "kind", "group", "source_column", "detected"):
        codebook[col] = codebook[col].astype("str")
    codebook["n_invalid"] = codebook["n_invalid"].astype("int64")
    return SurveyExport(responses=pd.DataFrame(columns), codebook=codebook, source_format=fmt, path=path)
