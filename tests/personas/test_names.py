"""Persona names a marketer would keep, checked on the demo and on the survey-only fixture: each part is a
question's short label with an answer, from an answer that forms the personas; never a bare option ('No',
'Yes (4)', 'average (3)'), an empty slot, or a number suffix; unique; the project file's names win."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from alignkit.config import load_settings
from alignkit.personas.names import auto_names, item_label, short_label, trait_phrase
from tests.fixtures import shapes

BARE = re.compile(r"^(yes|no|average|other|none|\d+)(\s*\(\d+\))?$", re.I)


def assert_good_names(result) -> None:
    names = list(result.names.values())
    assert len(set(names)) == len(names)
    features = set(result.model.features_)
    codebook = result.codebook.set_index("column")
    left_out = [c for c in codebook.index if c not in features and codebook.at[c, "kind"] != "meta"]
    for name in names:
        assert not re.search(r"\(\d+\)$", name) and ", ," not in name and not name.endswith((":", "·", ","))
        for part in name.split(" · "):
            label, _, answer = part.partition(": ")
            assert label.strip() and answer.strip(), f"{name!r}: {part!r} is not 'label: answer'"
            assert not BARE.match(part.strip()), f"{name!r} holds a bare option {part!r}"
        for column in left_out:     # no value of a field that does not form the personas
            item = str(codebook.at[column, "item"])
            question = str(codebook.at[column, "question"])
            text = item if item not in ("", "nan", "None") else question.split(" - ", 1)[-1]
            label = item_label(text) if (text != question or " - " in question) else short_label(question)
            assert f"{label}:" not in name, f"{name!r} names the left-out {column}"


def test_demo_names(result):
    assert_good_names(result)
    assert len(result.names) == 5


@pytest.fixture(scope="module")
def survey_only(tmp_path_factory):
    from alignkit.personas.analysis import analyse
    from alignkit.prepare.tables import prepare, write_processed

    folder = tmp_path_factory.mktemp("survey_only")
    info = shapes.write_survey_only(folder)
    settings = load_settings(info["project"])
    write_processed(prepare(settings), settings.processed_dir)
    return analyse(settings)


def test_survey_only_names(survey_only):
    assert_good_names(survey_only)
    assert not any("Order tracking" in n or "Saved baskets" in n for n in survey_only.names.values())


def test_parts_say_the_question_and_the_answer():
    codebook = pd.DataFrame({"column": ["sat"], "options": [["1 - Very poor", "2", "3", "4", "5", "6", "7 - Excellent"]]})
    single = pd.Series({"kind": "single", "item": "", "question": "Which team do you work in?", "answer": "IT",
                        "column": "team", "std_diff": 1.0, "value_in": 0.6})
    assert trait_phrase(single) == "Team work: IT"
    numbered = pd.Series({"kind": "likert", "item": "", "question": "Overall, how satisfied are you?", "answer": "",
                          "column": "sat", "std_diff": 1.0, "value_in": 6.2})
    assert trait_phrase(numbered, codebook) == "Satisfied: 6 on 1–7"
    assert short_label("What is your main goal for the next 12 months?") == "Main goal"
    assert item_label("We prefer to try a product ourselves before talking to sales") == "We prefer to try a product ourselves…"


def test_clashing_names_take_the_next_trait_and_overrides_win():
    traits = pd.DataFrame({"persona_id": [1, 1, 2, 2], "kind": ["single"] * 4, "column": ["q1", "q2", "q1", "q3"],
                           "question": ["Which team?", "Which region?", "Which team?", "Which goal?"], "item": "",
                           "answer": ["IT", "Europe", "IT", "Cut costs"], "std_diff": [1.0, 0.5, 1.0, 0.4],
                           "sets_apart": True, "value_in": 0.5})
    names = auto_names(traits, [1, 2], parts=1)
    assert names == {1: "Team: IT · Region: Europe", 2: "Team: IT · Goal: Cut costs"}
    assert auto_names(traits, [1, 2], overrides={2: "Cost cutters"})[2] == "Cost cutters"
    assert auto_names(traits, [1, 2], features=["q2"], parts=1)[2] == "Persona 2: no answer sets it apart"
