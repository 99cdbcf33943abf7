"""Survey exports (Qualtrics, SurveyMonkey, Google Forms, plain CSV/XLSX, SPSS .sav) into a typed responses
frame and its codebook.

Each answer column is typed by what it holds: Likert items as ordered categoricals in scale order,
multi-select as one boolean column per option, numbers as Float64, open text as ``str``, other choices as
unordered categoricals. Platform metadata gets canonical names (respondent_id, submitted_at, duration_s …).
Blank rows are kept (``is_blank_row``) so that cleaning counts what it drops. The export is never modified.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from alignkit.errors import InputFileError, MissingColumnError
from alignkit.ingest.files import (check_input_file, parse_bools, parse_datetimes, parse_numbers, read_export,
                                   to_snake_case)

SURVEY_FORMATS = ("auto", "qualtrics", "surveymonkey", "google_forms", "plain", "spss")
KINDS = ("single", "multi", "likert", "numeric", "text", "meta")
CODEBOOK_COLUMNS = ("column", "question", "item", "kind", "options", "group", "source_column", "n_invalid")

# name -> labels in scale order; when several scales hold the observed labels, the shortest wins.
LIKERT_SCALES: dict[str, tuple[str, ...]] = {
    "agreement_5": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
    "agreement_7": ("Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
                    "Somewhat agree", "Agree", "Strongly agree"),
    "satisfaction_5": ("Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied",
                       "Very satisfied"),
    "satisfaction_5_extremely": ("Extremely dissatisfied", "Somewhat dissatisfied",
                                 "Neither satisfied nor dissatisfied", "Somewhat satisfied", "Extremely satisfied"),
    "importance_5": ("Not at all important", "Slightly important", "Moderately important", "Very important",
                     "Extremely important"),
    "likelihood_5": ("Extremely unlikely", "Somewhat unlikely", "Neither likely nor unlikely", "Somewhat likely",
                     "Extremely likely"),
    "likelihood_5_very": ("Very unlikely", "Unlikely", "Neither likely nor unlikely", "Likely", "Very likely"),
    "frequency_5": ("Never", "Rarely", "Sometimes", "Often", "Always"),
    "quality_5": ("Poor", "Fair", "Good", "Very good", "Excellent"),
}
# other spellings (compared case- and whitespace-insensitively) -> the scale's canonical label
LIKERT_ALIASES: dict[str, str] = {
    "neither agree or disagree": "Neither agree nor disagree",
    "neither disagree nor agree": "Neither agree nor disagree",
    "neither satisfied or dissatisfied": "Neither satisfied nor dissatisfied",
    "neither likely or unlikely": "Neither likely nor unlikely",
}
LIKERT_MIN_DISTINCT = 3          # observed labels needed before a column counts as Likert
NUMERIC_MIN_SHARE = 0.95         # share of non-blank values that must parse as numbers
TEXT_MIN_UNIQUE_SHARE = 0.5      # open text: more than this share of non-blank answers are distinct …
TEXT_MIN_MEAN_LENGTH = 20        # … and answers are longer than this on average (characters)
CHECKBOX_SEPARATOR = ", "        # Google Forms joins ticked checkbox options with this
CHECKBOX_MAX_OPTIONS = 25
CHECKBOX_MIN_COUNT = 2

META_CANONICAL = ("respondent_id", "email", "first_name", "last_name", "started_at", "submitted_at",
                  "duration_s", "finished", "weight")
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
EXTRA_META = frozenset({"status", "progress", "ip_address", "recorded_date", "distribution_channel",
                        "user_language", "location_latitude", "location_longitude", "external_reference",
                        "external_data_reference", "collector_id", "custom_data_1"})
_DATETIME_META = {"started_at", "submitted_at", "recorded_date"}
_FLOAT_META = {"duration_s", "weight", "progress", "location_latitude", "location_longitude"}
_ITEM_ID = re.compile(r"^(.+?)_(\d+)(?:_[A-Za-z]+)?$")
_SM_GENERIC = {"", "Response", "Open-Ended Response"}
_FORMAT_FIX = "set `format:` for the survey in alignkit.yml to one of " + ", ".join(SURVEY_FORMATS)


@dataclass(frozen=True)
class SurveyExport:
    """A survey export read and typed: the responses, their codebook, the format it came in and its path."""

    responses: pd.DataFrame   # one row a response (blank rows KEPT as all-NA rows, flagged in is_blank_row)
    codebook: pd.DataFrame    # one row per column of `responses`, same order (CODEBOOK_COLUMNS)
    source_format: str        # 'qualtrics' | 'surveymonkey' | 'google_forms' | 'plain' | 'spss'
    path: Path


@dataclass
class _Src:
    """One column of the export before typing."""

    col: str                  # column of the raw frame
    source: str               # the export's header (codebook source_column)
    text: str                 # question text
    item: str | None = None   # grid row / option text
    key: str = ""             # question this column belongs to
    option: str | None = None  # SurveyMonkey: row-2 label (an option label for multi-select)
    open_ended: bool = False
    preset: tuple | None = None  # SPSS: (kind, series, options, n_invalid) already typed
    name: str = ""
    group: str = ""


def detect_survey_format(path: Path, *, encoding: str = "auto", delimiter: str = "auto",
                         sheet: str | int | None = None) -> str:
    """Return the platform that wrote the export: 'qualtrics', 'surveymonkey', 'google_forms', 'spss' or 'plain'."""
    path = Path(path)
    if path.suffix.lower() in (".sav", ".zsav"):
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


def read_survey(path: Path, *, format: str = "auto", encoding: str = "auto", delimiter: str = "auto",
                sheet: str | int | None = None, meta_columns: Mapping[str, str] | None = None) -> SurveyExport:
    """Return the export read into typed responses and a codebook (see the module docstring for the rules).

    ``meta_columns`` maps canonical meta names (respondent_id, email, submitted_at …) to export headers and
    overrides the per-platform defaults; a header the file lacks raises MissingColumnError.
    """
    path = Path(path)
    if format not in SURVEY_FORMATS:
        raise InputFileError(path, f"cannot be read with format {format!r}.", fix=_FORMAT_FIX)
    if format == "spss" or (format == "auto" and path.suffix.lower() in (".sav", ".zsav")):
        fmt, data, srcs, headers = "spss", *_parse_spss(path)
    else:
        header, raw = read_export(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
        fmt, n_header = _detect(header[0], raw)
        if format != "auto" and format != fmt:
            if format == "qualtrics":
                raise InputFileError(path, "does not look like a Qualtrics export: its third row is not the "
                                     '{"ImportId": …} row.', fix="export with 3 header rows, or " + _FORMAT_FIX)
            fmt, n_header = format, {"surveymonkey": 2}.get(format, 1)
        rows = [header[0]] + [_row(raw, i) for i in range(n_header - 1)]
        if len(raw) < n_header - 1:
            raise InputFileError(path, f"has fewer rows than the {n_header} header rows of a {fmt} export.",
                                 fix=_FORMAT_FIX)
        data = raw.iloc[n_header - 1:].reset_index(drop=True)
        keep = [i for i, c in enumerate(data.columns) if any(r[i] for r in rows) or data[c].notna().any()]
        data, rows = data.iloc[:, keep], [[r[i] for i in keep] for r in rows]
        srcs = {"qualtrics": _parse_qualtrics, "surveymonkey": _parse_surveymonkey,
                "google_forms": _parse_google}.get(fmt, _parse_plain)(data, rows)
        headers = rows
    if len(data) == 0:
        raise InputFileError(path, "has header rows but no responses.", fix="export the survey again with its responses")
    numbered = fmt in ("surveymonkey", "google_forms")
    meta, srcs = _resolve_meta(path, srcs, headers, meta_columns or {}, numbered=numbered,
                               extras=fmt in ("qualtrics", "surveymonkey", "spss"))
    _name_questions(srcs, numbered=numbered)
    return _assemble(path, fmt, data, meta, srcs)


def _parse_qualtrics(data: pd.DataFrame, rows: list[list[str]]) -> list[_Src]:
    srcs = []
    for col, qid, text in zip(data.columns, rows[0], rows[1]):
        match = _ITEM_ID.match(qid)
        srcs.append(_Src(col, qid or col, text or qid or col, key=match.group(1) if match else qid or col,
                         open_ended=qid.upper().endswith("_TEXT")))
    return srcs


def _parse_plain(data: pd.DataFrame, rows: list[list[str]]) -> list[_Src]:
    srcs = []
    for col, head in zip(data.columns, rows[0]):
        match = _ITEM_ID.match(head)
        srcs.append(_Src(col, head or col, head or col, key=match.group(1) if match else col))
    return srcs


def _parse_surveymonkey(data: pd.DataFrame, rows: list[list[str]]) -> list[_Src]:
    srcs, key, text = [], -1, ""
    for col, head, label in zip(data.columns, rows[0], rows[1]):
        if head or key < 0:
            key, text = key + 1, head
        generic = label in _SM_GENERIC
        open_ended = label == "Open-Ended Response" or "please specify" in label.casefold()
        srcs.append(_Src(col, text if generic else f"{text} | {label}", text, item=None if generic else label,
                         key=str(key), option=None if generic else label, open_ended=open_ended))
    return srcs


def _parse_google(data: pd.DataFrame, rows: list[list[str]]) -> list[_Src]:
    srcs, key, previous = [], -1, None
    for col, head in zip(data.columns, rows[0]):
        grid = re.match(r"^(.*\S)\s*\[(.+)\]$", head)
        text = grid.group(1) if grid else head
        if not grid or previous != text:
            key += 1
        previous = text if grid else None
        srcs.append(_Src(col, head, text, item=grid.group(2).strip() if grid else None, key=str(key),
                         option=None if grid else CHECKBOX_SEPARATOR))
    return srcs


def _parse_spss(path: Path) -> tuple[pd.DataFrame, list[_Src], list[list[str]]]:
    import pyreadstat

    check_input_file(path)
    try:
        frame, meta = pyreadstat.read_sav(str(path))
    except Exception as exc:  # pyreadstat raises its own error types for corrupt or non-SPSS files
        raise InputFileError(path, f"cannot be read as an SPSS .sav file ({type(exc).__name__}: {exc}).",
                             fix="export the survey again as .sav, or as CSV with `format: plain`") from None
    for col in frame.columns:
        if frame[col].dtype == "str":
            frame[col] = frame[col].mask(frame[col].str.strip().eq(""))
    srcs = []
    for col, label in zip(meta.column_names, meta.column_labels):
        match = _ITEM_ID.match(col)
        src = _Src(col, col, label or col, key=match.group(1) if match else col)
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
    scale = _match_scale(set(names))
    likert = len(names) >= LIKERT_MIN_DISTINCT and (ordinal or scale is not None)
    dtype = pd.CategoricalDtype(list(dict.fromkeys(names)), ordered=likert)
    return ("likert" if likert else "single"), mapped.astype(dtype), list(dtype.categories), n_invalid


def _resolve_meta(path: Path, srcs: list[_Src], headers: list[list[str]], overrides: Mapping[str, str],
                  *, numbered: bool, extras: bool) -> tuple[list[tuple[str, _Src]], list[_Src]]:
    """Return the (canonical name, source) pairs of metadata columns and the remaining question sources."""
    sizes = Counter(s.key for s in srcs)
    chosen: dict[str, _Src] = {}
    for canonical, header in overrides.items():
        hits = [s for s in srcs if s.source == header] or [s for s in srcs if s.text == header]
        hits = hits or [s for s in srcs if s.source.casefold() == header.strip().casefold()]
        if not hits:
            raise MissingColumnError(path, header, [h for h in headers[0] if h], mapped_from=f"survey.columns.{canonical}")
        chosen[canonical] = hits[0]
    taken = {id(s) for s in chosen.values()}
    for canonical, candidates in DEFAULT_META_COLUMNS.items():
        wanted = {to_snake_case(c) for c in candidates}
        for s in srcs:
            if canonical not in chosen and id(s) not in taken and to_snake_case(s.source) in wanted \
                    and not (numbered and sizes[s.key] > 1):
                chosen[canonical] = s
                taken.add(id(s))
    meta = [(name, chosen[name]) for name in [*META_CANONICAL, *chosen] if name in chosen]
    meta = list(dict((name, s) for name, s in meta).items())
    known = {to_snake_case(c) for candidates in DEFAULT_META_COLUMNS.values() for c in candidates}
    known |= EXTRA_META if extras else set()
    for s in srcs:
        snake = to_snake_case(s.source)
        if id(s) not in taken and (snake in known or (extras and s.source.startswith("Q_"))) \
                and not (numbered and sizes[s.key] > 1):
            meta.append((snake, s))
            taken.add(id(s))
    return meta, [s for s in srcs if id(s) not in taken]


def _name_questions(srcs: list[_Src], *, numbered: bool) -> None:
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
        if len(members) == sizes[key] and (sizes[key] > 1 or _ITEM_ID.match(members[0].source)):
            for s, (question, item) in zip(members, _split_items([s.text for s in members])):
                s.text, s.item = question, item


def _split_items(texts: list[str]) -> list[tuple[str, str | None]]:
    """Return (question, item) per "Question - Item" text, cut where the texts stop sharing their prefix."""
    if len(texts) > 1 and all(" - " in t for t in texts):
        cut = os.path.commonprefix(texts).rfind(" - ")
        if cut > 0:
            return [(t[:cut], t[cut + 3:].strip() or None) for t in texts]
    return [tuple(t.split(" - ", 1)) if " - " in t else (t, None) for t in texts]


def _norm(label: str) -> str:
    return " ".join(str(label).split()).casefold()


def _scale_lookup(scale: tuple[str, ...]) -> dict[str, str]:
    lookup = {_norm(label): label for label in scale}
    lookup.update({alias: label for alias, label in ((_norm(a), c) for a, c in LIKERT_ALIASES.items()) if label in scale})
    return lookup


def _match_scale(values: set[str]) -> tuple[str, ...] | None:
    """Return the shortest known scale holding every observed label (≥ LIKERT_MIN_DISTINCT of them), else None."""
    best = None
    for scale in LIKERT_SCALES.values():
        lookup = _scale_lookup(scale)
        if all(_norm(v) in lookup for v in values) and len({lookup[_norm(v)] for v in values}) >= LIKERT_MIN_DISTINCT:
            best = scale if best is None or len(scale) < len(best) else best
    return best


def _classify(values: pd.Series, *, open_ended: bool = False, scale: tuple[str, ...] | None = None) -> tuple:
    """Return (kind, typed values, options, n_invalid) for one answer column of strings."""
    text = values.str.strip()
    present = text.dropna()
    if present.empty:
        return "text", values, [], 0
    scale = scale or (None if open_ended else _match_scale(set(present.unique())))
    if scale:
        lookup = _scale_lookup(scale)
        typed = text.map({v: lookup.get(_norm(v)) for v in present.unique()})
        return "likert", typed.astype(pd.CategoricalDtype(list(scale), ordered=True)), list(scale), 0
    numbers, n_invalid, share = parse_numbers(text)
    if share >= NUMERIC_MIN_SHARE:
        return "numeric", numbers, [], n_invalid
    if open_ended or (present.nunique() / len(present) > TEXT_MIN_UNIQUE_SHARE
                      and present.str.len().mean() > TEXT_MIN_MEAN_LENGTH):
        return "text", values, [], 0
    counts = present.value_counts()
    options = sorted(counts.index, key=lambda v: (-counts[v], v))
    return "single", text.astype(pd.CategoricalDtype(options, ordered=False)), options, 0


def _multi_option(s: _Src, values: pd.Series) -> str | None:
    """Return the option label if the column is one option of a split multi-select, else None."""
    distinct = set(values.dropna().str.strip().unique())
    if _labelled(s):       # SurveyMonkey: cells hold the option label
        return s.option if distinct <= {s.option} else None
    if not _ITEM_ID.match(s.source) or s.source.upper().endswith("_TEXT"):
        return None
    if distinct <= {"1"} or distinct == {"0", "1"}:
        return s.item or s.source
    if len(distinct) == 1:
        (value,) = distinct
        if (s.item and _norm(value) == _norm(s.item)) or (not s.item and _match_scale({value}) is None
                                                          and parse_numbers(pd.Series([value], dtype="str"))[2] == 0):
            return value
    return None


def _labelled(s: _Src) -> bool:
    return s.option is not None and s.option != CHECKBOX_SEPARATOR


def _checkbox_options(values: pd.Series) -> list[str] | None:
    """Return the options of a Google Forms checkbox column (cells join ticked options with ', '), else None."""
    present = values.dropna().str.strip()
    cells = [cell.split(CHECKBOX_SEPARATOR) for cell in present]
    if not any(len(c) > 1 for c in cells):
        return None
    counts = Counter(token.strip() for cell in cells for token in dict.fromkeys(cell))
    alone = {c[0].strip() for c in cells if len(c) == 1}
    combined = {t.strip() for c in cells if len(c) > 1 for t in c}
    if len(counts) > CHECKBOX_MAX_OPTIONS or min(counts.values()) < CHECKBOX_MIN_COUNT or not alone & combined:
        return None
    return sorted(counts, key=lambda t: (-counts[t], t))


def _type_questions(data: pd.DataFrame, srcs: list[_Src]) -> list[tuple[_Src, str, pd.Series, list[str], int]]:
    """Return (source, kind, typed values, options, n_invalid) per output column, Google checkboxes split."""
    multi = {id(s): _multi_option(s, data[s.col]) for s in srcs if s.preset is None}
    for key in dict.fromkeys(s.key for s in srcs):   # a group is multi-select as a whole, with ≥1 option ticked
        members = [s for s in srcs if s.key == key and id(s) in multi and (_labelled(s) or (
            _ITEM_ID.match(s.source) and not s.source.upper().endswith("_TEXT")))]
        ticked = any(multi[id(s)] and data[s.col].notna().any() for s in members)
        labelled = any(_labelled(s) for s in members)
        if not ticked or not (labelled or (len(members) > 1 and all(multi[id(s)] for s in members))):
            for s in members:
                multi[id(s)] = None
    group_scale: dict[str, tuple[str, ...] | None] = {}
    for key in {s.key for s in srcs}:
        members = [s for s in srcs if s.key == key and s.preset is None and not multi.get(id(s)) and not s.open_ended]
        if len(members) > 1:
            seen = set().union(*(set(data[s.col].dropna().str.strip().unique()) for s in members))
            group_scale[key] = _match_scale(seen)
    out = []
    for s in srcs:
        values = data[s.col]
        if s.preset is not None:
            out.append((s, *s.preset))
        elif multi.get(id(s)):
            out.append((s, "multi", values.notna().astype(bool) & values.str.strip().ne("0"), [multi[id(s)]], 0))
        elif s.option == CHECKBOX_SEPARATOR and (options := _checkbox_options(values)):
            ticked = values.str.split(CHECKBOX_SEPARATOR).map(lambda c: {t.strip() for t in c} if isinstance(c, list) else set())
            for k, option in enumerate(options, start=1):
                part = _Src(s.col, s.source, s.text, item=option, name=f"{s.name}_{k}", group=s.name)
                out.append((part, "multi", ticked.map(lambda chosen, o=option: o in chosen).astype(bool), [option], 0))
        else:
            out.append((s, *_classify(values, open_ended=s.open_ended, scale=group_scale.get(s.key))))
    return out


def _type_meta(name: str, values: pd.Series) -> pd.Series:
    """Return one metadata column typed: datetimes, floats, nullable booleans, else `str` (SPSS 12.0 -> '12')."""
    if name in _DATETIME_META:
        return parse_datetimes(values)
    if name in _FLOAT_META:
        if pd.api.types.is_numeric_dtype(values):
            return values.astype("Float64")
        return parse_numbers(values.astype("str"))[0]
    if name == "finished":
        return parse_bools(values)
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")
    return values if values.dtype == "str" else values.astype("str")


def _assemble(path: Path, fmt: str, data: pd.DataFrame, meta: list[tuple[str, _Src]], srcs: list[_Src]) -> SurveyExport:
    columns: dict[str, pd.Series] = {}
    book: list[dict] = []

    def add(name: str, values: pd.Series, kind: str, question: str, item: str | None, options: list[str],
            group: str | None, source: str | None, n_invalid: int = 0) -> None:
        base, k = name, 1
        while name in columns:
            k += 1
            name = f"{base}_{k}"
        columns[name] = values.reset_index(drop=True)
        book.append({"column": name, "question": question, "item": item, "kind": kind,
                     "options": [str(o) for o in options], "group": group or name, "source_column": source,
                     "n_invalid": int(n_invalid)})

    typed = [(name, s, _type_meta(name, data[s.col])) for name, s in meta]
    first = {name: values for name, _, values in reversed(typed)}
    if "respondent_id" not in first:
        width = max(4, len(str(len(data))))
        add("respondent_id", pd.Series([f"R{i:0{width}d}" for i in range(1, len(data) + 1)], dtype="str"), "meta",
            "Generated by alignkit: the export has no respondent id column, so the id is 'R' + the row number.",
            None, [], None, None)
    if "duration_s" not in first and {"started_at", "submitted_at"} <= set(first):
        seconds = (first["submitted_at"] - first["started_at"]).dt.total_seconds().astype("Float64")
        typed.append(("duration_s", _Src("", "", "Computed by alignkit: submitted_at - started_at, in seconds."), seconds))
    order = [*META_CANONICAL, *(name for name, _, _ in typed)]
    for name, s, values in sorted(typed, key=lambda entry: order.index(entry[0])):
        n_invalid = int((data[s.col].notna() & values.isna()).sum()) if s.col else 0   # e.g. dates that do not parse
        add(name, values, "meta", s.text, None, [], None, s.source or None, n_invalid)
    add("is_blank_row", data.isna().all(axis=1).astype(bool), "meta",
        "Computed by alignkit: the export row has no answer at all.", None, [], None, None)
    for s, kind, values, options, n_invalid in _type_questions(data, srcs):
        add(s.name, values, kind, s.text, s.item, options, s.group, s.source, n_invalid)
    codebook = pd.DataFrame(book, columns=list(CODEBOOK_COLUMNS))
    for col in ("column", "question", "item", "kind", "group", "source_column"):
        codebook[col] = codebook[col].astype("str")
    codebook["n_invalid"] = codebook["n_invalid"].astype("int64")
    return SurveyExport(responses=pd.DataFrame(columns), codebook=codebook, source_format=fmt, path=path)
