"""The demo generator: byte-identical for a seed, and a planted truth that matches the files."""

from __future__ import annotations

import json

import pandas as pd

from alignkit.demo.generator import write_demo_exports


def test_same_seed_gives_byte_identical_files(tmp_path, demo_project):
    again = write_demo_exports(tmp_path / "again")
    first = demo_project.parent / "data" / "raw"
    for path in again.values():
        assert (first / path.name).read_bytes() == path.read_bytes(), path.name


def test_another_seed_gives_other_data(tmp_path, demo_project):
    other = write_demo_exports(tmp_path / "other", seed=7)
    first = demo_project.parent / "data" / "raw"
    assert (first / "hubspot_contacts.csv").read_bytes() != other["contacts"].read_bytes()


def test_truth_describes_what_was_planted(truth):
    assert 4 <= truth["survey"]["n_personas"] <= 5
    assert len(truth["survey"]["persona_by_response_id"]) == truth["survey"]["n_responses"] == 3000
    assert 0.35 <= truth["survey"]["linked"]["share"] <= 0.45
    rates = truth["friction_point"]["mql_to_sql_rate_by_source"]
    friction = truth["friction_point"]["source"]
    assert rates[friction] < 0.5 * min(v for k, v in rates.items() if k != friction)
    breach = truth["sla"]["breach_share_by_owner"]
    slow = truth["sla"]["slow_owners"]
    assert min(breach[o] for o in slow) > 3 * max(v for o, v in breach.items() if o not in slow)
    for kind in ("duplicates", "test_records", "speeders", "straightliners"):
        assert truth["dirt"][kind]["count"] > 0
    assert truth["conversion"]["leaking_field"] == "sales_priority"
    assert set(truth["population_margins"]) == {"company_size", "region"}
    assert abs(sum(truth["population_margins"]["company_size"].values()) - 1) < 1e-4


def test_exports_look_like_their_tools(demo_project):
    raw = demo_project.parent / "data" / "raw"
    survey = (raw / "survey_qualtrics.csv").read_bytes()
    assert survey.startswith(b"\xef\xbb\xbf")  # Qualtrics writes a UTF-8 BOM
    rows = pd.read_csv(raw / "survey_qualtrics.csv", header=None, nrows=3, dtype=str, encoding="utf-8-sig")
    assert rows.iloc[0, 7] == "ResponseId" and json.loads(rows.iloc[2, 7]) == {"ImportId": "responseId"}
    contacts = pd.read_csv(raw / "hubspot_contacts.csv", nrows=5, dtype=str, encoding="utf-8-sig")
    assert {"Record ID", "Lifecycle Stage", "Became a Marketing Qualified Lead Date", "Original Source"} <= set(
        contacts.columns
    )
