"""The SLA between marketing and sales: statuses worked out by hand, and the demo's planted breaches per owner."""

from __future__ import annotations

import pandas as pd
import pytest

from alignkit.funnel import sla
from alignkit.funnel.analysis import FunnelInputs, analyse

AS_OF = pd.Timestamp("2026-03-31 12:00")


def _leads() -> pd.DataFrame:
    mql = pd.to_datetime(
        ["2026-03-01 09:00", "2026-03-01 09:00", "2026-03-02 09:00", "2026-03-31 06:00", "2026-02-10 09:00", None]
    )
    touch = pd.to_datetime(["2026-03-01 10:00", "2026-03-03 09:00", None, None, "2026-02-11 08:00", "2026-03-01 10:00"])
    return pd.DataFrame({"owner": ["Ann", "Ann", "Bob", "Bob", "Bob", "Ann"], "mql_at": mql, "first_touch_at": touch})


def test_statuses_by_hand():
    followups = sla.mql_followups(_leads(), mql_at="mql_at", target_hours=24, as_of=AS_OF)
    # 1 h: within; 48 h: late; no touch after 29 days: never; 6 h old at the export: pending; 23 h: within.
    # The last lead never became an MQL: not in the SLA.
    assert followups["status"].tolist() == ["within target", "late", "never followed up", "pending", "within target"]
    assert followups["hours_to_first_touch"].iloc[1] == pytest.approx(48)


def test_shares_leave_pending_mqls_out():
    followups = sla.mql_followups(_leads(), mql_at="mql_at", target_hours=24, as_of=AS_OF)
    by_owner = sla.sla_by(followups, followups["owner"], name="owner").set_index("owner")
    assert by_owner.loc["Ann", ["mqls_due", "within_target", "late", "breach_share"]].tolist() == [2, 1, 1, 0.5]
    # Bob: 3 MQLs, one pending → 2 due: one never followed up, one within target.
    assert by_owner.loc["Bob", ["mqls_due", "pending", "never_followed_up"]].tolist() == [2, 1, 1]
    assert by_owner.loc["Bob", "never_share"] == pytest.approx(0.5)
    assert by_owner.loc["Bob", "breach_ci_low"] < 0.5 < by_owner.loc["Bob", "breach_ci_high"]


def test_distribution_and_volume():
    followups = sla.mql_followups(_leads(), mql_at="mql_at", target_hours=24, as_of=AS_OF)
    dist = sla.hours_distribution(followups, target_hours=24)
    assert dist["mqls"].sum() == 4 and dist["share"].sum() == pytest.approx(1)
    assert dist.iloc[-1].tolist()[:2] == ["never followed up", 1]
    volume = sla.mql_volume(followups, target_per_month=2).set_index("month")
    assert volume["mqls"].to_dict() == {"2026-02": 1, "2026-03": 4}
    assert volume.loc["2026-03", "delivered_share"] == pytest.approx(2.0)


def test_demo_breach_share_per_owner_matches_the_planted_one(prepared, demo_settings, truth):
    result = analyse(
        demo_settings, data=FunnelInputs(leads=prepared.leads, touches=prepared.touches, inputs=prepared.inputs)
    )
    found = result.sla.by_owner.set_index("owner")["breach_share"]
    planted = truth["sla"]["breach_share_by_owner"]
    assert set(found.index) == set(planted)
    for owner, share in planted.items():
        assert found[owner] == pytest.approx(share, abs=0.01), owner
    worst = result.sla.by_owner.nlargest(2, "breach_share")["owner"]
    assert set(worst) == set(truth["sla"]["slow_owners"])


def test_an_mql_inside_its_window_is_pending_even_when_already_followed_up():
    """Shares are taken over MQLs whose target window has closed. Counting a young MQL only when it was already
    touched (and leaving the untouched young ones out) would select on the outcome and flatter the SLA."""
    leads = pd.DataFrame(
        {
            "owner": ["Ann", "Ann", "Ann"],
            "mql_at": pd.to_datetime(["2026-03-01 09:00", "2026-03-31 06:00", "2026-03-31 07:00"]),
            "first_touch_at": pd.to_datetime(["2026-03-03 09:00", "2026-03-31 07:00", None]),
        }
    )
    followups = sla.mql_followups(leads, mql_at="mql_at", target_hours=24, as_of=AS_OF)
    assert followups["status"].tolist() == ["late", "pending", "pending"]
    overall = sla.sla_by(followups, None, name="mqls").iloc[0]
    assert (overall["mqls_due"], overall["pending"]) == (1, 2)
    assert overall["breach_share"] == pytest.approx(1.0)
