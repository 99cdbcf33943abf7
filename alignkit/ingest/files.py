"""Reading one export file robustly (CSV/TSV/TXT or XLSX): encoding, delimiter, header rows, blank cells.

Shared by the survey and CRM readers. The file is only read, never modified. Every problem a user can fix
(missing file, empty file, wrong encoding, wrong delimiter, missing sheet) raises ``InputFileError`` naming
the file and the fix.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from pathlib import Path

import pandas as pd

from alignkit.errors import InputFileError, close_matches

DELIMITED_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SNIFF_CHARS = 64 * 1024
CANDIDATE_DELIMITERS = ",;\t|"
FILE_FIX = "check the `file:` setting in alignkit.yml (paths are relative to the folder holding alignkit.yml)"
ENCODING_FIX = "set `encoding: cp1252` (or latin-1) for this input in alignkit.yml"
DELIMITER_FIX = "set `delimiter:` for this input in alignkit.yml (e.g. ';' or '\\t'), or check the quoting"
DATE_FORMATS = ("ISO8601", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
                "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M:%S",
                "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y")   # tried in turn; the one that parses most values wins
NUMBER_PATTERN = r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
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


def read_export(path: Path, *, header_rows: int = 1, encoding: str = "auto", delimiter: str = "auto",
                sheet: str | int | None = None) -> tuple[list[list[str]], pd.DataFrame]:
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
    suffix = path.suffix.lower()
    if suffix in DELIMITED_SUFFIXES:
        rows = _read_delimited(path, encoding=encoding, delimiter=delimiter)
    elif suffix in EXCEL_SUFFIXES:
        rows = _read_excel(path, sheet=sheet)
    else:
        raise InputFileError(path, f"has an unsupported file type {suffix or '(none)'!r}.",
                             fix="export it as .csv, .tsv, .txt or .xlsx (survey exports may also be SPSS .sav)")
    return _split_header(path, rows, header_rows)


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
            where = (" Files with close names in that folder: " + ", ".join(repr(n) for n in near) + "."
                     if near else f" The folder {str(folder)!r} holds {len(names)} file(s), none with a close name.")
        else:
            where = f" Its folder {str(folder)!r} does not exist either."
        raise InputFileError(path, "does not exist." + where, fix=FILE_FIX)
    if path.stat().st_size == 0:
        raise InputFileError(path, "is empty (0 bytes).", fix="export the data again; the file holds nothing")


def _decode(path: Path, raw: bytes, encoding: str) -> str:
    if encoding.lower() != "auto":
        try:
            return raw.decode(encoding)
        except LookupError:
            raise InputFileError(path, f"cannot be read: {encoding!r} is not a known text encoding.",
                                 fix="set `encoding:` to e.g. utf-8, cp1252 or latin-1 in alignkit.yml") from None
        except UnicodeDecodeError as exc:
            raise InputFileError(path, f"is not valid {encoding} text (byte {exc.start}: {raw[exc.start:exc.start + 1]!r}).",
                                 fix="set `encoding:` to the file's real encoding in alignkit.yml, or `auto`") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputFileError(path, f"is not valid {encoding} text: byte offset {exc.start} (line {line}) holds "
                             f"{raw[exc.start:exc.start + 1]!r}, which suggests a Windows/Excel encoding.",
                             fix=ENCODING_FIX) from None


def _sniff_delimiter(text: str, suffix: str) -> str:
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[:sample.rfind("\n")]
    first_line = sample.split("\n", 1)[0]
    try:
        found = csv.Sniffer().sniff(sample, delimiters=CANDIDATE_DELIMITERS).delimiter
    except csv.Error:
        found = None
    if found and found in first_line:
        return found
    counts = {d: _count_unquoted(first_line, d) for d in CANDIDATE_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] > 0:
        return best
    return "\t" if suffix == ".tsv" else ","


def _count_unquoted(line: str, char: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == char and not quoted:
            count += 1
    return count


def _read_delimited(path: Path, *, encoding: str, delimiter: str) -> pd.DataFrame:
    text = _decode(path, path.read_bytes(), encoding)
    if not text.strip().strip("\ufeff"):
        raise InputFileError(path, "is empty (only blank lines).", fix="export the data again; the file holds nothing")
    if delimiter.lower() == "auto":
        sep = _sniff_delimiter(text, path.suffix.lower())
    else:
        sep = _DELIMITER_NAMES.get(delimiter.lower(), delimiter)
        if len(sep) != 1:
            raise InputFileError(path, f"cannot be split with delimiter {delimiter!r}: a delimiter is one character.",
                                 fix=DELIMITER_FIX)
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
                           skip_blank_lines=False, index_col=False, engine="c")
    except pd.errors.EmptyDataError:
        raise InputFileError(path, "is empty (no header row).", fix="export the data again with its header") from None
    except pd.errors.ParserError as exc:
        raise InputFileError(path, f"cannot be parsed as {sep!r}-delimited text: {exc}".rstrip() + ".",
                             fix=DELIMITER_FIX) from None


def _read_excel(path: Path, *, sheet: str | int | None) -> pd.DataFrame:
    try:
        return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=None, dtype=str)
    except ImportError as exc:
        raise InputFileError(path, f"cannot be read: {exc}.", fix="save the workbook as .xlsx and point `file:` at it") from None
    except (ValueError, IndexError, KeyError) as exc:
        if "not found" in str(exc) or "is invalid" in str(exc) or isinstance(exc, IndexError):
            names = _sheet_names(path)
            raise InputFileError(path, f"has no sheet {sheet!r}. Sheets: {', '.join(map(repr, names))}.",
                                 fix="set `sheet:` to one of these names (or a 0-based index) in alignkit.yml") from None
        raise InputFileError(path, f"cannot be read as a workbook: {exc}.", fix="open it in Excel and save as .xlsx") from None
    except Exception as exc:  # corrupt zip, not a workbook at all, ...
        raise InputFileError(path, f"cannot be read as a workbook ({type(exc).__name__}: {exc}).",
                             fix="open it in Excel and save as .xlsx, or export as CSV") from None


def _sheet_names(path: Path) -> list[str]:
    try:
        with pd.ExcelFile(path) as book:
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
        raise InputFileError(path, "is empty or has no header: its first row is blank.",
                             fix="remove the blank lines above the header, or export the data again with its header")
    if len(rows) < header_rows:
        raise InputFileError(path, f"has {len(rows)} row(s) but {header_rows} header rows were expected.",
                             fix="check the `format:` of this input in alignkit.yml, or export it again")
    columns = unique_names([h or f"column_{i + 1}" for i, h in enumerate(header[0])])
    data = rows.iloc[header_rows:].reset_index(drop=True)
    data.columns = columns
    data = data.astype("str")
    for column in columns:
        values = data[column]
        data[column] = values.mask(values.str.strip().eq(""))
    return header, data


def parse_numbers(values: pd.Series) -> tuple[pd.Series, int, float]:
    """Return the text values as Float64 (NA where not a number), the count of non-blank non-numbers and the
    share of non-blank values that are numbers. Accepts "1,200" (thousands separators), "12.5", "-3", "1e3"."""
    text = values.astype("str").str.strip()
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
