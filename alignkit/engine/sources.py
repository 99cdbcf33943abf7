"""Inputs where the data lives: a lake (a folder or glob of parquet files, read by the local DuckDB where it lies) or
a table or SQL query on a database connection (a DuckDB file; Spark, Postgres, BigQuery, Snowflake … any backend
Ibis connects to by URL). Each opens as an Ibis table, so the aggregations run in that engine.

Credentials never sit in the project file: a connection URL names them as `${VARIABLE}`, filled in from the
environment when the connection opens, and every description of a source (validate, the cleaning log, a report)
shows the URL as written, with the `${…}` left in. A DuckDB file, like every raw input, is opened read-only.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from alignkit.engine.backend import local_backend
from alignkit.errors import ConfigError

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SourceSpec(Protocol):
    """What a project-file input says about where its data lives (config.TableInput has these fields)."""

    @property
    def file(self) -> str | None: ...

    @property
    def lake(self) -> str | None: ...

    @property
    def connection(self) -> str | None: ...

    @property
    def table(self) -> str | None: ...

    @property
    def query(self) -> str | None: ...


def expand_url(url: str, *, key: str = "connection") -> str:
    """Return the connection URL with each `${VARIABLE}` replaced by the environment's value; ConfigError naming the
    variable when it is not set."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(
                f"{key}: the connection URL needs the environment variable {name}, which is not set. "
                f"Fix: export {name}=… before running alignkit (it is never written to the project file)."
            )
        return os.environ[name]

    return ENV_REFERENCE.sub(value, url)


def _local_path(text: str, raw: Path) -> Path:
    path = Path(os.path.expanduser(text))
    return path if path.is_absolute() else raw / path


def lake_pattern(lake: str, raw: Path) -> str:
    """Return the parquet glob of a lake: a folder means every .parquet file below it; paths relative to `raw`."""
    path = _local_path(lake, raw)
    if any(ch in lake for ch in "*?["):
        return str(path)
    if path.is_dir():
        return str(path / "**" / "*.parquet")
    return str(path)


@lru_cache(maxsize=8)
def connect(url: str, raw: str) -> ibis.BaseBackend:
    """Return a connection to the database at `url` (environment references expanded): a DuckDB file read-only,
    `pyspark://` the active Spark session (a local one when none is running), anything else through ibis.connect."""
    import ibis  # loaded where a database is opened: a project of files alone never needs it

    expanded = expand_url(url)
    scheme = urlsplit(expanded).scheme.lower()
    if scheme == "duckdb":
        location = expanded.split("://", 1)[1].split("?", 1)[0]  # duckdb://crm.duckdb (in paths.raw), duckdb:///abs
        path = _local_path(location, Path(raw))
        if not path.exists():
            raise ConfigError(
                f"connection {url}: the DuckDB file {path} does not exist. Fix: check the path "
                "(relative paths start at paths.raw)."
            )
        return ibis.duckdb.connect(str(path), read_only=True)
    if scheme == "pyspark":
        from pyspark.sql import SparkSession

        return ibis.pyspark.connect(SparkSession.builder.getOrCreate())
    return ibis.connect(expanded)


def open_source(spec: SourceSpec, raw: Path | str) -> ir.Table:
    """Return the input as an Ibis table: a lake through the local DuckDB, a table or a SQL query on its
    connection. `raw` is the raw-data folder relative paths start at. Raises ConfigError for a file input."""
    raw = Path(raw)
    if spec.lake:
        pattern = lake_pattern(spec.lake, raw)
        try:
            return local_backend().read_parquet(pattern)
        except Exception as error:  # no file matches, or a file is not parquet
            raise ConfigError(
                f"lake {spec.lake}: no parquet data could be read from {pattern} ({error}). Fix: point "
                "`lake:` at a folder or glob of .parquet files."
            ) from None
    if spec.connection:
        con = connect(spec.connection, str(raw))
        if spec.query:
            return con.sql(spec.query)
        assert spec.table is not None  # TableInput's validator: a connection names a table or a query
        database, _, name = spec.table.rpartition(".")
        return con.table(name, database=database or None)
    raise ConfigError("this input is a file, not a lake or a database table: read it with alignkit.ingest")


def open_processed(path: Path | str) -> ir.Table:
    """Return a processed parquet table (a file, or a folder of parquet files written by an engine) as a table of the
    local DuckDB, read where it lies."""
    return local_backend().read_parquet(lake_pattern(str(path), Path(".")))
