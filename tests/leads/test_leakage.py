"""The leakage guard and the fields that may be drivers: the demo's planted leak is flagged and kept out, and each
check (listed, timestamp, near-perfect) and the outcome fields on small hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.leads.analysis import headline
from alignkit.leads.leakage import candidate_fields, leakage_guard, outcome_evidence
from tests.leads.conftest import small_leads


def test_planted_leak_is_flagged_and_kept_out(result, truth):
    leak = truth["conversion"]["leaking_field"]
    flagged = result.leakage.set_index("field")
    assert leak in flagged.index and bool(flagged.loc[leak, "excluded"])
    assert {"listed", "timestamp", "near-perfect"} <= set(flagged.loc[leak, "checks"].split(", "))
    assert leak not in set(result.drivers["attribute"])
    assert leak not in result.score.features
    assert result.left_out["field"].str.contains(leak).any()
    # The headline states what the leak would have given: the score's hold-out AUC with and without the suspects.
    s = result.score.suspect_auc
    assert leak in s["fields"] and not s["in_score"] and s["with"] > s["without"] + 0.1
    assert s["without"] == result.score.holdout_metrics["roc_auc"]
    assert any(f"{s['without']:.2f}; with them it would be {s['with']:.2f}" in line for line in headline(result))


def test_leakage_guard_reasons(demo_settings):
    frame = small_leads()
    settings = demo_settings.model_copy(
        update={"leads": demo_settings.leads.model_copy(update={"post_outcome_fields": [], "allow_fields": ["rating"]})}
    )
    fields = candidate_fields(frame, settings)
    assert "created_at" not in fields and "customer_at" not in fields and "rating_set_at" not in fields
    guard = leakage_guard(frame, fields, settings).set_index("field")
    assert "near-perfect" in guard.loc["verdict", "checks"] and bool(guard.loc["verdict", "excluded"])
    assert "timestamp" in guard.loc["rating", "checks"] and not bool(guard.loc["rating", "excluded"])
    assert "visits" not in guard.index and "colour" not in guard.index


def test_outcome_fields_are_never_drivers(demo_settings):
    leads = pd.DataFrame(
        {
            "lead_key": ["a", "b", "c", "d"],
            "converted": [True, False, True, False],
            "lifecycle_lost": [False, True, False, True],
            "deal_stage": ["won", "lost", "won", "lost"],
            "company_size": [10, 20, 30, 40],
        }
    )
    assert candidate_fields(leads, demo_settings) == ["company_size"]


def test_sales_side_names_and_outcome_driven_missingness_are_flagged(demo_settings):
    """A status sales sets after contact (separating well, not perfectly) and a field filled mostly for converted
    leads are suspects; an ordinary attribute is not."""
    import numpy as np

    rng = np.random.default_rng(3)
    n = 600
    y = rng.random(n) < 0.4
    frame = pd.DataFrame(
        {
            "lead_key": [f"k{i}" for i in range(n)],
            "converted": y,
            "lead_status": np.where(
                y,
                rng.choice(["Qualified", "Contacted"], n, p=[0.7, 0.3]),
                rng.choice(["Contacted", "Qualified"], n, p=[0.7, 0.3]),
            ),
            "deal_size_band": np.where(y & (rng.random(n) < 0.9), rng.choice(["S", "M", "L"], n), None),
            "visits": rng.poisson(4, n).astype(float),
        }
    )
    settings = demo_settings.model_copy(
        update={"leads": demo_settings.leads.model_copy(update={"post_outcome_fields": []})}
    )
    guard = leakage_guard(frame, candidate_fields(frame, settings), settings).set_index("field")
    assert (
        "sales-side name" in guard.loc["lead_status", "checks"] and guard.loc["lead_status", "single_field_auc"] < 0.9
    )
    assert "missingness" in guard.loc["deal_size_band", "checks"]
    assert "visits" not in guard.index


def test_a_strong_descriptor_is_a_finding_not_a_field_recorded_after_the_outcome():
    """On a bank's churn table, age alone separates churners far better than any other field, and a credit
    score is a customer's, not a score sales assigns: neither is suspected of being recorded after the outcome."""
    rng = np.random.default_rng(9)
    n = 2000
    age = rng.integers(18, 90, n)
    churned = pd.Series(rng.random(n) < np.clip((age - 18) / 90, 0.02, 0.9), dtype=bool)
    leads = pd.DataFrame(
        {
            "age": age.astype(float),
            "credit_score": rng.normal(650, 90, n),
            "tenure": rng.integers(0, 10, n).astype(float),
            "balance": rng.normal(8e4, 3e4, n),
            "lead_status": np.where(churned, "Closed", rng.choice(["Open", "Closed"], n)),
        }
    )
    _, evidence = outcome_evidence(leads, list(leads.columns), churned, leakage_auc=0.9)
    assert evidence["age"] == [] and evidence["credit_score"] == []
    assert [check for check, _ in evidence["lead_status"]] == ["sales-side name"]
