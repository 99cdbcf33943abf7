"""One dictionary of labels for everything a person reads in a report: table headers, figure axes and ticks,
headlines, rules and persona cards. The CSV twins keep the snake_case names, so they stay machine-friendly.

A name gets, in order: the project file's `labels:` entry; the export's header for an attribute the project file
maps (`crm.contacts.attributes: {webinars_attended: Webinars Attended}`); the codebook's question text for a survey
column; the words for the report's own column names (COLUMN_LABELS); else the name in words ("from_stage" →
"From stage", acronyms such as MQL, SQL, CI and AUC kept upper case).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from alignkit.config import ProjectSettings

ACRONYMS = {
    "mql": "MQL",
    "mqls": "MQLs",
    "sql": "SQL",
    "sqls": "SQLs",
    "sal": "SAL",
    "ci": "CI",
    "auc": "AUC",
    "roc": "ROC",
    "pr": "PR",
    "sla": "SLA",
    "kpi": "KPI",
    "kpis": "KPIs",
    "crm": "CRM",
    "id": "ID",
    "sd": "SD",
    "fdr": "FDR",
    "p80": "80th percentile",
    "sha256": "SHA-256",
    "url": "URL",
    "csv": "CSV",
}
# The report's own column names, in words (the rest are turned into words by `humanize`).
COLUMN_LABELS = {
    "n": "n",
    "k": "Personas (k)",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "p_value": "p",
    "q_value": "q",
    "rest_rate": "Rate for the rest",
    "vs_rest_rate": "Difference to the rest",
    "vs_rest_ci_low": "Difference, CI low",
    "vs_rest_ci_high": "Difference, CI high",
    "what_converters_have": "What converters have",
    "from_stage": "From stage",
    "to_stage": "To stage",
    "cohens_h": "Effect size (Cohen's h)",
    "cramers_v": "Effect size (Cramér's V)",
    "rank_biserial": "Effect size (rank-biserial)",
    "std_diff": "Standardised difference",
    "p80_days": "80% within (days)",
    "p80_hours": "80% within (hours)",
    "median_days": "Median (days)",
    "median_hours": "Median (hours)",
    "mean_days": "Mean (days)",
    "median_cycle_days": "Median cycle (days)",
    "sha256": "Content hash (SHA-256)",
    "rows_in": "Rows in",
    "rows_out": "Rows out",
    "rows_affected": "Rows affected",
    "leads_lost": "Leads lost",
    "lift": "Lift",
    "roc_auc": "ROC AUC",
    "pr_auc": "PR AUC",
    "single_field_auc": "AUC of the field alone",
    "crm_value": "Value in the CRM export",
    "export_value": "Value in the export",
    "persona_id": "Persona number",
    "importance_sd": "Importance (SD)",
    "data_entry_effect": "Data-entry effect",
    "open_left_out": "Open (left out)",
    "lost (deal)": "Lost (deal)",
    "lost (lifecycle)": "Lost (lifecycle)",
    "stage unknown": "Stage unknown",
    "suppressed": "Suppressed (small group)",
    "value_in": "In the persona",
    "value_out": "Everyone else",
}
# The canonical lead fields every project has (leads.parquet), by label where a cell or a tick names one alone.
CANONICAL_FIELDS = {
    "source": "Source",
    "campaign": "Campaign",
    "owner": "Owner",
    "persona": "Persona",
    "stage": "Stage",
    "lost_reason": "Lost reason",
    "amount": "Amount",
    "created_at": "Created",
}
# Columns whose cells name a field (an attribute, a survey column): their values are shown by label too.
FIELD_COLUMNS = ("attribute", "field", "feature", "column", "breakdown", "variable", "item")
T = TypeVar("T")
_FIELD_KEY = r"(?<![\w.]){key}(?![\w]|\.\w)"  # a whole key: not part of a file name or a setting


def humanize(name: str) -> str:
    """Return a snake_case name in words: first letter upper case, acronyms kept ("reached_mql" → "Reached MQL")."""
    words = [ACRONYMS.get(word.lower(), word) for word in str(name).replace("_", " ").split()]
    if not words:
        return str(name)
    first = words[0]
    words[0] = first if first in ACRONYMS.values() else first[:1].upper() + first[1:]
    return " ".join(words)


@dataclass(frozen=True)
class Labels:
    """The labels of a project: `fields` (attributes, survey columns, the project file's labels) and the report's
    column words. `label(name)` returns what a person reads; `text(sentence)` relabels snake_case field keys."""

    fields: Mapping[str, str] = field(default_factory=dict)

    def label(self, name: object) -> str:
        """Return the label of a column or field name (never empty)."""
        key = str(name)
        if key in self.fields:
            return self.fields[key]
        if key in COLUMN_LABELS:
            return COLUMN_LABELS[key]
        return humanize(key) if ("_" in key or key.islower()) else key

    def field_value(self, value: str) -> str:
        """Return a cell naming a field by its label when it is a known field (else the cell as it is)."""
        return self.fields.get(value) or CANONICAL_FIELDS.get(value, value)

    @functools.cached_property
    def _patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None]:
        """The compiled patterns of `text`: snake_case keys, one-word keys after by/of/per, one-word keys in a rule."""
        keys = sorted((k for k in self.fields if "_" in k), key=len, reverse=True)
        snake = re.compile(_FIELD_KEY.format(key="(?:" + "|".join(map(re.escape, keys)) + ")")) if keys else None
        words = sorted((k for k in self.fields if "_" not in k and k.islower()), key=len, reverse=True)
        if not words:
            return snake, None, None
        alternatives = "|".join(map(re.escape, words))
        return (
            snake,
            re.compile(r"\b(by|of|per) (" + alternatives + r")(?![\w.])"),
            re.compile(r"(?<![\w.])(" + alternatives + r")(?= (?:[≥≤<>=]|\d))"),
        )

    def text(self, sentence: str) -> str:
        """Return a sentence with every snake_case key of a known field (webinars_attended) replaced by its label,
        and a one-word key where "by", "of" or "per" names it or a rule compares it ("sessions ≤ 4"); file names
        (survey_qualtrics.csv) and settings (sla.mqls_per_month) are left as they are."""
        snake, named, compared = self._patterns
        if snake is not None and "_" in sentence:
            sentence = snake.sub(lambda m: self.fields[m.group(0)], sentence)
        if named is not None and compared is not None:  # both compiled, or neither
            sentence = named.sub(lambda m: f"{m.group(1)} {self.fields[m.group(2)]}", sentence)
            sentence = compared.sub(lambda m: self.fields[m.group(1)], sentence)
        return sentence


def _codebook_labels(processed_dir: Path) -> dict[str, str]:
    """Return survey column -> words from the codebook: a grid item's statement, a multi-select option with its
    question, else the question text."""
    path = processed_dir / "codebook.parquet"
    if not path.exists():
        return {}
    codebook = pd.read_parquet(path)
    labels = {}
    for row in codebook.itertuples(index=False):
        question = "" if pd.isna(row.question) else str(row.question).strip()
        item = "" if pd.isna(getattr(row, "item", None)) else str(row.item).strip()
        if row.kind == "meta" or not (question or item):
            continue
        if item and row.kind == "multi":
            labels[str(row.column)] = f"{question} — {item}" if question else item
        else:
            labels[str(row.column)] = item or question
    return labels


def project_labels(settings: ProjectSettings) -> Labels:
    """Return the project's labels: the project file's `labels:`, then the export headers of the attributes it maps
    (contacts, deals, lookups), then the codebook's question text (when notebook 01 has written it)."""
    fields: dict[str, str] = {}
    crm = settings.crm
    if crm is not None:
        tables = [crm.contacts, crm.deals, crm.touches, *crm.lookups]
        for table in tables:
            if table is not None:
                for name, column in table.attributes.items():
                    fields.setdefault(name, column if column != name else humanize(name))
    for column, question in _codebook_labels(settings.processed_dir).items():
        fields.setdefault(column, question)
        fields.setdefault(f"survey_{column}", f"Survey: {question}")  # a survey answer set beside CRM leads
    fields.update(settings.labels)
    return Labels(fields)


_ACTIVE: contextvars.ContextVar[Labels | None] = contextvars.ContextVar("alignkit_labels", default=None)


def active_labels() -> Labels:
    """Return the labels set by `using_labels` (a report being built), else the default words for names."""
    return _ACTIVE.get() or Labels()


@contextlib.contextmanager
def using_labels(labels: Labels) -> Iterator[Labels]:
    """Use `labels` for the figures and tables built inside the block (the report writers wrap their sections)."""
    token = _ACTIVE.set(labels)
    try:
        yield labels
    finally:
        _ACTIVE.reset(token)


def _words(text: str, labels: Labels) -> str:
    key = text.strip()
    if key and (key in labels.fields or ("_" in key and " " not in key and key.islower())):
        return labels.label(key)
    if key in CANONICAL_FIELDS:
        return CANONICAL_FIELDS[key]
    return labels.text(text)


def relabel_axes(ax: Any, labels: Labels) -> None:
    """Relabel, in place, every text a person reads in the figure holding `ax`: titles, axis labels, tick labels,
    legends and annotations naming a field key (webinars_attended) show its label."""
    from matplotlib.text import Text

    figure = ax.figure
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            ticks = axis.get_ticklabels()
            texts = [t.get_text() for t in ticks]
            words = [_words(t, labels) for t in texts]
            if words != texts:
                axis.set_ticks(axis.get_ticklocs(), labels=words)
    for text in figure.findobj(Text):
        current = text.get_text()
        if current and (new := _words(current, labels)) != current:
            text.set_text(new)


def build_with_labels(settings: ProjectSettings, build: Callable[..., T], *args: Any) -> T:
    """Return `build(*args)` (a report's sections) built with the project's labels in use, so its figures' axes,
    ticks and titles show fields by label."""
    with using_labels(project_labels(settings)):
        return build(*args)
