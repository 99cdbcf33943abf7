"""What a survey question is for in segmentation, decided once with its evidence: the **basis** (attitudes, needs,
behaviour, spend: what forms the personas) or a **descriptor** (who the respondent is: gender, age, income,
education, household, region, company size, industry, job role … : what describes the personas, profiled per
persona, never clustered on by default). Standard segmentation practice: personas formed on demographics split by
the most balanced demographic (one persona 0% men, another 0% women) rather than by what people think or do.

Also the question's label as a marketer reads it: export boilerplate ("Selected Choice", "- Text", "Please
indicate…", "(Select all that apply)") stripped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from alignkit.ingest.files import to_snake_case
from alignkit.meaning.words import COUNTRIES, named_like_descriptor

BASIS, DESCRIPTOR = "basis", "descriptor"

# (topic, pattern on the question text, casefolded). Order matters: the first topic that matches is the evidence.
DESCRIPTOR_QUESTIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (topic, re.compile(pattern))
    for topic, pattern in (
        ("gender", r"\b(?:gender|sex)\b|\bare you (?:male|female|a man|a woman)\b"),
        (
            "age",
            r"^\s*age\b|\byour age\b|\bage (?:group|band|range|bracket)\b|\bhow old\b|\byear (?:of|you were) born\b|"
            r"\bbirth ?year\b|\bdate of birth\b|\bwhat year were you born\b",
        ),
        ("income", r"\bincome\b|\bsalary\b|\bhow much do you earn\b|\bearnings\b"),
        (
            "education",
            r"\beducation\b|\bhighest (?:level|degree)\b|\bdegree\b.*\b(?:completed|earned|obtained|hold)\b|"
            r"\bschooling\b",
        ),
        (
            "household",
            r"\bhousehold\b|\b(?:have|how many|number of) (?:any )?(?:children|kids)\b|"
            r"\b(?:children|kids) (?:under|at home|in your|living)\b|\bmarital\b|\bmarried\b|"
            r"\bwho do you live with\b|\bdependents\b|\brelationship status\b|^\s*(?:kids|children)\s*$",
        ),
        ("ethnicity", r"\brace\b|\bethnic|\breligio|\bnationality\b"),
        ("orientation", r"\bsexual orientation\b|\borientation\b"),
        ("body", r"\bhow tall\b|\byour height\b|\bhow much do you weigh\b"),
        (
            "region",
            r"\bregion\b|\bcountry\b|\b(?:which|what|your|us|u\.s\.) state\b|^\s*state\s*$|\bcity\b|\bzip\b|"
            r"\bpost(?:al)? ?code\b|\blocation\b|\bcensus\b|"
            r"\bwhere (?:do|are|is) (?:you|your \w+) (?:live|living|based|located|from|headquartered)\b",
        ),
        (
            "company size",
            r"\bhow many (?:people|employees|staff|workers)\b(?!.* (?:team|use|would)\b)|\bcompany size\b|"
            r"\b(?:number of|how many) employees\b|\bheadcount\b|\bsize of (?:your|the) (?:company|organi[sz]ation)\b",
        ),
        ("industry", r"\bindustry\b|\bsector\b|\bline of business\b"),
        (
            "job role",
            r"\bjob title\b|\byour (?:job|role|title|position|department|occupation)\b|\bwhich team do you\b|"
            r"\bwhat team\b|\bdepartment do you\b|\boccupation\b|\bseniority\b|\bemployment status\b|"
            r"\bcurrently employed\b",
        ),
    )
)
# The same topics read from a coded column name ("age3", "educ4", "race2", "racethn4", "kids", "hh_income").
DESCRIPTOR_NAMES = re.compile(
    r"^(?:(?P<gender>gender|sex)|(?P<age>age|age_?group|age_?band|age_?range|birth_?year|year_?of_?birth|yob|dob)|"
    r"(?P<income>income|hh_?income|household_?income|salary)|(?P<education>educ|education|edu|degree)|"
    r"(?P<household>kids|children|marital|marital_?status|household|hh_?size)|"
    r"(?P<ethnicity>race|racethn|ethnicity|religion|nationality)|(?P<orientation>orientation)|"
    r"(?P<region>region|country|state|city|zip|postcode|location|census_?region)|"
    r"(?P<company_size>employees|company_?size|headcount)|(?P<industry>industry|sector)|"
    r"(?P<job_role>job_?title|role|occupation|seniority|department))_?\d*$"
)
GENDER_ANSWERS = frozenset(
    {
        "male",
        "female",
        "man",
        "woman",
        "men",
        "women",
        "other",
        "non-binary",
        "nonbinary",
        "prefer not to say",
        "prefer not to answer",
        "m",
        "f",
        "diverse",
    }
)
AGE_BAND = re.compile(
    r"^\s*(?:\d{2}\s*(?:-|–|to)\s*\d{2}|\d{2}\s*\+|[<>]\s*\d{2}|under \d{2}|\d{2} (?:or|and) "
    r"(?:older|over|above|younger|under)|over \d{2})\b",
    re.IGNORECASE,
)
MONEY_BAND = re.compile(r"[$£€¥]\s*\d")
# Answer words that say the topic when the question is only a code (q0024: "Married", "Divorced" …).
TOPIC_ANSWERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "household",
        frozenset(
            {
                "married",
                "divorced",
                "widowed",
                "separated",
                "never married",
                "single",
                "living with partner",
                "in a relationship",
                "domestic partnership",
                "no children",
                "yes, one or more children under 18",
                "yes, one or more children 18 or older",
            }
        ),
    ),
    (
        "education",
        frozenset(
            {
                "high school or less",
                "high school",
                "some college",
                "college graduate",
                "bachelor's degree",
                "bachelors degree",
                "master's degree",
                "post graduate degree",
                "graduate degree",
                "associate degree",
                "doctorate",
                "phd",
                "less than high school",
                "high school degree",
                "graduate or professional degree",
            }
        ),
    ),
    (
        "ethnicity",
        frozenset(
            {
                "white",
                "black",
                "hispanic",
                "asian",
                "black or african american",
                "hispanic or latino",
                "native american",
                "pacific islander",
                "multiracial",
                "mixed race",
                "other race",
            }
        ),
    ),
    ("orientation", frozenset({"gay", "straight", "bisexual", "heterosexual", "lesbian", "queer"})),
    (
        "job role",
        frozenset(
            {
                "employed, working full-time",
                "employed, working part-time",
                "unemployed",
                "retired",
                "student",
                "self-employed",
                "homemaker",
                "full-time",
                "part-time",
                "not employed, looking for work",
                "not employed, not looking for work",
            }
        ),
    ),
)
NON_ANSWERS = frozenset(
    {
        "not selected",
        "none of the above",
        "none",
        "not applicable",
        "n/a",
        "na",
        "don't know",
        "dont know",
        "do not know",
        "prefer not to say",
        "prefer not to answer",
        "no answer",
        "skipped",
        "refused",
        "other",
    }
)
CENSUS_REGIONS = frozenset(
    {
        "new england",
        "middle atlantic",
        "east north central",
        "west north central",
        "south atlantic",
        "east south central",
        "west south central",
        "mountain",
        "pacific",
        "northeast",
        "midwest",
        "south",
        "west",
    }
)

# Export boilerplate around a question's words: platform suffixes, instructions, the answer-box type.
BOILERPLATE = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(?<=\S)_\d+\s*$",  # a plain export's option suffix: 'Which films …?_3'
        r"\s*-\s*Selected Choice\b",
        r"\s*-\s*(?:Other\b[^-]*-\s*)?Text\s*$",
        r"\s*-\s*Response\s*$",
        r"^\s*Response\s*$",
        r"\s*\((?:please )?(?:select|choose|tick|check|mark) (?:all|one|any|up to \w+)[^)]*\)",
        r"\s*(?:please )?(?:select|choose|tick|check|mark) (?:all|one|any|up to \w+) (?:that|which) appl(?:y|ies)\.?",
        r"^\s*(?:please|kindly)\s+(?:indicate|rate|state|tell us|answer|select|choose)\s+(?=whether|how|which|what|if)",
        r"^\s*(?:to what extent|how much) do you agree (?:or disagree )?with (?:each of )?the following(?: "
        r"statements?)?\s*[:?.-]*\s*",
        r"\s*\(e\.g\.[^)]*\)",
    )
)


@dataclass(frozen=True)
class QuestionUse:
    """Whether a survey question forms the personas (basis) or describes them (descriptor), and why."""

    column: str
    group: str
    use: str  # 'basis' | 'descriptor'
    topic: str  # the descriptor's topic ('gender', 'company size' …); '' for the basis
    evidence: str


def question_label(text: str) -> str:
    """Return a question's words without export boilerplate ('Live - Selected Choice' -> 'Live', 'Please indicate how
    …' -> 'How …', '(Select all that apply)' removed); the text unchanged when nothing is left."""
    label = " ".join(str(text).split())
    for pattern in BOILERPLATE:
        stripped = pattern.sub(" ", label).strip(" -:")
        if stripped:
            label = " ".join(stripped.split())
    return label[:1].upper() + label[1:]


def _answer_topic(options: Sequence[str]) -> tuple[str, str] | None:
    """Return (topic, evidence) when the answers themselves say what the question is about, else None."""
    words = [str(o).strip() for o in options if str(o).strip()]
    if len(words) < 2:
        return None
    folded = {w.casefold() for w in words}
    if folded <= GENDER_ANSWERS and len(folded & {"male", "female", "man", "woman", "men", "women"}) >= 2:
        return "gender", f"its answers are genders ({', '.join(words[:3])})"

    def share(test) -> float:
        return sum(bool(test(w)) for w in words) / len(words)

    if share(AGE_BAND.match) >= 0.6 and any(re.search(r"\b1[89]\b|\b6[05]\b", w) for w in words):
        return "age", f"its answers are age bands ({', '.join(words[:3])})"
    for topic, answers in TOPIC_ANSWERS:
        known = [w for w in words if w.casefold() in answers]
        if len(known) >= 2 and len(known) >= 0.5 * len([w for w in words if w.casefold() not in NON_ANSWERS]):
            return topic, f"its answers say it ({', '.join(known[:3])})"
    if share(MONEY_BAND.search) >= 0.6:
        return "income", f"its answers are money bands ({', '.join(words[:2])})"
    if share(lambda w: w.casefold() in COUNTRIES or w.casefold() in CENSUS_REGIONS) >= 0.7 and len(words) >= 3:
        return "region", f"its answers are places ({', '.join(words[:3])})"
    return None


def question_use(column: str, question: str, options: Sequence[str] = (), *, group: str | None = None) -> QuestionUse:
    """Return whether a question forms the personas or describes them, with the evidence in words: its text, its
    (coded) column name, or its answers (genders, age bands, money bands, places)."""
    group = group or column
    text = question_label(question).casefold()
    for topic, pattern in DESCRIPTOR_QUESTIONS:
        if pattern.search(text):
            return QuestionUse(
                column,
                group,
                DESCRIPTOR,
                topic,
                f"a descriptor ({topic}): the question “{question_label(question)[:60]}” says who the respondent is",
            )
    for name in dict.fromkeys([to_snake_case(column), to_snake_case(group)]):
        found = DESCRIPTOR_NAMES.match(name)
        if found:
            topic = next(k for k, v in found.groupdict().items() if v).replace("_", " ")
            return QuestionUse(column, group, DESCRIPTOR, topic, f"a descriptor ({topic}): its column is named {name}")
        if len(name.split("_")) <= 3 and named_like_descriptor(name):  # a short field name, not a question
            return QuestionUse(
                column, group, DESCRIPTOR, "who they are", f"a descriptor (who they are): its column is named {name}"
            )
    by_answers = _answer_topic(options)
    if by_answers:
        return QuestionUse(column, group, DESCRIPTOR, by_answers[0], f"a descriptor ({by_answers[0]}): {by_answers[1]}")
    return QuestionUse(column, group, BASIS, "", "an attitude, need or behaviour: forms the personas")


def persona_split(codebook: pd.DataFrame, *, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return one row per answer column of the codebook (Likert, single, multi, numeric): column, group, use
    ('basis' or 'descriptor'), topic and evidence. A multi-select or grid question is decided once for its whole
    group (by its question text), so its options never split between the two. The project file's `labels` (a
    column or group's words) are read as the question text when given."""
    labels = dict(labels or {})
    answers = codebook[codebook["kind"].isin(("likert", "single", "multi", "numeric"))]
    rows = []
    decided: dict[str, QuestionUse] = {}
    group_options: dict[str, list[str]] = {}  # a multi-select's boxes each hold one option: the group has them all
    for row in answers.itertuples(index=False):
        options = getattr(row, "options", None)
        if options is not None and hasattr(options, "__len__"):
            key = str(getattr(row, "group", "") or row.column)
            group_options.setdefault(key, []).extend(str(o) for o in options)
    for row in answers.itertuples(index=False):
        column = str(row.column)
        group = str(getattr(row, "group", "") or column)
        group = column if group in ("", "nan", "<NA>", "None") else group
        question = labels.get(column) or labels.get(group) or str(row.question)
        options = getattr(row, "options", None)
        options = [] if options is None or (not hasattr(options, "__len__") and pd.isna(options)) else list(options)
        if group != column and group in decided:
            use = decided[group]
        else:
            if group != column:
                options = list(dict.fromkeys(group_options.get(group, options)))
            use = question_use(column, question, options, group=group)
            decided[group] = use
        rows.append({"column": column, "group": group, "use": use.use, "topic": use.topic, "evidence": use.evidence})
    return pd.DataFrame(rows, columns=["column", "group", "use", "topic", "evidence"])


def descriptor_columns(split: pd.DataFrame, *, chosen: Iterable[str] = ()) -> dict[str, str]:
    """Return column -> evidence for the descriptors of `split` (``persona_split``) that the project file did not
    name in personas.features (`chosen`: columns or groups): those describe the personas and do not form them."""
    chosen = set(chosen)
    part = split[(split["use"] == DESCRIPTOR) & ~split["column"].isin(chosen) & ~split["group"].isin(chosen)]
    return dict(zip(part["column"], part["evidence"]))
