"""The leads report, reports/04_converting_leads.html: its sections (the written definition, the ranked drivers,
conversion by value, the fields kept out, linked survey answers, the score's accuracy), the short version for
the alignment page, and the report file. Reads a `LeadsResult` from `alignkit.leads.analysis`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from alignkit import plots
from alignkit.config import ProjectSettings
from alignkit.leads.analysis import LeadsResult, headline, weighting_note
from alignkit.leads.definition import clear_rules
from alignkit.leads.score import MODEL_LABELS, rule_sentence
from alignkit.report.html import ReportFigure, ReportItem, ReportTable, Section, write_report
from alignkit.report.labels import build_with_labels

REPORT_SLUG = "04_converting_leads"
PRECISE = {
    "p_value": "{:.2g}",
    "q_value": "{:.2g}",
    "importance": "{:.3f}",
    "importance_sd": "{:.3f}",
    "lowest_score": "{:.3f}",
    "score_threshold": "{:.3f}",
    "min_score": "{:.3f}",
    "cramers_v": "{:.3f}",
}


def _for_report(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with p-values, importances and score cut-offs as text at a readable precision (the report
    formats other floats with two decimals, which would show a q-value of 1e-30 as 0.00)."""
    out = frame.copy()
    for column, fmt in PRECISE.items():
        if column in out:
            out[column] = [fmt.format(v) if pd.notna(v) else "" for v in out[column]]
    return out


def report_sections(result: LeadsResult, *, figures: bool = True) -> list:
    """Return the report's sections: definition, drivers, values, fields kept out, linked survey, score accuracy.
    `figures=False` leaves the figures out without drawing them (the alignment page shows tables only)."""

    def figure(draw: Callable[[], Any], alt: str) -> list[ReportFigure]:
        return [ReportFigure.from_axes(draw(), alt=alt)] if figures else []

    sections = []
    s = result.score
    if s is not None:
        good = clear_rules(s.rules)
        threshold = pd.DataFrame(
            [
                {
                    "sales_capacity_per_week": s.capacity_per_week,
                    "leads_per_week": s.leads_per_week,
                    "score_threshold": s.threshold["threshold"],
                    "passed_share": s.threshold["share_passed"],
                    "precision_rate": s.threshold["precision"],
                    "ci_low": s.threshold["precision_ci_low"],
                    "ci_high": s.threshold["precision_ci_high"],
                    "recall_share": s.threshold["recall"],
                }
            ]
        )
        sections.append(
            Section(
                "definition",
                "The ideal lead, in writing",
                [
                    "Rules found by a shallow decision tree on the training leads, each measured on hold-out leads "
                    "it never saw: how many leads match, how many of them convert, the lift against the average "
                    "lead, and the share of all customers they hold."
                    + (
                        " Rules that convert clearly above the average (their lift's 95% CI lies above 1):"
                        if len(good)
                        else " No rule converts clearly above the average: "
                        "no rule's lift has a 95% CI above 1, so none belongs in the MQL definition."
                    ),
                    *[rule_sentence(r) for _, r in good.iterrows()],
                    "The MQL threshold is set so that marketing passes about as many leads as sales can follow up "
                    "each week (sla.sales_capacity_per_week). Precision: the share of passed leads that convert; "
                    "recall: the share of all future customers that are passed."
                    if s.capacity_per_week
                    else "No MQL threshold: the project file sets no sales capacity. Set sla.sales_capacity_per_week "
                    "(the leads sales can follow up in a week) and the score's threshold passes about that many "
                    "leads; band B then holds the leads above it.",
                    "Bands: A = the best tenth of leads (call first), B = the rest above the MQL threshold, C = the "
                    "upper half of the leads below it (nurture), D = the rest.",
                ],
                [
                    ReportTable(
                        "rules", "Rules (measured on hold-out leads)", _for_report(s.rules), count_columns=["leads"]
                    ),
                    *(
                        [
                            ReportTable(
                                "mql_threshold",
                                "The MQL threshold at sales capacity (hold-out leads)",
                                _for_report(threshold),
                            )
                        ]
                        if s.capacity_per_week
                        else []
                    ),
                    ReportTable(
                        "bands", "Score bands A–D (hold-out leads)", _for_report(s.band_table), count_columns=["leads"]
                    ),
                ],
            )
        )
    top = result.drivers[result.drivers["group"] == "lead attribute"].head(3)["attribute"].tolist()
    items: list[ReportItem] = [
        ReportTable(
            "overall",
            "Leads with a decided outcome, and how many converted (95% Wilson CI); open leads are left out",
            _for_report(result.overall),
        ),
        ReportTable("drivers", "What converting leads have in common (ranked)", _for_report(result.drivers)),
    ]
    if s is not None:
        items += figure(
            partial(plots.plot_driver_importance, result.drivers), "Bar chart of permutation importance per attribute."
        )
    for attribute in top:
        items += figure(
            partial(plots.plot_conversion_by_value, result.values, attribute, overall_rate=result.overall_rate),
            f"Conversion rate with 95% CI per value of {attribute}.",
        )
        if attribute in set(result.distribution.get("attribute", [])):
            items += figure(
                partial(plots.plot_numeric_by_outcome, result.distribution, attribute),
                f"Distribution of {attribute} among converters and the rest.",
            )
    items.append(
        ReportTable(
            "associations",
            "Tests and effect sizes per attribute (q = Benjamini–Hochberg)",
            _for_report(result.associations),
        )
    )
    sections.append(
        Section(
            "drivers",
            "What converting leads have in common",
            [
                "Lead attributes are ranked by how much the score relies on them: the drop in hold-out ROC AUC when "
                "the attribute is shuffled (permutation importance), which accounts for the other attributes — so a "
                "field that only echoes another (pageviews echo sessions) ranks below the one that matters. Channel "
                "fields (where the lead came from) are ranked after the attributes: they describe the channel, not "
                "the lead.",
                "Beside the rank: Cramér's V (0 = no association, 1 = perfect; numbers in quintiles), the AUC of "
                "numbers (chance that a converter's value is higher than a non-converter's; 0.5 = no difference), "
                "and the q-value of the test that fits (chi-square or Fisher for categories, Mann–Whitney for "
                "numbers), corrected for testing many attributes.",
            ],
            items,
        )
    )
    sections.append(
        Section(
            "values",
            "Conversion by attribute value",
            [
                "Every attribute value with its leads, conversion rate (95% Wilson CI) and lift against the average "
                f"({result.overall_rate:.1%}). Numbers are shown in quintiles. Groups under {result.min_group_size} "
                "leads are hidden."
            ],
            [
                ReportTable(
                    "conversion_by_value",
                    "Conversion per value",
                    _for_report(result.values),
                    max_rows=300,
                    count_columns=["leads"],
                )
            ],
        )
    )
    sections.append(
        Section(
            "left_out",
            "Fields kept out of drivers and score",
            [
                "A field recorded after the outcome would look like a perfect driver and make the score useless on "
                "new leads. The leakage guard flags a field named in the project file (leads.post_outcome_fields), a "
                "field whose date falls after the outcome, and a field that alone separates converters almost "
                "perfectly."
            ],
            [
                ReportTable("fields_left_out", "Fields kept out, with the reason", _for_report(result.left_out)),
                ReportTable("leakage_guard", "What the leakage guard found", _for_report(result.leakage)),
            ],
        )
    )
    if len(result.linked_associations):
        n = int(result.linked_associations["leads"].max())
        weighted = getattr(result, "linked_weighting", None)
        words = [
            f"Only the {n:,} leads linked to a survey response are in this section, so its rates describe that "
            "subset, not all leads; its attributes are not in the score. Ranked by Cramér's V."
        ]
        if weighted is not None:
            row = weighted.iloc[0]
            words.append(
                f"Weighted: each linked lead counts with its survey response's weight (survey.weighting), so "
                f"rates, lifts, medians, tests and effect sizes describe the population the weights stand for. "
                f"Confidence intervals and tests use Kish's effective sample size: {int(row['weighted_leads']):,} "
                f"weighted leads count as {row['n_effective']:,.0f} (design effect {row['design_effect']:.2f}); "
                "leads and converted stay counts of leads, and a lead whose response has no weight (a quality "
                "flag) is left out of the weighted figures."
            )
        linked_items = (
            []
            if weighted is None
            else [ReportTable("linked_weighting", "Survey weights of the linked leads", weighted)]
        )
        sections.append(
            Section(
                "linked",
                "Survey answers and personas (linked leads only" + (", weighted)" if weighted is not None else ")"),
                words,
                [
                    *linked_items,
                    ReportTable(
                        "linked_associations",
                        "Survey answers and personas: tests and effect sizes",
                        _for_report(result.linked_associations),
                    ),
                    ReportTable(
                        "linked_values",
                        "Conversion per answer (linked leads)",
                        _for_report(result.linked_values),
                        max_rows=200,
                        count_columns=["leads"],
                    ),
                ],
            )
        )
    if s is not None:
        metrics = pd.DataFrame(
            [
                {
                    "model": s.model_name,
                    "leads": s.holdout_metrics["leads"],
                    "conversions": s.holdout_metrics["conversions"],
                    "roc_auc": s.holdout_metrics["roc_auc"],
                    "pr_auc": s.holdout_metrics["pr_auc"],
                    "base_rate": s.holdout_metrics["base_rate"],
                }
            ]
        )
        items = [
            ReportTable(
                "cross_validation", "Cross-validated accuracy (mean ± sd across folds)", _for_report(s.cv_summary)
            ),
            ReportTable("holdout", "Accuracy of the chosen, calibrated score on hold-out leads", _for_report(metrics)),
            *figure(
                partial(plots.plot_gains, s.gains, capacity_share=s.threshold.get("capacity_share")),
                "Cumulative gains curve of the score on hold-out leads.",
            ),
            ReportTable(
                "gains", "Gains and lift by score tenth (hold-out leads)", _for_report(s.gains), count_columns=["leads"]
            ),
            *figure(
                partial(plots.plot_calibration, s.calibration), "Predicted vs observed conversion per score decile."
            ),
        ]
        for attribute, curve in s.partial_dependence.items():
            items += figure(
                partial(plots.plot_partial_dependence, curve, attribute),
                f"Partial dependence of the score on {attribute}.",
            )
        sections.append(
            Section(
                "score",
                "The lead score and how accurate it is",
                [
                    (
                        f"The table has {s.rows_used['leads']:,} leads; the models use a stratified sample of "
                        f"{s.rows_used['training'] + s.rows_used['holdout']:,} of them. "
                        if s.rows_used.get("leads", 0) > s.rows_used["training"] + s.rows_used["holdout"]
                        else ""
                    )
                    + f"Two models were cross-validated ({s.rows_used['model_sample']:,} training leads, stratified "
                    "folds): "
                    + "; ".join(MODEL_LABELS.values())
                    + f". The better by mean ROC AUC ({s.model_name}) was calibrated (Platt scaling on its "
                    "out-of-fold predictions) so a score of 0.2 means about 20% of such leads convert, then "
                    f"measured on {s.rows_used['holdout']:,} hold-out leads. PR AUC is compared with chance, the "
                    "base rate.",
                    "Per-lead reasons (from `alignkit score`): each attribute's contribution is how far it moves the "
                    "lead's log-odds compared with a typical lead's value (median number, most frequent category).",
                ],
                items,
            )
        )
    return sections


def alignment_sections(result: LeadsResult) -> list:
    """Return the short version for the alignment page (notebook 05): the written definition and the ranked drivers."""
    keep = {"definition", "drivers"}
    sections = [s for s in report_sections(result, figures=False) if s.id in keep]
    return [replace(s, items=[i for i in s.items if isinstance(i, ReportTable)][:3]) for s in sections]


def write_leads_report(result: LeadsResult, settings: ProjectSettings, *, inputs: pd.DataFrame | None = None) -> Path:
    """Write reports/04_converting_leads.html (and its CSVs); return the HTML path."""
    if inputs is None:
        path = settings.processed_dir / "inputs.parquet"
        inputs = pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=["table", "file", "rows", "sha256"])
    return write_report(
        REPORT_SLUG,
        title="The ideal lead: what converting leads have in common",
        subtitle="Drivers, a shared lead score, the MQL threshold and a written definition for sales and marketing.",
        headline=headline(result),
        sections=build_with_labels(settings, report_sections, result),
        settings=settings,
        inputs=inputs,
        weighting=weighting_note(result),
    )
