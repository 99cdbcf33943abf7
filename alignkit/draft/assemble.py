"""A project drafted from exports: every file's kind, the contacts' mapping and attribute types, the outcome laid
out, lookups with their join keys, and the suspected post-outcome fields — the decisions, before any YAML."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from alignkit.config import ROW_NUMBER
from alignkit.draft.lookups import JoinGuess, guess_join
from alignkit.draft.outcome import (
    OutcomeDraft,
    attribute_name,
    converted_layout,
    membership_layout,
    post_outcome_suspects,
    stage_layout,
    stages_from_outcome,
)
from alignkit.errors import InputFileError
from alignkit.ingest.crm import REQUIRED, detect_crm_format
from alignkit.ingest.files import to_snake_case
from alignkit.meaning.columns import KEPT_ROLES, ColumnMeaning
from alignkit.meaning.mapping import Guess, guess_mapping
from alignkit.meaning.tables import ExportFile, assign_kinds, export_paths, read_for_draft
from alignkit.meaning.words import named_like_descriptor

ROW_NUMBER_EVIDENCE = (
    "no column is unique per row: each lead is its row's position in the file (stable while the "
    "file's content is unchanged)"
)
BREAKDOWN_MAX_LEVELS = 12
BREAKDOWN_MAX = 6


@dataclass
class TableDraft:
    """One CRM table drafted: its file, mapping guesses, attributes (name -> column type) and columns left out."""

    export: ExportFile
    mapping: list[Guess] = field(default_factory=list)
    attributes: dict[str, ColumnMeaning] = field(default_factory=dict)
    left_out: list[ColumnMeaning] = field(default_factory=list)
    created_note: str = ""
    role: str = ""  # what the table is, in words (lead list, customer table, opportunity pipeline …)
    membership: ExportFile | None = None  # the table whose rows are this table's converted leads

    def column(self, canonical: str) -> str | None:
        """Return the column mapped to `canonical`, or None."""
        return next((g.column for g in self.mapping if g.canonical == canonical), None)


@dataclass
class LookupDraft:
    """A lookup table drafted: its join onto the contacts and its attributes."""

    export: ExportFile
    join: JoinGuess
    on: str  # canonical or attribute name of the contacts' column
    attributes: dict[str, ColumnMeaning] = field(default_factory=dict)


@dataclass
class ProjectDraft:
    """Everything `alignkit init --from` decided, for the writer."""

    exports: list[ExportFile]
    surveys: list[ExportFile] = field(default_factory=list)
    survey_types: dict[str, ColumnMeaning] = field(default_factory=dict)
    crm_format: str = "generic"
    contacts: TableDraft | None = None
    others: list[TableDraft] = field(default_factory=list)  # deals, touches
    lookups: list[LookupDraft] = field(default_factory=list)
    spend: ExportFile | None = None
    outcome: OutcomeDraft | None = None
    suspects: dict[str, str] = field(default_factory=dict)
    exclude_fields: list[str] = field(default_factory=list)
    breakdowns: list[str] = field(default_factory=list)
    unused: list[ExportFile] = field(default_factory=list)


def _table(export: ExportFile, table: str) -> TableDraft:
    mapping = guess_mapping(export.frame, table)
    if table in ("deals", "touches") and export.member_of:
        # the column whose values are the contacts' ids, as the table's kind was decided, is its lead_id
        mapping = [
            Guess("lead_id", export.member_of, f"its values are ids of the contacts ({export.reason})"),
            *(g for g in mapping if g.canonical != "lead_id" and g.column != export.member_of),
        ]
    draft = TableDraft(export, mapping=mapping)
    mapped = {g.column for g in draft.mapping}
    for column in export.frame.columns:
        if column in mapped:
            continue
        typed = export.meanings[str(column)]
        if typed.role in KEPT_ROLES:
            draft.attributes[attribute_name(str(column))] = typed
        else:
            draft.left_out.append(typed)
    return draft


def _table_role(contacts: TableDraft) -> str:
    """Return what the contacts table is in words, from its mapping and its columns' meanings."""
    roles = [m.role for m in contacts.export.meanings.values()]
    if contacts.column("stage") and contacts.column("amount"):
        return "opportunity pipeline"
    if contacts.column("stage"):
        return "CRM contacts with stages"
    names = [to_snake_case(c) for c in contacts.export.meanings]
    described = sum(named_like_descriptor(n) for n in names)
    if sum(r == "number" for r in roles) >= 0.4 * len(roles) and (
        described >= 3 or any("customer" in n for n in names)
    ):
        return "customer table"  # one row a customer: who they are (income, household …) and what they do
    return "lead list"


def _date_columns(table: TableDraft) -> list[str]:
    return [t.column for t in table.left_out if t.role == "date"]


def _outcome(contacts: TableDraft) -> OutcomeDraft | None:
    frame = contacts.export.frame
    if stage := contacts.column("stage"):
        created = contacts.column("created_at")
        dates = [c for c in _date_columns(contacts) if c != created]
        closed = contacts.column("closed_at")  # never a stage's date (lost rows have it too), but it says how to judge
        layout = stage_layout(frame, stage, dates + ([closed] if closed else []))
        if created is None and dates:
            # funnel stages need a creation date: the most filled date stands in for it
            best = max(dates, key=lambda c: (frame[c].notna().mean(), c))
            contacts.mapping.append(
                Guess(
                    "created_at",
                    best,
                    f"no creation date in the export: the most filled date "
                    f"column ({frame[best].notna().mean():.0%} of rows) "
                    f"stands in for it",
                )
            )
            contacts.left_out = [t for t in contacts.left_out if t.column != best]
        used = {s.reached_column for s in layout.stages}
        contacts.left_out = [t for t in contacts.left_out if t.column not in used]
        return layout
    converted = contacts.column("converted")
    drafted = (
        converted_layout(frame, converted)
        if converted
        else membership_layout(frame, contacts.membership)
        if contacts.membership is not None
        else None
    )
    if drafted is None:
        return None
    date = contacts.column("closed_at") or (
        f"{drafted.membership_file}: {drafted.membership_date}" if drafted.membership_date else None
    )
    if contacts.column("created_at") and date:  # dated conversions: a funnel of two stages times them
        return stages_from_outcome(
            drafted, contacts_name=f"{contacts.export.path.stem} {contacts.column('lead_id')}", date_column=date
        )
    return drafted


def draft_project(sources: list[Path], *, encoding: str = "auto", delimiter: str = "auto") -> ProjectDraft:
    """Return the project drafted from the exports named by `sources` (files or folders), read with `encoding`
    and `delimiter` when given (`alignkit init --encoding`), else as sniffed."""
    read, unread, errors = [], [], []
    for path in export_paths(sources):
        try:
            read.append(read_for_draft(path, encoding=encoding, delimiter=delimiter))
        except InputFileError as error:
            # a description or a broken file beside the exports: say why it is not used, draft from the rest
            errors.append(error)
            unread.append(ExportFile(Path(path), pd.DataFrame(), reason=f"not read as a table: {error.problem}"))
    if not read:
        raise errors[0]
    exports = [*assign_kinds(read), *unread]
    draft = ProjectDraft(exports)
    for export in exports:
        if export.kind == "survey":
            draft.surveys.append(export)
        elif export.kind == "contacts":
            draft.contacts = _table(export, "contacts")
            draft.crm_format = detect_crm_format([str(c) for c in export.frame.columns])
        elif export.kind in ("deals", "touches"):
            table = _table(export, export.kind)
            missing = [c for c in REQUIRED[export.kind] if table.column(c) is None]
            if any(o.export.kind == export.kind for o in draft.others):
                draft.unused.append(
                    replace(
                        export, reason=f"a second {export.kind} table: the project file takes one ({export.reason})"
                    )
                )
            elif missing:
                draft.unused.append(
                    replace(
                        export,
                        reason=f"{export.reason}, but no column was found for {', '.join(missing)}: map them to use it",
                    )
                )
            else:
                draft.others.append(table)
        elif export.kind == "spend" and draft.spend is None:
            draft.spend = export
    draft.unused += [*draft.surveys[1:], *(e for e in exports if e.kind == "")]  # with the files not read
    if draft.contacts is not None:
        draft.contacts.role = _table_role(draft.contacts)
        if draft.contacts.column("lead_id") is None:
            draft.contacts.mapping.insert(0, Guess("lead_id", ROW_NUMBER, ROW_NUMBER_EVIDENCE))
        members = [e for e in exports if e.kind == "membership"]
        if members and not draft.contacts.column("converted") and not draft.contacts.column("stage"):
            draft.contacts.membership = members[0]
        draft.unused += [e for e in members if e is not draft.contacts.membership]
    draft.surveys = draft.surveys[:1]
    if draft.surveys:
        draft.survey_types = dict(draft.surveys[0].meanings)
    contacts = draft.contacts
    if contacts is None:
        draft.unused += [e for e in exports if e.kind in ("lookup", "deals", "touches", "spend")]
        draft.others, draft.spend = [], None
        return draft
    draft.outcome = _outcome(contacts)
    names = {contacts.column(c): c for c in ("owner", "source", "campaign", "stage") if contacts.column(c)}
    names.update({t.column: n for n, t in contacts.attributes.items()})
    taken = set(contacts.attributes) | {g.canonical for g in contacts.mapping}
    for export in (e for e in exports if e.kind == "lookup"):
        exclude = {g.column for g in contacts.mapping if g.canonical not in ("owner", "source", "campaign")}
        join = guess_join(export.frame, contacts.export.frame, exclude=exclude)
        if join is None or join.on_column not in names:
            draft.unused.append(export)
            continue
        lookup = LookupDraft(export, join, names[join.on_column])
        for column in export.frame.columns:
            typed = export.meanings[str(column)]
            name = attribute_name(str(column))
            if column == join.key or typed.role not in KEPT_ROLES:
                continue
            name = name if name not in taken else f"{attribute_name(export.path.stem)}_{name}"
            lookup.attributes[name] = typed
            taken.add(name)
        if not lookup.attributes:
            draft.unused.append(
                replace(export, reason=f"{export.reason}, but none of its other columns is an attribute to analyse")
            )
            continue
        draft.lookups.append(lookup)
    if draft.outcome is not None and draft.outcome.converted is not None:
        numeric = {n for n, t in contacts.attributes.items() if t.role == "number"}
        draft.suspects = post_outcome_suspects(
            contacts.export.frame,
            {n: t.column for n, t in contacts.attributes.items()},
            draft.outcome.converted,
            numeric=numeric,
        )
    if contacts.column("owner"):
        draft.exclude_fields = ["owner", *(n for lk in draft.lookups if lk.on == "owner" for n in lk.attributes)]
    draft.breakdowns = [c for c in ("source", "campaign", "owner") if contacts.column(c)]
    for name, typed in [
        *contacts.attributes.items(),
        *((n, t) for lk in draft.lookups for n, t in lk.attributes.items()),
    ]:
        if len(draft.breakdowns) >= BREAKDOWN_MAX:
            break
        if (
            typed.role in ("category", "ordered scale", "place")
            and len(typed.levels) <= BREAKDOWN_MAX_LEVELS
            and name not in draft.suspects
        ):
            draft.breakdowns.append(name)
    return draft
