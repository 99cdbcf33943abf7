"""Customer personas from the CRM (personas.source: crm): the customers' attributes read as answers, so the persona
model, profiles, names and report work on a customer table as they do on a survey. What a customer does and spends
(spend by category, purchases by channel, visits, recency) forms the personas; who they are (income, birth year,
education, household: descriptors) describes them; the outcome (converted, a campaign response) is profiled per
persona with its CI, never clustered on."""

from __future__ import annotations

import pandas as pd

from alignkit.config import ProjectSettings
from alignkit.ingest.files import to_snake_case
from alignkit.meaning.words import named_like_outcome

OUTCOME_COLUMN = "converted"
MAX_CATEGORY_LEVELS = 30  # a text attribute with more distinct values is a name or free text, not a choice


def _question(settings: ProjectSettings, name: str) -> str:
    """Return the words for an attribute: the project file's label, else the export's header, else the name."""
    if name in settings.labels:
        return settings.labels[name]
    headers = dict(settings.crm.contacts.attributes) if settings.crm is not None else {}
    for lookup in settings.crm.lookups if settings.crm is not None else []:
        headers.update(lookup.attributes)
    header = str(headers.get(name) or name)
    if " " in header.strip():
        return header
    # An export's CamelCase or snake_case header in words: 'NumStorePurchases' -> 'Store purchases',
    # 'MntWines' -> 'Spend on wines' (Num/Mnt are the export's abbreviations for a count and an amount).
    words = to_snake_case(header).split("_")
    if words[0] == "mnt" and len(words) > 1:
        words = ["spend", "on", *words[1:]]
    elif words[0] in ("num", "n", "nb", "no") and len(words) > 1:
        words = words[1:]
    text = " ".join(w for w in words if w)
    return text[:1].upper() + text[1:]


def customer_inputs(leads: pd.DataFrame, settings: ProjectSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (responses, codebook) built from the leads table's attributes, in the survey's shape: one row per
    customer keyed by its pseudonymous lead key (respondent_key = lead_key), numbers as numbers, text attributes of
    at most MAX_CATEGORY_LEVELS values as single choices, yes/no flags as two-option choices, and the outcome
    (`converted`, when the project has one) as a profiled yes/no column named like an outcome. Attributes with one
    value or a different value in nearly every row (names, ids) are left for the screening to report."""
    frame: dict[str, pd.Series] = {
        "respondent_key": leads["lead_key"].astype("str"),
        "lead_key": leads["lead_key"].astype("str"),
    }
    book = [
        {"column": "respondent_key", "question": "Pseudonymous customer key", "kind": "meta", "options": []},
        {"column": "lead_key", "question": "Pseudonymous key of the CRM lead", "kind": "meta", "options": []},
    ]
    for name in settings.attribute_names:
        if name not in leads or name in frame:
            continue
        values = leads[name]
        if pd.api.types.is_bool_dtype(values.dtype):
            text = values.astype("boolean").map({True: "Yes", False: "No"}, na_action="ignore")
            frame[name] = pd.Categorical(text, categories=["No", "Yes"])
            kind, options = "single", ["No", "Yes"]
        elif pd.api.types.is_numeric_dtype(values.dtype):
            frame[name] = pd.to_numeric(values, errors="coerce").astype("Float64").astype(float)
            kind, options = "numeric", []
        else:
            text = values.astype("object").where(values.notna())
            levels = sorted(text.dropna().astype(str).unique())
            if len(levels) > MAX_CATEGORY_LEVELS:
                continue
            frame[name] = pd.Categorical(text, categories=levels)
            kind, options = "single", levels
        book.append({"column": name, "question": _question(settings, name), "kind": kind, "options": options})
    if OUTCOME_COLUMN in leads and settings.has_outcome and named_like_outcome(OUTCOME_COLUMN):
        outcome = leads[OUTCOME_COLUMN].astype("boolean")
        frame[OUTCOME_COLUMN] = pd.Categorical(
            outcome.map({True: "Yes", False: "No"}, na_action="ignore"), categories=["No", "Yes"]
        )
        header = settings.crm.contacts.columns.get(OUTCOME_COLUMN) if settings.crm is not None else None
        book.append(
            {
                "column": OUTCOME_COLUMN,
                "question": str(header or "Converted"),
                "kind": "single",
                "options": ["No", "Yes"],
            }
        )
    responses = pd.DataFrame(frame, index=leads.index).reset_index(drop=True)
    responses["quality_ok"] = True
    book.append({"column": "quality_ok", "question": "No quality flag raised", "kind": "meta", "options": []})
    codebook = pd.DataFrame(book)
    codebook["group"] = codebook["column"]
    codebook["item"] = None
    codebook["detected"] = codebook["kind"]
    codebook["source_column"] = codebook["question"]
    codebook["n_invalid"] = 0
    return responses, codebook


def persona_population(settings: ProjectSettings) -> str:
    """Return who the personas group, in words: 'respondents' for a survey, 'customers' for the CRM's table."""
    return "customers" if settings.persona_source == "crm" else "respondents"


__all__ = ["OUTCOME_COLUMN", "customer_inputs", "persona_population"]
