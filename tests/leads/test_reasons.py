"""Per-lead reasons in words (`alignkit.leads.reasons`): written from the value and where it stands, with the
export's labels, and never from a missing value, a form placeholder or a value held by fewer leads than the support."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.leads import reasons as lr
from alignkit.leads import score as ls


def test_reasons_name_the_drivers(fitted, synthetic):
    scored = lr.score_leads(fitted, synthetic.head(200))
    assert list(scored.columns) == [
        "lead_key",
        "score",
        "band",
        *[f"reason_for_{i}" for i in (1, 2, 3)],
        *[f"reason_against_{i}" for i in (1, 2, 3)],
    ]
    first = scored["reason_for_1"].str.extract(r"^(\w+)")[0]
    assert first[first.notna()].isin(["Visits", "Size", "Region"]).mean() > 0.75  # noise: a weak model effect only
    assert (
        scored["reason_for_1"]
        .str.fullmatch(
            r"(Visits|Size|Noise) [\d,.-]+ \((top|bottom|as) \d+% of leads\)|"
            r"Region: \w+ \(\d+% of such leads converted\)|"
        )
        .all()
    )
    contrib = lr.contributions(fitted, ls.model_frame(synthetic.head(5), fitted.numeric, fitted.categorical))
    assert list(contrib.columns) == fitted.features


def test_a_value_stands_where_the_training_leads_put_it(fitted, synthetic):
    visits = synthetic["visits"].dropna()
    high = float(visits.quantile(0.95))
    text = lr.reason_text(fitted, "visits", high)
    assert text.startswith(f"Visits {high:,.0f} (top ") and text.endswith("% of leads)")
    assert int(text.split("top ")[1].split("%")[0]) <= 10
    assert lr.reason_text(fitted, "visits", float(visits.min())).endswith("of leads)")


def test_no_reason_from_a_placeholder_a_missing_value_or_a_tiny_group():
    """A 'Select' placeholder (the form's default), a blank, a 6-lead sector at 100% and an impossible visit count
    all move the score; none of them may be written as a reason."""
    rng = np.random.default_rng(11)
    n = 4000
    visits = rng.poisson(4, n).astype(float)
    sector = rng.choice(["Software", "Retail", "Select"], n, p=[0.45, 0.35, 0.2]).astype(object)
    sector[:6] = "Quantum"  # a tiny group, all converted below
    visits[6:9] = 400.0  # three impossible values far above every other lead
    logit = -2 + 0.4 * visits.clip(max=12) + 1.0 * (sector == "Software") - 1.2 * (sector == "Select")
    converted = rng.random(n) < 1 / (1 + np.exp(-logit))
    converted[:9] = True
    sector[9:200] = None
    frame = pd.DataFrame(
        {"lead_key": [f"k{i}" for i in range(n)], "visits": visits, "sector": sector, "converted": converted}
    )
    fitted = ls.fit_score(
        frame,
        numeric=["visits"],
        categorical=["sector"],
        seed=1,
        folds=3,
        importance_repeats=2,
        labels={"sector": "Industry sector"},
        min_support=30,
    )
    scored = lr.score_leads(fitted, frame.head(300))
    texts = pd.Series(scored.filter(like="reason_").to_numpy().ravel())
    texts = texts[texts != ""]
    assert texts.str.contains("Industry sector: Retail").any()  # the label, not the key
    assert not texts.str.contains("Select|Quantum|missing|400|^sector", regex=True).any(), texts.unique()
    # Leads 0–8 carry only the suppressed values and converted: a reason for them is never the tiny group.
    assert not scored.loc[:5, "reason_for_1"].str.contains("Quantum").any()
    assert lr.reason_text(fitted, "sector", "Quantum") is None
    assert lr.reason_text(fitted, "sector", "-- Select --") is None
    assert lr.reason_text(fitted, "visits", 400.0) is None and lr.reason_text(fitted, "visits", float("nan")) is None


def test_a_missing_value_is_never_a_reason(result, inputs):
    """Blank the attributes of some leads: their reasons come from the values they have, never from 'missing'."""
    from alignkit.leads import score_leads

    leads = inputs.leads.head(300).copy()
    for column in result.score.features[:3]:
        leads.loc[leads.index[:150], column] = None
    scored = score_leads(result.score, leads)
    reasons = scored.filter(like="reason_").to_numpy().ravel()
    assert not any("= missing" in r or "(missing)" in r for r in reasons)
    assert any(r for r in scored.loc[:149].filter(like="reason_for").to_numpy().ravel())
