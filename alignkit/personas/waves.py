"""New survey waves: assign respondents to the saved personas and report what moved (`alignkit assign`).

The wave is read and cleaned exactly like the fitted survey (``read_survey`` + ``tables.clean_survey``), checked
against the codebook the model was fitted on (same questions, same scale labels, no unknown options), assigned
with the saved model, and compared with the fitted wave: share change per persona with Newcombe CIs, and the
questions whose answers moved most (total-variation distance, Cramér's V).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from alignkit import plots
from alignkit.config import ProjectSettings
from alignkit.errors import InputFileError, close_matches
from alignkit.ingest.files import content_hash
from alignkit.ingest.survey import read_survey
from alignkit.io import write_csv
from alignkit.personas.analysis import PERSONAS_FILE, load_bundle
from alignkit.personas.customers import customer_inputs
from alignkit.personas.drift import question_drift, share_drift
from alignkit.personas.fitting import min_answered, segmented_rows
from alignkit.personas.profiles import short_question
from alignkit.prepare.clean import CleaningLog
from alignkit.prepare.tables import clean_survey
from alignkit.report.html import ReportFigure, ReportTable, Section, render_fragment, write_report

DRIFT_SLUG_PREFIX = "03_persona_drift_"


class WaveMismatchError(InputFileError):
    """A new wave's questions or answer labels do not match the codebook the persona model was fitted on."""


def _options(codebook: pd.DataFrame, column: str) -> list[str]:
    return [str(o) for o in codebook.set_index("column").at[column, "options"]]


def check_wave(
    responses: pd.DataFrame, codebook: pd.DataFrame, fitted_codebook: pd.DataFrame, features: list[str], path: Path
) -> None:
    """Raise WaveMismatchError naming the file, the column and the fix if a persona question is missing, has
    another wording or type, another Likert scale, or options the model never saw; return None when it matches."""
    problems: list[tuple[str, str]] = []
    fitted = fitted_codebook.set_index("column")
    new = codebook.set_index("column")
    for column in features:
        if column not in new.index:
            hint = close_matches(column, list(new.index))
            problems.append((column, "is missing from the wave" + (f" (close: {hint[0]!r})" if hint else "")))
            continue
        was, now = fitted.loc[column], new.loc[column]
        if short_question(was["question"]) != short_question(now["question"]):
            problems.append(
                (
                    column,
                    f"asks {short_question(now['question'])!r}, the fitted survey asked "
                    f"{short_question(was['question'])!r}",
                )
            )
        elif was["kind"] != now["kind"]:
            problems.append((column, f"was read as {now['kind']}, the fitted survey's was {was['kind']}"))
        elif was["kind"] == "likert" and _options(fitted_codebook, column) != _options(codebook, column):
            problems.append(
                (
                    column,
                    f"uses the scale {_options(codebook, column)}, the fitted survey used "
                    f"{_options(fitted_codebook, column)}",
                )
            )
        elif was["kind"] == "single":
            unknown = sorted(set(responses[column].dropna().astype(str)) - set(_options(fitted_codebook, column)))
            if unknown:
                problems.append((column, f"has answer option(s) the persona model never saw: {unknown}"))
        elif was["kind"] == "multi" and str(was.get("item")) != str(now.get("item")):
            problems.append((column, f"is the option {now.get('item')!r}, the fitted survey's was {was.get('item')!r}"))
    if problems:
        detail = "; ".join(f"{c} {p}" for c, p in problems)
        raise WaveMismatchError(
            path,
            f"does not match the survey the personas were fitted on: {detail}.",
            column=problems[0][0],
            fix="export the new wave with the same questions, scale labels and options (rename "
            "them back in a copy of the export), or refit the personas on the new survey "
            "with notebook 03.",
        )


@dataclass(frozen=True)
class WaveResult:
    """A new wave assigned to the saved personas, and how it differs from the fitted wave."""

    source: Path
    assignments: pd.DataFrame  # respondent_key, persona_id, persona, quality_ok
    shares: pd.DataFrame  # share change per persona, largest first
    questions: pd.DataFrame  # answers whose distribution moved most, largest first
    inputs: pd.DataFrame
    overlap: int = 0  # respondents of the new wave whose id is also in the fitted wave

    def _repr_html_(self) -> str:
        return render_fragment(
            "summary.html.j2",
            tables=[
                ("Persona shares, fitted wave vs new wave", self.shares),
                ("Questions that moved most", self.questions.head(10)),
            ],
        )


def assign_wave(path: Path | str, settings: ProjectSettings, *, format: str = "auto") -> WaveResult:
    """Return a new survey wave assigned to the saved personas, with share and question drift against the fitted
    wave (respondents without a quality flag in both)."""
    path = Path(path)
    bundle = load_bundle(settings)
    model, fitted_codebook, names = bundle["model"], bundle["codebook"], dict(bundle["names"])
    names.update(settings.personas.names)
    if settings.persona_source == "crm":
        responses, codebook, source_format = new_customers(path, settings)
        before = customer_inputs(pd.read_parquet(settings.processed_dir / "leads.parquet"), settings)[0]
        generated = False
    else:
        spec = settings.survey
        export = read_survey(
            path,
            format=format,
            encoding=spec.encoding if spec else "auto",
            delimiter=spec.delimiter if spec else "auto",
            meta_columns=(spec.columns or None) if spec else None,
            scales=(spec.scales or None) if spec else None,
            answer_aliases=(spec.answer_aliases or None) if spec else None,
        )
        responses, codebook = clean_survey(export, settings, log=CleaningLog(), lead_ids_by_email=None)
        source_format = export.source_format
        before = pd.read_parquet(settings.processed_dir / "responses.parquet")
        book = export.codebook.set_index("column")["question"]
        generated = "respondent_id" in book and str(book["respondent_id"]).startswith("Generated by alignkit")
    check_wave(responses, codebook, fitted_codebook, list(model.features_), path)
    segmented = wave_segmented(responses, model, fitted_codebook, settings)
    persona_id = pd.Series(model.predict(responses) + 1, index=responses.index).where(segmented).astype("Int64")
    assignments = pd.DataFrame(
        {
            "respondent_key": responses["respondent_key"].astype("str"),
            "persona_id": persona_id,
            "persona": persona_id.map(names).astype("str").where(persona_id.notna()),
            "quality_ok": responses["quality_ok"].astype(bool),
        }
    )
    before_personas = pd.read_parquet(settings.processed_dir / PERSONAS_FILE)
    before_ok = before["quality_ok"].astype(bool).to_numpy()
    after_ok = assignments["quality_ok"].to_numpy()
    shares = share_drift(
        before_personas["persona_id"][before_ok].reset_index(drop=True),
        assignments["persona_id"][after_ok].reset_index(drop=True),
        names,
        min_group_size=settings.privacy.min_group_size,
    )
    questions = question_drift(before[before_ok], responses[after_ok], fitted_codebook)
    overlap = 0 if generated else respondent_overlap(before["respondent_key"], assignments["respondent_key"])
    if overlap:
        warnings.warn(overlap_warning(overlap, len(assignments), path), stacklevel=2)
    inputs = pd.DataFrame(
        [
            {
                "table": "customers" if settings.persona_source == "crm" else "survey wave",
                "file": path.name,
                "format": source_format,
                "rows": len(responses),
                "columns_kept": responses.shape[1],
                "sha256": content_hash(path),
            }
        ]
    )
    return WaveResult(
        source=path, assignments=assignments, shares=shares, questions=questions, inputs=inputs, overlap=overlap
    )


def wave_segmented(
    responses: pd.DataFrame, model, fitted_codebook: pd.DataFrame, settings: ProjectSettings
) -> pd.Series:
    """Return which respondents of a new wave answered enough of the persona questions to be assigned (the fitted
    wave's rule, ``segmented_rows``); the others get no persona."""
    book = fitted_codebook.set_index("column")
    blocks = dict(model.blocks or {})
    features = pd.DataFrame(
        {
            "column": list(model.features_),
            "block": [blocks.get(c, c) for c in model.features_],
            "kind": [book.at[c, "kind"] if c in book.index else "single" for c in model.features_],
        }
    )
    return segmented_rows(
        responses,
        features,
        min_answered=min_answered(settings),
        not_asked=[c for c in (model.not_asked or []) if c in responses],
        rows=responses["quality_ok"].astype(bool) if "quality_ok" in responses else None,
    )


def new_customers(path: Path, settings: ProjectSettings) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Return (answers, codebook, format) of a new customer export (personas.source: crm): read and cleaned like the
    project's contacts table (same columns, lookups and salt), without its outcome, which new customers lack."""
    from alignkit.prepare.tables import prepare

    crm = settings.need_crm()
    columns = {k: v for k, v in crm.contacts.columns.items() if k != "converted"}
    contacts = crm.contacts.model_copy(update={"file": str(path.resolve()), "columns": columns, "converted_from": None})
    copy = settings.model_copy(
        update={
            "survey": None,
            "funnel": None,
            "crm": crm.model_copy(update={"contacts": contacts, "deals": None, "touches": None}),
        }
    )
    leads = prepare(copy).leads
    responses, codebook = customer_inputs(leads, settings)
    return responses, codebook, crm.format


def respondent_overlap(fitted_keys: pd.Series, new_keys: pd.Series) -> int:
    """Return how many of the new wave's respondent keys are also in the fitted wave (`assign_wave` does not compare
    ids alignkit generated from row numbers, 'R0001' …: they are the same in every export without an id column)."""
    fitted = set(fitted_keys.dropna().astype(str))
    return int(new_keys.dropna().astype(str).isin(fitted).sum())


def overlap_warning(overlap: int, total: int, path: Path) -> str:
    """Return the warning printed when the new wave shares respondents with the fitted wave."""
    return (
        f"{path.name}: {overlap:,} of its {total:,} respondent ids are also in the wave the personas were fitted "
        "on: the same people answered twice, so the waves are not independent samples and the share changes' "
        "intervals are too wide or too narrow. Check the export, or drop the repeated respondents to compare "
        "new people only."
    )


def wave_slug(path: Path) -> str:
    """Return the report slug of a wave: 03_persona_drift_<file stem in snake case>."""
    return DRIFT_SLUG_PREFIX + re.sub(r"[^0-9a-z]+", "_", path.stem.lower()).strip("_")


def drift_headline(result: WaveResult) -> list[str]:
    """Return the drift report's findings in plain words."""
    unassigned = int(result.assignments["persona_id"].isna().sum())
    lines = [
        f"{len(result.assignments) - unassigned:,} of the {len(result.assignments):,} rows in {result.source.name} "
        f"were assigned to the saved personas ({int(result.assignments['quality_ok'].sum()):,} without a quality "
        "flag are compared)"
        + (f"; {unassigned:,} answered too few of the persona questions and are in no persona." if unassigned else ".")
    ]
    if result.overlap:
        lines.append("Warning: " + overlap_warning(result.overlap, len(result.assignments), result.source))
    moved = result.shares[result.shares["moved"] & ~result.shares["suppressed"]]
    for _, row in moved.iterrows():
        direction = "grew" if row["change"] > 0 else "shrank"
        lines.append(
            f"“{row['persona']}” {direction} from {row['share_before']:.0%} to {row['share_after']:.0%} "
            f"({row['change'] * 100:+.1f} points, 95% CI {row['change_ci_low'] * 100:+.1f} to "
            f"{row['change_ci_high'] * 100:+.1f})."
        )
    if not len(moved):
        lines.append("No persona's share changed by more than chance would explain.")
    top = result.questions.head(3)
    lines.append(
        "Answers that moved most: "
        + "; ".join(f"{q} (distance {d:.2f})" for q, d in zip(top["question"], top["distance"]))
        + "."
    )
    return lines


def write_wave_outputs(result: WaveResult, settings: ProjectSettings) -> dict[str, Path]:
    """Write the assignment CSV (data/processed/personas_<wave>.csv, pseudonymous keys only) and the drift report
    (reports/03_persona_drift_<wave>.html with its CSVs); return both paths."""
    slug = wave_slug(result.source)
    csv = write_csv(result.assignments, settings.processed_dir / f"personas_{slug.removeprefix(DRIFT_SLUG_PREFIX)}.csv")
    sections = [
        Section(
            "shares",
            "How persona shares moved",
            [
                "Each persona's share among responses without a quality flag, in the wave the personas were fitted "
                "on and in the new wave; the change comes with a 95% Newcombe interval. An interval that excludes "
                "zero is a move beyond sampling noise."
            ],
            [
                ReportFigure.from_axes(
                    plots.plot_share_drift(result.shares[~result.shares["suppressed"]]),
                    alt="Dot chart of the change in each persona's share with confidence intervals.",
                ),
                ReportTable("share_drift", "Persona shares, fitted wave vs new wave", result.shares),
            ],
        ),
        Section(
            "questions",
            "Questions whose answers moved most",
            [
                "Total-variation distance: the share of answers that would have to change to turn one wave's "
                "distribution into the other's (0 = identical). Cramér's V: the association between wave and answer."
            ],
            [ReportTable("question_drift", "Answer distributions, fitted wave vs new wave", result.questions)],
        ),
    ]
    report = write_report(
        slug,
        title=f"Persona drift: {result.source.name}",
        subtitle="A new survey wave assigned to the saved personas, and what moved.",
        headline=drift_headline(result),
        sections=sections,
        settings=settings,
        inputs=result.inputs,
    )
    return {"assignments": csv, "report": report}


def summary_lines(result: WaveResult) -> list[str]:
    """Return the CLI's printed summary: one line per persona, largest move first."""
    lines = (
        [f"  warning: {overlap_warning(result.overlap, len(result.assignments), result.source)}"]
        if result.overlap
        else []
    )
    for _, row in result.shares.iterrows():
        if row["suppressed"]:
            lines.append(f"  {row['persona']}: too few respondents to show")
            continue
        lines.append(
            f"  {row['persona']}: {row['share_before']:.1%} → {row['share_after']:.1%} ({row['change'] * 100:+.1f} "
            f"pts, 95% CI {row['change_ci_low'] * 100:+.1f} to {row['change_ci_high'] * 100:+.1f})"
        )
    return lines


__all__ = ["WaveMismatchError", "WaveResult", "assign_wave", "check_wave", "write_wave_outputs"]
