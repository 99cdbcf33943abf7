"""Privacy: pseudonymise identifiers with a keyed hash, find PII by what columns hold (not their names), scrub PII
in text, suppress small groups."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignkit.text import strings_from_codes

EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Phone-number candidates: digits with the usual separators; a candidate counts as a phone number only if it
# has 9 to 15 digits, so ranges such as "200-499" and years are not mistaken for one.
PHONE_PATTERN = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{6,}\d(?![\w])")
PHONE_DIGITS = (9, 15)
# A column *named* as personal data: the PII word ends the name ("work_email", "phone_number"), so that
# behaviour counts such as "email_opens" are not mistaken for PII.
PII_NAME_PATTERN = re.compile(
    r"(^|_)(e_?mail(_address)?|first_?name|last_?name|full_?name|name|phone(_number)?|"
    r"mobile(_phone)?|street(_address)?|address|ip_address|postcode|zip(_code)?)$"
)
# A person's name by its shape: two to four capitalised words ("Ana María López", "O'Brien-Smith, Jo"), or one
# capitalised word in a column of many different ones (a first-name column). Words that name a role, a company
# or a place are not a person's name, so job titles, company names and regions are not taken for names.
NAME_WORD = r"[A-ZÀ-Þ][a-zß-ÿ]*(?:['’\-][A-Za-zÀ-ÿ]+)*\.?"
NAME_PATTERN = re.compile(
    rf"^(?:{NAME_WORD})(?:,?\s+(?:(?:van|von|de|da|del|der|di|la|le|y|bin|al)\s+)*{NAME_WORD}){{0,3}}$"
)
NOT_NAME_WORDS = frozenset(
    [
        "manager",
        "director",
        "head",
        "officer",
        "chief",
        "lead",
        "engineer",
        "analyst",
        "developer",
        "consultant",
        "specialist",
        "executive",
        "assistant",
        "president",
        "owner",
        "founder",
        "partner",
        "associate",
        "coordinator",
        "administrator",
        "designer",
        "architect",
        "scientist",
        "representative",
        "sales",
        "marketing",
        "finance",
        "operations",
        "support",
        "product",
        "services",
        "service",
        "solutions",
        "systems",
        "software",
        "technology",
        "technologies",
        "group",
        "holdings",
        "inc",
        "ltd",
        "llc",
        "gmbh",
        "corp",
        "corporation",
        "company",
        "co",
        "plc",
        "limited",
        "partners",
        "industries",
        "labs",
        "international",
        "global",
        "bank",
        "university",
        "school",
        "college",
        "hospital",
        "agency",
        "media",
        "consulting",
        "search",
        "organic",
        "paid",
        "social",
        "email",
        "referral",
        "direct",
        "display",
        "event",
        "events",
        "webinar",
        "campaign",
        "north",
        "south",
        "east",
        "west",
        "central",
        "united",
        "states",
        "kingdom",
        "america",
        "europe",
        "asia",
        "africa",
        "new",
        "san",
        "los",
        "city",
        "county",
        "province",
        "region",
        "yes",
        "no",
        "true",
        "false",
        "none",
        "other",
        "unknown",
    ]
)
NAME_MIN_DISTINCT = 20
# what a value must hold to be an email, a phone number or a name at all (Unicode digits and capitals, as Python's re)
PII_PREFILTER = {"email": "@", "phone": r"\p{Nd}", "name": "^[A-ZÀ-Þ]"}
PII_SAMPLE = 20_000
FREE_TEXT_MIN_DISTINCT = 10
KEY_LENGTH = 16
SUPPRESSED = "suppressed"


def normalise_email(emails: pd.Series) -> pd.Series:
    """Return emails stripped of surrounding spaces and lower-cased (NA stays NA, '' becomes NA)."""
    cleaned = emails.astype("str").str.strip().str.lower()
    return cleaned.where(cleaned.str.len() > 0)


def pseudonymise(values: pd.Series, *, salt: str, distinct: bool = False) -> pd.Series:
    """Return a stable keyed hash (BLAKE2b in its keyed mode, 16 hex digits) of each value; NA stays NA.

    The same value and salt always give the same key, so keys link tables without revealing the value;
    without the salt a key cannot be recomputed from a guessed email. (Keyed BLAKE2b is a MAC like HMAC-SHA256,
    and four times faster.) Each distinct value is hashed once, from its UTF-8 bytes in Arrow, and the digests are
    written out as hex in one call: a million ids in about 0.8 s. `distinct` says the values are already distinct
    (an id column checked unique), so they are hashed as they stand, without grouping them first.
    """
    key = salt.encode("utf-8")
    if len(key) > 64:  # BLAKE2b takes a key of at most 64 bytes: a longer salt is hashed first
        key = hashlib.blake2b(key).digest()
    keyed = hashlib.blake2b(key=key, digest_size=KEY_LENGTH // 2)

    def digest(value: bytes, start=keyed.copy) -> bytes:
        state = start()
        state.update(value)
        return state.digest()

    def hashed(texts: pa.Array) -> pa.Array:
        hexed = b"".join(map(digest, texts.cast(pa.large_binary()).to_pylist())).hex().encode("ascii")
        offsets = np.arange(0, KEY_LENGTH * (len(texts) + 1), KEY_LENGTH, dtype=np.int64)  # KEY_LENGTH characters each
        return pa.LargeStringArray.from_buffers(len(texts), pa.py_buffer(offsets), pa.py_buffer(hexed))

    text = values.astype("str")
    if distinct and not text.hasnans:
        return pd.Series(pd.array(hashed(pa.array(text, type=pa.large_string())), dtype=text.dtype), index=values.index)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    out = strings_from_codes(codes, hashed(pa.array(uniques, type=pa.large_string())))
    out.index = values.index
    return out


def looks_like_pii_column(name: str) -> bool:
    """Return True when a column name says it holds personal data (email, names, phone, address)."""
    snake = re.sub(r"[\s\-./]+", "_", name.strip().lower())
    return bool(PII_NAME_PATTERN.search(snake))


def pii_share(values: pd.Series) -> float:
    """Return the share of non-blank values that contain an email address or a phone number."""
    text = values.dropna().astype("str")
    if text.empty:
        return 0.0
    found = text.str.contains(EMAIL_PATTERN) | text.map(lambda v: _replace_phones(v) != v)
    return float(found.mean())


def _looks_like_name(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.lower())
    return bool(NAME_PATTERN.match(text)) and not any(w in NOT_NAME_WORDS for w in words)


DECIMAL_NUMBER = re.compile(r"[+-]?\d+\.\d+")


def _is_whole_phone(text: str) -> bool:
    if DECIMAL_NUMBER.fullmatch(text.strip()):
        return False  # "4.333333333" or "-1.2217" is a measure, not a phone number written with dots
    match = PHONE_PATTERN.fullmatch(text.strip())
    return match is not None and _is_phone(match.group(0))


def pii_kind(values: pd.Series, *, threshold: float = 0.5) -> str | None:
    """Return "email", "phone" or "name" when at least `threshold` of the non-blank cells hold one (read from the
    values, never the header), else None. A name column also needs 20+ different values, so a category such as
    "Enterprise" / "Startup" is not taken for names. Reads the distinct values only: fast on a million rows."""
    if (
        pd.api.types.is_bool_dtype(values)
        or pd.api.types.is_numeric_dtype(values)
        or pd.api.types.is_datetime64_any_dtype(values)
    ):
        return None
    if len(values) > 3 * PII_SAMPLE:  # sampled before any text work: a share is read from a sample anyway
        values = _sample(values, 3 * PII_SAMPLE)
    text = values.dropna().astype("str").str.strip()
    text = text[text != ""]
    if text.empty:
        return None
    if len(text) > PII_SAMPLE:
        text = _sample(text, PII_SAMPLE)  # a share is all we need; the same sample every run
    counts = text.value_counts(sort=False)
    distinct = pa.array(counts.index, type=pa.large_string())
    weights = counts.to_numpy() / counts.sum()
    checks = {"email": lambda v: bool(EMAIL_PATTERN.fullmatch(v)), "phone": _is_whole_phone, "name": _looks_like_name}
    for kind, check in checks.items():
        # RE2 rules out at once the values that cannot pass (no "@", no digit, no capital first): Python checks the rest
        could = pc.match_substring_regex(distinct, PII_PREFILTER[kind]).to_numpy(zero_copy_only=False)
        hits = np.zeros(len(distinct), dtype=bool)
        hits[could] = [check(v) for v in pc.filter(distinct, could).to_pylist()]
        if kind == "name" and hits.sum() < NAME_MIN_DISTINCT:
            continue
        if float(weights[hits].sum()) >= threshold:
            return kind
    return None


def _sample(values: pd.Series, size: int) -> pd.Series:
    """Return `size` rows of `values` drawn without replacement, in their order; the same rows every run.
    (numpy's Generator draws them without permuting every row: pandas' sample of a million rows costs 50 ms.)"""
    return values.iloc[_sample_positions(len(values), size)]


@functools.lru_cache(maxsize=8)
def _sample_positions(rows: int, size: int) -> np.ndarray:
    """Return `size` sorted row positions out of `rows`, the same each call (a table's columns share one draw)."""
    positions = np.sort(np.random.default_rng(0).choice(rows, size, replace=False))
    positions.flags.writeable = False
    return positions


def _is_phone(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    return PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]


def _replace_phones(text: str) -> str:
    return PHONE_PATTERN.sub(lambda m: "[phone]" if _is_phone(m.group(0)) else m.group(0), text)


def scrub_text(values: pd.Series) -> tuple[pd.Series, int]:
    """Return text with emails and phone numbers replaced by [email] / [phone], and how many values changed."""
    text = values.astype("str")
    # map() of an all-missing column returns float64; keep the text dtype so the comparison below stays text.
    scrubbed = (
        text.str.replace(EMAIL_PATTERN, "[email]", regex=True).map(_replace_phones, na_action="ignore").astype("str")
    )
    changed = int((scrubbed.fillna("") != text.fillna("")).sum())
    return scrubbed, changed


def _free_text(values: pd.Series) -> bool:
    """True for text with many different values (not a flag, a number, a date or a short list of categories)."""
    if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
        return False
    text = values.dropna().astype("str").head(PII_SAMPLE)
    distinct = text.nunique()
    return distinct > FREE_TEXT_MIN_DISTINCT and distinct > 0.5 * len(text)


def detect_pii_columns(
    frame: pd.DataFrame,
    *,
    threshold: float = 0.5,
    skip: Iterable[str] = (),
    personal: Callable[[str, pd.Series], bool] | None = None,
) -> list[str]:
    """Return the columns that hold personal data by their values: by default mostly emails, phone numbers or
    names (pii_kind); `personal(column, values)` decides instead where given (alignkit.meaning tells people's names
    from organisations and places). A column only *named* like personal data is PII too when it holds free text
    (many different values), as a precaution; a yes/no flag or a short category list named "Do Not Email" is an
    attribute."""
    skip = set(skip)
    decide = personal or (lambda column, values: pii_kind(values, threshold=threshold) is not None)
    return [
        column
        for column in frame.columns
        if column not in skip
        and (decide(str(column), frame[column]) or (looks_like_pii_column(str(column)) and _free_text(frame[column])))
    ]


def pii_suggestions(frame: pd.DataFrame, *, threshold: float = 0.5) -> list[tuple[str, str]]:
    """Return (column, note) for columns named like personal data whose values do not look like it, so they are
    kept as attributes: a suggestion to add a column to privacy.pii_columns if it is personal data after all."""
    out = []
    for column in frame.columns:
        values = frame[column]
        if (
            looks_like_pii_column(str(column))
            and pii_kind(values, threshold=threshold) is None
            and not _free_text(values)
        ):
            shown = ", ".join(repr(str(v)) for v in values.dropna().astype("str").value_counts().index[:3])
            out.append(
                (
                    str(column),
                    f"named like personal data but its values ({shown or 'all blank'}) are not "
                    "emails, phones or names: kept as an attribute. If it is personal data, add it "
                    "to privacy.pii_columns in alignkit.yml.",
                )
            )
    return out


def suppress_small_groups(
    table: pd.DataFrame, *, count_column: str = "n", min_group_size: int, value_columns: Iterable[str] | None = None
) -> pd.DataFrame:
    """Return a copy where rows with fewer than `min_group_size` members show no figures (counts and values NA).

    A suppressed row keeps its label so a reader sees that a group existed but was too small to show.
    """
    out = table.copy()
    small = out[count_column] < min_group_size
    columns = (
        list(value_columns)
        if value_columns is not None
        else [
            c for c in out.columns if pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])
        ]
    )
    for column in columns:
        out[column] = out[column].astype("Float64").mask(small)
    out["suppressed"] = small
    return out
