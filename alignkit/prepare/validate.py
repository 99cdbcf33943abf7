"""Check a project's inputs and list every problem found, not just the first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process, utils

from alignkit.config import ProjectSettings, TableInput
from alignkit.engine.sources import open_source
from alignkit.errors import AlignkitError, InputFileError
from alignkit.ingest.crm import (
    RawTable,
    check_columns,
    contacts_required,
    detect_crm_format,
    read_lookup,
    stage_columns,
)
from alignkit.ingest.damage import read_notes
from alignkit.ingest.files import read_export
from alignkit.ingest.spend import read_spend
from alignkit.ingest.survey import read_survey
from alignkit.ingest.tokens import missing_mask
from alignkit.prepare.clean import _fold
from alignkit.prepare.sources import read_crm_inputs
from alignkit.text import map_distinct

VALUE_SIMILARITY = 70  # rapidfuzz ratio (0-100) for a close match among the project file's values
SHOWN_VALUES = 10


@dataclass(frozen=True)
class Problem:
    """One problem with an input: the file, the column (if any), and the message with its fix."""

    file: str
    column: str | None
    message: str


def _problem(error: AlignkitError, fallback: Path) -> Problem:
    if isinstance(error, InputFileError):
        return Problem(str(error.path), error.column, str(error))
    return Problem(str(fallback), None, str(error))


def _check_table(
    table: str,
    spec: TableInput,
    settings: ProjectSettings,
    crm_format: str,
    extra: dict[str, str] | None = None,
    required: tuple[str, ...] | None = None,
    notes: list[str] | None = None,
) -> tuple[list[Problem], str]:
    if spec.in_engine:  # a lake or a database: its columns are read from the engine, no row is loaded
        path = Path(spec.name)
        try:
            columns = list(open_source(spec, settings.root / settings.paths.raw).columns)
        except AlignkitError as error:
            return [_problem(error, path)], crm_format
    else:
        path = settings.raw_path(spec.export_file)
        try:
            _, frame = read_export(path, encoding=spec.encoding, delimiter=spec.delimiter, sheet=spec.sheet)
        except AlignkitError as error:
            return [_problem(error, path)], crm_format
        columns = list(frame.columns)
        if notes is not None:
            notes += [note for _, note in read_notes(path, frame)]
    fmt = detect_crm_format(columns) if crm_format == "auto" else crm_format
    errors = check_columns(table, path, spec, columns, crm_format=fmt, extra_columns=extra, required=required)
    return [_problem(e, path) for e in errors], fmt


def _close(value: str, known: Sequence[str]) -> list[str]:
    found = process.extract(
        value,
        list(dict.fromkeys(known)),
        scorer=fuzz.ratio,
        processor=utils.default_process,
        score_cutoff=VALUE_SIMILARITY,
        limit=3,
    )
    return [match for match, _, _ in found]


def _listed(counts: pd.Series, known: Sequence[str]) -> str:
    parts = []
    for value, n in counts.head(SHOWN_VALUES).items():
        close = _close(str(value), known)
        parts.append(f"{value!r} ({n:,} rows" + (f"; close to {', '.join(map(repr, close))}" if close else "") + ")")
    more = f"; and {len(counts) - SHOWN_VALUES} more" if len(counts) > SHOWN_VALUES else ""
    return "; ".join(parts) + more


def _present(raw: RawTable, column: str, settings: ProjectSettings) -> pd.Series:
    from alignkit.prepare.tables import crm_tokens  # the same placeholders the cleaning reads as missing

    values = raw.frame[column].astype("str").str.strip()
    values = values.where(values.ne("") & ~missing_mask(values, crm_tokens(settings)))
    return values.dropna()


def unknown_values(settings: ProjectSettings, crm=None) -> list[Problem]:
    """Return one problem per CRM column holding values the project file does not know: lifecycle stage values in
    none of funnel.stages[].value and funnel.lost_values, outcome values in none of the outcome lists, and deal
    stages when none of them is a won (or a lost) value. Each lists the values with their counts and close
    matches, so a misspelt value in alignkit.yml cannot quietly leave every lead at "stage unknown"."""
    if settings.crm is None:
        return []
    crm = crm or read_crm_inputs(settings)[0]
    contacts, problems = crm.contacts, []
    source = contacts.source_columns
    if settings.funnel is not None and "stage" in contacts.frame:
        funnel = settings.funnel
        known = [st.value for st in funnel.stages] + list(funnel.lost_values)
        values = _present(contacts, "stage", settings)
        counts = values[~map_distinct(values, _fold).isin({_fold(v) for v in known})].value_counts()
        if len(counts):
            problems.append(
                Problem(
                    str(contacts.path),
                    source.get("stage", "stage"),
                    str(
                        InputFileError(
                            contacts.path,
                            f"{len(counts)} stage value(s) match none of the funnel's stage or lost values: "
                            f"{_listed(counts, known)}.",
                            column=source.get("stage", "stage"),
                            fix="correct the value under funnel.stages[].value (or add it to funnel.lost_values) in "
                            "alignkit.yml, so that these leads are not left at an unknown stage.",
                        )
                    ),
                )
            )
    if settings.has_outcome_column and "converted" in contacts.frame:
        spec = settings.outcome
        known = [*spec.converted_values, *spec.not_converted_values, *spec.open_values]
        values = _present(contacts, "converted", settings).str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
        folded = {" ".join(v.split()).casefold() for v in known}
        counts = values[~map_distinct(values, lambda v: " ".join(v.split()).casefold()).isin(folded)].value_counts()
        if len(counts):
            problems.append(
                Problem(
                    str(contacts.path),
                    source.get("converted"),
                    str(
                        InputFileError(
                            contacts.path,
                            f"{len(counts)} outcome value(s) mean neither converted nor not converted: "
                            f"{_listed(counts, known)}.",
                            column=source.get("converted"),
                            fix="list each under outcome.converted_values, outcome.not_converted_values or "
                            "outcome.open_values in alignkit.yml.",
                        )
                    ),
                )
            )
    if crm.deals is not None and "stage" in crm.deals.frame:
        values = _present(crm.deals, "stage", settings)
        counts = values.value_counts()
        folded = values.str.casefold()
        for key, listed in (
            ("won_deal_stages", settings.crm.won_deal_stages),
            ("lost_deal_stages", settings.crm.lost_deal_stages),
        ):
            if len(values) and not folded.isin({v.casefold() for v in listed}).any():
                column = crm.deals.source_columns.get("stage", "stage")
                problems.append(
                    Problem(
                        str(crm.deals.path),
                        column,
                        str(
                            InputFileError(
                                crm.deals.path,
                                f"no deal has a stage listed in crm.{key} ({', '.join(map(repr, listed))}), so every "
                                f"such deal would count as open. Deal stages in the data: {_listed(counts, listed)}.",
                                column=column,
                                fix=f"list the export's own value(s) under crm.{key} in alignkit.yml.",
                            )
                        ),
                    )
                )
    return problems


def pii_suggestions(settings: ProjectSettings) -> list[Problem]:
    """Return, as notes that do not fail validate, the export columns named like personal data (e.g. "Do Not
    Email") whose values are not emails, phones or names: they are kept as attributes unless the project file
    lists them under privacy.pii_columns. Columns already listed there are not repeated."""
    from alignkit.privacy import pii_suggestions as suggest

    listed = {c.casefold() for c in settings.privacy.pii_columns}
    notes = []
    if settings.crm is not None:
        contacts = read_crm_inputs(settings)[0].contacts
        for column, note in suggest(contacts.frame):
            source = contacts.source_columns.get(column, column)
            if source.casefold() not in listed and column.casefold() not in listed:
                notes.append(Problem(str(contacts.path), source, f"{contacts.path.name}, column {source!r}: {note}"))
    return notes


def validate_project(settings: ProjectSettings, *, deep: bool = True, notes: list[str] | None = None) -> list[Problem]:
    """Return every problem found in the inputs the project file names (empty when all is well).

    Checks that each file exists and reads (encoding, delimiter, not empty), that every mapped column exists
    (with close matches for misspellings); with `deep`, also runs the cleaning to catch bad values
    (duplicate ids, dates that do not parse) once the columns are right. Sentences that do not fail the check go
    into `notes` when given: a last row cut off and left out, repeated header names renamed, and (with `deep`)
    what the cleaned data cannot support (`alignkit.prepare.degenerate`).
    """
    problems: list[Problem] = []
    crm = settings.crm
    if crm is not None:
        found, fmt = _check_table(
            "contacts",
            crm.contacts,
            settings,
            crm.format,
            stage_columns(settings),
            required=contacts_required(settings),
            notes=notes,
        )
        problems += found
        for table, spec in (("deals", crm.deals), ("touches", crm.touches)):
            if spec is not None:
                problems += _check_table(table, spec, settings, fmt, notes=notes)[0]
        for lookup in crm.lookups:
            try:
                read_lookup(lookup, settings)
            except AlignkitError as error:
                problems.append(_problem(error, settings.raw_path(lookup.file)))
    if settings.survey is not None:
        survey = settings.survey
        path = settings.raw_path(survey.file)
        try:
            export = read_survey(
                path,
                format=survey.format,
                encoding=survey.encoding,
                delimiter=survey.delimiter,
                sheet=survey.sheet,
                meta_columns=survey.columns or None,
                scales=survey.scales or None,
                answer_aliases=survey.answer_aliases or None,
            )
            if notes is not None:
                notes += [note for _, note in export.notes]
        except AlignkitError as error:
            problems.append(_problem(error, path))
        if survey.weighting is not None and survey.weighting.margins_file:
            from alignkit.prepare.weights import read_margins_file

            margins_path = settings.raw_path(survey.weighting.margins_file)
            try:
                read_margins_file(margins_path)
            except AlignkitError as error:
                problems.append(_problem(error, margins_path))
    if settings.funnel is not None and settings.funnel.spend_file:  # the optional spend file of notebook 02
        path = settings.raw_path(settings.funnel.spend_file)
        try:
            read_spend(path)
        except AlignkitError as error:
            problems.append(_problem(error, path))
    if deep and not problems:
        from alignkit.prepare.tables import prepare  # the full cleaning run, only once the files and columns are right

        try:
            problems += unknown_values(settings)
            if not problems:
                data = prepare(settings)
                if notes is not None:
                    from alignkit.prepare.degenerate import data_notes

                    notes += data_notes(data, settings)
        except AlignkitError as error:
            problems.append(_problem(error, settings.root))
    return problems


def file_notes(settings: ProjectSettings) -> list[str]:
    """Return a sentence for each input file that is not what its name says (a workbook named .csv, a ZIP holding
    the export): it is read as what it is, and validate says so."""
    from alignkit.ingest.sniff import container_note

    files = [settings.survey.file] if settings.survey is not None else []
    if settings.crm is not None:
        crm = settings.crm
        files += [t.file for t in (crm.contacts, crm.deals, crm.touches, *crm.lookups) if t is not None and t.file]
    notes = []
    for file in dict.fromkeys(files):
        path = settings.raw_path(file)
        if path.is_file() and path.stat().st_size:
            note = container_note(path)
            if note:
                notes.append(note)
    return notes
