"""Persona names a marketer would keep: each persona named from the answers that set it apart most, in words —
a question's short label with the answer or level ("Team: IT · Data security is our top…: Strongly agree") —
never a bare option ("No", "average (3)"), a value of a field that does not form the personas, or an empty slot."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from alignkit.personas.profiles import short_question

_STOP = frozenset("""a an the of to in on at for from with by and or is are was were be do does did you your yours
we our us i my me it its this that these those which what who whom whose when where how why would could should will
can may might much many often likely each following please select all apply best describes overall about any there
they their them have has had most one""".split())


_CUT = frozenset("for at in to from with about through before than after during into over per".split())
ITEM_MAX_CHARS = 40


def short_label(question: str, *, words: int = 3) -> str:
    """Return a question's short label: its first content words up to a preposition once two are found ('How
    many people work at your company?' -> 'People work'; 'What is your main goal for the next 12 months?' ->
    'Main goal'), at most `words` of them."""
    found: list[str] = []
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9'+-]*", short_question(question)):
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
    ends = [re.match(r"\d+", str(o)) for o in (options[0], options[-1])]
    return f"{label} on {ends[0].group()}–{ends[1].group()}" if all(ends) else label


def trait_phrase(trait: pd.Series, codebook: pd.DataFrame | None = None) -> str:
    """Return a persona-name part in words: the question's short label with the answer or level, e.g.
    'Team work: IT', 'Look information: Search engines', 'Low prices: Extremely important', 'Team size: higher'."""
    kind = trait["kind"]
    item = str(trait.get("item") or "")
    label = item_label(item) if item and kind in ("likert", "numeric") else short_label(trait["question"])
    if kind == "single":
        return f"{label}: {trait['answer']}"
    if kind == "multi":
        return f"{label}: {trait['answer']}"
    if kind == "likert":
        return f"{label}: {_level(codebook, trait['column'], trait['value_in']) or ('higher' if trait['std_diff'] > 0 else 'lower')}"
    return f"{label}: {'higher' if trait['std_diff'] > 0 else 'lower'}"


def auto_names(traits: pd.DataFrame, persona_ids: Sequence[int], *, overrides: Mapping[int, str] | None = None,
               features: Sequence[str] | None = None, codebook: pd.DataFrame | None = None,
               parts: int = 2) -> dict[int, str]:
    """Return a short name per persona from what sets it apart most, in words: `parts` phrases of a question's short
    label with its answer ('Team: IT · Data security is our top…: Strongly agree'), only from the answers that form
    the personas (`features`; default all). A name is made unique by adding the persona's next trait, never a
    bare number; `overrides` (the project file's personas.names) win."""
    apart = traits[traits["sets_apart"] & (traits["std_diff"] > 0)]
    if features is not None:
        apart = apart[apart["column"].isin(list(features))]
    apart = apart.assign(size=apart["std_diff"].abs()).sort_values("size", ascending=False, kind="stable")
    phrases: dict[int, list[str]] = {}
    for pid in persona_ids:
        mine = apart[apart["persona_id"] == pid]
        found = []
        for _, trait in mine.iterrows():
            phrase = trait_phrase(trait, codebook)
            if phrase not in found and not phrase.endswith(": "):
                found.append(phrase)
        phrases[int(pid)] = found
    names = {pid: " · ".join(found[:parts]) or f"Persona {pid}: no answer sets it apart" for pid, found in phrases.items()}
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
