"""Benchmark: notebook 01's reading and cleaning of a 1,000,000-row × 40-column CRM contacts export and a
100,000-response plain survey CSV. Prints each part's wall time and the peak resident memory.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--responses 100000]

Budget (issue 15): under 20 s and under 2 GB in all on a 2-core machine. Measured here on 2026-12-03 (a 2-core VM
whose speed varies by half within the hour): 12.9 s (14.4 s of CPU) while it was quiet, 17.9-18.6 s (20 s of CPU)
while it was slow; peak RSS 1.54-1.65 GB; a later run 10.7 s (12.0 s of CPU, 1.62 GB). The same day's start
measured 22.9 s, the day before 16.0-23.6 s.
The exports are written first (not timed) into a temporary folder: ids, emails, names, dates in US order, lifecycle
stages, categories with form placeholders, numbers written with thousands separators, and free text; the survey
has Likert grids and a few open questions.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alignkit.config import load_settings  # noqa: E402
from alignkit.ingest.crm import read_crm  # noqa: E402
from alignkit.ingest.survey import read_survey  # noqa: E402
from alignkit.prepare.tables import prepare  # noqa: E402

STAGES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
AGREE = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
CATEGORIES = {f"Category {j}": [f"Value {j}-{k}" for k in range(3 + j)] + ["Select"] for j in range(14)}
NUMBERS = [f"Number {j}" for j in range(14)]
TEXTS = [f"Note {j}" for j in range(3)]


def write_contacts(path: Path, n: int, rng: np.random.Generator) -> None:
    """Write an n-row HubSpot-like contacts export of 40 columns."""
    created = np.datetime64("2024-01-01T00:00") + rng.integers(0, 700 * 24 * 60, n).astype("timedelta64[m]")
    created_text = pd.Series(created).dt.strftime("%m/%d/%Y %H:%M")
    stage_index = rng.integers(0, len(STAGES), n)
    columns: dict[str, object] = {
        "Record ID": np.arange(1, n + 1),
        "Email": [f"person{i}@example{i % 97}.com" for i in range(n)],
        "First Name": rng.choice(["Ana", "Ben", "Chloé", "Dev", "Eli"], n),
        "Last Name": rng.choice(["Smith", "Ng", "Okafor", "Müller"], n),
        "Phone Number": [f"+1 555 {i % 10_000:04d} {i % 997:03d}" for i in range(n)],
        "Create Date": created_text,
        "Last Modified Date": created_text,
        "Lifecycle Stage": np.array(STAGES)[stage_index],
        "Original Source": rng.choice(["Organic Search", "Paid Search", "Email Marketing", "Referrals"], n),
    }
    for name, values in CATEGORIES.items():
        columns[name] = rng.choice(values, n)
    for j, name in enumerate(NUMBERS):
        values = rng.gamma(2.0, 50.0 * (j + 1), n)
        columns[name] = [f"{v:,.0f}" for v in values] if j % 3 == 0 else np.round(values, 1)
    for name in TEXTS:
        columns[name] = rng.choice(["called back, wants a demo", "no answer", "", "sent the price list"], n)
    frame = pd.DataFrame(columns)
    assert frame.shape[1] == 40, frame.shape
    frame.to_csv(path, index=False)


def write_survey(path: Path, n: int, rng: np.random.Generator) -> None:
    """Write an n-response plain survey CSV: an id, an email, 3 grids of 6 agreement items, 4 choices, 2 open."""
    columns: dict[str, object] = {
        "Respondent ID": np.arange(1, n + 1),
        "Email": [f"person{i * 7}@example{(i * 7) % 97}.com" for i in range(n)],
    }
    for grid in range(3):
        for item in range(6):
            columns[f"How much do you agree? - Statement {grid}.{item}"] = rng.choice(AGREE, n)
    for q in range(4):
        columns[f"Which best describes you? ({q})"] = rng.choice(["Founder", "Manager", "Analyst", "Other"], n)
    for q in range(2):
        columns[f"What would you improve? ({q})"] = rng.choice(
            ["Faster onboarding for new staff members", "", "Clearer pricing on the website please"], n
        )
    pd.DataFrame(columns).to_csv(path, index=False)


PROJECT = """\
project: ingest benchmark
paths: {{raw: raw, processed: processed, reports: reports}}
survey:
  file: survey.csv
  format: plain
crm:
  format: hubspot
  contacts:
    file: contacts.csv
    attributes:
{attributes}
funnel:
  stages:
    - {{name: Subscriber, value: subscriber}}
    - {{name: Lead, value: lead}}
    - {{name: MQL, value: marketingqualifiedlead}}
    - {{name: SQL, value: salesqualifiedlead}}
    - {{name: Opportunity, value: opportunity}}
    - {{name: Customer, value: customer}}
  mql_stage: MQL
  sql_stage: SQL
  converted_stage: Customer
privacy:
  salt: bench-salt
"""


def write_exports(root: Path, rows: int, responses: int) -> None:
    """Write the exports and the project file into `root` (run in a child process: its memory is not counted)."""
    rng = np.random.default_rng(0)
    (root / "raw").mkdir(parents=True, exist_ok=True)
    write_contacts(root / "raw" / "contacts.csv", rows, rng)
    write_survey(root / "raw" / "survey.csv", responses, rng)
    names = [*CATEGORIES, *NUMBERS, *TEXTS]
    attributes = "\n".join(f"      {name.lower().replace(' ', '_')}: {name}" for name in names)
    (root / "alignkit.yml").write_text(PROJECT.format(attributes=attributes), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--responses", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(1) as pool:  # the writer's memory is not this process's
            pool.apply(write_exports, (root, args.rows, args.responses))
        size = sum(p.stat().st_size for p in (root / "raw").iterdir()) / 1e6
        print(
            f"wrote {args.rows:,} contacts x 40 columns and {args.responses:,} survey responses "
            f"({size:,.0f} MB) in {time.perf_counter() - started:.1f} s (not timed)"
        )
        settings = load_settings(root / "alignkit.yml")
        t0 = time.perf_counter()
        crm = read_crm(settings)
        t1 = time.perf_counter()
        survey = read_survey(settings.raw_path("survey.csv"), format="plain")
        t2 = time.perf_counter()
        del crm, survey
        cpu = time.process_time()
        data = prepare(settings)
        t3 = time.perf_counter()
        cpu = time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(f"read the CRM export alone: {t1 - t0:.1f} s")
        print(f"read and type the survey alone: {t2 - t1:.1f} s")
        print(
            f"notebook 01's whole reading and cleaning (prepare: read, clean, link, pseudonymise): {t3 - t2:.1f} s "
            f"-> {len(data.leads):,} leads, {len(data.responses):,} responses; {cpu:.1f} s of CPU (all threads: on a "
            "shared machine the wall time grows, the CPU time hardly)"
        )
        print(
            f"TOTAL notebook 01 reading and cleaning: {t3 - t2:.1f} s (budget 20 s); peak RSS {peak:.2f} GB "
            "(budget 2 GB)"
        )


if __name__ == "__main__":
    main()
