"""The personas report (notebook 03): reports/03_persona_segments.html — how the personas were found, why this
number of them, sizes and map, one card per persona, what each did in the CRM, every comparison — and the shorter
version the alignment page (notebook 05) shows. The result and its words (``headline``, ``weighting_note``) come
from ``alignkit.personas.analysis``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from alignkit import plots
from alignkit.config import ProjectSettings
from alignkit.personas.analysis import PersonaResult, headline, weighting_note
from alignkit.plots.personas import MAP_CAPTION
from alignkit.report.html import ReportFigure, ReportTable, Section, write_report
from alignkit.report.labels import build_with_labels

__all__ = ["alignment_sections", "report_sections", "write_personas_report"]

REPORT_SLUG = "03_persona_segments"
TRAIT_COLUMNS = ["description", "value_in", "value_out", "lift", "std_diff", "q_value"]
PERSONA_MAP_ALT = "Scatter map of respondents coloured by persona."


def _card(result: PersonaResult, pid: int) -> Section:
    size = result.sizes.set_index("persona_id").loc[pid]
    outcomes = result.crm.set_index("persona_id")
    crm = outcomes.loc[pid] if pid in outcomes.index else None
    top = result.top[result.top["persona_id"] == pid]
    if result.weighted:
        text = [
            f"{size['share']:.0%} of respondents, weighted (95% CI {size['ci_low']:.0%}–{size['ci_high']:.0%}; "
            f"{int(size['n']):,} people, effective sample size {size['n_effective']:,.0f}, design effect "
            f"{size['design_effect']:.2f})."
        ]
    else:
        text = [
            f"{size['share']:.0%} of respondents (95% CI {size['ci_low']:.0%}–{size['ci_high']:.0%}; "
            f"{int(size['n']):,} people)."
        ]
    if crm is None:
        pass  # no CRM funnel to link respondents to: the card describes the survey answers only
    elif not crm["suppressed"] and pd.notna(crm["conversion_rate"]):
        amount = f", median won deal {crm['median_amount']:,.0f}" if pd.notna(crm["median_amount"]) else ""
        weighted = (
            f", weighted; effective sample size {crm['n_effective']:,.0f}, design effect {crm['design_effect']:.2f}"
            if result.weighted
            else ""
        )
        text.append(
            f"In the CRM ({int(crm['linked']):,} linked leads{weighted}): {crm['conversion_rate']:.0%} became "
            f"customers (95% CI {crm['ci_low']:.0%}–{crm['ci_high']:.0%}){amount}; they mostly came from "
            f"{crm['top_sources']}, and typically got as far as {crm['typical_furthest_stage']}."
        )
    else:
        text.append(f"Too few linked CRM leads (fewer than {result.min_group_size}) to show what they did.")
    text.extend(outcome_sentences(result, pid))
    named = name_sentence(result, pid)
    if named:
        text.append(named)
    text.append(trait_sentence(top))
    who = descriptor_sentence(result, pid)
    if who:
        text.append(who)
    table = top[TRAIT_COLUMNS].rename(columns={"value_in": "in_persona", "value_out": "everyone_else"})
    typical = result.typical[["question", result.names[pid]]].rename(columns={result.names[pid]: "typical_answer"})
    colour = plots.persona_colours(list(result.names.values()))[result.names[pid]]
    return Section(
        f"persona-{pid}",
        f"Persona {pid}: {result.names[pid]}",
        text,
        [
            ReportFigure.from_axes(
                plots.plot_persona_traits(top, title=f"What sets “{result.names[pid]}” apart", colour=colour),
                alt=f"Bar chart of the standardised differences of persona {pid}'s top traits.",
            ),
            ReportTable(f"persona_{pid}_traits", "The five answers that set this persona apart", table),
            ReportTable(f"persona_{pid}_typical", "A typical respondent's answers", typical, max_rows=40),
        ],
    )


_PLURAL = (
    ("Agrees more", "agree more"),
    ("Agrees less", "agree less"),
    ("More often answers", "more often answer"),
    ("Less often answers", "less often answer"),
    ("More often ticks", "more often tick"),
    ("Less often ticks", "less often tick"),
    ("Higher on", "score higher on"),
    ("Lower on", "score lower on"),
    ("Higher answer to", "give a higher answer to"),
    ("Lower answer to", "give a lower answer to"),
)


def _lower_first(text: str) -> str:
    """Return a trait description as the verb phrase of 'They …' ('Agrees more that …' -> 'agree more that …')."""
    for singular, plural in _PLURAL:
        if text.startswith(singular):
            return plural + text[len(singular) :]
    return text[:1].lower() + text[1:]


def trait_sentence(top: pd.DataFrame) -> str:
    """Return a persona's top traits as one sentence ('Compared with everyone else, they more often …, and …')."""
    parts = [_lower_first(d) for d in top["description"]]
    if not parts:
        return "No answer sets them apart from everyone else beyond chance."
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]
    return f"Compared with everyone else, they {listed}."


def name_sentence(result: PersonaResult, pid: int) -> str:
    """Return the sentence saying which answers a persona is named for and how many of its members gave each
    ('Named for “Team: IT”, given by 412 of its 530 members (78%), and …'); '' for a name from the project file."""
    if result.named is None or not len(result.named):
        return ""
    mine = result.named[result.named["persona_id"] == pid].head(2)
    if mine.empty or not all(p in result.names[pid] for p in mine["phrase"]):
        return ""
    parts = [
        f"“{r.phrase}”, given by {r.members_giving:,} of its {r.members:,} members ({r.share:.0%})"
        for r in mine.itertuples()
    ]
    return "Named for " + " and ".join(parts) + "."


def descriptor_sentence(result: PersonaResult, pid: int, *, n: int = 3) -> str:
    """Return who a persona is, in one sentence: the descriptor answers (gender, age, region, company size …) that
    differ most from everyone else's, beyond chance after the FDR correction; '' when none does."""
    if result.descriptors is None or not len(result.descriptors):
        return ""
    descriptors = set(result.descriptors["column"])
    apart = result.traits[
        (result.traits["persona_id"] == pid) & result.traits["column"].isin(descriptors) & result.traits["sets_apart"]
    ]
    if apart.empty:
        return "Who they are (descriptors) does not differ from everyone else beyond chance." if descriptors else ""
    top = apart.assign(size=apart["std_diff"].abs()).sort_values("size", ascending=False).head(n)
    parts = [_lower_first(d) for d in top["description"]]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Who they are: compared with everyone else, they {listed}."


def outcome_sentences(result: PersonaResult, pid: int) -> list[str]:
    """Return one sentence per survey outcome for a persona ('31% answered yes to response (95% CI 27%–36%) …')."""
    if result.outcomes is None or not len(result.outcomes):
        return []
    lines = []
    for _, row in result.outcomes[result.outcomes["persona_id"] == pid].iterrows():
        if row["suppressed"] or pd.isna(row["rate"]):
            lines.append(f"Too few answers (fewer than {result.min_group_size}) to show their {row['outcome']} rate.")
        else:
            lines.append(
                f"{row['rate']:.0%} of them have the outcome “{row['outcome']}” (95% CI {row['ci_low']:.0%}–"
                f"{row['ci_high']:.0%}, {int(row['n']):,} answers)."
            )
    return lines


def report_sections(result: PersonaResult, *, full: bool = True) -> list[Section]:
    """Return the report's sections: how many personas and why, sizes and map, one card per persona, CRM outcome.
    `full=False` leaves out, without drawing them, what the alignment page does not show: why this number of
    personas and the map."""
    lca = getattr(result.model, "algorithm", "") == "lca"
    sections = [
        Section(
            "fit",
            "How the personas were found",
            [
                (
                    "A latent class model groups respondents: each persona is a class with its own chance of every "
                    "answer, fitted by maximum likelihood with each blank answer left missing (never filled in), and "
                    "each respondent goes to the class their answers make most likely. Entropy (0–1) says how "
                    "clearly respondents belong to one class."
                    if lca
                    else "Each respondent's answers are encoded by type (agreement scales as scores, single choices "
                    "as one column per option, ticked boxes as yes/no, numbers on a robust scale), every "
                    "question is given the same total weight so that a question with many options cannot "
                    "dominate, and respondents are grouped by k-means."
                ),
                "Attitudes, needs and behaviour form the personas; who the respondents are (gender, age, income, "
                "region, company size, industry, role: descriptors) describes them and is compared per persona, "
                "unless personas.features names it. A persona formed on a balanced two-option question such as "
                "gender would split by it first and say little about what people think or do.",
                (
                    "Speeders, straight-liners and unfinished responses are left out of fitting, so that careless "
                    "answers do not shape the personas; they are still assigned to the nearest persona and counted "
                    "below. Respondents who answered under a set share of the persona questions (drop-outs, or those "
                    "a screener sent past them) are in no persona."
                    if result.population == "respondents"
                    else f"Every one of the {result.population} is grouped by the attributes that form the personas; "
                    "those with too few of them filled in are in no persona."
                ),
                "Questions answered by a minority (skip logic), outcomes, ids, constants and near-unique answers "
                "never form the personas: a skipped answer is never filled in with the majority's, and an outcome is "
                "profiled per persona instead. The table of answers says which formed the personas and why the "
                "others did not.",
                result.k_rule,
            ],
            [
                ReportTable("fit", "What the model was fitted on", result.fit),
                *(
                    [
                        ReportTable(
                            "feature_screen",
                            "Which answers form the personas, and why the others do not",
                            result.screen,
                        )
                    ]
                    if result.screen is not None
                    else []
                ),
            ],
        )
    ]
    if result.outcomes is not None and len(result.outcomes):
        sections.append(
            Section(
                "outcomes",
                "Outcomes per persona",
                [
                    "Answers that are outcomes (a campaign response, a purchase, churn) never form the personas; "
                    "they are profiled per persona instead: the share with the outcome and its 95% Wilson interval."
                ],
                [ReportTable("survey_outcomes", "Outcome rate per persona", result.outcomes)],
            )
        )
    if result.weighted:
        first = sections[0]
        sections[0] = replace(
            first,
            paragraphs=[
                *first.paragraphs,
                "Survey weights are on (survey.weighting), so sizes, profiles, typical answers and CRM outcomes "
                "describe the population the weights stand for rather than the respondents: shares and means are "
                "weighted, their confidence intervals and tests use Kish's effective sample size, and responses "
                "without a weight (those with a quality flag) count in the respondent numbers but not in the "
                "weighted figures.",
            ],
            items=[
                *first.items,
                ReportTable(
                    "weighting",
                    "Survey weights behind the persona figures",
                    result.weighting,
                    note="n_effective is Kish's effective sample size (Σw)²/Σw²; design_effect = weighted responses "
                    "/ n_effective.",
                ),
            ],
        )
    if full and len(result.k_scores):
        sections.append(
            Section(
                "k",
                "Why this number of personas",
                [
                    "Stability: the survey is resampled and the personas refitted; the adjusted Rand index says how "
                    "much the refit agrees with the original (1 = identically). Splitting a real group at an "
                    "arbitrary line does not reproduce. Silhouette, Calinski–Harabasz (higher is better) and "
                    "Davies–Bouldin (lower is better) measure separation; on overlapping survey segments they favour "
                    "the coarsest split, so they are shown, not used to decide."
                ],
                [
                    ReportFigure.from_axes(
                        plots.plot_k_choice(result.k_scores),
                        alt="Line chart of stability and silhouette by number of personas.",
                    ),
                    ReportTable("k_scores", "Scores of each candidate number of personas", result.k_scores),
                ],
            )
        )
    shown = result.sizes[~result.sizes["suppressed"]]
    sections.append(
        Section(
            "sizes",
            "Who is in each persona",
            [
                (
                    "Weighted share of respondents in each persona with its 95% Wilson interval on Kish's effective "
                    "sample size; n_effective and design_effect are those of the persona's own weights. "
                    if result.weighted
                    else "Share of all respondents in each persona with its 95% Wilson interval. "
                )
                + "The map places respondents who answered alike close together (UMAP of the weighted answers). "
                + MAP_CAPTION
            ],
            [
                ReportFigure.from_axes(
                    plots.plot_persona_sizes(shown), alt="Bar chart of persona shares with confidence intervals."
                ),
                ReportTable("sizes", "Persona sizes (weighted)" if result.weighted else "Persona sizes", result.sizes),
                *(
                    [
                        ReportFigure.from_axes(
                            plots.plot_persona_map(
                                result.embedding, result.names, min_group_size=result.min_group_size
                            ),
                            alt=PERSONA_MAP_ALT,
                        )
                    ]
                    if full
                    else []
                ),
            ],
        )
    )
    for pid in shown["persona_id"]:
        sections.append(_card(result, int(pid)))
    if result.descriptors is not None and len(result.descriptors):
        sections.append(
            Section(
                "descriptors",
                "Who is in each persona",
                [
                    "Descriptors (who they are: gender, age, income, region, company size, industry, role) do not "
                    "form the personas; here is each persona's share giving each answer, or its average, with the "
                    "95% interval (Wilson for shares, t for averages), beside everyone else's."
                ],
                [ReportTable("descriptors", "Descriptors per persona", result.descriptors, max_rows=120)],
            )
        )
    if len(result.crm):
        sections.append(
            Section(
                "crm",
                "What each persona did in the CRM",
                [
                    "Only respondents whose survey email matched a CRM lead are counted here. Conversion is to the "
                    "converted stage of the project file; the median amount is over won deals."
                    + (
                        " Weighted by the respondents' survey weights (conversion rate, sources, stage reached, "
                        "median amount); linked and converted count leads; n_effective and design_effect are Kish's."
                        if result.weighted
                        else ""
                    )
                ],
                [
                    ReportTable(
                        "crm_outcomes",
                        "CRM outcome per persona (linked respondents" + (", weighted)" if result.weighted else ")"),
                        result.crm,
                    )
                ],
            )
        )
    else:
        sections.append(
            Section(
                "crm",
                "What each persona did in the CRM",
                [
                    "Not analysed: the project has no CRM funnel to link survey respondents to (crm and funnel in "
                    "the project file), so the personas are described by their answers alone."
                    if result.population == "respondents"
                    else "Not analysed as a funnel: the project file names no funnel stages, so the outcome is "
                    "profiled per persona above instead."
                ],
            )
        )
    sections.append(
        Section(
            "traits",
            "Every comparison",
            [
                "Each answer in each persona against everyone else: share or mean, lift (ratio), standardised "
                "difference (|d| ≥ 0.2 small, 0.5 medium, 0.8 large) and the p-value corrected for the number of "
                "comparisons (Benjamini–Hochberg q-value)."
                + (
                    " Weighted: shares, means and standardised differences use the survey weights, tests use Kish's "
                    "effective sample sizes."
                    if result.weighted
                    else ""
                )
            ],
            [
                ReportTable(
                    "traits",
                    "Persona × answer comparisons" + (" (weighted)" if result.weighted else ""),
                    result.traits.drop(columns=["description"]),
                    max_rows=80,
                )
            ],
        )
    )
    return sections


def alignment_sections(result: PersonaResult) -> list[Section]:
    """Return the short version for the alignment page (notebook 05): persona sizes, one card per persona, and what
    each persona did in the CRM (leaving out how k was chosen, the map and every comparison)."""
    return [s for s in report_sections(result, full=False) if s.id in ("sizes", "crm") or s.id.startswith("persona-")]


def write_personas_report(
    result: PersonaResult, settings: ProjectSettings, *, inputs: pd.DataFrame | None = None
) -> Path:
    """Write reports/03_persona_segments.html (and its CSVs); return the HTML path."""
    if inputs is None:
        path = settings.processed_dir / "inputs.parquet"
        inputs = pd.read_parquet(path) if path.exists() else pd.DataFrame()
    return write_report(
        REPORT_SLUG,
        title="Persona segments",
        subtitle="Customer personas from the survey: how many, who, what sets them apart, what they did.",
        headline=headline(result),
        sections=build_with_labels(settings, report_sections, result),
        settings=settings,
        inputs=inputs,
        weighting=weighting_note(result),
    )
