"""Persona names a marketer would keep: each persona named from the answers that set it apart most, in words —
a question's short label with the answer or level ("Team: IT · Data security is our top…: Strongly agree") —
never a bare option ("No", "average (3)"), a value of a field that does not form the personas, or an empty slot."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from alignkit.meaning.survey import NON_ANSWERS, question_label
from alignkit.personas.profiles import short_question

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "with",
        "by",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "do",
        "does",
        "did",
        "you",
        "your",
        "yours",
        "we",
        "our",
        "us",
        "i",
        "my",
        "me",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "which",
        "what",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "how",
        "why",
        "would",
        "could",
        "should",
        "will",
        "can",
        "may",
        "might",
        "much",
        "many",
        "often",
        "likely",
        "each",
        "following",
        "please",
        "select",
        "all",
        "apply",
        "best",
        "describes",
        "overall",
        "about",
        "any",
        "there",
        "they",
        "their",
        "them",
        "have",
        "has",
        "had",
        "most",
        "one",
    ]
)


_CUT = frozenset(
    [
        "for",
        "at",
        "in",
        "to",
        "from",
        "with",
        "about",
        "through",
        "before",
        "than",
        "after",
        "during",
        "into",
        "over",
        "per",
    ]
)
ITEM_MAX_CHARS = 40


def short_label(question: str, *, words: int = 3) -> str:
    """Return a question's short label: its first content words up to a preposition once two are found ('How
    many people work at your company?' -> 'People work'; 'What is your main goal for the next 12 months?' ->
    'Main goal'), at most `words` of them."""
    text = short_question(question_label(question))
    if len(text.split()) <= 4 and "?" not in text:
        return text[:1].upper() + text[1:]  # already a label ('Household Income', 'Store purchases')
    found: list[str] = []
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9'+-]*", text):
        if token.lower() in _CUT and len(found) >= 2:
            break
        if token.lower() not in _STOP and token.lower() not in _CUT:
            found.append(token)
    label = " ".join(found[:words]) or short_question(question)
    return label[:1].upper() + label[1:]


def item_label(item: str) -> str:
    """Return a grid item as a label: the item itself, cut at a word before ITEM_MAX_CHARS characters with '…'."""
    text = " ".join(str(item).split())
    if len(text) <= ITEM_MAX_CHARS:
        return text
    return text[:ITEM_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _level(codebook: pd.DataFrame | None, column: str, score: float) -> str:
    """Return the scale label nearest a mean score (1-based), with its scale when the label is a bare number."""
    if codebook is None or column not in set(codebook["column"]):
        return ""
    options = list(codebook.set_index("column").at[column, "options"])
    if not options or not np.isfinite(score):
        return ""
    label = str(options[int(np.clip(round(score), 1, len(options))) - 1])
    if not re.fullmatch(r"\d+", label):
        return label
    low, high = (re.match(r"\d+", str(o)) for o in (options[0], options[-1]))
    return f"{label} on {low.group()}–{high.group()}" if low and high else label


def _scale_side(options: Sequence[str], higher: bool) -> tuple[list[int], str]:
    """Return the 0-based codes of a scale's upper (or lower) side, and that side in words ('Agree or Strongly
    agree', '500-999 employees to 1000+ employees'): the levels above (below) the midpoint."""
    n = len(options)
    codes = [i for i in range(n) if (i > (n - 1) / 2 if higher else i < (n - 1) / 2)]
    if not codes:
        return [], ""
    words = [str(options[i]) for i in codes]
    if not higher and len(words) == 2:
        words = words[::-1]  # nearest the midpoint first: 'Disagree or strongly disagree'
    text = (
        words[0]
        if len(words) == 1
        else (
            f"{words[0]} or {words[1][:1].lower() + words[1][1:]}"
            if len(words) == 2
            else f"{words[0]} to {words[-1][:1].lower() + words[-1][1:]}"
        )
    )
    return codes, text


def _options(codebook: pd.DataFrame | None, column: str, values: pd.Series) -> list[str]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [str(o) for o in values.cat.categories]
    if codebook is not None and column in set(codebook["column"]):
        return [str(o) for o in codebook.set_index("column").at[column, "options"]]
    return []


def trait_phrase(
    trait: pd.Series,
    codebook: pd.DataFrame | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    values: pd.Series | None = None,
) -> str:
    """Return a persona-name part in words: the question's short label (the project file's `labels` win) with the
    answer, e.g. 'Team work: IT', 'Look information: Search engines', 'Low prices: Agree or strongly agree',
    'People team: more than 12' — never 'higher' or 'lower' without saying what."""
    kind, column = trait["kind"], str(trait["column"])
    item = str(trait.get("item") or "")
    labels = labels or {}
    group = str(trait.get("group") or "")
    grid_item = item and item not in ("nan", "None") and kind in ("likert", "numeric", "single")
    label = (
        labels.get(column)
        or (item_label(item) if grid_item else None)
        or labels.get(group)
        or short_label(trait["question"])
    )
    higher = float(trait["std_diff"]) > 0
    if kind in ("single", "multi"):
        return f"{label}: {trait['answer']}"
    if kind == "likert":
        options = (
            _options(codebook, column, values)
            if values is not None
            else (
                list(codebook.set_index("column").at[column, "options"])
                if codebook is not None and column in set(codebook["column"])
                else []
            )
        )
        side = _scale_side(options, higher)[1] if options else ""
        level = side or _level(codebook, column, trait["value_in"])
        return f"{label}: {level or ('above' if higher else 'below') + ' the average'}"
    median = trait.get("overall_median")
    if median is not None and np.isfinite(median):
        return f"{label}: {'more' if higher else 'less'} than {median:,.3g}"
    return (
        f"{label}: {'above' if higher else 'below'} the average ({trait['value_in']:,.3g} vs {trait['value_out']:,.3g})"
    )


def _giving(values: pd.Series, trait: pd.Series, codebook: pd.DataFrame | None) -> tuple[pd.Series, float]:
    """Return which respondents gave the answer a trait names (False for a blank: unasked is not an answer), and
    the overall median for a number."""
    kind = trait["kind"]
    if kind == "single":
        return (values.astype("object") == trait["answer"]).fillna(False).astype(bool), np.nan
    if kind == "multi":
        return values.astype("boolean").fillna(False).astype(bool), np.nan
    if kind == "likert":
        codes, _ = _scale_side(_options(codebook, str(trait["column"]), values), float(trait["std_diff"]) > 0)
        return pd.Series(values.cat.codes.isin(codes).to_numpy(), index=values.index), np.nan
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    median = float(numbers.median())
    given = numbers > median if float(trait["std_diff"]) > 0 else numbers < median
    return given.fillna(False).astype(bool), median


def _content_words(question: str) -> list[str]:
    tokens = re.findall(r"[A-Za-z0-9][A-Za-z0-9'+-]*", short_question(question_label(question)))
    return [t for t in tokens if t.lower() not in _STOP and t.lower() not in _CUT]


def distinct_labels(codebook: pd.DataFrame, columns: Sequence[str]) -> dict[str, str]:
    """Return column -> label for the questions among `columns` whose short labels would collide ('Consider
    yourself' for both 'Do you consider yourself a fan of Star Wars?' and '… of Star Trek?'): the short label with
    the first words that tell them apart ('Consider yourself (Star Wars)', 'Consider yourself (Star Trek)')."""
    book = codebook.drop_duplicates("column").set_index("column")
    items = book["item"] if "item" in book else pd.Series(dtype=object)
    # a grid's items are labelled by their item ('Data security is our top…'), never by the shared question
    texts = {
        c: str(book.at[c, "question"])
        for c in columns
        if c in book.index
        and str(items.get(c, "")) in ("", "nan", "None", "<NA>")
        and " - " not in question_label(str(book.at[c, "question"]))
    }  # a plain export's "Question - Item"
    groups = {c: str(book.at[c, "group"]) if "group" in book and pd.notna(book.at[c, "group"]) else c for c in texts}
    by_label: dict[str, dict[str, str]] = {}
    for c, text in texts.items():
        by_label.setdefault(short_label(text), {})[groups[c]] = c
    out: dict[str, str] = {}
    for label, members in by_label.items():
        if len(members) < 2:
            continue
        words = {g: _content_words(texts[c]) for g, c in members.items()}
        prefix = len(os.path.commonprefix(list(words.values())))  # noqa: RUF071 (lists of words: their common first words)
        taken = set(label.split())
        for group, column in members.items():
            # the word where they part, with the one before it unless the label has it ('Star Wars', 'Star Trek')
            extra = [w for w in words[group][max(prefix - 1, 0) : prefix + 1] if w not in taken]
            tagged = f"{label} ({' '.join(extra)})" if extra else f"{label} ({column})"
            out.update({c: tagged for c, g in groups.items() if g == group})
    return out


def named_answers(
    responses: pd.DataFrame,
    persona_id: pd.Series,
    traits: pd.DataFrame,
    *,
    features: Sequence[str] | None = None,
    codebook: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
    min_member_share: float = 0.5,
) -> pd.DataFrame:
    """Return, per persona, the answers a name may use: each answer that sets the persona apart (``sets_apart``:
    significant after the FDR correction and at least a small effect), from the answers that form the personas
    (`features`), in words (``trait_phrase``), with how many of the persona's members gave it. Only answers that at
    least `min_member_share` of the members gave are kept, so a name never claims what most of them did not answer
    (members who were never asked count as not giving it). Columns: persona_id, column, phrase, members_giving,
    members, share, std_diff; most distinctive first, at most one answer per question."""
    columns = ["persona_id", "column", "phrase", "members_giving", "members", "share", "std_diff"]
    apart = traits[traits["sets_apart"]]
    if features is not None:
        apart = apart[apart["column"].isin(list(features))]
    apart = apart[(apart["std_diff"] > 0) | apart["kind"].isin(["likert", "numeric"])]
    apart = apart.assign(size=apart["std_diff"].abs()).sort_values("size", ascending=False, kind="stable")
    groups = dict(zip(codebook["column"], codebook["group"])) if codebook is not None and "group" in codebook else {}
    if codebook is not None:
        labels = {
            **distinct_labels(codebook, list(features) if features is not None else list(apart["column"])),
            **(labels or {}),
        }
    ids = pd.Series(np.asarray(persona_id), index=responses.index)
    rows = []
    for pid, mine in apart.groupby("persona_id", sort=True):
        members = (ids == pid).to_numpy()
        seen: set[str] = set()
        for _, trait in mine.iterrows():
            column = str(trait["column"])
            group = str(groups.get(column, column))
            if (
                group in seen
                or column not in responses
                or (trait["kind"] in ("single", "multi") and str(trait["answer"]).strip().casefold() in NON_ANSWERS)
            ):
                continue  # 'Not selected', 'None of the above' … say nothing about who the persona is
            values = responses[column]
            given, median = _giving(values, trait, codebook)
            count = int(given.to_numpy()[members].sum())
            share = count / max(int(members.sum()), 1)
            if share < min_member_share:
                continue
            seen.add(group)
            described = pd.concat([trait, pd.Series({"group": group, "overall_median": median})])
            phrase = trait_phrase(described, codebook, labels=labels, values=values)
            rows.append(
                {
                    "persona_id": int(pid),
                    "column": column,
                    "phrase": phrase,
                    "members_giving": count,
                    "members": int(members.sum()),
                    "share": share,
                    "std_diff": float(trait["std_diff"]),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def auto_names(
    named: pd.DataFrame, persona_ids: Sequence[int], *, overrides: Mapping[int, str] | None = None, parts: int = 2
) -> dict[int, str]:
    """Return a short name per persona from `named` (``named_answers``): its `parts` most distinctive answers that
    most of its members gave ('Team: IT · Data security is our top…: Agree or strongly agree'). A name is made unique
    by adding the persona's next answer, never a bare number; `overrides` (the project file's personas.names) win."""
    phrases = {int(pid): list(named.loc[named["persona_id"] == pid, "phrase"]) for pid in persona_ids}
    names = {
        pid: " · ".join(found[:parts]) or f"Persona {pid}: no answer most of them gave sets it apart"
        for pid, found in phrases.items()
    }
    for extra in range(parts, parts + 4):
        clashes = {n for n in names.values() if list(names.values()).count(n) > 1}
        for pid in [p for p, n in names.items() if n in clashes]:
            if len(phrases[pid]) > extra:
                names[pid] = f"{names[pid]} · {phrases[pid][extra]}"
    for pid, name in (overrides or {}).items():
        if int(pid) in names:
            names[int(pid)] = name
    seen: dict[str, int] = {}
    for pid in sorted(names):
        seen[names[pid]] = seen.get(names[pid], 0) + 1
        if seen[names[pid]] > 1:
            names[pid] = f"{names[pid]} · persona {pid}"
    return names
