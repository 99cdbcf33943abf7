"""Synthetic demo exports with a planted truth: a Qualtrics survey and a HubSpot CRM (contacts, deals, activities).

Everything is drawn from one seeded generator, so the same seed writes byte-identical files. The planted truth
(personas, conversion drivers, a leaking field, a friction point, SLA breaches, linkable respondents, and every
kind of dirt with its count) goes to ``demo_truth.json`` for tests only; no notebook reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from alignkit.io import write_atomic_bytes

DEMO_SEED = 42
N_LEADS = 20_000
N_RESPONSES = 3_000
EXPORT_DATE = pd.Timestamp("2026-09-30 18:00")
FIRST_CREATED = pd.Timestamp("2025-01-01")
LAST_CREATED = pd.Timestamp("2026-06-30")
SLA_HOURS = 24.0
COMPANY_DOMAIN = "brightfunnel.io"

SIZE_BANDS = ("1-9", "10-49", "50-199", "200-499", "500-999", "1000+")
SIZE_BAND_LIMITS = ((1, 9), (10, 49), (50, 199), (200, 499), (500, 999), (1000, 20000))
SIZE_BAND_LABELS = tuple(f"{b} employees" for b in SIZE_BANDS)
INDUSTRIES = ("Software", "Healthcare", "Financial services", "Manufacturing", "Retail", "Education")
COUNTRIES = ("United States", "United Kingdom", "Germany", "France", "Canada", "Netherlands", "Australia")
SOURCES = ("Organic Search", "Paid Search", "Paid Social", "Email Marketing", "Referrals", "Direct Traffic")
SOURCE_SHARES = (0.27, 0.18, 0.14, 0.16, 0.12, 0.13)
FRICTION_SOURCE, FRICTION_FROM, FRICTION_TO = "Paid Social", "MQL", "SQL"
OWNERS = ("Avery Brooks", "Jordan Lee", "Riley Chen", "Casey Patel", "Morgan Diaz", "Quinn Novak",
          "Harper Stone", "Rowan Ellis")
SLOW_OWNERS = ("Quinn Novak", "Rowan Ellis")
JOB_TITLES = ("Marketing Manager", "Head of Marketing", "IT Director", "CTO", "Operations Manager",
              "Sales Director", "CEO", "Finance Manager", "Customer Success Lead", "Data Analyst")
LIFECYCLE_VALUES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
BECAME_COLUMNS = ("Became a Subscriber Date", "Became a Lead Date", "Became a Marketing Qualified Lead Date",
                  "Became a Sales Qualified Lead Date", "Became an Opportunity Date", "Became a Customer Date")
CONTENT = ("Ebook: Sales and marketing alignment", "Checklist: Lead scoring", "Case study: Northwind",
           "Whitepaper: Funnel benchmarks", "ROI calculator", "Template: Service level agreement")
CASE_STUDY = "Case study: Northwind"
WEBINARS = ("Webinar: From MQL to revenue", "Webinar: Personas that sell", "Webinar: Funnel metrics 101")
LOST_REASONS = ("Price", "Timing", "Went with competitor", "No decision", "Missing feature")

FIRST_NAMES = ("Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mateo", "Amelia",
               "Levi", "Harper", "Ethan", "Ella", "James", "Nora", "Henry", "Zoe", "Leo", "Maya", "Omar",
               "Ines", "Kenji", "Priya", "Tomas", "Freya", "Arjun", "Lena", "Felix", "Sara", "Hugo")
LAST_NAMES = ("Smith", "Johnson", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson", "Anderson",
              "Thomas", "Moore", "Jackson", "Martin", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker",
              "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell")
COMPANY_WORDS = ("North", "Blue", "Bright", "Cedar", "Delta", "Ever", "Frontier", "Granite", "Harbor", "Iron",
                 "Juniper", "Keystone", "Lumen", "Maple", "Nova", "Orbit", "Pioneer", "Quartz", "River", "Summit")
COMPANY_SUFFIXES = ("Labs", "Systems", "Group", "Works", "Partners", "Analytics", "Health", "Retail", "Logistics")

# Survey design: each persona is a distinct answer pattern.
LIKERT_LABELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
ATTITUDES = ("Data security is our top buying criterion", "We need results within the first month",
             "Price matters more than features", "We prefer to try a product ourselves before talking to sales",
             "Integrations with our existing tools are essential", "Our team lacks in-house technical skills",
             "We compare several vendors before we buy", "Good support matters more than price")
ROLES = ("Marketing", "Sales", "IT", "Operations", "Executive", "Finance")
GOALS = ("Grow revenue", "Cut costs", "Reduce risk", "Automate processes", "Improve customer experience")
CHANNELS = ("Search engines", "Peer recommendations", "Industry events", "Analyst reports", "Social media",
            "Vendor webinars")
REGIONS = ("North America", "Europe", "Asia-Pacific", "Rest of world")
SWITCH_CLAUSES = ("if the price were right", "mostly because our current tool is slow", "as long as migration is painless",
                  "and a reference from a similar company", "which our current vendor keeps promising",
                  "without a long contract", "and proof it works for teams like ours", "before our renewal in spring",
                  "if our finance team signs off", "even at a higher price", "and honest answers from sales",
                  "with a clear onboarding plan")
SWITCH_ENDINGS = ("Nothing else really matters.", "That would do it.", "Happy to talk about it.", "We have been burned before.",
                  "Our board asks about this a lot.", "It has to be easy.", "Speed matters to us.", "We are open to it.",
                  "Hard to say more than that.", "That is the deal-breaker.", "We tried two tools already.",
                  "Our team is small.", "Budgets are tight this year.", "Trust is everything.", "Show us, don't tell us.")


@dataclass(frozen=True)
class Persona:
    name: str
    population_share: float
    attitudes: tuple[float, ...]       # mean agreement 1..5 per attitude item
    role: tuple[float, ...]            # probabilities over ROLES
    size: tuple[float, ...]            # probabilities over SIZE_BANDS
    goal: tuple[float, ...]            # probabilities over GOALS
    channels: tuple[float, ...]        # probability of ticking each channel
    region: tuple[float, ...]          # probabilities over REGIONS
    team_size_median: float
    switch_reasons: tuple[str, ...]


PERSONAS = (
    Persona("Security-first IT leaders", 0.17, (4.8, 2.4, 1.8, 1.9, 4.6, 1.8, 4.2, 3.6),
            (0.05, 0.03, 0.55, 0.07, 0.25, 0.05), (0.0, 0.02, 0.08, 0.2, 0.3, 0.4),
            (0.05, 0.05, 0.7, 0.15, 0.05), (0.3, 0.3, 0.55, 0.75, 0.1, 0.2), (0.45, 0.35, 0.12, 0.08), 40,
            ("A security certification we trust", "Better audit logs and single sign-on", "Data residency in our region")),
    Persona("Budget-minded small business owners", 0.30, (2.2, 4.3, 4.8, 3.3, 2.0, 4.4, 2.4, 2.2),
            (0.08, 0.12, 0.04, 0.16, 0.55, 0.05), (0.45, 0.4, 0.12, 0.03, 0.0, 0.0),
            (0.15, 0.7, 0.03, 0.07, 0.05), (0.75, 0.6, 0.1, 0.05, 0.35, 0.1), (0.4, 0.35, 0.15, 0.1), 3,
            ("A lower price, honestly", "A simpler plan without add-ons", "Something my team can set up alone")),
    Persona("Hands-on growth marketers", 0.22, (2.0, 4.7, 2.8, 4.8, 4.0, 2.0, 3.0, 2.6),
            (0.7, 0.1, 0.03, 0.05, 0.1, 0.02), (0.05, 0.35, 0.4, 0.15, 0.05, 0.0),
            (0.75, 0.05, 0.03, 0.1, 0.07), (0.6, 0.3, 0.15, 0.1, 0.7, 0.75), (0.5, 0.3, 0.12, 0.08), 8,
            ("A free trial with real data", "Faster time to first campaign", "Better integrations with our ad tools")),
    Persona("Process-driven operations managers", 0.18, (3.4, 2.2, 3.0, 2.2, 4.9, 3.4, 4.8, 4.0),
            (0.03, 0.05, 0.1, 0.55, 0.07, 0.2), (0.0, 0.05, 0.2, 0.35, 0.3, 0.1),
            (0.05, 0.1, 0.1, 0.7, 0.05), (0.2, 0.6, 0.3, 0.7, 0.05, 0.3), (0.35, 0.4, 0.15, 0.1), 25,
            ("Automation that replaces spreadsheets", "An API that fits our workflow", "Clear reporting for finance")),
    Persona("Service-focused customer teams", 0.13, (3.0, 3.2, 1.7, 2.8, 2.6, 4.2, 2.8, 4.9),
            (0.3, 0.45, 0.03, 0.1, 0.07, 0.05), (0.05, 0.2, 0.4, 0.25, 0.1, 0.0),
            (0.1, 0.05, 0.05, 0.1, 0.7), (0.3, 0.75, 0.55, 0.1, 0.2, 0.3), (0.3, 0.3, 0.25, 0.15), 12,
            ("Support that answers within the hour", "A dedicated account manager", "Training for the whole team")),
)
OVERSAMPLED_BAND = "1000+"
OVERSAMPLING_FACTOR = 3.0

# Planted dirt, as shares or counts of the clean records.
N_DUPLICATES = 350
N_TEST_RECORDS = 60
N_BLANK_CONTACT_ROWS = 25
N_BLANK_SURVEY_ROWS = 12
SPEEDER_SHARE = 0.03
STRAIGHTLINER_SHARE = 0.025
VARIANT_SHARE = 0.08
ODD_DATE_SHARE = 0.07
LINKED_SHARE = 0.40
PII_IN_TEXT_SHARE = 0.01
SPELLING_VARIANTS = {
    "Industry": {"Software": ("software", "Software ", "SOFTWARE"), "Healthcare": ("Health care", "health-care"),
                 "Financial services": ("Financial Services", "Finance services"),
                 "Manufacturing": ("manufacturing",), "Retail": ("retail ",), "Education": ("EDUCATION",)},
    "Country/Region": {"United States": ("USA", "U.S.", "united states"), "United Kingdom": ("UK", "U.K."),
                       "Germany": ("Deutschland",), "France": ("france",), "Canada": ("canada",),
                       "Netherlands": ("The Netherlands",), "Australia": ("australia",)},
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _fmt(ts: pd.Series | pd.DatetimeIndex, fmt: str = "%Y-%m-%d %H:%M") -> pd.Series:
    """Return timestamps as export strings, '' for missing."""
    ts = pd.Series(ts)
    return ts.dt.strftime(fmt).fillna("").astype(object)


def _hours(values: np.ndarray) -> pd.TimedeltaIndex:
    return pd.to_timedelta(np.round(values * 60).astype("int64"), unit="min")


def conversion_probabilities(employees: np.ndarray, webinars: np.ndarray, sessions: np.ndarray,
                             paid_social: np.ndarray, slow_owner: np.ndarray,
                             case_study: np.ndarray) -> dict[str, np.ndarray]:
    """Return the planted stage-to-stage probabilities and the lead-to-customer probability for each lead."""
    midsize = ((employees >= 50) & (employees <= 499)).astype(float)
    webinar = (webinars > 0).astype(float)
    engagement = np.log1p(sessions)
    p_mql = _sigmoid(-2.1 + 1.3 * webinar + 0.75 * engagement)
    p_followed = np.where(slow_owner, 0.88, 0.98)
    p_sql = _sigmoid(0.1 + 1.5 * midsize + 0.25 * engagement - 2.6 * paid_social)
    p_opp = _sigmoid(-0.2 + 1.1 * midsize + 0.5 * webinar)
    p_win = _sigmoid(-0.6 + 0.6 * webinar + 0.9 * case_study)
    return {"mql": p_mql, "followed": p_followed, "sql": p_sql, "opportunity": p_opp, "customer": p_win,
            "lead_to_customer": p_mql * p_followed * p_sql * p_opp * p_win}


def _people(rng: np.random.Generator, n: int, prefix: str) -> pd.DataFrame:
    first = rng.choice(FIRST_NAMES, n)
    last = rng.choice(LAST_NAMES, n)
    company = (pd.Series(rng.choice(COMPANY_WORDS, n)) + pd.Series(rng.choice(COMPANY_WORDS, n)).str.lower()
               + " " + pd.Series(rng.choice(COMPANY_SUFFIXES, n)))
    domain = company.str.replace(" ", "", regex=False).str.lower() + ".com"
    serial = pd.Series(np.arange(n)).astype(str).str.zfill(5)
    email = (pd.Series(first).str.lower() + "." + pd.Series(last).str.lower() + "." + prefix + serial + "@" + domain)
    area = rng.integers(200, 999, n)
    phone = pd.Series([f"+1 ({a}) 555-{i % 10000:04d}" for a, i in zip(area, range(n))])
    return pd.DataFrame({"first": first, "last": last, "company": company, "email": email, "phone": phone})


def _build_leads(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Return the clean leads (one row a lead, canonical-ish columns) and their planted probabilities."""
    n = N_LEADS
    people = _people(rng, n, "c")
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
    probs = conversion_probabilities(employees, webinars, sessions, source == FRICTION_SOURCE,
                                     np.isin(owner, SLOW_OWNERS), case_study)
    u = rng.random((6, n))
    subscriber_first = u[0] < 0.4
    lead_at = created + np.where(subscriber_first, 1, 0) * _hours(rng.exponential(20 * 24, n))
    mql = u[1] < probs["mql"]
    mql_at = lead_at + _hours(rng.gamma(2.0, 5 * 24, n))
    slow = np.isin(owner, SLOW_OWNERS)
    touch_delay = np.where(slow, np.exp(rng.normal(np.log(30), 0.8, n)), np.exp(rng.normal(np.log(5), 1.0, n)))
    followed = mql & (u[2] < probs["followed"])
    first_touch_at = mql_at + _hours(touch_delay)
    sql = followed & (rng.random(n) < probs["sql"])
    sql_at = first_touch_at + _hours(rng.gamma(2.0, 3 * 24, n))
    opp = sql & (u[3] < probs["opportunity"])
    opp_at = sql_at + _hours(rng.gamma(2.0, 6 * 24, n))
    won = opp & (u[4] < probs["customer"])
    close_at = opp_at + _hours(rng.gamma(3.0, 10 * 24, n))
    frame = pd.DataFrame({
        "record_id": np.arange(100_001, 100_001 + n), "first": people["first"], "last": people["last"],
        "email": people["email"], "phone": people["phone"], "company": people["company"],
        "created_at": created, "subscriber_at": pd.Series(created).where(subscriber_first),
        "lead_at": lead_at, "mql_at": pd.Series(mql_at).where(mql), "first_touch_at": pd.Series(first_touch_at).where(followed),
        "sql_at": pd.Series(sql_at).where(sql), "opp_at": pd.Series(opp_at).where(opp),
        "close_at": pd.Series(close_at).where(opp), "won": won, "source": source, "owner": owner,
        "employees": employees, "industry": rng.choice(INDUSTRIES, n, p=(0.3, 0.15, 0.15, 0.15, 0.15, 0.1)),
        "country": rng.choice(COUNTRIES, n, p=(0.4, 0.15, 0.12, 0.08, 0.1, 0.07, 0.08)),
        "job_title": rng.choice(JOB_TITLES, n), "sessions": sessions,
        "pageviews": sessions + rng.poisson(1.5 * sessions), "time_on_site_min": np.round(rng.gamma(2.0, 2.0, n) * (sessions > 0), 1),
        "email_opens": email_opens, "downloads": downloads, "webinars": webinars, "case_study": case_study,
    })
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
    for col, value in (("mql_at", "marketingqualifiedlead"), ("sql_recorded_at", "salesqualifiedlead"),
                       ("opp_at", "opportunity")):
        stage[leads[col].notna().to_numpy()] = value
    stage[leads["won"].to_numpy()] = "customer"
    stage[leads["moved_back"].to_numpy()] = "lead"
    return pd.Series(stage, index=leads.index)


def _contacts_export(leads: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """Return the HubSpot contacts export (with planted dirt) and the dirt's counts and ids."""
    n = len(leads)
    priority = np.full(n, "", dtype=object)
    closed = leads["close_at"].notna().to_numpy()
    won = leads["won"].to_numpy()
    draw = rng.random(n)
    priority[closed & won] = np.where(draw[closed & won] < 0.93, "Hot", "Warm")
    priority[closed & ~won] = np.where(draw[closed & ~won] < 0.06, "Hot", np.where(draw[closed & ~won] < 0.4, "Warm", "Cold"))
    priority_at = (leads["close_at"] + _hours(rng.uniform(24, 240, n))).where(closed)
    lead_at = leads["lead_at"].where(leads["lead_at"] <= EXPORT_DATE)
    export = pd.DataFrame({
        "Record ID": leads["record_id"].astype(str), "First Name": leads["first"], "Last Name": leads["last"],
        "Email": leads["email"], "Phone Number": leads["phone"], "Create Date": _fmt(leads["created_at"]),
        "Last Modified Date": _fmt(EXPORT_DATE - _hours(rng.uniform(0, 24 * 60, n))),
        "Lifecycle Stage": _lifecycle(leads),
        BECAME_COLUMNS[0]: _fmt(leads["subscriber_at"]), BECAME_COLUMNS[1]: _fmt(lead_at),
        BECAME_COLUMNS[2]: _fmt(leads["mql_at"]), BECAME_COLUMNS[3]: _fmt(leads["sql_recorded_at"]),
        BECAME_COLUMNS[4]: _fmt(leads["opp_at"]), BECAME_COLUMNS[5]: _fmt(leads["close_at"].where(leads["won"])),
        "Original Source": leads["source"],
        "Original Source Drill-Down 1": leads["source"].str.lower().str.replace(" ", "-") + "-"
        + pd.Series(rng.choice(["spring", "summer", "autumn"], n)),
        "Contact owner": leads["owner"], "Company Name": leads["company"],
        "Number of Employees": leads["employees"].astype(str), "Industry": leads["industry"].astype(object),
        "Job Title": leads["job_title"], "Country/Region": leads["country"].astype(object),
        "Number of Sessions": leads["sessions"].astype(str), "Number of Pageviews": leads["pageviews"].astype(str),
        "Time on Site (minutes)": leads["time_on_site_min"].map(lambda v: f"{v:.1f}"),
        "Marketing Emails Opened": leads["email_opens"].astype(str),
        "Number of Form Submissions": leads["downloads"].astype(str), "Webinars Attended": leads["webinars"].astype(str),
        "Sales Priority": priority, "Sales Priority Set Date": _fmt(priority_at),
    })
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
    dayfirst_rows, long_rows = odd[: len(odd) // 2], odd[len(odd) // 2:]
    created = export["Create Date"].to_numpy(dtype=object).copy()
    created[dayfirst_rows] = _fmt(leads["created_at"].iloc[dayfirst_rows], "%d/%m/%Y %H:%M").to_numpy()
    created[long_rows] = _fmt(leads["created_at"].iloc[long_rows], "%d %b %Y %H:%M").to_numpy()
    export["Create Date"] = created
    truth["mixed_date_formats"] = {"Create Date": int(len(odd))}
    # Duplicates: a copy of a real contact, the email differing in case or spaces, less complete and older.
    dup_src = rng.choice(n, N_DUPLICATES, replace=False)
    dups = export.iloc[dup_src].copy()
    emails = dups["Email"].to_numpy(dtype=object)
    style = rng.integers(0, 3, N_DUPLICATES)
    emails = np.where(style == 0, pd.Series(emails).str.upper(), np.where(
        style == 1, " " + pd.Series(emails) + " ", pd.Series(emails).str.title()))
    dups["Email"] = emails
    dups["Record ID"] = (np.arange(300_001, 300_001 + N_DUPLICATES)).astype(str)
    for column in ("Phone Number", "Job Title", "Number of Employees", "Industry"):
        dups[column] = ""
    dups["Last Modified Date"] = _fmt(pd.to_datetime(dups["Create Date"], format="mixed", dayfirst=True) + pd.Timedelta(days=1))
    truth["duplicates"] = {"count": N_DUPLICATES, "record_ids": sorted(dups["Record ID"].tolist()),
                           "kept_record_ids": sorted(export["Record ID"].iloc[dup_src].tolist())}
    # Test and internal records.
    tests = export.iloc[rng.choice(n, N_TEST_RECORDS, replace=False)].copy()
    half = N_TEST_RECORDS // 2
    tests["Record ID"] = np.arange(400_001, 400_001 + N_TEST_RECORDS).astype(str)
    tests["First Name"] = ["Test"] * half + list(rng.choice(FIRST_NAMES, N_TEST_RECORDS - half))
    tests["Last Name"] = ["User"] * half + list(rng.choice(LAST_NAMES, N_TEST_RECORDS - half))
    tests["Email"] = ([f"test.user{i}@mailinator.com" for i in range(half)]
                      + [f"staff{i}@{COMPANY_DOMAIN}" for i in range(N_TEST_RECORDS - half)])
    truth["test_records"] = {"count": N_TEST_RECORDS, "record_ids": sorted(tests["Record ID"].tolist())}
    blank = pd.DataFrame("", index=range(N_BLANK_CONTACT_ROWS), columns=export.columns)
    truth["blank_rows"] = {"contacts": N_BLANK_CONTACT_ROWS}
    dirty = pd.concat([export, dups, tests, blank], ignore_index=True)
    order = rng.permutation(len(dirty))
    return dirty.iloc[order].reset_index(drop=True), truth


def _deals_export(leads: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
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
    return pd.DataFrame({
        "Record ID": np.arange(700_001, 700_001 + m).astype(str),
        "Deal Name": opp["company"].to_numpy() + " - new business",
        "Deal Stage": stage, "Amount": [f"{a:.2f}" for a in amount],
        "Create Date": _fmt(opp["opp_at"]).to_numpy(), "Close Date": _fmt(opp["close_at"]).to_numpy(),
        "Closed Lost Reason": np.where(stage == "closedlost", reasons, ""),
        "Associated Contact ID": opp["record_id"].astype(str).to_numpy(),
    })


def _activities_export(leads: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return one row a touch: marketing touches between creation and export, sales touches after MQL."""
    parts = []
    ids = leads["record_id"].to_numpy()
    created = leads["created_at"].to_numpy()
    horizon = np.minimum(leads["close_at"].fillna(EXPORT_DATE).to_numpy(), EXPORT_DATE.to_datetime64())
    span_s = (horizon - created) / np.timedelta64(1, "s")
    for kind, counts, names in (("EMAIL_OPEN", leads["email_opens"].to_numpy(), None),
                                ("CONTENT_DOWNLOAD", leads["downloads"].to_numpy() - leads["case_study"].to_numpy(), CONTENT),
                                ("WEBINAR_ATTENDED", leads["webinars"].to_numpy(), WEBINARS)):
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
    parts.append(pd.DataFrame({"lead": first["record_id"].to_numpy(), "at": first["first_touch_at"].to_numpy(),
                               "kind": rng.choice(["SALES_CALL", "SALES_EMAIL"], len(first)), "content": ""}))
    extra = rng.poisson(2.0, len(first))
    rows = np.repeat(np.arange(len(first)), extra)
    start = first["first_touch_at"].to_numpy()[rows]
    end = np.minimum(first["close_at"].fillna(EXPORT_DATE).to_numpy()[rows], EXPORT_DATE.to_datetime64())
    at = start + (rng.uniform(0, 1, len(rows)) * ((end - start) / np.timedelta64(1, "s"))).astype("int64").astype("timedelta64[s]")
    sales_content = np.where(rng.random(len(rows)) < 0.5, rng.choice([c for c in CONTENT if not c.startswith("Template")], len(rows)), "")
    parts.append(pd.DataFrame({"lead": first["record_id"].to_numpy()[rows], "at": at,
                               "kind": rng.choice(["SALES_CALL", "SALES_EMAIL", "MEETING"], len(rows)), "content": sales_content}))
    touches = pd.concat(parts, ignore_index=True).sort_values(["at", "lead", "kind"], kind="stable").reset_index(drop=True)
    return pd.DataFrame({"Activity ID": np.arange(1, len(touches) + 1).astype(str), "Contact ID": touches["lead"].astype(str),
                         "Activity Date": _fmt(touches["at"]).to_numpy(), "Activity Type": touches["kind"].to_numpy(),
                         "Content Name": touches["content"].to_numpy()})


def _survey_respondents(rng: np.random.Generator, *, shares: np.ndarray | None = None,
                        n_responses: int = N_RESPONSES) -> tuple[pd.DataFrame, dict]:
    """Draw respondents from the population with the oversampled band; return them and the population margins."""
    shares = np.array([p.population_share for p in PERSONAS]) if shares is None else np.asarray(shares, dtype=float)
    size_given = np.array([p.size for p in PERSONAS])
    region_given = np.array([p.region for p in PERSONAS])
    inclusion = np.where(np.array(SIZE_BANDS) == OVERSAMPLED_BAND, OVERSAMPLING_FACTOR, 1.0) / OVERSAMPLING_FACTOR
    chosen_persona, chosen_size = [], []
    while len(chosen_persona) < n_responses:
        persona = rng.choice(len(PERSONAS), 4096, p=shares)
        size = np.array([rng.choice(len(SIZE_BANDS), p=size_given[p]) for p in persona])
        keep = rng.random(4096) < inclusion[size]
        chosen_persona.extend(persona[keep].tolist())
        chosen_size.extend(size[keep].tolist())
    persona = np.array(chosen_persona[:n_responses])
    size = np.array(chosen_size[:n_responses])
    region = np.array([rng.choice(len(REGIONS), p=region_given[p]) for p in persona])
    margins = {"company_size": dict(zip(SIZE_BAND_LABELS, np.round(shares @ size_given, 6).tolist())),
               "region": dict(zip(REGIONS, np.round(shares @ region_given, 6).tolist()))}
    return pd.DataFrame({"persona": persona, "size": size, "region": region}), margins


def _survey_export(respondents: pd.DataFrame, leads: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, list[list[str]], dict]:
    """Return the Qualtrics answers (one row a response), its two extra header rows and the survey truth."""
    n = len(respondents)
    persona = respondents["persona"].to_numpy()
    answers: dict[str, object] = {}
    start = pd.Timestamp("2026-05-04 08:00") + pd.to_timedelta(np.sort(rng.uniform(0, 21 * 86400, n)).round(), unit="s")
    duration = np.round(np.exp(rng.normal(np.log(420), 0.3, n))).astype(int)
    speeder = rng.random(n) < SPEEDER_SHARE
    duration[speeder] = np.round(420 * rng.uniform(0.08, 0.22, speeder.sum())).astype(int)
    straight = (rng.random(n) < STRAIGHTLINER_SHARE)
    people = _people(rng, n, "r")
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
    answers["StartDate"] = _fmt(pd.Series(start), "%Y-%m-%d %H:%M:%S").to_numpy()
    answers["EndDate"] = _fmt(pd.Series(start + pd.to_timedelta(duration, unit="s")), "%Y-%m-%d %H:%M:%S").to_numpy()
    answers["Status"] = "IP Address"
    answers["Progress"] = "100"
    answers["Duration (in seconds)"] = duration.astype(str)
    answers["Finished"] = "True"
    answers["RecordedDate"] = answers["EndDate"]
    answers["ResponseId"] = np.array([f"R_{i:06d}{c}" for i, c in zip(range(1, n + 1), rng.choice(list("ABCDEFGHJK"), n))])
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
    answers["Q7"] = np.maximum(1, np.round(np.exp(rng.normal(np.log([PERSONAS[p].team_size_median for p in persona]), 0.5)))).astype(int).astype(str)
    reasons = [rng.choice(PERSONAS[p].switch_reasons) for p in persona]
    clauses = rng.choice(SWITCH_CLAUSES, n)
    endings = rng.choice(SWITCH_ENDINGS, n)
    text = np.array([f"{r}, {c}. {e}" for r, c, e in zip(reasons, clauses, endings)], dtype=object)
    blank_text = rng.random(n) < 0.25
    text[blank_text] = ""
    pii_rows = np.flatnonzero(~blank_text & (rng.random(n) < PII_IN_TEXT_SHARE * 1.4))
    for k, i in enumerate(pii_rows):
        text[i] = text[i] + (f" - email me at {people['email'].iat[i]}" if k % 2 == 0 else f" - call me on {people['phone'].iat[i]}")
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
    questions = {"StartDate": "Start Date", "EndDate": "End Date", "Status": "Response Type", "Progress": "Progress",
                 "Duration (in seconds)": "Duration (in seconds)", "Finished": "Finished", "RecordedDate": "Recorded Date",
                 "ResponseId": "Response ID", "RecipientLastName": "Recipient Last Name",
                 "RecipientFirstName": "Recipient First Name", "RecipientEmail": "Recipient Email",
                 "Q1": "Which team do you work in?", "Q2": "How many people work at your company?",
                 "Q3": "Which industry is your company in?", "Q9": "Where is your company based?",
                 "Q5": "What is your main goal for the next 12 months?",
                 "Q7": "About how many people in your team would use a tool like ours?",
                 "Q8": "What would make you switch to a new vendor?"}
    for j, statement in enumerate(ATTITUDES):
        questions[f"Q4_{j + 1}"] = f"How much do you agree with each statement? - {statement}"
    for j, channel in enumerate(CHANNELS):
        questions[f"Q6_{j + 1}"] = f"Where do you look for information about new tools? (Select all that apply) - {channel}"
    import_ids = {c: json.dumps({"ImportId": "QID" + c[1:] if c.startswith("Q") else c[0].lower() + c[1:]},
                                separators=(",", ":")) for c in frame.columns}
    header_rows = [[questions[c] for c in frame.columns], [import_ids[c] for c in frame.columns]]
    response_ids = answers["ResponseId"]
    truth = {
        "n_responses": n, "personas": [p.name for p in PERSONAS], "n_personas": len(PERSONAS),
        "persona_by_response_id": dict(zip(response_ids.tolist(), persona.tolist())),
        "persona_population_shares": [p.population_share for p in PERSONAS],
        "persona_sample_shares": np.round(np.bincount(persona, minlength=len(PERSONAS)) / n, 6).tolist(),
        "speeders": {"count": int(speeder.sum()), "response_ids": sorted(response_ids[speeder].tolist())},
        "straightliners": {"count": int(straight.sum()), "response_ids": sorted(response_ids[straight].tolist())},
        "blank_rows": N_BLANK_SURVEY_ROWS,
        "linked": {"count": int(linked.sum()), "share": round(float(linked.mean()), 4),
                   "response_to_record_id": {r: str(leads["record_id"].iat[i]) for r, i in zip(response_ids[linked], lead_index[linked])}},
        "pii_in_open_text": int(len(pii_rows)),
        "oversampled_company_size": f"{OVERSAMPLED_BAND} employees", "oversampling_factor": OVERSAMPLING_FACTOR,
    }
    return frame, header_rows, truth


def _csv_bytes(frame: pd.DataFrame, header_rows: list[list[str]] | None = None, *, bom: bool = True) -> bytes:
    body = frame.to_csv(index=False, lineterminator="\r\n")
    if header_rows:
        extra = pd.DataFrame(header_rows, columns=frame.columns).to_csv(index=False, header=False, lineterminator="\r\n")
        head, rest = body.split("\r\n", 1)
        body = head + "\r\n" + extra + rest
    return (("\ufeff" if bom else "") + body).encode("utf-8")


def _sla_truth(leads: pd.DataFrame) -> dict:
    mqls = leads[leads["mql_at"].notna()]
    hours = (mqls["first_touch_at"] - mqls["mql_at"]).dt.total_seconds() / 3600
    breach = hours.isna() | (hours > SLA_HOURS)
    per_owner = breach.groupby(mqls["owner"]).mean().round(6).to_dict()
    return {"target_hours": SLA_HOURS, "slow_owners": list(SLOW_OWNERS), "breach_share_by_owner": per_owner,
            "never_followed_share_by_owner": hours.isna().groupby(mqls["owner"]).mean().round(6).to_dict(),
            "n_mqls_by_owner": mqls["owner"].value_counts().sort_index().to_dict()}


def write_demo_exports(raw_dir: Path | str, *, seed: int = DEMO_SEED) -> dict[str, Path]:
    """Write the demo survey and CRM exports and demo_truth.json into `raw_dir`; return the paths written."""
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    leads, probs = _build_leads(rng)
    contacts, dirt = _contacts_export(leads, rng)
    deals = _deals_export(leads, rng)
    activities = _activities_export(leads, rng)
    respondents, margins = _survey_respondents(rng)
    survey, header_rows, survey_truth = _survey_export(respondents, leads, rng)
    mql_to_sql = {}
    reached = leads[leads["mql_at"].notna() & (leads["mql_at"] < EXPORT_DATE - pd.Timedelta(days=60))]
    for source, group in reached.groupby("source"):
        mql_to_sql[source] = round(float(group["sql_at"].notna().mean()), 4)
    truth = {
        "seed": seed, "export_date": str(EXPORT_DATE), "n_leads": N_LEADS,
        "stages": ["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"],
        "conversion": {"drivers": ["company_size", "webinars_attended", "sessions"],
                       "driver_effects": {"company_size": "50-499 employees convert more at MQL->SQL and SQL->Opportunity",
                                          "webinars_attended": "attending any webinar raises MQL, opportunity and win rates",
                                          "sessions": "more sessions raise MQL and SQL rates"},
                       "leaking_field": "sales_priority", "leaking_export_column": "Sales Priority",
                       "customer_share": round(float(leads["won"].mean()), 6),
                       "true_probability_by_record_id": {str(r): round(float(p), 6) for r, p in zip(leads["record_id"], probs["lead_to_customer"])}},
        "friction_point": {"source": FRICTION_SOURCE, "from_stage": FRICTION_FROM, "to_stage": FRICTION_TO,
                           "mql_to_sql_rate_by_source": mql_to_sql},
        "content_before_wins": CASE_STUDY,
        "content_sales_never_uses": [c for c in CONTENT if c.startswith("Template")],
        "funnel_irregularities": {"skipped_sql": int(leads["skipped_sql"].sum()), "moved_back_to_lead": int(leads["moved_back"].sum())},
        "sla": _sla_truth(leads),
        "dirt": {**dirt, "speeders": survey_truth.pop("speeders"), "straightliners": survey_truth.pop("straightliners"),
                 "blank_rows": {**dirt["blank_rows"], "survey": survey_truth.pop("blank_rows")},
                 "bom": ["hubspot_contacts.csv", "survey_qualtrics.csv"],
                 "pii_in_open_text": survey_truth.pop("pii_in_open_text")},
        "survey": survey_truth,
        "population_margins": margins,
    }
    files = {
        "survey": (raw_dir / "survey_qualtrics.csv", _csv_bytes(survey, header_rows)),
        "contacts": (raw_dir / "hubspot_contacts.csv", _csv_bytes(contacts)),
        "deals": (raw_dir / "hubspot_deals.csv", _csv_bytes(deals, bom=False)),
        "touches": (raw_dir / "hubspot_activities.csv", _csv_bytes(activities, bom=False)),
        "truth": (raw_dir / "demo_truth.json", (json.dumps(truth, indent=1, sort_keys=True) + "\n").encode("utf-8")),
    }
    for path, payload in files.values():
        write_atomic_bytes(path, payload)
    return {name: path for name, (path, _) in files.items()}


def write_survey_wave(path: Path | str, *, seed: int = DEMO_SEED + 1, n_responses: int = N_RESPONSES,
                      persona_shares: dict[int, float] | None = None) -> tuple[Path, dict]:
    """Write a new survey wave (a Qualtrics export like the demo's, no CRM) to `path`; return it and its truth.

    `persona_shares` overrides population shares by persona index (0-based, PERSONAS order), e.g. {2: 0.44}
    doubles the third persona; the other shares are rescaled so that all sum to one. Respondents are not linked
    to CRM leads. The demo exports themselves (write_demo_exports) are unaffected.
    """
    shares = np.array([p.population_share for p in PERSONAS])
    if persona_shares:
        fixed = np.zeros(len(shares), dtype=bool)
        for index, share in persona_shares.items():
            shares[index], fixed[index] = share, True
        shares[~fixed] *= (1 - shares[fixed].sum()) / shares[~fixed].sum()
    rng = np.random.default_rng(seed)
    respondents, _ = _survey_respondents(rng, shares=shares, n_responses=n_responses)
    # one placeholder lead in no company-size band, so that nobody is linked
    no_leads = pd.DataFrame({"record_id": [0], "employees": [0], "email": [""], "first": [""], "last": [""]})
    survey, header_rows, truth = _survey_export(respondents, no_leads, rng)
    truth = {"n_responses": truth["n_responses"], "personas": truth["personas"], "population_shares": shares.round(6).tolist(),
             "persona_by_response_id": truth["persona_by_response_id"]}
    return write_atomic_bytes(Path(path), _csv_bytes(survey, header_rows)), truth
