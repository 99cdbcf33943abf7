"""The aggregations over the touches table (one row a marketing or sales touch: lead_key, at, kind, content), written
once in Ibis and run where the touches live. Each returns a per-lead or per-group pandas frame; the touches
themselves never leave the engine.

Text rules shared by every function: a touch kind is compared case-blind (lower-cased on both sides); content is
stripped of surrounding whitespace, and blank or missing content is no content.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alignkit.engine.backend import as_table, is_table, to_frame

if TYPE_CHECKING:
    import ibis.expr.types as ir

# Where in-memory touches (a pandas frame) are aggregated, as measured on 1M leads and 10M touches on the 2-core
# machine (bench/funnel.py's data): the first sales touch runs through DuckDB (2.8 s against pandas' 9.7 s); content
# before the close and unused collateral stay in pandas (8.1 s and 2.9 s against DuckDB's 11.5 s and 6.5 s: the
# frame's Arrow copy is slower to scan than the arithmetic on pandas' codes). Touches in a file, a lake or a database
# always run in their engine: from touches.parquet DuckDB takes 3.8 s and 2.4 s, pandas 3.9 s only to read it.
IN_MEMORY = {"first_sales_touch": "duckdb", "content_before_close": "pandas", "collateral_usage": "pandas"}


def _kinds(kinds: Iterable[str]) -> list[str]:
    return sorted({str(k).lower() for k in kinds})


def content_item(content: ir.StringValue) -> ir.StringValue:
    """Return the content of a touch as an item: stripped, NULL where blank or missing."""
    import ibis  # loaded when touches are aggregated, not when notebook 01 imports this module

    stripped = content.strip()
    return ibis.ifelse(stripped == "", ibis.null("string"), stripped)


def touches_per_lead_kind(touches: pd.DataFrame | ir.Table, *, key: str = "lead_key") -> pd.DataFrame:
    """Return one row per lead and touch kind (kinds as written): key, kind, touches (count), first_at, last_at."""
    t = as_table(touches, [key, "at", "kind"])
    out = t.group_by([key, "kind"]).aggregate(touches=t.count(), first_at=t["at"].min(), last_at=t["at"].max())
    return to_frame(out.order_by([key, "kind"]))


def first_sales_touch(
    touches: pd.DataFrame | ir.Table, mql: pd.DataFrame | ir.Table, *, sales_kinds: Iterable[str], key: str = "lead_key"
) -> pd.DataFrame:
    """Return one row per lead with a sales touch (kind among `sales_kinds`) at or after its MQL date, or any sales
    touch where `mql` (key, mql_at) gives the lead no MQL date: key, first_touch_at (the earliest such touch)."""
    t = as_table(touches, [key, "at", "kind"])
    m = as_table(mql, [key, "mql_at"])
    sales = t.filter(t["kind"].lower().isin(_kinds(sales_kinds)))
    joined = sales.left_join(m, sales[key] == m[key]).select(sales[key], sales["at"], m["mql_at"])
    after = joined.filter(joined["mql_at"].isnull() | (joined["at"] >= joined["mql_at"]))
    first = after.group_by(key).aggregate(first_touch_at=after["at"].min())
    return to_frame(first.filter(first["first_touch_at"].notnull()))


def content_before_close(touches: pd.DataFrame | ir.Table, deals: pd.DataFrame) -> pd.DataFrame:
    """Return one row per content item seen before the close by at least one closed deal: item, won_with (won deals
    that had it before `deal_closed_at`), deals_with (won and lost). `deals` has lead_key, won, deal_closed_at; an
    item counts once per deal however often it was seen. In-memory touches take the pandas path (IN_MEMORY)."""
    if not is_table(touches):
        return _content_before_close_pandas(touches, deals)
    return _content_before_close(touches, deals)


def _content_before_close(touches: ir.Table, deals: pd.DataFrame | ir.Table) -> pd.DataFrame:
    t = as_table(touches, ["lead_key", "at", "content"])
    d = as_table(deals, ["lead_key", "won", "deal_closed_at"])
    # join first: only the touches of closed deals, before their close, are stripped and counted
    seen = t.inner_join(d, t["lead_key"] == d["lead_key"]).select(
        t["lead_key"], t["at"], t["content"], d["won"], d["deal_closed_at"]
    )
    seen = seen.filter(seen["at"] < seen["deal_closed_at"])
    items = seen.select(item=content_item(seen["content"]), lead_key=seen["lead_key"], won=seen["won"])
    pairs = items.filter(items["item"].notnull()).distinct()
    out = pairs.group_by("item").aggregate(won_with=pairs["won"].cast("int64").sum(), deals_with=pairs.count())
    return to_frame(out.order_by("item"))


def collateral_usage(
    touches: pd.DataFrame | ir.Table, *, sales_kinds: Iterable[str], collateral_kinds: Iterable[str] = ()
) -> pd.DataFrame:
    """Return the content of marketing touches (of `collateral_kinds`, or of every kind that is not a sales kind when
    empty) that never appears in a sales touch: content, marketing_touches, leads_reached (distinct leads).
    In-memory touches take the pandas path (IN_MEMORY)."""
    if not is_table(touches):
        return _collateral_usage_pandas(touches, sales_kinds=sales_kinds, collateral_kinds=collateral_kinds)
    return _collateral_usage(touches, sales_kinds=sales_kinds, collateral_kinds=collateral_kinds)


def _collateral_usage(
    touches: ir.Table, *, sales_kinds: Iterable[str], collateral_kinds: Iterable[str]
) -> pd.DataFrame:
    import ibis  # loaded when touches are aggregated, not when notebook 01 imports this module

    t = as_table(touches, ["lead_key", "kind", "content"])
    kind = t["kind"].lower()
    collateral = _kinds(collateral_kinds)
    marked = t.mutate(
        item=content_item(t["content"]),
        sales=kind.isin(_kinds(sales_kinds)).fill_null(False),
        collateral=kind.isin(collateral).fill_null(False) if collateral else ibis.literal(True),
    )
    marked = marked.filter(marked["item"].notnull())
    used = marked.filter(marked["sales"]).select("item").distinct()
    marketing = marked.filter(~marked["sales"] & marked["collateral"])
    chosen = marketing.anti_join(used, marketing["item"] == used["item"])
    out = chosen.group_by("item").aggregate(
        marketing_touches=chosen.count(), leads_reached=chosen["lead_key"].nunique()
    )
    return to_frame(out.rename(content="item").order_by("content"))


# --- the pandas path of in-memory touches: the same tables, to the last digit (tests/engine/test_touches.py) ---------


def _content_codes(content: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return integer codes of the content (−1 for missing or blank) and the stripped labels they point to."""
    codes, labels = pd.factorize(content.astype("str"))
    stripped = pd.Index(labels).astype("str").str.strip()
    merged, final = pd.factorize(stripped)
    blank = np.append(stripped.to_numpy() == "", True)
    mapping = np.append(merged, -1)
    mapped = mapping[codes]
    mapped[blank[codes]] = -1
    return mapped, np.asarray(final, dtype=object)


def _content_before_close_pandas(touches: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    keys = pd.Index(deals["lead_key"])
    codes, labels = _content_codes(touches["content"])
    has = codes >= 0
    position = keys.get_indexer(touches["lead_key"][has])
    item, at = codes[has], touches["at"].to_numpy()[has]
    keep = position >= 0
    item, at, position = item[keep], at[keep], position[keep]
    before = at < deals["deal_closed_at"].to_numpy()[position]
    size = max(len(deals), 1)
    pairs = np.unique(item[before].astype("int64") * size + position[before])  # each item once per deal
    seen = pd.DataFrame({"item": labels[pairs // size], "won": deals["won"].to_numpy()[pairs % size]})
    out = seen.groupby("item", sort=True)["won"].agg(["sum", "count"]).reset_index()
    return pd.DataFrame(
        {
            "item": out["item"].astype("str"),
            "won_with": out["sum"].astype("int64"),
            "deals_with": out["count"].astype("int64"),
        }
    )


def _collateral_usage_pandas(
    touches: pd.DataFrame, *, sales_kinds: Iterable[str], collateral_kinds: Iterable[str]
) -> pd.DataFrame:
    kinds, kind_labels = pd.factorize(touches["kind"].astype("str"))
    folded = pd.Index(kind_labels).astype("str").str.lower()
    sales = np.append(folded.isin(_kinds(sales_kinds)), False)[kinds]  # code -1 (missing) → not a sales kind
    codes, labels = _content_codes(touches["content"])
    has = codes >= 0
    marketing = has & ~sales
    if collateral_kinds:
        marketing &= np.append(folded.isin(_kinds(collateral_kinds)), False)[kinds]
    used_by_sales = np.zeros(len(labels) + 1, dtype=bool)
    used_by_sales[np.unique(codes[has & sales])] = True
    chosen = marketing & ~used_by_sales[codes]
    part = pd.DataFrame({"content": codes[chosen], "lead": touches["lead_key"][chosen].to_numpy()})
    out = part.groupby("content", sort=False).agg(marketing_touches=("lead", "size"), leads_reached=("lead", "nunique"))
    return pd.DataFrame(
        {
            "content": pd.Series(labels[out.index.to_numpy()], dtype="str"),
            "marketing_touches": out["marketing_touches"].to_numpy("int64"),
            "leads_reached": out["leads_reached"].to_numpy("int64"),
        }
    )
