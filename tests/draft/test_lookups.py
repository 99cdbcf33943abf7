"""A lookup's join key: the unique lookup column matching a leads column best, near misses by rapidfuzz."""

from __future__ import annotations

import pandas as pd

from alignkit.draft.lookups import guess_join, match_keys


def test_the_key_matching_most_leads_keys_wins_and_spacing_is_folded():
    products = pd.DataFrame({"product": ["GTX Pro", "MG Special", "GTK 500"], "price": [1, 2, 3]})
    leads = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "product": ["GTXPro", "MG Special", "GTK 500", "GTK 500"],
            "agent": ["x", "y", "x", "y"],
        }
    )
    join = guess_join(products, leads)
    assert (join.key, join.on_column, join.matched_share, join.unmatched) == ("product", "product", 1.0, 0)


def test_near_misses_and_misses_are_counted():
    keys = pd.Series(["Account Alpha Inc", "Account Beta Inc"])
    values = pd.Series(["Account Alpha Inc", "Account Beta Inc.", "Acount Alpha Inc", "Acme Unlisted Corp"])
    assert match_keys(keys, values) == (2, 1, 1, 4)  # 'Beta Inc.' folds equal; 'Acount' is a near miss


def test_no_join_when_no_values_match():
    assert guess_join(pd.DataFrame({"k": ["p", "q"]}), pd.DataFrame({"c": ["x", "y"]})) is None
