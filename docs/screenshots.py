"""Screenshots of the reports for the documentation (docs/img/), one PNG per report section.

Run it after a demo run, from the repository root:

    python docs/screenshots.py --reports reports --out docs/img

It opens each report in headless Chromium (tests/browser.py: the DevTools protocol over a pipe, no download), at a
desktop width, and saves the top of each section listed in SECTIONS (at most MAX_HEIGHT pixels: a crop, not the
whole section) as a 256-colour PNG, which keeps the images small enough to commit. `--page URL --png FILE` takes
one viewport-sized screenshot of any page instead (the documentation site's own pages, for a review).
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.browser, from a checkout

from tests.browser import CHROMIUM, Chromium, Page

WIDTH = 1200  # below 75rem the report's contents are a bar across the top, not a column at the left
MAX_HEIGHT = 900  # the top of a long section says what it holds; the rest is more of the same
MARGIN = 12

# report -> the sections shown in the documentation, in the report's order (docs/guide/reports.md uses the names
# NN-<section id>.png). The alignment report composes the other reports' sections: only its own are taken.
SECTIONS = {
    "01_clean_survey_and_crm": ["headline", "inputs", "cleaning", "values", "quality", "missingness", "codebook"],
    "02_funnel_and_sla": [
        "headline",
        "definitions",
        "funnel",
        "friction",
        "time",
        "forecast",
        "goal",
        "cohorts",
        "sla",
        "closed-loop",
        "kpis",
    ],
    "03_persona_segments": ["headline", "fit", "k", "sizes", "persona-1", "crm", "traits"],
    "04_converting_leads": ["headline", "definition", "drivers", "values", "left_out", "linked", "score"],
    "05_alignment_report": ["headline", "definitions", "detailed-reports", "about"],
}


def section_box(page: Page, element_id: str) -> dict[str, float]:
    """Return the clip (page coordinates) around the top of one section, raising KeyError when it is missing."""
    box = page.evaluate(f"""(() => {{
        const el = document.getElementById({element_id!r});
        if (!el) return null;
        const r = el.getBoundingClientRect();
        return {{x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height}};
    }})()""")
    if box is None:
        raise KeyError(f"no section with id {element_id!r}")
    return {
        "x": max(box["x"] - MARGIN, 0),
        "y": max(box["y"] - MARGIN, 0),
        "width": box["width"] + 2 * MARGIN,
        "height": min(box["height"] + 2 * MARGIN, MAX_HEIGHT),
        "scale": 1,
    }


def save_small_png(data: bytes, path: Path) -> Path:
    """Write a screenshot as a 256-colour PNG (text and flat colours survive; the file is a third the size)."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    path.parent.mkdir(parents=True, exist_ok=True)
    small.save(path, optimize=True)
    return path


def shoot_report(browser: Chromium, report: Path, sections: list[str], out: Path) -> list[Path]:
    """Return the PNGs written for the listed sections of one report (the page laid out at full height first, so
    a section far down is drawn where it is, not under the contents bar)."""
    page = browser.open(report.resolve().as_uri(), width=WIDTH, height=900)
    height = page.evaluate("document.documentElement.scrollHeight")
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": int(height), "deviceScaleFactor": 1, "mobile": False},
        session=page.session,
    )
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    written = []
    for section in sections:
        element = "about" if section == "about" else section
        if section == "about":  # the footer stating inputs, settings and versions
            page.evaluate("document.querySelector('footer.manifest').id = 'about'")
        clip = section_box(page, element)
        data = browser.send("Page.captureScreenshot", {"format": "png", "clip": clip}, session=page.session)["data"]
        written.append(save_small_png(base64.b64decode(data), out / f"{report.stem[:2]}-{section}.png"))
    page.close()
    return written


def shoot_page(browser: Chromium, url: str, png: Path, *, width: int = 1280, height: int = 800) -> Path:
    """Return the PNG of one page's first screen (for a look at the documentation site itself)."""
    page = browser.open(url, width=width, height=height)
    data = browser.send("Page.captureScreenshot", {"format": "png"}, session=page.session)["data"]
    page.close()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(base64.b64decode(data))
    return png


def main(argv: list[str] | None = None) -> int:
    """Return the exit code after writing the screenshots the arguments ask for."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="the folder of a finished demo run")
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--page", help="instead: one screenshot of this URL ...")
    parser.add_argument("--png", type=Path, help="... written to this file")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"screenshots: {CHROMIUM} is missing; `make browser` installs it", file=sys.stderr)
        return 1
    with Chromium(timeout=120) as browser:
        if args.page:
            print(shoot_page(browser, args.page, args.png or Path("page.png")))
            return 0
        for name, sections in SECTIONS.items():
            report = args.reports / f"{name}.html"
            if not report.exists():
                print(f"screenshots: {report} is missing; run the demo first (make demo)", file=sys.stderr)
                return 1
            for path in shoot_report(browser, report, sections, args.out):
                print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
