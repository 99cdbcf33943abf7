"""The outcome read from a converted column: 0/1, yes/no, Won/Lost, blanks open, unknown values refused."""

from __future__ import annotations

import pandas as pd
import pytest

from alignkit.config import ProjectSettings
from alignkit.errors import InputFileError
from alignkit.prepare.lead_table import outcome_from_values


def _settings(**outcome) -> ProjectSettings:
    return ProjectSettings.model_validate(
        {"crm": {"contacts": {"file": "x.csv", "columns": {"lead_id": "Id", "converted": "Won?"}}}, "outcome": outcome}
    )


@pytest.mark.parametrize(
    "values, expected",
    [
        (["1", "0", "1.0", "0.0"], ["converted", "lost", "converted", "lost"]),
        (["Yes", "no", " YES ", "No"], ["converted", "lost", "converted", "lost"]),
        (["Won", "Lost", "", None], ["converted", "lost", "open", "open"]),
    ],
)
def test_outcome_values_of_every_common_spelling(values, expected):
    out = outcome_from_values(pd.Series(values, dtype="str"), _settings(), path="x.csv", column="Won?")
    assert list(out) == expected


def test_an_unknown_outcome_value_is_refused_with_its_count_and_a_close_match():
    values = pd.Series(["Won", "Lost", "Wonn", "Wonn", "Pending"], dtype="str")
    with pytest.raises(InputFileError) as caught:
        outcome_from_values(values, _settings(), path="x.csv", column="Won?")
    message = str(caught.value)
    assert "'Wonn' (2 rows, close to 'won')" in message and "'Pending' (1 rows" in message
    assert "outcome.open_values" in message


def test_open_values_from_the_project_file_are_undecided():
    values = pd.Series(["Won", "In progress"], dtype="str")
    out = outcome_from_values(values, _settings(open_values=["In progress"]), path="x.csv", column="Won?")
    assert list(out) == ["converted", "open"]
