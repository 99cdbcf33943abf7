"""Lookup tables joined onto the leads (crm.lookups): accounts, products, sales teams. Keys are compared after
normalising case, spaces and punctuation ("GTXPro" finds "GTX Pro"); keys that find no row are counted in the
cleaning log with their close matches, so a lookup that misses never passes unnoticed as a "(missing)" group."""

from __future__ import annotations

import re

import pandas as pd

from alignkit.errors import InputFileError, close_matches
from alignkit.ingest.crm import RawLookup
from alignkit.prepare.clean import CleaningLog, fold_key
from alignkit.text import map_distinct

MAX_LISTED = 5


def join_lookup(leads: pd.DataFrame, lookup: RawLookup, *, log: CleaningLog) -> pd.DataFrame:
    """Return the leads with the lookup's attributes joined on `lookup.on` (normalised keys). Logs the leads whose
    key matched only once normalised, and those whose key matched no row (with close matches)."""
    if lookup.on not in leads:
        raise InputFileError(
            lookup.path,
            f"the leads have no column {lookup.on!r} to join this lookup on.",
            fix="set `on:` of this lookup in crm.lookups to a mapped CRM column (e.g. owner) or an "
            "attribute name of crm.contacts.attributes.",
        )
    table = lookup.frame.copy()
    table["_key"] = map_distinct(table["key"].astype("str"), fold_key)
    duplicated = table["_key"].notna() & table["_key"].duplicated(keep="first")
    log.record(
        "join_lookup",
        table=lookup.name,
        rows=int(duplicated.sum()),
        reason=f"key repeated in {lookup.path.name}: the first row of each key kept",
    )
    table = table.loc[table["_key"].notna() & ~duplicated]
    clash = [c for c in table.columns if c in leads and c not in ("key", "_key")]
    if clash:
        suffix = re.sub(r"\W+", "_", lookup.path.stem).lower()
        table = table.rename(columns={c: f"{c}_{suffix}" for c in clash})
    values = leads[lookup.on].astype("str")
    keys = map_distinct(values, fold_key)
    found = keys.isin(set(table["_key"]))
    exact = values.isin(set(table["key"].astype("str")))
    normalised = int((found & ~exact).sum())
    pairs = pd.DataFrame({"value": values[found & ~exact], "key": keys[found & ~exact]}).drop_duplicates("value")
    spelled = dict(zip(table["_key"], table["key"].astype("str")))
    examples = ", ".join(f"{v!r} = {spelled[k]!r}" for v, k in pairs.head(MAX_LISTED).itertuples(index=False))
    log.record(
        "join_lookup",
        table="leads",
        column=lookup.on,
        rows=normalised,
        reason=f"{lookup.on} matched {lookup.path.name} only once case, spaces and punctuation were "
        f"normalised" + (f" ({examples})" if examples else ""),
    )
    missing = keys.notna() & ~found
    counts = values[missing].value_counts()
    listed = "; ".join(
        f"{value!r} ({n:,} leads"
        + (
            f", close: {', '.join(map(repr, m))}"
            if (m := close_matches(value, table["key"].astype("str"), n=2))
            else ""
        )
        + ")"
        for value, n in counts.head(MAX_LISTED).items()
    )
    log.record(
        "join_lookup",
        table="leads",
        column=lookup.on,
        rows=int(missing.sum()),
        reason=f"{lookup.on} found no row in {lookup.path.name}: its columns left empty for these leads"
        + (f" ({listed})" if listed else ""),
    )
    attributes = table.drop(columns=["key"]).set_index("_key")
    joined = attributes.reindex(keys.to_numpy())
    joined.index = leads.index
    return pd.concat([leads, joined], axis=1)


def join_lookups(leads: pd.DataFrame, lookups: list[RawLookup], *, log: CleaningLog) -> pd.DataFrame:
    """Return the leads with every lookup table joined in turn (a later lookup may join on an earlier one's column)."""
    for lookup in lookups:
        leads = join_lookup(leads, lookup, log=log)
    return leads
