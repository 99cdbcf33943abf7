"""Atomic writes: every output goes to a temporary file in the same folder and is renamed into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the frames' own methods write them: the run's bookkeeping needs no pandas
    import pandas as pd

_UMASK = os.umask(0)
os.umask(_UMASK)


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_atomic_bytes(path: Path | str, payload: bytes) -> Path:
    """Write bytes to `path` atomically; return the path."""
    return _atomic(Path(path), lambda tmp: tmp.write_bytes(payload))


def write_atomic_text(path: Path | str, text: str) -> Path:
    """Write UTF-8 text to `path` atomically; return the path."""
    return write_atomic_bytes(path, text.encode("utf-8"))


def write_parquet(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write a frame to parquet atomically (no index, deterministic bytes for the same frame); return the path."""
    return _atomic(Path(path), lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd"))


def write_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write a frame to CSV atomically (no index, UTF-8); return the path."""
    return write_atomic_text(path, frame.to_csv(index=False, lineterminator="\n"))
