"""The drafted file: YAML the project loader accepts, every guess a comment, no sample value of personal data."""

from __future__ import annotations

import pandas as pd
import yaml

from alignkit.config import load_settings
from alignkit.draft.writer import write_draft

N = 60


def _contacts() -> pd.DataFrame:
    return pd.DataFrame({
        "Record ID": [str(1000 + i) for i in range(N)],
        "Email": [f"jane.doe{i}@example-firm.com" for i in range(N)],
        "Phone Number": [f"+44 20 7946 {i:04d}" for i in range(N)],
        "Create Date": [f"2025-01-{1 + i % 28:02d}" for i in range(N)],
        "Lifecycle Stage": ["lead", "marketingqualifiedlead", "customer"] * (N // 3),
        "Industry": ["Retail", "Software", "Finance"] * (N // 3),
    })


def test_a_hubspot_export_is_drafted_loadable_and_without_raw_pii(tmp_path):
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    _contacts().to_csv(raw / "hubspot_contacts.csv", index=False)
    path, _ = write_draft([raw], tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "@example-firm.com" not in text and "7946" not in text and "jane" not in text
    data = yaml.safe_load(text)
    assert data["crm"]["format"] == "hubspot"
    assert data["crm"]["contacts"]["columns"] == {"lead_id": "Record ID", "email": "Email", "phone": "Phone Number",
                                                  "created_at": "Create Date", "stage": "Lifecycle Stage"}
    assert data["crm"]["contacts"]["attributes"] == {"industry": "Industry"}
    assert [s["value"] for s in data["funnel"]["stages"]][-1] == "customer"
    assert "# guessed: its name; 60 distinct values, unique per row" in text
    settings = load_settings(path)
    assert settings.crm.contacts.file == "hubspot_contacts.csv" and settings.funnel.converted_stage == "customer"
