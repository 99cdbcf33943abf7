"""Scoring a new CRM contacts export with the saved lead score (`alignkit score NEW_LEADS.csv`): the export goes
through notebook 01's ingest and cleaning, its categories are matched to the spellings the score learned, and
each lead gets its score, band A–D and reasons, under a pseudonymous key.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from alignkit.config import ProjectSettings
from alignkit.errors import InputFileError, MissingColumnError
from alignkit.ingest.crm import read_crm_table, resolve_mapping
from alignkit.ingest.files import read_export
from alignkit.leads.analysis import SCORE_FILE, LeadsResult, load_result
from alignkit.leads.reasons import score_leads
from alignkit.leads.score import LeadScore, known_values
from alignkit.prepare import clean
from alignkit.prepare.clean import CleaningLog
from alignkit.prepare.tables import clean_contacts
from alignkit.privacy import pseudonymise
from alignkit.report.safe_csv import write_inert_csv


def _known_levels(score: LeadScore) -> dict[str, list[str]]:
    return known_values(score.model.pipeline_, score.categorical)


def score_file(path: Path | str, settings: ProjectSettings, *, result: LeadsResult | None = None) -> pd.DataFrame:
    """Return one row a lead of a CRM contacts export: pseudonymous lead_key, calibrated score, band A–D and the
    top three reasons for and against. The export goes through notebook 01's ingest and cleaning (test records
    dropped, duplicates merged, categories normalised, ids pseudonymised), so no PII reaches the output.

    Raises MissingColumnError naming the file and the column when a column the score needs is not in the export."""
    path = Path(path)
    result = result or load_result(settings)
    score = result.score
    if score is None:
        raise InputFileError(
            settings.processed_dir / SCORE_FILE, "holds no fitted score.", fix="rerun notebook 04 with the score."
        )
    crm = settings.need_crm()
    contacts = crm.contacts
    attributes = {name: column for name, column in score.mapping.items() if name in score.features}
    # new leads have no outcome yet: the membership table that marks converted leads is not read for them
    spec = contacts.model_copy(update={"file": str(path), "attributes": attributes, "converted_from": None})
    raw = read_crm_table("contacts", path, spec, crm_format=crm.format)
    preset = resolve_mapping("contacts", raw.format, spec)
    for feature in score.features:
        if feature not in raw.frame:
            column = attributes.get(feature) or preset.get(feature, feature)
            available = list(
                read_export(path, encoding=spec.encoding, delimiter=spec.delimiter, sheet=spec.sheet)[1].columns
            )
            raise MissingColumnError(path, column, available, mapped_from=f"the lead score's attribute {feature!r}")
    scoring_settings = settings.model_copy(update={"crm": crm.model_copy(update={"contacts": spec})})
    frame, _ = clean_contacts(raw, scoring_settings, log=CleaningLog())
    for column, levels in _known_levels(score).items():
        if column in frame:
            frame[column] = _as_known_levels(frame[column], levels)
    frame["lead_key"] = pseudonymise(frame["lead_id"].astype("str"), salt=settings.pseudonym_salt())
    return score_leads(score, frame)


def _as_known_levels(values: pd.Series, levels: Iterable[str]) -> pd.Series:
    """Return the text values with each one spelled as the training level it folds to (case, spaces), else as is."""
    by_fold = {clean.fold_key(level): level for level in levels}
    return values.astype("str").map(lambda v: by_fold.get(clean.fold_key(v), v), na_action="ignore")


def write_scores(scores: pd.DataFrame, path: Path | str) -> Path:
    """Write the scores of `score_file` to CSV with every text cell inert (a reason or a category beginning with
    =, +, -, @, a tab or a carriage return cannot run as a spreadsheet formula; scores stay numbers); return the
    path."""
    return write_inert_csv(scores, Path(path))
