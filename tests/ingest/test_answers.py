"""Typing one answer column: refusals and placeholders missing, scales ordered by meaning, a question-stated 0-10
scale ordered, a declared scale winning (answers outside it counted), aliases merged, units parsed."""

from __future__ import annotations

import pandas as pd

from alignkit.ingest.answers import SourceColumn, apply_aliases, classify_answers, question_scale, type_questions


def _str(values):
    return pd.Series(values, dtype="str")


def test_refusals_are_missing_not_a_level():
    kind, typed, options, _, detected = classify_answers(
        _str(["Often", "Never", "Prefer not to say", "Sometimes", "Don't know", "Always", "Rarely", "-- select --"])
    )
    assert kind == "likert" and options == ["Never", "Rarely", "Sometimes", "Often", "Always"]
    assert typed.isna().sum() == 3 and "3 refusals or placeholders read as missing" in detected
    assert "frequency" in detected


def test_question_stated_zero_to_ten_is_ordered_with_every_point():
    kind, typed, options, _, detected = classify_answers(
        _str(["9", "10", "7", "3"]), question="How likely are you to recommend us? (0-10)"
    )
    assert kind == "likert" and options == [str(n) for n in range(11)] and typed.cat.ordered
    assert "0–10" in detected
    assert question_scale("How many people work there? (1-5000)", pd.Series([3.0])) is None
    assert classify_answers(_str(["9", "10", "7", "3"]), question="How many staff?")[0] == "numeric"


def test_declared_scale_wins_and_counts_answers_outside_it():
    kind, typed, options, n_invalid, detected = classify_answers(
        _str(["Bronze", "Gold", "Silver", "Platinum", "Gold"]), scale=("Bronze", "Silver", "Gold"), declared=True
    )
    assert kind == "likert" and options == ["Bronze", "Silver", "Gold"] and n_invalid == 1
    assert typed.isna().sum() == 1 and "declared in survey.scales" in detected


def test_aliases_merge_spellings_before_typing():
    merged = apply_aliases(
        _str(["in store", "In-store", "Online", "instore"]), {"In-store": "In store", "instore": "In store"}
    )
    assert merged.tolist() == ["in store", "In store", "Online", "In store"]
    data = pd.DataFrame({"c": _str(["Shop", "shop ", "Web", "Web", "Phone"])})
    [(_, kind, _, options, _, _)] = type_questions(
        data, [SourceColumn("c", "c", "Channel", name="c", group="c")], aliases={"c": {"shop": "In store"}}
    )
    assert kind == "single" and set(options) == {"In store", "Web", "Phone"}


def test_numbers_with_units_become_numbers_or_text_with_the_reason():
    kind, typed, _, _, detected = classify_answers(_str(["$50,000", "$62,500", "70k", "$1,000,000"]))
    assert kind == "numeric" and typed.tolist()[2] == 70_000.0 and "money" in detected
    kind, _, _, _, detected = classify_answers(_str(["6'1", "180 cm", "75 kg", "5'9"]))
    assert kind == "text" and "mixed units" in detected


def test_not_selected_boxes_are_unticked_options_of_a_multi_select(tmp_path):
    """FiveThirtyEight's raw SurveyMonkey responses write 'Not selected' in every box nobody ticked (q0004_0001 …):
    each column is one option of a multi-select, ticked where it holds the option's label, not a single choice
    between the label and 'Not selected'."""
    from alignkit.ingest.survey import read_survey

    rows = ["respondent,q0004_0001,q0004_0002,q0004_0003,q0005"]
    for i in range(40):
        father = "Father or father figure(s)" if i % 2 else "Not selected"
        friends = "Friends" if i % 3 == 0 else "Not selected"
        rows.append(f"{i},{father},{friends},Not selected,{'Yes' if i % 4 else 'No'}")
    path = tmp_path / "raw-responses.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    export = read_survey(path, format="plain")
    book = export.codebook.set_index("column")
    assert list(book.loc[["q0004_0001", "q0004_0002", "q0004_0003"], "kind"]) == ["multi"] * 3
    assert book.at["q0004_0001", "options"] == ["Father or father figure(s)"]
    assert int(export.responses["q0004_0001"].sum()) == 20 and int(export.responses["q0004_0002"].sum()) == 14
    assert int(export.responses["q0004_0003"].sum()) == 0  # nobody ticked it: all unticked
    assert book.at["q0005", "kind"] == "single"
