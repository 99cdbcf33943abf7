"""Conversion counts per attribute value for the lead profile, from a leads table that lives in an engine: per
attribute, leads and converted leads per value — categories as they are (sorted, missing last as '(missing)'),
numbers in quantile bins labelled by the range of values inside — the same groups and labels as
`alignkit.leads.profile.binned`, whose quantile edges are numpy's to the last digit (alignkit.engine.quantiles).
Only one row per value comes back; `alignkit.leads.profile.conversion_by_value` adds the rates, intervals and lift.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from alignkit.engine.backend import as_table, to_frame
from alignkit.engine.quantiles import grouped_order_statistics, quantile_of
from alignkit.report.cells import is_year, number_words

MISSING = "(missing)"
COLUMNS = ["attribute", "value", "leads", "converted"]


def _is_number(dtype: dt.DataType) -> bool:
    return dtype.is_numeric() and not dtype.is_boolean()


def _category_counts(t: ir.Table, field: str, outcome: str) -> pd.DataFrame:
    value = t[field].cast("string") if not t[field].type().is_boolean() else t[field]
    counts = to_frame(t.group_by(value=value).aggregate(leads=t.count(), converted=t[outcome].cast("int64").sum()))
    known = counts[counts["value"].notna()].sort_values("value", kind="stable")
    if t[field].type().is_boolean():
        known = known.assign(value=known["value"].map({False: "False", True: "True"}))
    missing = counts[counts["value"].isna()].assign(value=MISSING)
    return pd.concat([known, missing], ignore_index=True).assign(attribute=field)[COLUMNS]


def _number_counts(t: ir.Table, field: str, outcome: str, bins: int) -> pd.DataFrame:
    x = t[field].cast("float64")
    dated = t.select(x=x, y=t[outcome].cast("int64"), one=ibis.literal(0))
    summary = to_frame(
        dated.aggregate(
            n=dated["x"].count(),
            fractional=(dated["x"] % 1 != 0).cast("int64").sum(),
            missing=dated["x"].isnull().cast("int64").sum(),
            missing_converted=dated["y"].sum(where=dated["x"].isnull()),
        )
    ).iloc[0]
    n = int(summary["n"])
    rows = []
    if n:
        ranked = dated.filter(dated["x"].notnull())
        stats = grouped_order_statistics(ranked, "x", "one", pd.Series({0: n}), list(np.linspace(0, 1, bins + 1)))[0]
        edges = np.unique([quantile_of(stats.__getitem__, n, q) for q in np.linspace(0, 1, bins + 1)])
        inner = [float(e) for e in edges[1:-1]]
        index = sum(((ranked["x"] > e).cast("int64") for e in inner), ibis.literal(0))
        grouped = ranked.group_by(bin=index).aggregate(
            leads=ranked.count(), converted=ranked["y"].sum(), low=ranked["x"].min(), high=ranked["x"].max()
        )
        per_bin = to_frame(grouped).sort_values("bin")
        integer = int(summary["fractional"]) == 0
        year = integer and is_year(field, per_bin[["low", "high"]].to_numpy(dtype=float).ravel())
        fmt = partial(number_words, integer=integer, year=year)
        rows = [
            {
                "value": fmt(r.low) if r.low == r.high else f"{fmt(r.low)}–{fmt(r.high)}",
                "leads": r.leads,
                "converted": r.converted,
            }
            for r in per_bin.itertuples()
        ]
    if int(summary["missing"]):
        rows.append(
            {"value": MISSING, "leads": int(summary["missing"]), "converted": int(summary["missing_converted"])}
        )
    return pd.DataFrame(rows, columns=COLUMNS[1:]).assign(attribute=field)[COLUMNS]


def value_counts(
    leads: pd.DataFrame | ir.Table, fields: Sequence[str], *, outcome: str = "converted", bins: int = 5
) -> pd.DataFrame:
    """Return one row per attribute value, in `binned`'s order: attribute, value, leads, converted (counts)."""
    t = as_table(leads)
    parts = [
        (_number_counts(t, f, outcome, bins) if _is_number(t[f].type()) else _category_counts(t, f, outcome))
        for f in fields
    ]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    return out.astype({"attribute": "str", "value": "str", "leads": "int64", "converted": "int64"})
