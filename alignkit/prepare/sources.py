"""CRM tables where the data lives (a lake, a database table or query) beside export files, for notebook 01.

Contacts and deals (one row a lead or a deal) are read from their engine into the same text frames an export gives,
and cleaned like one. Touches stay in their engine: they are mapped, cleaned (merged contacts followed, rows of no
remaining contact dropped, dates typed, kinds spelled one way, every change counted in the cleaning log) and
pseudonymised as an Ibis expression, and notebook 01 writes them to data/processed/touches.parquet through the
engine, never through pandas.
"""

from __future__ import annotations

import glob
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from alignkit.config import ProjectSettings, TableInput
from alignkit.engine.backend import as_table, backend_of, to_frame
from alignkit.engine.sources import lake_pattern, open_source
from alignkit.ingest.crm import (
    CrmExports,
    RawTable,
    check_columns,
    contacts_required,
    detect_crm_format,
    read_crm_table,
    read_lookup,
    resolve_mapping,
    stage_columns,
)
from alignkit.ingest.files import to_snake_case
from alignkit.prepare import clean
from alignkit.prepare.clean import CleaningLog

if TYPE_CHECKING:
    import ibis.expr.types as ir

TOUCH_COLUMNS = ("lead_id", "at", "kind", "content")


def _raw(settings: ProjectSettings) -> Path:
    return settings.root / settings.paths.raw


def fingerprint(spec: TableInput, table: ir.Table, settings: ProjectSettings) -> tuple[int, str]:
    """Return the rows of an engine input and a fingerprint of it (16 hex digits): a lake's file names and sizes, a
    database input's source as written (credentials left as ${…}), its columns and row count."""
    rows = int(to_frame(table.aggregate(n=table.count()))["n"].iloc[0])
    digest = hashlib.sha256(f"{spec.name}|{table.schema()}|{rows}".encode())
    if spec.lake:
        for name in sorted(glob.glob(lake_pattern(spec.lake, _raw(settings)), recursive=True)):
            digest.update(f"{Path(name).name}:{Path(name).stat().st_size}".encode())
    return rows, digest.hexdigest()[:16]


def _mapping(
    table: str,
    spec: TableInput,
    columns: list[str],
    *,
    crm_format: str,
    extra: dict[str, str] | None,
    required: tuple[str, ...] | None,
) -> tuple[str, dict[str, str]]:
    fmt = detect_crm_format(columns) if crm_format == "auto" else crm_format
    errors = check_columns(
        table, Path(spec.name), spec, columns, crm_format=fmt, extra_columns=extra, required=required
    )
    if errors:
        raise errors[0]
    present = set(columns)
    wanted = {c: col for c, col in resolve_mapping(table, fmt, spec).items() if col in present}
    for name, column in {**spec.attributes, **(extra or {})}.items():
        wanted[to_snake_case(name)] = column
    return fmt, wanted


def read_source_table(
    table: str,
    spec: TableInput,
    settings: ProjectSettings,
    *,
    crm_format: str,
    extra: dict[str, str] | None = None,
    required: tuple[str, ...] | None = None,
) -> RawTable:
    """Return a contacts or deals table from its lake or database as an export would give it: canonical names,
    values as text (cleaned by notebook 01 like any export's)."""
    source = open_source(spec, _raw(settings))
    _, wanted = _mapping(table, spec, list(source.columns), crm_format=crm_format, extra=extra, required=required)
    frame = to_frame(
        source.select(**{canonical: source[column].cast("string") for canonical, column in wanted.items()})
    )
    rows, digest = fingerprint(spec, source, settings)
    return RawTable(
        name=table,
        path=Path(spec.name),
        frame=frame,
        source_columns=wanted,
        rows_in_file=rows,
        sha256=digest,
        format="lake" if spec.lake else "database",
    )


def read_crm_inputs(settings: ProjectSettings) -> tuple[CrmExports, RawTable | None, ir.Table | None]:
    """Return the CRM tables named by the project file — exports read by alignkit.ingest, lake and database tables
    by their engine — and, when the touches live in an engine, their manifest entry and their mapped table
    (canonical names lead_id, at, kind, content; not yet cleaned)."""
    crm = settings.need_crm()

    def read(table: str, spec: TableInput, fmt: str, **kwargs) -> RawTable:
        if spec.in_engine:
            return read_source_table(table, spec, settings, crm_format=fmt, **kwargs)
        return read_crm_table(
            table,
            settings.raw_path(spec.export_file),
            spec,
            crm_format=fmt,
            **({"extra_columns": kwargs["extra"], "required": kwargs["required"]} if kwargs else {}),
        )

    contacts = read(
        "contacts", crm.contacts, crm.format, extra=stage_columns(settings), required=contacts_required(settings)
    )
    fmt = contacts.format if contacts.format in ("hubspot", "salesforce", "generic") else crm.format
    deals = read("deals", crm.deals, fmt) if crm.deals else None
    touches = entry = None
    if crm.touches is not None and crm.touches.in_engine:
        source = open_source(crm.touches, _raw(settings))
        _, wanted = _mapping("touches", crm.touches, list(source.columns), crm_format=fmt, extra=None, required=None)
        touches = source.select(**{c: source[column] for c, column in wanted.items() if c in TOUCH_COLUMNS})
        rows, digest = fingerprint(crm.touches, source, settings)
        entry = RawTable(
            name="touches",
            path=Path(crm.touches.name),
            frame=pd.DataFrame(columns=list(wanted)),
            source_columns=wanted,
            rows_in_file=rows,
            sha256=digest,
            format="lake" if crm.touches.lake else "database",
        )
    elif crm.touches is not None:
        entry = read("touches", crm.touches, fmt)
    lookups = [read_lookup(spec, settings) for spec in crm.lookups]
    exports = CrmExports(
        format=fmt, contacts=contacts, deals=deals, touches=entry if touches is None else None, lookups=lookups
    )
    return exports, entry if touches is not None else None, touches


def _count(table: ir.Table) -> int:
    return int(to_frame(table.aggregate(n=table.count()))["n"].iloc[0])


def clean_touch_source(
    touches: ir.Table, id_map: dict[str, str], known: pd.Index, settings: ProjectSettings, *, log: CleaningLog
) -> ir.Table:
    """Return the touches of an engine cleaned as `lead_table.touch_table` cleans an export's: blank rows dropped,
    ids of merged duplicates moved to the kept contact, rows of no remaining contact dropped, dates typed (text that
    is not a date becomes missing), kinds spelled one way; each step counted in the log."""
    import ibis  # loaded where touches are cleaned in an engine, not when validate imports this module

    t = touches
    for column in TOUCH_COLUMNS:
        if column not in t.columns:
            t = t.mutate(**{column: ibis.null("string")})
    t = t.mutate(
        lead_id=t["lead_id"].cast("string").strip(),
        kind=t["kind"].cast("string").strip(),
        content=t["content"].cast("string"),
    )
    total = _count(t)
    blank = ibis.and_(*[t[c].isnull() for c in TOUCH_COLUMNS])
    t = t.filter(~blank)
    kept = _count(t)
    log.record("drop_blank_rows", table="touches", rows=total - kept, reason="row with no value in any column")
    moves = as_table(
        pd.DataFrame(
            {"lead_id": pd.Series(list(id_map), dtype="str"), "kept_id": pd.Series(list(id_map.values()), dtype="str")}
        )
    )
    t = (
        t.left_join(moves, t["lead_id"] == moves["lead_id"])
        .select(
            lead_id=ibis.coalesce(moves["kept_id"], t["lead_id"]),
            moved=moves["kept_id"].notnull(),
            at=t["at"],
            kind=t["kind"],
            content=t["content"],
        )
        .view()
    )  # a relation of its own, to join again
    moved = int(to_frame(t.aggregate(n=t["moved"].cast("int64").sum()))["n"].fillna(0).iloc[0])
    log.record(
        "follow_merged_contacts",
        table="touches",
        rows=moved,
        reason="belonged to a duplicate contact; moved to the kept record",
    )
    ids = as_table(pd.DataFrame({"lead_id": pd.Series(known, dtype="str").sort_values(ignore_index=True)}))
    t = t.semi_join(ids, "lead_id").drop("moved")
    remaining = _count(t)
    log.record(
        "drop_unknown_leads",
        table="touches",
        rows=kept - remaining,
        reason="refers to no remaining contact (a test record, or a contact not in the export)",
    )
    if not t["at"].type().is_timestamp():
        text = t["at"].cast("string").strip()
        typed = text.try_cast("timestamp")
        bad = int(
            to_frame(t.aggregate(n=(text.notnull() & (text != "") & typed.isnull()).cast("int64").sum()))["n"]
            .fillna(0)
            .iloc[0]
        )
        log.record(
            "parse_dates",
            table="touches",
            column="at",
            rows=bad,
            reason="not a date (ISO 8601 expected in a lake or database), set to missing",
        )
        t = t.mutate(at=typed)
    return _spell_kinds_one_way(t, log=log)


def _spell_kinds_one_way(touches: ir.Table, *, log: CleaningLog) -> ir.Table:
    """Return the touches with each kind spelled as its most frequent spelling among those differing only in case,
    accents or punctuation (as `clean.normalise_categories`); the spellings are counted in the engine."""
    counts = to_frame(touches.group_by("kind").aggregate(n=touches.count()))
    counts = counts[counts["kind"].notna()].sort_values(["n", "kind"], ascending=[False, True], kind="stable")
    canonical: dict[str, str] = {}
    for spelling in counts["kind"]:
        canonical.setdefault(clean._fold(spelling), spelling)
    mapping = {s: canonical[clean._fold(s)] for s in counts["kind"] if canonical[clean._fold(s)] != s}
    changed = int(counts.loc[counts["kind"].isin(list(mapping)), "n"].sum())
    log.record(
        "normalise_categories",
        table="touches",
        column="kind",
        rows=changed,
        reason="same category spelled differently (case, spaces, punctuation or a listed alias)",
    )
    if not mapping:
        return touches
    return touches.mutate(kind=touches["kind"].substitute(mapping))


def pseudonymised_touches(touches: ir.Table, keys: pd.DataFrame) -> ir.Table:
    """Return touches.parquet's table from cleaned engine touches: lead_key (from `keys`: lead_id → lead_key, the
    keyed hashes computed in pandas), at, kind, content."""
    k = as_table(keys[["lead_id", "lead_key"]])
    joined = touches.inner_join(k, "lead_id")
    return joined.select("lead_key", "at", "kind", "content")


def write_touch_table(touches: ir.Table, path: Path) -> Path:
    """Write engine touches to a parquet file (through a temporary name, renamed into place); return the path."""
    temporary = path.with_name(f".{path.name}.tmp")
    backend_of(touches).to_parquet(touches, str(temporary))
    temporary.replace(path)
    return path
