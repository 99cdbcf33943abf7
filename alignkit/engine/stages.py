"""Stage reach and time in stage from a leads table that lives in an engine, by the funnel's own rules
(`alignkit.prepare.stage_paths`): a lead has reached a stage when it has the stage's date, is at the stage now, or
reached a later stage; a stage passed without a date (one some lead has a date for) is skipped; a lead now at an
earlier stage than its furthest has moved back. Time in stage is measured between recorded dates, durations out of
order left out and counted; its median and 80th percentile are numpy's to the last digit (alignkit.engine.quantiles).

Stages come as (name, date column) pairs in funnel order; the caller names the columns, so nothing here knows a
project's stages.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from alignkit.engine.backend import as_table, to_frame
from alignkit.engine.quantiles import grouped_order_statistics, median_of, quantile_of

NANOSECONDS_PER_DAY = np.float64(86_400 * 10**9)


def _dates(leads: ir.Table, stages: Sequence[tuple[str, str]]) -> list[ir.TimestampValue]:
    return [
        leads[column].cast("timestamp") if column in leads.columns else ibis.null("timestamp") for _, column in stages
    ]


def stage_flags(leads: pd.DataFrame | ir.Table, stages: Sequence[tuple[str, str]]) -> ir.Table:
    """Return one row a lead: created_at, its stage dates (d0, d1 …), current (stage index, -1 unknown) and furthest
    (index of the furthest stage reached, -1 none)."""
    t = as_table(leads)
    own = _dates(t, stages)
    stage = t["stage"].cast("string") if "stage" in t.columns else ibis.null("string")
    current = ibis.cases(*[(stage == name, i) for i, (name, _) in enumerate(stages)], else_=-1)
    dated = ibis.greatest(*[ibis.ifelse(d.notnull(), i, -1) for i, d in enumerate(own)], ibis.literal(-1))
    return t.select(
        created_at=t["created_at"].cast("timestamp"),
        current=current,
        furthest=ibis.greatest(current, dated),
        **{f"d{i}": d for i, d in enumerate(own)},
    )


def stage_counts(leads: pd.DataFrame | ir.Table, stages: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Return `alignkit.funnel.conversion.stage_table`'s table: per stage, leads reached, their share of those
    entering the funnel, skipped, stopped there (furthest stage) and of those now at an earlier stage."""
    f = stage_flags(leads, stages)
    k = len(stages)
    dated_counts = to_frame(f.aggregate(**{f"n{i}": f[f"d{i}"].count() for i in range(k)})).iloc[0]
    dated = [int(dated_counts[f"n{i}"]) > 0 for i in range(k)]
    moved_back = (f["current"] >= 0) & (f["current"] < f["furthest"])
    sums = {}
    for i in range(k):
        reached = f["furthest"] >= i
        skipped = reached & f[f"d{i}"].isnull() & (f["furthest"] > i) & ibis.literal(bool(i and dated[i]))
        sums[f"reached{i}"] = reached.cast("int64").sum()
        sums[f"skipped{i}"] = skipped.cast("int64").sum()
        sums[f"stopped{i}"] = (f["furthest"] == i).cast("int64").sum()
        sums[f"back{i}"] = ((f["furthest"] == i) & moved_back).cast("int64").sum()
    row = to_frame(f.aggregate(**sums)).iloc[0].fillna(0).astype("int64")
    entered = int(row["reached0"])
    return pd.DataFrame(
        [
            {
                "stage": name,
                "reached": int(row[f"reached{i}"]),
                "entered_share": int(row[f"reached{i}"]) / entered if entered else np.nan,
                "skipped": int(row[f"skipped{i}"]),
                "stopped_here": int(row[f"stopped{i}"]),
                "moved_back_from_here": int(row[f"back{i}"]),
            }
            for i, (name, _) in enumerate(stages)
        ]
    )


def time_in_stage(
    leads: pd.DataFrame | ir.Table, stages: Sequence[tuple[str, str]], *, converted_stage: str
) -> pd.DataFrame:
    """Return `alignkit.funnel.conversion.time_in_stage`'s table: per step between recorded stage dates, then from
    creation to the converted stage, the leads measured, median and 80th-percentile days, and durations out of
    order (left out of the figures)."""
    f = stage_flags(leads, stages)
    names = [name for name, _ in stages]
    j = names.index(converted_stage)
    steps = [
        (names[i], names[i + 1], f[f"d{i + 1}"].delta(f[f"d{i}"], unit="microsecond")) for i in range(len(names) - 1)
    ]
    converted_at = ibis.coalesce(*[f[f"d{i}"] for i in range(j, len(names))])
    converted_at = ibis.ifelse(f["furthest"] >= j, converted_at, ibis.null("timestamp"))
    steps.append(("Created", converted_stage, converted_at.delta(f["created_at"], unit="microsecond")))
    durations = ibis.union(*[f.select(step=ibis.literal(i), us=us) for i, (_, _, us) in enumerate(steps)])
    durations = durations.filter(durations["us"].notnull())
    counts = to_frame(
        durations.group_by("step").aggregate(
            leads=(durations["us"] >= 0).cast("int64").sum(), out_of_order=(durations["us"] < 0).cast("int64").sum()
        )
    )
    counts = counts.set_index("step").reindex(range(len(steps))).fillna(0).astype("int64")
    ordered = durations.filter(durations["us"] >= 0)
    values = grouped_order_statistics(ordered, "us", "step", counts["leads"], [0.8], median=True)
    rows = []
    for i, (start, end, _) in enumerate(steps):
        n = int(counts.loc[i, "leads"])
        days = {rank: np.float64(np.int64(us) * 1000) / NANOSECONDS_PER_DAY for rank, us in values.get(i, {}).items()}
        rows.append(
            {
                "from_stage": start,
                "to_stage": end,
                "leads": n,
                "median_days": median_of(days.__getitem__, n) if n else np.nan,
                "p80_days": quantile_of(days.__getitem__, n, 0.8) if n else np.nan,
                "dates_out_of_order": int(counts.loc[i, "out_of_order"]),
            }
        )
    return pd.DataFrame(rows)
