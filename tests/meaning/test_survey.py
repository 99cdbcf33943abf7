"""What a survey question is for in segmentation (alignkit.meaning.survey): descriptors (who the respondent is)
are found by the question's words, a coded column name or the answers themselves; attitude and behaviour questions
that merely mention a descriptor's word are not; export boilerplate is stripped from labels. The traps are those of
the real surveys in bench/real_exports.md (FiveThirtyEight's SurveyMonkey exports, a coded Qualtrics export)."""

from __future__ import annotations

import pandas as pd
import pytest

from alignkit.meaning.survey import BASIS, DESCRIPTOR, descriptor_columns, persona_split, question_label, question_use


@pytest.mark.parametrize(
    "question, topic",
    [
        ("Gender", "gender"),
        ("Age", "age"),
        ("How old are you?", "age"),
        ("Household Income", "income"),
        ("Education", "education"),
        ("Location (Census Region)", "region"),
        ("Where is your company based?", "region"),
        ("How many people work at your company?", "company size"),
        ("Which industry is your company in?", "industry"),
        ("Which team do you work in?", "job role"),
        ("Do you have any children under 18?", "household"),
        ("How tall are you?", "body"),
        ("Which of the following best describes your current occupation?", "job role"),
    ],
)
def test_descriptors_by_their_words(question, topic):
    use = question_use("q", question)
    assert (use.use, use.topic) == (DESCRIPTOR, topic)
    assert question[:20] in use.evidence


@pytest.mark.parametrize(
    "question",
    [
        "Please state whether you view the following characters favorably, unfavorably, or are unfamiliar with "
        "him/her.",
        "In general, is it rude to knowingly bring unruly children on a plane?",
        "About how many people in your team would use a tool like ours?",
        "How much do you agree with each statement?",
        "What is your main goal for the next 12 months?",
        "Have you seen any of the 6 films in the Star Wars franchise?",
        "How often do you travel by plane?",
    ],
)
def test_attitudes_and_behaviour_that_mention_a_descriptor_word_form_personas(question):
    assert question_use("q", question).use == BASIS


@pytest.mark.parametrize(
    "column, topic",
    [
        ("age3", "age"),
        ("educ4", "education"),
        ("race2", "ethnicity"),
        ("racethn4", "ethnicity"),
        ("kids", "household"),
        ("year_birth", "who they are"),
        ("kidhome", "who they are"),
        ("marital_status", "household"),
    ],
)
def test_coded_column_names_are_read(column, topic):
    use = question_use(column, column)
    assert (use.use, use.topic) == (DESCRIPTOR, topic)


def test_the_answers_say_it_when_the_question_is_a_code():
    assert question_use("q0005", "q0005", ["Male", "Female"]).topic == "gender"
    assert question_use("q0034", "q0034", ["$0-$9,999", "$10,000-$24,999", "$100,000 or more"]).topic == "income"
    assert (
        question_use("q0035", "q0035", ["South Atlantic", "Pacific", "East North Central", "Mountain"]).topic
        == "region"
    )
    assert question_use("q0030", "q0030", ["California", "Texas", "France", "Germany"]).topic == "region"
    assert question_use("q7", "q7", ["18-29", "30-44", "45-60", "> 60"]).topic == "age"
    assert question_use("q9", "q9", ["Often", "Sometimes", "Never"]).use == BASIS


def test_a_grid_is_decided_once_for_the_whole_question():
    codebook = pd.DataFrame(
        {
            "column": ["q6_1", "q6_2", "q2", "gender"],
            "group": ["q6", "q6", "q2", "gender"],
            "question": ["Which regions do you sell to? (Select all that apply)"] * 2 + ["Team size?", "Gender"],
            "kind": ["multi", "multi", "numeric", "single"],
            "options": [["Europe"], ["Asia"], [], ["Male", "Female"]],
        }
    )
    split = persona_split(codebook).set_index("column")
    assert split.loc["q6_1", "use"] == split.loc["q6_2", "use"]
    assert descriptor_columns(persona_split(codebook)).keys() >= {"gender"}
    assert "gender" not in descriptor_columns(persona_split(codebook), chosen=["gender"])  # named in features


@pytest.mark.parametrize(
    "text, label",
    [
        ("Live - Selected Choice", "Live"),
        ("Q2 - Other - Text", "Q2"),
        (
            "Please indicate how much you agree with the following statements",
            "How much you agree with the following statements",
        ),
        ("Where do you look for information? (Select all that apply)", "Where do you look for information?"),
        ("Which films have you seen? (Select all that apply)_3", "Which films have you seen?"),
        ("Response", "Response"),
    ],
)
def test_labels_lose_export_boilerplate(text, label):
    assert question_label(text) == label


def test_a_multi_select_of_coded_boxes_is_decided_by_all_its_options():
    """FiveThirtyEight's q0025_0001…3: each box holds one option ('Yes, one or more children under 18', …, 'No
    children'); only together do they say the question is about the household."""
    codebook = pd.DataFrame(
        {
            "column": ["q0025_0001", "q0025_0002", "q0025_0003"],
            "group": ["q0025"] * 3,
            "question": ["q0025_0001", "q0025_0002", "q0025_0003"],
            "kind": ["multi"] * 3,
            "options": [
                ["Yes, one or more children under 18"],
                ["Yes, one or more children 18 or older"],
                ["No children"],
            ],
        }
    )
    split = persona_split(codebook)
    assert set(split["use"]) == {DESCRIPTOR} and set(split["topic"]) == {"household"}
