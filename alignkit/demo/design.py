"""The demo's planted design: the export date and seed, the categories, the personas and what drives conversion,
and the dirt planted with its shares and counts; plus the small helpers the CRM and the survey generators share
(timestamps as export strings, made-up people). The generators in alignkit.demo.crm and alignkit.demo.survey draw
from these; alignkit.demo.truth judges the cleaning against them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DEMO_SEED = 42
N_LEADS = 20_000
N_RESPONSES = 3_000
EXPORT_DATE = pd.Timestamp("2026-09-30 18:00")
FIRST_CREATED = pd.Timestamp("2025-01-01")
LAST_CREATED = pd.Timestamp("2026-09-29")  # leads up to the export, as a live CRM has them
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
OWNERS = (
    "Avery Brooks",
    "Jordan Lee",
    "Riley Chen",
    "Casey Patel",
    "Morgan Diaz",
    "Quinn Novak",
    "Harper Stone",
    "Rowan Ellis",
)
SLOW_OWNERS = ("Quinn Novak", "Rowan Ellis")
JOB_TITLES = (
    "Marketing Manager",
    "Head of Marketing",
    "IT Director",
    "CTO",
    "Operations Manager",
    "Sales Director",
    "CEO",
    "Finance Manager",
    "Customer Success Lead",
    "Data Analyst",
)
LIFECYCLE_VALUES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")
BECAME_COLUMNS = (
    "Became a Subscriber Date",
    "Became a Lead Date",
    "Became a Marketing Qualified Lead Date",
    "Became a Sales Qualified Lead Date",
    "Became an Opportunity Date",
    "Became a Customer Date",
)
CONTENT = (
    "Ebook: Sales and marketing alignment",
    "Checklist: Lead scoring",
    "Case study: Northwind",
    "Whitepaper: Funnel benchmarks",
    "ROI calculator",
    "Template: Service level agreement",
)
CASE_STUDY = "Case study: Northwind"
WEBINARS = ("Webinar: From MQL to revenue", "Webinar: Personas that sell", "Webinar: Funnel metrics 101")
LOST_REASONS = ("Price", "Timing", "Went with competitor", "No decision", "Missing feature")

FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "Lucas",
    "Mia",
    "Mateo",
    "Amelia",
    "Levi",
    "Harper",
    "Ethan",
    "Ella",
    "James",
    "Nora",
    "Henry",
    "Zoe",
    "Leo",
    "Maya",
    "Omar",
    "Ines",
    "Kenji",
    "Priya",
    "Tomas",
    "Freya",
    "Arjun",
    "Lena",
    "Felix",
    "Sara",
    "Hugo",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Garcia",
    "Miller",
    "Davis",
    "Martinez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
)
COMPANY_WORDS = (
    "North",
    "Blue",
    "Bright",
    "Cedar",
    "Delta",
    "Ever",
    "Frontier",
    "Granite",
    "Harbor",
    "Iron",
    "Juniper",
    "Keystone",
    "Lumen",
    "Maple",
    "Nova",
    "Orbit",
    "Pioneer",
    "Quartz",
    "River",
    "Summit",
)
COMPANY_SUFFIXES = ("Labs", "Systems", "Group", "Works", "Partners", "Analytics", "Health", "Retail", "Logistics")

# Survey design: each persona is a distinct answer pattern.
LIKERT_LABELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
ATTITUDES = (
    "Data security is our top buying criterion",
    "We need results within the first month",
    "Price matters more than features",
    "We prefer to try a product ourselves before talking to sales",
    "Integrations with our existing tools are essential",
    "Our team lacks in-house technical skills",
    "We compare several vendors before we buy",
    "Good support matters more than price",
)
ROLES = ("Marketing", "Sales", "IT", "Operations", "Executive", "Finance")
GOALS = ("Grow revenue", "Cut costs", "Reduce risk", "Automate processes", "Improve customer experience")
CHANNELS = (
    "Search engines",
    "Peer recommendations",
    "Industry events",
    "Analyst reports",
    "Social media",
    "Vendor webinars",
)
REGIONS = ("North America", "Europe", "Asia-Pacific", "Rest of world")
SWITCH_CLAUSES = (
    "if the price were right",
    "mostly because our current tool is slow",
    "as long as migration is painless",
    "and a reference from a similar company",
    "which our current vendor keeps promising",
    "without a long contract",
    "and proof it works for teams like ours",
    "before our renewal in spring",
    "if our finance team signs off",
    "even at a higher price",
    "and honest answers from sales",
    "with a clear onboarding plan",
)
SWITCH_ENDINGS = (
    "Nothing else really matters.",
    "That would do it.",
    "Happy to talk about it.",
    "We have been burned before.",
    "Our board asks about this a lot.",
    "It has to be easy.",
    "Speed matters to us.",
    "We are open to it.",
    "Hard to say more than that.",
    "That is the deal-breaker.",
    "We tried two tools already.",
    "Our team is small.",
    "Budgets are tight this year.",
    "Trust is everything.",
    "Show us, don't tell us.",
)


@dataclass(frozen=True)
class Persona:
    """A planted persona: its share of the population and how its members answer each question."""

    name: str
    population_share: float
    attitudes: tuple[float, ...]  # mean agreement 1..5 per attitude item
    role: tuple[float, ...]  # probabilities over ROLES
    size: tuple[float, ...]  # probabilities over SIZE_BANDS
    goal: tuple[float, ...]  # probabilities over GOALS
    channels: tuple[float, ...]  # probability of ticking each channel
    region: tuple[float, ...]  # probabilities over REGIONS
    team_size_median: float
    switch_reasons: tuple[str, ...]


PERSONAS = (
    Persona(
        "Security-first IT leaders",
        0.17,
        (4.8, 2.4, 1.8, 1.9, 4.6, 1.8, 4.2, 3.6),
        (0.05, 0.03, 0.55, 0.07, 0.25, 0.05),
        (0.0, 0.02, 0.08, 0.2, 0.3, 0.4),
        (0.05, 0.05, 0.7, 0.15, 0.05),
        (0.3, 0.3, 0.55, 0.75, 0.1, 0.2),
        (0.45, 0.35, 0.12, 0.08),
        40,
        ("A security certification we trust", "Better audit logs and single sign-on", "Data residency in our region"),
    ),
    Persona(
        "Budget-minded small business owners",
        0.30,
        (2.2, 4.3, 4.8, 3.3, 2.0, 4.4, 2.4, 2.2),
        (0.08, 0.12, 0.04, 0.16, 0.55, 0.05),
        (0.45, 0.4, 0.12, 0.03, 0.0, 0.0),
        (0.15, 0.7, 0.03, 0.07, 0.05),
        (0.75, 0.6, 0.1, 0.05, 0.35, 0.1),
        (0.4, 0.35, 0.15, 0.1),
        3,
        ("A lower price, honestly", "A simpler plan without add-ons", "Something my team can set up alone"),
    ),
    Persona(
        "Hands-on growth marketers",
        0.22,
        (2.0, 4.7, 2.8, 4.8, 4.0, 2.0, 3.0, 2.6),
        (0.7, 0.1, 0.03, 0.05, 0.1, 0.02),
        (0.05, 0.35, 0.4, 0.15, 0.05, 0.0),
        (0.75, 0.05, 0.03, 0.1, 0.07),
        (0.6, 0.3, 0.15, 0.1, 0.7, 0.75),
        (0.5, 0.3, 0.12, 0.08),
        8,
        ("A free trial with real data", "Faster time to first campaign", "Better integrations with our ad tools"),
    ),
    Persona(
        "Process-driven operations managers",
        0.18,
        (3.4, 2.2, 3.0, 2.2, 4.9, 3.4, 4.8, 4.0),
        (0.03, 0.05, 0.1, 0.55, 0.07, 0.2),
        (0.0, 0.05, 0.2, 0.35, 0.3, 0.1),
        (0.05, 0.1, 0.1, 0.7, 0.05),
        (0.2, 0.6, 0.3, 0.7, 0.05, 0.3),
        (0.35, 0.4, 0.15, 0.1),
        25,
        ("Automation that replaces spreadsheets", "An API that fits our workflow", "Clear reporting for finance"),
    ),
    Persona(
        "Service-focused customer teams",
        0.13,
        (3.0, 3.2, 1.7, 2.8, 2.6, 4.2, 2.8, 4.9),
        (0.3, 0.45, 0.03, 0.1, 0.07, 0.05),
        (0.05, 0.2, 0.4, 0.25, 0.1, 0.0),
        (0.1, 0.05, 0.05, 0.1, 0.7),
        (0.3, 0.75, 0.55, 0.1, 0.2, 0.3),
        (0.3, 0.3, 0.25, 0.15),
        12,
        ("Support that answers within the hour", "A dedicated account manager", "Training for the whole team"),
    ),
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
    "Industry": {
        "Software": ("software", "Software ", "SOFTWARE"),
        "Healthcare": ("Health care", "health-care"),
        "Financial services": ("Financial Services", "Finance services"),
        "Manufacturing": ("manufacturing",),
        "Retail": ("retail ",),
        "Education": ("EDUCATION",),
    },
    "Country/Region": {
        "United States": ("USA", "U.S.", "united states"),
        "United Kingdom": ("UK", "U.K."),
        "Germany": ("Deutschland",),
        "France": ("france",),
        "Canada": ("canada",),
        "Netherlands": ("The Netherlands",),
        "Australia": ("australia",),
    },
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def export_timestamps(ts: pd.Series | pd.DatetimeIndex, fmt: str = "%Y-%m-%d %H:%M") -> pd.Series:
    """Return timestamps as export strings, '' for missing."""
    ts = pd.Series(ts)
    return ts.dt.strftime(fmt).fillna("").astype(object)


def hours_delta(values: np.ndarray) -> pd.TimedeltaIndex:
    """Return hours (floats) as timedeltas, rounded to the minute."""
    return pd.to_timedelta(np.round(values * 60).astype("int64"), unit="min")


def conversion_probabilities(
    employees: np.ndarray,
    webinars: np.ndarray,
    sessions: np.ndarray,
    paid_social: np.ndarray,
    slow_owner: np.ndarray,
    case_study: np.ndarray,
) -> dict[str, np.ndarray]:
    """Return the planted stage-to-stage probabilities and the lead-to-customer probability for each lead."""
    midsize = ((employees >= 50) & (employees <= 499)).astype(float)
    webinar = (webinars > 0).astype(float)
    engagement = np.log1p(sessions)
    p_mql = _sigmoid(-2.1 + 1.3 * webinar + 0.75 * engagement)
    p_followed = np.where(slow_owner, 0.88, 0.98)
    p_sql = _sigmoid(0.1 + 1.5 * midsize + 0.25 * engagement - 2.6 * paid_social)
    p_opp = _sigmoid(-0.2 + 1.1 * midsize + 0.5 * webinar)
    p_win = _sigmoid(-0.6 + 0.6 * webinar + 0.9 * case_study)
    return {
        "mql": p_mql,
        "followed": p_followed,
        "sql": p_sql,
        "opportunity": p_opp,
        "customer": p_win,
        "lead_to_customer": p_mql * p_followed * p_sql * p_opp * p_win,
    }


def fake_people(rng: np.random.Generator, n: int, prefix: str) -> pd.DataFrame:
    """Return n made-up people (first, last, company, email, phone); `prefix` keeps their emails apart from
    another draw's."""
    first = rng.choice(FIRST_NAMES, n)
    last = rng.choice(LAST_NAMES, n)
    company = (
        pd.Series(rng.choice(COMPANY_WORDS, n))
        + pd.Series(rng.choice(COMPANY_WORDS, n)).str.lower()
        + " "
        + pd.Series(rng.choice(COMPANY_SUFFIXES, n))
    )
    domain = company.str.replace(" ", "", regex=False).str.lower() + ".com"
    serial = pd.Series(np.arange(n)).astype(str).str.zfill(5)
    email = pd.Series(first).str.lower() + "." + pd.Series(last).str.lower() + "." + prefix + serial + "@" + domain
    area = rng.integers(200, 999, n)
    phone = pd.Series([f"+1 ({a}) 555-{i % 10000:04d}" for a, i in zip(area, range(n))])
    return pd.DataFrame({"first": first, "last": last, "company": company, "email": email, "phone": phone})
