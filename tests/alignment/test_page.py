"""The alignment page: the agreed definitions from the project file, and whatever analyses are given to it through
the contract (headline, report_sections), composed without importing them."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from alignkit.alignment import page as alignment
from alignkit.config import load_settings
from alignkit.report.html import ReportDefinitions, ReportLinks, ReportTable, Section
from tests.conftest import REPO


@pytest.fixture()
def settings(tmp_path):
    """The demo project file in an empty folder (writing a report needs no inputs)."""
    shutil.copyfile(REPO / "alignkit.yml", tmp_path / "alignkit.yml")
    return load_settings(tmp_path / "alignkit.yml")


def fake_analysis(name: str, finding: str) -> SimpleNamespace:
    """A module that follows the analysis contract, with a result of its own."""
    return SimpleNamespace(
        headline=lambda result: [f"{finding} ({result['n']:,} leads)", "second", "third", "fourth"],
        report_sections=lambda result: [
            Section(
                "overview",
                f"{name} overview",
                [finding],
                [ReportTable("summary", "Summary", pd.DataFrame({"n": [result["n"]]}), count_columns=["n"])],
            )
        ],
    )


def test_the_definitions_come_from_the_project_file(settings):
    stages = alignment.stage_definitions(settings)
    assert stages["stage"].tolist() == settings.funnel.stage_names
    assert stages.set_index("stage")["role"].to_dict() == {
        "Subscriber": "",
        "Lead": "",
        "MQL": "MQL",
        "SQL": "SQL",
        "Opportunity": "",
        "Customer": "converted",
    }
    terms = dict(alignment.qualification_terms(settings))
    assert terms["MQL"].startswith("Marketing qualified") and "Converted (the Customer stage)" in terms
    sla = dict(alignment.sla_terms(settings))
    assert "within 24 hours" in sla["Sales follow-up"] and "400" in sla["MQLs from marketing"]


def test_the_sla_counts_leads_in_words_whatever_the_mql_stage_is_called():
    """A pipeline's MQL stage is often a sales stage ("Prospecting"): 'every Prospecting' is not a sentence."""
    from alignkit.alignment.page import stage_nouns

    assert stage_nouns("MQL") == ("MQL", "MQLs") and stage_nouns("MQLs") == ("MQL", "MQLs")
    assert stage_nouns("Marketing Qualified Lead") == ("Marketing Qualified Lead", "Marketing Qualified Leads")
    assert stage_nouns("Prospecting") == ("Prospecting lead", "Prospecting leads")


def test_unset_sla_targets_are_shown_as_not_agreed(settings):
    unset = settings.model_copy(update={"sla": settings.sla.model_copy(update={"mqls_per_month": 0})})
    assert "No monthly MQL target agreed yet" in dict(alignment.sla_terms(unset))["MQLs from marketing"]


def test_with_no_results_the_page_holds_the_definitions_and_the_report_links(settings):
    sections = alignment.build_sections(settings, {})
    assert [s.id for s in sections] == ["definitions", "detailed-reports"]
    assert any(isinstance(item, ReportDefinitions) for item in sections[0].items)
    links = sections[-1].items[0]
    assert isinstance(links, ReportLinks) and len(links.links) == 4
    assert all(href == "" for _, href, _ in links.links)  # nothing built yet in this fresh project
    assert "have not been added" in alignment.build_headline(settings, {})[-1]


def test_results_are_composed_in_page_order_with_unique_ids_and_table_names(settings):
    modules = {
        "personas": fake_analysis("personas", "Five personas"),
        "funnel": fake_analysis("funnel", "MQL to SQL stalls"),
    }
    results = {"personas": {"n": 3000}, "funnel": {"n": 20000}}
    sections = alignment.build_sections(settings, results, modules=modules)
    # A funnel section the page does not know goes with the funnel's tail (SLA, closed loop, KPIs): after personas.
    assert [s.id for s in sections] == ["definitions", "personas-overview", "funnel-overview", "detailed-reports"]
    assert [s.items[0].name for s in sections[1:3]] == ["personas_summary", "funnel_summary"]
    headline = alignment.build_headline(settings, results, modules=modules)
    # Modules without headline topics: each analysis' first finding first, then the others, six lines at most.
    assert headline == [
        "MQL to SQL stalls (20,000 leads)",
        "Five personas (3,000 leads)",
        "second",
        "third",
        "second",
        "third",
    ]


def test_the_headline_holds_six_findings_with_next_steps_and_the_rest_follows(settings):
    def topical(parts):
        return SimpleNamespace(
            headline_parts=lambda result: parts, headline=lambda result: [], report_sections=lambda result: []
        )

    step = " Next step: act."
    # The analyses write a finding's next step; a finding without one ("no friction point") gives way to those
    # with one, even when its topic ranks higher, and the page adds no step of its own.
    funnel = topical(
        {
            "overall": ["7.3% became Customer (95% CI 6.9%–7.7%)." + step],
            "weakest_step": ["Lead → MQL is weakest."],
            "friction": ["No segment converts significantly below the rest."],
            "sla": ["78% followed up (95% CI 77%–79%)." + step],
            "volume": ["394 MQLs a month."],
        }
    )
    leads = topical(
        {
            "overall": ["7.3% converted (95% CI 6.9%–7.7%)." + step],
            "rule": ["Rule: 21% convert (95% CI 19%–23%)." + step],
            "threshold": ["Threshold passes 47% (precision 12%, 95% CI 10%–14%)." + step],
            "drivers": ["Webinars."],
        }
    )
    personas = SimpleNamespace(
        headline=lambda result: ["Five personas.", "Largest: 25% (95% CI 24%–27%)." + step, "Third."],
        report_sections=lambda result: [],
    )
    results = {"funnel": {}, "leads": {}, "personas": {}}
    modules = {"funnel": funnel, "leads": leads, "personas": personas}
    top, rest = alignment.headline_lines(settings, results, modules=modules)
    assert len(top) == 6 and all("CI" in line and line.endswith(step) for line in top)
    assert [line.removesuffix(step) for line in top] == [
        "7.3% became Customer (95% CI 6.9%–7.7%).",
        "78% followed up (95% CI 77%–79%).",
        "Rule: 21% convert (95% CI 19%–23%).",
        "Threshold passes 47% (precision 12%, 95% CI 10%–14%).",
        "Largest: 25% (95% CI 24%–27%).",
        "7.3% converted (95% CI 6.9%–7.7%).",
    ]
    assert "No segment converts significantly below the rest." in rest
    assert "394 MQLs a month." in rest and "Five personas." in rest and "Webinars." in rest
    sections = alignment.build_sections(settings, results, modules=modules)
    assert sections[0].id == "more-findings" and list(sections[0].paragraphs) == rest


def test_the_page_tells_the_story_in_the_order_of_the_meeting(settings):
    def analysis(ids):
        module = fake_analysis("x", "x")
        module.alignment_sections = lambda result: [Section(i, i.title(), ["text"]) for i in ids]
        return module

    modules = {
        "funnel": analysis(["funnel", "friction", "sla", "closed-loop", "kpis"]),
        "leads": analysis(["definition", "drivers"]),
        "personas": analysis(["sizes", "persona-1", "crm"]),
    }
    results = {"personas": {"n": 1}, "leads": {"n": 1}, "funnel": {"n": 1}}
    sections = alignment.build_sections(settings, results, modules=modules)
    assert [s.id for s in sections] == [  # nine findings: the three beyond the headline's six come first
        "more-findings",
        "definitions",
        "funnel-funnel",
        "funnel-friction",
        "leads-definition",
        "leads-drivers",
        "personas-sizes",
        "personas-persona-1",
        "personas-crm",
        "funnel-sla",
        "funnel-closed-loop",
        "funnel-kpis",
        "detailed-reports",
    ]


def test_an_analysis_may_give_a_shorter_list_for_this_page(settings):
    module = fake_analysis("leads", "Webinars drive conversion")
    module.alignment_sections = lambda result: [Section("score", "Score quality", ["AUC 0.81"])]
    sections = alignment.build_sections(settings, {"leads": {"n": 1}}, modules={"leads": module})
    assert [s.id for s in sections] == ["definitions", "leads-score", "detailed-reports"]


def test_the_alignment_report_links_to_the_built_reports_and_not_back_to_itself(settings):
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    (settings.reports_dir / "01_clean_survey_and_crm.html").write_text("<html></html>", encoding="utf-8")
    inputs = pd.DataFrame({"table": ["contacts"], "file": ["c.csv"], "rows": [3], "sha256": ["abc"]})
    html = alignment.write_alignment_report(settings, {}, inputs=inputs).read_text(encoding="utf-8")
    assert 'class="link-out" href="01_clean_survey_and_crm.html"' in html
    assert 'href="05_alignment_report.html"' not in html
    assert "What we agreed" in html and "The service level agreement (SLA)" in html
    assert (settings.reports_dir / "05_alignment_report" / "funnel_stages.csv").exists()


def test_the_preview_shows_the_headline_and_definitions(settings):
    html = alignment.preview(settings, {})._repr_html_()
    assert "What we agreed" in html and "The detailed reports" not in html and "Headline" in html


def test_missing_inputs_manifest_is_a_clear_error(settings):
    from alignkit.errors import InputFileError

    # An AlignkitError like every other missing input (the command line prints it without a traceback).
    with pytest.raises(InputFileError, match=r"inputs\.parquet: not found\. Fix: run notebook 01"):
        alignment.load_inputs(settings)


def test_the_page_says_which_figures_are_weighted(settings):
    weighted = fake_analysis("personas", "Five personas")
    weighted.weighting_note = lambda result: "sizes use the survey weights (effective sample size 2,605)"
    plain = fake_analysis("funnel", "MQL to SQL stalls")
    results = {"personas": {"n": 3000}, "funnel": {"n": 20000}}
    note = alignment.weighting_notes(results, {"personas": weighted, "funnel": plain})
    assert note == "Customer personas: sizes use the survey weights (effective sample size 2,605)"
    assert alignment.weighting_notes({"funnel": {"n": 1}}, {"funnel": plain}) is None
