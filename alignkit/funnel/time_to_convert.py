"""Notebook 02's time dimension: days from entry (MQL, or creation) to each later stage and to won, the sales cycle of
won and of lost deals, the curves by source, owner, persona and the project's breakdowns with log-rank tests, and
the cohorts' conversion within 30/60/90 days — all with open leads censored (`alignkit.funnel.timing`)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignkit.funnel.timing import (
    BOOTSTRAP,
    CREATION,
    HORIZONS,
    LOST,
    REACHED,
    Durations,
    Outcomes,
    durations,
    entry_index,
    entry_stage,
    entry_times,
    incidence,
    lead_outcomes_in_time,
    resampled,
    summarise,
)
from alignkit.prepare.stage_paths import StagePaths
from alignkit.stats import benjamini_hochberg

CURVE_DAYS = 365  # the curves are drawn up to a year, or the follow-up when shorter
CURVE_LINES = 6  # one panel, at most six lines: all leads and the five largest groups
GROUPS_PER_BREAKDOWN = 30  # the largest groups of each breakdown are tested; the rest are too many to read
GROUP_DRAWS = 100
COHORT_HORIZONS = (30, 60, 90)


@dataclass(frozen=True, repr=False)
class TimeToConvert:
    """How long leads take: per later stage (`stages`), the cycle of won and lost deals (`cycle`), by group with
    log-rank tests (`groups`), the curves to draw (`curves`), and the durations to the converted stage."""

    entry: str
    converted_stage: str
    stages: pd.DataFrame
    cycle: pd.DataFrame
    groups: pd.DataFrame
    curves: pd.DataFrame
    curve_breakdown: str
    to_won: Durations
    outcomes: Outcomes

    def __repr__(self) -> str:
        won = self.stages.iloc[-1]
        return (
            f"TimeToConvert({self.entry} → {self.converted_stage}: median {won['median_days']:.0f} days, "
            f"{int(won['leads']):,} leads)"
        )


def time_to_convert(
    leads: pd.DataFrame,
    paths: StagePaths,
    *,
    mql_stage: str,
    converted_stage: str,
    as_of: pd.Timestamp,
    by: dict[str, pd.Series],
    min_group_size: int,
    fdr: float = 0.05,
    seed: int = 0,
) -> TimeToConvert:
    """Return how long leads take from the entry stage (`entry_stage`) to each later stage up to the converted one,
    the cycle of won and lost deals, and the time to win by each breakdown in `by` (name → one label per lead)."""
    entry = entry_stage(paths, mql_stage)
    outcomes = lead_outcomes_in_time(leads, paths, converted_stage=converted_stage)
    entered_at = entry_times(paths, entry)
    first = entry_index(paths, entry)
    # leads at or past the entry stage without a date for it cannot be timed: counted in every row
    no_entry_date = int((paths.reached[:, first] & np.isnat(entered_at)).sum())
    rows, to_won = [], None
    converted = paths.index(converted_stage)
    for j in range(first + 1, converted + 1):
        target = paths.names[j]
        reached_at = outcomes.won_at if j == converted else paths.reached_at[:, j]
        d = durations(entered_at, paths.reached[:, j], reached_at, outcomes, as_of=as_of, entry=entry, target=target)
        counts = d.counts()
        if j < converted and counts[:, REACHED].sum() and not counts[1:, REACHED].sum():
            continue  # the stage's date is the entry date itself (mapped from the same column): nothing to time
        rows.append(
            {
                "from_stage": entry,
                "to_stage": target,
                **summarise(d.counts(), seed=seed),
                "out_of_order": d.out_of_order,
                "no_date": d.undated,
                "no_entry_date": no_entry_date,
            }
        )
        to_won = d
    if to_won is None:  # the entry stage is the converted one: nothing to time
        to_won = durations(
            entered_at, paths.reached[:, 0], entered_at, outcomes, as_of=as_of, entry=entry, target=converted_stage
        )
    groups = time_by_group(to_won, dict(by), min_group_size=min_group_size, fdr=fdr, seed=seed)
    chosen = curve_breakdown(groups)
    return TimeToConvert(
        entry=entry,
        converted_stage=converted_stage,
        stages=pd.DataFrame(rows),
        cycle=cycle_table(to_won, seed=seed),
        groups=groups,
        curves=curves(to_won, by.get(chosen) if chosen is not None else None, min_group_size=min_group_size, seed=seed),
        curve_breakdown=chosen or "",
        to_won=to_won,
        outcomes=outcomes,
    )


def cycle_table(to_won: Durations, *, seed: int = 0) -> pd.DataFrame:
    """Return the days from entry to the close of won and of lost deals: how many, the median from the cumulative
    incidence (censoring-aware) with its 95% CI, and the naive median of closed leads only, which young open deals
    bias towards short cycles (shown for comparison)."""
    counts = to_won.counts()
    rows = []
    for label, cause in (("won", REACHED), ("lost", LOST)):
        summary = summarise(counts, seed=seed, cause=cause)
        closed = to_won.days[to_won.event == cause]
        rows.append(
            {
                "outcome": label,
                "deals": len(closed),
                "median_days": summary["median_days"],
                "median_days_ci_low": summary["median_days_ci_low"],
                "median_days_ci_high": summary["median_days_ci_high"],
                "closed_only_median_days": float(np.median(closed)) if len(closed) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _cells(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    day, event = np.nonzero(counts)
    return day, event == REACHED, counts[day, event]


def logrank_p(group: np.ndarray, rest: np.ndarray) -> float:
    """Return the log-rank p-value of reaching the target, a group's per-day counts against the rest's (lost and
    open leads censored at their time: a test of the cause-specific hazard)."""
    from lifelines.statistics import logrank_test

    (da, ea, wa), (db, eb, wb) = _cells(group), _cells(rest)
    if not ea.any() and not eb.any():
        return np.nan
    with warnings.catch_warnings():
        # lifelines 0.30.0 calls DataFrame.sum with a positional argument, which pandas 3 warns about
        warnings.simplefilter("ignore", FutureWarning)
        warnings.filterwarnings("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning))
        return float(logrank_test(da, db, ea, eb, weights_A=wa, weights_B=wb).p_value)


def time_by_group(
    to_won: Durations, by: dict[str, pd.Series], *, min_group_size: int, fdr: float = 0.05, seed: int = 0
) -> pd.DataFrame:
    """Return, per breakdown and group (the GROUPS_PER_BREAKDOWN largest with at least `min_group_size` leads), the
    leads, wins, median days to win with its CI, the share won within 90 days against the rest's with the difference
    and its CI, the log-rank p-value against the rest and its Benjamini–Hochberg q-value across every test."""
    rows = []
    for name, labels in by.items():
        names, counts, labelled = _largest_groups(
            to_won, labels, min_group_size=min_group_size, most=GROUPS_PER_BREAKDOWN
        )
        for label, mine in zip(names, counts):
            rest = labelled - mine  # the other leads with a value: a blank is no group, and no part of the rest
            if rest.sum() < min_group_size:
                continue
            summary = summarise(mine, seed=seed, draws=GROUP_DRAWS)
            share, share_rest = _within(mine, seed), _within(rest, seed + 1)
            diff = share - share_rest
            rows.append(
                {
                    "breakdown": name,
                    "segment": label,
                    "leads": summary["leads"],
                    "won": summary["reached"],
                    "median_days": summary["median_days"],
                    "median_days_ci_low": summary["median_days_ci_low"],
                    "median_days_ci_high": summary["median_days_ci_high"],
                    "within_90d_share": float(share[0]),
                    "rest_within_90d_share": float(share_rest[0]),
                    "difference": float(diff[0]),
                    "difference_ci_low": _quantile(diff[1:], 0.025),
                    "difference_ci_high": _quantile(diff[1:], 0.975),
                    "p_value": logrank_p(mine, rest),
                }
            )
    out = pd.DataFrame(
        rows,
        columns=[
            "breakdown",
            "segment",
            "leads",
            "won",
            "median_days",
            "median_days_ci_low",
            "median_days_ci_high",
            "within_90d_share",
            "rest_within_90d_share",
            "difference",
            "difference_ci_low",
            "difference_ci_high",
            "p_value",
        ],
    )
    out["q_value"] = benjamini_hochberg(out["p_value"].to_numpy(float)) if len(out) else pd.Series(dtype=float)
    out["significant"] = out["q_value"] < fdr
    return out.sort_values(["q_value", "leads"], ascending=[True, False], kind="stable").reset_index(drop=True)


def _largest_groups(
    to_won: Durations, labels: pd.Series | np.ndarray, *, min_group_size: int, most: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return the `most` largest groups of `labels` (one per lead of the leads table) with at least `min_group_size`
    leads in `to_won`, their per-day counts (groups, days, 3), and the per-day counts of every lead with a label
    (blank labels are no group)."""
    codes, uniques = pd.factorize(pd.Series(labels).to_numpy(dtype=object)[to_won.rows], use_na_sentinel=True)
    sizes = np.bincount(codes[codes >= 0], minlength=len(uniques))
    names = np.array([str(u) for u in uniques], dtype=object)
    blank = np.array([n.strip() in ("", "nan", "<NA>", "None") for n in names], dtype=bool)
    order = [i for i in np.argsort(-sizes, kind="stable") if sizes[i] >= min_group_size and not blank[i]][:most]
    remap = np.full(len(uniques) + 1, -1)
    remap[np.array(order, dtype=np.int64)] = np.arange(len(order))
    labelled = (codes >= 0) & ~np.append(blank, True)[codes]
    return [names[i] for i in order], to_won.counts_by(remap[codes], len(order)), to_won.counts(labelled)


def _within(counts: np.ndarray, seed: int, day: int = 90) -> np.ndarray:
    """Return the share within `day` days: the estimate, then GROUP_DRAWS bootstrap draws (NaN past the follow-up)."""
    both = np.concatenate([counts[None].astype(float), resampled(counts, draws=GROUP_DRAWS, seed=seed)])
    won, _, at_risk = incidence(both)
    return won[:, day] if day < won.shape[-1] and at_risk[0, day] > 0 else np.full(len(both), np.nan)


def _quantile(values: np.ndarray, q: float) -> float:
    values = values[~np.isnan(values)]
    return float(np.quantile(values, q)) if len(values) >= 10 else np.nan


def curve_breakdown(groups: pd.DataFrame) -> str | None:
    """Return the breakdown whose groups differ most in time to win (smallest q-value), else the first tested."""
    if not len(groups):
        return None
    return str(groups.sort_values("q_value", kind="stable").iloc[0]["breakdown"])


def curves(to_won: Durations, labels: pd.Series | None, *, min_group_size: int, seed: int = 0) -> pd.DataFrame:
    """Return the share won by each day (up to CURVE_DAYS or the follow-up) with a pointwise 95% bootstrap band, for
    all leads and the largest groups of `labels` (at most CURVE_LINES lines; groups under `min_group_size` never)."""
    series = [("All leads", to_won.counts())]
    if labels is not None:
        names, counts, _ = _largest_groups(to_won, labels, min_group_size=min_group_size, most=CURVE_LINES - 1)
        series += list(zip(names, counts))
    frames = []
    for label, counts in series:
        won, _, at_risk = incidence(counts)
        boot, _, _ = incidence(resampled(counts, draws=GROUP_DRAWS, seed=seed))
        last = min(CURVE_DAYS, int(np.flatnonzero(at_risk > 0)[-1]) if (at_risk > 0).any() else 0)
        days = np.arange(last + 1)
        frames.append(
            pd.DataFrame(
                {
                    "group": label,
                    "day": days,
                    "share": won[days],
                    "ci_low": np.quantile(boot[:, days], 0.025, axis=0),
                    "ci_high": np.quantile(boot[:, days], 0.975, axis=0),
                    "at_risk": at_risk[days],
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def cohort_incidence(
    paths: StagePaths, outcomes: Outcomes, *, converted_stage: str, as_of: pd.Timestamp, seed: int = 0
) -> pd.DataFrame:
    """Return per month of creation the share converted within 30, 60 and 90 days of creation (cumulative incidence,
    open leads censored) with 95% CIs, empty where the cohort's follow-up is shorter: young cohorts are judged on
    the days they had, never read as worse."""
    j = paths.index(converted_stage)
    created = entry_times(paths, CREATION)
    d = durations(
        created, paths.reached[:, j], outcomes.won_at, outcomes, as_of=as_of, entry=CREATION, target=converted_stage
    )
    month = created[d.rows].astype("datetime64[M]")
    months = np.unique(month[~np.isnat(month)])
    codes = np.searchsorted(months, month)
    codes[np.isnat(month)] = -1
    rows = []
    for m, counts in zip(months, d.counts_by(codes, len(months))):
        won, _, at_risk = incidence(counts)
        boot, _, _ = incidence(resampled(counts, draws=GROUP_DRAWS, seed=seed))
        row: dict[str, object] = {"cohort": str(pd.Period(m, freq="M"))}
        for h in COHORT_HORIZONS:
            inside = h < len(won) and at_risk[h] > 0
            row[f"converted_within_{h}d_share"] = float(won[h]) if inside else np.nan
            row[f"converted_within_{h}d_ci_low"] = _quantile(boot[:, h], 0.025) if inside else np.nan
            row[f"converted_within_{h}d_ci_high"] = _quantile(boot[:, h], 0.975) if inside else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = [
    "BOOTSTRAP",
    "HORIZONS",
    "TimeToConvert",
    "cohort_incidence",
    "curves",
    "cycle_table",
    "logrank_p",
    "time_by_group",
    "time_to_convert",
]
