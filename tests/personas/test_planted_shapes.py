"""Notebook 03 on surveys with planted structure (tests/fixtures/persona_shapes.py), each written and analysed once:

- attitude survey: the three planted attitude groups come back (ARI ≥ 0.8, k = 3); gender, age, income and region
  describe the personas and never form, name or split them;
- screener survey: respondents the screener sent past the film questions are in no persona and counted; the
  viewers' two taste groups come back; every name part is an answer most members gave;
- flat survey (no structure): the headline calls the personas a continuum, never distinct.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from alignkit.config import load_settings
from alignkit.personas.analysis import analyse, headline
from alignkit.privacy import pseudonymise
from tests.fixtures import persona_shapes

MIN_SHARE = 0.05  # personas.min_share default
DESCRIPTOR_WORDS = re.compile(
    r"\b(?:gender|male|female|men|women|age|income|household|region|location|census)\b", re.IGNORECASE
)


def _analysed(tmp_path_factory, name: str, writer) -> tuple[dict, object, pd.DataFrame]:
    """Write a project, run notebook 01's prepare and notebook 03's analysis; return (the planted truth, the result,
    the assignments in the export's row order)."""
    from alignkit.prepare.tables import prepare, write_processed

    info = writer(tmp_path_factory.mktemp(name))
    settings = load_settings(info["project"])
    write_processed(prepare(settings), settings.processed_dir)
    result = analyse(settings)
    keys = pseudonymise(pd.Series(info["ids"]), salt=settings.pseudonym_salt()).astype("str")
    in_rows = result.assignments.set_index("respondent_key").loc[keys.to_numpy()].reset_index()
    assert len(in_rows) == info["responses"] == len(result.assignments)
    return info, result, in_rows


@pytest.fixture(scope="module")
def attitude(tmp_path_factory):
    return _analysed(tmp_path_factory, "attitude_survey", persona_shapes.write_attitude_survey)


@pytest.fixture(scope="module")
def screener(tmp_path_factory):
    return _analysed(tmp_path_factory, "screener_survey", persona_shapes.write_screener_survey)


@pytest.fixture(scope="module")
def flat(tmp_path_factory):
    return _analysed(tmp_path_factory, "flat_survey", persona_shapes.write_flat_survey)


def _ari(planted, persona_id: pd.Series) -> float:
    return float(adjusted_rand_score(np.asarray(planted), persona_id.astype("int64").to_numpy()))


# --- attitude survey: descriptors describe, attitudes form ------------------------------------------------------


def test_attitude_groups_come_back(attitude):
    info, result, rows = attitude
    segmented = rows["persona_id"].notna().to_numpy()
    ari = _ari(info["group"][segmented], rows.loc[segmented, "persona_id"])
    assert ari >= 0.8, (
        f"ARI {ari:.3f} (planted groups vs persona_id); k = {result.k}; sizes {result.sizes.to_dict('records')}"
    )
    assert result.k == 3, f"k = {result.k}: {result.k_rule}"


def test_attitude_descriptors_are_descriptors(attitude):
    _, result, _ = attitude
    screen = result.screen.set_index("column")
    for column in ("gender", "age", "household_income", "location_census_region"):
        assert column in screen.index, f"{column} not screened: {list(screen.index)}"
        assert screen.at[column, "use"] == "descriptor", f"{column}: {screen.loc[column, ['use', 'reason']].to_dict()}"


def test_attitude_names_never_use_a_descriptor(attitude):
    _, result, _ = attitude
    answers = {*persona_shapes.AGE, *persona_shapes.INCOME, *persona_shapes.REGIONS, "Male", "Female"}
    for text in [*result.names.values(), *result.named["phrase"]]:
        assert not DESCRIPTOR_WORDS.search(text), f"{text!r} mentions a descriptor"
        assert not any(answer in text for answer in answers), f"{text!r} names a descriptor's answer"


def test_attitude_names_say_which_statement(attitude):
    """A grid item is named by its statement, so two name parts never read the same."""
    _, result, _ = attitude
    for name in result.names.values():
        labels = [part.split(": ")[0] for part in name.split(" · ")]
        assert len(set(labels)) == len(labels), name
        assert any(item.startswith(label.rstrip("…")) for label in labels for item in persona_shapes.ATTITUDE_ITEMS), (
            name
        )
    assert len(set(result.names.values())) == result.k


def test_attitude_no_persona_is_split_by_gender(attitude):
    info, _, rows = attitude
    men = pd.Series(info["export"]["Gender"].to_numpy() == "Male")
    shares = men[rows["persona_id"].notna()].groupby(rows["persona_id"].dropna().astype("int64")).mean()
    assert ((shares >= 0.35) & (shares <= 0.65)).all(), f"share of men per persona: {shares.round(3).to_dict()}"


# --- screener survey: the screened-out are in no persona --------------------------------------------------------


def test_non_viewers_are_in_no_persona(screener):
    info, result, rows = screener
    no = (info["export"][persona_shapes.SCREENER] == "No").to_numpy()
    assert no.sum() == info["non_viewers"] > 0
    assert rows.loc[no, "persona_id"].isna().all(), (
        f"{int(rows.loc[no, 'persona_id'].notna().sum())} non-viewers have a persona"
    )
    assert not rows.loc[no, "segmented"].any()
    assert result.not_segmented == int(no.sum()), f"not_segmented {result.not_segmented} vs {int(no.sum())} non-viewers"


def test_no_persona_is_mostly_non_viewers(screener):
    info, _, rows = screener
    no = pd.Series((info["export"][persona_shapes.SCREENER] == "No").to_numpy())
    member = rows["persona_id"].notna()
    share = no[member].groupby(rows.loc[member, "persona_id"].astype("int64")).mean()
    assert (share < 0.5).all(), f"share of non-viewers per persona: {share.round(3).to_dict()}"


def test_screener_names_use_answers_most_members_gave(screener):
    _, result, _ = screener
    assert len(result.named), "no named answers"
    low = result.named[result.named["share"] < 0.5]
    assert low.empty, f"phrases given by under half the members:\n{low.to_string()}"
    # a box whose cells hold the option's label is named by that label, never 'nan' or its column suffix
    words = " ".join([*result.names.values(), *result.top["description"], *map(str, result.typical.to_numpy().ravel())])
    assert "nan" not in re.findall(r"\w+", words) and not re.search(r"\?_\d|seen \d", words), result.names


def test_screener_headline_says_who_is_in_no_persona(screener):
    info, result, _ = screener
    lines = [line for line in headline(result) if "in no persona" in line]
    assert lines, headline(result)
    assert f"{info['non_viewers']:,} of {info['responses']:,}" in lines[0], lines[0]


def test_viewer_taste_groups_come_back(screener):
    info, result, rows = screener
    viewers = info["viewer"] & rows["persona_id"].notna().to_numpy()
    assert viewers.sum() == info["viewer"].sum(), "a viewer is in no persona"
    ari = _ari(info["taste"][viewers], rows.loc[viewers, "persona_id"])
    print(f"screener survey: ARI {ari:.3f} on {int(viewers.sum())} viewers, k = {result.k}")
    assert ari >= 0.7, f"ARI {ari:.3f} (planted taste vs persona_id, viewers); k = {result.k}; names {result.names}"


# --- flat survey: a continuum, never distinct -------------------------------------------------------------------


def test_flat_survey_is_a_continuum(flat):
    _, result, _ = flat
    assert result.separation["verdict"] == "continuum", f"separation {result.separation}"
    first = headline(result)[0]
    assert "continuum" in first.lower(), first
    assert "distinct" not in first.lower(), first


# --- every survey: no persona under personas.min_share ----------------------------------------------------------


@pytest.mark.parametrize("shape", ["attitude", "screener", "flat"])
def test_every_persona_holds_min_share(shape, request):
    _, result, rows = request.getfixturevalue(shape)
    ids = rows.loc[rows["segmented"], "persona_id"]
    shares = ids.value_counts(normalize=True)
    assert set(shares.index) == set(range(1, result.k + 1)), f"personas present {sorted(shares.index)}, k = {result.k}"
    assert (shares >= MIN_SHARE).all(), f"{shape}: persona shares of the segmented {shares.round(3).to_dict()}"
