"""Text columns handled once per distinct value (alignkit.text)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.text import map_distinct, strings_from_codes


def test_map_distinct_equals_a_cell_by_cell_map_and_keeps_missing_and_the_index():
    values = pd.Series(["Ab", None, "ab", "Ab", "Déjà"], index=[10, 11, 12, 13, 14], dtype="str")
    calls = []

    def fold(v: str) -> str:
        calls.append(v)
        return v.casefold()

    out = map_distinct(values, fold)
    assert out.tolist()[:1] == ["ab"] and pd.isna(out.iloc[1]) and out.tolist()[2:] == ["ab", "ab", "déjà"]
    assert out.index.tolist() == [10, 11, 12, 13, 14] and out.dtype == "str"
    assert sorted(calls) == ["Ab", "Déjà", "ab"]  # once per distinct value
    assert map_distinct(values, len, as_text=False).tolist() == [2, None, 2, 2, 4]
    assert map_distinct(values, lambda v: None if v == "ab" else v).isna().tolist() == [False, True, True, False, False]


def test_strings_from_codes_takes_labels_and_minus_one_is_missing():
    out = strings_from_codes(np.array([1, -1, 0, 1]), ["x", "y"])
    assert out.tolist()[0] == "y" and pd.isna(out.iloc[1]) and out.tolist()[2:] == ["x", "y"]


def test_search_distinct_runs_re2_or_python_with_the_same_meaning():
    from alignkit.text import search_distinct

    values = pd.Series(["test@acme.com", None, "Ann TEST", "ann", "test@acme.com"], dtype="str")
    assert search_distinct(values, r"\btest\b", ignore_case=True).tolist() == [True, False, True, False, True]
    # a look-ahead is beyond RE2: Python's re runs it
    assert search_distinct(values, r"ann(?! test)", ignore_case=True).tolist() == [False, False, False, True, False]


def test_null_where_hides_cells_of_every_chunk_and_keeps_the_rest():
    """Arrow text of several chunks, one of them a slice (an offset), and cells already missing: the result equals
    pandas' own mask."""
    import pyarrow as pa

    from alignkit.text import STR_DTYPE, null_where

    chunks = pa.chunked_array(
        [
            pa.array(["a", None, "Select"], pa.large_string()),
            pa.array(["x", "Select", "b", "c"], pa.large_string()).slice(1),
            pa.array([], pa.large_string()),
            pa.array(["Select", "d"], pa.large_string()),
        ]
    )
    values = pd.Series(pd.array(chunks, dtype=STR_DTYPE), index=range(10, 18), name="sector")
    mask = (values == "Select").fillna(False).to_numpy()
    out = null_where(values, mask)
    assert out.equals(values.mask(mask)) and out.name == "sector" and out.dtype == values.dtype
    assert out.isna().tolist() == [False, True, True, True, False, False, True, False]
    assert null_where(pd.Series(["a", "b"], dtype=object), [True, False]).isna().tolist() == [True, False]


def test_categorical_of_matches_pandas_astype_and_recodes_through_a_mapping():
    from alignkit.text import categorical_of

    values = pd.Series(["Agree", None, "Disagree", "agree ", "Agree"], dtype="str", index=[3, 4, 5, 6, 7], name="q1")
    levels = ["Disagree", "Agree"]
    out = categorical_of(values, levels, ordered=True)
    # pandas' astype, given only cells among the levels (pandas 4 refuses others): categorical_of makes them missing
    assert out.equals(values.where(values.isin(levels)).astype(pd.CategoricalDtype(levels, ordered=True)))
    assert out.name == "q1"
    recoded = categorical_of(values, ["Low", "High"], mapping={"Disagree": "Low", "Agree": "High", "agree ": None})
    assert recoded.tolist()[::2] == ["High", "Low", "High"] and recoded.isna().tolist() == [
        False,
        True,
        False,
        True,
        False,
    ]
    assert list(recoded.cat.categories) == ["Low", "High"] and not recoded.cat.ordered
