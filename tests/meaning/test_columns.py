"""Each column's meaning decided from its name and values, and the canonical mapping; personal data never shown."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.meaning.columns import PROBE_ROWS, column_role, decide_column, is_personal_data
from alignkit.meaning.mapping import guess_mapping

N = 40


def _crm() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Prospect ID": [f"p{i:03d}" for i in range(N)],
            "Lead Number": range(1000, 1000 + N),
            "E-mail Adress": [f"person{i}@firm{i % 7}.com" for i in range(N)],
            "Lead Sources": ["Google", "Direct", "Referral", "Event"] * (N // 4),
            "Created": [f"2025-03-{1 + i % 28:02d}" for i in range(N)],
            "Status": ["Inquiry", "Working", "Won", "Disqualified"] * (N // 4),
            "Do Not Email": ["Yes", "No", "No", "No"] * (N // 4),
            "Magazine": ["No"] * N,
        }
    )


def test_mapping_from_preset_names_close_names_and_values():
    mapping = {g.canonical: g.column for g in guess_mapping(_crm())}
    assert mapping == {
        "lead_id": "Prospect ID",
        "email": "E-mail Adress",
        "created_at": "Created",
        "stage": "Status",
        "source": "Lead Sources",
    }
    evidence = {g.canonical: g.evidence for g in guess_mapping(_crm())}
    assert evidence["lead_id"] == "its name; 40 distinct values, unique per row"
    assert "close to 'source'" in evidence["source"]


def test_a_name_without_fitting_values_is_not_mapped():
    frame = pd.DataFrame({"Lead ID": ["a", "a", "b"] * 10, "Created": ["soon", "later", "never"] * 10})
    assert guess_mapping(frame) == []


def test_do_not_email_is_a_yes_no_attribute_not_an_email_column():
    typed = decide_column("Do Not Email", _crm()["Do Not Email"])
    assert (typed.role, typed.evidence) == ("yes/no", "no 30, yes 10")


def test_types_of_other_columns():
    frame = _crm()
    assert decide_column("Magazine", frame["Magazine"]).evidence == "'No' in every row"
    assert decide_column("Lead Number", frame["Lead Number"].astype(str)).role == "id"
    scale = decide_column("Agree", pd.Series(["Agree", "Disagree", "Strongly agree", "Neither agree nor disagree"] * 5))
    assert scale.role == "ordered scale"
    assert (
        scale.levels.index("Disagree")
        < scale.levels.index("Neither agree nor disagree")
        < scale.levels.index("Strongly agree")
    )
    multi = decide_column("Tools", pd.Series(["Excel;Slack", "Slack", "Excel;Jira;Slack", "Jira"] * 5))
    assert (multi.role, multi.levels) == ("multi-select", ("Excel", "Jira", "Slack"))
    assert decide_column("Visits", pd.Series(["1", "2", "3,000", "4"] * 5)).role == "number"
    day_first = decide_column("Signed", pd.Series(["25/03/2025", "02/04/2025", "13/01/2025"] * 5))
    assert (day_first.role, day_first.evidence) == ("date", "dates, day first")


def test_personal_data_is_typed_by_its_values_and_never_sampled():
    typed = decide_column("Contact", _crm()["E-mail Adress"])
    assert typed.role == "email" and "@" not in typed.evidence and "person" not in typed.evidence


def test_a_column_of_people_shows_counts_never_names():
    managers = pd.Series(["Dustin Brinkmann", "Cara Losch", "Summer Sewald"] * 8)  # too few names for pii_kind
    typed = decide_column("manager", managers)
    assert typed.role == "category" and "Brinkmann" not in typed.evidence and typed.evidence.startswith("3 values")
    assert "Retail 2" in decide_column("Industry", pd.Series(["Retail", "IT", "Retail"])).evidence


def test_column_role_finds_constants_and_ids_but_not_flags_measures_or_times():
    rows = 30
    assert column_role(pd.Series(["EMEA"] * rows, dtype="str")) == "constant"
    assert column_role(pd.Series([None] * rows, dtype="str")) == "constant"
    # a yes/no flag exported as "Yes" or blank is information, not a constant
    assert column_role(pd.Series(["Yes"] + [None] * (rows - 1), dtype="str")) is None
    assert column_role(pd.Series([f"C-{i:05d}" for i in range(rows)], dtype="str")) == "id"
    assert column_role(pd.Series([str(100200 + i) for i in range(rows)], dtype="str")) == "id"
    assert column_role(pd.Series([1250.5 * (i + 1) for i in range(rows)])) is None  # amounts
    assert column_role(pd.Series([str(1_000 * (i + 1) ** 2) for i in range(rows)], dtype="str")) is None
    times = pd.Series([f"2024-03-{1 + i % 28:02d} 10:{i:02d}" for i in range(rows)], dtype="str")
    assert column_role(times) is None
    assert column_role(pd.Series([f"great product number {i}" for i in range(rows)], dtype="str")) is None
    assert column_role(pd.Series([f"C-{i}" for i in range(5)], dtype="str")) is None  # too few rows


def test_column_role_reads_the_whole_column_where_the_first_rows_cannot_tell():
    """The role is decided on the first rows only when they already show a repeat or a blank (neither constant nor
    an id); a column that looks constant or unique there is read in full."""
    rows = PROBE_ROWS + 1_000
    assert column_role(pd.Series(["EMEA"] * (rows - 1) + ["APAC"], dtype="str")) is None
    assert column_role(pd.Series(["EMEA"] * rows, dtype="str")) == "constant"
    assert column_role(pd.Series([f"C-{i:06d}" for i in range(rows)], dtype="str")) == "id"
    unique_then_repeat = [f"C-{i:06d}" for i in range(rows - 1)] + ["C-000001"]
    assert column_role(pd.Series(unique_then_repeat, dtype="str")) is None
    assert column_role(pd.Series([f"C-{i:06d}" for i in range(rows - 1)] + [None], dtype="str")) is None


# --- traps of real exports: each reproduces a column shape that a public export had ---------------------------


def _descending_lead_numbers(n: int, seed: int = 3) -> pd.Series:
    """Whole numbers, unique, sparse and in descending row order: a CRM's sequential lead number."""
    gaps = np.random.default_rng(seed).integers(1, 20, size=n)
    return pd.Series((660_737 - np.cumsum(gaps)).astype(str), dtype="str")


def test_a_sparse_sequential_lead_number_is_an_id_named_or_not():
    numbers = _descending_lead_numbers(300)
    assert decide_column("Lead Number", numbers).role == "id"
    assert "named like an id" in decide_column("Lead Number", numbers).evidence
    assert column_role(numbers, "lead_number") == "id"  # prepare's snake_case attribute name
    shuffled = decide_column("Ref", numbers.sample(frac=1, random_state=1))  # named like one, out of row order
    assert shuffled.role == "id" and "named like an id" in shuffled.evidence
    counter = decide_column("Counter", numbers)  # unnamed, but a sequence in row order
    assert counter.role == "id" and "row order (a sequence number)" in counter.evidence
    # unique whole numbers out of order and far apart are a measure (employees of 85 accounts), not an id
    employees = pd.Series(np.random.default_rng(2).permutation(np.arange(85) * 97 + 13).astype(str), dtype="str")
    assert decide_column("employees", employees).role == "number"


def test_a_half_filled_column_named_like_an_id_is_an_id_never_a_trait():
    ids = pd.Series([f"R{i:04d}" if i % 2 else None for i in range(80)], dtype="str")
    meaning = decide_column("respondent_id", ids)
    assert meaning.role == "id" and "unique wherever filled (40 of 80 rows)" in meaning.evidence
    assert column_role(pd.Series(["a", "a", "b", None] * 10, dtype="str"), "account_id") is None


PEOPLE = [
    "Moses Frase",
    "Darcel Schlecht",
    "Zane Levy",
    "Anna Snelling",
    "Cecily Lampkin",
    "Versie Hillebrand",
    "Lajuana Vencill",
    "Elease Gluck",
    "Rosalina Dieter",
    "Garret Kinder",
    "Jonathan Berthelot",
    "Kami Bicknell",
    "Wilburn Farren",
    "Cassey Cress",
    "Boris Faz",
    "Violet Mclelland",
    "Gladys Colclough",
    "Hayden Neloms",
    "Maureen Marcano",
    "James Ascencio",
    "Reed Clapper",
    "Corliss Cosme",
    "Markita Hansen",
    "Niesha Huffines",
]


def test_people_are_personal_data_organisations_and_places_are_not():
    people = pd.Series(PEOPLE * 2 + [f"{p.split()[0]} {p.split()[1][::-1].title()}" for p in PEOPLE], dtype="str")
    assert decide_column("Contact", people).role == "person name"
    companies = pd.Series(
        [
            f"{w} {s}"
            for w in (
                "Acme",
                "Betatech",
                "Bluth",
                "Cheers",
                "Dalttechnology",
                "Domzoom",
                "Dontechi",
                "Faxquote",
                "Finhigh",
                "Fixdex",
                "Genco",
                "Gogozoom",
            )
            for s in ("Inc", "Corp", "GmbH")
        ],
        dtype="str",
    )
    assert decide_column("Client", companies).role == "organisation"
    accounts = pd.Series(
        [
            "Acme Corporation",
            "Betasoloin",
            "Bioholding",
            "Bioplex",
            "Blackzim",
            "Bluth Company",
            "Bubba Gump",
            "Cancity",
            "Cheers",
            "Codehow",
            "Condax",
            "Conecom",
            "Dalttechnology",
            "Dambase",
            "Domzoom",
            "Doncon",
            "Donquadtech",
            "Dontechi",
            "Donware",
            "Fasehatice",
            "Faxquote",
            "Finhigh",
            "Finjob",
            "Funholding",
            "Ganjaflex",
            "Gekko & Co",
        ],
        dtype="str",
    )
    account = decide_column("account", accounts)
    assert account.role == "organisation" and not account.personal
    countries = pd.Series(
        [
            "India",
            "United States",
            "United Arab Emirates",
            "Singapore",
            "Saudi Arabia",
            "United Kingdom",
            "Australia",
            "Qatar",
            "Bahrain",
            "Hong Kong",
            "Oman",
            "France",
            "Nigeria",
            "South Africa",
            "Canada",
            "Kuwait",
            "Germany",
            "Kenya",
            "Sweden",
            "Ghana",
            "Italy",
            "Belgium",
        ]
        * 3,
        dtype="str",
    )
    assert decide_column("Where", countries).role == "place"
    assert decide_column("Country", countries).role == "place"
    # capitalised words that repeat across many rows are a category, not people
    repeated = pd.Series(PEOPLE[:21] * 10, dtype="str")
    assert decide_column("segment", repeated).role == "category"
    assert is_personal_data("Contact", people) and not is_personal_data("account", accounts)
    assert not is_personal_data("Country", countries) and not is_personal_data("segment", repeated)


def test_iso_dates_are_never_ambiguous_and_decimal_commas_are_numbers():
    iso = pd.Series([f"2017-0{1 + i % 9}-0{1 + i % 9}" for i in range(30)], dtype="str")
    assert decide_column("first_contact_date", iso).evidence == "dates, ISO dates (year first): never ambiguous"
    commas = pd.Series(["1.183,5", "-36,4", "4,857", "93,994", "5191", "0,5"] * 5, dtype="str")
    meaning = decide_column("euribor3m", commas)
    assert (meaning.role, meaning.evidence) == ("number", "numbers from -36.4 to 5191")


def test_a_two_valued_column_named_like_an_outcome_is_the_outcome():
    assert decide_column("y", pd.Series(["no", "yes", "no", "no"] * 10, dtype="str")).role == "outcome"
    assert decide_column("Response", pd.Series(["0", "1", "0"] * 10, dtype="str")).role == "outcome"
    variants = pd.Series(["yes", "No", "Y", "Yes ", "no", "n"] * 10, dtype="str")
    converted = decide_column("Converted", variants)
    assert converted.role == "outcome" and converted.levels == ("no", "yes")
    assert decide_column("Do Not Email", pd.Series(["Yes", "No"] * 10, dtype="str")).role == "yes/no"


def test_decimals_are_numbers_never_phone_numbers_and_amounts_in_text_never_ids():
    decimals = pd.Series([f"{4 + (i % 29) / 7:.9f}" for i in range(60)] + ["-1.221758456"], dtype="str")
    assert decide_column("intentionAvg", decimals).role == "number"
    amounts = pd.Series([f"${100 + 7.31 * i:.2f}K" for i in range(40)], dtype="str")
    assert decide_column("Expected Revenue", amounts).role != "id"


def test_a_descriptor_sharing_a_word_with_sales_fields_is_not_one():
    from alignkit.meaning.words import named_like_sales_field

    assert named_like_sales_field("lead_status") and named_like_sales_field("last_activity")
    assert named_like_sales_field("tags") and not named_like_sales_field("marital_status")
    assert not named_like_sales_field("employment_status")


def test_amounts_with_a_currency_sign_are_numbers():
    """A customer table's ' Income ' written "$84,835.00 " (2,000 distinct values) is a number, not a category."""
    income = pd.Series([f"${30_000 + 37 * i:,.2f} " for i in range(60)] + [None], dtype="str")
    meaning = decide_column(" Income ", income)
    assert (meaning.role, meaning.evidence) == ("number", "numbers from 30000 to 32183")


def test_surveymonkey_respondent_ids_are_ids_not_phones():
    """SurveyMonkey's RespondentID holds ten-digit numbers that look like phone numbers (FiveThirtyEight's
    StarWars.csv and flying-etiquette.csv): named like an id and unique, it is an id."""
    from alignkit.meaning.columns import decide_column

    ids = pd.Series([str(3292879998 - 7 * i) for i in range(400)])
    assert decide_column("RespondentID", ids).role == "id"
    phones = pd.Series([f"+44 20 7946 {i:04d}" for i in range(60)])
    assert decide_column("Phone", phones).role == "phone"
    # is_personal_data (prepare's PII scan of unmapped columns) reads the ids the same way: not personal data
    assert not is_personal_data("RespondentID", ids) and is_personal_data("Phone", phones)


def test_a_question_mentioning_a_person_is_not_a_column_of_people():
    """'… does a person who reclines their seat … have any obligation to the person sitting behind them?' is a
    question, not a column of sales people whose values must be hidden."""
    from alignkit.meaning.columns import decide_column

    question = (
        "Under normal circumstances, does a person who reclines their seat during a flight have any "
        "obligation to the person sitting behind them?"
    )
    answers = pd.Series(["No, the person on the flight has no obligation", "Yes, they should not recline"] * 40)
    assert "values not shown" not in decide_column(question, answers).evidence
    assert "values not shown" in decide_column("Owner", pd.Series(["Avery Brooks", "Jordan Lee"] * 40)).evidence
