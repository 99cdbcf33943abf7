"""Reading one export file robustly, by what it is (`alignkit.ingest.sniff`): delimited text — plain, gzip or a ZIP's
one file — read by pyarrow's CSV reader (pandas' C parser where pyarrow refuses), XLSX/XLS/ODS workbooks through
calamine, SPSS .sav through pyreadstat; encoding, delimiter, header rows, blank cells.

Shared by the survey and CRM readers. The file is only read, never modified. Every problem a user can fix
(missing file, empty file, wrong encoding, wrong delimiter, missing sheet) raises ``InputFileError`` naming
the file and the fix.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import re
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from alignkit.errors import InputFileError, close_matches
from alignkit.ingest.damage import HEAD_BYTES, cut_note, cut_record, refuse_binary
from alignkit.ingest.sniff import (
    CONTAINER_WORDS,
    SAMPLE_BYTES,
    container_note,
    decoding_encodings,
    detect_container,
    mixed_encoding_offset,
    sniff_delimiter,
    sniff_encoding,
    text_sample,
    zip_member,
)

FILE_FIX = "check the `file:` setting in alignkit.yml (paths are relative to the folder holding alignkit.yml)"

TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".dat", ".tab", ".xlsx", ".xlsm", ".xls", ".ods", ".gz", ".zip", ".sav")
DELIMITER_FIX = "set `delimiter:` for this input in alignkit.yml (e.g. ';' or '\\t'), or check the quoting"
DATE_FORMATS = (
    "ISO8601",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
)  # tried in turn; the one that parses most values wins
NUMBER_PATTERN = r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
# Numbers written with a decimal comma ("1.183,5", "-36,4"): told from thousands separators ("1,200") by a value
# that reads only one way (a comma before one, two or four+ digits, or a dot-thousands group before a comma).
DECIMAL_COMMA_PATTERN = r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"
CURRENCY_SIGN = r"^[$€£¥]\s?|\s?[$€£¥]$"
_ONLY_DECIMAL_COMMA = r"(?:,\d{1,2}|,\d{4,}|\.\d{3},\d+)$"
_ONLY_DECIMAL_POINT = r"(?:\.\d{1,2}|\.\d{4,}|,\d{3}\.\d+)$"
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def content_hash(path: Path) -> str:
    """Return the first 16 hex characters of the SHA-256 of the file's bytes (enough to tell inputs apart)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def to_snake_case(name: str) -> str:
    """Return ``name`` as snake_case: accents folded, punctuation to '_', lower case; never empty ("column").

    A name without spaces is also split at camelCase boundaries ("ResponseId" -> "response_id",
    "IPAddress" -> "ip_address"); a name with spaces is not ("HubSpot Score" -> "hubspot_score").
    """
    text = unicodedata.normalize("NFKD", str(name).replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).strip()
    if not re.search(r"\s", text):
        text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
        text = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", text)
    text = re.sub(r"[\W_]+", "_", text.lower()).strip("_")
    return text or "column"


def read_export(
    path: Path, *, header_rows: int = 1, encoding: str = "auto", delimiter: str = "auto", sheet: str | int | None = None
) -> tuple[list[list[str]], pd.DataFrame]:
    """Return the header rows (each a list of strings, '' for blank cells) and the data rows as a frame of
    `str` dtype with NA for blank cells; columns are the first header row, made unique ('x', 'x.1') and stripped of
    whitespace and a UTF-8 BOM. Rows that are entirely blank are KEPT (as all-NA rows) so cleaning can count them.

    A blank header cell is named ``column_<position>`` (1-based). ``.csv``/``.tsv``/``.txt`` are read as
    delimited text, ``.xlsx``/``.xlsm``/``.xls`` as a workbook (``sheet`` by name or 0-based index; first by default).
    """
    path = Path(path)
    if header_rows < 1:
        raise ValueError(f"header_rows must be at least 1, got {header_rows}")
    check_input_file(path)
    container = detect_container(path)
    if container in ("xlsx", "xls", "ods"):
        rows = _read_excel(path, sheet=sheet)
    elif container == "sav":
        rows = _read_sav(path)
    elif container == "text" and path.suffix.lower() not in TEXT_SUFFIXES:
        raise InputFileError(
            path,
            f"has an unsupported file type {path.suffix or '(none)'!r}.",
            fix="export it as .csv, .tsv, .txt or .xlsx (survey exports may also be SPSS .sav)",
        )
    elif container in ("text", "gzip", "zip"):
        rows = _read_delimited(path, encoding=encoding, delimiter=delimiter, container=container)
    else:  # pragma: no cover - detect_container returns one of the above
        raise InputFileError(
            path,
            f"has an unsupported file type {path.suffix or '(none)'!r}.",
            fix="export it as .csv, .tsv, .txt or .xlsx (survey exports may also be SPSS .sav)",
        )
    rows.attrs["container_note"] = container_note(path)
    if container in ("text", "gzip", "zip"):
        _refuse_quoted_lines(path, rows)
    return _split_header(path, rows, header_rows)


QUOTED_LINE_SEPARATORS = (";", "\t", "|", ",")


def _refuse_quoted_lines(path: Path, rows: pd.DataFrame) -> None:
    """Raise InputFileError when every line of a text export was read as one cell holding another delimiter's
    fields ("age;""job"";…"): the file was quoted a second time when re-saved, and no column can be read from it."""
    if rows.shape[1] != 1 or rows.empty:
        return
    first = rows.iloc[:20, 0].dropna().astype("str")
    for separator in QUOTED_LINE_SEPARATORS:
        counts = first.str.count(re.escape(separator))
        if len(first) and counts.min() >= 2 and counts.nunique() == 1:
            shown = {"\t": "tab"}.get(separator, separator)
            raise InputFileError(
                path,
                f"every line is one quoted cell holding {shown!r}-separated fields (e.g. "
                f"{first.iloc[0][:60]!r}…): the file was quoted a second time when it was "
                "re-saved, so no column can be read.",
                fix="export the data again as plain CSV from its source (or open it in a spreadsheet "
                "and save it as CSV)",
            )


def check_input_file(path: Path) -> None:
    """Return None if ``path`` is an existing, non-empty file; raise InputFileError saying what is wrong otherwise."""
    path = Path(path)
    if path.is_dir():
        raise InputFileError(path, "is a folder, not a file.", fix=FILE_FIX + "; name the export file itself")
    if not path.exists():
        folder = path.parent
        if folder.is_dir():
            names = sorted(p.name for p in folder.iterdir() if p.is_file())
            near = close_matches(path.name, names)
            where = (
                " Files with close names in that folder: " + ", ".join(repr(n) for n in near) + "."
                if near
                else f" The folder {str(folder)!r} holds {len(names)} file(s), none with a close name."
            )
        else:
            where = f" Its folder {str(folder)!r} does not exist either."
        raise InputFileError(path, "does not exist." + where, fix=FILE_FIX)
    if path.stat().st_size == 0:
        raise InputFileError(path, "is empty (0 bytes).", fix="export the data again; the file holds nothing")
    if detect_container(path) == "text":
        with path.open("rb") as handle:
            refuse_binary(path, handle.read(HEAD_BYTES))


def _encoding_of(path: Path, sample: bytes, encoding: str) -> str:
    """Return the encoding to read with: the project file's, checked on the sample, else the sniffed one."""
    if encoding.lower() == "auto":
        offset = mixed_encoding_offset(sample)
        if offset is not None:
            line = sample[:offset].count(b"\n") + 1
            raise InputFileError(
                path,
                f"mixes UTF-8 text with another encoding: byte offset {offset} (line {line}) "
                f"holds {sample[offset : offset + 1]!r}, which is not UTF-8, after accented letters "
                "that are.",
                fix="re-export the file as UTF-8, or set `encoding: cp1252` for this "
                "input in alignkit.yml if most of it was written by Excel",
                setting=("encoding", "cp1252"),
            ) from None
        return sniff_encoding(sample)
    try:
        sample.decode(encoding)
    except LookupError:
        raise InputFileError(
            path,
            f"cannot be read: {encoding!r} is not a known text encoding.",
            fix="set `encoding:` to e.g. utf-8, cp1252 or latin-1 in alignkit.yml",
        ) from None
    except UnicodeDecodeError as exc:
        if not (exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"):
            works = [e for e in decoding_encodings(sample) if e != encoding]
            raise InputFileError(
                path,
                f"is not valid {encoding} text (byte {exc.start}: {sample[exc.start : exc.start + 1]!r}).",
                fix=f"set `encoding: {works[0] if works else 'auto'}` for this input in alignkit.yml "
                f"(it decodes the file), or `auto`",
                setting=("encoding", works[0] if works else "auto"),
            ) from None
    return encoding


def _open_text(path: Path, container: str, *, limit: int | None = None):
    """Return the text's byte stream (the file, its gzip stream or its ZIP's one file); with `limit`, an in-memory
    stream of its first `limit` bytes (a file cut off inside its last record is read without that record)."""
    if limit is not None:
        with _open_text(path, container) as handle:
            return io.BytesIO(handle.read(limit))
    if container == "gzip":
        return gzip.open(path, "rb")
    if container == "zip":
        archive = zipfile.ZipFile(path)
        return archive.open(zip_member(archive))
    return open(path, "rb")


def _read_delimited(path: Path, *, encoding: str, delimiter: str, container: str = "text") -> pd.DataFrame:
    try:
        sample = text_sample(path, container)
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise InputFileError(
            path,
            f"cannot be read as {CONTAINER_WORDS[container]}: {exc}.",
            fix="unpack it and point `file:` at the export inside",
        ) from None
    if container != "text":
        refuse_binary(path, sample[:HEAD_BYTES], container=CONTAINER_WORDS[container])
    encoding = _encoding_of(path, sample, encoding)
    text = sample.decode(encoding, errors="ignore")
    if not text.strip().strip("\ufeff"):
        raise InputFileError(path, "is empty (only blank lines).", fix="export the data again; the file holds nothing")
    if delimiter.lower() == "auto":
        sep = sniff_delimiter(text, suffix=path.suffix.lower())
    else:
        sep = _DELIMITER_NAMES.get(delimiter.lower(), delimiter)
        if len(sep) != 1:
            raise InputFileError(
                path, f"cannot be split with delimiter {delimiter!r}: a delimiter is one character.", fix=DELIMITER_FIX
            )
    try:
        columns = len(next(csv.reader([text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")], delimiter=sep), []))
    except csv.Error as exc:
        raise InputFileError(
            path, f"cannot be parsed as {sep!r}-delimited text: its header line {exc}.", fix=DELIMITER_FIX
        ) from None
    cut = None
    if not encoding.lower().startswith(("utf-16", "utf-32", "utf16", "utf32")):  # quotes and line ends are bytes
        with _open_text(path, container) as handle:
            cut = cut_record(iter(lambda: handle.read(1 << 20), b""), encoding=encoding, delimiter=sep, fields=columns)
    limit = cut.keep_bytes if cut is not None else None
    try:
        frame = _read_with_arrow(path, container, encoding=encoding, sep=sep, columns=columns, limit=limit)
        frame.attrs["cut"] = cut
        return frame
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError):
        pass  # ragged rows, odd quoting: pandas' C parser reads what pyarrow refuses, more slowly
    try:
        with _open_text(path, container, limit=limit) as handle:
            frame = pd.read_csv(
                handle,
                sep=sep,
                header=None,
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
                skip_blank_lines=False,
                index_col=False,
                engine="c",
                encoding_errors="strict",
            )
    except UnicodeDecodeError as exc:
        works = decoding_encodings(path.read_bytes()[: 4 * SAMPLE_BYTES]) if container == "text" else []
        other = next((w for w in works if w != encoding), "cp1252")
        raise InputFileError(
            path,
            f"is not valid {encoding} text ({exc.reason} at byte {exc.start} of a block).",
            fix=f"set `encoding: {other}` for this input in alignkit.yml",
            setting=("encoding", other),
        ) from None
    except pd.errors.EmptyDataError:
        raise InputFileError(path, "is empty (no header row).", fix="export the data again with its header") from None
    except pd.errors.ParserError as exc:
        raise InputFileError(
            path,
            f"cannot be parsed as {sep!r}-delimited text: {exc}".rstrip() + ".",
            fix=DELIMITER_FIX,
            setting=("delimiter", ";" if sep != ";" else "tab"),
        ) from None
    frame.attrs["cut"] = cut
    return frame


def _read_with_arrow(
    path: Path, container: str, *, encoding: str, sep: str, columns: int, limit: int | None = None
) -> pd.DataFrame:
    """Return the file's rows as text through pyarrow's multithreaded CSV reader (blank cells as NA); with `limit`,
    of its first `limit` bytes only."""
    names = [f"c{i}" for i in range(columns)]
    # A plain file is opened by Arrow itself: a Python file object read by Arrow's thread pool can abort the
    # interpreter at exit (apache/arrow#34314, #50482); archives still come through Python's gzip and zipfile, and
    # a cut-off file's complete records come from memory as an Arrow buffer.
    if limit is not None:
        with _open_text(path, container, limit=limit) as memory:
            source = contextlib.nullcontext(pa.BufferReader(memory.getvalue()))
    else:
        source = contextlib.nullcontext(str(path)) if container == "text" else _open_text(path, container)
    with source as handle:
        # Read as large_string (pandas' own storage: no cast on the way in); empty cells become null while parsing.
        table = pacsv.read_csv(
            handle,
            read_options=pacsv.ReadOptions(
                column_names=names, encoding=encoding.replace("utf-8-sig", "utf-8"), block_size=1 << 22
            ),  # 4 MiB: measured faster than 16 MiB (1.8 s vs 3.0 s on 1M rows)
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    blank = pa.scalar(None, pa.large_string())
    arrays = []
    for array in table.columns:
        spaces = pc.utf8_is_space(array)  # a cell of spaces only is blank too; rare, so checked before copying
        arrays.append(pc.if_else(spaces, blank, array) if pc.any(spaces).as_py() else array)
    frame = pa.table(arrays, names=names).to_pandas(
        types_mapper={pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get
    )
    frame.columns = range(columns)
    if len(frame) and isinstance(frame.iat[0, 0], str):
        frame.iat[0, 0] = frame.iat[0, 0].lstrip("\ufeff")
    frame.attrs["blanks_masked"] = True
    return frame


def _read_sav(path: Path) -> pd.DataFrame:
    """Return an SPSS .sav file's rows as text (value labels applied), its variable names as the first row."""
    import pyreadstat

    data, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    body = data.astype("string").astype(object).where(data.notna(), None)
    return pd.DataFrame([list(data.columns), *body.to_numpy().tolist()]).astype(object)


def _read_excel(path: Path, *, sheet: str | int | None) -> pd.DataFrame:
    try:
        # keep_default_na=False: "N/A" or "NA" in a cell is a token that cleaning counts, not a value pandas drops
        # unseen
        return pd.read_excel(
            path,
            sheet_name=0 if sheet is None else sheet,
            header=None,
            dtype=str,
            engine="calamine",
            keep_default_na=False,
        )
    except ImportError as exc:
        raise InputFileError(
            path, f"cannot be read: {exc}.", fix="save the workbook as .xlsx and point `file:` at it"
        ) from None
    except (ValueError, IndexError, KeyError) as exc:
        if "not found" in str(exc) or "is invalid" in str(exc) or isinstance(exc, IndexError):
            names = _sheet_names(path)
            raise InputFileError(
                path,
                f"has no sheet {sheet!r}. Sheets: {', '.join(map(repr, names))}.",
                fix="set `sheet:` to one of these names (or a 0-based index) in alignkit.yml",
            ) from None
        raise InputFileError(
            path, f"cannot be read as a workbook: {exc}.", fix="open it in Excel and save as .xlsx"
        ) from None
    except Exception as exc:  # corrupt zip, not a workbook at all, ...
        raise InputFileError(
            path,
            f"cannot be read as a workbook ({type(exc).__name__}: {exc}).",
            fix="open it in Excel and save as .xlsx, or export as CSV",
        ) from None


def _sheet_names(path: Path) -> list[str]:
    try:
        with pd.ExcelFile(path, engine="calamine") as book:
            return list(book.sheet_names)
    except Exception:
        return []


def _cell(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value).replace("\ufeff", "").strip()


def unique_names(names: list[str]) -> list[str]:
    """Return ``names`` made unique the pandas way: a repeat of 'x' becomes 'x.1', then 'x.2'."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, k = name, 0
        while candidate in seen:
            k += 1
            candidate = f"{name}.{k}"
        seen.add(candidate)
        out.append(candidate)
    return out


def _split_header(path: Path, rows: pd.DataFrame, header_rows: int) -> tuple[list[list[str]], pd.DataFrame]:
    if rows.shape[0] == 0 or rows.shape[1] == 0:
        raise InputFileError(path, "is empty (no header row).", fix="export the data again with its header")
    header = [[_cell(v) for v in rows.iloc[i].tolist()] for i in range(min(header_rows, len(rows)))]
    if not any(header[0]):
        raise InputFileError(
            path,
            "is empty or has no header: its first row is blank.",
            fix="remove the blank lines above the header, or export the data again with its header",
        )
    if len(rows) < header_rows:
        raise InputFileError(
            path,
            f"has {len(rows)} row(s) but {header_rows} header rows were expected.",
            fix="check the `format:` of this input in alignkit.yml, or export it again",
        )
    named = [h or f"column_{i + 1}" for i, h in enumerate(header[0])]
    columns = unique_names(named)
    data = rows.iloc[header_rows:].reset_index(drop=True)
    data.columns = columns
    if not rows.attrs.get("blanks_masked"):
        data = data.astype("str")
        for column in columns:
            values = data[column]
            data[column] = values.mask(values.str.strip().eq(""))
    data.attrs["container_note"] = rows.attrs.get("container_note")
    data.attrs["renamed_columns"] = [(n, c) for n, c in zip(named, columns) if n != c]
    cut = rows.attrs.get("cut")
    data.attrs["cut_note"] = cut_note(path.name, cut, data_row=len(data) + 1) if cut is not None else None
    return header, data


def decimal_comma(text: pd.Series) -> bool:
    """Return whether a column's numbers are written with a decimal comma: 95% of its values fit "1.183,5" /
    "-36,4", one reads only that way, and none reads only with a decimal point ("12.5")."""
    present = text.dropna().astype("str").str.strip()
    present = present[present != ""]
    if present.empty or not present.str.contains(",", regex=False).any():
        return False
    fits = present.str.fullmatch(DECIMAL_COMMA_PATTERN).fillna(False)
    return bool(
        fits.mean() >= 0.95
        and present.str.contains(_ONLY_DECIMAL_COMMA).any()
        and not present.str.contains(_ONLY_DECIMAL_POINT).any()
    )


def from_decimal_comma(text: pd.Series) -> pd.Series:
    """Return "1.183,5"-style numbers rewritten as "1183.5" (dots dropped, the comma made the decimal point)."""
    return text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)


def parse_numbers(values: pd.Series) -> tuple[pd.Series, int, float]:
    """Return the text values as Float64 (NA where not a number), the count of non-blank non-numbers and the
    share of non-blank values that are numbers. Accepts "1,200" (thousands separators), "12.5", "-3", "1e3", a
    currency sign before or after ("$84,835.00", "12,50 €") and a column written with decimal commas ("1.183,5")."""
    text = values.astype("str").str.strip()
    if text.str.contains(CURRENCY_SIGN, regex=True).any():
        text = text.str.replace(CURRENCY_SIGN, "", regex=True).str.strip()  # "$84,835.00 ", "€ 12,50"
    if decimal_comma(text):
        text = from_decimal_comma(text)
    ok = text.str.fullmatch(NUMBER_PATTERN).fillna(False).astype(bool)
    numbers = pd.to_numeric(text.where(ok).str.replace(",", "", regex=False), errors="coerce").astype("Float64")
    present = int(text.notna().sum())
    return numbers, present - int(ok.sum()), (int(ok.sum()) / present if present else 0.0)


def parse_datetimes(values: pd.Series) -> pd.Series:
    """Return the values as datetime64 (offsets converted to UTC, then naive); what does not parse is NaT."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_convert(None) if getattr(values.dt, "tz", None) else values
    text = values.astype("str").str.strip()
    best, best_n = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]"), 0
    for fmt in DATE_FORMATS:
        try:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True).dt.tz_convert(None)
        except (ValueError, TypeError, OverflowError):
            continue
        if int(parsed.notna().sum()) > best_n:
            best, best_n = parsed, int(parsed.notna().sum())
        if best_n == int(text.notna().sum()):
            break
    left = text.notna() & best.isna()
    if left.any():
        try:
            rest = pd.to_datetime(text[left], format="mixed", errors="coerce", utc=True).dt.tz_convert(None)
            best = best.where(~left, rest.reindex(best.index)).astype(best.dtype)
        except (ValueError, TypeError, OverflowError):
            pass
    return best


def parse_bools(values: pd.Series) -> pd.Series:
    """Return True/False/1/0/yes/no values as the nullable boolean dtype (anything else NA)."""
    words = {"true": True, "1": True, "1.0": True, "yes": True, "false": False, "0": False, "0.0": False, "no": False}
    return values.map(lambda v: None if pd.isna(v) else words.get(str(v).strip().casefold())).astype("boolean")
