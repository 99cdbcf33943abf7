"""Exports that are damaged or not exports at all, told by their bytes: a file that is not text (a PDF, an image,
a database, random bytes named `.csv`), and a text export cut off inside its last record (a download that
stopped: no final line end and fewer fields than the header, a quoted value never closed, a multi-byte character
cut in half).

A cut-off record is never read as data: the readers stop before it, and the cleaning log, `alignkit validate` and
`alignkit init --from` say which line was left out and why. Only the last record is judged: a file cut at a line
end looks complete, and nothing in its bytes can say otherwise.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from alignkit.errors import InputFileError

HEAD_BYTES = 8192  # what a file is, is decided on its first 8 KiB
TAIL_BYTES = 1 << 16  # the last record is looked for in the last 64 KiB
CONTROL_SHARE = 0.1  # text holds almost no control bytes besides tab, line ends and form feed

# First bytes of the binary formats an export folder is likely to hold by mistake.
MAGIC_NUMBERS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PAR1", "a Parquet data file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"ARROW1", "an Arrow/Feather data file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program"),
    (b"{\\rtf", "an RTF document"),
)
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x1a")  # tab, line ends, form feed, and the DOS end-of-file mark
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def binary_kind(head: bytes) -> str | None:
    """Return what a file that is not text looks like ("a PDF document", "binary data: 31 NUL bytes …") from its
    first bytes, or None when they read as text (UTF-16 included)."""
    for magic, name in MAGIC_NUMBERS:
        if head.startswith(magic) and (magic != b"MZ" or b"\x00" in head[:64]):
            return name
    head = head[:HEAD_BYTES]
    if not head or head.startswith(_UTF16_BOMS) or _utf16_without_bom(head):
        return None
    nul = head.count(b"\x00")
    controls = sum(1 for byte in head if byte < 32 and byte not in _TEXT_CONTROLS) + head.count(b"\x7f")
    if nul or controls / len(head) > CONTROL_SHARE:
        return (
            f"binary data ({nul:,} NUL byte(s) and {controls / len(head):.0%} control bytes in its first "
            f"{len(head):,} bytes)"
        )
    return None


def _utf16_without_bom(head: bytes) -> bool:
    """Return whether the bytes look like UTF-16 text without a byte-order mark (ASCII with a NUL every other byte)."""
    even, odd = head[0::2], head[1::2]
    return len(head) >= 16 and (odd.count(0) > 0.9 * len(odd) or even.count(0) > 0.9 * len(even))


@dataclass(frozen=True)
class CutRecord:
    """The incomplete last record of a text export: where the complete records end, its line, and why."""

    keep_bytes: int  # the bytes before the incomplete record (the file is read up to here)
    line: int  # 1-based line of the file where the incomplete record starts
    reason: str  # "ends without a line end after 3 of 6 fields", …


def cut_record(chunks: Iterable[bytes], *, encoding: str, delimiter: str, fields: int) -> CutRecord | None:
    """Return the incomplete last record of the text streamed in `chunks` (a file's bytes, in order), or None when
    the last record is complete. `fields` is the header's field count. Only for encodings where ASCII is one byte
    (UTF-8, cp1252, Latin-1 …): the quote and line-end bytes are then the characters themselves."""
    quotes = newlines = size = 0
    tail = b""
    for chunk in chunks:
        quotes += chunk.count(b'"')
        newlines += chunk.count(b"\n")
        size += len(chunk)
        tail = (tail + chunk)[-TAIL_BYTES:]
    if not tail:
        return None
    start = size - len(tail)
    inside = (quotes - tail.count(b'"')) % 2 == 1  # inside a quoted value where the tail starts
    boundary = None if inside else 0  # offset in the tail where the last record starts
    for offset, byte in enumerate(tail):
        if byte == 0x22:
            inside = not inside
        elif byte == 0x0A and not inside:
            boundary = offset + 1
    if boundary is None:  # one quoted value longer than the tail: no record boundary seen
        boundary = 0
    last = tail[boundary:]
    line = newlines - tail[boundary:].count(b"\n") + 1
    if not last.strip(b"\r\n\x1a ") and not inside:
        return None
    cut_character = encoding.lower().replace("_", "-").startswith("utf-8") and _ends_mid_character(last)
    text = last.decode(encoding, errors="replace").rstrip("\r\n")
    if inside and last.endswith(b"\n") and _whole_line(last, encoding, delimiter, fields):
        return None  # an odd quote earlier in the file (a stray inch sign), not a value left open at the end
    if inside:
        reason = "ends inside a quoted value that is never closed (an unterminated quote)"
    elif cut_character:
        reason = "ends in the middle of a character (its last bytes are half of a UTF-8 character)"
    else:
        found = len(next(csv.reader([text], delimiter=delimiter), []))
        if found >= fields or last.endswith(b"\n"):
            return None
        reason = f"ends without a line end after {found} of the header's {fields} fields"
    return CutRecord(keep_bytes=start + boundary, line=line, reason=reason)


def _whole_line(last: bytes, encoding: str, delimiter: str, fields: int) -> bool:
    """Return whether the file's last line, read on its own, is a whole record (all fields, quotes closed)."""
    line = last.rstrip(b"\r\n").rsplit(b"\n", 1)[-1]
    text = line.decode(encoding, errors="replace")
    return line.count(b'"') % 2 == 0 and len(next(csv.reader([text], delimiter=delimiter), [])) == fields


def _ends_mid_character(data: bytes) -> bool:
    """Return whether `data` ends with the first bytes of a UTF-8 character whose last bytes are missing."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:  # a continuation byte: look further back for the lead byte
            continue
        need = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4 if byte & 0xF8 == 0xF0 else 1
        return need > back
    return False


def cut_note(file_name: str, cut: CutRecord, data_row: int) -> str:
    """Return the sentence that says a file was cut off: its line and data row, why, and that it was left out."""
    return (
        f"{file_name} looks cut off: its last record (line {cut.line}, data row {data_row:,}) {cut.reason}; "
        "that incomplete row was left out, not read as data — export the file again if rows are missing"
    )


NOT_TEXT_FIX = "export the data again as CSV (or XLSX) from its source, and use that file"


def refuse_binary(path: Path, head: bytes, *, container: str = "") -> None:
    """Return None when `head` (a file's first bytes) reads as text; raise InputFileError saying what the file looks
    like otherwise (a PDF, an SQLite database, binary data), instead of advice about text encodings."""
    kind = binary_kind(head)
    if kind is not None:
        what = f"holds no text inside {container}: its content" if container else "is not a text export: it"
        raise InputFileError(path, f"{what} looks like {kind}.", fix=NOT_TEXT_FIX)


def read_notes(path: Path, data: pd.DataFrame) -> list[tuple[int, str]]:
    """Return (rows left out, sentence) for what a user must know about how an export was read (from
    `read_export`'s frame): a last record cut off and left out (1 row), header names repeated and renamed
    ('Source' read as 'Source.1'; 0 rows)."""
    notes = [(1, data.attrs["cut_note"])] if data.attrs.get("cut_note") else []
    renamed = data.attrs.get("renamed_columns") or []
    if renamed:
        notes.append(
            (
                0,
                f"{Path(path).name} repeats column name(s) in its header: "
                + ", ".join(
                    f"the {_ordinal(columns_before(renamed, i))} {name!r} is read as {new!r}"
                    for i, (name, new) in enumerate(renamed)
                )
                + " (its name in alignkit.yml and the reports)",
            )
        )
    return notes


def columns_before(renamed: list[tuple[str, str]], index: int) -> int:
    """Return which occurrence (2 = the second) of its name the `index`-th renamed column is."""
    name = renamed[index][0]
    return 1 + sum(1 for n, _ in renamed[: index + 1] if n == name)


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third", 4: "fourth"}.get(n, f"{n}th")
