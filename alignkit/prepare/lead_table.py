"""leads.parquet's table: one row a lead with its stage and stage dates, outcome (converted, lost or open), deal
figures, first sales touch and attributes, built from the cleaned contacts, deals and touches."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alignkit.config import ProjectSettings
from alignkit.engine.backend import is_table
from alignkit.engine.touches import first_sales_touch
from alignkit.errors import InputFileError, close_matches
from alignkit.ingest.crm import RawTable
from alignkit.prepare import clean
from alignkit.prepare.clean import CleaningLog
from alignkit.prepare.stage_paths import stage_at_column, stage_paths
from alignkit.text import categorical_of, map_distinct

if TYPE_CHECKING:
    from alignkit.engine.backend import Table

OUTCOME_LEVELS = ("converted", "lost", "open")


def follow_ids(
    frame: pd.DataFrame, id_map: dict[str, str], known: pd.Index, *, log: CleaningLog, table: str
) -> pd.DataFrame:
    """Return deal or touch rows with ids of merged duplicates moved to the kept contact, and rows of no remaining
    contact dropped. Logs both."""
    ids = map_distinct(frame["lead_id"].astype("str"), lambda v: id_map.get(v, v))
    moved = int((ids != frame["lead_id"]).fillna(False).sum())
    log.record(
        "follow_merged_contacts",
        table=table,
        rows=moved,
        reason="belonged to a duplicate contact; moved to the kept record",
    )
    orphan = ~ids.isin(known)
    log.record(
        "drop_unknown_leads",
        table=table,
        rows=int(orphan.sum()),
        reason="refers to no remaining contact (a test record, or a contact not in the export)",
    )
    return frame.assign(lead_id=ids).loc[~orphan].reset_index(drop=True)


def deal_summary(
    raw: RawTable, id_map: dict[str, str], known: pd.Index, settings: ProjectSettings, log: CleaningLog
) -> pd.DataFrame:
    """Return one row per lead with deals: latest deal outcome (won / lost / open), first deal date, close date,
    won amount and lost reason."""
    deals = raw.frame.copy()
    deals.attrs["source_columns"] = raw.source_columns
    deals = clean.drop_blank_rows(deals, log=log, table="deals")
    if "deal_id" in deals:
        deals = clean.check_unique_ids(deals, "deal_id", log=log, table="deals", path=raw.path)
    deals = follow_ids(deals, id_map, known, log=log, table="deals")
    deals = clean.parse_dates(
        deals, ["created_at", "closed_at"], log=log, table="deals", path=raw.path, dayfirst=settings.clean.dayfirst
    )
    deals = clean.parse_numbers(deals, [], log=log, table="deals", required=["amount"] if "amount" in deals else [])
    deals = clean.normalise_categories(
        deals, ["lost_reason"], log=log, table="deals", aliases=settings.clean.category_aliases
    )
    fold = {s.casefold() for s in settings.need_crm().won_deal_stages}
    lost_fold = {s.casefold() for s in settings.need_crm().lost_deal_stages}
    stage = deals["stage"].astype("str").str.casefold()
    deals["outcome"] = np.where(stage.isin(fold), "won", np.where(stage.isin(lost_fold), "lost", "open"))
    for column in ("created_at", "closed_at"):
        if column not in deals:
            deals[column] = pd.NaT
    if "amount" not in deals:
        deals["amount"] = pd.NA
    if "lost_reason" not in deals:
        deals["lost_reason"] = pd.NA
    deals = deals.sort_values(["lead_id", "created_at"], kind="stable")
    latest = deals.groupby("lead_id").tail(1).set_index("lead_id")
    won_amount = deals[deals["outcome"] == "won"].groupby("lead_id")["amount"].sum(min_count=1)
    lost_reason = deals[deals["outcome"] == "lost"].groupby("lead_id")["lost_reason"].last()
    summary = pd.DataFrame(
        {
            "deal_stage": latest["outcome"],
            "deal_created_at": deals.groupby("lead_id")["created_at"].min(),
            "deal_closed_at": latest["closed_at"].where(latest["outcome"] != "open"),
            "amount": won_amount.reindex(latest.index).fillna(latest["amount"]),
            "lost_reason": lost_reason.reindex(latest.index).where(latest["outcome"] == "lost"),
        }
    )
    return summary


def touch_table(
    raw: RawTable, id_map: dict[str, str], known: pd.Index, settings: ProjectSettings, log: CleaningLog
) -> pd.DataFrame:
    """Return the touches (lead_id, at, kind, content) cleaned, sorted by time, of remaining contacts only."""
    touches = raw.frame.copy()
    touches.attrs["source_columns"] = raw.source_columns
    touches = clean.drop_blank_rows(touches, log=log, table="touches")
    touches = follow_ids(touches, id_map, known, log=log, table="touches")
    touches = clean.parse_dates(
        touches, ["at"], log=log, table="touches", path=raw.path, dayfirst=settings.clean.dayfirst
    )
    touches = clean.normalise_categories(touches, ["kind"], log=log, table="touches")
    if "content" not in touches:
        touches["content"] = pd.NA
    touches["content"] = touches["content"].astype("str")
    return touches.sort_values(["at", "lead_id"], kind="stable").reset_index(drop=True)


def outcome_from_values(values: pd.Series, settings: ProjectSettings, *, path, column: str) -> pd.Series:
    """Return 'converted' / 'lost' / 'open' per lead from a converted column's values (0/1, yes/no, Won/Lost …),
    as the project file's `outcome` lists them; a blank cell is open. Raises InputFileError listing every value
    that is in none of the lists, with its count and close matches."""
    spec = settings.outcome

    def fold(value: str) -> str:
        return " ".join(str(value).split()).casefold()

    meaning = {
        **{fold(v): "open" for v in spec.open_values},
        **{fold(v): "lost" for v in spec.not_converted_values},
        **{fold(v): "converted" for v in spec.converted_values},
    }
    text = values.astype("str").str.strip()
    text = text.where(text.ne(""))
    folded = map_distinct(text, fold)
    # numbers written as 1.0 / 0.0 (a spreadsheet's export) mean 1 / 0
    folded = folded.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    outcome = folded.map(meaning)
    unknown = folded.notna() & outcome.isna()
    if unknown.any():
        counts = text[unknown].value_counts()
        known = [*spec.converted_values, *spec.not_converted_values, *spec.open_values]
        listed = "; ".join(
            f"{value!r} ({n:,} rows{', close to ' + repr(m[0]) if (m := close_matches(value, known)) else ''})"
            for value, n in counts.head(8).items()
        )
        raise InputFileError(
            path,
            f"{len(counts)} value(s) of the outcome column mean neither converted nor not converted: {listed}.",
            column=column,
            fix="list each under outcome.converted_values, outcome.not_converted_values or "
            "outcome.open_values in alignkit.yml.",
        )
    return outcome.fillna("open")


def _stage_columns(contacts: pd.DataFrame, settings: ProjectSettings, log: CleaningLog) -> pd.DataFrame:
    """Return the contacts with `stage` (ordered, from the funnel's values), `lifecycle_lost` and one `<stage>_at`
    per stage; without funnel stages, an empty stage and no stage dates."""
    funnel = settings.funnel
    if funnel is None:
        return contacts.drop(columns=["stage"], errors="ignore").assign(
            stage=pd.Categorical([None] * len(contacts), categories=[]), lifecycle_lost=False
        )
    names = funnel.stage_names
    by_value = {clean._fold(s.value): s.name for s in funnel.stages}
    lost_values = {clean._fold(v) for v in funnel.lost_values}
    folded = map_distinct(contacts["stage"].astype("str"), clean.fold_key)
    stage = categorical_of(folded, names, ordered=True, mapping=by_value)
    lost = folded.isin(lost_values).fillna(False).astype(bool)
    unknown = folded.notna() & stage.isna() & ~lost
    log.record(
        "map_stages",
        table="leads",
        rows=int(unknown.sum()),
        reason="stage value not among the project file's funnel stages; stage left empty",
    )
    leads = contacts.drop(columns=["stage"]).assign(stage=stage.set_axis(contacts.index), lifecycle_lost=lost)
    for name in names:
        column = stage_at_column(name)
        if column not in leads:
            leads[column] = pd.NaT
    paths = stage_paths(leads, names)  # the funnel's own rules, so the log and notebook 02 count alike
    log.record(
        "check_stage_order",
        table="leads",
        rows=int(paths.skipped.any(axis=1).sum()),
        reason="reached a later stage without a date for an earlier one (skipped a stage); kept as they are",
    )
    log.record(
        "check_stage_order",
        table="leads",
        rows=int(paths.moved_back.sum()),
        reason="current stage is earlier than the furthest stage reached (moved back); kept as they are",
    )
    return leads


def build_leads(
    contacts: pd.DataFrame,
    deals: pd.DataFrame | None,
    touches: pd.DataFrame | Table | None,
    settings: ProjectSettings,
    *,
    log: CleaningLog,
    path=None,
) -> pd.DataFrame:
    """Return leads.parquet's table: one row a lead with stage, stage timestamps, first sales touch, outcome,
    deal figures and attributes — still keyed by the raw `lead_id` (pseudonymised by `pseudonymise_table`).

    `stage` is empty both for lifecycle values listed in `funnel.lost_values` and for values the project file does
    not know (counted in the cleaning log); `lifecycle_lost` (bool) tells the two apart: True only for a lost value.
    `converted` comes from the converted column when the project maps one, else from reaching the converted stage;
    `outcome` says 'converted', 'lost' (a lost value, a lost deal, or a not-converted value) or 'open'."""
    funnel = settings.funnel
    names = funnel.stage_names if funnel is not None else []
    if funnel is not None and "stage" not in contacts and "converted" in contacts:
        # no stage column: the outcome places each lead, at the converted stage once converted, else the first
        source = contacts.attrs.get("source_columns", {}).get("converted", "converted")
        placed = outcome_from_values(contacts["converted"], settings, path=path, column=source) == "converted"
        values = {s.name: s.value for s in funnel.stages}
        contacts = contacts.assign(stage=np.where(placed, values[funnel.converted_stage], values[names[0]]))
    leads = _stage_columns(contacts, settings, log)
    if "converted" in leads:
        source = contacts.attrs.get("source_columns", {}).get("converted", "converted")
        outcome = outcome_from_values(leads["converted"], settings, path=path, column=source)
        leads["converted"] = (outcome == "converted").astype(bool)
        log.record(
            "read_outcome",
            table="leads",
            rows=int((outcome == "open").sum()),
            reason=f"outcome column {source!r} blank or open: outcome not decided yet",
        )
    elif funnel is not None:
        converted_at = stage_at_column(funnel.converted_stage)
        leads["converted"] = (leads[converted_at].notna() | (leads["stage"] == funnel.converted_stage)).astype(bool)
        outcome = None
    else:  # no outcome in the project (a customer table without a funnel): every lead's outcome is undecided
        leads["converted"] = False
        outcome = pd.Series("open", index=leads.index, dtype="str")
        log.record(
            "read_outcome",
            table="leads",
            rows=len(leads),
            reason="no outcome in the project file (no converted column, membership table or funnel): "
            "outcome not decided",
        )
    if deals is not None:
        leads = leads.drop(columns=[c for c in ("amount", "lost_reason") if c in leads]).join(deals, on="lead_id")
    for column in ("deal_stage", "lost_reason"):
        if column not in leads:
            leads[column] = pd.NA
    for column in ("deal_created_at", "deal_closed_at"):
        if column not in leads:
            leads[column] = pd.NaT
    if "closed_at" in leads:  # the lead's own close date (crm.contacts.columns.closed_at, converted_from.date)
        closed = pd.to_datetime(leads.pop("closed_at")).astype("datetime64[ns]")
        decided = (
            leads["converted"]
            | leads["lifecycle_lost"]
            | (outcome.eq("lost").fillna(False).to_numpy(bool) if outcome is not None else False)
        )
        leads["deal_closed_at"] = leads["deal_closed_at"].astype("datetime64[ns]").fillna(closed.where(decided))
        # the lead is its own deal (a one-table pipeline): closed won or lost on that date, for the KPIs by month
        own = leads["deal_stage"].isna() & closed.notna() & decided
        leads["deal_stage"] = (
            leads["deal_stage"].astype("object").where(~own, np.where(leads["converted"], "won", "lost"))
        )
        if funnel is not None:  # a converted lead converted on its close date when its stage has no date
            won_at = stage_at_column(funnel.converted_stage)
            leads[won_at] = leads[won_at].astype("datetime64[ns]").fillna(closed.where(leads["converted"]))
    if "amount" not in leads:
        leads["amount"] = np.nan
    leads["amount"] = leads["amount"].astype("Float64")
    leads["first_touch_at"] = pd.NaT
    if touches is not None:  # the first sales touch at or after the MQL date, counted where the touches are
        mql_at = (
            leads[stage_at_column(funnel.mql_stage)]
            if funnel is not None
            else pd.Series(pd.NaT, index=leads.index, dtype="datetime64[ns]")
        )
        mql = pd.DataFrame({"lead_id": leads["lead_id"].astype("str"), "mql_at": mql_at.astype("datetime64[ns]")})
        first = first_sales_touch(
            touches if is_table(touches) else touches[["lead_id", "at", "kind"]],
            mql,
            sales_kinds=settings.need_crm().sales_touch_kinds,
            key="lead_id",
        )
        if len(first):  # mapping onto an empty Series makes pandas cast it to float: nothing to map
            leads["first_touch_at"] = (
                leads["lead_id"]
                .astype("str")
                .map(first.set_index("lead_id")["first_touch_at"])
                .astype("datetime64[ns]")
            )
    for column in ("source", "campaign", "owner", "lost_reason", "deal_stage"):
        if column not in leads:
            leads[column] = pd.NA
        leads[column] = leads[column].astype("str")
    if "created_at" not in leads:
        leads["created_at"] = pd.NaT
    lost = leads["lifecycle_lost"] | leads["deal_stage"].eq("lost").fillna(False)
    if outcome is None:  # codes of OUTCOME_LEVELS, not a million texts to match
        codes = np.where(leads["converted"].to_numpy(bool), 0, np.where(lost.to_numpy(bool), 1, 2))
        leads["outcome"] = pd.Categorical.from_codes(codes, categories=list(OUTCOME_LEVELS))
    else:
        leads["outcome"] = categorical_of(outcome, OUTCOME_LEVELS).set_axis(leads.index)
    front = [
        "lead_id",
        "created_at",
        "source",
        "campaign",
        "owner",
        "stage",
        *[stage_at_column(n) for n in names],
        "first_touch_at",
        "converted",
        "outcome",
        "amount",
        "lost_reason",
        "deal_stage",
        "deal_created_at",
        "deal_closed_at",
        "lifecycle_lost",
    ]
    rest = [c for c in leads.columns if c not in front]
    return leads[front + rest]
