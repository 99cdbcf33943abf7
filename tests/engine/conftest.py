"""Shared fixtures of the engine tests: the demo's processed tables (notebook 01's output) as parquet files, and
the whole funnel analysis of them run in pandas and through DuckDB."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alignkit.funnel.analysis import FunnelInputs, analyse


def result_tables(result: object, prefix: str = "") -> dict[str, object]:
    """Return every table and value of an analysis result (nested results flattened, 'sla.overall')."""
    out: dict[str, object] = {}
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        if dataclasses.is_dataclass(value):
            out.update(result_tables(value, f"{prefix}{field.name}."))
        else:
            out[prefix + field.name] = value
    return out


def assert_same_results(expected: object, actual: object) -> None:
    """Assert two analysis results hold the same tables and values, to the last digit."""
    left, right = result_tables(expected), result_tables(actual)
    assert left.keys() == right.keys()
    for name, value in left.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, right[name], check_exact=True, obj=name)
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, right[name], err_msg=name)
        else:
            assert value == right[name], name


@pytest.fixture(scope="session")
def processed(prepared, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder holding the demo's leads.parquet and touches.parquet, as notebook 01 writes them."""
    folder = tmp_path_factory.mktemp("processed")
    prepared.leads.to_parquet(folder / "leads.parquet")
    prepared.touches.to_parquet(folder / "touches.parquet")
    return folder


@pytest.fixture(scope="session")
def in_pandas(prepared, demo_settings):
    """The demo's funnel analysis with every table in memory (the pandas path)."""
    return analyse(
        demo_settings, data=FunnelInputs(leads=prepared.leads, touches=prepared.touches, inputs=prepared.inputs)
    )


def _java_runs() -> bool:
    import shutil
    import subprocess

    if shutil.which("java") is None:
        return False
    return subprocess.run(["java", "-version"], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def spark():
    """Return one local Spark session for every Spark test (one core, one shuffle partition, no UI, UTC), stopped at
    the end; skipped, saying why, only where Java is missing (`make java` installs Debian's OpenJDK)."""
    pyspark = pytest.importorskip("pyspark.sql", reason="pyspark is not installed (pip install -e '.[test]')")
    if not _java_runs():
        pytest.skip("Java is not installed, so Spark cannot start: run `make java` (Debian's default-jre-headless)")
    session = (
        pyspark.SparkSession.builder.master("local[1]")
        .appName("alignkit-tests")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.warehouse.dir", str(Path(__import__("tempfile").mkdtemp(prefix="alignkit-spark-"))))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
