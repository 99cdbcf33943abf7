"""Friction points: conversion at each step by source, campaign, owner (and persona when a `persona` column is
present), each segment against the rest, and the segments converting significantly below it.

Rules (the report states them in plain words): at every step, each segment against the rest, Benjamini–Hochberg
across all comparisons, ranked by leads lost. A segment with at least 80% of its leads inside a higher-ranked
friction point at the same step (a campaign inside its source) restates it: it is left out of the friction points
and marked `within` in the segments table. Leads are judged on a step as in `alignkit.funnel.conversion`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alignkit.funnel.conversion import eligible
from alignkit.prepare.stage_paths import StagePaths
from alignkit.stats import benjamini_hochberg, segment_vs_rest

BREAKDOWNS = ("source", "campaign", "owner", "persona")
NESTED_SHARE = 0.8  # a friction point with this share of its leads inside a higher-ranked one restates it


# --- breakdowns and friction points ---------------------------------------------------------------------------------


def breakdown_columns(leads: pd.DataFrame, candidates: tuple[str, ...] = BREAKDOWNS) -> list[str]:
    """Return the breakdown columns present in the leads table and not entirely missing."""
    return [c for c in candidates if c in leads and leads[c].notna().any()]


def segment_conversion(
    leads: pd.DataFrame,
    paths: StagePaths,
    *,
    as_of: pd.Timestamp,
    maturity_days: int,
    by: list[str] | None = None,
    min_group_size: int = 1,
) -> pd.DataFrame:
    """Return, for every step × breakdown × segment with at least `min_group_size` leads judged, the segment's
    conversion with CI, the rest's rate, the difference (CI), Cohen's h and the p-value (two-proportion z-test,
    Fisher's exact test for small counts), with Benjamini–Hochberg q-values across all rows and the leads lost
    against the rest's rate (n × (rest rate − segment rate))."""
    by = breakdown_columns(leads) if by is None else by
    factorized = {}
    for column in by:  # once per column: string columns are slow to slice again and again
        codes, labels = pd.factorize(leads[column].astype("str"), sort=True)
        factorized[column] = (codes, pd.Index(labels).astype("str"))
    parts = []
    for i in range(len(paths.names) - 1):
        judged = eligible(paths, i, as_of=as_of, maturity_days=maturity_days)
        if not judged.any():
            continue
        flags = pd.Series(paths.reached[judged, i + 1])
        for column in by:
            codes, labels = factorized[column]
            segments = pd.Series(pd.Categorical.from_codes(codes[judged], categories=labels))
            table = segment_vs_rest(flags, segments)
            table = table[table["n"] >= min_group_size]
            if table.empty:
                continue
            parts.append(table.assign(from_stage=paths.names[i], to_stage=paths.names[i + 1], breakdown=column))
    if not parts:
        return pd.DataFrame(
            columns=[
                "from_stage",
                "to_stage",
                "breakdown",
                "segment",
                "n",
                "count",
                "rate",
                "ci_low",
                "ci_high",
                "rest_n",
                "rest_rate",
                "difference",
                "difference_ci_low",
                "difference_ci_high",
                "cohens_h",
                "p_value",
                "test",
                "q_value",
                "leads_lost",
            ]
        )
    out = pd.concat(parts, ignore_index=True)
    out["q_value"] = benjamini_hochberg(out["p_value"])
    out["leads_lost"] = out["n"] * (out["rest_rate"] - out["rate"])
    front = ["from_stage", "to_stage", "breakdown", "segment"]
    return out[front + [c for c in out.columns if c not in front]]


def friction_points(segments: pd.DataFrame, *, fdr: float = 0.05) -> pd.DataFrame:
    """Return the segments converting significantly below the rest (q < `fdr`), most leads lost first."""
    below = segments[(segments["q_value"] < fdr) & (segments["difference"] < 0)]
    return below.sort_values(["leads_lost", "q_value"], ascending=[False, True], kind="stable").reset_index(drop=True)


def nested_within(
    friction: pd.DataFrame,
    leads: pd.DataFrame,
    paths: StagePaths,
    *,
    as_of: pd.Timestamp,
    maturity_days: int,
    share: float = NESTED_SHARE,
) -> pd.Series:
    """Return, per friction point (in rank order), the higher-ranked friction point at the same step that holds at
    least `share` of its judged leads ('source Paid Social' for a Paid Social campaign), or '' where there is none.
    Such a segment restates the higher one's finding: it is left out of the friction list and the headline and
    marked in the segments table."""
    within = pd.Series("", index=friction.index, dtype="str")
    kept: list[tuple[str, str, np.ndarray]] = []  # (step, label, members) of friction points not nested
    judged: dict[str, np.ndarray] = {}
    for index, row in friction.iterrows():
        step = f"{row['from_stage']}→{row['to_stage']}"
        if step not in judged:
            judged[step] = eligible(paths, paths.index(row["from_stage"]), as_of=as_of, maturity_days=maturity_days)
        members = judged[step] & leads[row["breakdown"]].astype("str").eq(str(row["segment"])).fillna(False).to_numpy(
            bool
        )
        size = int(members.sum())
        for other_step, label, other in kept:
            if other_step == step and size and (members & other).sum() >= share * size:
                within[index] = label
                break
        else:
            kept.append((step, f"{row['breakdown']} {row['segment']}", members))
    return within


def describe_friction(row: pd.Series) -> str:
    """Return one friction point in plain words."""
    return (
        f"{row['breakdown'].capitalize()} {row['segment']!s}: {row['rate']:.0%} of leads move from "
        f"{row['from_stage']} to {row['to_stage']} (95% CI {row['ci_low']:.0%}–{row['ci_high']:.0%}) against "
        f"{row['rest_rate']:.0%} for the rest — about {row['leads_lost']:,.0f} of {row['n']:,} leads lost at this step."
    )
