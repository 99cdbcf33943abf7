"""Load and validate the project file (alignkit.yml) into typed settings.

The project file is the written agreement between sales and marketing: funnel stages, what counts as
converted, SLA targets, privacy rules. It also names the inputs and maps their columns onto alignkit's
canonical names, so a new survey wave or another company is a new project file, not a code change.
"""

from __future__ import annotations

import datetime
import os
import re
import secrets
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from alignkit.errors import ConfigError, NotAnalysedError, close_matches

PROJECT_FILE_NAME = "alignkit.yml"
SALT_ENV_VAR = "ALIGNKIT_SALT"
SALT_FILE_NAME = ".alignkit-salt"  # beside the project file, written by `alignkit init`, kept out of version control


class _Settings(BaseModel):
    """Base for every section: unknown keys are errors (a misspelt key must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SurveyQuality(_Settings):
    """survey.quality: when a response is flagged as too fast or straight-lined (flagged responses are left out of
    fitting the personas unless personas.include_flagged)."""

    speeder_share_of_median: Annotated[float, Field(gt=0, lt=1)] = Field(
        0.33, description="a response faster than this share of the median duration is a speeder"
    )
    straightline_min_items: Annotated[int, Field(ge=3)] = Field(
        5, description="a response giving one answer to at least this many items of a grid is a straight-liner"
    )


class WeightingSettings(_Settings):
    """survey.weighting: how responses are weighted. Give a weight column from the export, population margins to
    rake to (inline `margins` or a `margins_file` in the raw data folder), or both (the column's weights are then
    the starting point of the raking). Weights are normalised to a mean of one over the weighted responses."""

    column: str | None = Field(
        None, description="the survey column holding weights (map it in survey.columns if named otherwise)"
    )
    margins: dict[str, dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]]] = Field(
        default_factory=dict,
        description="survey column -> {answer: population share or count}: the margins to "
        "rake to; every margin sums to the same total",
    )
    margins_file: str | None = Field(
        None,
        description="instead of margins: a file in the raw data folder, YAML as "
        "margins or a CSV with columns margin, category, target",
    )
    respondents: Literal["quality_ok", "all"] = Field(
        "quality_ok", description="weight responses without a quality flag (the rest get no weight), or all"
    )
    trim_ratio: Annotated[float, Field(gt=1)] | None = Field(
        5.0, description="cap weights at this many times the mean weight, re-raking the others; null = no cap"
    )
    max_iterations: Annotated[int, Field(ge=1, le=100_000)] = Field(
        100, description="raking passes before giving up (the error names the margin that does not fit)"
    )
    tolerance: Annotated[float, Field(gt=0, le=0.01)] = Field(
        1e-6, description="largest allowed gap between a weighted share and its target share"
    )

    @model_validator(mode="after")
    def _one_source(self) -> WeightingSettings:
        if self.margins and self.margins_file:
            raise ValueError(
                "give the population margins either inline (margins) or in a file (margins_file), not both"
            )
        if not (self.column or self.margins or self.margins_file):
            raise ValueError(
                "name a weight column (column), population margins (margins) or a margins file "
                "(margins_file); remove survey.weighting to leave responses unweighted"
            )
        for margin, targets in self.margins.items():
            if not targets:
                raise ValueError(f"margin {margin!r} lists no categories; give each category's population share")
            if sum(targets.values()) <= 0:
                raise ValueError(f"margin {margin!r} sums to 0; give positive shares or counts")
        return self

    @property
    def rakes(self) -> bool:
        """Return whether weights are raked to population margins (else only taken from the weight column)."""
        return bool(self.margins or self.margins_file)


class SurveyInput(_Settings):
    """survey: the survey export, how to read it and how its answers are typed, checked and weighted."""

    file: str = Field(description="the export's file name, in paths.raw")
    format: Literal["auto", "qualtrics", "surveymonkey", "google_forms", "plain", "spss"] = Field(
        "auto", description="the survey platform whose export layout (header rows, meta columns) to read"
    )
    encoding: str = Field("auto", description="auto reads UTF-8 (with or without BOM) and UTF-16; else e.g. cp1252")
    delimiter: str = Field("auto", description="the CSV delimiter; auto sniffs it")
    sheet: str | int | None = Field(None, description="the sheet of an Excel file (name or position); none = the first")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="canonical name -> export column, only where the defaults miss them (e.g. "
        "{respondent_id: ID, email: Email address})",
    )
    quality: SurveyQuality = SurveyQuality()
    weighting: WeightingSettings | None = Field(None, description="survey weights; none = each response counts once")
    scales: dict[str, Annotated[list[str], Field(min_length=2)]] = Field(
        default_factory=dict,
        description="column, question group or export header -> its labels in order: declares "
        "or corrects an ordered scale",
    )
    answer_aliases: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="column, question group or export header ('*' = every column) -> {other "
        "spelling: the answer it means}",
    )
    dropout_min_answered: Annotated[float, Field(gt=0, le=1)] = Field(
        0.5,
        description="a response answering less than this share of the questions it was shown is a drop-out "
        "(left out of fitting)",
    )

    @field_validator("columns")
    @classmethod
    def _known_meta(cls, value: dict[str, str]) -> dict[str, str]:
        allowed = {
            "respondent_id",
            "email",
            "first_name",
            "last_name",
            "started_at",
            "submitted_at",
            "duration_s",
            "finished",
            "weight",
        }
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"unknown canonical name(s) {unknown}; allowed: {sorted(allowed)}")
        return value


# closed_at: when the lead itself closed, won or lost (a one-table pipeline of opportunities, a lead list with a
# conversion date): the date a converted lead converted, and the date a lost one was lost
CONTACT_CANONICAL = (
    "lead_id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "created_at",
    "stage",
    "source",
    "campaign",
    "owner",
    "converted",
    "closed_at",
    "amount",
    "lost_reason",
)
DEAL_CANONICAL = ("deal_id", "lead_id", "stage", "amount", "created_at", "closed_at", "lost_reason")
TOUCH_CANONICAL = ("lead_id", "at", "kind", "content")


ROW_NUMBER = "<row number>"  # crm.contacts.columns.lead_id when no column is an id: each row's position in the file


class MembershipInput(_Settings):
    """crm.contacts.converted_from: a table listing the ids of the contacts that converted (the closed deals of a
    list of MQLs, the customers among leads). A contact is converted when its id appears in `key`, on the date in
    `date` when the table has one (it becomes the contact's closed_at)."""

    file: str = Field(description="the table's file name, in paths.raw")
    key: Annotated[str, Field(min_length=1)] = Field(description="the column holding the contacts' ids")
    date: str | None = Field(
        None, description="the column holding when each converted (e.g. won_date): times to convert"
    )
    encoding: str = Field("auto", description="the file's encoding; auto detects it")
    delimiter: str = Field("auto", description="the CSV delimiter; auto sniffs it")
    sheet: str | int | None = Field(None, description="the sheet of an Excel file (name or position); none = the first")


PASSWORD_IN_URL = re.compile(r"://[^/@:]*:(?!\$\{)[^/@]+@")  # user:secret@host, unless the secret is ${VARIABLE}


class TableInput(_Settings):
    """One CRM table: an export file (`file`), a lake (`lake`: a folder or glob of parquet files) or a database table
    or SQL query (`connection` URL with `table` or `query`). Credentials in a URL are `${VARIABLE}` references to
    the environment, never the secret itself."""

    file: str | None = Field(None, description="an export file, in paths.raw")
    lake: str | None = Field(None, description="a folder or glob of parquet files, relative to paths.raw")
    connection: str | None = Field(
        None,
        description="a database URL (duckdb://, postgres:// …; pyspark:// for the "
        "active Spark session), credentials as ${VARIABLE}",
    )
    table: str | None = Field(None, description="the table to read on the connection")
    query: str | None = Field(None, description="the SQL query to read on the connection")
    encoding: str = Field("auto", description="the file's encoding; auto detects it")
    delimiter: str = Field("auto", description="the CSV delimiter; auto sniffs it")
    sheet: str | int | None = Field(None, description="the sheet of an Excel file (name or position); none = the first")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="canonical name (lead_id, created_at, stage, source, owner, converted, "
        "closed_at, amount …) -> export column",
    )
    attributes: dict[str, str] = Field(
        default_factory=dict,
        description="attribute name -> export column: the lead traits analysed and broken "
        "down by (e.g. {company_size: Employees})",
    )
    date_columns: list[str] = Field(default_factory=list, description="further columns to read as dates")
    converted_from: MembershipInput | None = Field(
        None, description="a table listing the ids of the contacts that converted: the outcome"
    )

    @model_validator(mode="after")
    def _one_source(self) -> TableInput:
        given = [k for k in ("file", "lake", "connection") if getattr(self, k)]
        if (self.table or self.query) and not self.connection:
            raise ValueError("table and query name what to read on a connection: add connection (a database URL)")
        if len(given) != 1:
            raise ValueError(
                "name where the table lives with exactly one of file (an export), lake (a folder or glob "
                "of parquet files) or connection (a database URL, with table or query)"
                + (f"; got {', '.join(given)}" if given else "")
            )
        if self.connection:
            if bool(self.table) == bool(self.query):
                raise ValueError("a connection needs exactly one of table (a table name) or query (a SQL query)")
            if PASSWORD_IN_URL.search(self.connection):
                raise ValueError(
                    "the connection URL holds a password: never write credentials in the project file; "
                    "write ${VARIABLE} in its place (e.g. postgres://analyst:${PGPASSWORD}@host/crm) and "
                    "set the variable in the environment"
                )
        return self

    @property
    def in_engine(self) -> bool:
        """Return whether the table lives in a lake or a database (read by an engine), not in an export file."""
        return self.file is None

    @property
    def export_file(self) -> str:
        """Return the export file's name, relative to paths.raw (ConfigError for a lake or a database table, which an
        engine reads: alignkit.prepare.sources)."""
        if self.file is None:
            raise ConfigError(
                f"{self.name} is not an export file: it is read by its engine (alignkit.prepare.sources)."
            )
        return self.file

    @property
    def name(self) -> str:
        """Return what the input is called in messages: the file name, the lake, or the table or query's source."""
        if self.lake:
            return f"lake {self.lake}"
        if self.connection:
            return f"{'table ' + self.table if self.table else 'SQL query'} on {self.connection}"
        return str(self.file)


class LookupInput(_Settings):
    """crm.lookups[]: a table joined onto the leads by key (accounts with sector and revenue, products with price,
    sales teams with manager and office); its columns become lead attributes and breakdowns. Keys are matched after
    normalising case, spaces and punctuation; unmatched keys are counted in the cleaning log with close matches."""

    file: str = Field(description="the lookup table's file name, in paths.raw")
    key: Annotated[str, Field(min_length=1)] = Field(description="the lookup table's key column")
    on: str | None = Field(
        None,
        description="the leads' column it matches: a canonical name (owner, source …) or "
        "an attribute name; none = the attribute named like key",
    )
    attributes: dict[str, str] = Field(
        default_factory=dict, description="name -> lookup column; empty = every other column"
    )
    encoding: str = Field("auto", description="the file's encoding; auto detects it")
    delimiter: str = Field("auto", description="the CSV delimiter; auto sniffs it")
    sheet: str | int | None = Field(None, description="the sheet of an Excel file (name or position); none = the first")

    @model_validator(mode="before")
    @classmethod
    def _yaml_on(cls, data: Any) -> Any:
        # YAML 1.1 reads an unquoted `on:` key as the boolean True; it can only mean this setting here
        if isinstance(data, dict) and True in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        return data


class CrmInput(_Settings):
    """crm: the CRM tables (contacts or leads, deals, activities, lookups) and how to read them."""

    format: Literal["auto", "hubspot", "salesforce", "generic"] = Field(
        "auto", description="the CRM whose export layout and column names to expect; generic = only the mapping"
    )
    contacts: TableInput = Field(description="one row a lead, contact, customer or opportunity")
    deals: TableInput | None = Field(None, description="deals linked to the contacts (deal_id, lead_id, stage …)")
    touches: TableInput | None = Field(None, description="activities: one row a touch (lead_id, at, kind, content)")
    lookups: list[LookupInput] = Field(default_factory=list, description="tables joined onto the leads by key")
    sales_touch_kinds: list[str] = Field(
        default_factory=lambda: ["SALES_CALL", "SALES_EMAIL", "MEETING"],
        description="touch kinds that are sales follow-ups (for the SLA)",
    )
    won_deal_stages: list[str] = Field(
        default_factory=lambda: ["closedwon", "Closed Won"], description="deal stage values that mean won"
    )
    lost_deal_stages: list[str] = Field(
        default_factory=lambda: ["closedlost", "Closed Lost"], description="deal stage values that mean lost"
    )


class Stage(_Settings):
    """funnel.stages[]: one stage of the funnel, in order."""

    name: Annotated[str, Field(min_length=1)] = Field(description="the stage's name in the reports")
    value: str = Field(description="the stage column's value for leads at this stage")
    reached_column: str | None = Field(None, description="the export column holding the date the stage was reached")
    definition: str = Field("", description="what marks this stage, as both teams agreed it")


class FunnelSettings(_Settings):
    """funnel: the stages a lead moves through, in order, and how leads still at a stage are judged."""

    stages: Annotated[list[Stage], Field(min_length=2)] = Field(description="the funnel's stages, in order")
    mql_stage: str = Field(description="the stage where marketing hands a lead to sales (a stage name)")
    sql_stage: str = Field(description="the stage where sales accepts and qualifies it (a stage name)")
    converted_stage: str = Field(description="the stage that counts as converted (a stage name)")
    lost_values: list[str] = Field(
        default_factory=list, description="stage column values that mean the lead is lost (e.g. other, unqualified)"
    )
    cohort_maturity_days: Annotated[int, Field(ge=0)] = Field(
        90, description="a lead is judged at a stage once it had this many days to move on"
    )
    spend_file: str | None = Field(
        None,
        description="marketing spend (CSV in paths.raw with columns month, source or campaign, spend) for cost "
        "per lead and per customer; none = those KPIs are left out",
    )
    collateral_kinds: list[str] = Field(
        default_factory=list,
        description="touch kinds whose content is marketing collateral sales could reuse "
        "(e.g. CONTENT_DOWNLOAD); empty = every kind that is not a sales touch",
    )
    breakdowns: list[str] = Field(
        default_factory=lambda: ["source", "campaign", "owner", "persona"],
        description="lead fields the friction points and segment tables break down by (canonical, attribute or "
        "lookup names); those absent from the data are skipped",
    )
    judge: Literal["maturity", "closed"] = Field(
        "maturity",
        description="how a lead still at a stage is judged: maturity = once it had cohort_maturity_days "
        "to move on (a lifecycle funnel without recorded losses); closed = only once it "
        "moved on or was lost (an opportunity pipeline: an open deal is never counted as not "
        "converted, whatever its age)",
    )
    friction_fdr: Annotated[float, Field(gt=0, lt=1)] = Field(
        0.05, description="false-discovery rate for friction points (Benjamini-Hochberg across every segment and stage)"
    )
    as_of: datetime.date | None = Field(
        None,
        description="the export date every maturity and SLA status is measured at; none = the latest date in "
        "the data, leaving out dates more than 30 days after 99.9% of the dates (a typo'd year, a "
        "future-dated touch), counted in the report",
    )

    @model_validator(mode="after")
    def _named_stages_exist(self) -> FunnelSettings:
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError(f"stage names must be unique; got {names}")
        for key in ("mql_stage", "sql_stage", "converted_stage"):
            value = getattr(self, key)
            if value not in names:
                raise ValueError(f"{key}={value!r} is not one of the funnel stages {names}")
        return self

    @property
    def stage_names(self) -> list[str]:
        """Return the stage names in funnel order."""
        return [s.name for s in self.stages]


OUTCOME_CONVERTED = ["1", "yes", "y", "true", "won", "closed won", "converted"]
OUTCOME_NOT_CONVERTED = ["0", "no", "n", "false", "lost", "closed lost", "not converted"]


class OutcomeSettings(_Settings):
    """outcome: what the values of a `converted` column mean, when the CRM maps one (crm.contacts.columns.converted)
    instead of, or beside, funnel stages. Compared case- and space-insensitively; a blank cell is an open outcome.
    A value in none of the lists is an error at validate that lists it with close matches."""

    converted_values: list[str] = Field(
        default_factory=lambda: list(OUTCOME_CONVERTED), description="values that mean converted"
    )
    not_converted_values: list[str] = Field(
        default_factory=lambda: list(OUTCOME_NOT_CONVERTED), description="values that mean not converted"
    )
    open_values: list[str] = Field(
        default_factory=list, description='values not decided yet (e.g. ["Open", "In progress"])'
    )

    @model_validator(mode="after")
    def _disjoint(self) -> OutcomeSettings:
        def fold(values: list[str]) -> set[str]:
            return {" ".join(v.split()).casefold() for v in values}

        both = (fold(self.converted_values) & fold(self.not_converted_values)) | (
            fold(self.open_values) & (fold(self.converted_values) | fold(self.not_converted_values))
        )
        if both:
            raise ValueError(f"values {sorted(both)} are listed as more than one outcome")
        return self


class SlaSettings(_Settings):
    """sla: the service level agreement between marketing and sales."""

    mql_to_first_touch_hours: Annotated[float, Field(gt=0)] = Field(
        24, description="hours within which sales follows up an MQL (the first sales touch)"
    )
    mqls_per_month: Annotated[int, Field(ge=0)] = Field(0, description="the agreed MQL volume; 0 = not agreed yet")
    sales_capacity_per_week: Annotated[int, Field(ge=1)] | None = Field(
        None,
        description="leads sales can follow up in a week: sets the MQL threshold of the lead score; unset = no "
        "threshold (never a threshold passing every lead); 0 is refused",
    )
    revenue_goal_per_month: Annotated[float, Field(gt=0)] | None = Field(
        None,
        description="what sales must bring in a month, in the leads' amount currency: notebook 02 derives the "
        "MQLs a month marketing must deliver for it (the reverse funnel); unset = not derived",
    )
    customers_per_month: Annotated[float, Field(gt=0)] | None = Field(
        None,
        description="the same goal as new customers a month, for leads without amounts (used when there is no "
        "revenue goal or amount)",
    )


class PrivacySettings(_Settings):
    """privacy: personal data and the smallest group a report shows."""

    pii_columns: list[str] = Field(
        default_factory=list,
        description="extra export columns holding personal data (emails, names, phones are found anyway)",
    )
    salt: str | None = Field(
        None,
        description="the secret for keyed hashing of ids; better left unset: `alignkit "
        "init` writes one into .alignkit-salt, ALIGNKIT_SALT overrides it",
    )
    min_group_size: Annotated[int, Field(ge=1)] = Field(10, description="groups smaller than this are never shown")
    internal_email_domains: list[str] = Field(
        default_factory=list, description="your own domain(s): those contacts are internal, not leads"
    )
    test_patterns: list[str] = Field(
        default_factory=lambda: [
            r"\btest\b",
            r"^test[._+-]",
            r"@example\.(?:com|org)$",
            r"\bdummy\b",
            r"\bdo ?not ?use\b",
        ],
        description="regular expressions on email and name marking test records",
    )


class MissingValueTokens(_Settings):
    """clean.missing_values: cell texts to read as missing beside alignkit's list of form placeholders
    (alignkit/ingest/tokens.py), and listed ones to keep as real values. Compared case- and edge-punctuation-blind."""

    add: list[str] = Field(default_factory=list, description='further texts meaning "no value" (e.g. TBC)')
    remove: list[str] = Field(default_factory=list, description="listed texts that are real values in your exports")


class CleanSettings(_Settings):
    """clean: how values are read and cleaned."""

    dayfirst: bool | Literal["auto"] = Field(
        "auto",
        description="auto = decided per date column from the data (a first field above 12 means day first); "
        "true (03/04 is 3 April) / false (March 4) force it",
    )
    missing_values: MissingValueTokens = Field(default_factory=MissingValueTokens)
    refusals_as_missing: bool = Field(
        False, description='CRM fields: read "Prefer not to say", "Don\'t know" … as missing too'
    )
    junk_max_rows: Annotated[int, Field(ge=1)] = Field(
        5,
        description="a category value held by at most this many rows and close to a frequent value (or a joke) is "
        "listed in notebook 01",
    )
    category_aliases: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="column -> {spelling: the value it means}, e.g. {country: {USA: United States}}",
    )
    category_columns: list[str] = Field(
        default_factory=list, description="columns to read as categories even when their values look like numbers"
    )


class PersonaSettings(_Settings):
    """personas: how customer personas are formed (notebook 03)."""

    k: Annotated[int, Field(ge=2)] | Literal["auto"] = Field(
        "auto", description="the number of personas, or auto: chosen in k_range by stability under resampling"
    )
    k_range: tuple[Annotated[int, Field(ge=2)], Annotated[int, Field(ge=2)]] = Field(
        (2, 10), description="[smallest, largest] number of personas tried by k: auto"
    )
    algorithm: Literal["auto", "kmeans", "lca", "gmm", "agglomerative"] = Field(
        "auto",
        description="auto: latent classes (lca) when answers forming the personas are missing (skip logic), "
        "else k-means",
    )
    source: Literal["auto", "survey", "crm"] = Field(
        "auto", description="auto: the survey if there is one; crm: the CRM customers' attributes"
    )
    min_share: Annotated[float, Field(ge=0, lt=0.5)] = Field(
        0.05, description="the smallest persona, as a share of those segmented (never under privacy.min_group_size)"
    )
    features: list[str] = Field(
        default_factory=list,
        description="answer columns or question groups that form the personas; empty = every attitude, need, behaviour",
    )
    profile_only: list[str] = Field(
        default_factory=list, description="answers that describe personas but do not form them"
    )
    include_flagged: bool = Field(False, description="fit on speeders and straight-liners too")
    names: dict[Annotated[int, Field(ge=1)], str] = Field(default_factory=dict, description="persona number -> name")
    min_answer_rate: Annotated[float, Field(ge=0, le=1)] = Field(
        0.5,
        description="a question answered by fewer than this share of respondents (skip logic) is left out of "
        "the features",
    )
    skipped_questions: Literal["leave_out", "not_asked"] = Field(
        "leave_out", description='a question under min_answer_rate is left out, or enters with a "not asked" level'
    )
    outcomes: list[str] = Field(
        default_factory=list, description="answers that are outcomes: profiled per persona, never features"
    )

    @model_validator(mode="after")
    def _k_range_ordered(self) -> PersonaSettings:
        if self.k_range[0] > self.k_range[1]:
            raise ValueError(f"k_range {list(self.k_range)} must be [smallest, largest]")
        return self


class LeadSettings(_Settings):
    """The ideal-lead analysis (notebook 04): which fields may drive conversion, and how the score is built."""

    post_outcome_fields: list[str] = Field(
        default_factory=list, description="fields recorded after the outcome: never drivers"
    )
    exclude_fields: list[str] = Field(default_factory=list, description="kept out of drivers and score (e.g. owner)")
    allow_fields: list[str] = Field(default_factory=list, description="flagged by the leakage guard but known in time")
    leakage_auc: Annotated[float, Field(gt=0.5, le=1)] = Field(
        0.9, description="a field alone separating converters this well (AUC) is a leak"
    )
    min_value_support: Annotated[int, Field(ge=1)] = Field(
        30, description="leads a value needs to be called the best one (never fewer than privacy.min_group_size)"
    )
    cv_folds: Annotated[int, Field(ge=2, le=20)] = Field(5, description="cross-validation folds of the lead score")
    holdout_share: Annotated[float, Field(gt=0, lt=0.9)] = Field(
        0.25, description="leads kept aside to measure the score's accuracy"
    )
    max_model_rows: Annotated[int, Field(ge=1000)] = Field(
        100_000, description="larger data: the models fit on a stratified sample of this many rows"
    )
    rule_depth: Annotated[int, Field(ge=1, le=5)] = Field(3, description="the most conditions in a written rule")
    rule_min_share: Annotated[float, Field(gt=0, lt=0.5)] = Field(
        0.03, description="the smallest rule, as a share of leads"
    )


class Paths(_Settings):
    """paths: the project's folders, relative to the folder holding the project file."""

    raw: str = Field("data/raw", description="the exports, read and never modified")
    processed: str = Field("data/processed", description="the cleaned, pseudonymised tables (parquet)")
    reports: str = Field("reports", description="the HTML reports and their CSV tables")
    notebooks: str = Field("notebooks", description="the numbered notebooks `alignkit run` executes")


class ProjectSettings(_Settings):
    """The whole project file, validated. `root` is the folder holding it; every path resolves from there."""

    project: str = Field("alignkit project", description="the project's name, shown on every report")
    seed: int = Field(0, description="same inputs and seed give the same numbers")
    paths: Paths = Paths()
    survey: SurveyInput | None = Field(None, description="the survey export; none = no survey")
    crm: CrmInput | None = Field(None, description="the CRM exports; none = no CRM")
    funnel: FunnelSettings | None = Field(
        None, description="the funnel stages; none = no funnel (a lead list with a converted column needs none)"
    )
    outcome: OutcomeSettings = OutcomeSettings()
    sla: SlaSettings = SlaSettings()
    privacy: PrivacySettings = PrivacySettings()
    clean: CleanSettings = CleanSettings()
    personas: PersonaSettings = PersonaSettings()
    leads: LeadSettings = LeadSettings()
    labels: dict[str, str] = Field(default_factory=dict, description="field or column name -> words shown in reports")
    root: Path = Field(default=Path("."), exclude=True)
    source_file: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _some_input(self) -> ProjectSettings:
        if self.survey is None and self.crm is None:
            raise ValueError(
                "name at least one input: a survey export (survey.file) or a CRM export (crm.contacts.file)"
            )
        if self.funnel is not None and self.crm is None:
            raise ValueError("funnel stages need a CRM export: add crm.contacts, or remove the funnel section")
        return self

    def need_crm(self) -> CrmInput:
        """Return the crm section, for a step that reads the CRM (NotAnalysedError when the project file has none)."""
        if self.crm is None:
            raise NotAnalysedError(
                f"{self.source_file or 'the project file'} has no crm section: this step reads a CRM "
                "export. Fix: add crm.contacts (see `alignkit init`)."
            )
        return self.crm

    def need_funnel(self) -> FunnelSettings:
        """Return the funnel section, for a step that follows the stages (NotAnalysedError when the project file has
        none)."""
        if self.funnel is None:
            raise NotAnalysedError(
                f"{self.source_file or 'the project file'} has no funnel section: this step "
                "follows the funnel stages. Fix: add funnel.stages (see `alignkit init`)."
            )
        return self.funnel

    @property
    def has_outcome_column(self) -> bool:
        """Return whether the CRM maps a `converted` column (the outcome read from values, not from stages)."""
        return self.crm is not None and (
            "converted" in self.crm.contacts.columns or self.crm.contacts.converted_from is not None
        )

    @property
    def attribute_names(self) -> list[str]:
        """Return the CRM attribute fields of the contacts and the lookups, as named in the project file."""
        if self.crm is None:
            return []
        names = list(self.crm.contacts.attributes)
        for lookup in self.crm.lookups:
            names += [n for n in lookup.attributes if n not in names]
        return names

    @property
    def persona_source(self) -> str | None:
        """Return what personas are formed from: 'survey' (personas.source: survey, or auto with a survey), 'crm' (the
        customers' attributes, personas.source: crm, which `alignkit init` drafts for a customer table with spend or
        purchase columns), or None (no personas)."""
        source = self.personas.source
        if source in ("survey", "auto"):
            return "survey" if self.survey is not None else None
        return "crm" if self.crm is not None else None

    @property
    def has_outcome(self) -> bool:
        """Return whether leads have an outcome to learn from: a converted column, or funnel stages."""
        return self.has_outcome_column or self.funnel is not None

    def raw_path(self, file: str) -> Path:
        """Return the path of an input file named in the project file (relative to paths.raw)."""
        return self.root / self.paths.raw / file

    @property
    def processed_dir(self) -> Path:
        """Return the folder of processed tables."""
        return self.root / self.paths.processed

    @property
    def reports_dir(self) -> Path:
        """Return the folder reports are written to."""
        return self.root / self.paths.reports

    def pseudonym_salt(self) -> str:
        """Return the salt for keyed hashing: the ALIGNKIT_SALT environment variable, else privacy.salt, else the
        salt file `alignkit init` wrote beside the project file (.alignkit-salt)."""
        salt = os.environ.get(SALT_ENV_VAR) or self.privacy.salt
        salt_file = self.root / SALT_FILE_NAME
        if not salt and salt_file.is_file():
            salt = salt_file.read_text(encoding="utf-8").strip()
        if not salt:
            raise ConfigError(
                f"{self.source_file or PROJECT_FILE_NAME}: no salt for pseudonymising PII. "
                f"Fix: put a long random secret into {self.root / SALT_FILE_NAME} (`alignkit init` writes one for a "
                f"new project; keep it out of version control), or set the environment variable "
                f"{SALT_ENV_VAR}."
            )
        return salt

    def public_summary(self) -> dict[str, Any]:
        """Return the settings as a plain dict for reports, with the salt masked."""
        data = self.model_dump(mode="json")
        if data.get("privacy", {}).get("salt"):
            data["privacy"]["salt"] = "***"
        return data


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _lookup(data: Any, loc: tuple[Any, ...]) -> Any:
    for item in loc:
        try:
            data = data[item]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Return the keys allowed at the section holding `loc` (for 'did you mean' hints)."""
    current: Any = model
    for item in loc[:-1]:
        if isinstance(item, int):
            continue
        field = getattr(current, "model_fields", {}).get(item)
        if field is None:
            return []
        annotation = field.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        for candidate in candidates:
            inner = [candidate, *getattr(candidate, "__args__", ())]
            found = next((c for c in inner if isinstance(c, type) and issubclass(c, BaseModel)), None)
            if found is not None:
                current = found
                break
        else:
            return []
    return list(getattr(current, "model_fields", {}))


def format_validation_error(error: ValidationError, data: Any, source: Path | str) -> str:
    """Return one line per problem: key, the value found and what is allowed."""
    lines = [f"{source}: {error.error_count()} problem(s) in the project file:"]
    for problem in error.errors():
        loc = tuple(problem["loc"])
        key = _location(loc)
        if problem["type"] == "extra_forbidden":
            allowed = [k for k in _allowed_keys(ProjectSettings, loc) if k not in ("root", "source_file")]
            hint = close_matches(str(loc[-1]), allowed)
            line = f"  - {key}: unknown key. Allowed here: {', '.join(allowed)}."
            if hint:
                line += f" Did you mean {hint[0]!r}?"
        elif problem["type"] == "missing":
            line = f"  - {key}: required key is missing."
        else:
            value = _lookup(data, loc)
            message = str(problem["msg"]).removeprefix("Value error, ")
            if not loc:
                line = f"  - {message}."  # a rule of the whole file: no key to name
            elif isinstance(value, (dict, list)) or value is None:
                line = f"  - {key}: {message}."
            else:
                line = f"  - {key}: value {value!r} is not allowed: {message}."
        lines.append(line)
    return "\n".join(lines)


def load_settings(path: Path | str = PROJECT_FILE_NAME) -> ProjectSettings:
    """Return the validated settings of a project file; raise ConfigError naming key, value and what is allowed."""
    path = Path(path)
    if path.is_dir():
        path = path / PROJECT_FILE_NAME
    if not path.exists():
        raise ConfigError(
            f"{path}: project file not found. Fix: run `alignkit init DIR` to create one, or pass --project PATH."
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the project file must be a mapping of keys to values, got {type(data).__name__}.")
    try:
        settings = ProjectSettings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, data, path)) from None
    return settings.model_copy(update={"root": path.resolve().parent, "source_file": path})


def find_project_file(start: Path | str = ".") -> Path:
    """Return the nearest alignkit.yml at or above `start` (notebooks run in notebooks/, the file is one up)."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_FILE_NAME
        if candidate.exists():
            return candidate
    raise ConfigError(
        f"no {PROJECT_FILE_NAME} found in {start} or any folder above it. "
        "Fix: run `alignkit init DIR`, or pass the project file path."
    )


def write_salt(folder: Path) -> Path:
    """Return the salt file of a project folder, writing a random salt into it (readable by its owner only) and
    adding it to the folder's .gitignore when it does not exist yet; an existing salt is never replaced."""
    path = folder / SALT_FILE_NAME
    if not path.exists():
        path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        path.chmod(0o600)
    ignore = folder / ".gitignore"
    lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    if SALT_FILE_NAME not in lines:
        ignore.write_text(
            "\n".join([*lines, "# the pseudonymisation salt: never commit it", SALT_FILE_NAME]) + "\n", encoding="utf-8"
        )
    return path
