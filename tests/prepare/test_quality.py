"""Notebook 01's tables on values: placeholders read as missing, columns left out, junk categories — shown in the
notebook and written into the cleaning report beside it as CSV."""

from __future__ import annotations

import pandas as pd

from alignkit.config import load_settings
from alignkit.prepare import quality
from alignkit.prepare.tables import prepare
from tests.fixtures import shapes


def test_values_tables_reach_notebook_and_report(tmp_path):
    facts = shapes.write_lead_list(tmp_path / "project", n=600)
    raw = facts["project"].parent / "data" / "raw" / "leads.csv"
    export = facts["export"].copy()
    export.loc[:1, "What is your current occupation"] = "Unemployd"  # a typo of the most common value
    export.loc[2, "What is your current occupation"] = "asdfgh"  # keyboard mash
    export.to_csv(raw, index=False)
    settings = load_settings(facts["project"])
    data = prepare(settings)
    tokens = quality.tokens_replaced(data.cleaning_log)
    selects = {
        c: int((export[s] == "Select").sum()) for c, s in (("specialization", "Specialization"), ("city", "City"))
    }
    assert dict(zip(tokens["column"], tokens["rows"])) == selects and set(tokens["value"]) == {"Select"}
    junk = quality.junk_categories(data, settings).set_index("value")
    assert junk.loc["Unemployd", "close_match"] == "Unemployed" and junk.loc["Unemployd", "rows"] == 2
    assert (
        junk.loc["asdfgh", "why"] == "looks like a joke or keyboard mash"
        and junk.loc["asdfgh", "column"] == "occupation"
    )
    report = quality.write_cleaning_report(data, settings)
    folder = report.parent / report.stem
    assert pd.read_csv(folder / "left_out_columns.csv")["column"].tolist() == ["magazine"]
    assert pd.read_csv(folder / "tokens_replaced.csv")["rows"].sum() == sum(selects.values())
    written = pd.read_csv(folder / "junk_categories.csv")
    assert "rows" not in written and "Unemployd" in set(written["value"])


def test_aliases_fix_a_listed_typo(tmp_path):
    facts = shapes.write_lead_list(tmp_path / "project", n=600)
    raw = facts["project"].parent / "data" / "raw" / "leads.csv"
    export = facts["export"].copy()
    export.loc[:1, "What is your current occupation"] = "Unemployd"
    export.to_csv(raw, index=False)
    project = facts["project"]
    project.write_text(project.read_text() + "clean:\n  category_aliases: {occupation: {Unemployd: Unemployed}}\n")
    settings = load_settings(project)
    data = prepare(settings)
    assert "Unemployd" not in set(quality.junk_categories(data, settings)["value"])
    assert (data.leads["occupation"] == "Unemployed").sum() == (
        export["What is your current occupation"].isin(["Unemployed", "Unemployd"])
    ).sum()


def test_flag_rules_say_the_thresholds_this_project_set():
    from alignkit.prepare.clean import CleaningLog, flag_speeders, flag_straightliners

    log = CleaningLog()
    responses = pd.DataFrame({"duration_s": [300, 310, 290, 320, 100]})  # median 300 s
    flagged = flag_speeders(responses, log=log, share_of_median=0.5)
    flag_straightliners(flagged, pd.DataFrame(columns=["column", "kind", "group"]), log=log, min_items=7)
    rules = quality.flag_rules(log.to_frame())
    assert rules == [
        "Speeders: 1 response(s), answered in under 50% of the median time (150 s); flagged, kept",
        "Straight-liners: 0 response(s), same answer to every item of a grid of 7+ statements (0 grid(s)); "
        "flagged, kept",
    ]
    assert quality.flag_rules(CleaningLog().to_frame()) == []  # no survey read: no rule shown
