"""The synthetic HubSpot CRM: leads moving through the funnel with the planted drivers, friction point and slow
owners, and the contacts (with planted dirt), deals and activities exports built from them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.demo.design import (
    BECAME_COLUMNS,
    CASE_STUDY,
    COMPANY_DOMAIN,
    CONTENT,
    COUNTRIES,
    EXPORT_DATE,
    FIRST_CREATED,
    FIRST_NAMES,
    FRICTION_SOURCE,
    INDUSTRIES,
    JOB_TITLES,
    LAST_CREATED,
    LAST_NAMES,
    LOST_REASONS,
    N_BLANK_CONTACT_ROWS,
    N_DUPLICATES,
    N_LEADS,
    N_TEST_RECORDS,
    ODD_DATE_SHARE,
    OWNERS,
    SIZE_BAND_LIMITS,
    SIZE_BANDS,
    SLOW_OWNERS,
    SOURCE_SHARES,
    SOURCES,
    SPELLING_VARIANTS,
    VARIANT_SHARE,
    WEBINARS,
    conversion_probabilities,
    export_timestamps,
    fake_people,
    hours_delta,
)


def build_leads(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Return the clean leads (one row a lead, canonical-ish columns) and their planted probabilities."""
    n = N_LEADS
    people = fake_people(rng, n, "c")
    span = (LAST_CREATED - FIRST_CREATED).total_seconds()
    created = FIRST_CREATED + pd.to_timedelta(np.sort(rng.uniform(0, span, n)).round(-1), unit="s")
    band = rng.choice(len(SIZE_BANDS), n, p=(0.22, 0.24, 0.2, 0.14, 0.1, 0.1))
    lows = np.array([b[0] for b in SIZE_BAND_LIMITS])[band]
    highs = np.array([b[1] for b in SIZE_BAND_LIMITS])[band]
    employees = np.round(np.exp(rng.uniform(np.log(lows), np.log(highs + 1)))).clip(lows, highs).astype(int)
    source = rng.choice(SOURCES, n, p=SOURCE_SHARES)
    owner = rng.choice(OWNERS, n)
    engagement = rng.gamma(2.0, 1.0, n)
    sessions = rng.poisson(2.5 * engagement)
    webinars = rng.poisson(0.22 * engagement)
    case_study = rng.random(n) < 0.18
    downloads = rng.poisson(0.5 * engagement) + case_study
    email_opens = rng.poisson(3.0 * engagement)
    probs = conversion_probabilities(
        employees, webinars, sessions, source == FRICTION_SOURCE, np.isin(owner, SLOW_OWNERS), case_study
    )
    u = rng.random((6, n))
    subscriber_first = u[0] < 0.4
    lead_at = created + np.where(subscriber_first, 1, 0) * hours_delta(rng.exponential(20 * 24, n))
    mql = u[1] < probs["mql"]
    mql_at = lead_at + hours_delta(rng.gamma(2.0, 5 * 24, n))
    slow = np.isin(owner, SLOW_OWNERS)
    touch_delay = np.where(slow, np.exp(rng.normal(np.log(30), 0.8, n)), np.exp(rng.normal(np.log(5), 1.0, n)))
    followed = mql & (u[2] < probs["followed"])
    first_touch_at = mql_at + hours_delta(touch_delay)
    sql = followed & (rng.random(n) < probs["sql"])
    sql_at = first_touch_at + hours_delta(rng.gamma(2.0, 3 * 24, n))
    opp = sql & (u[3] < probs["opportunity"])
    opp_at = sql_at + hours_delta(rng.gamma(2.0, 6 * 24, n))
    won = opp & (u[4] < probs["customer"])
    close_at = opp_at + hours_delta(rng.gamma(3.0, 10 * 24, n))
    frame = pd.DataFrame(
        {
            "record_id": np.arange(100_001, 100_001 + n),
            "first": people["first"],
            "last": people["last"],
            "email": people["email"],
            "phone": people["phone"],
            "company": people["company"],
            "created_at": created,
            "subscriber_at": pd.Series(created).where(subscriber_first),
            "lead_at": lead_at,
            "mql_at": pd.Series(mql_at).where(mql),
            "first_touch_at": pd.Series(first_touch_at).where(followed),
            "sql_at": pd.Series(sql_at).where(sql),
            "opp_at": pd.Series(opp_at).where(opp),
            "close_at": pd.Series(close_at).where(opp),
            "won": won,
            "source": source,
            "owner": owner,
            "employees": employees,
            "industry": rng.choice(INDUSTRIES, n, p=(0.3, 0.15, 0.15, 0.15, 0.15, 0.1)),
            "country": rng.choice(COUNTRIES, n, p=(0.4, 0.15, 0.12, 0.08, 0.1, 0.07, 0.08)),
            "job_title": rng.choice(JOB_TITLES, n),
            "sessions": sessions,
            "pageviews": sessions + rng.poisson(1.5 * sessions),
            "time_on_site_min": np.round(rng.gamma(2.0, 2.0, n) * (sessions > 0), 1),
            "email_opens": email_opens,
            "downloads": downloads,
            "webinars": webinars,
            "case_study": case_study,
        }
    )
    # Censor at the export date: a stage not reached by then is not in the export.
    for col in ("mql_at", "first_touch_at", "sql_at", "opp_at", "close_at"):
        frame[col] = frame[col].where(frame[col] <= EXPORT_DATE)
    frame.loc[frame["mql_at"].isna(), ["first_touch_at", "sql_at", "opp_at", "close_at"]] = pd.NaT
    frame.loc[frame["sql_at"].isna(), ["opp_at", "close_at"]] = pd.NaT
    frame.loc[frame["opp_at"].isna(), "close_at"] = pd.NaT
    frame["won"] = frame["won"] & frame["close_at"].notna()
    frame["lost"] = frame["close_at"].notna() & ~frame["won"]
    # Some opportunities skip the SQL stage in the CRM (entered straight as opportunity).
    skip = frame["opp_at"].notna() & (rng.random(n) < 0.04)
    frame["sql_recorded_at"] = frame["sql_at"].where(~skip)
    frame["skipped_sql"] = skip
    # Lost opportunities sometimes get sent back to 'lead' for nurturing.
    frame["moved_back"] = frame["lost"] & (rng.random(n) < 0.3)
    return frame, probs


def _lifecycle(leads: pd.DataFrame) -> pd.Series:
    stage = np.full(len(leads), "lead", dtype=object)
    stage[leads["subscriber_at"].notna().to_numpy() & (leads["lead_at"] > EXPORT_DATE).to_numpy()] = "subscriber"
    for col, value in (
        ("mql_at", "marketingqualifiedlead"),
        ("sql_recorded_at", "salesqualifiedlead"),
        ("opp_at", "opportunity"),
    ):
        stage[leads[col].notna().to_numpy()] = value
    stage[leads["won"].to_numpy()] = "customer"
    stage[leads["moved_back"].to_numpy()] = "lead"
    return pd.Series(stage, index=leads.index)


def contacts_export(leads: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """Return the HubSpot contacts export (with planted dirt) and the dirt's counts and ids."""
    n = len(leads)
    priority = np.full(n, "", dtype=object)
    closed = leads["close_at"].notna().to_numpy()
    won = leads["won"].to_numpy()
    draw = rng.random(n)
    priority[closed & won] = np.where(draw[closed & won] < 0.93, "Hot", "Warm")
    priority[closed & ~won] = np.where(
        draw[closed & ~won] < 0.06, "Hot", np.where(draw[closed & ~won] < 0.4, "Warm", "Cold")
    )
    priority_at = (leads["close_at"] + hours_delta(rng.uniform(24, 240, n))).where(closed)
    lead_at = leads["lead_at"].where(leads["lead_at"] <= EXPORT_DATE)
    export = pd.DataFrame(
        {
            "Record ID": leads["record_id"].astype(str),
            "First Name": leads["first"],
            "Last Name": leads["last"],
            "Email": leads["email"],
            "Phone Number": leads["phone"],
            "Create Date": export_timestamps(leads["created_at"]),
            "Last Modified Date": export_timestamps(EXPORT_DATE - hours_delta(rng.uniform(0, 24 * 60, n))),
            "Lifecycle Stage": _lifecycle(leads),
            BECAME_COLUMNS[0]: export_timestamps(leads["subscriber_at"]),
            BECAME_COLUMNS[1]: export_timestamps(lead_at),
            BECAME_COLUMNS[2]: export_timestamps(leads["mql_at"]),
            BECAME_COLUMNS[3]: export_timestamps(leads["sql_recorded_at"]),
            BECAME_COLUMNS[4]: export_timestamps(leads["opp_at"]),
            BECAME_COLUMNS[5]: export_timestamps(leads["close_at"].where(leads["won"])),
            "Original Source": leads["source"],
            "Original Source Drill-Down 1": leads["source"].str.lower().str.replace(" ", "-")
            + "-"
            + pd.Series(rng.choice(["spring", "summer", "autumn"], n)),
            "Contact owner": leads["owner"],
            "Company Name": leads["company"],
            "Number of Employees": leads["employees"].astype(str),
            "Industry": leads["industry"].astype(object),
            "Job Title": leads["job_title"],
            "Country/Region": leads["country"].astype(object),
            "Number of Sessions": leads["sessions"].astype(str),
            "Number of Pageviews": leads["pageviews"].astype(str),
            "Time on Site (minutes)": leads["time_on_site_min"].map(lambda v: f"{v:.1f}"),
            "Marketing Emails Opened": leads["email_opens"].astype(str),
            "Number of Form Submissions": leads["downloads"].astype(str),
            "Webinars Attended": leads["webinars"].astype(str),
            "Sales Priority": priority,
            "Sales Priority Set Date": export_timestamps(priority_at),
        }
    )
    truth: dict = {}
    # Inconsistent spellings of the same category.
    spelling = {}
    for column, variants in SPELLING_VARIANTS.items():
        values = export[column].to_numpy(dtype=object).copy()
        hit = rng.random(n) < VARIANT_SHARE
        changed = 0
        for i in np.flatnonzero(hit):
            options = variants.get(values[i])
            if options:
                values[i] = options[rng.integers(len(options))]
                changed += 1
        export[column] = values
        spelling[column] = changed
    truth["inconsistent_spellings"] = spelling
    # Mixed date formats: some Create Date cells as day-first or written-out dates.
    odd = np.flatnonzero(rng.random(n) < ODD_DATE_SHARE)
    dayfirst_rows, long_rows = odd[: len(odd) // 2], odd[len(odd) // 2 :]
    created = export["Create Date"].to_numpy(dtype=object).copy()
    created[dayfirst_rows] = export_timestamps(leads["created_at"].iloc[dayfirst_rows], "%d/%m/%Y %H:%M").to_numpy()
    created[long_rows] = export_timestamps(leads["created_at"].iloc[long_rows], "%d %b %Y %H:%M").to_numpy()
    export["Create Date"] = created
    truth["mixed_date_formats"] = {"Create Date": len(odd)}
    # Duplicates: a copy of a real contact, the email differing in case or spaces, less complete and older.
    dup_src = rng.choice(n, N_DUPLICATES, replace=False)
    dups = export.iloc[dup_src].copy()
    emails = dups["Email"].to_numpy(dtype=object)
    style = rng.integers(0, 3, N_DUPLICATES)
    emails = np.where(
        style == 0,
        pd.Series(emails).str.upper(),
        np.where(style == 1, " " + pd.Series(emails) + " ", pd.Series(emails).str.title()),
    )
    dups["Email"] = emails
    dups["Record ID"] = (np.arange(300_001, 300_001 + N_DUPLICATES)).astype(str)
    for column in ("Phone Number", "Job Title", "Number of Employees", "Industry"):
        dups[column] = ""
    dups["Last Modified Date"] = export_timestamps(
        pd.to_datetime(dups["Create Date"], format="mixed", dayfirst=True) + pd.Timedelta(days=1)
    )
    truth["duplicates"] = {
        "count": N_DUPLICATES,
        "record_ids": sorted(dups["Record ID"].tolist()),
        "kept_record_ids": sorted(export["Record ID"].iloc[dup_src].tolist()),
    }
    # Test and internal records.
    tests = export.iloc[rng.choice(n, N_TEST_RECORDS, replace=False)].copy()
    half = N_TEST_RECORDS // 2
    tests["Record ID"] = np.arange(400_001, 400_001 + N_TEST_RECORDS).astype(str)
    tests["First Name"] = ["Test"] * half + list(rng.choice(FIRST_NAMES, N_TEST_RECORDS - half))
    tests["Last Name"] = ["User"] * half + list(rng.choice(LAST_NAMES, N_TEST_RECORDS - half))
    tests["Email"] = [f"test.user{i}@mailinator.com" for i in range(half)] + [
        f"staff{i}@{COMPANY_DOMAIN}" for i in range(N_TEST_RECORDS - half)
    ]
    truth["test_records"] = {"count": N_TEST_RECORDS, "record_ids": sorted(tests["Record ID"].tolist())}
    blank = pd.DataFrame("", index=range(N_BLANK_CONTACT_ROWS), columns=export.columns)
    truth["blank_rows"] = {"contacts": N_BLANK_CONTACT_ROWS}
    dirty = pd.concat([export, dups, tests, blank], ignore_index=True)
    order = rng.permutation(len(dirty))
    return dirty.iloc[order].reset_index(drop=True), truth


def deals_export(leads: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return the HubSpot deals export: one row an opportunity, with its stage, amount, dates and lost reason."""
    opp = leads[leads["opp_at"].notna()]
    m = len(opp)
    amount = np.round(np.exp(rng.normal(np.log(9000), 0.5, m)) * (1 + np.log10(opp["employees"].to_numpy()) / 2), -1)
    closed = opp["close_at"].notna().to_numpy()
    won = opp["won"].to_numpy()
    open_stage = rng.choice(["appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "contractsent"], m)
    stage = np.where(won, "closedwon", np.where(closed, "closedlost", open_stage))
    small = opp["employees"].to_numpy() < 50
    reason_p = np.where(small[:, None], [0.45, 0.15, 0.15, 0.15, 0.1], [0.15, 0.2, 0.3, 0.2, 0.15])
    reasons = np.array([rng.choice(LOST_REASONS, p=p) for p in reason_p], dtype=object)
    return pd.DataFrame(
        {
            "Record ID": np.arange(700_001, 700_001 + m).astype(str),
            "Deal Name": opp["company"].to_numpy() + " - new business",
            "Deal Stage": stage,
            "Amount": [f"{a:.2f}" for a in amount],
            "Create Date": export_timestamps(opp["opp_at"]).to_numpy(),
            "Close Date": export_timestamps(opp["close_at"]).to_numpy(),
            "Closed Lost Reason": np.where(stage == "closedlost", reasons, ""),
            "Associated Contact ID": opp["record_id"].astype(str).to_numpy(),
        }
    )


def activities_export(leads: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return one row a touch: marketing touches between creation and export, sales touches after MQL."""
    parts = []
    ids = leads["record_id"].to_numpy()
    created = leads["created_at"].to_numpy()
    horizon = np.minimum(leads["close_at"].fillna(EXPORT_DATE).to_numpy(), EXPORT_DATE.to_datetime64())
    span_s = (horizon - created) / np.timedelta64(1, "s")
    for kind, counts, names in (
        ("EMAIL_OPEN", leads["email_opens"].to_numpy(), None),
        ("CONTENT_DOWNLOAD", leads["downloads"].to_numpy() - leads["case_study"].to_numpy(), CONTENT),
        ("WEBINAR_ATTENDED", leads["webinars"].to_numpy(), WEBINARS),
    ):
        rows = np.repeat(np.arange(len(leads)), counts)
        at = created[rows] + (rng.uniform(0, 1, len(rows)) * span_s[rows]).astype("int64").astype("timedelta64[s]")
        if names is None:
            content = np.array([f"Newsletter {m}" for m in pd.DatetimeIndex(at).strftime("%Y-%m")], dtype=object)
        else:
            choices = [c for c in names if c != CASE_STUDY]
            content = rng.choice(choices, len(rows))
        parts.append(pd.DataFrame({"lead": ids[rows], "at": at, "kind": kind, "content": content}))
    cs = np.flatnonzero(leads["case_study"].to_numpy())
    cs_at = created[cs] + (rng.uniform(0, 0.8, len(cs)) * span_s[cs]).astype("int64").astype("timedelta64[s]")
    parts.append(pd.DataFrame({"lead": ids[cs], "at": cs_at, "kind": "CONTENT_DOWNLOAD", "content": CASE_STUDY}))
    followed = leads["first_touch_at"].notna().to_numpy()
    first = leads.loc[followed]
    parts.append(
        pd.DataFrame(
            {
                "lead": first["record_id"].to_numpy(),
                "at": first["first_touch_at"].to_numpy(),
                "kind": rng.choice(["SALES_CALL", "SALES_EMAIL"], len(first)),
                "content": "",
            }
        )
    )
    extra = rng.poisson(2.0, len(first))
    rows = np.repeat(np.arange(len(first)), extra)
    start = first["first_touch_at"].to_numpy()[rows]
    end = np.minimum(first["close_at"].fillna(EXPORT_DATE).to_numpy()[rows], EXPORT_DATE.to_datetime64())
    at = start + (rng.uniform(0, 1, len(rows)) * ((end - start) / np.timedelta64(1, "s"))).astype("int64").astype(
        "timedelta64[s]"
    )
    sales_content = np.where(
        rng.random(len(rows)) < 0.5, rng.choice([c for c in CONTENT if not c.startswith("Template")], len(rows)), ""
    )
    parts.append(
        pd.DataFrame(
            {
                "lead": first["record_id"].to_numpy()[rows],
                "at": at,
                "kind": rng.choice(["SALES_CALL", "SALES_EMAIL", "MEETING"], len(rows)),
                "content": sales_content,
            }
        )
    )
    touches = (
        pd.concat(parts, ignore_index=True).sort_values(["at", "lead", "kind"], kind="stable").reset_index(drop=True)
    )
    return pd.DataFrame(
        {
            "Activity ID": np.arange(1, len(touches) + 1).astype(str),
            "Contact ID": touches["lead"].astype(str),
            "Activity Date": export_timestamps(touches["at"]).to_numpy(),
            "Activity Type": touches["kind"].to_numpy(),
            "Content Name": touches["content"].to_numpy(),
        }
    )
