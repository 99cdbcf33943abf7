"""Persona names a marketer would keep, checked on the demo and on the survey-only fixture: each part is a
question's short label with an answer, from an answer that forms the personas; never a bare option ('No',
'Yes (4)', 'average (3)'), an empty slot, or a number suffix; unique; the project file's names win."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from alignkit.config import load_settings
from alignkit.personas.names import auto_names, item_label, named_answers, short_label, trait_phrase
from alignkit.personas.profiles import persona_traits
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
        for column in left_out:  # no value of a field that does not form the personas
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
    codebook = pd.DataFrame(
        {"column": ["sat"], "options": [["1 - Very poor", "2", "3", "4", "5", "6", "7 - Excellent"]]}
    )
    single = pd.Series(
        {
            "kind": "single",
            "item": "",
            "question": "Which team do you work in?",
            "answer": "IT",
            "column": "team",
            "std_diff": 1.0,
            "value_in": 0.6,
        }
    )
    assert trait_phrase(single) == "Team work: IT"
    assert trait_phrase(single, labels={"team": "Team"}) == "Team: IT"  # the project file's labels win
    numbered = pd.Series(
        {
            "kind": "likert",
            "item": "",
            "question": "Overall, how satisfied are you?",
            "answer": "",
            "column": "sat",
            "std_diff": 1.0,
            "value_in": 6.2,
        }
    )
    assert trait_phrase(numbered, codebook) == "Satisfied: 5 to 7 - Excellent"
    number = pd.Series(
        {
            "kind": "numeric",
            "item": "",
            "question": "How many people in your team use it?",
            "answer": "average",
            "column": "n",
            "std_diff": -0.7,
            "value_in": 3.0,
            "value_out": 9.0,
            "overall_median": 8.0,
        }
    )
    assert trait_phrase(number) == "People team use: less than 8"  # never a bare 'lower'
    assert short_label("What is your main goal for the next 12 months?") == "Main goal"
    assert short_label("Live - Selected Choice") == "Live"  # export boilerplate stripped
    assert (
        item_label("We prefer to try a product ourselves before talking to sales")
        == "We prefer to try a product ourselves…"
    )


def _named(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["persona_id", "column", "phrase", "members_giving", "members", "share", "std_diff"]
    )


def test_clashing_names_take_the_next_answer_and_overrides_win():
    named = _named(
        [
            (1, "q1", "Team: IT", 80, 100, 0.8, 1.0),
            (1, "q2", "Region: Europe", 60, 100, 0.6, 0.5),
            (2, "q1", "Team: IT", 70, 100, 0.7, 1.0),
            (2, "q3", "Goal: Cut costs", 55, 100, 0.55, 0.4),
        ]
    )
    names = auto_names(named, [1, 2], parts=1)
    assert names == {1: "Team: IT · Region: Europe", 2: "Team: IT · Goal: Cut costs"}
    assert auto_names(named, [1, 2], overrides={2: "Cost cutters"})[2] == "Cost cutters"
    assert (
        auto_names(named[named["persona_id"] == 1], [1, 2], parts=1)[2]
        == "Persona 2: no answer most of them gave sets it apart"
    )


def test_a_name_uses_only_answers_most_members_gave():
    """A persona of mostly never-asked members is not named for the answer its few askers gave."""
    rng = np.random.default_rng(0)
    persona = np.repeat([1, 2], 100)
    asked = np.r_[np.ones(100, bool), rng.random(100) < 0.3]  # persona 2: 30% were asked q1
    answer = np.where(persona == 1, rng.choice(["Yes", "No"], 200, p=[0.3, 0.7]), "Yes")
    responses = pd.DataFrame(
        {
            "q1": pd.Series(np.where(asked, answer, None), dtype="object"),
            "q2": pd.Categorical(np.where(persona == 2, "Often", rng.choice(["Often", "Never"], 200))),
        }
    )
    codebook = pd.DataFrame(
        {
            "column": ["q1", "q2"],
            "question": ["Seen it?", "Flying frequency?"],
            "kind": ["single", "single"],
            "group": ["q1", "q2"],
            "item": "",
            "options": [["Yes", "No"], ["Often", "Never"]],
        }
    )
    traits = persona_traits(responses, pd.Series(persona), codebook)
    named = named_answers(responses, pd.Series(persona), traits, codebook=codebook)
    mine = named[named["persona_id"] == 2]
    assert "Seen: Yes" not in set(mine["phrase"])  # 100% of askers, 30% of members
    assert (mine["share"] >= 0.5).all() and set(mine["phrase"]) == {"Flying frequency: Often"}
    assert mine["members_giving"].item() == 100 and mine["members"].item() == 100
