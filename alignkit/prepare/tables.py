"""The canonical tables of data/processed/: build them from the cleaned exports, check their schema, write them.

``prepare(settings)`` is the whole of notebook 01 in one call (the notebook runs the same steps one by one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from alignkit.config import ProjectSettings
from alignkit.engine.backend import is_table
from alignkit.ingest.crm import CrmExports, RawLookup, RawTable
from alignkit.ingest.files import to_snake_case
from alignkit.ingest.survey import SurveyExport, read_survey
from alignkit.ingest.tokens import PLACEHOLDER_TOKENS, REFUSAL_TOKENS, token_set
from alignkit.io import write_parquet
from alignkit.meaning.columns import is_personal_data
from alignkit.plan import FACTS_FILE, PERSONA_ANSWER_KINDS
from alignkit.prepare import clean
from alignkit.prepare.clean import CleaningLog
from alignkit.prepare.columns import LEFT_OUT_COLUMNS, left_out_columns
from alignkit.prepare.lead_table import build_leads, deal_summary, touch_table
from alignkit.prepare.lookups import join_lookups
from alignkit.prepare.sources import clean_touch_source, pseudonymised_touches, read_crm_inputs, write_touch_table
from alignkit.prepare.weights import RakingResult, margins_manifest_row, weight_responses
from alignkit.privacy import detect_pii_columns, normalise_email, pii_suggestions, pseudonymise, scrub_text

PII_CANONICAL = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "ip_address",
    "location_latitude",
    "location_longitude",
    "recipient_email",
    "recipient_first_name",
    "recipient_last_name",
)
LEADS_REQUIRED = {
    "lead_key": "str",
    "created_at": "datetime",
    "source": "str",
    "campaign": "str",
    "owner": "str",
    "stage": "category",
    "lifecycle_lost": "bool",
    "first_touch_at": "datetime",
    "converted": "bool",
    "outcome": "category",
    "amount": "number",
    "lost_reason": "str",
}
TOUCHES_REQUIRED = {"lead_key": "str", "at": "datetime", "kind": "str", "content": "str"}
RESPONSES_REQUIRED = {
    "respondent_key": "str",
    "lead_key": "str",
    "submitted_at": "datetime",
    "duration_s": "number",
    "is_speeder": "bool",
    "is_straightliner": "bool",
    "quality_ok": "bool",
}
CODEBOOK_REQUIRED = {"column": "str", "question": "str", "kind": "str", "options": "object"}
MAX_CATEGORY_LEVELS = 100
LEFT_OUT_KINDS = ("single", "likert", "numeric")  # survey answers checked for constant / id-like columns


class SchemaError(AssertionError):
    """A canonical table does not match its documented schema (a bug in alignkit, not in the data)."""


def _dtype_ok(series: pd.Series, kind: str) -> bool:
    checks = {
        "str": lambda s: pd.api.types.is_string_dtype(s) or s.isna().all(),
        "datetime": pd.api.types.is_datetime64_any_dtype,
        "category": lambda s: isinstance(s.dtype, pd.CategoricalDtype),
        "bool": pd.api.types.is_bool_dtype,
        "number": pd.api.types.is_numeric_dtype,
        "object": lambda s: True,
    }
    return checks[kind](series)


def check_schema(frame: pd.DataFrame, required: dict[str, str], table: str) -> pd.DataFrame:
    """Return the frame unchanged if it has every required column with the documented type; else raise SchemaError."""
    problems = [f"{c} missing" for c in required if c not in frame]
    problems += [
        f"{c} is {frame[c].dtype}, expected {k}"
        for c, k in required.items()
        if c in frame and not _dtype_ok(frame[c], k)
    ]
    if problems:
        raise SchemaError(f"{table}: " + "; ".join(problems))
    return frame


def _left_out_table(parts: list[pd.DataFrame]) -> pd.DataFrame:
    empty = pd.DataFrame(columns=list(LEFT_OUT_COLUMNS)).astype("str")
    return pd.concat([empty, *parts], ignore_index=True).astype("str") if parts else empty


@dataclass(frozen=True)
class PreparedData:
    """The canonical tables written by notebook 01, the log of every change, and the inputs they came from."""

    leads: pd.DataFrame | None  # None = no CRM export named (a survey alone)
    touches: pd.DataFrame | None
    responses: pd.DataFrame | None
    codebook: pd.DataFrame | None
    cleaning_log: pd.DataFrame
    inputs: pd.DataFrame
    weighting: RakingResult | None = None  # how responses were weighted (survey.weighting); None = unweighted
    # constant and id-like columns left out of every analysis: table, column, role, reason (columns.LEFT_OUT_COLUMNS)
    left_out: pd.DataFrame = field(default_factory=lambda: _left_out_table([]))


def input_manifest(
    crm: CrmExports | None,
    survey: SurveyExport | None,
    survey_sha: str | None = None,
    *,
    extra: Sequence[RawTable] = (),
    sources: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Return one row per input: table, file name (a lake or database input: where it lives, credentials left as
    ${…}), format, rows in the file, columns kept, content hash (of an engine input: its fingerprint)."""
    tables = [*(crm.tables() if crm else []), *extra]
    sources = sources or {}
    rows = [
        {
            "table": t.name,
            "file": sources.get(t.name, t.path.name),
            "format": t.format,
            "rows": t.rows_in_file,
            "columns_kept": t.frame.shape[1],
            "sha256": t.sha256,
        }
        for t in tables
    ]
    if survey is not None:
        from alignkit.ingest.files import content_hash

        rows.insert(
            0,
            {
                "table": "survey",
                "file": survey.path.name,
                "format": survey.source_format,
                "rows": len(survey.responses),
                "columns_kept": survey.responses.shape[1],
                "sha256": survey_sha or content_hash(survey.path),
            },
        )
    return pd.DataFrame(rows).astype({"table": "str", "file": "str", "format": "str", "sha256": "str"})


# how ingest.answers.classify_answers says, in the codebook's `detected`, which answers it read as missing
NO_ANSWER_NOTE = re.compile(r"(?P<n>[\d,]+) refusals or placeholders read as missing \((?P<values>.*)\)")


def crm_tokens(settings: ProjectSettings) -> frozenset[str]:
    """Return the cell texts read as missing in CRM and lookup fields: the placeholders, refusals when
    clean.refusals_as_missing, plus clean.missing_values.add, minus clean.missing_values.remove."""
    tokens = PLACEHOLDER_TOKENS + (REFUSAL_TOKENS if settings.clean.refusals_as_missing else ())
    return token_set(tokens, add=settings.clean.missing_values.add, remove=settings.clean.missing_values.remove)


def _without_tokens(
    raw: RawTable, settings: ProjectSettings, log: CleaningLog, table: str, keep: Sequence[str]
) -> RawTable:
    frame = clean.replace_missing_tokens(raw.frame, log=log, table=table, tokens=crm_tokens(settings), keep=keep)
    return replace(raw, frame=frame)


def _attribute_columns(contacts: RawTable, settings: ProjectSettings) -> list[str]:
    return [
        to_snake_case(name) for name in settings.need_crm().contacts.attributes if to_snake_case(name) in contacts.frame
    ]


def _few_levels(values: pd.Series) -> bool:
    """Return True when a text column holds at most MAX_CATEGORY_LEVELS distinct values (its first rows are counted
    first: a column of free text or ids shows it there, without hashing a million cells)."""
    return values.iloc[: clean.PROBE_ROWS].nunique() <= MAX_CATEGORY_LEVELS and values.nunique() <= MAX_CATEGORY_LEVELS


def clean_contacts(
    raw: RawTable, settings: ProjectSettings, *, log: CleaningLog, lookups: Sequence[RawLookup] = ()
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return cleaned contacts (still with raw ids and emails, for linking), with the lookup tables' attributes
    joined on, and the duplicate-id → kept-id map."""
    for step, rows, reason in raw.notes:
        log.record(step, table="leads", rows=rows, reason=reason)
    frame = clean.replace_missing_tokens(
        raw.frame, log=log, table="leads", tokens=crm_tokens(settings), keep=["lead_id"]
    )
    frame.attrs["source_columns"] = raw.source_columns
    date_columns = [
        "created_at",
        "updated_at",
        *[c for c in frame.columns if c.endswith("_at")],
        *[to_snake_case(c) for c in settings.need_crm().contacts.date_columns],
    ]
    date_order = clean.file_date_order(frame, date_columns, path=raw.path, dayfirst=settings.clean.dayfirst)
    attributes = _attribute_columns(raw, settings)
    frame = clean.drop_blank_rows(frame, log=log, table="leads")
    frame = clean.check_unique_ids(frame, "lead_id", log=log, table="leads", path=raw.path)
    frame = clean.normalise_emails(frame, log=log, table="leads")
    frame = clean.drop_test_records(
        frame,
        log=log,
        table="leads",
        patterns=settings.privacy.test_patterns,
        internal_domains=settings.privacy.internal_email_domains,
    )
    if "updated_at" in frame:
        frame["updated_at"] = clean.read_dates(
            frame["updated_at"].astype("str").str.strip(), dayfirst=date_order.get("updated_at", False)
        )
    frame, id_map = clean.dedupe_contacts(frame, log=log)
    before = set(frame.columns)
    frame = join_lookups(frame, list(lookups), log=log)
    attributes += [c for c in frame.columns if c not in before]
    frame = clean.replace_missing_tokens(frame, log=log, table="leads", tokens=crm_tokens(settings), keep=before)
    frame = clean.parse_numbers(
        frame, attributes, log=log, table="leads", required=["amount"] if "amount" in frame else []
    )
    categories = settings.clean.category_columns or [
        "source",
        "campaign",
        "owner",
        *[c for c in attributes if pd.api.types.is_string_dtype(frame[c]) and _few_levels(frame[c])],
    ]
    frame = clean.normalise_categories(
        frame, categories, log=log, table="leads", aliases=settings.clean.category_aliases
    )
    frame = clean.parse_dates(
        frame,
        [c for c in dict.fromkeys(date_columns) if c != "updated_at"],
        log=log,
        table="leads",
        path=raw.path,
        dayfirst=date_order,
    )
    return frame, id_map


def pseudonymise_table(
    frame: pd.DataFrame, settings: ProjectSettings, *, log: CleaningLog, table: str, id_column: str, key_column: str
) -> pd.DataFrame:
    """Return the table with its raw id replaced by a keyed hash and every PII column removed. Logs the columns."""
    salt = settings.pseudonym_salt()
    out = frame.copy(deep=False)  # copy-on-write: the insert below never reaches `frame`
    out.insert(0, key_column, pseudonymise(out[id_column], salt=salt, distinct=True))  # check_unique_ids made them so
    listed = {to_snake_case(c) for c in settings.privacy.pii_columns}
    pii = [c for c in out.columns if c in PII_CANONICAL or c in listed or c == id_column or c == "updated_at"]
    # the canonical columns are what the analyses need (an owner is a sales rep's name, not a lead's)
    canonical = {key_column, "lead_key", *LEADS_REQUIRED, *RESPONSES_REQUIRED}
    pii += [
        c for c in detect_pii_columns(out.drop(columns=pii), skip=canonical, personal=is_personal_data) if c not in pii
    ]
    for column, note in pii_suggestions(out.drop(columns=pii)):
        log.record("pii_suggestion", table=table, column=column, rows=0, reason=note)
    log.record(
        "pseudonymise",
        table=table,
        rows=len(out),
        reason=f"id replaced by a keyed hash; columns removed: {', '.join(sorted(pii))}",
    )
    return out.drop(columns=pii)


def clean_survey(
    export: SurveyExport, settings: ProjectSettings, *, log: CleaningLog, lead_ids_by_email: pd.Series | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return cleaned responses (flags, link to leads, PII removed and scrubbed) and the matching codebook."""
    quality = settings.survey.quality if settings.survey else None
    responses = export.responses
    codebook = export.codebook
    for rows, note in export.notes:  # a cut-off last row left out, repeated header names renamed
        log.record("read_file", table="responses", rows=rows, reason=note)
    blank = responses["is_blank_row"] if "is_blank_row" in responses else pd.Series(False, index=responses.index)
    log.record("drop_blank_rows", table="responses", rows=int(blank.sum()), reason="row with no answer in any column")
    responses = responses.loc[~blank].drop(columns=["is_blank_row"], errors="ignore").reset_index(drop=True)
    codebook = codebook[codebook["column"] != "is_blank_row"]
    responses = clean.check_unique_ids(responses, "respondent_id", log=log, table="responses", path=export.path)
    if "status" in responses:
        preview = responses["status"].astype("str").str.contains("preview|test", case=False, na=False)
        log.record(
            "drop_preview_responses",
            table="responses",
            rows=int(preview.sum()),
            reason="survey preview or test response",
        )
        responses = responses.loc[~preview].reset_index(drop=True)
    for _, row in codebook[codebook["n_invalid"] > 0].iterrows():
        log.record(
            "type_answers",
            table="responses",
            column=row["column"],
            rows=int(row["n_invalid"]),
            reason="answer to a numeric question is not a number, set to missing",
        )
    for _, row in codebook.iterrows():
        if (found := NO_ANSWER_NOTE.search(str(row.get("detected", "")))) is not None:
            log.record(
                "missing_tokens",
                table="responses",
                column=row["column"],
                rows=int(found["n"].replace(",", "")),
                reason=f"refusal or form placeholder means no answer ({found['values']}), set to missing",
            )
    responses = clean.flag_speeders(
        responses, log=log, share_of_median=quality.speeder_share_of_median if quality else 0.33
    )
    responses = clean.flag_straightliners(
        responses, codebook, log=log, min_items=quality.straightline_min_items if quality else 5
    )
    finished = (
        responses["finished"].fillna(True).astype(bool)
        if "finished" in responses
        else pd.Series(True, index=responses.index)
    )
    responses["is_incomplete"] = ~finished
    log.record(
        "flag_incomplete", table="responses", rows=int((~finished).sum()), reason="response not finished; flagged, kept"
    )
    responses["quality_ok"] = ~(responses["is_speeder"] | responses["is_straightliner"] | responses["is_incomplete"])
    email = (
        normalise_email(responses["email"])
        if "email" in responses
        else pd.Series(pd.NA, index=responses.index, dtype="str")
    )
    lead_id = email.map(lead_ids_by_email) if lead_ids_by_email is not None else pd.Series(pd.NA, index=responses.index)
    responses["lead_key"] = pseudonymise(lead_id.astype("str"), salt=settings.pseudonym_salt())
    log.record(
        "link_to_leads",
        table="responses",
        rows=int(responses["lead_key"].notna().sum()),
        reason=f"linked to a CRM lead by normalised email ({responses['lead_key'].notna().mean():.1%} of responses)",
    )
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
                kept = list(dict.fromkeys(scrubbed_labels))
                responses[column] = pd.Categorical(scrubbed, categories=kept, ordered=values.cat.ordered)
            else:
                changed = 0
        elif pd.api.types.is_string_dtype(values):
            responses[column], changed = scrub_text(values)
        else:
            continue
        if changed or codebook.loc[codebook["column"] == column, "kind"].eq("text").any():
            log.record(
                "scrub_pii_in_text",
                table="responses",
                column=column,
                rows=changed,
                reason="email address or phone number in an answer replaced by [email] / [phone]",
            )
    codebook = codebook.assign(
        options=codebook["options"].map(
            lambda labels: (
                list(dict.fromkeys(scrub_text(pd.Series(list(labels), dtype="str"))[0])) if len(labels) else []
            )
        )
    )
    responses = pseudonymise_table(
        responses, settings, log=log, table="responses", id_column="respondent_id", key_column="respondent_key"
    )
    flags = ["is_speeder", "is_straightliner", "is_incomplete", "quality_ok"]
    front = ["respondent_key", "lead_key", "submitted_at", "duration_s", *flags]
    absent = {
        "submitted_at": "Not in the export: when the response was submitted",
        "duration_s": "Not in the export: how long the response took, in seconds",
    }
    absent = {column: text for column, text in absent.items() if column not in responses}
    for column in absent:
        responses[column] = (
            pd.Series(pd.NaT, index=responses.index, dtype="datetime64[ns]") if column == "submitted_at" else np.nan
        )
    responses = responses[front + [c for c in responses.columns if c not in front]]
    extra = pd.DataFrame(
        {
            "column": ["respondent_key", "lead_key", *flags, *absent],
            "question": [
                "Pseudonymous respondent key",
                "Pseudonymous key of the linked CRM lead",
                "Answered much faster than the median",
                "Same answer to every grid item",
                "Response not finished",
                "No quality flag raised",
                *absent.values(),
            ],
            "kind": "meta",
        }
    )
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
    crm, touch_entry, touch_source = read_crm_inputs(settings) if settings.crm is not None else (None, None, None)
    contacts = leads = touches = None
    left_out: list[pd.DataFrame] = []
    if crm is not None:
        contacts, id_map = clean_contacts(crm.contacts, settings, log=log, lookups=crm.lookups)
        # the raw text is not needed again, only its columns and size: a million rows of it is memory
        crm = replace(crm, contacts=replace(crm.contacts, frame=crm.contacts.frame.iloc[:0]))
        pa.default_memory_pool().release_unused()  # hand the freed text back to the system before the lead table
        known = pd.Index(contacts["lead_id"].astype("str"))  # hashed by Arrow when asked: no million Python strings
        raw_deals = _without_tokens(crm.deals, settings, log, "deals", ["deal_id", "lead_id"]) if crm.deals else None
        raw_touches = _without_tokens(crm.touches, settings, log, "touches", ["lead_id"]) if crm.touches else None
        deals = deal_summary(raw_deals, id_map, known, settings, log) if raw_deals else None
        touches = touch_table(raw_touches, id_map, known, settings, log) if raw_touches else None
        if touch_source is not None:  # touches that live in a lake or a database stay there
            touches = clean_touch_source(touch_source, id_map, known, settings, log=log)
        leads = build_leads(contacts, deals, touches, settings, log=log, path=crm.contacts.path)
        if touches is not None and is_table(touches):  # pseudonymised in their engine, by the keys computed here
            keys = pd.DataFrame(
                {
                    "lead_id": contacts["lead_id"].astype("str"),
                    "lead_key": pseudonymise(contacts["lead_id"], salt=settings.pseudonym_salt()),
                }
            )
            touches = pseudonymised_touches(touches, keys)
        attributes = _attribute_columns(crm.contacts, settings) + [
            c for c in contacts.columns if c not in crm.contacts.frame.columns
        ]
        leads, found = left_out_columns(leads, attributes, log=log, table="leads")
        left_out.append(found)
        by_email = None
        if "email" in contacts:  # two columns, not a copy of the whole table without its blank emails
            has_email = contacts["email"].notna()
            by_email = contacts.loc[has_email, "lead_id"].set_axis(contacts.loc[has_email, "email"])
        contacts = None
    else:
        by_email = None
    survey = responses = codebook = weighting = None
    if settings.survey is not None:
        spec = settings.survey
        survey = read_survey(
            settings.raw_path(spec.file),
            format=spec.format,
            encoding=spec.encoding,
            delimiter=spec.delimiter,
            sheet=spec.sheet,
            meta_columns=spec.columns or None,
            scales=spec.scales or None,
            answer_aliases=spec.answer_aliases or None,
        )
        responses, codebook = clean_survey(survey, settings, log=log, lead_ids_by_email=by_email)
        answers = codebook.loc[codebook["kind"].isin(LEFT_OUT_KINDS), "column"]
        responses, found = left_out_columns(responses, answers, log=log, table="responses")
        codebook = codebook[~codebook["column"].isin(found["column"])].reset_index(drop=True)
        left_out.append(found)
        if spec.weighting is not None:
            responses, codebook, weighting = weight_responses(responses, codebook, settings, log=log)
    if leads is not None:
        leads = pseudonymise_table(leads, settings, log=log, table="leads", id_column="lead_id", key_column="lead_key")
    if touches is not None and not is_table(touches):
        touches = touches.assign(lead_key=pseudonymise(touches["lead_id"], salt=settings.pseudonym_salt()))
        touches = touches[["lead_key", "at", "kind", "content"]]
    specs = (
        {}
        if settings.crm is None
        else {"contacts": settings.need_crm().contacts, "deals": settings.crm.deals, "touches": settings.crm.touches}
    )
    inputs = input_manifest(
        crm,
        survey,
        extra=[touch_entry] if touch_entry is not None else [],
        sources={t: spec.name for t, spec in specs.items() if spec is not None and spec.in_engine},
    )
    margins_row = margins_manifest_row(settings)
    if margins_row is not None:
        inputs = pd.concat([inputs, pd.DataFrame([margins_row]).astype(inputs.dtypes.to_dict())], ignore_index=True)
    left = _left_out_table(left_out)
    return PreparedData(
        leads=leads,
        touches=touches,
        responses=responses,
        codebook=codebook,
        cleaning_log=log.to_frame(),
        inputs=inputs,
        weighting=weighting,
        left_out=left,
    )


def write_processed(data: PreparedData, folder: Path | str) -> dict[str, Path]:
    """Write the canonical tables as parquet (schema checked, atomically); return the paths written.

    An optional table this run does not produce (no touches or survey export named) is removed from `folder`, so
    that no later notebook reads the one an earlier run left there."""
    folder = Path(folder)
    tables = {
        "leads": (data.leads, LEADS_REQUIRED),
        "touches": (data.touches, TOUCHES_REQUIRED),
        "responses": (data.responses, RESPONSES_REQUIRED),
        "codebook": (data.codebook, CODEBOOK_REQUIRED),
        "cleaning_log": (data.cleaning_log, {}),
        "inputs": (data.inputs, {}),
    }
    written = {}
    for name, (frame, schema) in tables.items():
        if frame is None:
            (folder / f"{name}.parquet").unlink(missing_ok=True)
            continue
        if is_table(frame):  # touches of a lake or a database: written by their engine
            missing = [c for c in schema if c not in frame.columns]
            if missing:
                raise SchemaError(f"{name}: " + "; ".join(f"{c} missing" for c in missing))
            written[name] = write_touch_table(frame, folder / f"{name}.parquet")
            continue
        if name == "responses" and "weight" in frame:
            schema = {**schema, "weight": "number"}  # present when survey.weighting is set
        check_schema(frame, schema, name)
        written[name] = write_parquet(frame, folder / f"{name}.parquet")
    written["facts"] = write_facts(data, folder)
    return written


def data_facts_of(data: PreparedData) -> dict[str, int]:
    """Return what the data can support — usable responses, answers personas can be formed from, leads by outcome
    (converted, and decided as not converted: 'lost') — the facts alignkit.plan skips analyses by."""
    facts: dict[str, int] = {}
    if data.responses is not None and data.codebook is not None:
        usable = (
            data.responses["quality_ok"]
            if "quality_ok" in data.responses
            else pd.Series(True, index=data.responses.index)
        )
        facts["responses"] = int(usable.sum())
        facts["persona_answers"] = int(data.codebook["kind"].isin(PERSONA_ANSWER_KINDS).sum())
    if data.leads is not None and not is_table(data.leads):
        facts["leads"] = len(data.leads)
        facts["converted"] = int(data.leads["converted"].sum())
        if "outcome" in data.leads:
            facts["lost"] = int(data.leads["outcome"].astype("str").eq("lost").sum())
    return facts


def write_facts(data: PreparedData, folder: Path) -> Path:
    """Write facts.json beside the tables (atomically): `data_facts_of(data)`, for alignkit.plan to skip what the
    data cannot support; return its path."""
    facts = data_facts_of(data)
    path = folder / FACTS_FILE
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(facts, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path
