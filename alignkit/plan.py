"""Which analyses a project file enables: each notebook runs when its inputs exist, and says plainly why not
otherwise. `alignkit validate` prints this plan up front, `alignkit run` skips what it cannot run and writes a
short report saying what was not analysed, and the alignment page leaves those sections out with the reason."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from alignkit.config import ProjectSettings
from alignkit.errors import NotAnalysedError

NOTEBOOK_TITLES = {
    "01": "Cleaning the survey and CRM exports",
    "02": "The funnel, the SLA and the closed loop",
    "03": "Customer personas",
    "04": "The ideal lead",
    "05": "Sales and marketing alignment",
}
NOTEBOOK_SLUGS = {
    "01": "01_clean_survey_and_crm",
    "02": "02_funnel_and_sla",
    "03": "03_persona_segments",
    "04": "04_converting_leads",
    "05": "05_alignment_report",
}
ANALYSIS_NOTEBOOKS = {"funnel": "02", "personas": "03", "leads": "04"}
PERSONA_ANSWER_KINDS = ("likert", "single", "multi", "numeric")  # the codebook kinds personas can be formed from
MIN_PERSONA_RESPONSES = 20  # fewer responses than this form no personas worth the name
FACTS_FILE = "facts.json"  # what notebook 01 found in the data, beside the processed tables
MIN_PER_CLASS = 10  # converted (and other) leads the lead score needs per cross-validation fold
MIN_FUNNEL_LEADS = 2  # one lead has no rate to measure and no other lead to be compared with


def data_facts(settings: ProjectSettings) -> dict[str, Any]:
    """Return what notebook 01 last found in the data (responses, answers personas can use, leads by outcome),
    read from data/processed/facts.json; {} before notebook 01 has run."""
    path = settings.processed_dir / FACTS_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@dataclass(frozen=True)
class PlannedAnalysis:
    """One notebook of the flow: whether the project file's inputs let it run, and why (in plain words)."""

    notebook: str  # "01" … "05"
    title: str
    runs: bool
    reason: str  # what it runs on, or what it would need

    @property
    def slug(self) -> str:
        """Return the notebook's report name (e.g. '02_funnel_and_sla')."""
        return NOTEBOOK_SLUGS[self.notebook]


def _data_reason(notebook: str, facts: Mapping[str, Any], folds: int = 5) -> str | None:
    """Return why the data notebook 01 found cannot support an analysis the project file enables, or None."""
    if notebook == "02" and "leads" in facts and facts["leads"] < MIN_FUNNEL_LEADS:
        return f"too few rows to analyse: the CRM holds {facts['leads']} lead(s), and a funnel needs several."
    if notebook == "03" and "responses" not in facts and "leads" in facts and facts["leads"] < MIN_PERSONA_RESPONSES:
        return (
            f"the CRM holds {facts['leads']} lead(s), too few to form customer personas "
            f"(at least {MIN_PERSONA_RESPONSES})."
        )
    if notebook == "03" and "responses" in facts:
        if not facts.get("persona_answers"):
            return (
                "the survey holds no answer personas can be formed from (an agreement or frequency scale, a "
                "choice or a number): check the survey's format and header rows in alignkit.yml."
            )
        if facts["responses"] < MIN_PERSONA_RESPONSES:
            return (
                f"the survey holds {facts['responses']} usable response(s), too few to form personas "
                f"(at least {MIN_PERSONA_RESPONSES})."
            )
    if notebook == "04" and "leads" in facts:
        converted, leads = facts.get("converted", 0), facts["leads"]
        if leads < MIN_FUNNEL_LEADS:
            return f"too few rows to analyse: the CRM holds {leads} lead(s), and there is nothing to compare."
        if converted == 0 or converted == leads:
            return (
                f"every one of the {leads:,} leads has the same outcome ({converted:,} converted): there is "
                "nothing to compare; check outcome.converted_values (or funnel.converted_stage) in alignkit.yml."
            )
        other = leads - converted  # at most: open leads may be left out of the comparison
        if min(converted, other) < MIN_PER_CLASS * folds:
            return (
                f"too few rows to analyse: {converted:,} converted and at most {other:,} other lead(s), and "
                f"profiling and scoring converting leads needs {MIN_PER_CLASS * folds} of each "
                f"({MIN_PER_CLASS} a cross-validation fold, leads.cv_folds: {folds})."
            )
    return None


def analysis_plan(settings: ProjectSettings, *, facts: Mapping[str, Any] | None = None) -> list[PlannedAnalysis]:
    """Return the five notebooks in order, each with whether it runs on this project's inputs and why. `facts` is
    what notebook 01 found in the data (default: data_facts(settings)): an analysis the project file enables is
    still skipped when the data cannot support it (no usable survey answer, every lead with one outcome)."""
    plan = _planned(settings)
    facts = data_facts(settings) if facts is None else facts
    out = []
    for planned in plan:
        reason = _data_reason(planned.notebook, facts, settings.leads.cv_folds) if planned.runs else None
        out.append(PlannedAnalysis(planned.notebook, planned.title, False, reason) if reason else planned)
    return out


def _planned(settings: ProjectSettings) -> list[PlannedAnalysis]:
    """Return the plan read from the project file alone."""
    crm, survey = settings.crm, settings.survey
    inputs = [f"the survey ({survey.file})"] if survey else []
    if crm:
        inputs.append(f"the CRM export ({crm.contacts.file})")
    plan = [PlannedAnalysis("01", NOTEBOOK_TITLES["01"], True, "reads and cleans " + " and ".join(inputs) + ".")]
    if crm is None:
        plan.append(
            PlannedAnalysis(
                "02",
                NOTEBOOK_TITLES["02"],
                False,
                "no CRM export is named (crm.contacts), so there are no leads to follow.",
            )
        )
    elif settings.funnel is None:
        plan.append(
            PlannedAnalysis(
                "02",
                NOTEBOOK_TITLES["02"],
                False,
                "the project file has no funnel stages (funnel.stages), so stage conversion, "
                "friction points and the SLA cannot be measured; conversion by attribute is in "
                "notebook 04."
                if settings.has_outcome_column
                else "the project file has no funnel stages (funnel.stages).",
            )
        )
    else:
        plan.append(
            PlannedAnalysis(
                "02",
                NOTEBOOK_TITLES["02"],
                True,
                f"follows leads through {len(settings.funnel.stages)} stages "
                f"({', '.join(settings.funnel.stage_names)}).",
            )
        )
    source = settings.persona_source
    if source == "survey" and survey is not None:
        plan.append(PlannedAnalysis("03", NOTEBOOK_TITLES["03"], True, f"forms personas from {survey.file}."))
    elif source == "crm" and crm is not None:
        plan.append(
            PlannedAnalysis(
                "03",
                NOTEBOOK_TITLES["03"],
                True,
                f"forms customer personas from what the customers in {crm.contacts.file} do and "
                "spend (personas.source: crm); who they are and the outcome describe them.",
            )
        )
    else:
        plan.append(
            PlannedAnalysis(
                "03",
                NOTEBOOK_TITLES["03"],
                False,
                "no survey export is named (survey.file), so there are no answers to form "
                "personas from"
                + (
                    " (set personas.source: crm to form customer personas from the CRM's attributes)."
                    if crm is not None
                    else "."
                ),
            )
        )
    if crm is None:
        plan.append(
            PlannedAnalysis(
                "04",
                NOTEBOOK_TITLES["04"],
                False,
                "no CRM export is named (crm.contacts), so there are no leads and outcomes.",
            )
        )
    elif not settings.has_outcome:
        plan.append(
            PlannedAnalysis(
                "04",
                NOTEBOOK_TITLES["04"],
                False,
                "leads have no outcome: map a converted column (crm.contacts.columns.converted) "
                "or name the funnel stages (funnel.stages).",
            )
        )
    else:
        plan.append(
            PlannedAnalysis(
                "04",
                NOTEBOOK_TITLES["04"],
                True,
                f"profiles converting leads (converted = {_outcome_source(settings)[0]}).",
            )
        )
    ran = [p.title[0].lower() + p.title[1:] for p in plan[1:] if p.runs]
    plan.append(
        PlannedAnalysis(
            "05",
            NOTEBOOK_TITLES["05"],
            True,
            "puts the definitions" + (" and " + ", ".join(ran) if ran else "") + " on one page.",
        )
    )
    return plan


def _outcome_source(settings: ProjectSettings) -> tuple[str, str]:
    """Return what makes a lead converted, in words, and the project file key that says so (leads with an outcome)."""
    contacts = settings.need_crm().contacts
    if contacts.converted_from is not None:
        return f"listed in {contacts.converted_from.file}", "crm.contacts.converted_from"
    if settings.has_outcome_column:
        return "the converted column", f"crm.contacts.columns.converted: {contacts.columns['converted']}"
    return f"reaching {settings.need_funnel().converted_stage}", "funnel.converted_stage"


def outcome_definition(settings: ProjectSettings) -> str:
    """Return the sentence saying what makes a lead converted on this project and which key of the project file
    sets it (e.g. "converted = reaching customer (funnel.converted_stage)"), or why leads have no outcome."""
    if settings.crm is None or not settings.has_outcome:
        return _planned(settings)[3].reason  # why notebook 04 does not run
    words, key = _outcome_source(settings)
    return f"converted = {words} ({key})"


def runs(settings: ProjectSettings, notebook: str) -> bool:
    """Return whether the notebook numbered `notebook` ('02', …) runs on this project's inputs."""
    return next(p.runs for p in analysis_plan(settings) if p.notebook == notebook)


def analyses_run(settings: ProjectSettings) -> list[str]:
    """Return the analyses ('funnel', 'personas', 'leads') this project's inputs enable, in the flow's order."""
    return [name for name, notebook in ANALYSIS_NOTEBOOKS.items() if runs(settings, notebook)]


def require(settings: ProjectSettings, notebook: str) -> None:
    """Raise NotAnalysedError saying why, when the project's inputs do not let the notebook numbered `notebook` run
    (a notebook opened by hand in JupyterLab then stops at its first step with that one line)."""
    planned = next(p for p in analysis_plan(settings) if p.notebook == notebook)
    if not planned.runs:
        raise NotAnalysedError(
            f"{planned.title}: not analysed for this project — {planned.reason} "
            "`alignkit run` skips this notebook and writes its report saying so."
        )
