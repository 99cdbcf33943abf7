"""`alignkit score NEW_LEADS.csv` on a fresh demo export: scores, bands and reasons without PII, and a missing
column named with its file."""

from __future__ import annotations

import pandas as pd
import pytest

from alignkit.config import load_settings
from alignkit.errors import MissingColumnError
from alignkit.leads.new_leads import score_file


def test_cli_scores_a_fresh_export(saved, demo_project, demo_settings, truth, tmp_path, inputs):
    from alignkit.cli import main

    raw = pd.read_csv(demo_project.parent / "data/raw/hubspot_contacts.csv", dtype=str, keep_default_na=False)
    fresh = tmp_path / "new_leads.csv"
    raw.head(400).to_csv(fresh, index=False)
    out = tmp_path / "scores.csv"
    assert main(["score", str(fresh), "--project", str(demo_project), "--out", str(out)]) == 0
    scores = pd.read_csv(out)
    assert list(scores.columns[:3]) == ["lead_key", "score", "band"]
    assert len(scores) > 350 and scores["score"].between(0, 1).all() and set(scores["band"]) <= set("ABCD")
    text = scores.to_csv()
    assert "@" not in text and not scores["lead_key"].isin(raw["Record ID"]).any()
    assert scores["lead_key"].isin(inputs.leads["lead_key"]).mean() > 0.95  # a duplicate's copy may be kept here
    # Reasons are written with the export's headers: "Webinars Attended 1 (top 35% of leads)".
    settings = load_settings(demo_project)
    labels = {header: name for name, header in settings.crm.contacts.attributes.items()}
    texts = scores.filter(like="reason_").stack().dropna().astype(str)
    reasons = texts[texts != ""].str.extract(r"^(.+?)(?::| [\d,.-]+ \()")[0]
    fields = reasons.map(lambda label: labels.get(label, label))
    assert set(truth["conversion"]["drivers"]) & set(fields.value_counts().head(4).index), fields.value_counts()
    assert set(truth["conversion"]["drivers"]) <= set(fields)
    assert truth["conversion"]["leaking_field"] not in set(fields)
    assert reasons.isin([*labels, "Source", "Campaign", "Owner"]).all(), set(reasons)


def test_cli_names_a_missing_column(saved, demo_project, demo_settings, tmp_path, capsys):
    from alignkit.cli import main

    raw = pd.read_csv(demo_project.parent / "data/raw/hubspot_contacts.csv", dtype=str, keep_default_na=False)
    bad = tmp_path / "bad.csv"
    raw.head(30).drop(columns=["Webinars Attended"]).to_csv(bad, index=False)
    with pytest.raises(MissingColumnError, match="Webinars Attended"):
        score_file(bad, demo_settings)
    assert main(["score", str(bad), "--project", str(demo_project), "--out", str(tmp_path / "x.csv")]) == 2
    assert "bad.csv" in capsys.readouterr().err
