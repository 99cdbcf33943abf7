"""Notebook 01's report: self-contained, every table beside it as CSV, the manifest, and no personal data."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from alignkit import __version__
from alignkit.config import load_settings
from alignkit.ingest.files import read_export
from alignkit.prepare.quality import REPORT_SLUG, write_cleaning_report
from alignkit.report.html import format_cell
from tests.conftest import make_project


@pytest.fixture(scope="module")
def report(tmp_path_factory, demo_project, prepared):
    project = make_project(tmp_path_factory.mktemp("report"), raw_from=demo_project.parent / "data" / "raw")
    settings = load_settings(project)
    return write_cleaning_report(prepared, settings), settings


def test_report_is_self_contained(report):
    path, _ = report
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "no request may leave the file"
    assert "<link " not in html and "<script" not in html
    assert html.count('src="data:image/png;base64,') >= 2
    assert all(re.search(r'alt="[^"]{10,}"', tag) for tag in re.findall(r"<img [^>]+>", html))


def test_every_table_is_written_as_csv(report):
    path, _ = report
    html = path.read_text(encoding="utf-8")
    links = re.findall(rf'href="({REPORT_SLUG}/[\w]+\.csv)"', html)
    assert {"01_clean_survey_and_crm/cleaning_log.csv", "01_clean_survey_and_crm/codebook.csv"} <= set(links)
    for link in links:
        assert len(pd.read_csv(path.parent / link)) > 0


def test_report_states_its_inputs_settings_and_versions(report, prepared):
    path, _ = report
    html = path.read_text(encoding="utf-8")
    for _, row in prepared.inputs.iterrows():
        assert row["file"] in html and row["sha256"] in html
    assert f"alignkit {__version__}" in html and "pandas" in html and "speeder_share_of_median" in html
    assert "demo-salt-not-secret" not in html


def test_report_holds_no_personal_data(report):
    path, settings = report
    html = path.read_text(encoding="utf-8").lower()
    contacts = read_export(settings.raw_path("hubspot_contacts.csv"))[1].dropna(subset=["Email"])
    assert not any(email.strip().lower() in html for email in contacts["Email"])
    assert not any(phone in html for phone in contacts["Phone Number"].dropna())
    names = (contacts["First Name"] + " " + contacts["Last Name"]).str.lower()
    assert not any(name in html for name in names)


@pytest.mark.parametrize(
    "column,value,text",
    [
        ("share", 0.1234, "12.3%"),
        ("rows", 1234, "1,234"),
        ("rows_out", pd.NA, ""),
        ("flag", True, "yes"),
        ("mean", 2.5, "2.50"),
    ],
)
def test_cells_are_formatted_for_reading(column, value, text):
    assert format_cell(column, value) == text


# --- report building: blocks, figure checks, small groups, reproducible builds -----------------------------------

import datetime as dt  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from alignkit import plots  # noqa: E402
from alignkit.report.html import (  # noqa: E402
    BACK_TO_ALIGNMENT,
    FigureCheckError,
    PrivacyError,
    ReportDefinitions,
    ReportFigure,
    ReportLinks,
    ReportTable,
    Section,
    SmallGroupError,
    build_time,
    check_figure,
    write_report,
)
from tests.conftest import REPO  # noqa: E402


@pytest.fixture()
def settings(tmp_path):
    """The demo project file in an empty folder (writing a report needs no inputs)."""
    shutil.copyfile(REPO / "alignkit.yml", tmp_path / "alignkit.yml")
    return load_settings(tmp_path / "alignkit.yml")


def _labelled_axes(title="Leads by source", xlabel="Leads (count)", ylabel="Source"):
    ax = plt.figure().subplots()
    ax.barh(["a", "b"], [3, 4])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def _write(settings, sections, **kwargs):
    inputs = pd.DataFrame({"table": ["contacts"], "file": ["c.csv"], "rows": [3], "sha256": ["abc"]})
    return write_report(
        "02_test",
        title="T",
        subtitle="S",
        headline=["one finding"],
        sections=sections,
        settings=settings,
        inputs=inputs,
        **kwargs,
    )


def test_a_figure_takes_its_title_from_the_axes_whatever_the_title_location():
    figure = ReportFigure.from_axes(_labelled_axes(), alt="Bar chart of leads by source.")
    assert figure.title == "Leads by source" and figure.uri.startswith("data:image/png;base64,")
    assert not plt.get_fignums()  # rendered and closed


@pytest.mark.parametrize(
    "change,message",
    [(dict(title=""), "no title"), (dict(xlabel=""), "x axis has no label"), (dict(ylabel=" "), "y axis has no label")],
)
def test_a_figure_without_title_or_axis_labels_is_refused(change, message):
    with pytest.raises(FigureCheckError, match=message):
        ReportFigure.from_axes(_labelled_axes(**change), alt="Bar chart of leads by source.")
    assert not plt.get_fignums()


def test_axes_switched_off_colour_bars_and_shared_labels_pass_the_check():
    figure, (left, right) = plt.subplots(1, 2)
    image = left.imshow([[1, 2], [3, 4]])
    figure.colorbar(image, ax=left, label="Leads (count)")
    right.pie([1, 2])  # a pie has no axis to label
    figure.suptitle("Leads by source and stage")
    figure.supxlabel("Stage")
    figure.supylabel("Source")
    check_figure(figure)
    plt.close(figure)


def test_alt_text_is_required():
    with pytest.raises(FigureCheckError, match="alt text"):
        ReportFigure.from_axes(_labelled_axes(), alt="  ")
    with pytest.raises(FigureCheckError, match="alt text"):
        ReportFigure(title="t", alt="", uri="data:image/png;base64,AAAA")


def test_small_groups_are_suppressed_in_the_report_and_its_csv(settings):
    table = pd.DataFrame({"industry": ["Retail", "Mining", "Empty"], "leads": [120, 4, 0], "rate": [0.2, 0.5, None]})
    path = _write(
        settings,
        [
            Section(
                "by-industry",
                "By industry",
                items=[ReportTable("by_industry", "Leads by industry", table, count_columns=["leads"])],
            )
        ],
    )
    csv = pd.read_csv(path.parent / "02_test" / "by_industry.csv")
    assert csv["leads"].isna().tolist() == [False, True, False] and csv["rate"].isna().tolist() == [False, True, True]
    assert csv["suppressed"].tolist() == [False, True, False] and csv["industry"].tolist() == [
        "Retail",
        "Mining",
        "Empty",
    ]
    manifest = json.loads((path.parent / "02_test" / "tables.json").read_text(encoding="utf-8"))
    assert manifest["min_group_size"] == 10
    assert manifest["tables"][0] | {"columns": None} == {
        "name": "by_industry",
        "csv": "by_industry.csv",
        "title": "Leads by Industry",
        "section": "by-industry",  # the field by its label
        "rows": 3,
        "columns": None,
        "count_columns": ["leads"],
        "suppressed_rows": 1,
    }
    assert "groups of fewer than 10" in path.read_text(encoding="utf-8")


def test_small_groups_can_be_refused_instead(settings):
    table = pd.DataFrame({"industry": ["Retail", "Mining"], "leads": [120, 4]})
    with pytest.raises(SmallGroupError, match=r"by_industry.*min_group_size=10"):
        _write(
            settings,
            [Section("s", "S", items=[ReportTable("by_industry", "T", table, count_columns=["leads"])])],
            small_groups="raise",
        )
    with pytest.raises(KeyError, match="count_columns"):
        _write(settings, [Section("s", "S", items=[ReportTable("by_industry", "T", table, count_columns=["n"])])])


def test_section_ids_and_table_names_must_be_unique(settings):
    table = ReportTable("t", "T", pd.DataFrame({"a": [1]}))
    with pytest.raises(ValueError, match="section ids"):
        _write(settings, [Section("a", "A"), Section("a", "B")])
    with pytest.raises(ValueError, match="table names"):
        _write(settings, [Section("a", "A", items=[table]), Section("b", "B", items=[table])])


def test_blocks_links_weighting_and_build_time(settings, monkeypatch):
    sections = [
        Section(
            "terms",
            "Terms",
            ["Plain words."],
            [
                ReportDefinitions("Stages", [("MQL", "Marketing qualified <lead>")], note="From the project file."),
                ReportLinks(
                    "Reports", [("Funnel", "02_funnel_and_sla.html", "the funnel"), ("Personas", "", "not built")]
                ),
            ],
        )
    ]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    html = _write(
        settings,
        sections,
        weighting="shares are weighted to the customer base; effective n = 812.",
        links=[("Funnel report", "02_funnel_and_sla.html")],
    ).read_text(encoding="utf-8")
    assert "<dt>MQL</dt><dd>Marketing qualified &lt;lead&gt;</dd>" in html
    assert '<a href="02_funnel_and_sla.html">Funnel</a> — the funnel' in html and "<span>Personas</span>" in html
    assert "effective n = 812" in html
    assert (
        html.index(f'href="{BACK_TO_ALIGNMENT[1]}"')
        < html.index('href="02_funnel_and_sla.html"')
        < html.index('href="#terms"')
    )
    assert '<time class="build-time" datetime="2026-01-01T00:00:00+00:00">' in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_time().tzinfo is not None and build_time(dt.datetime(2026, 1, 2)) == dt.datetime(2026, 1, 2)


def test_numbers_are_right_aligned_and_long_text_may_wrap(settings):
    table = pd.DataFrame({"reason": ["x" * 40], "rows": [12]})
    html = _write(settings, [Section("s", "S", items=[ReportTable("t", "T", table)])]).read_text(encoding="utf-8")
    assert '<td class="long">' + "x" * 40 + "</td>" in html and '<td class="num">12</td>' in html


def test_categories_keep_their_colour_across_figures():
    colours = plots.category_colours(["Persona 1", "Persona 2", "Persona 3"])
    assert colours == plots.category_colours(["Persona 1", "Persona 2", "Persona 3"])
    assert list(colours.values()) == list(plots.PALETTE[:3])


def test_a_table_holding_an_email_address_is_refused(settings):
    table = pd.DataFrame({"lead": ["a1b2c3", "Mia.King@example.org"], "n": [12, 15]})
    with pytest.raises(PrivacyError, match="'lead' holds 1 email"):
        _write(settings, [Section("s", "S", items=[ReportTable("leads", "Leads", table)])])


def test_a_long_headline_keeps_six_lines_and_the_rest_opens_the_page(settings):
    inputs = pd.DataFrame({"table": ["contacts"], "file": ["c.csv"], "rows": [3], "sha256": ["abc"]})
    lines = [f"Finding {i}: 12% (95% CI 10%–14%). Next step: act on {i}." for i in range(1, 9)]
    html = write_report(
        "02_test",
        title="T",
        subtitle="S",
        headline=lines,
        sections=[Section("s", "S", ["x"])],
        settings=settings,
        inputs=inputs,
    ).read_text(encoding="utf-8")
    headline = html.split('id="headline"')[1].split("</section>")[0]
    assert headline.count("<li>") == 6 and "<strong>Next step:</strong> act on 6." in headline
    assert html.index('id="more-findings"') < html.index('id="s"') and "<p>Finding 8: 12%" in html
    assert 'href="#more-findings"' in html


def test_the_footer_says_which_names_may_appear(settings):
    html = _write(settings, []).read_text(encoding="utf-8")
    assert "No contact's name, email address or phone number appears in this report" in html
    assert "owners" in html and "shown by design" in html and "never reaches this report" not in html


def test_text_is_escaped_in_the_report_and_inert_in_its_csv(settings):
    table = pd.DataFrame(
        {
            "industry": ['=HYPERLINK("http://x","y")', "<script>alert(1)</script>"],
            "leads": [20, 30],
            "change": [-0.25, 0.5],
        }
    )
    path = _write(
        settings,
        [
            Section(
                "s", "<img src=x onerror=alert(1)>", ["<b>bold</b>"], [ReportTable("by_industry", "By industry", table)]
            )
        ],
    )
    html = path.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    csv = pd.read_csv(path.parent / "02_test" / "by_industry.csv")
    assert csv["industry"].tolist() == ['\'=HYPERLINK("http://x","y")', "<script>alert(1)</script>"]
    assert csv["change"].tolist() == [-0.25, 0.5] and csv["leads"].tolist() == [20, 30]
