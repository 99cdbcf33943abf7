"""The alignment report (notebook 05): one page for the meeting where sales and marketing agree how they work
together — the headline findings, the definitions the teams agreed in the project file (funnel stages, what
makes an MQL and an SQL, the SLA targets), then the sections each analysis contributes, and links to the
detailed reports.

The analyses are not imported here: `build_sections` takes their results by name ("funnel", "leads",
"personas") and finds the module of each (`alignkit.<name>`, or one passed in `modules=`), which follows the
analysis contract: `headline(result) -> list[str]` and `report_sections(result) -> list[Section]` (or, when it
has one, a shorter `alignment_sections(result)` for this page).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from alignkit.config import ProjectSettings
from alignkit.errors import InputFileError
from alignkit.plan import analyses_run, analysis_plan
from alignkit.report.findings import next_step
from alignkit.report.html import (
    ALIGNMENT_SLUG,
    DETAILED_REPORTS,
    MAX_HEADLINE,
    MORE_FINDINGS_ID,
    ReportDefinitions,
    ReportLinks,
    ReportTable,
    Section,
    render_fragment,
    write_report,
)
from alignkit.report.labels import build_with_labels

REPORT_SLUG = ALIGNMENT_SLUG
# The analyses in the order the page tells the story: funnel (friction, SLA, closed loop), ideal lead, personas.
ANALYSES = ("funnel", "leads", "personas")
ANALYSIS_TITLES = {
    "funnel": "The funnel, the SLA and the closed loop",
    "leads": "The ideal lead",
    "personas": "Customer personas",
}
HEADLINES_PER_ANALYSIS = 3
# The story the page tells (issue: funnel and friction, the ideal lead, personas, SLA, closed loop, shared KPIs):
# contributed section ids, as "<analysis>-<section id>" or its prefix.
PAGE_ORDER = (
    "funnel-funnel",
    "funnel-friction",
    "leads-definition",
    "leads-drivers",
    "leads",
    "personas-sizes",
    "personas-persona",
    "personas",
    "funnel-sla",
    "funnel-closed-loop",
    "funnel-kpis",
    "funnel",
)
# What each detailed report holds (shown beside its link) and its short name in the contents bar.
REPORT_NOTES = {
    "01_clean_survey_and_crm": ("Cleaning", "rows in and out, every cleaning step, survey quality"),
    "02_funnel_and_sla": ("Funnel & SLA", "stage conversion, friction points, follow-up times, lost reasons"),
    "03_persona_segments": ("Personas", "the persona segments, their profiles and their conversion"),
    "04_converting_leads": ("Ideal lead", "what converting leads have in common, the lead score"),
}


class Analysis(Protocol):
    """What an analysis module offers the alignment report (the contract every analysis follows)."""

    def headline(self, result: Any) -> list[str]: ...

    def report_sections(self, result: Any) -> list[Section]: ...


def stage_definitions(settings: ProjectSettings) -> pd.DataFrame:
    """Return one row per funnel stage, in order: the stage, what marks it in the CRM export, its agreed meaning,
    and its role (MQL, SQL, converted)."""
    funnel = settings.funnel
    if funnel is None:
        return pd.DataFrame(columns=["order", "stage", "definition", "crm_value", "role"])
    roles = {funnel.mql_stage: "MQL", funnel.sql_stage: "SQL", funnel.converted_stage: "converted"}
    rows = []
    for order, stage in enumerate(funnel.stages, start=1):
        role = ", ".join(label for name, label in roles.items() if name == stage.name)
        rows.append(
            {
                "order": order,
                "stage": stage.name,
                "definition": stage.definition or "(not written yet)",
                "crm_value": stage.value,
                "role": role,
            }
        )
    return pd.DataFrame(rows)


def _stage_meaning(settings: ProjectSettings, name: str) -> str:
    stage = next(s for s in settings.need_funnel().stages if s.name == name)
    return stage.definition or "no definition written in the project file yet"


def qualification_terms(settings: ProjectSettings) -> list[tuple[str, str]]:
    """Return what makes an MQL, an SQL and a converted lead, in plain words from the project file."""
    funnel = settings.funnel
    if funnel is None:
        if settings.has_outcome_column:
            members = settings.need_crm().contacts.converted_from
            if members is not None:
                return [
                    (
                        "Converted",
                        f"A lead counts as converted when its id is listed in {members.file} (column {members.key!r}).",
                    )
                ]
            column = settings.need_crm().contacts.columns["converted"]
            values = ", ".join(settings.outcome.converted_values)
            return [("Converted", f"A lead counts as converted when its {column!r} column says so ({values}).")]
        return []

    def term(label: str, name: str) -> str:
        return label if name.lower() == label.lower() else f"{label} (the {name} stage)"

    return [
        (
            term("MQL", funnel.mql_stage),
            f"{_stage_meaning(settings, funnel.mql_stage)} A lead counts as an MQL from the day it reaches the "
            f"{funnel.mql_stage} stage in the CRM, or any later stage.",
        ),
        (
            term("SQL", funnel.sql_stage),
            f"{_stage_meaning(settings, funnel.sql_stage)} A lead counts as an SQL from the day it reaches the "
            f"{funnel.sql_stage} stage, or any later stage.",
        ),
        (
            term("Converted", funnel.converted_stage),
            f"{_stage_meaning(settings, funnel.converted_stage)} Conversion rates count leads that reached "
            f"{funnel.converted_stage}; a cohort is judged once it is {funnel.cohort_maturity_days} days old.",
        ),
    ]


def stage_nouns(stage: str) -> tuple[str, str]:
    """Return how a sentence counts leads at a stage, one and many: "MQL"/"MQLs" where the stage's name is already a
    noun for a lead (MQL, Marketing Qualified Lead), else "Prospecting lead"/"Prospecting leads"."""
    if stage.lower().rstrip("s").endswith(("lead", "mql", "sql", "sal", "iql")):
        one = stage[:-1] if stage.lower().endswith("s") else stage
        return one, one + "s"
    return f"{stage} lead", f"{stage} leads"


def sla_terms(settings: ProjectSettings) -> list[tuple[str, str]]:
    """Return the SLA targets of the project file in plain words (targets set to 0 are shown as not agreed)."""
    sla, funnel = settings.sla, settings.funnel
    if funnel is None:
        return []
    hours = sla.mql_to_first_touch_hours
    one, many = stage_nouns(funnel.mql_stage)
    terms = [
        ("Sales follow-up", f"Sales makes a first call, email or meeting with every {one} within {hours:g} hours.")
    ]
    terms.append(
        (
            "MQLs from marketing",
            f"Marketing delivers {sla.mqls_per_month:,} {many} a month."
            if sla.mqls_per_month
            else "No monthly MQL target agreed yet (sla.mqls_per_month).",
        )
    )
    terms.append(
        (
            "Sales capacity",
            f"Sales can follow up {sla.sales_capacity_per_week:,} leads a week."
            if sla.sales_capacity_per_week
            else "No weekly capacity agreed yet (sla.sales_capacity_per_week).",
        )
    )
    if sla.revenue_goal_per_month or sla.customers_per_month:
        goal = (
            f"Sales brings {sla.revenue_goal_per_month:,.0f} in revenue a month."
            if sla.revenue_goal_per_month
            else f"Sales wins {sla.customers_per_month:,.0f} new customers a month."
        )
        terms.append(("Sales goal", goal + f" Notebook 02 derives the {many} it needs."))
    return terms


def definitions_section(settings: ProjectSettings) -> Section:
    """Return the section with the agreed definitions: funnel stages, MQL/SQL/converted and the SLA targets."""
    source = settings.source_file.name if settings.source_file else "the project file"
    return Section(
        "definitions",
        "What we agreed",
        [
            f"These definitions are the written agreement between sales and marketing, taken from {source}. Every "
            "figure in this report and in the detailed reports uses them; to change a definition, change the "
            "project file and rerun the analysis."
        ],
        [
            item
            for item in (
                ReportTable("funnel_stages", "The funnel stages, in order", stage_definitions(settings), max_rows=40)
                if settings.funnel is not None
                else None,
                ReportDefinitions("What makes an MQL, an SQL and a customer", qualification_terms(settings))
                if qualification_terms(settings)
                else None,
                ReportDefinitions(
                    "The service level agreement (SLA)",
                    sla_terms(settings)
                    or [
                        (
                            "Not agreed here",
                            "The project has no funnel stages, so there is no MQL to follow up; add "
                            "funnel.stages and the sla section to the project file to agree one.",
                        )
                    ],
                    note=f"Groups of fewer than {settings.privacy.min_group_size} leads or respondents "
                    "are never shown in these reports.",
                ),
            )
            if item is not None
        ],
    )


def _module(name: str, modules: Mapping[str, Any] | None) -> Any:
    if modules is not None and name in modules:
        return modules[name]
    return importlib.import_module(f"alignkit.{name}")


def _contributed(name: str, result: Any, module: Any) -> list[Section]:
    """Return the analysis' sections for this page, with ids and table names prefixed by the analysis name so that
    two analyses never share a link target or a CSV file."""
    make = getattr(module, "alignment_sections", None) or module.report_sections
    sections = []
    for section in make(result):
        items = tuple(
            replace(item, name=f"{name}_{item.name}") if isinstance(item, ReportTable) else item
            for item in section.items
        )
        sections.append(replace(section, id=f"{name}-{section.id}", items=items))
    return sections


def ordered(results: Mapping[str, Any]) -> list[str]:
    """Return the names of the given results in the page's order (known analyses first, then any others)."""
    return [n for n in ANALYSES if n in results] + sorted(n for n in results if n not in ANALYSES)


def _page_rank(section: Section) -> int:
    """Return where a contributed section stands on the page (PAGE_ORDER; anything else after, in given order)."""
    for rank, prefix in enumerate(PAGE_ORDER):
        if section.id == prefix or section.id.startswith(prefix + "-"):
            return rank
    return len(PAGE_ORDER)


def build_sections(
    settings: ProjectSettings, results: Mapping[str, Any], *, modules: Mapping[str, Any] | None = None
) -> list[Section]:
    """Return the alignment report's sections: the agreed definitions, then the analyses' sections in the order
    the story is told (PAGE_ORDER), then the links to the detailed reports. `results` maps an analysis name to its
    result (any subset)."""
    contributed: list[Section] = []
    for name in ordered(results):
        contributed.extend(_contributed(name, results[name], _module(name, modules)))
    contributed.sort(key=_page_rank)  # stable: sections of one kind keep their analysis' order
    more = more_findings_section(settings, results, modules=modules)
    return [*([more] if more else []), definitions_section(settings), *contributed, detailed_reports_section(settings)]


def load_results(settings: ProjectSettings, analyses: Sequence[str] = ANALYSES) -> dict[str, Any]:
    """Return each analysis' result as its notebook left it (`alignkit.<name>.load_result(settings)`: saved models
    are loaded, not refitted). Each module raises an error naming the missing file and the notebook to run."""
    enabled = set(analyses_run(settings))
    return {name: _module(name, None).load_result(settings) for name in analyses if name in enabled}


# The headline: at most MAX_HEADLINE lines, each one figure with its interval and, where the analysis found
# something to do, its next step; every other finding opens the page below it ("More findings"). Topics are the
# analyses' `headline_parts` keys; "interval" is an analysis' first line after its first that carries a confidence
# interval (one on conversion first). Next steps are the analyses' own (`alignkit.report.findings`): the page adds
# none, and puts the findings that carry one before those that do not.
HEADLINE_PRIORITY = (
    ("funnel", "overall"),
    ("funnel", "friction"),
    ("funnel", "sla"),
    ("funnel", "goal"),
    ("leads", "rule"),
    ("leads", "threshold"),
    ("personas", "interval"),
    ("leads", "overall"),
    ("leads", "drivers"),
)


def _findings(name: str, module: Any, result: Any, per_analysis: int) -> list[tuple[str, str]]:
    """Return an analysis' findings as (topic, line): its `headline_parts` by topic when it has them, else its
    `alignment_headline` (or first `headline` lines) as line0, line1 …, the first later line with an interval also
    tagged "interval"."""
    parts = getattr(module, "headline_parts", None)
    if parts is not None:
        by_topic = parts(result)
        short = getattr(module, "ALIGNMENT_HEADLINE", None) or tuple(by_topic)
        topics = [*short, *(t for t in by_topic if t not in short and t in ("overall", "rule", "threshold"))]
        return [(topic, by_topic[topic][0]) for topic in dict.fromkeys(topics) if by_topic.get(topic)]
    short = getattr(module, "alignment_headline", None)
    lines = short(result) if short else module.headline(result)[:per_analysis]
    found = [(f"line{i}", line) for i, line in enumerate(lines)]
    later = [(i, line) for i, line in enumerate(lines) if i > 0 and "CI" in line]
    with_interval = next((i for i, line in later if "convert" in line), later[0][0] if later else None)
    if with_interval is not None:
        found[with_interval] = ("interval", lines[with_interval])
    return found


def headline_lines(
    settings: ProjectSettings,
    results: Mapping[str, Any],
    *,
    modules: Mapping[str, Any] | None = None,
    per_analysis: int = HEADLINES_PER_ANALYSIS,
) -> tuple[list[str], list[str]]:
    """Return the page's headline (at most MAX_HEADLINE lines: the findings of HEADLINE_PRIORITY that the analyses
    have, then the first finding of each other analysis, those with a next step first; what was not analysed last) and
    the other findings, for the "More findings" section. The agreed SLA is not repeated: it opens "What we agreed"."""
    findings = {name: _findings(name, _module(name, modules), results[name], per_analysis) for name in ordered(results)}
    skipped = [p for p in analysis_plan(settings) if not p.runs]
    notes = []
    if skipped:
        notes.append(
            "Not analysed: "
            + "; ".join(f"{p.title[0].lower() + p.title[1:]} ({p.reason.rstrip('.')})" for p in skipped)
            + "."
        )
    if not results:
        notes.append(
            "The analyses (funnel and SLA, ideal lead, personas) have not been added to this page yet; "
            "the definitions below are the ones every report uses."
        )
    room = MAX_HEADLINE - len(notes)
    chosen: list[tuple[str, str]] = []
    for name, topic in HEADLINE_PRIORITY:
        chosen += [(name, topic) for t, _ in findings.get(name, []) if t == topic]
    for name, found in findings.items():  # analyses the priorities do not cover: their first finding
        if not any(n == name for n, _ in chosen) and found:
            chosen.insert(len(chosen) if len(chosen) < room else room - 1, (name, found[0][0]))
    for name, found in findings.items():  # room left: the other findings, in the page's order
        chosen += [(name, topic) for topic, _ in found if (name, topic) not in chosen]
    text = {(name, topic): line for name, found in findings.items() for topic, line in found}
    chosen = sorted(chosen, key=lambda key: next_step(text[key]) is None)[:room]  # stable: actionable first
    top = [text[key] for key in chosen] + notes
    rest = [line for name, found in findings.items() for topic, line in found if (name, topic) not in chosen]
    return top, rest


def build_headline(
    settings: ProjectSettings,
    results: Mapping[str, Any],
    *,
    modules: Mapping[str, Any] | None = None,
    per_analysis: int = HEADLINES_PER_ANALYSIS,
) -> list[str]:
    """Return the page's headline: at most MAX_HEADLINE findings, each with its next step where it has one
    (headline_lines)."""
    return headline_lines(settings, results, modules=modules, per_analysis=per_analysis)[0]


def more_findings_section(
    settings: ProjectSettings, results: Mapping[str, Any], *, modules: Mapping[str, Any] | None = None
) -> Section | None:
    """Return the section that follows the headline with every other finding of the analyses, or None."""
    rest = headline_lines(settings, results, modules=modules)[1]
    return Section(MORE_FINDINGS_ID, "More findings", rest) if rest else None


def detailed_reports(settings: ProjectSettings) -> pd.DataFrame:
    """Return the detailed reports with their file and whether they have been built in the reports folder."""
    rows = [
        {"report": title, "file": f"{slug}.html", "built": (settings.reports_dir / f"{slug}.html").exists()}
        for slug, title in DETAILED_REPORTS.items()
    ]
    return pd.DataFrame(rows)


def detailed_reports_section(settings: ProjectSettings) -> Section:
    """Return the section listing the four detailed reports (linked from the contents bar when built)."""
    reports = detailed_reports(settings)
    links = [
        (
            row["report"],
            row["file"] if row["built"] else "",
            REPORT_NOTES.get(row["file"][:-5], ("", ""))[1]
            + ("" if row["built"] else " (not built yet: run its notebook)"),
        )
        for _, row in reports.iterrows()
    ]
    return Section(
        "detailed-reports",
        "The detailed reports",
        [
            "Each analysis has its own report with every table and figure behind this page, and each of them links "
            "back here."
        ],
        [ReportLinks("", links)],
    )


def report_links(settings: ProjectSettings) -> list[tuple[str, str]]:
    """Return (label, href) links to the detailed reports that exist in the reports folder."""
    reports = detailed_reports(settings)
    return [
        (f"{row['file'][:2]} {REPORT_NOTES.get(row['file'][:-5], (row['report'],))[0]}", row["file"])
        for _, row in reports.iterrows()
        if row["built"]
    ]


class AlignmentPage:
    """The alignment page at a glance in a notebook: headline and definitions (what the report opens with)."""

    def __init__(self, headline: Sequence[str], sections: Sequence[Section]) -> None:
        self.headline = list(headline)
        self.sections = list(sections)

    def _repr_html_(self) -> str:
        return render_fragment("alignment.html.j2", headline=self.headline, sections=self.sections)


def preview(
    settings: ProjectSettings, results: Mapping[str, Any], *, modules: Mapping[str, Any] | None = None
) -> AlignmentPage:
    """Return the page's headline and sections for display in a notebook (without the list of detailed reports,
    which depends on what has been built), figures drawn with the project's labels as the report draws them: pass it
    to `write_alignment_report(page=…)` so that the page is not built twice."""
    built = build_with_labels(settings, lambda: build_sections(settings, results, modules=modules))
    return AlignmentPage(
        build_headline(settings, results, modules=modules), [s for s in built if s.id != "detailed-reports"]
    )


def load_inputs(settings: ProjectSettings) -> pd.DataFrame:
    """Return the input manifest written by notebook 01 (data/processed/inputs.parquet), shown in the footer."""
    path = settings.processed_dir / "inputs.parquet"
    if not path.exists():
        raise InputFileError(path, "not found.", fix="run notebook 01 (`alignkit run --only 01`) first.")
    return pd.read_parquet(path)


def weighting_notes(results: Mapping[str, Any], modules: Mapping[str, Any] | None = None) -> str | None:
    """Return what the analyses say about survey weights (their `weighting_note(result)`), joined, or None when no
    figure on the page is weighted."""
    notes = []
    for name in ordered(results):
        note_of = getattr(_module(name, modules), "weighting_note", None)
        note = note_of(results[name]) if note_of else None
        if note:
            notes.append(f"{ANALYSIS_TITLES.get(name, name)}: {note}")
    return "; ".join(notes) or None


def write_alignment_report(
    settings: ProjectSettings,
    results: Mapping[str, Any],
    *,
    inputs: pd.DataFrame,
    modules: Mapping[str, Any] | None = None,
    page: AlignmentPage | None = None,
) -> Path:
    """Write reports/05_alignment_report.html (and its CSVs); return the HTML path. `page` is the `preview` of the
    same results (its figures are reused, the list of detailed reports is made afresh); without it the page is built."""
    page = page or preview(settings, results, modules=modules)
    return write_report(
        REPORT_SLUG,
        title="Sales and marketing alignment",
        weighting=weighting_notes(results, modules),
        subtitle="The evidence for the meeting where both teams agree how they work together.",
        headline=page.headline,
        sections=[*page.sections, detailed_reports_section(settings)],
        settings=settings,
        inputs=inputs,
        links=report_links(settings),
        back_to_alignment=False,
    )
