"""A finding carries a next step only when its analysis gives one, and the report shows the step in bold."""

from __future__ import annotations

from alignkit.report.findings import finding, next_step
from alignkit.report.html import render_fragment


def test_a_finding_without_a_step_is_its_line_alone():
    line = "No segment converts significantly below the rest at any step."
    assert finding(line) == line and finding(line, None) == line and next_step(line) is None


def test_a_step_follows_the_line_once():
    line = finding("Paid Social: 18% move on (95% CI 16%–21%).", "review this segment's hand-over first.")
    assert line == "Paid Social: 18% move on (95% CI 16%–21%). Next step: review this segment's hand-over first."
    assert next_step(line) == "review this segment's hand-over first."
    assert finding("x.", "Next step: act.") == "x. Next step: act."


def test_the_page_shows_the_step_in_bold_and_a_stepless_finding_plain():
    html = render_fragment(
        "alignment.html.j2", headline=[finding("12% convert.", "act on it."), "Nothing to do."], sections=[]
    )
    assert "<li>12% convert. <strong>Next step:</strong> act on it.</li>" in html
    assert "<li>Nothing to do.</li>" in html
