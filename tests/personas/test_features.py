"""Which answers form personas and which respondents they are fitted on: drop-outs flagged without a Finished
column, a skip-logic grid never splitting respondents, outcomes / ids / constants / near-unique answers screened
out and outcomes profiled, "not asked" on request, outliers and junk levels listed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from alignkit.config import PersonaSettings
from alignkit.personas.features import NOT_ASKED, answer_outliers, dropout_summary, flag_dropouts, screen_features
from alignkit.personas.fitting import fit_personas, screened_features
from alignkit.personas.model import persona_features

AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]


def _codebook(columns: dict[str, str], options: dict[str, list[str]] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "column": list(columns),
            "question": [f"Question {c}" for c in columns],
            "item": "nan",
            "kind": list(columns.values()),
            "group": list(columns),
            "options": [(options or {}).get(c, []) for c in columns],
            "detected": "",
        }
    )


def planted_survey(n: int = 900, seed: int = 4) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """Three planted groups on four Likert items and a choice; a three-item grid answered by 15% only (skip logic),
    whose answerers are drawn across the groups and answer it far apart from everyone's pattern."""
    rng = np.random.default_rng(seed)
    group = rng.choice(3, n)
    frame = {}
    for j in range(4):
        centre = np.choose(group, [[0.5, 3.5, 2.0, 1.0][j], [3.5, 0.5, 1.0, 3.0][j], [2.0, 2.0, 3.8, 3.8][j]])
        frame[f"a{j}"] = pd.Categorical(
            np.array(AGREE)[np.clip(np.round(rng.normal(centre, 0.6)), 0, 4).astype(int)],
            categories=AGREE,
            ordered=True,
        )
    frame["team"] = pd.Categorical(np.where(group == 0, "IT", np.where(group == 1, "Sales", "Finance")))
    asked = rng.random(n) < 0.15
    for j in range(3):
        values = np.where(asked, np.array(AGREE)[rng.choice([0, 4], n)], None)
        frame[f"grid_{j}"] = pd.Categorical(values, categories=AGREE, ordered=True)
    responses = pd.DataFrame(frame)
    responses.insert(0, "quality_ok", True)
    kinds = {**{f"a{j}": "likert" for j in range(4)}, "team": "single", **{f"grid_{j}": "likert" for j in range(3)}}
    codebook = _codebook(kinds, {c: AGREE for c in kinds if c != "team"})
    return responses, codebook, group, asked


def test_a_fifteen_percent_grid_does_not_split_the_respondents():
    responses, codebook, group, asked = planted_survey()
    _, screen, _ = screened_features(responses, codebook, PersonaSettings(k=3))
    grid = screen[screen["column"].str.startswith("grid")]
    assert (grid["use"] == "left out").all() and grid["answer_rate"].between(0.1, 0.2).all()
    assert grid["reason"].str.contains("skip logic").all()
    model, _, _ = fit_personas(responses, codebook, PersonaSettings(k=3), seed=0)
    labels = model.predict(responses)
    assert not any(c.startswith("grid") for c in model.features_)
    assert adjusted_rand_score(group, labels) >= 0.8
    assert abs(adjusted_rand_score(asked, labels)) < 0.05  # being asked the grid forms no persona


def test_not_asked_enters_as_a_level_when_the_project_file_says_so():
    responses, codebook, _, _ = planted_survey()
    settings = PersonaSettings(k=3, skipped_questions="not_asked")
    _, screen, _ = screened_features(responses, codebook, settings)
    assert (screen.loc[screen["column"].str.startswith("grid"), "use"] == "not asked").all()
    model, _, _ = fit_personas(responses, codebook, settings, seed=0)
    assert "grid_0_not asked" in list(model.get_feature_names_out())
    assert NOT_ASKED == "not asked"


def test_dropouts_are_flagged_without_a_finished_column():
    responses, codebook, _, _ = planted_survey(n=200)
    stopped = ["a1", "a2", "a3", "team", "grid_0", "grid_1", "grid_2"]
    responses.loc[:9, stopped] = np.nan  # ten stopped after the first question
    flag = flag_dropouts(responses, codebook, min_answered=0.5)
    assert flag.sum() == 10 and flag[:10].all()
    # a grid answerer who skipped nothing else is not a drop-out: the grid counts as shown only when answered
    summary = dropout_summary(responses, codebook)
    assert summary.loc[0, "responses"] == 10 and summary.loc[0, "of"] == 200
    used = screened_features(responses, codebook, PersonaSettings(k=3))[2]
    assert not used[:10].any() and used[10:].all()


def test_outcomes_ids_constants_and_near_unique_answers_never_form_personas():
    rng = np.random.default_rng(0)
    n = 300
    responses = pd.DataFrame(
        {
            "quality_ok": True,
            "a0": pd.Categorical(rng.choice(AGREE, n), categories=AGREE, ordered=True),
            "income": rng.normal(50_000, 9_000, n),
            "customer_id": np.arange(n).astype(float),
            "z_cost": np.full(n, 3.0),
            "response": rng.choice([0.0, 1.0], n),
            "nickname": pd.Categorical([f"name {i}" for i in range(n)]),
            "satisfied": pd.Categorical(rng.choice(["Yes", "No"], n)),
        }
    )
    codebook = _codebook(
        {
            "a0": "likert",
            "income": "numeric",
            "customer_id": "numeric",
            "z_cost": "numeric",
            "response": "numeric",
            "nickname": "single",
            "satisfied": "single",
        }
    )
    screen = screen_features(responses, persona_features(codebook), outcomes=["satisfied"]).set_index("column")
    assert screen.loc["a0", "use"] == screen.loc["income", "use"] == "feature"
    assert screen.loc["customer_id", "reason"].startswith("an id")
    assert screen.loc["z_cost", "reason"].startswith("one answer only")
    assert screen.loc["nickname", "reason"].startswith("near-unique")
    assert screen.loc["response", "use"] == screen.loc["satisfied", "use"] == "profile"


def test_customer_table_outliers_and_junk_levels_are_listed(tmp_path):
    from tests.fixtures.customers import customer_table

    table = customer_table(900)
    responses = table.assign(**{c: pd.to_numeric(table[c]) for c in ("Year_Birth", "Income")})
    responses["Marital_Status"] = pd.Categorical(table["Marital_Status"])
    codebook = _codebook({"Year_Birth": "numeric", "Income": "numeric", "Marital_Status": "single"})
    codebook["column"] = ["year_birth", "income", "marital_status"]
    responses = responses.rename(
        columns={"Year_Birth": "year_birth", "Income": "income", "Marital_Status": "marital_status"}
    )
    found = answer_outliers(responses, codebook, this_year=2026)
    by_what = {(r.column, r.what.split(" (")[0]): r for r in found.itertuples()}
    assert by_what[("year_birth", "impossible year")].responses == 2
    assert by_what[("income", "far out")].values == "666666"
    assert set(by_what[("marital_status", "junk level")].values.split(", ")) == {"YOLO", "Absurd"}


@pytest.mark.parametrize("rate", [0.3, 0.7])
def test_min_answer_rate_is_the_line(rate):
    responses, codebook, _, _ = planted_survey()
    _, screen, _ = screened_features(responses, codebook, PersonaSettings(k=3, min_answer_rate=rate / 10))
    assert (screen.loc[screen["column"].str.startswith("grid"), "use"] == "feature").all()


def test_survey_only_dropouts_are_the_planted_ones(tmp_path):
    from alignkit.ingest.survey import read_survey
    from tests.fixtures.shapes import survey_only_export

    export_frame = survey_only_export(600)
    planted = export_frame[list(export_frame.columns)[3:]].isna().all(axis=1)  # stopped after the second question
    export_frame.to_csv(tmp_path / "survey.csv", index=False)
    export = read_survey(tmp_path / "survey.csv", format="plain")
    flag = flag_dropouts(export.responses, export.codebook)
    assert "finished" not in export.responses
    assert flag.tolist() == planted.tolist() and flag.sum() == planted.sum() > 20


def test_a_block_asked_of_some_only_does_not_push_the_others_out_of_every_persona():
    """The masculinity survey asks its work questions only of the employed (54%): those not asked answered 18 of 46
    persona questions, yet every question asked of everyone. A question under CONDITIONAL_RATE of the fitted
    respondents counts only for those who answered it; a screener's non-viewers, who answered none of the questions
    everyone else did, are still in no persona."""
    from alignkit.personas.fitting import segmented_rows

    n = 100
    employed = np.arange(n) < 54
    viewer = np.arange(n) >= 10
    answers = pd.DataFrame(
        {f"common_{j}": np.where(viewer, 1.0, np.nan) for j in range(10)}
        | {f"work_{j}": np.where(employed & viewer, 1.0, np.nan) for j in range(12)}
    )
    features = pd.DataFrame({"column": answers.columns, "block": answers.columns, "kind": "numeric"})
    segmented = segmented_rows(answers, features, min_answered=0.5, rows=pd.Series(viewer))
    assert segmented[viewer].all() and not segmented[~viewer].any()
