"""The notebooks' markdown reads right on any project: it explains, and what is true of one project only (the
demo's sources, owners, industries, question numbers) comes from a code cell, never from the prose."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from tests.conftest import REPO

# Columns of the demo's CRM export whose values would be demo facts in the prose.
DEMO_VALUE_COLUMNS = (
    "Original Source",
    "Original Source Drill-Down 1",
    "Contact owner",
    "Industry",
    "Job Title",
    "Country/Region",
    "Lifecycle Stage",
)


def markdown_cells(folder: Path) -> dict[str, str]:
    """Return every markdown cell of the numbered notebooks in `folder`, keyed 'notebook#cell'."""
    cells = {}
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "markdown":
                cells[f"{path.name}#{index}"] = "".join(cell["source"])
    return cells


def demo_facts_in(cells: dict[str, str], values: set[str]) -> list[str]:
    """Return 'cell: fact' for each mention of the demo, of a survey question number or of one of `values`."""
    found = []
    for where, text in cells.items():
        for fact in re.findall(r"\bdemo\b|\bq\d+\b", text, flags=re.IGNORECASE):
            found.append(f"{where}: {fact}")
        found += [f"{where}: {value}" for value in sorted(values) if re.search(rf"\b{re.escape(value)}\b", text)]
    return found


def test_markdown_says_nothing_only_the_demo_makes_true(demo_project):
    contacts = pd.read_csv(
        demo_project.parent / "data/raw/hubspot_contacts.csv",
        usecols=list(DEMO_VALUE_COLUMNS),
        dtype=str,
        encoding="utf-8-sig",
    )
    # multi-word values only: a single word ("Retail", "lead") can be plain English in a generic sentence
    values = {v.strip() for column in contacts for v in contacts[column].dropna().unique() if " " in v.strip()}
    assert {"Paid Social", "Organic Search"} <= values
    assert demo_facts_in(markdown_cells(REPO / "notebooks"), values) == []


def test_a_demo_fact_in_the_prose_is_found():
    cells = {
        "03#5": "Company size (q2), industry (q3) and region (q9) are included.",
        "02#23": "— the Paid Social campaigns inside the Paid Social source —",
        "01#30": "the demo leaves it off",
    }
    assert demo_facts_in(cells, {"Paid Social"}) == [
        "03#5: q2",
        "03#5: q3",
        "03#5: q9",
        "02#23: Paid Social",
        "01#30: demo",
    ]
