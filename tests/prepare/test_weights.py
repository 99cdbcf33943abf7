"""Raking (alignkit.weights): a hand-worked 2×2 example, a closed form, an independent IPF on the contingency
table, trimming, the errors a user meets, and the demo's oversampled company-size band."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from alignkit.errors import ConfigError, InputFileError
from alignkit.prepare.weights import rake, read_margins_file
from alignkit.stats import weighted_shares


def sample(cells: dict[tuple[str, ...], int], names: tuple[str, ...]) -> pd.DataFrame:
    """Return one row per respondent: `cells` maps a tuple of answers to how many respondents gave it."""
    rows = [key for key, count in cells.items() for _ in range(count)]
    return pd.DataFrame(rows, columns=list(names))


# The hand-worked example. 210 respondents, two questions (size A/B, region X/Y); population shares 50/50 on both.
#
#            X     Y   | row sum   target
#      A    10    20   |    30      105
#      B    20   160   |   180      105
#   col     30   180   |   210
#   target 105   105
#
# Iteration 1, rows:    A × 105/30 = 3.5      → [35, 70];   B × 105/180 = 7/12 → [11.6667, 93.3333]
#              columns: X: 46.6667 → 105 × 2.25 → [78.75, 26.25];   Y: 163.3333 → 105 × 9/14 → [45, 60]
#   table after one iteration [[78.75, 45], [26.25, 60]]: rows sum to 123.75 and 86.25, so the largest gap between a
#   weighted share and its target is |123.75/210 − 0.5| = 18.75/210; weights (cell total / respondents) are
#   78.75/10 = 7.875, 45/20 = 2.25, 26.25/20 = 1.3125, 60/160 = 0.375.
# The limit keeps the odds ratio of the sample, 10·160 / (20·20) = 4, with every margin at 105: by symmetry
#   m_AX = m_BY = m, m_AY = m_BX = 105 − m, and m² / (105 − m)² = 4 → m = 70. Table [[70, 35], [35, 70]]:
#   weights 70/10 = 7, 35/20 = 1.75, 35/20 = 1.75, 70/160 = 0.4375 (mean (70 + 35 + 35 + 70)/210 = 1).
# Trimmed at 5 × the mean: the AX weight is held at 5 (10 respondents → 50), the others re-raked:
#   row A: 50 + 20 w_AY = 105 → w_AY = 2.75; column X: 50 + 20 w_BX = 105 → w_BX = 2.75;
#   row B: 55 + 160 w_BY = 105 → w_BY = 0.3125; column Y: 55 + 50 = 105 ✓; total 210, so the mean stays 1.
HAND = sample({("A", "X"): 10, ("A", "Y"): 20, ("B", "X"): 20, ("B", "Y"): 160}, ("size", "region"))
HALVES = {"size": {"A": 0.5, "B": 0.5}, "region": {"X": 0.5, "Y": 0.5}}


def cell_weights(frame: pd.DataFrame, weights: pd.Series) -> list[float]:
    return (
        frame.assign(w=weights)
        .groupby(["size", "region"])["w"]
        .agg(["min", "max"])
        .pipe(lambda t: (np.testing.assert_allclose(t["min"], t["max"], rtol=1e-12), t["min"].tolist())[1])
    )


def test_hand_worked_first_iteration():
    result = rake(HAND, HALVES, max_iterations=1)
    assert cell_weights(HAND, result.weights) == pytest.approx([7.875, 2.25, 1.3125, 0.375], rel=1e-14)
    assert result.iterations == 1 and not result.converged
    assert result.max_margin_error == pytest.approx(18.75 / 210, rel=1e-12)


def test_hand_worked_limit():
    result = rake(HAND, HALVES, tolerance=1e-12)
    assert result.converged and result.max_margin_error <= 1e-12
    assert cell_weights(HAND, result.weights) == pytest.approx([7, 1.75, 1.75, 0.4375], rel=1e-10)
    assert result.weights.mean() == pytest.approx(1, rel=1e-14)
    assert result.trimmed == 0
    margins = result.margins.set_index(["margin", "category"])
    assert margins.loc[("size", "A"), "respondents"] == 30
    assert margins.loc[("size", "A"), "sample_share"] == pytest.approx(30 / 210)
    np.testing.assert_allclose(margins["weighted_share"], margins["target_share"], atol=1e-12)


def test_hand_worked_trimming():
    result = rake(HAND, HALVES, trim_ratio=5, tolerance=1e-12, max_iterations=1000)
    assert result.converged
    assert cell_weights(HAND, result.weights) == pytest.approx([5, 2.75, 2.75, 0.3125], rel=1e-9)
    assert result.trimmed == 10
    assert result.weights.max() <= 5 * (1 + 1e-9)
    summary = result.summary().iloc[0]
    assert summary["trimmed"] == 10 and summary["max_weight"] == pytest.approx(5)


def closed_form_2x2(n: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Return the raked 2×2 table: margins `rows`/`cols` and the sample's odds ratio θ (IPF preserves it).
    With m = m_11: m (T − r1 − c1 + m) = θ (r1 − m)(c1 − m), a quadratic
    (1 − θ) m² + (T − r1 − c1 + θ(r1 + c1)) m − θ r1 c1 = 0."""
    theta = n[0, 0] * n[1, 1] / (n[0, 1] * n[1, 0])
    r1, c1, total = rows[0], cols[0], rows.sum()
    a, b, c = 1 - theta, total - r1 - c1 + theta * (r1 + c1), -theta * r1 * c1
    roots = np.roots([a, b, c]) if a != 0 else np.array([-c / b])
    m = next(r.real for r in roots if 0 < r.real < min(r1, c1) and abs(r.imag) < 1e-12)
    return np.array([[m, r1 - m], [c1 - m, total - r1 - c1 + m]])


def test_closed_form_2x2():
    # A census/survey 2×2 of the kind raking tutorials use: survey counts [[7, 9], [12, 7]] raked to census rows
    # 5/15 and columns 10/10 (counts of 20 people; the expected table comes from the closed form, not from IPF).
    n = np.array([[7, 9], [12, 7]])
    frame = sample(
        {(r, c): int(n[i, j]) for (i, r), (j, c) in itertools.product(enumerate("AB"), enumerate("XY"))},
        ("size", "region"),
    )
    result = rake(frame, {"size": {"A": 5, "B": 15}, "region": {"X": 10, "Y": 10}}, tolerance=1e-13)
    expected = closed_form_2x2(n.astype(float), np.array([5.0, 15.0]), np.array([10.0, 10.0]))
    expected_weights = expected / expected.sum() * n.sum() / n
    np.testing.assert_allclose(cell_weights(frame, result.weights), expected_weights.ravel(), rtol=1e-10)


def ipf_on_table(counts: np.ndarray, targets: list[np.ndarray], iterations: int = 2000) -> np.ndarray:
    """Independent IPF on the contingency table: scale the fitted table along each axis to its target, in turn."""
    fitted = counts.astype(float).copy()
    for _ in range(iterations):
        for axis, target in enumerate(targets):
            other = tuple(a for a in range(counts.ndim) if a != axis)
            current = fitted.sum(axis=other)
            shape = [1] * counts.ndim
            shape[axis] = -1
            fitted *= (target / current).reshape(shape)
    return fitted


def test_matches_independent_ipf_on_a_three_way_table():
    rng = np.random.default_rng(7)
    levels = (["s1", "s2", "s3"], ["north", "south"], ["a", "b", "c", "d"])
    counts = rng.integers(3, 40, size=(3, 2, 4))
    cells = {
        key: int(counts[idx])
        for idx, key in zip(itertools.product(*map(range, counts.shape)), itertools.product(*levels))
    }
    frame = sample(cells, ("size", "region", "role")).sample(frac=1, random_state=1).reset_index(drop=True)
    shares = [rng.dirichlet(np.ones(len(lv))) for lv in levels]
    margins = {name: dict(zip(lv, s)) for name, lv, s in zip(("size", "region", "role"), levels, shares)}
    result = rake(frame, margins, tolerance=1e-12, max_iterations=500)
    assert result.converged
    fitted = ipf_on_table(counts, [s * counts.sum() for s in shares])
    expected = pd.Series(
        {
            key: fitted[idx] / counts[idx]
            for idx, key in zip(itertools.product(*map(range, counts.shape)), itertools.product(*levels))
        }
    )
    got = frame.assign(w=result.weights).groupby(["size", "region", "role"])["w"].first()
    np.testing.assert_allclose(got.to_numpy(), expected.loc[got.index].to_numpy(), rtol=1e-9)


def test_base_weights_are_the_starting_point():
    # One margin: raking scales each category's base weights by one factor, so ratios within a category survive.
    frame = pd.DataFrame({"size": ["A", "A", "B", "B"]})
    result = rake(frame, {"size": {"A": 0.5, "B": 0.5}}, base_weights=np.array([1.0, 3.0, 1.0, 1.0]))
    np.testing.assert_allclose(result.weights, [0.5, 1.5, 1.0, 1.0])


def test_not_converging_is_reported():
    # Half the population is A, but A's single respondent may weigh at most 3 × the mean: the cap cannot hold.
    frame = pd.DataFrame({"size": ["A"] + ["B"] * 9})
    result = rake(frame, {"size": {"A": 0.5, "B": 0.5}}, trim_ratio=3, max_iterations=50)
    assert not result.converged and result.iterations == 50
    assert result.max_margin_error > 0.1
    assert result.trimmed == 1


def test_input_is_not_modified_and_index_is_kept():
    frame = HAND.set_index(pd.RangeIndex(100, 310))
    before = frame.copy()
    result = rake(frame, HALVES)
    pd.testing.assert_frame_equal(frame, before)
    assert result.weights.index.equals(frame.index) and result.weights.name == "weight"


@pytest.mark.parametrize(
    "margins,words",
    [
        ({"size": {"A": 0.5, "C": 0.5}}, ["margin 'size'", "category 'C'", "does not have", "Fix"]),
        ({"size": {"A": 1.0}}, ["has categories the margin lacks", "'B' (180 responses)", "Fix"]),
        (
            {"size": {"A": 0.5, "B": 0.5}, "region": {"X": 30, "Y": 70}},
            ["do not sum to the same total", "'region' sums to 100"],
        ),
        ({"sise": {"A": 0.5, "B": 0.5}}, ["margin 'sise' is not a column", "Did you mean 'size'"]),
        ({"size": {"A": -0.5, "B": 0.5}}, ["negative or missing", "'A'"]),
        ({}, ["no margins"]),
    ],
)
def test_margin_errors_name_the_margin_category_and_fix(margins, words):
    with pytest.raises(ConfigError) as excinfo:
        rake(HAND, margins)
    for word in words:
        assert word in str(excinfo.value)


def test_category_without_respondents():
    frame = HAND.assign(size=pd.Categorical(HAND["size"], categories=["A", "B", "C"]))
    with pytest.raises(ConfigError, match=r"margin 'size', category 'C' has a population share but no respondents"):
        rake(frame, {"size": {"A": 0.4, "B": 0.4, "C": 0.2}})
    # a category of the data's type that nobody chose and the population lacks too is fine
    result = rake(frame, {"size": {"A": 0.5, "B": 0.5, "C": 0.0}})
    assert result.converged


def test_missing_answers_and_bad_trim_ratio():
    frame = HAND.assign(size=HAND["size"].where(HAND.index != 3))
    with pytest.raises(ConfigError, match=r"1 response\(s\) have no answer in column 'size'"):
        rake(frame, HALVES)
    with pytest.raises(ConfigError, match="trim_ratio=1 must be above 1"):
        rake(HAND, HALVES, trim_ratio=1)


def test_margin_totals_within_rounding_pass():
    # census shares rounded to two decimals may sum to 1.001: within 0.1%, each margin is taken as shares of its total
    result = rake(HAND, {"size": {"A": 0.501, "B": 0.5}, "region": {"X": 0.5, "Y": 0.5}}, tolerance=1e-10)
    assert result.converged
    assert result.margins.set_index("category").loc["A", "target_share"] == pytest.approx(0.501 / 1.001)


def test_read_margins_file(tmp_path):
    yml = tmp_path / "margins.yml"
    yml.write_text("q2: {'1-9 employees': 0.4, '10+ employees': 0.6}\nq9: {Europe: 1}\n", encoding="utf-8")
    csv = tmp_path / "margins.csv"
    csv.write_text(
        "margin,category,target\nq2,1-9 employees,0.4\nq2,10+ employees,0.6\nq9,Europe,1\n", encoding="utf-8"
    )
    expected = {"q2": {"1-9 employees": 0.4, "10+ employees": 0.6}, "q9": {"Europe": 1.0}}
    assert read_margins_file(yml) == expected == read_margins_file(csv)
    bad = tmp_path / "bad.csv"
    bad.write_text("margin,category,share\nq2,a,1\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="has no column 'target'"):
        read_margins_file(bad)
    with pytest.raises(InputFileError, match="not found"):
        read_margins_file(tmp_path / "nothing.yml")


# --------------------------------------------------------------------------------------------- the demo's planted bias


def demo_margins(truth: dict) -> dict:
    """The planted population margins, keyed by the survey columns that hold them (q2 company size, q9 region)."""
    population = truth["population_margins"]
    return {"q2": population["company_size"], "q9": population["region"]}


def test_demo_raking_recovers_population_shares(prepared, truth):
    responses = prepared.responses[prepared.responses["quality_ok"]]
    result = rake(responses, demo_margins(truth), trim_ratio=5)
    print(result.summary().T)
    assert result.converged and result.trimmed == 0
    oversampled = truth["survey"]["oversampled_company_size"]
    for column, margin in demo_margins(truth).items():
        unweighted = weighted_shares(responses[column]).set_index("category")["share"]
        weighted = weighted_shares(responses[column], weights=result.weights).set_index("category")["share"]
        for category, population_share in margin.items():
            print(
                f"{column} {category:>20}: sample {unweighted[category]:.3f}  raked {weighted[category]:.3f}  "
                f"population {population_share:.3f}"
            )
            assert abs(weighted[category] - population_share) < 0.01
    # the unweighted sample over-represents the oversampled band by far more than a percentage point
    size = weighted_shares(responses["q2"]).set_index("category")["share"]
    assert size[oversampled] - truth["population_margins"]["company_size"][oversampled] > 0.05


def test_demo_raking_moves_planted_persona_shares_toward_the_population(prepared, truth, demo_settings):
    # The persona module is not part of this test: the planted persona of each respondent (from the truth file)
    # is weighted directly. Raking on company size and region alone should bring the persona mix nearer the
    # population's, because persona and company size go together.
    from alignkit.privacy import pseudonymise

    by_id = pd.Series(truth["survey"]["persona_by_response_id"])
    by_key = pd.Series(
        by_id.to_numpy(), index=pseudonymise(pd.Series(by_id.index, dtype="str"), salt=demo_settings.pseudonym_salt())
    )
    responses = prepared.responses[prepared.responses["quality_ok"]]
    persona = responses["respondent_key"].map(by_key)
    assert persona.notna().all()
    result = rake(responses, demo_margins(truth))
    population = np.array(
        truth["persona_population_shares"]
        if "persona_population_shares" in truth
        else truth["survey"]["persona_population_shares"]
    )
    labels = range(len(population))
    unweighted = persona.value_counts(normalize=True).reindex(labels, fill_value=0).to_numpy()
    weighted = (result.weights.groupby(persona).sum() / result.weights.sum()).reindex(labels, fill_value=0).to_numpy()
    distance_before = 0.5 * np.abs(unweighted - population).sum()
    distance_after = 0.5 * np.abs(weighted - population).sum()
    print(
        f"persona mix, total variation distance to the population: unweighted {distance_before:.3f}, "
        f"raked {distance_after:.3f}"
    )
    assert distance_after < 0.6 * distance_before


# ---------------------------------------------------------------------------- the project file and notebook 01 plumbing

from alignkit.config import WeightingSettings, load_settings  # noqa: E402
from alignkit.errors import MissingColumnError  # noqa: E402
from alignkit.prepare.clean import CleaningLog  # noqa: E402
from alignkit.prepare.weights import weight_responses  # noqa: E402
from tests.conftest import REPO  # noqa: E402


def with_weighting(settings, **weighting):
    survey = settings.survey.model_copy(update={"weighting": WeightingSettings(**weighting)})
    return settings.model_copy(update={"survey": survey})


def test_demo_project_ships_its_margins_commented_out(truth):
    text = (REPO / "alignkit.yml").read_text(encoding="utf-8")
    assert load_settings(REPO / "alignkit.yml").survey.weighting is None  # off by default
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "# weighting:")
    block = []
    for line in lines[start:]:
        if not line.lstrip().startswith("#"):
            break
        block.append(line.replace("# ", "", 1))
    enabled = "\n".join(lines[:start] + block + lines[start + len(block) :])
    import yaml

    weighting = WeightingSettings.model_validate(yaml.safe_load(enabled)["survey"]["weighting"])
    assert weighting.margins == demo_margins(truth) and weighting.trim_ratio == 5


def test_weighting_settings_errors(tmp_path):
    base = (REPO / "alignkit.yml").read_text(encoding="utf-8")
    cases = {
        "  weighting: {}\n": "name a weight column (column), population margins (margins) or a margins file",
        "  weighting: {margins: {q2: {a: 1}}, margins_file: m.yml}\n": "either inline (margins) or in a file",
        "  weighting: {column: weight, trim_ratio: 0.9}\n": "survey.weighting.trim_ratio: value 0.9 is not allowed",
        "  weighting: {column: weight, margin: {}}\n": "Did you mean 'margins'?",
    }
    for block, message in cases.items():
        path = tmp_path / "alignkit.yml"
        path.write_text(base.replace("\ncrm:\n", "\n" + block + "\ncrm:\n", 1), encoding="utf-8")
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
            load_settings(path)


@pytest.fixture(scope="module")
def weighted(prepared, truth, demo_settings):
    settings = with_weighting(demo_settings, margins=demo_margins(truth), trim_ratio=5)
    log = CleaningLog()
    responses, codebook, result = weight_responses(prepared.responses, prepared.codebook, settings, log=log)
    return settings, responses, codebook, result, log


def test_weight_column_in_responses(weighted, prepared):
    _, responses, codebook, _, log = weighted
    assert list(responses.columns) == [*prepared.responses.columns[:8], "weight", *prepared.responses.columns[8:]]
    assert responses["weight"].dtype == "Float64"
    ok = responses["quality_ok"]
    assert responses.loc[~ok, "weight"].isna().all() and responses.loc[ok, "weight"].notna().all()
    assert responses.loc[ok, "weight"].mean() == pytest.approx(1, rel=1e-12)
    assert list(codebook["column"]) == list(responses.columns)
    assert codebook.set_index("column").loc["weight", "kind"] == "meta"
    entries = log.to_frame()
    assert entries["step"].eq("weight_responses").sum() == 2
    assert entries["rows_affected"].tolist() == [int(ok.sum()), int((~ok).sum())]
    assert "effective n" in entries["reason"].iat[0] and "q2, q9" in entries["reason"].iat[0]


def test_weighted_tables_are_written_and_reported(weighted, prepared, tmp_path):
    from dataclasses import replace

    from alignkit.prepare import quality
    from alignkit.prepare.tables import write_processed

    settings, responses, codebook, result, _ = weighted
    data = replace(prepared, responses=responses, codebook=codebook, weighting=result)
    written = write_processed(data, tmp_path / "processed")
    assert "weight" in pd.read_parquet(written["responses"]).columns
    summary = quality.summarise(data)
    assert summary.weights is not None and summary.weights["n_effective"].iat[0] == pytest.approx(result.n_effective)
    assert "Survey weights" in summary._repr_html_()
    assert any("effective sample size" in line for line in quality.headline(data, summary))
    report = quality.write_cleaning_report(data, settings.model_copy(update={"root": tmp_path}))
    html = report.read_text(encoding="utf-8")
    assert "Survey weights" in html and "n_effective" in html
    assert (report.parent / "01_clean_survey_and_crm" / "weights.csv").exists()
    # unweighted data shows no weight section
    assert quality.summarise(prepared).weights is None and quality.weight_summary(prepared) is None


def test_margins_file_and_weight_column(prepared, truth, demo_settings, tmp_path):
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    rows = [{"margin": m, "category": c, "target": v} for m, t in demo_margins(truth).items() for c, v in t.items()]
    pd.DataFrame(rows).to_csv(raw / "margins.csv", index=False)
    settings = with_weighting(demo_settings.model_copy(update={"root": tmp_path}), margins_file="margins.csv")
    from_file = weight_responses(prepared.responses, prepared.codebook, settings, log=CleaningLog())[2]
    from_yml = weight_responses(
        prepared.responses,
        prepared.codebook,
        with_weighting(demo_settings, margins=demo_margins(truth)),
        log=CleaningLog(),
    )[2]
    pd.testing.assert_series_equal(from_file.weights, from_yml.weights)
    from alignkit.prepare.weights import margins_manifest_row

    assert margins_manifest_row(settings)["rows"] == 10
    # a weight column from the export: normalised to mean 1 (no raking without margins)
    responses = prepared.responses.assign(design_wt=np.where(prepared.responses["q2"] == "1000+ employees", 1.0, 3.0))
    only_column = weight_responses(
        responses, prepared.codebook.assign(), with_weighting(demo_settings, column="design_wt"), log=CleaningLog()
    )
    ok = responses["quality_ok"]
    expected = responses.loc[ok, "design_wt"] / responses.loc[ok, "design_wt"].mean()
    np.testing.assert_allclose(only_column[0].loc[ok, "weight"].to_numpy(dtype=float), expected)
    assert only_column[2].iterations == 0 and "design_wt" in only_column[2].method
    with pytest.raises(MissingColumnError, match=r"survey\.weighting\.column"):
        weight_responses(
            prepared.responses, prepared.codebook, with_weighting(demo_settings, column="design_wt"), log=CleaningLog()
        )


def test_raking_that_cannot_converge_is_an_error(prepared, truth, demo_settings):
    margins = {"q2": dict.fromkeys(demo_margins(truth)["q2"], 0.01) | {"1-9 employees": 0.95}}
    settings = with_weighting(demo_settings, margins=margins, trim_ratio=2, max_iterations=20)
    with pytest.raises(
        ConfigError, match=r"raking did not converge in 20 iterations.*Fix: raise survey\.weighting\.max_iterations"
    ):
        weight_responses(prepared.responses, prepared.codebook, settings, log=CleaningLog())


def test_weight_margins_figure_colours_match_their_series():
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    from alignkit.plots import PALETTE, plot_weight_margins

    result = rake(HAND, HALVES, tolerance=1e-12)
    ax = plot_weight_margins(result.margins)
    _, labels = ax.get_legend_handles_labels()
    assert labels == ["Respondents (unweighted)", "Population (target)", "Respondents (weighted)"]
    table = result.margins.iloc[::-1].reset_index(drop=True)
    for container, colour, column in zip(ax.containers, PALETTE, ("sample_share", "target_share", "weighted_share")):
        assert all(mcolors.to_hex(bar.get_facecolor()) == colour.lower() for bar in container)
        np.testing.assert_allclose([bar.get_width() for bar in container], table[column] * 100)
    assert ax.get_title(loc="left") and ax.get_xlabel() == "Share of responses (%)"
    plt.close(ax.figure)


def test_response_weights_for_the_analyses(weighted, prepared):
    from alignkit.prepare.weights import response_weights

    _, responses, _, result, _ = weighted
    assert response_weights(prepared.responses) is None  # unweighted: no weight column
    ok = responses[responses["quality_ok"]]
    weights = response_weights(ok)
    assert weights.dtype == "float64" and weights.index.equals(ok.index)
    pd.testing.assert_series_equal(weights, result.weights, check_names=False)
    flagged = int((~responses["quality_ok"]).sum())
    with pytest.raises(ConfigError, match=f"{flagged} of these {len(responses)} responses have no weight.*quality_ok"):
        response_weights(responses)


def test_margins_may_name_the_export_header(prepared, truth, demo_settings):
    by_header = {"Q2": demo_margins(truth)["q2"], "Q9": demo_margins(truth)["q9"]}
    result = weight_responses(
        prepared.responses, prepared.codebook, with_weighting(demo_settings, margins=by_header), log=CleaningLog()
    )[2]
    assert set(result.margins["margin"]) == {"q2", "q9"} and result.converged


def test_validate_reports_a_missing_margins_file(demo_settings):
    from alignkit.prepare.validate import validate_project

    problems = validate_project(with_weighting(demo_settings, margins_file="no_such_margins.yml"), deep=False)
    assert [p.file.endswith("no_such_margins.yml") for p in problems] == [True]
    assert "margins file not found" in problems[0].message


def test_margin_categories_with_few_respondents_are_suppressed_in_table_and_figure(
    prepared, demo_settings, tmp_path, monkeypatch
):
    """The margins table counts respondents per category: a category answered by fewer than min_group_size people
    shows no figures in the report table, and its sample and weighted shares are not drawn."""
    from dataclasses import replace

    from alignkit import plots
    from alignkit.prepare import quality

    k = demo_settings.privacy.min_group_size
    frame = pd.DataFrame({"size": ["large"] * (k - 7) + ["small"] * 97})
    result = rake(frame, {"size": {"large": 0.2, "small": 0.8}})
    drawn = {}
    original = plots.plot_weight_margins

    def record(margins, **kwargs):
        drawn["margins"] = margins
        return original(margins, **kwargs)

    monkeypatch.setattr(quality.plots, "plot_weight_margins", record)
    report = quality.write_cleaning_report(
        replace(prepared, weighting=result), demo_settings.model_copy(update={"root": tmp_path})
    )
    table = pd.read_csv(report.parent / "01_clean_survey_and_crm" / "weight_margins.csv").set_index("category")
    assert pd.isna(table.loc["large", "respondents"]) and pd.isna(table.loc["large", "sample_share"])
    assert table.loc["small", "respondents"] == 97
    figure = drawn["margins"].set_index("category")
    assert figure.loc["large", ["sample_share", "weighted_share"]].isna().all()
    assert figure.loc["large", "target_share"] == pytest.approx(0.2)
