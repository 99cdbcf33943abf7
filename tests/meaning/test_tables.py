"""What each export is: surveys by their headers, the largest CRM table as contacts, a small table joining it as a
lookup, dated typed rows as activities; encoding and delimiter of delimited text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.meaning.tables import assign_kinds, looks_like_spend, looks_like_survey, read_for_draft, text_format


def test_survey_headers_read_as_questions_and_crm_headers_do_not():
    assert looks_like_survey(["Respondent ID", "What is your age?", "How often do you buy from us?"])
    assert not looks_like_survey(["Lead ID", "Created", "Status", "Source", "Owner", "Company Size"])
    assert looks_like_spend(["Month", "Source", "Spend"])
    assert not looks_like_spend(["Lead ID", "Created", "Amount"])


def test_a_plain_survey_with_a_respondent_id_header_keeps_its_first_response(tmp_path):
    # ingest.survey reads a 'Respondent ID' header as SurveyMonkey (two header rows): row 2 would be lost
    path = tmp_path / "survey.csv"
    pd.DataFrame({"Respondent ID": ["S1", "S2", "S3"], "Do you use our app?": ["Yes", "No", "Yes"]}).to_csv(
        path, index=False
    )
    export = assign_kinds([read_for_draft(path)])[0]
    assert export.kind == "survey" and export.survey_format == "plain"
    assert len(export.frame) == 3 and "row 2 holds a response" in export.format_note


def test_the_largest_table_is_contacts_and_a_table_joining_it_is_a_lookup(tmp_path):
    deals = pd.DataFrame(
        {
            "opportunity_id": [f"O{i}" for i in range(40)],
            "product": ["GTX Pro", "MG Basic"] * 20,
            "deal_stage": ["Won", "Lost"] * 20,
        }
    )
    products = pd.DataFrame({"product": ["GTX Pro", "MG Basic", "GTK 500"], "sales_price": [10, 20, 30]})
    touches = pd.DataFrame(
        {
            "lead_id": ["O1", "O1", "O2"],
            "activity_type": ["CALL", "EMAIL", "CALL"],
            "activity_date": ["2025-01-02", "2025-01-03", "2025-01-04"],
        }
    )
    for name, frame in (("pipeline", deals), ("products", products), ("activities", touches)):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    kinds = {
        e.path.stem: e.kind
        for e in assign_kinds([read_for_draft(tmp_path / f"{n}.csv") for n in ("pipeline", "products", "activities")])
    }
    assert kinds == {"pipeline": "contacts", "products": "lookup", "activities": "touches"}


def test_form_placeholders_are_read_as_missing_and_counted(tmp_path):
    path = tmp_path / "leads.csv"
    pd.DataFrame({"Lead ID": ["a", "b", "c", "d"], "City": ["Select", "Mumbai", "-- select --", "Pune"]}).to_csv(
        path, index=False
    )
    export = read_for_draft(path)
    assert export.placeholders == 2
    assert export.frame["City"].isna().sum() == 2


def test_text_format_names_the_encoding_that_decodes_and_the_delimiter(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes("Lead ID;Région;Größe\nL1;Île-de-France;1-10\nL2;Zürich;11-50\n".encode("cp1252"))
    assert text_format(path) == ("cp1252", ";")
    tab = tmp_path / "leads.tsv"
    tab.write_text("\ufeffLead ID\tSource\nL1\tWeb\nL2\tEvent\n", encoding="utf-8")
    assert text_format(tab) == ("utf-8-sig", "\t")


def test_contacts_deals_and_activities_whose_numeric_ids_overlap_by_chance(tmp_path):
    # the demo's trap: activity ids run 1, 2, 3 … over the range of the contacts' record ids, and each deal has
    # its own contact (a unique Associated Contact ID)
    contacts = pd.DataFrame({"Record ID": [str(100 + i * 3) for i in range(50)], "Industry": ["Retail", "IT"] * 25})
    deals = pd.DataFrame(
        {
            "Record ID": [str(9000 + i) for i in range(20)],
            "Associated Contact ID": contacts["Record ID"][:20].tolist(),
            "Deal Stage": ["won"] * 20,
        }
    )
    activities = pd.DataFrame(
        {
            "Activity ID": [str(i) for i in range(1, 301)],
            "Contact ID": (contacts["Record ID"].tolist() * 6),
            "Activity Type": ["EMAIL_OPEN", "CALL", "MEETING"] * 100,
        }
    )
    for name, frame in (("contacts", contacts), ("deals", deals), ("activities", activities)):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    kinds = {
        e.path.stem: e.kind
        for e in assign_kinds([read_for_draft(tmp_path / f"{n}.csv") for n in ("contacts", "deals", "activities")])
    }
    assert kinds == {"contacts": "contacts", "deals": "deals", "activities": "touches"}


def _write(tmp_path, name: str, frame: pd.DataFrame, **kwargs) -> None:
    frame.to_csv(tmp_path / name, index=False, **kwargs)


def test_a_plain_survey_of_short_headers_without_id_or_timestamp_is_a_survey(tmp_path):
    """The shape of a public attitude survey: one header row of short names, agreement and frequency scales,
    choices, no respondent id and no timestamp — once drafted as CRM contacts."""
    n = 90
    agree = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
    often = ["Never", "Rarely", "Sometimes", "Often", "Always"]
    topics = ["price", "quality", "service", "speed", "brand", "support", "shop", "visit", "recommend"]
    frame = pd.DataFrame({f"{t}_agree": [agree[(i + j) % 5] for j in range(n)] for i, t in enumerate(topics[:6])})
    for i, t in enumerate(topics[6:]):
        frame[f"{t}_freq"] = [often[(i * j) % 5] for j in range(n)]
    frame["gender"] = ["Male", "Female", "Other"] * (n // 3)
    frame["region"] = ["North", "South", "East", "West", "Central"] * (n // 5)
    _write(tmp_path, "attitudes.csv", frame)
    export = assign_kinds([read_for_draft(tmp_path / "attitudes.csv")])[0]
    assert export.kind == "survey" and "answer scales" in export.reason
    frame.columns = [f"q{i:04d}" for i in range(frame.shape[1])]  # coded headers read as questions too
    _write(tmp_path, "coded.csv", frame.assign(q0001=["a", "b", "c"] * (n // 3)))
    coded = assign_kinds([read_for_draft(tmp_path / "coded.csv")])[0]
    assert coded.kind == "survey" and "coded questions" in coded.reason


def test_a_telemarketing_table_with_a_y_outcome_is_not_a_survey(tmp_path):
    n = 60
    frame = pd.DataFrame(
        {
            "age": [str(25 + i % 40) for i in range(n)],
            "job": ["admin.", "blue-collar", "retired"] * 20,
            "marital": ["married", "single", "divorced"] * 20,
            "education": ["primary", "tertiary"] * 30,
            "default": ["no", "yes"] * 30,
            "housing": ["yes", "no", "no"] * 20,
            "loan": ["no"] * 59 + ["yes"],
            "contact": ["cellular", "telephone"] * 30,
            "month": ["may", "jun", "jul"] * 20,
            "poutcome": ["unknown", "failure", "success"] * 20,
            "y": ["no", "no", "yes"] * 20,
        }
    )
    _write(tmp_path, "bank.csv", frame, sep=";")
    export = assign_kinds([read_for_draft(tmp_path / "bank.csv")])[0]
    assert export.kind == "contacts" and export.delimiter == ";"


def test_a_table_listing_a_subset_of_the_leads_ids_is_their_membership(tmp_path):
    """Closed deals of a list of MQLs: one row a won MQL, its own date and seller fields, no stage column."""
    ids = [f"{v:032x}" for v in np.random.default_rng(8).integers(0, 2**62, 240)]
    mqls = pd.DataFrame(
        {
            "mql_id": ids[:200],
            "first_contact_date": [f"2018-0{1 + i % 9}-1{i % 9}" for i in range(200)],
            "origin": ["organic_search", "paid_search", "social", "email"] * 50,
        }
    )
    deals = pd.DataFrame(
        {
            "mql_id": ids[0:200:5],
            "seller_id": [ids[200 + i % 9] for i in range(40)],
            "won_date": [f"2018-0{1 + i % 9}-2{i % 9} 10:00:00" for i in range(40)],
            "business_segment": ["pet", "car_accessories", "home_decor", "health_beauty"] * 10,
        }
    )
    _write(tmp_path, "mql.csv", mqls)
    _write(tmp_path, "closed_deals.csv", deals)
    kinds = {
        e.path.stem: e for e in assign_kinds([read_for_draft(tmp_path / f) for f in ("mql.csv", "closed_deals.csv")])
    }
    assert kinds["mql"].kind == "contacts"
    members = kinds["closed_deals"]
    assert (members.kind, members.member_of, members.member_key) == ("membership", "mql_id", "mql_id")
    assert "100% of the mql_id ids of mql.csv" in members.reason


def test_a_legacy_qualtrics_export_of_numeric_codes_is_a_survey(tmp_path):
    """One header row, the platform's meta columns, Likert items coded 1-7 and computed means with many decimals
    (once read as phone numbers)."""
    n = 60
    frame = pd.DataFrame(
        {
            "ResponseID": [f"R_{i:015d}x" for i in range(n)],
            "ResponseSet": "Default Response Set",
            "StartDate": [f"6/{1 + i % 28}/15 9:{i % 60:02d}" for i in range(n)],
            "Finished": "1",
            **{f"GW{i:02d}": [str(1 + (i * j) % 7) for j in range(n)] for i in range(1, 9)},
            "moralAvg": [f"{4 + (j % 9) / 3:.9f}" for j in range(n)],
        }
    )
    _write(tmp_path, "climate.csv", frame)
    export = assign_kinds([read_for_draft(tmp_path / "climate.csv")])[0]
    assert export.kind == "survey" and "meta columns" in export.reason
    assert export.meanings["moralAvg"].role == "number"


def test_integer_ids_shared_by_chance_do_not_make_tables_children_or_members(tmp_path):
    """A multi-table CRM export whose tables all number their rows 1, 2, 3 …: a table belongs to the leads only
    through a column that names them (LEADID), and one holding a stage is deals, one of calls is activities."""
    rng = np.random.default_rng(4)
    leads = pd.DataFrame(
        {
            "LEADID": np.arange(1, 401),
            "Lead Source": rng.choice(["Web", "Ad", "Event"], 400),
            "CONVERTED": rng.choice(["Yes", "No"], 400),
        }
    )
    accounts = pd.DataFrame(
        {
            "ACCOUNTID": np.arange(1, 201),
            "Account Owner Id": rng.integers(1, 12, 200),
            "Account Type": rng.choice(["Prospect", "Customer"], 200),
        }
    )
    contacts = pd.DataFrame(
        {
            "CONTACTID": np.arange(1, 151),
            "Account Id": rng.integers(1, 201, 150),
            "Lead Source": rng.choice(["Web", "Ad"], 150),
        }
    )
    potentials = pd.DataFrame(
        {
            "Potential Name": [f"Deal {i}" for i in range(300)],
            "Stage": rng.choice(["Closed Won", "Closed Lost", "Negotiation"], 300),
            "Type": rng.choice(["New", "Renewal"], 300),
            "LEADID": rng.choice(np.arange(1, 401), 300, replace=False),
            "Amount": [f"${v:,.2f}" for v in rng.random(300) * 1e4],
        }
    )
    calls = pd.DataFrame(
        {
            "TASKID": np.arange(1, 501),
            "Call Type": rng.choice(["Inbound", "Outbound"], 500),
            "Call Start Time": [f"2021-04-{1 + i % 28:02d} 10:00:00" for i in range(500)],
            "LEADID": rng.integers(1, 401, 500),
        }
    )
    for name, frame in (
        ("Leads", leads),
        ("Accounts", accounts),
        ("Contacts", contacts),
        ("Potentials", potentials),
        ("Calls", calls),
    ):
        _write(tmp_path, f"{name}.csv", frame)
    kinds = {
        e.path.stem: e.kind
        for e in assign_kinds(
            [read_for_draft(tmp_path / f"{n}.csv") for n in ("Leads", "Accounts", "Contacts", "Potentials", "Calls")]
        )
    }
    assert kinds == {"Leads": "contacts", "Accounts": "", "Contacts": "", "Potentials": "deals", "Calls": "touches"}
    calls = pd.read_csv(tmp_path / "Calls.csv").assign(CONTACTID=lambda f: f["LEADID"] % 150 + 1)
    _write(tmp_path, "Calls.csv", calls)  # a CONTACTID beside LEADID: the lead is the column naming the leads
    from alignkit.draft.assemble import draft_project

    others = {o.export.path.stem: {g.canonical: g.column for g in o.mapping} for o in draft_project([tmp_path]).others}
    assert others["Calls"]["lead_id"] == "LEADID" and others["Potentials"]["lead_id"] == "LEADID"
    assert (others["Calls"]["at"], others["Calls"]["kind"]) == ("Call Start Time", "Call Type")
