"""The project decided from several exports: lookups joined on the owner are kept out of drivers with it, a
missing creation date is stood in for by the most filled date, and breakdowns come from few-valued categories."""

from __future__ import annotations

from pathlib import Path

from alignkit.draft.assemble import draft_project
from tests.fixtures import shapes


def test_a_pipeline_with_lookups_is_drafted_with_its_joins_and_exclusions(tmp_path):
    tables = shapes.pipeline_exports(600)
    for name, frame in tables.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    draft = draft_project([tmp_path])
    assert {e.path.stem: e.kind for e in draft.exports} == {
        "accounts": "lookup",
        "products": "lookup",
        "sales_pipeline": "contacts",
        "sales_teams": "lookup",
    }
    joins = {Path(lk.export.path).stem: (lk.join.key, lk.on) for lk in draft.lookups}
    assert joins == {
        "accounts": ("account", "account"),
        "products": ("product", "product"),
        "sales_teams": ("sales_agent", "owner"),
    }
    assert draft.contacts.column("created_at") == "engage_date"
    assert draft.exclude_fields == ["owner", "manager", "regional_office"]
    assert draft.breakdowns[0] == "owner" and "product" in draft.breakdowns
    accounts = next(lk for lk in draft.lookups if lk.join.key == "account")
    assert accounts.join.unmatched == 1  # 'Acme Unlisted Corp' is not in the accounts table
