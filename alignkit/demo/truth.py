"""Judge notebook 01's cleaning against the demo's planted truth: for each kind of planted dirt, how much was
found (recall) and how much of what was flagged was planted (precision).

Used by the planted-truth tests and by `bench/planted_dirt.py`, which prints the scorecard for the closing note.
Only meaningful on the demo exports (it reads demo_truth.json); no notebook calls it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from alignkit.config import ProjectSettings
from alignkit.demo.design import SPELLING_VARIANTS
from alignkit.ingest.files import read_export
from alignkit.prepare.tables import PreparedData
from alignkit.privacy import pseudonymise

SCORECARD_COLUMNS = ("kind", "planted", "flagged", "found", "recall", "precision")


def load_truth(settings: ProjectSettings) -> dict:
    """Return the planted truth written beside the demo exports (data/raw/demo_truth.json)."""
    path = settings.raw_path("demo_truth.json")
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _keys(values: Iterable[object], settings: ProjectSettings) -> set[str]:
    return set(pseudonymise(pd.Series(list(values), dtype="str"), salt=settings.pseudonym_salt()))


def _row(kind: str, flagged: set, planted: set) -> dict[str, object]:
    found = len(flagged & planted)
    return {
        "kind": kind,
        "planted": len(planted),
        "flagged": len(flagged),
        "found": found,
        "recall": found / len(planted) if planted else 1.0,
        "precision": found / len(flagged) if flagged else 1.0,
    }


def _spelling_row(
    leads: pd.DataFrame, settings: ProjectSettings, raw: pd.DataFrame, column: str, canonical: str
) -> dict[str, object]:
    """Cells planted with a variant spelling vs cells that cleaning changed; a change counts as found only if it
    restored the canonical spelling."""
    raw = raw.assign(lead_key=pseudonymise(raw["Record ID"], salt=settings.pseudonym_salt()))
    merged = raw.merge(leads[["lead_key", canonical]], on="lead_key")
    inverse = {v: k for k, variants in SPELLING_VARIANTS[column].items() for v in variants}
    planted = set(merged.index[merged[column].isin(inverse)])
    expected = merged[column].map(lambda v: inverse.get(v, v))
    changed = merged[column] != merged[canonical]
    correct = merged[canonical] == expected
    flagged = set(merged.index[changed])
    return {
        **_row(f"inconsistent spellings ({column})", flagged, planted),
        "found": len(set(merged.index[changed & correct]) & planted),
        "recall": len(set(merged.index[changed & correct]) & planted) / max(1, len(planted)),
    }


def dirt_scorecard(data: PreparedData, truth: dict, settings: ProjectSettings) -> pd.DataFrame:
    """Return one row per kind of planted dirt: planted, flagged, found, recall and precision."""
    dirt = truth["dirt"]
    leads, responses = data.leads, data.responses
    if leads is None or responses is None:
        raise ValueError("the demo's dirt is planted in both its CRM and its survey export: prepare both first")
    rows = []
    raw = read_export(settings.raw_path("hubspot_contacts.csv"))[1].dropna(subset=["Record ID"])
    kept = set(leads["lead_key"])
    removed = _keys(raw["Record ID"], settings) - kept
    duplicates = _keys(dirt["duplicates"]["record_ids"], settings)
    tests = _keys(dirt["test_records"]["record_ids"], settings)
    # A removed record is attributed to the cleaning step that explains it: test records to the test filter,
    # everything else removed to de-duplication.
    rows.append(_row("duplicate contacts", removed - tests, duplicates))
    rows.append(_row("test / internal records", removed - duplicates, tests))
    for flag, kind in (("is_speeder", "speeders"), ("is_straightliner", "straightliners")):
        rows.append(
            _row(
                kind, set(responses.loc[responses[flag], "respondent_key"]), _keys(dirt[kind]["response_ids"], settings)
            )
        )
    for column, canonical in (("Industry", "industry"), ("Country/Region", "country")):
        rows.append(_spelling_row(leads, settings, raw, column, canonical))
    log = data.cleaning_log
    parsed = int(
        log[(log["step"] == "parse_dates") & (log["column"] == "created_at") & log["reason"].str.contains("non-ISO")][
            "rows_affected"
        ].sum()
    )
    planted_dates = int(dirt["mixed_date_formats"]["Create Date"])
    rows.append(
        {
            "kind": "mixed date formats (Create Date)",
            "planted": planted_dates,
            "flagged": parsed,
            "found": min(parsed, planted_dates),
            "recall": min(parsed, planted_dates) / max(1, planted_dates),
            "precision": min(parsed, planted_dates) / max(1, parsed),
        }
    )
    blank = log[log["step"] == "drop_blank_rows"].set_index("table")["rows_affected"]
    for table, key in (("leads", "contacts"), ("responses", "survey")):
        planted_blank, dropped = int(dirt["blank_rows"][key]), int(blank.get(table, 0))
        found = min(planted_blank, dropped)
        rows.append(
            {
                "kind": f"blank rows ({key})",
                "planted": planted_blank,
                "flagged": dropped,
                "found": found,
                "recall": found / max(1, planted_blank),
                "precision": found / max(1, dropped),
            }
        )
    bom_files = dirt["bom"]
    clean_headers = [
        name for name in bom_files if not str(read_export(settings.raw_path(name))[1].columns[0]).startswith("\ufeff")
    ]
    rows.append(
        {
            "kind": "UTF-8 byte-order mark",
            "planted": len(bom_files),
            "flagged": len(clean_headers),
            "found": len(clean_headers),
            "recall": len(clean_headers) / max(1, len(bom_files)),
            "precision": 1.0,
        }
    )
    scrubbed = int(log.loc[log["step"] == "scrub_pii_in_text", "rows_affected"].sum())
    planted_pii = int(dirt["pii_in_open_text"])
    found_pii = min(scrubbed, planted_pii)
    rows.append(
        {
            "kind": "emails / phones in open text",
            "planted": planted_pii,
            "flagged": scrubbed,
            "found": found_pii,
            "recall": found_pii / max(1, planted_pii),
            "precision": found_pii / max(1, scrubbed),
        }
    )
    links = truth["survey"]["linked"]["response_to_record_id"]
    expected = dict(zip(_keys_ordered(links.keys(), settings), _keys_ordered(links.values(), settings)))
    got = responses.set_index("respondent_key")["lead_key"].dropna()
    correct = sum(got.get(r) == k for r, k in expected.items())
    rows.append(
        {
            "kind": "linkable respondents linked",
            "planted": len(expected),
            "flagged": len(got),
            "found": correct,
            "recall": correct / max(1, len(expected)),
            "precision": correct / max(1, len(got)),
        }
    )
    return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))


def _keys_ordered(values: Iterable[object], settings: ProjectSettings) -> list[str]:
    return list(pseudonymise(pd.Series(list(values), dtype="str"), salt=settings.pseudonym_salt()))
