"""The canonical tables of data/processed/: build them from the cleaned exports, check their schema, write them.

``prepare(settings)`` is the whole of notebook 01 in one call (the notebook runs the same steps one by one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from alignkit.prepare import clean
from alignkit.prepare.clean import CleaningLog
from alignkit.config import ProjectSettings
from alignkit.ingest.crm import CrmExports, RawTable, read_crm
from alignkit.ingest.files import to_snake_case
from alignkit.ingest.survey import SurveyExport, read_survey
from alignkit.io import write_parquet
from alignkit.privacy import detect_pii_columns, normalise_email, pseudonymise, scrub_text
from alignkit.prepare.stage_paths import stage_at_column, stage_paths
from alignkit.prepare.weights import RakingResult, margins_manifest_row, weight_responses

PII_CANONICAL = ("email", "first_name", "last_name", "phone", "ip_address", "location_latitude",
                 "location_longitude", "recipient_email", "recipient_first_name", "recipient_last_name")
LEADS_REQUIRED = {"lead_key": "str", "created_at": "datetime", "source": "str", "campaign": "str", "owner": "str",
                  "stage": "category", "lifecycle_lost": "bool", "first_touch_at": "datetime", "converted": "bool",
                  "amount": "number", "lost_reason": "str"}
TOUCHES_REQUIRED = {"lead_key": "str", "at": "datetime", "kind": "str", "content": "str"}
RESPONSES_REQUIRED = {"respondent_key": "str", "lead_key": "str", "submitted_at": "datetime", "duration_s": "number",
                      "is_speeder": "bool", "is_straightliner": "bool", "quality_ok": "bool"}
CODEBOOK_REQUIRED = {"column": "str", "question": "str", "kind": "str", "options": "object"}
MAX_CATEGORY_LEVELS = 100


class SchemaError(AssertionError):
    """A canonical table does not match its documented schema (a bug in alignkit, not in the data)."""


def _dtype_ok(series: pd.Series, kind: str) -> bool:
    checks = {"str": lambda s: pd.api.types.is_string_dtype(s) or s.isna().all(),
              "datetime": pd.api.types.is_datetime64_any_dtype,
              "category": lambda s: isinstance(s.dtype, pd.CategoricalDtype),
              "bool": pd.api.types.is_bool_dtype, "number": pd.api.types.is_numeric_dtype,
              "object": lambda s: True}
    return checks[kind](series)


def check_schema(frame: pd.DataFrame, required: dict[str, str], table: str) -> pd.DataFrame:
    """Return the frame unchanged if it has every required column with the documented type; else raise SchemaError."""
    problems = [f"{c} missing" for c in required if c not in frame]
    problems += [f"{c} is {frame[c].dtype}, expected {k}" for c, k in required.items() if c in frame and not _dtype_ok(frame[c], k)]
    if problems:
        raise SchemaError(f"{table}: " + "; ".join(problems))
    return frame




@dataclass(frozen=True)
class PreparedData:
    """The canonical tables written by notebook 01, the log of every change, and the inputs they came from."""

    leads: pd.DataFrame
    touches: pd.DataFrame | None
    responses: pd.DataFrame | None
    codebook: pd.DataFrame | None
    cleaning_log: pd.DataFrame
    inputs: pd.DataFrame
    weighting: RakingResult | None = None   # how responses were weighted (survey.weighting); None = unweighted


def input_manifest(crm: CrmExports, survey: SurveyExport | None, survey_sha: str | None = None) -> pd.DataFrame:
    """Return one row per input file: table, file name, format, rows in the file, columns kept, content hash."""
    rows = [{"table": t.name, "file": t.path.name, "format": t.format, "rows": t.rows_in_file,
             "columns_kept": t.frame.shape[1], "sha256": t.sha256} for t in crm.tables()]
    if survey is not None:
        from alignkit.ingest.files import content_hash
        rows.insert(0, {"table": "survey", "file": survey.path.name, "format": survey.source_format,
                        "rows": len(survey.responses), "columns_kept": survey.responses.shape[1],
                        "sha256": survey_sha or content_hash(survey.path)})
    return pd.DataFrame(rows).astype({"table": "str", "file": "str", "format": "str", "sha256": "str"})


def _attribute_columns(contacts: RawTable, settings: ProjectSettings) -> list[str]:
    return [to_snake_case(name) for name in settings.crm.contacts.attributes if to_snake_case(name) in contacts.frame]


def clean_contacts(raw: RawTable, settings: ProjectSettings, *, log: CleaningLog) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return cleaned contacts (still with raw ids and emails, for linking) and the duplicate-id → kept-id map."""
    for step, rows, reason in raw.notes:
        log.record(step, table="leads", rows=rows, reason=reason)
    frame = raw.frame.copy()
    frame.attrs["source_columns"] = raw.source_columns
    date_columns = ["created_at", "updated_at", *[c for c in frame.columns if c.endswith("_at")],
                    *[to_snake_case(c) for c in settings.crm.contacts.date_columns]]
    attributes = _attribute_columns(raw, settings)
    frame = clean.drop_blank_rows(frame, log=log, table="leads")
    frame = clean.check_unique_ids(frame, "lead_id", log=log, table="leads", path=raw.path)
    frame = clean.normalise_emails(frame, log=log, table="leads")
    frame = clean.drop_test_records(frame, log=log, table="leads", patterns=settings.privacy.test_patterns,
                                    internal_domains=settings.privacy.internal_email_domains)
    if "updated_at" in frame:
        frame["updated_at"] = pd.to_datetime(frame["updated_at"], format="mixed", errors="coerce",
                                             dayfirst=settings.clean.dayfirst)
    frame, id_map = clean.dedupe_contacts(frame, log=log)
    frame = clean.parse_numbers(frame, attributes, log=log, table="leads")
    categories = settings.clean.category_columns or ["source", "campaign", "owner", *[
        c for c in attributes if pd.api.types.is_string_dtype(frame[c]) and frame[c].nunique() <= MAX_CATEGORY_LEVELS]]
    frame = clean.normalise_categories(frame, categories, log=log, table="leads", aliases=settings.clean.category_aliases)
    frame = clean.parse_dates(frame, [c for c in dict.fromkeys(date_columns) if c != "updated_at"], log=log,
                              table="leads", path=raw.path, dayfirst=settings.clean.dayfirst)
    return frame, id_map


def _follow_ids(frame: pd.DataFrame, id_map: dict[str, str], known: set[str], *, log: CleaningLog, table: str) -> pd.DataFrame:
    ids = frame["lead_id"].astype("str").map(lambda v: id_map.get(v, v), na_action="ignore")
    moved = int((ids != frame["lead_id"]).fillna(False).sum())
    log.record("follow_merged_contacts", table=table, rows=moved, reason="belonged to a duplicate contact; moved to the kept record")
    orphan = ~ids.isin(known)
    log.record("drop_unknown_leads", table=table, rows=int(orphan.sum()),
               reason="refers to no remaining contact (a test record, or a contact not in the export)")
    return frame.assign(lead_id=ids).loc[~orphan].reset_index(drop=True)


def _deal_summary(raw: RawTable, id_map: dict[str, str], known: set[str], settings: ProjectSettings,
                  log: CleaningLog) -> pd.DataFrame:
    deals = raw.frame.copy()
    deals.attrs["source_columns"] = raw.source_columns
    deals = clean.drop_blank_rows(deals, log=log, table="deals")
    if "deal_id" in deals:
        deals = clean.check_unique_ids(deals, "deal_id", log=log, table="deals", path=raw.path)
    deals = _follow_ids(deals, id_map, known, log=log, table="deals")
    deals = clean.parse_dates(deals, ["created_at", "closed_at"], log=log, table="deals", path=raw.path,
                              dayfirst=settings.clean.dayfirst)
    deals = clean.parse_numbers(deals, [], log=log, table="deals", required=["amount"] if "amount" in deals else [])
    deals = clean.normalise_categories(deals, ["lost_reason"], log=log, table="deals", aliases=settings.clean.category_aliases)
    fold = {s.casefold() for s in settings.crm.won_deal_stages}
    lost_fold = {s.casefold() for s in settings.crm.lost_deal_stages}
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
    summary = pd.DataFrame({
        "deal_stage": latest["outcome"],
        "deal_created_at": deals.groupby("lead_id")["created_at"].min(),
        "deal_closed_at": latest["closed_at"].where(latest["outcome"] != "open"),
        "amount": won_amount.reindex(latest.index).fillna(latest["amount"]),
        "lost_reason": lost_reason.reindex(latest.index).where(latest["outcome"] == "lost"),
    })
    return summary


def _touch_table(raw: RawTable, id_map: dict[str, str], known: set[str], settings: ProjectSettings,
                 log: CleaningLog) -> pd.DataFrame:
    touches = raw.frame.copy()
    touches.attrs["source_columns"] = raw.source_columns
    touches = clean.drop_blank_rows(touches, log=log, table="touches")
    touches = _follow_ids(touches, id_map, known, log=log, table="touches")
    touches = clean.parse_dates(touches, ["at"], log=log, table="touches", path=raw.path, dayfirst=settings.clean.dayfirst)
    touches = clean.normalise_categories(touches, ["kind"], log=log, table="touches")
    if "content" not in touches:
        touches["content"] = pd.NA
    touches["content"] = touches["content"].astype("str")
    return touches.sort_values(["at", "lead_id"], kind="stable").reset_index(drop=True)


def build_leads(contacts: pd.DataFrame, deals: pd.DataFrame | None, touches: pd.DataFrame | None,
                settings: ProjectSettings, *, log: CleaningLog) -> pd.DataFrame:
    """Return leads.parquet's table: one row a lead with stage, stage timestamps, first sales touch, outcome,
    deal figures and attributes — still keyed by the raw `lead_id` (pseudonymised by `pseudonymise_leads`).

    `stage` is empty both for lifecycle values listed in `funnel.lost_values` and for values the project file does
    not know (counted in the cleaning log); `lifecycle_lost` (bool) tells the two apart: True only for a lost value."""
    funnel = settings.funnel
    names = funnel.stage_names
    by_value = {clean._fold(s.value): s.name for s in funnel.stages}
    lost_values = {clean._fold(v) for v in funnel.lost_values}
    folded = contacts["stage"].astype("str").map(clean._fold, na_action="ignore")
    stage = folded.map(by_value)
    unknown = folded.notna() & stage.isna() & ~folded.isin(lost_values)
    log.record("map_stages", table="leads", rows=int(unknown.sum()),
               reason="stage value not among the project file's funnel stages; stage left empty")
    leads = contacts.drop(columns=["stage"]).assign(stage=pd.Categorical(stage, categories=names, ordered=True),
                                                    lifecycle_lost=folded.isin(lost_values).fillna(False).astype(bool))
    for name in names:
        column = stage_at_column(name)
        if column not in leads:
            leads[column] = pd.NaT
    paths = stage_paths(leads, names)  # the funnel's own rules, so the log and notebook 02 count alike
    log.record("check_stage_order", table="leads", rows=int(paths.skipped.any(axis=1).sum()),
               reason="reached a later stage without a date for an earlier one (skipped a stage); kept as they are")
    log.record("check_stage_order", table="leads", rows=int(paths.moved_back.sum()),
               reason="current stage is earlier than the furthest stage reached (moved back); kept as they are")
    converted_at = stage_at_column(funnel.converted_stage)
    leads["converted"] = (leads[converted_at].notna() | (leads["stage"] == funnel.converted_stage)).astype(bool)
    if deals is not None:
        leads = leads.join(deals, on="lead_id")
    for column in ("deal_stage", "lost_reason"):
        if column not in leads:
            leads[column] = pd.NA
    for column in ("deal_created_at", "deal_closed_at"):
        if column not in leads:
            leads[column] = pd.NaT
    if "amount" not in leads:
        leads["amount"] = np.nan
    leads["amount"] = leads["amount"].astype("Float64")
    leads["first_touch_at"] = pd.NaT
    if touches is not None:
        sales_kinds = {k.casefold() for k in settings.crm.sales_touch_kinds}
        sales = touches[touches["kind"].astype("str").str.casefold().isin(sales_kinds)]
        mql_at = leads.set_index("lead_id")[stage_at_column(funnel.mql_stage)]
        after = sales["at"] >= sales["lead_id"].map(mql_at).fillna(pd.Timestamp.min)
        first = sales[after].groupby("lead_id")["at"].min()
        leads["first_touch_at"] = leads["lead_id"].map(first).astype("datetime64[ns]")
    for column in ("source", "campaign", "owner", "lost_reason", "deal_stage"):
        if column not in leads:
            leads[column] = pd.NA
        leads[column] = leads[column].astype("str")
    front = ["lead_id", "created_at", "source", "campaign", "owner", "stage", *[stage_at_column(n) for n in names],
             "first_touch_at", "converted", "amount", "lost_reason", "deal_stage", "deal_created_at", "deal_closed_at",
             "lifecycle_lost"]
    rest = [c for c in leads.columns if c not in front]
    return leads[front + rest]


def pseudonymise_table(frame: pd.DataFrame, settings: ProjectSettings, *, log: CleaningLog, table: str,
                       id_column: str, key_column: str) -> pd.DataFrame:
    """Return the table with its raw id replaced by a keyed hash and every PII column removed. Logs the columns."""
    salt = settings.pseudonym_salt()
    out = frame.copy()
    out.insert(0, key_column, pseudonymise(out[id_column], salt=salt))
    listed = {to_snake_case(c) for c in settings.privacy.pii_columns}
    pii = [c for c in out.columns if c in PII_CANONICAL or c in listed or c == id_column or c == "updated_at"]
    pii += [c for c in detect_pii_columns(out.drop(columns=pii), skip={key_column, "lead_key"}) if c not in pii]
    log.record("pseudonymise", table=table, rows=len(out),
               reason=f"id replaced by a keyed hash; columns removed: {', '.join(sorted(pii))}")
    return out.drop(columns=pii)


def clean_survey(export: SurveyExport, settings: ProjectSettings, *, log: CleaningLog,
                 lead_ids_by_email: pd.Series | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return cleaned responses (flags, link to leads, PII removed and scrubbed) and the matching codebook."""
    quality = settings.survey.quality if settings.survey else None
    responses = export.responses
    codebook = export.codebook
    blank = responses["is_blank_row"] if "is_blank_row" in responses else pd.Series(False, index=responses.index)
    log.record("drop_blank_rows", table="responses", rows=int(blank.sum()), reason="row with no answer in any column")
    responses = responses.loc[~blank].drop(columns=["is_blank_row"], errors="ignore").reset_index(drop=True)
    codebook = codebook[codebook["column"] != "is_blank_row"]
    responses = clean.check_unique_ids(responses, "respondent_id", log=log, table="responses", path=export.path)
    if "status" in responses:
        preview = responses["status"].astype("str").str.contains("preview|test", case=False, na=False)
        log.record("drop_preview_responses", table="responses", rows=int(preview.sum()), reason="survey preview or test response")
        responses = responses.loc[~preview].reset_index(drop=True)
    for _, row in codebook[codebook["n_invalid"] > 0].iterrows():
        log.record("type_answers", table="responses", column=row["column"], rows=int(row["n_invalid"]),
                   reason="answer to a numeric question is not a number, set to missing")
    responses = clean.flag_speeders(responses, log=log, share_of_median=quality.speeder_share_of_median if quality else 0.33)
    responses = clean.flag_straightliners(responses, codebook, log=log, min_items=quality.straightline_min_items if quality else 5)
    finished = responses["finished"].fillna(True).astype(bool) if "finished" in responses else pd.Series(True, index=responses.index)
    responses["is_incomplete"] = ~finished
    log.record("flag_incomplete", table="responses", rows=int((~finished).sum()), reason="response not finished; flagged, kept")
    responses["quality_ok"] = ~(responses["is_speeder"] | responses["is_straightliner"] | responses["is_incomplete"])
    email = normalise_email(responses["email"]) if "email" in responses else pd.Series(pd.NA, index=responses.index, dtype="str")
    lead_id = email.map(lead_ids_by_email) if lead_ids_by_email is not None else pd.Series(pd.NA, index=responses.index)
    responses["lead_key"] = pseudonymise(lead_id.astype("str"), salt=settings.pseudonym_salt())
    log.record("link_to_leads", table="responses", rows=int(responses["lead_key"].notna().sum()),
               reason=f"linked to a CRM lead by normalised email ({responses['lead_key'].notna().mean():.1%} of responses)")
    # Every answer column that holds text is scrubbed, whatever kind it was read as: a free-text question
    # read as single-select must not carry an email address into the data or the codebook.
    meta = set(codebook.loc[codebook["kind"] == "meta", "column"])
    for column in [c for c in responses.columns if c not in meta]:
        values = responses[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            scrubbed_labels, changed_labels = scrub_text(pd.Series(values.cat.categories.astype("str")))
            if changed_labels:
                mapping = dict(zip(values.cat.categories, scrubbed_labels))
                scrubbed = values.astype("str").map(mapping).astype("str")
                changed = int((scrubbed != values.astype("str")).fillna(False).sum())
                kept = [c for c in dict.fromkeys(scrubbed_labels)]
                responses[column] = pd.Categorical(scrubbed, categories=kept, ordered=values.cat.ordered)
            else:
                changed = 0
        elif pd.api.types.is_string_dtype(values):
            responses[column], changed = scrub_text(values)
        else:
            continue
        if changed or codebook.loc[codebook["column"] == column, "kind"].eq("text").any():
            log.record("scrub_pii_in_text", table="responses", column=column, rows=changed,
                       reason="email address or phone number in an answer replaced by [email] / [phone]")
    codebook = codebook.assign(options=codebook["options"].map(
        lambda labels: list(dict.fromkeys(scrub_text(pd.Series(list(labels), dtype="str"))[0])) if len(labels) else []))
    responses = pseudonymise_table(responses, settings, log=log, table="responses", id_column="respondent_id",
                                   key_column="respondent_key")
    flags = ["is_speeder", "is_straightliner", "is_incomplete", "quality_ok"]
    front = ["respondent_key", "lead_key", "submitted_at", "duration_s", *flags]
    for column in ("submitted_at", "duration_s"):
        if column not in responses:
            responses[column] = pd.NaT if column == "submitted_at" else np.nan
    responses = responses[front + [c for c in responses.columns if c not in front]]
    extra = pd.DataFrame({"column": ["respondent_key", "lead_key", *flags],
                          "question": ["Pseudonymous respondent key", "Pseudonymous key of the linked CRM lead",
                                       "Answered much faster than the median", "Same answer to every grid item",
                                       "Response not finished", "No quality flag raised"],
                          "kind": "meta"})
    codebook = pd.concat([extra, codebook[codebook["column"].isin(responses.columns)]], ignore_index=True)
    codebook["options"] = codebook["options"].map(lambda v: list(v) if isinstance(v, (list, tuple, np.ndarray)) else [])
    for column in ("item", "group", "source_column"):
        if column in codebook:
            codebook[column] = codebook[column].astype("str")
    codebook["n_invalid"] = codebook.get("n_invalid", pd.Series(0, index=codebook.index)).fillna(0).astype("int64")
    codebook = codebook.set_index("column").loc[list(responses.columns)].reset_index()
    return responses, codebook


def prepare(settings: ProjectSettings) -> PreparedData:
    """Return the canonical tables built from the inputs named by the project file (read, clean, link, pseudonymise)."""
    log = CleaningLog()
    crm = read_crm(settings)
    contacts, id_map = clean_contacts(crm.contacts, settings, log=log)
    known = set(contacts["lead_id"].astype(str))
    deals = _deal_summary(crm.deals, id_map, known, settings, log) if crm.deals else None
    touches = _touch_table(crm.touches, id_map, known, settings, log) if crm.touches else None
    leads = build_leads(contacts, deals, touches, settings, log=log)
    survey = responses = codebook = weighting = None
    if settings.survey is not None:
        spec = settings.survey
        survey = read_survey(settings.raw_path(spec.file), format=spec.format, encoding=spec.encoding,
                             delimiter=spec.delimiter, sheet=spec.sheet, meta_columns=spec.columns or None)
        by_email = contacts.dropna(subset=["email"]).set_index("email")["lead_id"] if "email" in contacts else None
        responses, codebook = clean_survey(survey, settings, log=log, lead_ids_by_email=by_email)
        if spec.weighting is not None:
            responses, codebook, weighting = weight_responses(responses, codebook, settings, log=log)
    leads = pseudonymise_table(leads, settings, log=log, table="leads", id_column="lead_id", key_column="lead_key")
    if touches is not None:
        touches = touches.assign(lead_key=pseudonymise(touches["lead_id"], salt=settings.pseudonym_salt()))
        touches = touches[["lead_key", "at", "kind", "content"]]
    inputs = input_manifest(crm, survey)
    margins_row = margins_manifest_row(settings)
    if margins_row is not None:
        inputs = pd.concat([inputs, pd.DataFrame([margins_row]).astype(inputs.dtypes.to_dict())], ignore_index=True)
    return PreparedData(leads=leads, touches=touches, responses=responses, codebook=codebook,
                        cleaning_log=log.to_frame(), inputs=inputs, weighting=weighting)


def write_processed(data: PreparedData, folder: Path | str) -> dict[str, Path]:
    """Write the canonical tables as parquet (schema checked, atomically); return the paths written.

    An optional table this run does not produce (no touches or survey export named) is removed from `folder`, so
    that no later notebook reads the one an earlier run left there."""
    folder = Path(folder)
    tables = {"leads": (data.leads, LEADS_REQUIRED), "touches": (data.touches, TOUCHES_REQUIRED),
              "responses": (data.responses, RESPONSES_REQUIRED), "codebook": (data.codebook, CODEBOOK_REQUIRED),
              "cleaning_log": (data.cleaning_log, {}), "inputs": (data.inputs, {})}
    written = {}
    for name, (frame, schema) in tables.items():
        if frame is None:
            (folder / f"{name}.parquet").unlink(missing_ok=True)
            continue
        if name == "responses" and "weight" in frame:
            schema = {**schema, "weight": "number"}   # present when survey.weighting is set
        check_schema(frame, schema, name)
        written[name] = write_parquet(frame, folder / f"{name}.parquet")
    return written
