"""CRM tables where the data lives: the demo's activities as a parquet lake (a folder of files), as a table in a
DuckDB file and as a SQL query on it; its contacts as a DuckDB table. Each runs notebook 01 and notebook 02's
analysis from the project file and gives the figures of the export files, to the last digit; bad settings fail at
load naming the key, and no credential reaches the project file or the input manifest."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from alignkit.config import load_settings
from alignkit.errors import ConfigError
from alignkit.funnel.analysis import analyse, load_inputs
from alignkit.prepare.tables import prepare, write_processed

from ..engine.conftest import assert_same_results

TOUCHES_EXPORT = "hubspot_activities.csv"


def _project(tmp_path: Path, demo_project: Path, crm_changes: dict) -> Path:
    """Return a copy of the demo project whose crm section takes `crm_changes` (raw data shared, outputs its own)."""
    data = yaml.safe_load(demo_project.read_text(encoding="utf-8"))
    data["paths"] = {"raw": str(demo_project.parent / "data" / "raw"), "processed": "processed", "reports": "reports"}
    for table, spec in crm_changes.items():
        data["crm"][table] = spec
    path = tmp_path / "alignkit.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def activities(demo_project: Path) -> pd.DataFrame:
    """The demo's activities export as a warehouse holds it: typed dates, integer ids."""
    frame = pd.read_csv(demo_project.parent / "data" / "raw" / TOUCHES_EXPORT, dtype="str")
    return frame.assign(
        **{"Activity Date": pd.to_datetime(frame["Activity Date"]), "Contact ID": frame["Contact ID"].astype("int64")}
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, activities: pd.DataFrame, demo_project: Path) -> Path:
    """Return a folder with a parquet lake of the activities (three files, one per part) and warehouse.duckdb holding
    them as a table (dates as text, as a loader may leave them) and the contacts export as a table."""
    folder = tmp_path_factory.mktemp("warehouse")
    lake = folder / "activities"
    lake.mkdir()
    for i, part in enumerate(range(0, len(activities), len(activities) // 3 + 1)):
        activities.iloc[part : part + len(activities) // 3 + 1].to_parquet(lake / f"part-{i}.parquet")
    contacts = pd.read_csv(demo_project.parent / "data" / "raw" / "hubspot_contacts.csv", dtype="str")
    with duckdb.connect(str(folder / "warehouse.duckdb")) as con:
        as_text = activities.assign(**{"Activity Date": activities["Activity Date"].dt.strftime("%Y-%m-%d %H:%M")})
        con.register("as_text", as_text)
        con.register("contacts_frame", contacts)
        con.execute("CREATE SCHEMA sales")
        con.execute("CREATE TABLE sales.activities AS SELECT * FROM as_text")
        con.execute("CREATE TABLE contacts AS SELECT * FROM contacts_frame")
    return folder


def _analysed(project: Path):
    settings = load_settings(project)
    data = prepare(settings)
    settings.processed_dir.mkdir(parents=True, exist_ok=True)
    write_processed(data, settings.processed_dir)
    return data, analyse(settings, data=load_inputs(settings))


@pytest.mark.parametrize("source", ["lake", "table", "query"])
def test_touches_where_they_live_give_the_export_files_figures(
    source, tmp_path, demo_project, warehouse, prepared, demo_settings
):
    database = f"duckdb://{warehouse / 'warehouse.duckdb'}"
    spec = {
        "lake": {"lake": str(warehouse / "activities")},
        "table": {"connection": database, "table": "sales.activities"},
        "query": {"connection": database, "query": 'SELECT * FROM sales.activities WHERE "Activity Type" IS NOT NULL'},
    }[source]
    data, result = _analysed(_project(tmp_path, demo_project, {"touches": spec}))
    pd.testing.assert_frame_equal(data.leads, prepared.leads, check_exact=True)
    expected = analyse(demo_settings, data=load_inputs_like(prepared))
    assert_same_results(expected.__class__(**{**expected.__dict__, "inputs": result.inputs}), result)
    manifest = result.inputs.set_index("table").loc["touches"]
    assert manifest["format"] == ("lake" if source == "lake" else "database")
    assert int(manifest["rows"]) == len(pd.read_csv(demo_project.parent / "data/raw" / TOUCHES_EXPORT, usecols=[0]))


def load_inputs_like(prepared):
    from alignkit.funnel.analysis import FunnelInputs

    return FunnelInputs(leads=prepared.leads, touches=prepared.touches, inputs=prepared.inputs)


def test_contacts_from_a_database_table_are_cleaned_like_the_export(tmp_path, demo_project, warehouse, prepared):
    data, _ = _analysed(
        _project(
            tmp_path,
            demo_project,
            {
                "contacts": {
                    **_contacts_spec(demo_project),
                    "connection": f"duckdb://{warehouse / 'warehouse.duckdb'}",
                    "table": "contacts",
                }
            },
        )
    )
    pd.testing.assert_frame_equal(data.leads, prepared.leads, check_exact=True)


def _contacts_spec(demo_project: Path) -> dict:
    spec = dict(yaml.safe_load(demo_project.read_text(encoding="utf-8"))["crm"]["contacts"])
    spec.pop("file")
    return spec


@pytest.mark.parametrize(
    "spec, words",
    [
        ({"file": "a.csv", "lake": "lake/"}, "exactly one of file"),
        ({"connection": "duckdb://warehouse.duckdb"}, "exactly one of table"),
        ({"table": "activities"}, "add connection"),
        ({"connection": "postgres://analyst:s3cret@db.internal/crm", "table": "touches"}, "never write credentials"),
    ],
)
def test_bad_source_settings_fail_at_load_naming_the_key(spec, words, tmp_path, demo_project):
    with pytest.raises(ConfigError, match=r"crm\.touches") as error:
        load_settings(_project(tmp_path, demo_project, {"touches": spec}))
    assert words in str(error.value) and "s3cret" not in str(error.value)


def test_credentials_come_from_the_environment_and_stay_out_of_the_manifest(
    tmp_path, demo_project, warehouse, monkeypatch
):
    monkeypatch.setenv("ALIGNKIT_TEST_DB", str(warehouse / "warehouse.duckdb"))
    project = _project(
        tmp_path, demo_project, {"touches": {"connection": "duckdb://${ALIGNKIT_TEST_DB}", "table": "sales.activities"}}
    )
    data = prepare(load_settings(project))
    row = data.inputs.set_index("table").loc["touches"]
    assert row["file"] == "table sales.activities on duckdb://${ALIGNKIT_TEST_DB}"
    monkeypatch.delenv("ALIGNKIT_TEST_DB")
    from alignkit.engine.sources import connect

    connect.cache_clear()
    with pytest.raises(ConfigError, match="ALIGNKIT_TEST_DB"):
        prepare(load_settings(project))


def test_validate_reads_a_lakes_columns_and_names_a_missing_one(tmp_path, demo_project, warehouse):
    from alignkit.prepare.validate import validate_project

    lake = {"lake": str(warehouse / "activities")}
    assert validate_project(load_settings(_project(tmp_path, demo_project, {"touches": lake})), deep=False) == []
    misspelt = {**lake, "columns": {"content": "Content Title"}}
    problems = validate_project(load_settings(_project(tmp_path, demo_project, {"touches": misspelt})), deep=False)
    assert len(problems) == 1 and "Content Title" in problems[0].message and "lake" in problems[0].message
