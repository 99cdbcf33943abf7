"""What a file is, by its bytes rather than its name: the container (text, an XLSX/XLS/ODS workbook, a ZIP or gzip
holding one text file, an SPSS .sav), and for text its encoding and delimiter, sniffed on a sample.

An export named ``leads.csv`` that is really a workbook is read as the workbook it is, and the cleaning log says so,
instead of failing with advice about text encodings. The encoding comes from the byte-order mark, else UTF-8 when
the sample decodes as UTF-8, else charset-normalizer's best guess; the delimiter from csv.Sniffer on the sample's
whole lines, checked against the header line.
"""

from __future__ import annotations

import csv
import gzip
import re
import zipfile
from pathlib import Path

from charset_normalizer import from_bytes

SAMPLE_BYTES = 1 << 20  # encoding and delimiter are decided on the first MiB
CANDIDATE_DELIMITERS = ",;\t|"
CONTAINERS = ("text", "xlsx", "xls", "ods", "zip", "gzip", "sav")
CONTAINER_WORDS = {
    "xlsx": "an XLSX workbook",
    "xls": "an Excel 97–2003 workbook",
    "ods": "an OpenDocument spreadsheet",
    "zip": "a ZIP archive",
    "gzip": "a gzip-compressed file",
    "sav": "an SPSS .sav data file",
    "text": "a text file",
}
SUFFIX_CONTAINERS = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
    ".zip": "zip",
    ".gz": "gzip",
    ".sav": "sav",
    ".zsav": "sav",
}


def detect_container(path: Path) -> str:
    """Return the container of `path` from its first bytes: 'xlsx', 'ods', 'zip' (another ZIP), 'xls', 'gzip',
    'sav' or 'text'."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
                    return "ods"
        except zipfile.BadZipFile:
            return "zip"  # a broken archive: reading it says so
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith((b"$FL2", b"$FL3")):
        return "sav"
    return "text"


def container_note(path: Path) -> str | None:
    """Return a sentence when the file is not what its name says ("leads.csv is an XLSX workbook, not a text file
    as its name says: read as one"), else None."""
    found, named = detect_container(path), expected_container(path)
    if found == named or (found in ("xlsx", "ods") and named in ("xlsx", "ods")):
        return None
    return f"{path.name} is {CONTAINER_WORDS[found]}, not {CONTAINER_WORDS[named]} as its name says: read as one"


def expected_container(path: Path) -> str:
    """Return the container the file's name promises ('text' for .csv, .tsv, .txt and anything unknown)."""
    suffix = path.suffix.lower()
    return SUFFIX_CONTAINERS.get(suffix, "text")


def text_sample(path: Path, container: str, size: int = SAMPLE_BYTES) -> bytes:
    """Return the first `size` bytes of the text inside `path` (itself, the gzip stream, or a ZIP's only file)."""
    if container == "gzip":
        with gzip.open(path, "rb") as handle:
            return handle.read(size)
    if container == "zip":
        with zipfile.ZipFile(path) as archive, archive.open(zip_member(archive)) as handle:
            return handle.read(size)
    with open(path, "rb") as handle:
        return handle.read(size)


def zip_member(archive: zipfile.ZipFile) -> str:
    """Return the name of the one data file in a ZIP (folders and macOS resource files ignored)."""
    names = [n for n in archive.namelist() if not n.endswith("/") and not n.startswith("__MACOSX/")]
    if len(names) != 1:
        raise ValueError(f"holds {len(names)} files ({', '.join(names[:5])}); one export file is expected")
    return names[0]


_CJK = frozenset(
    {
        "big5",
        "big5hkscs",
        "cp950",
        "gb2312",
        "gbk",
        "gb18030",
        "hz",
        "shift_jis",
        "cp932",
        "euc_jp",
        "euc_jis_2004",
        "euc_jisx0213",
        "shift_jis_2004",
        "shift_jisx0213",
        "iso2022_jp",
        "euc_kr",
        "cp949",
        "johab",
        "iso2022_kr",
    }
)


def sniff_encoding(sample: bytes) -> str:
    """Return the text encoding of `sample`: from its byte-order mark, else 'utf-8' when it decodes as UTF-8 (a
    character cut at the sample's end is allowed), else charset-normalizer's best guess, else 'cp1252'."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    best = from_bytes(sample[: 256 * 1024]).best()
    guess = best.encoding if best is not None else "cp1252"
    # On a short sample a few accented Latin letters read as two CJK characters just as well; an export that
    # cp1252 decodes and that is too short to tell is Excel's Western text far more often.
    if guess in _CJK and len(sample) < 64 * 1024 and _decodes(sample, "cp1252"):
        return "cp1252"
    # charset-normalizer names Windows-1252 text 'cp1252' or a Latin-1 relative; cp1252 decodes both the same way
    # for text, and also the curly quotes and euro sign that Excel writes.
    return "cp1252" if guess in ("latin_1", "iso8859_15", "cp1250") and _decodes(sample, "cp1252") else guess


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        sample.decode(encoding)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def mixed_encoding_offset(sample: bytes) -> int | None:
    """Return the offset of the first byte that is not UTF-8 in a sample that also holds valid UTF-8 accented
    characters (a file pasted together from two encodings), else None."""
    try:
        sample.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return None
        return exc.start if _UTF8_MULTIBYTE.search(sample[: exc.start]) else None


def decoding_encodings(sample: bytes, candidates: tuple[str, ...] = ("utf-8", "cp1252", "latin-1")) -> list[str]:
    """Return the candidate encodings that decode `sample` without error (latin-1 always does)."""
    return [c for c in candidates if _decodes(sample, c)]


def sniff_delimiter(text: str, *, suffix: str = ".csv") -> str:
    """Return the delimiter of delimited `text` (a sample): csv.Sniffer on its whole lines when the header line
    holds what it finds, else the candidate found most often outside quotes in the header, else by the suffix."""
    sample = text[: 64 * 1024]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
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
