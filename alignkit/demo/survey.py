"""The synthetic Qualtrics survey: respondents drawn from the personas with one company-size band oversampled, and
their export (two extra header rows, planted speeders, straightliners, blank rows and PII in open text, and
respondents linked to CRM leads)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from alignkit.demo.design import (
    ATTITUDES,
    CHANNELS,
    GOALS,
    INDUSTRIES,
    LIKERT_LABELS,
    LINKED_SHARE,
    N_BLANK_SURVEY_ROWS,
    N_RESPONSES,
    OVERSAMPLED_BAND,
    OVERSAMPLING_FACTOR,
    PERSONAS,
    PII_IN_TEXT_SHARE,
    REGIONS,
    ROLES,
    SIZE_BAND_LABELS,
    SIZE_BAND_LIMITS,
    SIZE_BANDS,
    SPEEDER_SHARE,
    STRAIGHTLINER_SHARE,
    SWITCH_CLAUSES,
    SWITCH_ENDINGS,
    export_timestamps,
    fake_people,
)


def survey_respondents(
    rng: np.random.Generator, *, shares: np.ndarray | None = None, n_responses: int = N_RESPONSES
) -> tuple[pd.DataFrame, dict]:
    """Draw respondents from the population with the oversampled band; return them and the population margins."""
    shares = np.array([p.population_share for p in PERSONAS]) if shares is None else np.asarray(shares, dtype=float)
    size_given = np.array([p.size for p in PERSONAS])
    region_given = np.array([p.region for p in PERSONAS])
    inclusion = np.where(np.array(SIZE_BANDS) == OVERSAMPLED_BAND, OVERSAMPLING_FACTOR, 1.0) / OVERSAMPLING_FACTOR
    chosen_persona: list[int] = []
    chosen_size: list[int] = []
    while len(chosen_persona) < n_responses:
        persona = rng.choice(len(PERSONAS), 4096, p=shares)
        size = np.array([rng.choice(len(SIZE_BANDS), p=size_given[p]) for p in persona])
        keep = rng.random(4096) < inclusion[size]
        chosen_persona.extend(persona[keep].tolist())
        chosen_size.extend(size[keep].tolist())
    persona = np.array(chosen_persona[:n_responses])
    size = np.array(chosen_size[:n_responses])
    region = np.array([rng.choice(len(REGIONS), p=region_given[p]) for p in persona])
    margins = {
        "company_size": dict(zip(SIZE_BAND_LABELS, np.round(shares @ size_given, 6).tolist())),
        "region": dict(zip(REGIONS, np.round(shares @ region_given, 6).tolist())),
    }
    return pd.DataFrame({"persona": persona, "size": size, "region": region}), margins


def survey_export(
    respondents: pd.DataFrame, leads: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[list[str]], dict]:
    """Return the Qualtrics answers (one row a response), its two extra header rows and the survey truth."""
    n = len(respondents)
    persona = respondents["persona"].to_numpy()
    answers: dict[str, object] = {}
    start = pd.Timestamp("2026-05-04 08:00") + pd.to_timedelta(np.sort(rng.uniform(0, 21 * 86400, n)).round(), unit="s")
    duration = np.round(np.exp(rng.normal(np.log(420), 0.3, n))).astype(int)
    speeder = rng.random(n) < SPEEDER_SHARE
    duration[speeder] = np.round(420 * rng.uniform(0.08, 0.22, speeder.sum())).astype(int)
    straight = rng.random(n) < STRAIGHTLINER_SHARE
    people = fake_people(rng, n, "r")
    # Link ~40% of respondents to CRM leads of the same company size (emails differ in case or spaces).
    linked = rng.random(n) < LINKED_SHARE
    band_of_lead = np.searchsorted([b[0] for b in SIZE_BAND_LIMITS], leads["employees"].to_numpy(), side="right") - 1
    pool = {b: list(rng.permutation(np.flatnonzero(band_of_lead == b))) for b in range(len(SIZE_BANDS))}
    lead_index = np.full(n, -1)
    for i in np.flatnonzero(linked):
        if pool[respondents["size"].iat[i]]:
            lead_index[i] = pool[respondents["size"].iat[i]].pop()
    linked = lead_index >= 0
    email = people["email"].to_numpy(dtype=object)
    lead_email = leads["email"].to_numpy(dtype=object)
    variation = rng.integers(0, 3, n)
    for i in np.flatnonzero(linked):
        e = lead_email[lead_index[i]]
        email[i] = e.upper() if variation[i] == 0 else (e + " " if variation[i] == 1 else e)
    first = np.where(linked, leads["first"].to_numpy()[np.maximum(lead_index, 0)], people["first"])
    last = np.where(linked, leads["last"].to_numpy()[np.maximum(lead_index, 0)], people["last"])
    answers["StartDate"] = export_timestamps(pd.Series(start), "%Y-%m-%d %H:%M:%S").to_numpy()
    answers["EndDate"] = export_timestamps(
        pd.Series(start + pd.to_timedelta(duration, unit="s")), "%Y-%m-%d %H:%M:%S"
    ).to_numpy()
    answers["Status"] = "IP Address"
    answers["Progress"] = "100"
    answers["Duration (in seconds)"] = duration.astype(str)
    answers["Finished"] = "True"
    answers["RecordedDate"] = answers["EndDate"]
    response_ids = np.array([f"R_{i:06d}{c}" for i, c in zip(range(1, n + 1), rng.choice(list("ABCDEFGHJK"), n))])
    answers["ResponseId"] = response_ids
    answers["RecipientLastName"] = last
    answers["RecipientFirstName"] = first
    answers["RecipientEmail"] = email
    answers["Q1"] = [rng.choice(ROLES, p=PERSONAS[p].role) for p in persona]
    answers["Q2"] = np.array(SIZE_BAND_LABELS)[respondents["size"].to_numpy()]
    answers["Q3"] = rng.choice(INDUSTRIES, n)
    answers["Q9"] = np.array(REGIONS)[respondents["region"].to_numpy()]
    means = np.array([PERSONAS[p].attitudes for p in persona])
    scores = np.clip(np.round(means + rng.normal(0, 0.65, means.shape)), 1, 5).astype(int)
    scores[straight] = rng.choice([1, 3, 4, 5], straight.sum())[:, None]
    for j in range(len(ATTITUDES)):
        answers[f"Q4_{j + 1}"] = np.array(LIKERT_LABELS)[scores[:, j] - 1]
    answers["Q5"] = [rng.choice(GOALS, p=PERSONAS[p].goal) for p in persona]
    ticks = rng.random((n, len(CHANNELS))) < np.array([PERSONAS[p].channels for p in persona])
    for j, channel in enumerate(CHANNELS):
        answers[f"Q6_{j + 1}"] = np.where(ticks[:, j], channel, "")
    answers["Q7"] = (
        np.maximum(1, np.round(np.exp(rng.normal(np.log([PERSONAS[p].team_size_median for p in persona]), 0.5))))
        .astype(int)
        .astype(str)
    )
    reasons = [rng.choice(PERSONAS[p].switch_reasons) for p in persona]
    clauses = rng.choice(SWITCH_CLAUSES, n)
    endings = rng.choice(SWITCH_ENDINGS, n)
    text = np.array([f"{r}, {c}. {e}" for r, c, e in zip(reasons, clauses, endings)], dtype=object)
    blank_text = rng.random(n) < 0.25
    text[blank_text] = ""
    pii_rows = np.flatnonzero(~blank_text & (rng.random(n) < PII_IN_TEXT_SHARE * 1.4))
    for k, i in enumerate(pii_rows):
        text[i] = text[i] + (
            f" - email me at {people['email'].iat[i]}" if k % 2 == 0 else f" - call me on {people['phone'].iat[i]}"
        )
    answers["Q8"] = text
    frame = pd.DataFrame(answers)
    blank = pd.DataFrame("", index=range(N_BLANK_SURVEY_ROWS), columns=frame.columns)
    insert_at = np.sort(rng.choice(np.arange(1, n), N_BLANK_SURVEY_ROWS, replace=False))
    pieces, last_i = [], 0
    for k, i in enumerate(insert_at):
        pieces += [frame.iloc[last_i:i], blank.iloc[[k]]]
        last_i = i
    pieces.append(frame.iloc[last_i:])
    frame = pd.concat(pieces, ignore_index=True)
    questions = {
        "StartDate": "Start Date",
        "EndDate": "End Date",
        "Status": "Response Type",
        "Progress": "Progress",
        "Duration (in seconds)": "Duration (in seconds)",
        "Finished": "Finished",
        "RecordedDate": "Recorded Date",
        "ResponseId": "Response ID",
        "RecipientLastName": "Recipient Last Name",
        "RecipientFirstName": "Recipient First Name",
        "RecipientEmail": "Recipient Email",
        "Q1": "Which team do you work in?",
        "Q2": "How many people work at your company?",
        "Q3": "Which industry is your company in?",
        "Q9": "Where is your company based?",
        "Q5": "What is your main goal for the next 12 months?",
        "Q7": "About how many people in your team would use a tool like ours?",
        "Q8": "What would make you switch to a new vendor?",
    }
    for j, statement in enumerate(ATTITUDES):
        questions[f"Q4_{j + 1}"] = f"How much do you agree with each statement? - {statement}"
    for j, channel in enumerate(CHANNELS):
        questions[f"Q6_{j + 1}"] = (
            f"Where do you look for information about new tools? (Select all that apply) - {channel}"
        )
    import_ids = {
        c: json.dumps({"ImportId": "QID" + c[1:] if c.startswith("Q") else c[0].lower() + c[1:]}, separators=(",", ":"))
        for c in frame.columns
    }
    header_rows = [[questions[c] for c in frame.columns], [import_ids[c] for c in frame.columns]]
    truth = {
        "n_responses": n,
        "personas": [p.name for p in PERSONAS],
        "n_personas": len(PERSONAS),
        "persona_by_response_id": dict(zip(response_ids.tolist(), persona.tolist())),
        "persona_population_shares": [p.population_share for p in PERSONAS],
        "persona_sample_shares": np.round(np.bincount(persona, minlength=len(PERSONAS)) / n, 6).tolist(),
        "speeders": {"count": int(speeder.sum()), "response_ids": sorted(response_ids[speeder].tolist())},
        "straightliners": {"count": int(straight.sum()), "response_ids": sorted(response_ids[straight].tolist())},
        "blank_rows": N_BLANK_SURVEY_ROWS,
        "linked": {
            "count": int(linked.sum()),
            "share": round(float(linked.mean()), 4),
            "response_to_record_id": {
                r: str(leads["record_id"].iat[i]) for r, i in zip(response_ids[linked], lead_index[linked])
            },
        },
        "pii_in_open_text": len(pii_rows),
        "oversampled_company_size": f"{OVERSAMPLED_BAND} employees",
        "oversampling_factor": OVERSAMPLING_FACTOR,
    }
    return frame, header_rows, truth
