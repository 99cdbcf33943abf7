"""Which analyses a project file enables: each notebook runs when its inputs exist, and says plainly why not
otherwise. `alignkit validate` prints this plan up front, `alignkit run` skips what it cannot run and writes a
short report saying what was not analysed, and the alignment page leaves those sections out with the reason."""

from __future__ import annotations

from dataclasses import dataclass

from alignkit.config import ProjectSettings
from alignkit.errors import NotAnalysedError

NOTEBOOK_TITLES = {"01": "Cleaning the survey and CRM exports", "02": "The funnel, the SLA and the closed loop",
                   "03": "Customer personas", "04": "The ideal lead", "05": "Sales and marketing alignment"}
NOTEBOOK_SLUGS = {"01": "01_clean_survey_and_crm", "02": "02_funnel_and_sla", "03": "03_persona_segments",
                  "04": "04_converting_leads", "05": "05_alignment_report"}
ANALYSIS_NOTEBOOKS = {"funnel": "02", "personas": "03", "leads": "04"}


@dataclass(frozen=True)
class PlannedAnalysis:
    """One notebook of the flow: whether the project file's inputs let it run, and why (in plain words)."""

    notebook: str        # "01" … "05"
    title: str
    runs: bool
    reason: str          # what it runs on, or what it would need

    @property
    def slug(self) -> str:
        """Return the notebook's report name (e.g. '02_funnel_and_sla')."""
        return NOTEBOOK_SLUGS[self.notebook]


def analysis_plan(settings: ProjectSettings) -> list[PlannedAnalysis]:
    """Return the five notebooks in order, each with whether it runs on this project's inputs and why."""
    crm, survey = settings.crm, settings.survey
    inputs = [f"the survey ({survey.file})"] if survey else []
    if crm:
        inputs.append(f"the CRM export ({crm.contacts.file})")
    plan = [PlannedAnalysis("01", NOTEBOOK_TITLES["01"], True, "reads and cleans " + " and ".join(inputs) + ".")]
    if crm is None:
        plan.append(PlannedAnalysis("02", NOTEBOOK_TITLES["02"], False,
                                    "no CRM export is named (crm.contacts), so there are no leads to follow."))
    elif settings.funnel is None:
        plan.append(PlannedAnalysis("02", NOTEBOOK_TITLES["02"], False,
                                    "the project file has no funnel stages (funnel.stages), so stage conversion, "
                                    "friction points and the SLA cannot be measured; conversion by attribute is in "
                                    "notebook 04." if settings.has_outcome_column else
                                    "the project file has no funnel stages (funnel.stages)."))
    else:
        plan.append(PlannedAnalysis("02", NOTEBOOK_TITLES["02"], True,
                                    f"follows leads through {len(settings.funnel.stages)} stages "
                                    f"({', '.join(settings.funnel.stage_names)})."))
    if survey is None:
        plan.append(PlannedAnalysis("03", NOTEBOOK_TITLES["03"], False,
                                    "no survey export is named (survey.file), so there are no answers to form "
                                    "personas from."))
    else:
        plan.append(PlannedAnalysis("03", NOTEBOOK_TITLES["03"], True, f"forms personas from {survey.file}."))
    if crm is None:
        plan.append(PlannedAnalysis("04", NOTEBOOK_TITLES["04"], False,
                                    "no CRM export is named (crm.contacts), so there are no leads and outcomes."))
    elif not settings.has_outcome:
        plan.append(PlannedAnalysis("04", NOTEBOOK_TITLES["04"], False,
                                    "leads have no outcome: map a converted column (crm.contacts.columns.converted) "
                                    "or name the funnel stages (funnel.stages)."))
    else:
        members = settings.crm.contacts.converted_from
        source = (f"listed in {members.file}" if members is not None
                  else "the converted column" if settings.has_outcome_column
                  else f"reaching {settings.funnel.converted_stage}")
        plan.append(PlannedAnalysis("04", NOTEBOOK_TITLES["04"], True,
                                    f"profiles converting leads (converted = {source})."))
    ran = [p.title[0].lower() + p.title[1:] for p in plan[1:] if p.runs]
    plan.append(PlannedAnalysis("05", NOTEBOOK_TITLES["05"], True,
                                "puts the definitions" + (" and " + ", ".join(ran) if ran else "") + " on one page."))
    return plan


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
        raise NotAnalysedError(f"{planned.title}: not analysed for this project — {planned.reason} "
                               "`alignkit run` skips this notebook and writes its report saying so.")

