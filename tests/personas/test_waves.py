"""New survey waves (`alignkit assign`): a wave with one persona doubled names it first, and a wave with another
answer scale is refused."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from alignkit.demo.generator import write_survey_wave


def test_a_wave_with_one_persona_doubled_is_named_first(result, processed, truth_persona, tmp_path):
    from alignkit.personas.waves import assign_wave, write_wave_outputs

    planted = 2  # "Hands-on growth marketers": 22% → 44%
    ours = pd.crosstab(truth_persona, result.assignments["persona_id"]).loc[planted].idxmax()
    wave, _ = write_survey_wave(tmp_path / "wave_2027.csv", persona_shares={planted: 0.44})
    outcome = assign_wave(wave, processed)
    first = outcome.shares.iloc[0]
    assert first["persona_id"] == ours and first["change"] > 0.1 and first["moved"]
    written = write_wave_outputs(outcome, processed)
    csv = pd.read_csv(written["assignments"])
    assert list(csv.columns) == ["respondent_key", "persona_id", "persona", "quality_ok"]
    assert not csv.astype(str).apply(lambda c: c.str.contains("@")).any().any()
    assert written["report"].name == "03_persona_drift_wave_2027.html"


def test_assign_refuses_a_wave_with_another_scale(result, processed, tmp_path):  # result: the saved model
    wave, _ = write_survey_wave(tmp_path / "relabelled.csv", n_responses=200)
    text = wave.read_text(encoding="utf-8-sig").replace("Strongly agree", "Totally agree")
    wave.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "alignkit.cli", "assign", str(wave), "--project", str(processed.source_file)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 2
    assert "relabelled.csv" in result.stderr and "q4_1" in result.stderr and "Fix:" in result.stderr


def test_assign_warns_when_the_new_wave_holds_the_same_respondents(result, processed, tmp_path):
    import pytest

    from alignkit.personas.waves import assign_wave, drift_headline, summary_lines

    same = tmp_path / "same_people.csv"
    same.write_bytes(processed.raw_path(processed.survey.file).read_bytes())
    with pytest.warns(UserWarning, match="respondent ids are also in the wave the personas were fitted on"):
        outcome = assign_wave(same, processed)
    assert outcome.overlap > 0.9 * len(outcome.assignments)
    assert drift_headline(outcome)[1].startswith("Warning: same_people.csv:")
    assert summary_lines(outcome)[0].startswith("  warning:")
