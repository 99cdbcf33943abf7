"""What each export is: surveys by their headers, the largest CRM table as contacts, a small table joining it as a
lookup, dated typed rows as activities; encoding and delimiter of delimited text."""

from __future__ import annotations

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
        path, index=False)
    export = assign_kinds([read_for_draft(path)])[0]
    assert export.kind == "survey" and export.survey_format == "plain"
    assert len(export.frame) == 3 and "row 2 holds a response" in export.format_note


def test_the_largest_table_is_contacts_and_a_table_joining_it_is_a_lookup(tmp_path):
    deals = pd.DataFrame({"opportunity_id": [f"O{i}" for i in range(40)], "product": ["GTX Pro", "MG Basic"] * 20,
                          "deal_stage": ["Won", "Lost"] * 20})
    products = pd.DataFrame({"product": ["GTX Pro", "MG Basic", "GTK 500"], "sales_price": [10, 20, 30]})
    touches = pd.DataFrame({"lead_id": ["O1", "O1", "O2"], "activity_type": ["CALL", "EMAIL", "CALL"],
                            "activity_date": ["2025-01-02", "2025-01-03", "2025-01-04"]})
    for name, frame in (("pipeline", deals), ("products", products), ("activities", touches)):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    kinds = {e.path.stem: e.kind for e in assign_kinds([read_for_draft(tmp_path / f"{n}.csv")
                                                        for n in ("pipeline", "products", "activities")])}
    assert kinds == {"pipeline": "contacts", "products": "lookup", "activities": "touches"}


def test_form_placeholders_are_read_as_missing_and_counted(tmp_path):
    path = tmp_path / "leads.csv"
    pd.DataFrame({"Lead ID": ["a", "b", "c", "d"], "City": ["Select", "Mumbai", "-- select --", "Pune"]}).to_csv(
        path, index=False)
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
    deals = pd.DataFrame({"Record ID": [str(9000 + i) for i in range(20)],
                          "Associated Contact ID": contacts["Record ID"][:20].tolist(), "Deal Stage": ["won"] * 20})
    activities = pd.DataFrame({"Activity ID": [str(i) for i in range(1, 301)],
                               "Contact ID": (contacts["Record ID"].tolist() * 6),
                               "Activity Type": ["EMAIL_OPEN", "CALL", "MEETING"] * 100})
    for name, frame in (("contacts", contacts), ("deals", deals), ("activities", activities)):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    kinds = {e.path.stem: e.kind for e in assign_kinds([read_for_draft(tmp_path / f"{n}.csv")
                                                        for n in ("contacts", "deals", "activities")])}
    assert kinds == {"contacts": "contacts", "deals": "deals", "activities": "touches"}
