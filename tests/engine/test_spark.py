"""The same Ibis expressions on a local Spark session: the demo's touches and leads registered in Spark give the
funnel figures of the pandas path, to the last digit. One session for the whole file (tests/engine/conftest.py);
every Spark test is in one xdist group, so a single worker starts Java once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from alignkit.engine.touches import first_sales_touch
from alignkit.funnel.analysis import FunnelInputs, analyse

from .conftest import assert_same_results

pytestmark = pytest.mark.xdist_group("spark")


@pytest.fixture(scope="module")
def spark_tables(spark, processed: Path, tmp_path_factory: pytest.TempPathFactory):
    """Return an Ibis connection to the Spark session and the demo's touches and leads as Spark tables (parquet with
    microsecond timestamps, as Spark stores them)."""
    import ibis

    folder = tmp_path_factory.mktemp("spark")
    for name in ("touches", "leads"):
        pq.write_table(pq.read_table(processed / f"{name}.parquet"), folder / f"{name}.parquet", coerce_timestamps="us")
    con = ibis.pyspark.connect(spark)
    return con, con.read_parquet(str(folder / "touches.parquet")), con.read_parquet(str(folder / "leads.parquet"))


def test_first_sales_touch_from_spark_is_the_pandas_one(spark_tables, prepared, demo_settings):
    _, touches, _ = spark_tables
    mql = prepared.leads[["lead_key", "mql_at"]]
    sales = demo_settings.crm.sales_touch_kinds
    pd.testing.assert_frame_equal(
        first_sales_touch(touches, mql, sales_kinds=sales).sort_values("lead_key").reset_index(drop=True),
        first_sales_touch(prepared.touches, mql, sales_kinds=sales).sort_values("lead_key").reset_index(drop=True),
        check_exact=True,
    )


def test_demo_funnel_with_leads_and_touches_in_spark_is_the_pandas_funnel(
    spark_tables, in_pandas, prepared, demo_settings
):
    _, touches, leads = spark_tables
    in_spark = analyse(demo_settings, data=FunnelInputs(leads=leads, touches=touches, inputs=prepared.inputs))
    assert_same_results(in_pandas, in_spark)


def test_lead_profile_counts_in_spark_are_the_pandas_ones(spark_tables, prepared):
    from alignkit.leads.profile import conversion_by_value

    _, _, leads = spark_tables
    fields = ["industry", "source", "company_size", "time_on_site_min"]  # categories, integers in bins, decimals
    pd.testing.assert_frame_equal(
        conversion_by_value(leads, fields), conversion_by_value(prepared.leads, fields), check_exact=True
    )
