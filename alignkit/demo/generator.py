"""Synthetic demo exports with a planted truth: a Qualtrics survey and a HubSpot CRM (contacts, deals, activities).

Everything is drawn from one seeded generator, so the same seed writes byte-identical files. The planted truth
(personas, conversion drivers, a leaking field, a friction point, SLA breaches, linkable respondents, and every
kind of dirt with its count) goes to ``demo_truth.json`` for tests only; no notebook reads it.

alignkit.demo.design holds the planted design, alignkit.demo.crm and alignkit.demo.survey build the exports;
this module draws them in order from the one generator and writes them with their truth.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from alignkit.demo.crm import activities_export, build_leads, contacts_export, deals_export
from alignkit.demo.design import (
    CASE_STUDY,
    CONTENT,
    DEMO_SEED,
    EXPORT_DATE,
    FRICTION_FROM,
    FRICTION_SOURCE,
    FRICTION_TO,
    N_LEADS,
    N_RESPONSES,
    PERSONAS,
    SLA_HOURS,
    SLOW_OWNERS,
)
from alignkit.demo.survey import survey_export, survey_respondents
from alignkit.io import write_atomic_bytes


def _csv_bytes(frame: pd.DataFrame, header_rows: list[list[str]] | None = None, *, bom: bool = True) -> bytes:
    body = frame.to_csv(index=False, lineterminator="\r\n")
    if header_rows:
        extra = pd.DataFrame(header_rows, columns=frame.columns).to_csv(
            index=False, header=False, lineterminator="\r\n"
        )
        head, rest = body.split("\r\n", 1)
        body = head + "\r\n" + extra + rest
    return (("\ufeff" if bom else "") + body).encode("utf-8")


def _sla_truth(leads: pd.DataFrame) -> dict:
    mqls = leads[leads["mql_at"].notna()]
    hours = (mqls["first_touch_at"] - mqls["mql_at"]).dt.total_seconds() / 3600
    breach = hours.isna() | (hours > SLA_HOURS)
    per_owner = breach.groupby(mqls["owner"]).mean().round(6).to_dict()
    return {
        "target_hours": SLA_HOURS,
        "slow_owners": list(SLOW_OWNERS),
        "breach_share_by_owner": per_owner,
        "never_followed_share_by_owner": hours.isna().groupby(mqls["owner"]).mean().round(6).to_dict(),
        "n_mqls_by_owner": mqls["owner"].value_counts().sort_index().to_dict(),
    }


def write_demo_exports(raw_dir: Path | str, *, seed: int = DEMO_SEED) -> dict[str, Path]:
    """Write the demo survey and CRM exports and demo_truth.json into `raw_dir`; return the paths written."""
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    leads, probs = build_leads(rng)
    contacts, dirt = contacts_export(leads, rng)
    deals = deals_export(leads, rng)
    activities = activities_export(leads, rng)
    respondents, margins = survey_respondents(rng)
    survey, header_rows, survey_truth = survey_export(respondents, leads, rng)
    mql_to_sql = {}
    reached = leads[leads["mql_at"].notna() & (leads["mql_at"] < EXPORT_DATE - pd.Timedelta(days=60))]
    for source, group in reached.groupby("source"):
        mql_to_sql[source] = round(float(group["sql_at"].notna().mean()), 4)
    truth = {
        "seed": seed,
        "export_date": str(EXPORT_DATE),
        "n_leads": N_LEADS,
        "stages": ["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"],
        "conversion": {
            "drivers": ["company_size", "webinars_attended", "sessions"],
            "driver_effects": {
                "company_size": "50-499 employees convert more at MQL->SQL and SQL->Opportunity",
                "webinars_attended": "attending any webinar raises MQL, opportunity and win rates",
                "sessions": "more sessions raise MQL and SQL rates",
            },
            "leaking_field": "sales_priority",
            "leaking_export_column": "Sales Priority",
            "customer_share": round(float(leads["won"].mean()), 6),
            "true_probability_by_record_id": {
                str(r): round(float(p), 6) for r, p in zip(leads["record_id"], probs["lead_to_customer"])
            },
        },
        "friction_point": {
            "source": FRICTION_SOURCE,
            "from_stage": FRICTION_FROM,
            "to_stage": FRICTION_TO,
            "mql_to_sql_rate_by_source": mql_to_sql,
        },
        "content_before_wins": CASE_STUDY,
        "content_sales_never_uses": [c for c in CONTENT if c.startswith("Template")],
        "funnel_irregularities": {
            "skipped_sql": int(leads["skipped_sql"].sum()),
            "moved_back_to_lead": int(leads["moved_back"].sum()),
        },
        "sla": _sla_truth(leads),
        "dirt": {
            **dirt,
            "speeders": survey_truth.pop("speeders"),
            "straightliners": survey_truth.pop("straightliners"),
            "blank_rows": {**dirt["blank_rows"], "survey": survey_truth.pop("blank_rows")},
            "bom": ["hubspot_contacts.csv", "survey_qualtrics.csv"],
            "pii_in_open_text": survey_truth.pop("pii_in_open_text"),
        },
        "survey": survey_truth,
        "population_margins": margins,
    }
    files = {
        "survey": (raw_dir / "survey_qualtrics.csv", _csv_bytes(survey, header_rows)),
        "contacts": (raw_dir / "hubspot_contacts.csv", _csv_bytes(contacts)),
        "deals": (raw_dir / "hubspot_deals.csv", _csv_bytes(deals, bom=False)),
        "touches": (raw_dir / "hubspot_activities.csv", _csv_bytes(activities, bom=False)),
        "truth": (raw_dir / "demo_truth.json", (json.dumps(truth, indent=1, sort_keys=True) + "\n").encode("utf-8")),
    }
    for path, payload in files.values():
        write_atomic_bytes(path, payload)
    return {name: path for name, (path, _) in files.items()}


def write_survey_wave(
    path: Path | str,
    *,
    seed: int = DEMO_SEED + 1,
    n_responses: int = N_RESPONSES,
    persona_shares: dict[int, float] | None = None,
) -> tuple[Path, dict]:
    """Write a new survey wave (a Qualtrics export like the demo's, no CRM) to `path`; return it and its truth.

    `persona_shares` overrides population shares by persona index (0-based, PERSONAS order), e.g. {2: 0.44}
    doubles the third persona; the other shares are rescaled so that all sum to one. Respondents are not linked
    to CRM leads. The demo exports themselves (write_demo_exports) are unaffected.
    """
    shares = np.array([p.population_share for p in PERSONAS])
    if persona_shares:
        fixed = np.zeros(len(shares), dtype=bool)
        for index, share in persona_shares.items():
            shares[index], fixed[index] = share, True
        shares[~fixed] *= (1 - shares[fixed].sum()) / shares[~fixed].sum()
    rng = np.random.default_rng(seed)
    respondents, _ = survey_respondents(rng, shares=shares, n_responses=n_responses)
    # one placeholder lead in no company-size band, so that nobody is linked
    no_leads = pd.DataFrame({"record_id": [0], "employees": [0], "email": [""], "first": [""], "last": [""]})
    survey, header_rows, truth = survey_export(respondents, no_leads, rng)
    truth = {
        "n_responses": truth["n_responses"],
        "personas": truth["personas"],
        "population_shares": shares.round(6).tolist(),
        "persona_by_response_id": truth["persona_by_response_id"],
    }
    return write_atomic_bytes(Path(path), _csv_bytes(survey, header_rows)), truth
