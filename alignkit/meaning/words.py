"""The words that say what a column is, read from its snake_case name: one vocabulary per meaning, shared by every
stage that asks (the draft, cleaning, privacy, personas, the leakage guard), so a name is read the same way
everywhere. A name is evidence beside the values, never enough alone: each decision says which it used."""

from __future__ import annotations

import re

# A binary outcome: the marketing-response, conversion and churn columns of public exports ("y" of the bank
# telemarketing data, "Response" of a customer table, "Converted", "Exited", "AcceptedCmp1").
OUTCOME_NAME = re.compile(
    r"^(?:is_|has_)?(?:y|target|label|class|response|responded|converted|conversion|won|win|"
    r"is_won|subscribed|subscription|churn|churned|exited|attrition|accepted|purchased|"
    r"outcome|complain|complained|deposit|signed_up|bought)(?:_?[a-z]{0,4}[0-9]+)?$"
)
# An identifier by its name: "Lead Number", "Prospect ID", "customer_id", "Ref", "mql_id".
ID_NAME = re.compile(r"(?:^|_)(?:id|ids|key|uuid|guid|number|no|num|nr|ref|code)$|^(?:id|uuid|guid|key)(?:_|$)")
# Fields sales fills in after contact: a status, disposition, notes, a rating, tags, the last activity, a score
# or grade the company assigns (compared word by word on the snake_case name).
SALES_SIDE_WORDS = re.compile(
    r"(?:^|_)(?:status|disposition|notes?|comments?|rating|quality|tags?|priority|score|"
    r"grade|last_activity|last_notable_activity|last_contacted|reason)(?:$|_)"
)
# A column of people who work the leads (its values may be names: shown as counts only, never a value).
PERSON_WORDS = frozenset(
    {"owner", "manager", "agent", "rep", "assignee", "user", "salesperson", "seller", "contact", "person", "sdr", "bdr"}
)
# A column naming organisations or places: its values are not a person's name even when they look like one.
ORGANISATION_NAME = re.compile(
    r"(?:^|_)(?:company|companies|organisation|organization|org|account|employer|"
    r"business|firm|client|vendor|supplier|partner|brand|school|university|college|"
    r"institution|agency|publisher|store|shop|merchant|bank|hospital)(?:_name)?$"
)
PLACE_NAME = re.compile(
    r"(?:^|_)(?:country|countries|city|cities|state|region|province|county|territory|"
    r"location|town|area|office|continent|nation|nationality|market|zone|district|"
    r"headquarters|hq|place|origin|residence|geography|geo|locale)(?:_name)?$"
)
PERSON_NAME = re.compile(
    r"(?:^|_)(?:first_?name|last_?name|full_?name|given_name|surname|family_name|"
    r"contact_name|person|name)$"
)
# Company legal forms and words that end an organisation's name ("Acme Corp", "Müller GmbH", "Bluth Company").
ORGANISATION_SUFFIXES = frozenset(
    [
        "inc",
        "inc.",
        "incorporated",
        "ltd",
        "ltd.",
        "llc",
        "llp",
        "lp",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "sa",
        "s.a.",
        "sas",
        "sarl",
        "srl",
        "spa",
        "s.p.a.",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "asa",
        "aps",
        "pty",
        "kk",
        "co",
        "co.",
        "corp",
        "corp.",
        "corporation",
        "company",
        "limited",
        "holdings",
        "industries",
        "technologies",
        "enterprises",
    ]
)
# Demographic and firmographic descriptors: by default they describe personas rather than form them.
DESCRIPTOR_NAME = re.compile(
    r"(?:^|_)(?:gender|sex|age|age_group|age_band|birth_?year|year_birth|dob|income|"
    r"salary|credit|education|marital|marital_status|household|kids?|kidhome|teenhome|children|"
    r"race|ethnicity|religion|nationality|country|region|state|city|zip|postcode|"
    r"employees|company_size|industry|sector|revenue|job_title|occupation|employment|seniority)"
    r"(?:$|_)"
)

COUNTRIES = frozenset(
    c.casefold()
    for c in """
Afghanistan|Albania|Algeria|Andorra|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahamas|Bahrain|
Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia and Herzegovina|Botswana|Brazil|Brunei|
Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Cape Verde|Chad|Chile|China|Colombia|Comoros|Congo|
Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Djibouti|Dominica|Dominican Republic|Ecuador|Egypt|
El Salvador|Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|
Grenada|Guatemala|Guinea|Guyana|Haiti|Honduras|Hong Kong|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|
Italy|Ivory Coast|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|
Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|Macau|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Mauritania|
Mauritius|Mexico|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Namibia|Nepal|Netherlands|
New Zealand|Nicaragua|Niger|Nigeria|North Korea|North Macedonia|Norway|Oman|Pakistan|Palestine|Panama|
Papua New Guinea|Paraguay|Peru|Philippines|Poland|Portugal|Puerto Rico|Qatar|Romania|Russia|Russian Federation|
Rwanda|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|Somalia|South Africa|
South Korea|Korea|South Sudan|Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|
Thailand|Togo|Trinidad and Tobago|Tunisia|Turkey|Türkiye|Turkmenistan|Uganda|Ukraine|United Arab Emirates|UAE|
United Kingdom|UK|Great Britain|England|Scotland|Wales|Northern Ireland|United States|United States of America|USA|
US|America|Uruguay|Uzbekistan|Venezuela|Vietnam|Viet Nam|Yemen|Zambia|Zimbabwe|Europe|Asia|Africa|North America|
South America|Latin America|Oceania|Middle East|EMEA|APAC|LATAM|Alabama|Alaska|Arizona|Arkansas|California|Colorado|
Connecticut|Delaware|Florida|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|
Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|
New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|
Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|London|Paris|Berlin|Madrid|Rome|
Mumbai|Delhi|New Delhi|Bangalore|Chennai|Kolkata|Tokyo|Beijing|Shanghai|Sydney|Melbourne|Toronto|Vancouver|
Chicago|Los Angeles|San Francisco|Boston|Seattle|Dublin|Amsterdam|Brussels|Vienna|Zurich|Geneva|Stockholm|Oslo|
Copenhagen|Helsinki|Lisbon|Warsaw|Prague|Budapest|Athens|Istanbul|Dubai|Sao Paulo|São Paulo|Rio de Janeiro|
Buenos Aires|Mexico City|Lagos|Nairobi|Cairo|Johannesburg|Cape Town|Manila|Jakarta|Bangkok|Seoul|Singapore|
Hong Kong|Munich|Hamburg|Frankfurt|Milan|Barcelona|Lyon|Manchester|Birmingham|Edinburgh|Glasgow|Northeast|
Northwest|Southeast|Southwest|Midwest
""".replace("\n", "").split("|")
)


# Which outcome-named column is the outcome when a table has several: the conversion a funnel ends in first,
# then responses and sign-ups, then churn; a complaint last.
OUTCOME_PRIORITY = (
    "converted",
    "conversion",
    "won",
    "win",
    "is_won",
    "y",
    "target",
    "label",
    "class",
    "outcome",
    "response",
    "responded",
    "subscribed",
    "subscription",
    "purchased",
    "bought",
    "signed_up",
    "deposit",
    "accepted",
    "churn",
    "churned",
    "exited",
    "attrition",
    "complain",
    "complained",
)


def outcome_rank(snake: str) -> int:
    """Return where a column named like an outcome stands in OUTCOME_PRIORITY (lower first; unknown last)."""
    words = [w for w in snake.split("_") if w not in ("is", "has")]
    stem = "_".join(words).rstrip("0123456789").rstrip("_")
    return next((i for i, w in enumerate(OUTCOME_PRIORITY) if stem == w or stem.startswith(w)), len(OUTCOME_PRIORITY))


# The meta columns survey platforms write (Qualtrics, SurveyMonkey, Google Forms, Typeform, SurveyGizmo …),
# snake_case: two of them in a header say the table is survey responses.
SURVEY_META = frozenset(
    {
        "response_id",
        "responseid",
        "response_set",
        "finished",
        "progress",
        "recorded_date",
        "duration_in_seconds",
        "distribution_channel",
        "user_language",
        "respondent_id",
        "collector_id",
        "submit_date_utc",
        "start_date_utc",
        "network_id",
        "external_data_reference",
        "external_reference",
        "response_type",
    }
)
# … which also appear in other tables: counted only beside one of the above
SURVEY_META_COMMON = frozenset(
    {"start_date", "end_date", "status", "ip_address", "location_latitude", "location_longitude", "timestamp"}
)
QUESTION_CODE = re.compile(r"^(?:q|qid|question)_?\d+(?:_\w+)?$")


def named_like_outcome(snake: str) -> bool:
    """Return whether a snake_case column name reads as a binary outcome (y, target, response, converted, churn …)."""
    return bool(OUTCOME_NAME.match(snake))


def named_like_id(snake: str) -> bool:
    """Return whether a snake_case column name reads as an identifier (…_id, …_number, key, uuid, ref)."""
    return bool(ID_NAME.search(snake))


def named_like_people(snake: str) -> bool:
    """Return whether a snake_case column name says its values are people who work leads (owner, agent, rep …)."""
    return bool(PERSON_WORDS & set(snake.split("_")))


def named_like_sales_field(snake: str) -> bool:
    """Return whether a snake_case name is that of a record sales keeps after contact (a lead status, notes, a
    rating, tags, the last activity, an assigned score) — not a descriptor that shares a word ('marital_status')."""
    return bool(SALES_SIDE_WORDS.search(snake)) and not named_like_descriptor(snake)


# What a customer does or spends: the attributes customer personas are formed from (spend by category, purchases by
# channel, visits, recency, tenure, usage), as opposed to who they are (descriptors) and outcomes.
BEHAVIOUR_NAME = re.compile(
    r"(?:^|_)(?:mnt|spend|spent|spending|amount|purchases?|orders?|visits?|sessions?|recency|"
    r"frequency|monetary|clicks?|opens?|downloads?|logins?|minutes|time|views?|tenure|"
    r"transactions?|balance|products|usage|uses|calls|basket|items|num|count|total)(?:$|_)"
)


# Spend and purchases: a customer table's evidence (what the draft proposes personas.source: crm for).
SPEND_NAME = re.compile(r"(?:^|_)(?:mnt|spend|spent|spending|purchases?|orders?|monetary|basket|transactions?)(?:$|_)")


def named_like_spend(snake: str) -> bool:
    """Return whether a snake_case field name reads as spend or purchases (mnt_wines, num_store_purchases)."""
    return bool(SPEND_NAME.search(snake))


def named_like_behaviour(snake: str) -> bool:
    """Return whether a snake_case field name reads as behaviour or spend (mnt_wines, num_web_purchases, recency)."""
    return bool(BEHAVIOUR_NAME.search(snake)) and not named_like_descriptor(snake)


def named_like_descriptor(snake: str) -> bool:
    """Return whether a snake_case column name reads as a demographic or firmographic descriptor."""
    return bool(DESCRIPTOR_NAME.search(snake))
