"""Data that is valid but cannot carry an analysis, said in a sentence before a run rather than found by a crash in
it: a one-value outcome, too few rows, a column left out because it is blank or holds one value, groups smaller
than privacy.min_group_size. `alignkit validate` prints these after the cleaning has run on the inputs; the run
skips what the data cannot support (`alignkit.plan`), with the same reason."""

from __future__ import annotations

import pandas as pd

from alignkit.config import ProjectSettings
from alignkit.engine.backend import is_table
from alignkit.plan import MIN_FUNNEL_LEADS, analysis_plan
from alignkit.prepare.columns import category_columns
from alignkit.prepare.tables import PreparedData, data_facts_of

SHOWN_GROUPS = 5
NOT_GROUPS = ("lead_key", "lead_id", "stage", "outcome", "deal_stage", "lost_reason", "email")


def data_notes(data: PreparedData, settings: ProjectSettings) -> list[str]:
    """Return one sentence for each thing the cleaned data cannot support and what it means for the analyses:
    analyses the project file enables that the data rules out (with `alignkit.plan`'s reason), columns left out
    of every analysis (blank, one value, an identifier), and category values held by fewer leads than
    privacy.min_group_size."""
    notes = []
    enabled = {p.notebook: p.runs for p in analysis_plan(settings, facts={})}
    for planned in analysis_plan(settings, facts=data_facts_of(data)):
        if enabled[planned.notebook] and not planned.runs:
            notes.append(f"{planned.notebook} {planned.title} will be skipped by `alignkit run`: {planned.reason}")
    leads = data.leads
    if leads is not None and not is_table(leads) and len(leads) < MIN_FUNNEL_LEADS:
        return notes  # every column of one row is constant: the plan's "too few rows" says it all
    sources = {}
    if settings.crm is not None:
        sources = {name.casefold(): column for name, column in settings.crm.contacts.attributes.items()}
    for row in data.left_out.itertuples():
        shown = sources.get(str(row.column).casefold(), row.column)
        notes.append(f"{row.table}: column {shown!r} is left out of every analysis — {row.reason}.")
    if leads is not None and not is_table(leads) and len(leads):
        notes += small_groups(leads, settings.privacy.min_group_size, names=sources)
    return notes


def small_groups(leads: pd.DataFrame, min_group_size: int, *, names: dict[str, str] | None = None) -> list[str]:
    """Return a sentence for each category column of the leads holding values of fewer than `min_group_size`
    leads: their figures are blanked in every report, and a group of one says nothing about other leads. `names`
    maps a column's (casefolded) name to the export's, to say it as the user knows it."""
    notes = []
    for column in category_columns(leads, skip=NOT_GROUPS):
        counts = leads[column].value_counts()
        small = counts[(counts > 0) & (counts < min_group_size)]
        if small.empty:
            continue
        listed = ", ".join(
            f"{value!r} ({n} lead{'s' if n > 1 else ''})" for value, n in small.head(SHOWN_GROUPS).items()
        )
        more = f" and {len(small) - SHOWN_GROUPS} more" if len(small) > SHOWN_GROUPS else ""
        shown = (names or {}).get(str(column).casefold(), column)
        notes.append(
            f"leads: column {shown!r} has {len(small)} value(s) held by fewer than privacy.min_group_size "
            f"({min_group_size}) leads: {listed}{more} — their figures are blanked in the reports"
            + (", and a group of one lead says nothing about other leads." if small.min() == 1 else ".")
        )
    return notes
