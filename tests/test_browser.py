"""Every report of the demo run opened in Debian's headless Chromium, at desktop and phone widths: no console error,
no request leaving the file, every image decoded, the document exactly as wide as the window, every table within
the text column at 1280 px (on a phone a wide table scrolls inside its own box), every contents link landing on its
section. Screenshots go to test-artifacts/screenshots/ and printed PDFs to test-artifacts/pdf/ (`make browser`
installs chromium; without it this is skipped).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest

from alignkit.config import load_settings
from alignkit.report.html import ALIGNMENT_SLUG, DETAILED_REPORTS, ReportTable, Section, write_report
from tests.browser import CHROMIUM, Chromium
from tests.conftest import REPO, make_project

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
VIEWPORTS = {
    "desktop": dict(width=1280, height=900, mobile=False),
    "tablet": dict(width=820, height=1180, mobile=True),
    "phone": dict(width=390, height=844, mobile=True),
}

# Skipped without chromium on a developer's machine; in CI (CI=true) or with ALIGNKIT_REQUIRE_BROWSER=1 it must run.
REQUIRED = os.environ.get("CI", "").lower() in ("1", "true", "yes") or bool(os.environ.get("ALIGNKIT_REQUIRE_BROWSER"))
MISSING = f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium with apt-get, as root)"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not REQUIRED, reason=MISSING + " to run the browser test")

PAGE_FACTS = """(() => {
  const nav = document.querySelector('nav.contents');
  return {
    images: Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth, alt: i.alt})),
    links: Array.from(nav.querySelectorAll('a')).map(a => a.getAttribute('href')),
    bodyLinks: Array.from(document.querySelectorAll('main a[href]')).map(a => a.getAttribute('href')),
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    // every table box: how wide its table is against the box, and whether the box scrolls sideways itself
    boxes: Array.from(document.querySelectorAll('.scroll')).map(box => ({
      label: box.getAttribute('aria-label') || '', scrollWidth: box.scrollWidth, clientWidth: box.clientWidth,
      overflowX: getComputedStyle(box).overflowX})),
  };
})()"""
# The widths at which every table must fit the text column (no table box scrolls sideways).
FIT_TABLES = ("desktop",)

# Click a contents link as a person would (scroll it into the bar's view, make sure nothing covers it, click its
# centre), then say where its section ended up relative to the viewport and the sticky contents bar.
LINK_BOX = """(href => {
  window.scrollTo(0, 0);
  const link = document.querySelector(`nav.contents a[href="${href}"]`);
  link.scrollIntoView({block: 'nearest', inline: 'center'});
  const box = link.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const hit = document.elementFromPoint(x, y);
  return {x, y, clickable: hit === link || link.contains(hit)};
})"""

WHERE_IS = """(id => {
  const target = document.getElementById(id);
  if (!target) return null;
  const box = target.getBoundingClientRect();
  const heading = (target.querySelector('h2') || target).getBoundingClientRect();
  const nav = document.querySelector('nav.contents').getBoundingClientRect();
  return {top: box.top, headingBottom: heading.bottom, margin: parseFloat(getComputedStyle(target).scrollMarginTop),
          nav: nav.width > window.innerWidth * 0.9 ? nav.bottom : 0,  // a bar across the top covers what is under it
          height: window.innerHeight, hash: location.hash, scrollY: window.scrollY,
          maxScroll: document.documentElement.scrollHeight - window.innerHeight};
})"""


def reports_of(root: Path) -> list[Path]:
    return sorted((root / "reports").glob("*.html"))


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(MISSING + "; the browser test is required here (CI or ALIGNKIT_REQUIRE_BROWSER).")
    with Chromium() as chromium:
        yield chromium


def check_report(browser: Chromium, report: Path, viewport: str, *, label: str | None = None) -> list[str]:
    """Return what is wrong with a report in the browser at a viewport; write its screenshots (and, on a desktop,
    its printed PDF)."""
    problems = []
    url = report.resolve().as_uri()
    page = browser.open(url, **VIEWPORTS[viewport])
    name = f"{label or report.stem}_{viewport}"
    page.screenshot(SCREENSHOTS / f"{name}.png")
    page.screenshot(SCREENSHOTS / f"{name}_full.png", full_page=True)
    facts = page.evaluate(PAGE_FACTS)
    if facts["scrollWidth"] != facts["innerWidth"]:
        problems.append(f"{name}: the page is {facts['scrollWidth']} px wide in a {facts['innerWidth']} px window")
    for box in facts["boxes"]:
        wider = box["scrollWidth"] > box["clientWidth"] + 1
        if wider and viewport in FIT_TABLES:
            problems.append(
                f"{name}: table {box['label'][:70]!r} is {box['scrollWidth']} px wide in a "
                f"{box['clientWidth']} px text column"
            )
        elif wider and box["overflowX"] not in ("auto", "scroll"):
            problems.append(f"{name}: table {box['label'][:70]!r} is wider than its box and the box does not scroll")
    for image in facts["images"]:
        if not image["complete"] or image["width"] == 0:
            problems.append(f"{name}: image not decoded ({image['alt'][:60]})")
    for href in facts["links"] + facts["bodyLinks"]:
        if href.startswith("#"):
            continue
        parsed = urlparse(href)
        if parsed.scheme or parsed.netloc:
            problems.append(f"{name}: link leaves the report folder: {href}")
        elif not (report.parent / unquote(parsed.path)).exists():
            problems.append(f"{name}: link to a missing file: {href}")
    for href in facts["links"]:
        if not href.startswith("#"):
            continue
        box = page.evaluate(f"({LINK_BOX})({href!r})")
        if not box["clickable"]:
            problems.append(f"{name}: contents link {href} is covered and cannot be clicked")
            continue
        page.click(box["x"], box["y"])
        where = page.evaluate(f"({WHERE_IS})({href[1:]!r})")
        if where is None:
            problems.append(f"{name}: contents link {href} has no section")
        elif where["hash"] != href:
            problems.append(f"{name}: clicking {href} did not follow the link (at {where['hash']!r})")
        elif not (where["nav"] - 1 <= where["top"] and where["headingBottom"] <= where["height"]):
            problems.append(f"{name}: after clicking {href} its section is hidden or out of view: {where}")
        elif abs(where["top"] - where["margin"]) > 2 and where["scrollY"] < where["maxScroll"] - 1:
            problems.append(f"{name}: after clicking {href} its section is not at the top: {where}")
    if viewport == "desktop":
        page.emulate_media("print")
        if page.evaluate("getComputedStyle(document.querySelector('nav.contents')).display") != "none":
            problems.append(f"{name}: the contents bar is printed")
        page.emulate_media("")
        pdf = page.print_pdf(SCREENSHOTS.parent / "pdf" / f"{label or report.stem}.pdf")
        if not pdf.read_bytes().startswith(b"%PDF"):
            problems.append(f"{name}: printing gave no PDF")
    log = page.log()
    problems += [f"{name}: {error}" for error in log.errors]
    for request in log.requests:
        if not (request.startswith("data:") or request == url):
            problems.append(f"{name}: request left the file: {request[:120]}")
    page.close()
    return problems


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_reports_in_a_real_browser(browser, demo_run, viewport):
    reports = reports_of(demo_run)
    assert reports
    problems = [problem for report in reports for problem in check_report(browser, report, viewport)]
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def crowded_report(tmp_path_factory, demo_project):
    """A report shaped like the full alignment page: many link-outs and many long section titles, wide tables."""
    settings = load_settings(
        make_project(tmp_path_factory.mktemp("crowded"), raw_from=demo_project.parent / "data" / "raw")
    )
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    links = []
    for slug, title in DETAILED_REPORTS.items():
        (settings.reports_dir / f"{slug}.html").write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
        links.append((f"{slug[:2]} {title}", f"{slug}.html"))
    wide = pd.DataFrame({f"a rather long column name {i}": [f"value {i} " * 8, 1234.5] for i in range(8)})
    sections = [
        Section(
            f"part-{i}",
            f"Section {i}: friction points between the MQL and SQL stages",
            ["Words. " * 40],
            [ReportTable(f"table_{i}", "A wide table", wide)],
        )
        for i in range(12)
    ]
    return write_report(
        ALIGNMENT_SLUG,
        title="A crowded page",
        subtitle="Many sections",
        headline=["x"] * 3,
        sections=sections,
        settings=settings,
        inputs=pd.DataFrame({"file": ["c.csv"], "rows": [1]}),
        links=links,
        back_to_alignment=False,
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_crowded_contents_bar_still_lands_on_its_sections(browser, crowded_report, viewport):
    problems = check_report(browser, crowded_report, viewport, label="crowded_test_page")
    assert not problems, "\n".join(problems)


def test_the_pipe_driver_sees_errors_and_requests(browser, tmp_path):
    """The checks above can fail: a page with a console error and an outside image is caught."""
    page_file = tmp_path / "bad.html"
    page_file.write_text(
        '<html><body><img src="file:///nonexistent/x.png" alt="x"><p id="a">a</p>'
        "<script>console.error('boom')</script></body></html>",
        encoding="utf-8",
    )
    page = browser.open(page_file.as_uri(), width=800, height=600)
    log = page.log()
    page.close()
    assert any("boom" in error for error in log.errors)
    assert "file:///nonexistent/x.png" in log.requests
