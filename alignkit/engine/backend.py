"""Where an Ibis expression runs and how its result comes back: an in-memory frame becomes a table of the local
DuckDB engine (through Arrow, nanosecond timestamps kept), an expression on a lake or a database runs where it
lives, and only its (per-lead or per-group) result is turned into a pandas frame with alignkit's dtypes.

The local DuckDB engine's memory and threads come from the environment (ALIGNKIT_DUCKDB_MEMORY_LIMIT, e.g. '4GB';
ALIGNKIT_DUCKDB_THREADS), so a shared machine can cap it; it spills to a temporary folder beyond the limit.
"""

from __future__ import annotations

import os
import sys
import tempfile
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir
    from ibis.expr.types import Table as Table

MEMORY_ENV = "ALIGNKIT_DUCKDB_MEMORY_LIMIT"
THREADS_ENV = "ALIGNKIT_DUCKDB_THREADS"

BATCH_ROWS = 1 << 18


@lru_cache(maxsize=1)
def local_backend() -> ibis.BaseBackend:
    """Return this process's in-memory DuckDB connection (memory limit and threads from the environment)."""
    config = {
        "temp_directory": os.path.join(tempfile.gettempdir(), "alignkit-duckdb"),
        "preserve_insertion_order": "false",
    }
    if os.environ.get(MEMORY_ENV):
        config["memory_limit"] = os.environ[MEMORY_ENV]
    if os.environ.get(THREADS_ENV):
        config["threads"] = os.environ[THREADS_ENV]
    import ibis  # loaded where an engine is used: its import alone costs a third of a second

    return ibis.duckdb.connect(**config)


def is_table(data: object) -> bool:
    """Return whether `data` is an Ibis table (a lake, a database table or query) rather than an in-memory frame."""
    if "ibis" not in sys.modules:  # nothing in this process has built an Ibis table yet: no need to load Ibis
        return False
    import ibis.expr.types as ir

    return isinstance(data, ir.Table)


def arrow_of(frame: pd.DataFrame) -> pa.Table:
    """Return the frame as an Arrow table for an engine: categories as plain text, nanosecond timestamps kept, in
    batches of BATCH_ROWS rows (one batch per thread: DuckDB scans an Arrow table batch by batch)."""
    columns = {
        c: (frame[c].astype("str") if isinstance(frame[c].dtype, pd.CategoricalDtype) else frame[c])
        for c in frame.columns
    }
    table = pa.Table.from_pandas(pd.DataFrame(columns, index=frame.index), preserve_index=False)
    return pa.Table.from_batches(table.to_batches(max_chunksize=BATCH_ROWS), schema=table.schema)


def as_table(data: pd.DataFrame | ir.Table, columns: list[str] | None = None) -> ir.Table:
    """Return an Ibis table: an expression as it is, a frame (only `columns`, when given) as an in-memory table."""
    if is_table(data):
        return data if columns is None else data.select(*columns)
    import ibis

    frame = data if columns is None else data[columns]
    return ibis.memtable(arrow_of(frame))


def backend_of(expr: ir.Expr) -> ibis.BaseBackend:
    """Return the backend an expression runs on: its tables' own, or the local DuckDB for in-memory tables only."""
    try:
        return expr._find_backend()
    except Exception:  # only in-memory tables: no backend of their own
        return local_backend()


def to_frame(expr: ir.Table) -> pd.DataFrame:
    """Return the result of an expression as a pandas frame: text as `str`, timestamps as naive datetime64[ns],
    integers as int64 (Int64 where missing), floats as float64."""
    table = backend_of(expr).to_pyarrow(expr)
    out = {}
    for field, column in zip(table.schema, table.columns):
        values = column.to_pandas()
        if pa.types.is_timestamp(field.type):
            values = pd.to_datetime(values)
            if values.dt.tz is not None:
                values = values.dt.tz_convert("UTC").dt.tz_localize(None)
            values = values.astype("datetime64[ns]")
        elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            values = values.astype("str")
        elif pa.types.is_integer(field.type):
            values = values.astype("int64") if column.null_count == 0 else values.astype("Int64")
        out[field.name] = values.reset_index(drop=True)
    return pd.DataFrame(out, columns=table.schema.names)


def row_count(data: pd.DataFrame | ir.Table) -> int:
    """Return the rows of a frame, or of a table counted by its engine."""
    if not is_table(data):
        return len(data)
    return int(to_frame(data.aggregate(n=data.count()))["n"].iloc[0])


def __getattr__(name: str) -> Any:
    """Return `Table` (Ibis's table expression type), loading Ibis on first use."""
    if name == "Table":
        import ibis.expr.types as ir

        return ir.Table
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
