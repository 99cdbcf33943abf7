"""Notebook 02's report: self-contained, every table as CSV, small groups suppressed, spend when configured."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from alignkit.config import load_settings
from alignkit.errors import InputFileError
from alignkit.funnel.analysis import analyse, load_inputs
from alignkit.funnel.report import REPORT_SLUG, mask_small_counts, write_funnel_report
from alignkit.prepare.tables import write_processed
from tests.conftest import make_project


@pytest.fixture(scope="module")
def report(tmp_path_factory, demo_project, prepared):
    project = make_project(tmp_path_factory.mktemp("funnel_report"), raw_from=demo_project.parent / "data" / "raw")
    (project.parent / "data" / "raw" / "spend.csv").write_text(
        "month,source,spend\n2026-01,Paid Social,12000\n2026-01,Paid Search,8000\n2026-02,Paid Social,11000\n",
        encoding="utf-8",
    )
    text = project.read_text(encoding="utf-8").replace("spend_file: null", "spend_file: spend.csv")
    project.write_text(text, encoding="utf-8")
    settings = load_settings(project)
    write_processed(prepared, settings.processed_dir)
    result = analyse(settings)  # reads data/processed and the spend file named in the project file
    return write_funnel_report(result, settings), settings, result


def test_report_is_self_contained_and_complete(report):
    path, _, _ = report
    html = path.read_text(encoding="utf-8")
    assert path.name == f"{REPORT_SLUG}.html"
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html) and "<script" not in html
    assert html.count('src="data:image/png;base64,') >= 8
    assert "Paid Social" in html.split('id="definitions"')[0]  # the top friction point is in the headline
    assert path.stat().st_size < 3_000_000


def test_every_table_is_a_csv(report):
    path, _, _ = report
    links = re.findall(rf'href="({REPORT_SLUG}/\w+\.csv)"', path.read_text(encoding="utf-8"))
    assert {
        f"{REPORT_SLUG}/{n}.csv"
        for n in ("conversion", "friction_points", "sla_by_owner", "before_close", "kpis", "cost_by_segment")
    } <= set(links)


def test_small_groups_never_appear(report):
    path, settings, _ = report
    k = settings.privacy.min_group_size
    folder = path.parent / REPORT_SLUG
    segments = pd.read_csv(folder / "segments.csv")
    assert (segments["n"] >= k).all()
    weeks = pd.read_csv(folder / "sla_by_week.csv")
    shown = weeks[weeks["mqls_due"].notna()]
    assert (shown["mqls_due"] >= k).all() and weeks.loc[weeks["mqls_due"].isna(), "breach_share"].isna().all()
    stages = pd.read_csv(folder / "stages.csv")
    counts = stages[["reached", "skipped", "stopped_here", "moved_back_from_here"]].stack()
    assert not ((counts > 0) & (counts < k)).any()


def test_cost_per_customer_is_reported_with_spend(report):
    _, _, result = report
    costs = result.cost_by_segment.set_index("source")
    assert costs.loc["Paid Social", "spend"] == 23000
    kpis = result.kpis.set_index("month")
    assert kpis.loc["2026-01", "cost_per_lead"] == pytest.approx(20000 / kpis.loc["2026-01", "new_leads"])


def test_mask_small_counts_keeps_zeros():
    table = pd.DataFrame({"n": [0, 3, 12]})
    assert mask_small_counts(table, ["n"], 10)["n"].tolist()[::2] == [0, 12]
    assert pd.isna(mask_small_counts(table, ["n"], 10)["n"].iloc[1])


def test_missing_processed_tables_say_to_run_notebook_01(tmp_path, demo_project):
    project = make_project(tmp_path / "empty", raw_from=demo_project.parent / "data" / "raw")
    with pytest.raises(InputFileError, match=r"leads\.parquet.*run notebook 01"):
        load_inputs(load_settings(project))


def test_kpis_from_small_groups_are_blank():
    from alignkit.funnel.report import private_kpis

    kpis = pd.DataFrame(
        {
            "month": ["2026-01", "2026-02"],
            "new_leads": [50, 5],
            "reached_customer": [12, 3],
            "deals_won": [12, 3],
            "deals_lost": [10, 2],
            "revenue": [1e5, 2e4],
            "win_rate": [0.55, 0.6],
            "win_ci_low": [0.3, 0.2],
            "win_ci_high": [0.7, 0.9],
            "median_cycle_days": [40.0, 30.0],
        }
    )
    out = private_kpis(kpis, 10, customers="reached_customer")
    assert out.loc[0, ["revenue", "win_rate", "median_cycle_days"]].notna().all()
    assert out.loc[1, ["revenue", "win_rate", "win_ci_low", "median_cycle_days"]].isna().all()


def test_figures_draw_no_group_below_the_minimum_size(report, monkeypatch):
    """The tables blank counts of 1 to min_group_size − 1; the figures beside them must not draw those groups
    either (a last month holding a handful of MQLs, SQLs and customers)."""
    from dataclasses import replace

    from alignkit import plots
    from alignkit.funnel import report as funnel_report

    _, settings, _ = report
    k = settings.privacy.min_group_size
    data = load_inputs(settings)
    # the export's last month thinned to a handful of MQLs, as when an export is taken early in a month
    last = data.leads["mql_at"].max().to_period("M")
    in_last = data.leads["mql_at"].dt.to_period("M").eq(last).fillna(False)
    keep = ~in_last | (in_last.cumsum() <= 4)
    result = analyse(settings, data=replace(data, leads=data.leads[keep.to_numpy()].reset_index(drop=True)))
    drawn: dict[str, tuple] = {}
    for name in ("plot_sla_distribution", "plot_mql_volume", "plot_kpis", "plot_lost_reasons"):
        original = getattr(plots, name)

        def record(*args, _name=name, _original=original, **kwargs):
            drawn[_name] = args
            return _original(*args, **kwargs)

        monkeypatch.setattr(funnel_report.plots, name, record)
    funnel_report.report_sections(result)
    assert (result.sla.volume["mqls"].between(1, k - 1)).any()  # the demo has such months: the check bites

    def small(values: pd.Series) -> bool:
        values = pd.to_numeric(values, errors="coerce").astype(float)
        return bool(((values > 0) & (values < k)).any())

    assert not small(drawn["plot_mql_volume"][0]["mqls"])
    distribution = drawn["plot_sla_distribution"][0]
    assert distribution.loc[distribution["mqls"].astype(float).fillna(0) < k, "share"].isna().all()
    kpis, columns = drawn["plot_kpis"]
    assert not any(small(kpis[c]) for c in columns)
    assert not small(drawn["plot_lost_reasons"][0]["lost_deals"])


def test_the_rest_of_a_segment_is_not_shown_when_it_is_a_small_group(report):
    """With two segments, the rest of the big one *is* the small one: its rate would reveal the small group that
    the table leaves out. Figures of a rest below min_group_size are blanked."""
    from dataclasses import replace

    from alignkit.funnel.report import report_sections
    from alignkit.report.html import ReportTable

    _, settings, result = report
    k = settings.privacy.min_group_size
    segments = result.segments.head(2).assign(rest_n=[k - 7, 5000], rest_rate=[0.123, 0.5])
    sections = report_sections(replace(result, segments=segments, friction=segments.iloc[:0]))
    table = next(
        item for s in sections for item in s.items if isinstance(item, ReportTable) and item.name == "segments"
    )
    by_rest = table.frame.set_index(
        segments.sort_values(["q_value", "leads_lost"], ascending=[True, False], kind="stable")["rest_n"].to_numpy()
    )
    assert by_rest.loc[k - 7, ["rest_rate", "vs_rest_rate", "vs_rest_ci_low", "vs_rest_ci_high"]].isna().all()
    assert by_rest.loc[5000, "rest_rate"] == pytest.approx(0.5)


def test_figures_name_the_stages_as_the_project_file_does(report, monkeypatch):
    """Legends say 'MQL', 'Opportunity' (the company's stage names), not the snake_case column keys."""
    from alignkit import plots
    from alignkit.funnel import report as funnel_report

    _, settings, result = report
    legends: dict[str, list[str]] = {}
    for name in ("plot_cohorts", "plot_kpis"):
        original = getattr(plots, name)

        def record(*args, _name=name, _original=original, **kwargs):
            ax = _original(*args, **kwargs)
            legends[_name] = [t.get_text() for t in ax.get_legend().get_texts()]
            return ax

        monkeypatch.setattr(funnel_report.plots, name, record)
    funnel_report.report_sections(result)
    names = settings.funnel.stage_names
    assert legends["plot_cohorts"] == names[2:]  # from MQL on (nearly every lead reaches Lead)
    assert legends["plot_kpis"][0] == "new leads" and set(legends["plot_kpis"][1:]) <= set(names)


def test_the_notebook_draws_the_report_figures(report):
    """Notebook 02 shows each figure through funnel.plot (the report's own): the same privacy-safe data as the
    report."""
    import json
    from pathlib import Path

    import matplotlib.pyplot as plt

    from alignkit.funnel import report as funnel_report
    from alignkit.report.html import check_figure

    _, _, result = report
    for name in funnel_report.FIGURES:
        ax = funnel_report.plot(result, name)
        check_figure(ax.figure)
        plt.close(ax.figure)
    with pytest.raises(ValueError, match="unknown figure 'funel'"):
        funnel_report.plot(result, "funel")
    source = Path(__file__).parents[2] / "notebooks" / "02_funnel_and_sla.ipynb"
    cells = [
        "".join(c["source"])
        for c in json.loads(source.read_text(encoding="utf-8"))["cells"]
        if c["cell_type"] == "code"
    ]
    assert not [c for c in cells if "plots.plot_" in c], "notebook 02 draws a figure around funnel.plot"
    assert sum("funnel.plot(result," in c for c in cells) == len(funnel_report.FIGURES)


def test_funnel_figure_labels_agree_with_the_conversion_table():
    """The bars are counts, the labels the table's step conversion (judged on matured leads), said as such: here
    80 of 100 leads reached MQL (the bars' ratio, 80%), but only 30 of the 50 judged moved on: the label says 60%."""
    import matplotlib.pyplot as plt

    from alignkit.plots import plot_funnel

    stages = pd.DataFrame({"stage": ["Lead", "MQL"], "reached": [100, 80]})
    conversion = pd.DataFrame(
        {"from_stage": ["Lead"], "to_stage": ["MQL"], "judged": [50], "converted": [30], "rate": [0.6]}
    )
    ax = plot_funnel(stages, conversion)
    labels = [t.get_text() for t in ax.texts]
    plt.close(ax.figure)
    assert labels == ["80  (60% of judged Lead leads moved on)", "100"]
    assert not any("of the previous stage" in label for label in labels)


def test_demo_funnel_figure_shows_the_table_rates(report):
    import matplotlib.pyplot as plt

    from alignkit.funnel import report as funnel_report

    _, _, result = report
    ax = funnel_report.plot(result, "funnel")
    labels = " | ".join(t.get_text() for t in ax.texts)
    plt.close(ax.figure)
    for _, row in result.conversion.iterrows():
        assert f"{row['rate']:.0%} of judged {row['from_stage']} leads moved on" in labels
