"""Generated exports (hypothesis): lead lists with renamed and reordered columns, no id / a sparse numeric id /
text ids / hex keys, ISO, day-first or month-first dates, yes/no, 0/1 or Won/Lost outcomes, an outcome given by a
membership table instead, place, company and people's names, form placeholders, three delimiters and two
encodings. The draft must decide what the generator wrote: each file's kind, the lead id (or the row number), the
created date and its order, the outcome and its rate, places and organisations as attributes, people's names as
personal data, and no id ever an attribute; a bounded sample is then drafted to disk and must pass `validate`
unedited. `pytest --hypothesis-show-statistics` counts the shapes drawn."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from alignkit.config import ROW_NUMBER, load_settings, write_salt
from alignkit.draft.assemble import draft_project
from alignkit.draft.writer import write_draft
from alignkit.prepare.validate import validate_project

ID_KINDS = ("none", "sparse_number", "text", "hex")
DATE_FORMATS = {"iso": "%Y-%m-%d", "day_first": "%d/%m/%Y", "month_first": "%m/%d/%Y"}
OUTCOMES = ("yes_no", "zero_one", "won_lost", "membership")
ID_NAMES = {
    "sparse_number": ("Lead Number", "Ref No", "customer_id"),
    "text": ("Lead ID", "Record ID", "lead_id"),
    "hex": ("prospect_id", "mql_id", "Contact ID"),
}
OUTCOME_NAMES = {
    "yes_no": ("Converted", "y", "Subscribed"),
    "zero_one": ("Response", "target", "Converted"),
    "won_lost": ("Status", "Deal Stage", "Stage"),
}
DATE_NAMES = ("Created", "Signup Date", "created_at", "Date Created")
FIRST = (
    "Ana",
    "Boris",
    "Chen",
    "Dana",
    "Elif",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kemal",
    "Lena",
    "Marta",
    "Nils",
    "Olga",
    "Pavel",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wim",
    "Yara",
    "Zoe",
)
LAST = (
    "Alvarez",
    "Becker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Horvat",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quint",
    "Rossi",
    "Schmidt",
    "Tanaka",
)
COMPANIES = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Aperture",
    "Gringotts",
    "Oscorp",
)
COMPANY_FORMS = ("Inc", "Ltd", "GmbH", "Corp", "LLC", "SA")
PLACES = (
    "India",
    "United States",
    "Germany",
    "France",
    "Brazil",
    "Canada",
    "Japan",
    "Kenya",
    "Spain",
    "Mexico",
    "Sweden",
    "Australia",
    "Chile",
    "Egypt",
    "Norway",
    "Peru",
    "Italy",
    "Ghana",
    "Qatar",
    "Oman",
    "Poland",
    "Austria",
    "Belgium",
    "Denmark",
)


@dataclass
class Generated:
    """An export the generator wrote, and what the draft must decide about it."""

    folder: Path
    kinds: dict[str, str]
    lead_id: str
    created: str
    date_format: str
    outcome: str  # the outcome column ('listed in …' for a membership table)
    rate: float
    id_columns: list[str] = field(default_factory=list)
    place: str = ""
    delimiter: str = ","
    person: str = ""  # a column of people's names: personal data, never an attribute
    organisation: str = ""  # a column of company names: an attribute, not personal data


@st.composite
def lead_exports(draw: st.DrawFn, folder: Path) -> Generated:
    """Write one generated lead export (and, for a membership outcome, its second table) into `folder`."""
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(60, 240))
    id_kind = draw(st.sampled_from(ID_KINDS))
    outcome_kind = draw(st.sampled_from(OUTCOMES if id_kind != "none" else OUTCOMES[:3]))
    date_kind = draw(st.sampled_from(sorted(DATE_FORMATS)))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "cp1252"]))
    columns: dict[str, object] = {}
    id_column = ""
    if id_kind != "none":
        id_column = draw(st.sampled_from(ID_NAMES[id_kind]))
        columns[id_column] = {
            "sparse_number": lambda: (700_000 - np.cumsum(rng.integers(1, 15, n))).astype(str),
            "text": lambda: [f"LD-{i:06d}" for i in rng.permutation(n * 3)[:n]],
            "hex": lambda: [f"{v:016x}{w:08x}" for v, w in zip(rng.integers(0, 2**62, n), rng.integers(0, 2**31, n))],
        }[id_kind]()
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 360, n), unit="D")
    day = day.where(np.arange(n) != 0, pd.Timestamp("2024-03-25"))  # one day above 12 decides the order
    created = draw(st.sampled_from(DATE_NAMES))
    columns[created] = day.strftime(DATE_FORMATS[date_kind])
    segment = rng.choice(
        ["Café", "Retail", "Software", "Finance"]
        if encoding == "cp1252"
        else ["Retail", "Software", "Finance", "Health"],
        n,
    )
    segment[rng.random(n) < 0.05] = "Select"  # a form placeholder
    category = draw(st.sampled_from(["Industry", "Segment", "Vertical"]))
    columns[category] = segment
    columns[draw(st.sampled_from(["Visits", "Pages Viewed", "Sessions"]))] = rng.poisson(4, n).astype(str)
    place = draw(st.sampled_from(["Country", "Location", "Where From"]))
    columns[place] = rng.choice(PLACES, n)
    person = draw(st.sampled_from(["Contact", "Full Name", "Name", "Lead"]))
    columns[person] = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(n)]
    organisation = draw(st.sampled_from(["Company", "Account", "Organisation", "Employer"]))
    columns[organisation] = [f"{rng.choice(COMPANIES)} {rng.choice(COMPANY_FORMS)}" for _ in range(n)]
    converted = rng.random(n) < np.where(segment == "Software", 0.45, 0.15)
    converted[:2] = [True, False]
    outcome = ""
    if outcome_kind == "yes_no":
        outcome = draw(st.sampled_from(OUTCOME_NAMES["yes_no"]))
        columns[outcome] = np.where(converted, "yes", "no")
    elif outcome_kind == "zero_one":
        outcome = draw(st.sampled_from(OUTCOME_NAMES["zero_one"]))
        columns[outcome] = np.where(converted, "1", "0")
    elif outcome_kind == "won_lost":
        outcome = draw(st.sampled_from(OUTCOME_NAMES["won_lost"]))
        columns[outcome] = np.where(converted, "Won", rng.choice(["Lost", "Open"], n))
    order = draw(st.permutations(list(columns)))
    frame = pd.DataFrame({c: columns[c] for c in order})
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "leads.csv", sep=delimiter, index=False, encoding=encoding)
    kinds = {"leads.csv": "contacts"}
    if outcome_kind == "membership":
        members = pd.DataFrame(
            {id_column: frame[id_column][converted], "won_date": day[converted].strftime("%Y-%m-%d")}
        )
        members.to_csv(folder / "won.csv", index=False)
        kinds["won.csv"] = "membership"
        outcome = "listed in won.csv"
    # open deals with no close date are judged by age (funnel.judge: maturity): the draft counts them not converted
    rate = float(converted.mean())
    for name, value in (
        ("id", id_kind),
        ("outcome", outcome_kind),
        ("dates", date_kind),
        ("delimiter", delimiter),
        ("encoding", encoding),
    ):
        event(f"{name}: {value!r}")  # `pytest --hypothesis-show-statistics` counts the shapes drawn
    return Generated(
        folder,
        kinds,
        id_column or ROW_NUMBER,
        created,
        date_kind,
        outcome,
        rate,
        [id_column] if id_column else [],
        place,
        delimiter,
        person,
        organisation,
    )


def _check_draft(generated: Generated) -> None:
    draft = draft_project([generated.folder])
    assert {e.path.name: e.kind for e in draft.exports} == generated.kinds
    contacts = draft.contacts
    assert contacts.export.delimiter == generated.delimiter
    assert contacts.column("lead_id") == generated.lead_id
    assert contacts.column("created_at") == generated.created
    assert draft.outcome.column == generated.outcome
    decided = draft.outcome.converted.dropna().astype(bool)
    assert abs(float(decided.mean()) - generated.rate) < 1e-9
    attributes = {t.column: t for t in contacts.attributes.values()}
    assert not set(generated.id_columns) & set(attributes)
    assert attributes[generated.place].role == "place"
    assert attributes[generated.organisation].role == "organisation"
    meaning = contacts.export.meanings[generated.person]
    assert meaning.role == "person name" and meaning.personal and generated.person not in attributes
    if generated.date_format == "iso":
        created = contacts.export.meanings[generated.created].evidence
        assert "not decidable" not in created


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_draft_decides_what_the_generator_wrote(tmp_path_factory, data):
    _check_draft(data.draw(lead_exports(tmp_path_factory.mktemp("generated"))))


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_generated_draft_validates_unedited(tmp_path_factory, data):
    base = tmp_path_factory.mktemp("validated")
    generated = data.draw(lead_exports(base / "exports"))
    project, _ = write_draft([generated.folder], base)
    write_salt(base)
    problems = validate_project(load_settings(project), deep=True)
    assert problems == [], problems
