"""The whole demo pipeline (`alignkit run`), judged on its outputs: no personal data in any report, no group under
the minimum size in any report table, every figure checked, and the same inputs giving the same files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from alignkit.config import load_settings
from alignkit.ingest.files import read_export
from alignkit.privacy import EMAIL_PATTERN, PHONE_PATTERN
from alignkit.report.html import BUILD_RUN_CLASS, BUILD_TIME_CLASS, SUPPRESSED_COLUMN, TABLES_MANIFEST

BUILD_TIME = re.compile(rf'<time class="{BUILD_TIME_CLASS}"[^>]*>[^<]*</time>')
BUILD_RUN = re.compile(rf'<span class="{BUILD_RUN_CLASS}">[^<]*</span>')  # each run has its own id
# Embedded images (data: URIs, base64 outputs of executed notebooks) are not text a reader sees: left out of the scan.
EMBEDDED = re.compile(r"data:[^\"'\s)]+|(?:[A-Za-z0-9+/=]|\\n){200,}")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def report_files(root: Path) -> list[Path]:
    """Return every report file a reader gets: the HTML pages, their CSVs and tables.json, executed notebooks."""
    reports = root / "reports"
    return sorted(
        [*reports.glob("*.html"), *reports.glob("**/*.csv"), *reports.glob("**/*.json"), *reports.glob("**/*.ipynb")]
    )


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def word_ngrams(text: str, sizes: set[int]) -> set[tuple[str, ...]]:
    words = [w.lower() for w in WORD.findall(text)]
    return {tuple(words[i : i + n]) for n in sizes for i in range(len(words) - n + 1)}


@pytest.fixture(scope="module")
def raw_pii(demo_run: Path) -> dict[str, set]:
    """Return the raw emails, names (as word sequences, both orders) and phone numbers (digits) of the demo exports."""
    settings = load_settings(demo_run / "alignkit.yml")
    contacts = read_export(settings.raw_path("hubspot_contacts.csv"))[1]
    survey = read_export(settings.raw_path("survey_qualtrics.csv"), header_rows=3)[1]
    people = [
        (contacts["Email"], contacts["First Name"], contacts["Last Name"]),
        (survey["RecipientEmail"], survey["RecipientFirstName"], survey["RecipientLastName"]),
    ]
    emails, names = set(), set()
    for email, first, last in people:
        emails |= set(email.dropna().str.strip().str.lower())
        for given, family in zip(first.fillna(""), last.fillna("")):
            if given.strip() and family.strip():
                names.add(tuple(w.lower() for w in WORD.findall(f"{given} {family}")))
                names.add(tuple(w.lower() for w in WORD.findall(f"{family} {given}")))
    phones = {digits(p) for p in contacts["Phone Number"].dropna()}
    assert len(emails) > 20_000 and len(names) > 1_000 and len(phones) > 15_000
    return {"emails": emails, "names": names, "phones": phones}


def test_the_pipeline_writes_every_report_with_its_csvs(demo_run):
    reports = sorted(p.name for p in (demo_run / "reports").glob("*.html"))
    assert "01_clean_survey_and_crm.html" in reports and "05_alignment_report.html" in reports
    for html in (demo_run / "reports").glob("*.html"):
        manifest = json.loads((html.with_suffix("") / TABLES_MANIFEST).read_text(encoding="utf-8"))
        for table in manifest["tables"]:
            assert (html.with_suffix("") / table["csv"]).exists()
            assert f'href="{html.stem}/{table["csv"]}"' in html.read_text(encoding="utf-8")


def test_no_report_holds_raw_emails_names_or_phone_numbers(demo_run, raw_pii):
    files = report_files(demo_run)
    assert len(files) >= 8
    leaks = []
    for path in files:
        text = EMBEDDED.sub(" ", path.read_text(encoding="utf-8"))
        found_emails = {m.lower() for m in EMAIL_PATTERN.findall(text)} & raw_pii["emails"]
        found_phones = {digits(m) for m in PHONE_PATTERN.findall(text)} & raw_pii["phones"]
        found_names = word_ngrams(text, {len(n) for n in raw_pii["names"]}) & raw_pii["names"]
        for kind, found in (("email", found_emails), ("phone", found_phones), ("name", found_names)):
            if found:
                leaks.append(f"{path.relative_to(demo_run)}: {len(found)} raw {kind}(s), e.g. {sorted(found)[0]}")
    assert not leaks, "\n".join(leaks)


def test_the_privacy_scan_would_find_a_leak(raw_pii):
    email, phone, name = sorted(raw_pii["emails"])[0], sorted(raw_pii["phones"])[0], sorted(raw_pii["names"])[0]
    text = (
        f"<td>{email.upper()}</td><td>+{phone[:1]} ({phone[1:4]}) {phone[4:7]}-{phone[7:]}</td>"
        f"<td>{' '.join(name).title()}</td>"
    )
    assert {m.lower() for m in EMAIL_PATTERN.findall(text)} & raw_pii["emails"]
    assert {digits(m) for m in PHONE_PATTERN.findall(text)} & raw_pii["phones"]
    assert word_ngrams(text, {len(name)}) & raw_pii["names"]


# Columns that hold a group's size by their name, checked even where a table does not declare its count_columns.
GROUP_SIZE_NAMES = re.compile(
    r"^(n|count|size|group_size|members|leads|contacts|respondents|responses|customers|"
    r"reached|n_[a-z_]+)$"
)


def test_no_report_table_shows_a_group_below_the_minimum_size(demo_run):
    settings = load_settings(demo_run / "alignkit.yml")
    minimum = settings.privacy.min_group_size
    checked = 0
    for manifest_path in sorted((demo_run / "reports").glob(f"*/{TABLES_MANIFEST}")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        assert manifest["min_group_size"] == minimum
        for table in manifest["tables"]:
            frame = pd.read_csv(manifest_path.parent / table["csv"])
            named = [c for c in frame.columns if GROUP_SIZE_NAMES.match(str(c)) and c not in table["count_columns"]]
            for column in [*table["count_columns"], *named]:
                counts = pd.to_numeric(frame[column], errors="coerce")
                small = frame[(counts > 0) & (counts < minimum)]
                assert small.empty, f"{manifest_path.parent.name}/{table['csv']}: {column} < {minimum}:\n{small}"
                checked += 1
            if table["suppressed_rows"]:
                assert frame[SUPPRESSED_COLUMN].sum() == table["suppressed_rows"]
    assert checked >= 4  # 01's quality and linking tables at least declare their group sizes


def test_every_figure_has_a_title_and_alt_text(demo_run):
    figures = 0
    for html in sorted((demo_run / "reports").glob("*.html")):
        text = html.read_text(encoding="utf-8")
        for alt, caption in re.findall(
            r'<figure class="plot">\s*<img src="data:image/png;base64,[^"]+" alt="([^"]*)">'
            r"\s*<figcaption>([^<]*)</figcaption>",
            text,
        ):
            assert len(alt.strip()) >= 10 and caption.strip(), f"{html.name}: figure {caption!r} alt {alt!r}"
            figures += 1
        assert text.count("<img ") == len(re.findall(r'<figure class="plot">\s*<img ', text)), html.name
    assert figures >= 2


def masked(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix != ".html":
        return data
    return BUILD_RUN.sub("<span>RUN</span>", BUILD_TIME.sub("<time>BUILD-TIME</time>", data.decode("utf-8"))).encode()


def test_the_same_inputs_give_the_same_files(demo_runs):
    """Two `alignkit run`s in two folders: byte-identical processed files, reports equal but for the build time
    (and, with SOURCE_DATE_EPOCH set in the second, its build time is that date)."""
    first_root, again = demo_runs
    for folder, pattern in (("data/processed", "*"), ("reports", "**/*")):
        first = {
            p.relative_to(first_root / folder)
            for p in (first_root / folder).glob(pattern)
            if p.is_file() and "executed" not in p.parts
        }
        second = {
            p.relative_to(again / folder)
            for p in (again / folder).glob(pattern)
            if p.is_file() and "executed" not in p.parts
        }
        assert first == second and first, folder
        differing = [
            str(name) for name in sorted(first) if masked(first_root / folder / name) != masked(again / folder / name)
        ]
        assert not differing, f"{folder}: these differ between two runs on the same inputs: {differing}"
    for html in sorted((again / "reports").glob("*.html")):
        times = BUILD_TIME.findall(html.read_text(encoding="utf-8"))
        assert times == [
            '<time class="build-time" datetime="2026-01-01T00:00:00+00:00">2026-01-01T00:00:00+00:00</time>'
        ], html.name
