"""What notebook 01 shows about the data: rows in and out per step, quality flags and linking with confidence
intervals, missingness by column — and its report, reports/01_clean_survey_and_crm.html."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from alignkit import plots
from alignkit.config import ProjectSettings
from alignkit.engine.backend import row_count
from alignkit.prepare import columns
from alignkit.prepare.tables import PreparedData
from alignkit.report.html import ReportFigure, ReportTable, Section, render_fragment, write_report
from alignkit.stats import proportion

REPORT_SLUG = "01_clean_survey_and_crm"
FLAG_LABELS = {
    "is_speeder": "Speeders (answered far faster than the median)",
    "is_straightliner": "Straight-liners (same answer to every grid item)",
    "is_incomplete": "Incomplete (did not finish)",
    "quality_ok": "No flag raised (used for analysis)",
}


def rows_by_table(data: PreparedData) -> pd.DataFrame:
    """Return, per table, the rows in the input file and the rows written to data/processed."""
    leads = data.leads
    deals_kept = int(leads["deal_stage"].notna().sum()) if leads is not None and "deal_stage" in leads else None
    kept = {
        "contacts": ("leads.parquet", None if leads is None else len(leads)),
        "deals": ("leads.parquet (leads with a deal)", deals_kept),
        "touches": ("touches.parquet", None if data.touches is None else row_count(data.touches)),
        "survey": ("responses.parquet", None if data.responses is None else len(data.responses)),
        "population_margins": (
            "responses.parquet (weight column)",
            None if data.weighting is None else len(data.weighting.weights),
        ),
    }
    rows = []
    for _, entry in data.inputs.iterrows():
        written_to, rows_out = kept.get(entry["table"], ("", None))
        if entry["table"].startswith("lookup:"):
            written_to = "leads.parquet (joined columns)"
        rows.append(
            {
                "input": entry["table"],
                "file": entry["file"],
                "rows_in": int(entry["rows"]),
                "written_to": written_to,
                "rows_out": rows_out,
            }
        )
    return pd.DataFrame(rows).astype({"rows_out": "Int64"})


def changes_by_step(log: pd.DataFrame) -> pd.DataFrame:
    """Return the cleaning log summed by step and table (rows affected), in the order the steps ran."""
    grouped = (
        log.groupby(["table", "step"], sort=False)
        .agg(rows_affected=("rows_affected", "sum"), reason=("reason", "first"))
        .reset_index()
    )
    return grouped


def quality_flags(responses: pd.DataFrame) -> pd.DataFrame:
    """Return one row per survey quality flag: responses flagged, share and its 95% Wilson CI."""
    rows = []
    for flag, label in FLAG_LABELS.items():
        if flag in responses:
            result = proportion(responses[flag])
            rows.append(
                {
                    "flag": label,
                    "responses": int(result.count),
                    "of": result.n,
                    "share": result.share,
                    "ci_low": result.ci_low,
                    "ci_high": result.ci_high,
                }
            )
    return pd.DataFrame(rows)


def flag_rules(log: pd.DataFrame) -> list[str]:
    """Return one line per survey quality flag saying the rule it applied on this project, as the cleaning log
    recorded it with the thresholds of `survey.quality` (the share of the median time, the grid length), and the
    responses it flagged. Empty when no survey was read."""
    labels = {"flag_speeders": "Speeders", "flag_straightliners": "Straight-liners"}
    rows = log[log["step"].isin(list(labels))]
    return [f"{labels[row.step]}: {int(row.rows_affected):,} response(s), {row.reason}" for row in rows.itertuples()]


def linking_rate(responses: pd.DataFrame) -> pd.DataFrame:
    """Return the share of responses linked to a CRM lead, overall and among responses without a quality flag."""
    rows = []
    for label, part in (
        ("All responses", responses),
        ("Responses without a quality flag", responses[responses["quality_ok"]]),
    ):
        result = proportion(part["lead_key"].notna())
        rows.append(
            {
                "responses": label,
                "linked": int(result.count),
                "of": result.n,
                "share": result.share,
                "ci_low": result.ci_low,
                "ci_high": result.ci_high,
            }
        )
    return pd.DataFrame(rows)


def missingness(tables: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """Return one row per column of each table: missing values and their share, most incomplete first."""
    rows = []
    for name, frame in tables.items():
        if frame is None:
            continue
        for column in frame.columns:
            series = frame[column]
            missing = int(series.isna().sum())
            rows.append(
                {
                    "table": name,
                    "column": column,
                    "missing": missing,
                    "of": len(frame),
                    "missing_share": missing / len(frame) if len(frame) else 0.0,
                }
            )
    out = pd.DataFrame(rows)
    return out.sort_values(
        ["missing_share", "table", "column"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def tokens_replaced(log: pd.DataFrame) -> pd.DataFrame:
    """Return the form placeholders and refusals read as missing: table, column, value, rows (from the cleaning
    log's "missing_tokens" entries), most rows first."""
    entries = log[log["step"] == "missing_tokens"]
    out = pd.DataFrame(
        {
            "table": entries["table"],
            "column": entries["column"],
            "value": entries["reason"].str.extract(r"^'(.*)' means no value", expand=False),
            "rows": entries["rows_affected"],
        }
    )
    return out.sort_values(["rows", "table", "column"], ascending=[False, True, True], kind="stable").reset_index(
        drop=True
    )


def junk_categories(data: PreparedData, settings: ProjectSettings) -> pd.DataFrame:
    """Return the rare category values that look like typos of a frequent value or jokes, in leads and survey
    answers (table, column, value, rows, close_match, match_rows, similarity, why); clean.junk_max_rows sets
    "rare". Fix a typo with clean.category_aliases, a joke with clean.missing_values.add."""
    keys = {"lead_key", "respondent_key", "stage", "outcome"}
    parts = [
        columns.junk_categories(
            frame, columns.category_columns(frame, skip=keys), table=table, max_rows=settings.clean.junk_max_rows
        )
        for table, frame in (("leads", data.leads), ("responses", data.responses))
        if frame is not None
    ]
    return pd.concat(parts, ignore_index=True) if parts else columns.junk_categories(pd.DataFrame())


def codebook_table(codebook: pd.DataFrame | None) -> pd.DataFrame:
    """Return the codebook for reading: column, kind, question (and item), options in order (no rows without a
    survey)."""
    if codebook is None:
        return pd.DataFrame(columns=["column", "kind", "question", "options"])
    out = codebook[["column", "kind", "question"]].copy()
    if "item" in codebook:
        item = codebook["item"].fillna("")
        out["question"] = out["question"].where(
            item.isin(["", "nan", "<NA>"]), out["question"].str.split(" - ").str[0] + " — " + item
        )
    out["options"] = codebook["options"].map(lambda v: " < ".join(v) if len(v) and v is not None else "")
    kinds = codebook["kind"]
    out.loc[kinds.isin(["single", "multi"]), "options"] = codebook.loc[kinds.isin(["single", "multi"]), "options"].map(
        "; ".join
    )
    if "detected" in codebook:  # what the reader found: the scale kind and order, refusals read as missing
        out["detected"] = codebook["detected"].fillna("")
    return out


def weight_summary(data: PreparedData) -> pd.DataFrame | None:
    """Return the weight distribution in one row — how weights were made, responses weighted, min, max and mean
    weight, effective n, design effect, trimming and convergence — or None when responses are unweighted."""
    return None if data.weighting is None else data.weighting.summary()


def weight_margins(data: PreparedData) -> pd.DataFrame | None:
    """Return one row per margin category (respondents, sample, target and weighted share), or None when unweighted."""
    return None if data.weighting is None or not len(data.weighting.margins) else data.weighting.margins


@dataclass(frozen=True)
class CleaningSummary:
    """Notebook 01's result at a glance: rows per table, changes per step, quality flags and linking (and the
    weight distribution when survey.weighting is set)."""

    rows: pd.DataFrame
    steps: pd.DataFrame
    flags: pd.DataFrame
    linking: pd.DataFrame
    weights: pd.DataFrame | None = None

    def _repr_html_(self) -> str:
        tables = [
            ("Rows in and out", self.rows),
            ("Changes by step", self.steps),
            ("Survey quality flags", self.flags),
            ("Linking to the CRM", self.linking),
        ]
        if self.weights is not None:
            tables.append(("Survey weights", self.weights))
        return render_fragment("summary.html.j2", tables=tables)


def summarise(data: PreparedData) -> CleaningSummary:
    """Return the rows per table, changes per step, quality flags and linking rate of the prepared data."""
    responses = data.responses if data.responses is not None else pd.DataFrame(columns=["quality_ok", "lead_key"])
    linkable = len(responses) and data.leads is not None
    return CleaningSummary(
        rows=rows_by_table(data),
        steps=changes_by_step(data.cleaning_log),
        flags=quality_flags(responses) if len(responses) else pd.DataFrame(),
        linking=linking_rate(responses) if linkable else pd.DataFrame(),
        weights=weight_summary(data),
    )


def headline(data: PreparedData, summary: CleaningSummary) -> list[str]:
    """Return the report's headline findings in plain words."""
    lines = []
    for _, row in summary.rows.iterrows():
        if pd.notna(row["rows_out"]) and row["input"] in ("contacts", "survey"):
            lines.append(f"{row['file']}: {row['rows_in']:,} rows in, {int(row['rows_out']):,} kept for analysis.")
    log = data.cleaning_log
    crm_steps = (
        ("dedupe_contacts", "duplicate contacts merged"),
        ("drop_test_records", "test or internal records removed"),
    )
    for step, words in crm_steps if data.leads is not None else ():  # a survey alone has no contacts to merge
        rows = int(log.loc[log["step"] == step, "rows_affected"].sum())
        lines.append(f"{rows:,} {words}.")
    if len(summary.linking) and data.leads is not None:
        link = summary.linking.iloc[0]
        lines.append(
            f"{link['share']:.0%} of survey responses (95% CI {link['ci_low']:.0%}–{link['ci_high']:.0%}) "
            "link to a CRM lead by email, so their answers can be set beside what they did."
        )
    if len(summary.flags):
        ok = summary.flags[summary.flags["flag"].str.startswith("No flag")].iloc[0]
        lines.append(
            f"{ok['share']:.1%} of responses raise no quality flag; flagged ones are kept but left out of persona "
            "fitting."
        )
    if data.weighting is not None:
        w = data.weighting
        lines.append(
            f"Survey responses are weighted ({w.method}), so survey figures describe the population rather than "
            f"the respondents: {len(w.weights):,} responses count as {w.n_effective:,.0f} (effective sample "
            f"size; design effect {w.design_effect:.2f}), weights range {w.weights.min():.2f}–{w.weights.max():.2f}"
            f" around a mean of 1, {w.trimmed:,} trimmed."
        )
    return lines


def write_cleaning_report(data: PreparedData, settings: ProjectSettings) -> Path:
    """Write reports/01_clean_survey_and_crm.html (and its CSVs); return the HTML path."""
    summary = summarise(data)
    missing = missingness({"leads": data.leads, "responses": data.responses})
    log = data.cleaning_log
    sections = [
        Section(
            "inputs",
            "Inputs and what was kept",
            [
                "Each export is read as it is; nothing in data/raw is changed. Only the columns the project file maps "
                "are kept, and personal data is replaced by keyed hashes before anything is written."
            ],
            [ReportTable("rows_by_table", "Rows in each input and rows kept", summary.rows)],
        ),
        Section(
            "cleaning",
            "What cleaning changed",
            [
                "Every row removed and every value changed is counted here with its reason. Steps that found nothing "
                "are listed too, so you can see that they ran."
            ],
            [
                ReportFigure.from_axes(
                    plots.plot_rows_by_step(log), alt="Bar chart of rows affected by each cleaning step."
                ),
                ReportTable("cleaning_log", "The cleaning log, one row per change", log, max_rows=80),
            ],
        ),
    ]
    sections.append(values_section(data, settings))
    if data.responses is not None:
        sections.append(
            Section(
                "quality",
                "Survey response quality",
                [
                    "Speeders answered in a fraction of the usual time; straight-liners gave the same answer to "
                    "every statement in a grid. Both are kept in the data with a flag and left out where they would "
                    "distort results."
                ],
                [
                    ReportTable(
                        "quality_flags",
                        "Quality flags (share of responses, 95% Wilson CI)",
                        summary.flags,
                        count_columns=("responses", "of"),
                    ),
                    *(
                        [
                            ReportTable(
                                "linking",
                                "Responses linked to a CRM lead by normalised email",
                                summary.linking,
                                count_columns=("linked", "of"),
                            )
                        ]
                        if len(summary.linking)
                        else []
                    ),
                ],
            )
        )
    if data.weighting is not None:
        sections.append(weights_section(data, min_group_size=settings.privacy.min_group_size))
    sections.append(
        Section(
            "missingness",
            "Missing values",
            [
                "How complete each column is after cleaning. Stage dates are empty for stages a lead has not "
                "reached, which is expected."
            ],
            [
                ReportFigure.from_axes(
                    plots.plot_missingness(missing),
                    alt="Bar chart of the share of missing values in the most incomplete columns.",
                ),
                ReportTable("missingness", "Missing values by column", missing, max_rows=40),
            ],
        )
    )
    if data.codebook is not None:
        sections.append(
            Section(
                "codebook",
                "Survey codebook",
                ["Each survey column with its question and kind; Likert scales are listed in scale order."],
                [ReportTable("codebook", "Codebook", codebook_table(data.codebook), max_rows=200)],
            )
        )
    return write_report(
        REPORT_SLUG,
        title="Cleaning the survey and CRM exports",
        subtitle="What came in, what was changed and why, and how good the data is.",
        headline=headline(data, summary),
        sections=sections,
        settings=settings,
        inputs=data.inputs,
    )


def values_section(data: PreparedData, settings: ProjectSettings) -> Section:
    """Return the report section on values read by what they mean: placeholders read as missing, columns left
    out, and junk categories (their counts left out: each is held by very few rows). An empty table is not shown;
    the text says that nothing was found."""
    tables = [
        ReportTable("tokens_replaced", "Placeholders read as missing", tokens_replaced(data.cleaning_log)),
        ReportTable("left_out_columns", "Columns left out of every analysis", data.left_out),
        ReportTable(
            "junk_categories",
            "Rare category values that look like typos or jokes",
            junk_categories(data, settings)[["table", "column", "value", "close_match", "why"]],
            max_rows=60,
            note="Counts are left out: each value is held by very few rows (notebook 01 shows them).",
        ),
    ]
    none = [t.title.lower() for t in tables if t.frame.empty]
    paragraphs = [
        "Form placeholders such as 'Select' or 'N/A' are no answer: they are set to missing, so they never show up as "
        "a category, a driver or a reason. Columns with one value on every row, or a different value on every row (an "
        "identifier), say nothing about a lead and are left out of every analysis. Rare category values that look "
        "like typos or jokes are listed for review: fix them with clean.category_aliases in the project file."
    ]
    if none:
        paragraphs.append("Checked and none found: " + "; ".join(none) + ".")
    return Section("values", "Values read by what they mean", paragraphs, [t for t in tables if not t.frame.empty])


def weights_section(data: PreparedData, *, min_group_size: int = 1) -> Section:
    """Return the report section on survey weights: how they were made, their distribution, the margins they meet
    (margin categories with fewer than `min_group_size` respondents suppressed in the table and the figure)."""
    w = data.weighting
    if w is None:
        raise ValueError("these prepared data hold no survey weights: set survey.weighting in the project file")
    items: list = [
        ReportTable(
            "weights",
            "Weight distribution",
            w.summary(),
            note="n_effective is Kish's effective sample size (Σw)²/Σw²; design_effect = responses / n_effective.",
        )
    ]
    margins = weight_margins(data)
    if margins is not None:
        # A category answered by fewer than min_group_size people: its table row is suppressed (count_columns) and
        # its respondent and weighted shares are not drawn (the population target is public and stays).
        few = margins["respondents"] < min_group_size
        drawable = margins.assign(**{c: margins[c].astype(float).mask(few) for c in ("sample_share", "weighted_share")})
        items += [
            ReportFigure.from_axes(
                plots.plot_weight_margins(drawable),
                alt="Bars of each margin category's share among respondents, in the population, and among weighted "
                "respondents.",
            ),
            ReportTable(
                "weight_margins",
                "Margins: respondents, population target and weighted shares",
                margins,
                count_columns=("respondents",),
            ),
        ]
    paragraphs = [
        "Respondents rarely mirror the customer base: some company sizes or regions answer more than others. Each "
        "response without a quality flag carries a weight so that weighted figures describe the population. Weights "
        "average 1; a response with weight 2 stands for two typical respondents.",
        "Unequal weights cost precision: the effective sample size says how many equally weighted responses would "
        "give the same precision, and every weighted share and mean in later reports uses it for its confidence "
        "interval.",
    ]
    if w.trim_ratio:
        paragraphs.append(
            f"Weights above {w.trim_ratio:g} × the mean are cut to that cap and the rest re-raked, so no "
            "single response dominates a figure."
        )
    return Section("weights", "Survey weights", paragraphs, items)
