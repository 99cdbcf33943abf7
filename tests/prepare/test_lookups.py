"""Lookup tables join onto leads by normalised key; near misses and misses are counted, never silently blank."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from alignkit.ingest.crm import RawLookup
from alignkit.prepare.clean import CleaningLog
from alignkit.prepare.lookups import join_lookup


def _lookup(frame: pd.DataFrame, on: str) -> RawLookup:
    return RawLookup(
        name="lookup:products",
        path=Path("products.csv"),
        frame=frame,
        on=on,
        key_column="product",
        rows_in_file=len(frame),
        sha256="0" * 16,
    )


def test_keys_match_across_case_spaces_and_punctuation_and_misses_are_listed():
    leads = pd.DataFrame({"product": ["GTXPro", "gtx pro", "GTX Pro", "MG-Special", "Unknown Widget", None]})
    products = pd.DataFrame({"key": ["GTX Pro", "MG Special"], "sales_price": ["4821", "55"]})
    log = CleaningLog()
    out = join_lookup(leads, _lookup(products, "product"), log=log)
    assert list(out["sales_price"].fillna("-")) == ["4821", "4821", "4821", "55", "-", "-"]
    entries = log.to_frame().set_index("reason")
    normalised = entries[entries.index.str.contains("only once case")]
    assert int(normalised["rows_affected"].iloc[0]) == 3  # 'GTXPro', 'gtx pro', 'MG-Special'
    assert "'GTXPro' = 'GTX Pro'" in normalised.index[0]
    missed = entries[entries.index.str.contains("found no row")]
    assert int(missed["rows_affected"].iloc[0]) == 1  # a blank key is not a miss
    assert "'Unknown Widget' (1 leads" in missed.index[0]


def test_a_repeated_lookup_key_keeps_the_first_row_and_is_counted():
    leads = pd.DataFrame({"product": ["A"]})
    products = pd.DataFrame({"key": ["A", "a "], "price": ["1", "2"]})
    log = CleaningLog()
    out = join_lookup(leads, _lookup(products, "product"), log=log)
    assert out["price"].tolist() == ["1"]
    repeated = log.to_frame().query("table == 'lookup:products'")
    assert int(repeated["rows_affected"].iloc[0]) == 1
