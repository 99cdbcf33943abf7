"""Privacy: keyed hashes are stable and salted, PII is found by name and by content, small groups are suppressed."""

from __future__ import annotations

import pandas as pd

from alignkit import privacy


def test_pseudonyms_are_stable_salted_and_keep_missing_values():
    ids = pd.Series(["100001", "100002", None], dtype="str")
    first = privacy.pseudonymise(ids, salt="s1")
    assert first.iloc[0] == privacy.pseudonymise(ids, salt="s1").iloc[0]
    assert first.iloc[0] != privacy.pseudonymise(ids, salt="s2").iloc[0]
    assert first.iloc[0] != first.iloc[1] and len(first.iloc[0]) == privacy.KEY_LENGTH
    assert pd.isna(first.iloc[2])
    assert "100001" not in "".join(first.dropna())


def test_pseudonyms_are_the_keyed_blake2b_hex_of_each_value_whichever_way_they_are_computed():
    """The hex is written for all values in one call: each key must still be BLAKE2b(value, key=salt), 16 hex
    digits, the same for distinct ids hashed as they stand, repeated values grouped first, and any text."""
    import hashlib

    values = pd.Series(["100001", "ana@example.com", "Zoë Müller", "", "100001", None], dtype="str")
    expected = [
        hashlib.blake2b(v.encode(), key=b"s1", digest_size=privacy.KEY_LENGTH // 2).hexdigest() for v in values.iloc[:5]
    ]
    grouped = privacy.pseudonymise(values, salt="s1")
    assert grouped.iloc[:5].tolist() == expected and pd.isna(grouped.iloc[5]) and grouped.dtype == "str"
    ids = pd.Series([str(i) for i in range(1_000)], dtype="str", index=range(5, 1_005))
    as_they_stand = privacy.pseudonymise(ids, salt="s1", distinct=True)
    assert as_they_stand.equals(privacy.pseudonymise(ids, salt="s1")) and as_they_stand.index.equals(ids.index)
    assert privacy.pseudonymise(values, salt="s1", distinct=True).iloc[:5].tolist() == expected  # NA: grouped after all


def test_pii_columns_found_by_name_but_behaviour_counts_are_not():
    assert privacy.looks_like_pii_column("Work Email")
    assert privacy.looks_like_pii_column("phone_number")
    assert privacy.looks_like_pii_column("last_name")
    assert not privacy.looks_like_pii_column("email_opens")
    assert not privacy.looks_like_pii_column("company_size")


def test_pii_columns_found_by_content():
    frame = pd.DataFrame(
        {
            "contact": pd.Series(["ann@x.com", "bob@y.org", "n/a"], dtype="str"),
            "size": pd.Series(["10-49", "200-499", "1-9"], dtype="str"),
            "tel": pd.Series(["+1 (415) 555-0101", "+44 20 7946 0958", None], dtype="str"),
        }
    )
    assert privacy.detect_pii_columns(frame) == ["contact", "tel"]


def test_scrub_replaces_emails_and_phones_but_not_ranges_or_years():
    text = pd.Series(
        ["mail me at ann@x.com", "call +1 (415) 555-0101 today", "we have 200-499 staff since 2019", None], dtype="str"
    )
    scrubbed, changed = privacy.scrub_text(text)
    assert scrubbed.tolist()[:3] == ["mail me at [email]", "call [phone] today", "we have 200-499 staff since 2019"]
    assert pd.isna(scrubbed.iloc[3]) and changed == 2


def test_scrub_of_an_all_missing_column_keeps_text_and_warns_nothing():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scrubbed, changed = privacy.scrub_text(pd.Series([float("nan")] * 3))
    assert changed == 0 and scrubbed.isna().all() and pd.api.types.is_string_dtype(scrubbed)


def test_small_groups_keep_their_label_but_show_no_figures():
    table = pd.DataFrame({"source": ["Organic", "Tiny"], "n": [120, 4], "share": [0.4, 0.25]})
    out = privacy.suppress_small_groups(table, min_group_size=10)
    assert out["source"].tolist() == ["Organic", "Tiny"]
    assert out.loc[0, "n"] == 120 and pd.isna(out.loc[1, "n"]) and pd.isna(out.loc[1, "share"])
    assert out["suppressed"].tolist() == [False, True]
    assert table.loc[1, "n"] == 4  # the input is not changed


FIRST_NAMES = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Eva",
    "Farid",
    "Gita",
    "Hugo",
    "Inés",
    "Jon",
    "Kai",
    "Lena",
    "Mia",
    "Nils",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Vik",
]


def test_pii_kind_reads_emails_phones_and_names_from_the_values():
    assert privacy.pii_kind(pd.Series(["ann@x.com", " Bob@Y.org", "n/a", None], dtype="str")) == "email"
    assert privacy.pii_kind(pd.Series(["+1 (415) 555-0101", "020 7946 0958", "-"], dtype="str")) == "phone"
    assert privacy.pii_kind(pd.Series(FIRST_NAMES, dtype="str")) == "name"
    assert privacy.pii_kind(pd.Series([f"{n} O'Neill-Smith" for n in FIRST_NAMES], dtype="str")) == "name"
    assert privacy.pii_kind(pd.Series(["ann@x.com", "no", "no", "no"], dtype="str")) is None  # under half
    assert privacy.pii_kind(pd.Series(["ann@x.com", "no", "no", "no"], dtype="str"), threshold=0.25) == "email"


def test_pii_kind_leaves_flags_categories_titles_and_ranges_alone():
    # a yes/no flag named "Do Not Email" is an attribute: its values are not emails
    assert privacy.pii_kind(pd.Series(["Yes", "No", None] * 20, dtype="str")) is None
    assert privacy.pii_kind(pd.Series(["Enterprise", "Startup", "Agency"] * 20, dtype="str")) is None
    titles = [
        f"{level} {role}"
        for level in ("Marketing", "Sales", "Product", "Senior")
        for role in ("Manager", "Director", "Engineer", "Analyst", "Lead", "Officer")
    ]
    assert privacy.pii_kind(pd.Series(titles, dtype="str")) is None
    assert privacy.pii_kind(pd.Series(["200-499", "1000-4999", "2019"] * 10, dtype="str")) is None
    assert privacy.pii_kind(pd.Series([1.5, 2.5] * 20)) is None


def test_pii_is_found_by_content_and_a_do_not_email_flag_is_only_a_suggestion():
    n = 30
    frame = pd.DataFrame(
        {
            "do_not_email": pd.Series(["Yes", "No", "No"] * (n // 3), dtype="str"),
            "email_opens": [i % 7 for i in range(n)],
            "contact": pd.Series([f"person{i}@example.org" for i in range(n)], dtype="str"),
            "full_name": pd.Series([f"anna lee {i}" for i in range(n)], dtype="str"),  # named PII, free text: removed
            "assistant": pd.Series([f"{FIRST_NAMES[i % 22]} Okafor" for i in range(n)], dtype="str"),
        }
    )
    assert privacy.detect_pii_columns(frame) == ["contact", "full_name", "assistant"]
    [(column, note)] = privacy.pii_suggestions(frame)
    assert column == "do_not_email" and "privacy.pii_columns" in note and "'No'" in note
