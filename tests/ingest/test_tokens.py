import pandas as pd

from alignkit.ingest.tokens import PLACEHOLDER_TOKENS, REFUSAL_TOKENS, fold_token, missing_mask, token_set


def test_placeholders_fold_whatever_their_dress():
    tokens = token_set(PLACEHOLDER_TOKENS)
    values = pd.Series(["Select", "-- Select --", " N/A ", "-", "Software", "None", None, "Selection bias"])
    assert missing_mask(values, tokens).tolist() == [True, True, True, True, False, True, False, False]


def test_project_file_adds_and_removes_tokens():
    tokens = token_set(PLACEHOLDER_TOKENS, add=["Pick one"], remove=["none"])
    assert "pick one" in tokens and "none" not in tokens
    assert missing_mask(pd.Series(["pick one", "None"]), tokens).tolist() == [True, False]


def test_refusals_are_their_own_list():
    assert fold_token("Prefer not to say") in token_set(REFUSAL_TOKENS)
    assert fold_token("Don\u2019t know") in token_set(REFUSAL_TOKENS)
    assert fold_token("Prefer not to say") not in token_set(PLACEHOLDER_TOKENS)
