"""The drafted file: YAML the project loader accepts, every guess a comment, no sample value of personal data."""

from __future__ import annotations

import pandas as pd
import yaml

from alignkit.config import load_settings
from alignkit.draft.writer import write_draft

N = 60


def _contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Record ID": [str(1000 + i) for i in range(N)],
            "Email": [f"jane.doe{i}@example-firm.com" for i in range(N)],
            "Phone Number": [f"+44 20 7946 {i:04d}" for i in range(N)],
            "Create Date": [f"2025-01-{1 + i % 28:02d}" for i in range(N)],
            "Lifecycle Stage": ["lead", "marketingqualifiedlead", "customer"] * (N // 3),
            "Industry": ["Retail", "Software", "Finance"] * (N // 3),
        }
    )


def test_a_hubspot_export_is_drafted_loadable_and_without_raw_pii(tmp_path):
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    _contacts().to_csv(raw / "hubspot_contacts.csv", index=False)
    path, _ = write_draft([raw], tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "@example-firm.com" not in text and "7946" not in text and "jane" not in text
    data = yaml.safe_load(text)
    assert data["crm"]["format"] == "hubspot"
    assert data["crm"]["contacts"]["columns"] == {
        "lead_id": "Record ID",
        "email": "Email",
        "phone": "Phone Number",
        "created_at": "Create Date",
        "stage": "Lifecycle Stage",
    }
    assert data["crm"]["contacts"]["attributes"] == {"industry": "Industry"}
    assert [s["value"] for s in data["funnel"]["stages"]][-1] == "customer"
    assert "# guessed: its name; 60 distinct values, unique per row" in text
    settings = load_settings(path)
    assert settings.crm.contacts.file == "hubspot_contacts.csv" and settings.funnel.converted_stage == "customer"


def test_a_survey_draft_splits_what_forms_personas_from_what_describes_them(tmp_path):
    from tests.fixtures.persona_shapes import attitude_export

    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    attitude_export(200)[0].to_csv(raw / "brand_survey.csv", index=False)
    path, _ = write_draft([raw], tmp_path)
    text = path.read_text(encoding="utf-8")
    personas = yaml.safe_load(text)["personas"]
    assert {"gender", "age", "household_income", "location_census_region"} == set(personas["profile_only"])
    assert personas["features"] and not set(personas["features"]) & set(personas["profile_only"])
    assert "# gender (Gender): a descriptor (gender)" in text
    settings = load_settings(path)
    assert settings.personas.profile_only == personas["profile_only"] and settings.persona_source == "survey"


def test_a_customer_table_is_drafted_with_customer_personas(tmp_path):
    from tests.fixtures.customers import customer_table

    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    customer_table(300).to_csv(raw / "marketing_campaign.csv", index=False)
    path, _ = write_draft([raw], tmp_path)
    text = path.read_text(encoding="utf-8")
    assert yaml.safe_load(text)["personas"] == {"source": "crm"}
    assert "guessed: a customer table (mnt_wines" in text
    assert load_settings(path).persona_source == "crm"
