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


def test_a_placeholder_is_found_past_the_first_rows_in_a_category_column_and_in_an_id_column():
    """A category column's tokens are read from its distinct values, an id column's by RE2 over every cell: both
    must find a placeholder that first appears after the rows a column is probed on."""
    from alignkit.ingest.tokens import FEW_DISTINCT, PROBE_ROWS

    rows = PROBE_ROWS + 5_000
    category = pd.Series(["Retail", "Software", "Banking"] * (rows // 3) + ["-- Select --", "N/A"], dtype="str")
    ids = pd.Series([f"ID-{i:07d}" for i in range(rows)] + ["-- Select --", "N/A"], dtype="str")
    assert category.iloc[:PROBE_ROWS].nunique() <= FEW_DISTINCT < ids.iloc[:PROBE_ROWS].nunique()
    for values in (category, ids):
        mask = missing_mask(values, token_set(PLACEHOLDER_TOKENS))
        assert mask.sum() == 2 and mask.iloc[-2:].all(), values.iloc[0]
