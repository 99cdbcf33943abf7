"""Check a project's inputs and list every problem found, not just the first."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alignkit.config import ProjectSettings, TableInput
from alignkit.errors import AlignkitError, InputFileError
from alignkit.ingest.crm import check_columns, contacts_required, detect_crm_format, read_lookup, stage_columns
from alignkit.ingest.files import read_export
from alignkit.ingest.spend import read_spend
from alignkit.ingest.survey import read_survey


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


def _check_table(table: str, spec: TableInput, settings: ProjectSettings, crm_format: str,
                 extra: dict[str, str] | None = None, required: tuple[str, ...] | None = None) -> tuple[list[Problem], str]:
    path = settings.raw_path(spec.file)
    try:
        _, frame = read_export(path, encoding=spec.encoding, delimiter=spec.delimiter, sheet=spec.sheet)
    except AlignkitError as error:
        return [_problem(error, path)], crm_format
    fmt = detect_crm_format(frame.columns) if crm_format == "auto" else crm_format
    errors = check_columns(table, path, spec, list(frame.columns), crm_format=fmt, extra_columns=extra,
                           required=required)
    return [_problem(e, path) for e in errors], fmt


def validate_project(settings: ProjectSettings, *, deep: bool = True) -> list[Problem]:
    """Return every problem found in the inputs the project file names (empty when all is well).

    Checks that each file exists and reads (encoding, delimiter, not empty), that every mapped column exists
    (with close matches for misspellings); with `deep`, also runs the cleaning to catch bad values
    (duplicate ids, dates that do not parse) once the columns are right.
    """
    problems: list[Problem] = []
    crm = settings.crm
    if crm is not None:
        found, fmt = _check_table("contacts", crm.contacts, settings, crm.format, stage_columns(settings),
                                  required=contacts_required(settings))
        problems += found
        for table, spec in (("deals", crm.deals), ("touches", crm.touches)):
            if spec is not None:
                problems += _check_table(table, spec, settings, fmt)[0]
        for lookup in crm.lookups:
            try:
                read_lookup(lookup, settings)
            except AlignkitError as error:
                problems.append(_problem(error, settings.raw_path(lookup.file)))
    if settings.survey is not None:
        spec = settings.survey
        path = settings.raw_path(spec.file)
        try:
            read_survey(path, format=spec.format, encoding=spec.encoding, delimiter=spec.delimiter,
                        sheet=spec.sheet, meta_columns=spec.columns or None)
        except AlignkitError as error:
            problems.append(_problem(error, path))
        if spec.weighting is not None and spec.weighting.margins_file:
            from alignkit.prepare.weights import read_margins_file

            margins_path = settings.raw_path(spec.weighting.margins_file)
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
            prepare(settings)
        except AlignkitError as error:
            problems.append(_problem(error, settings.root))
    return problems
