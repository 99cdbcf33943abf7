"""How long leads take, with open leads censored at the export date (never counted as lost, never left out).

Each lead entering the funnel at the entry stage (the MQL stage when its dates are recorded, else creation) has a
time to its *event*: reaching the target stage (won, for the converted stage), being lost (its deal closed lost,
its lifecycle value a lost one, or its outcome 'lost'), or — still open — the export date, where it is censored.
Won and lost are competing outcomes, so the share reaching the target within t days is the Aalen–Johansen
cumulative incidence: the sum over days up to t of the chance of being still undecided the day before, times the
day's share of those at risk reaching the target. Without lost leads it is one minus the Kaplan–Meier curve.

lifelines' AalenJohansenFitter breaks tied times by random jitter (19 s on 20,000 leads with times in whole
days, and a different answer per seed), so the estimator is computed here from per-day counts, which also keeps
5 million leads to one `bincount`; tests/funnel/test_timing.py checks it against lifelines' Kaplan–Meier and
Aalen–Johansen fitters on untied times. The log-rank tests are lifelines'.

The median time to win is the day by which half of the eventual wins have happened: the cumulative incidence
reaching half its value at the end of the follow-up. Confidence intervals come from a bootstrap over leads
(Poisson draws of the per-day counts, which costs the same at any size).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignkit.funnel.closed_loop import closed_lost, deal_lost
from alignkit.prepare.stage_paths import StagePaths

OPEN, REACHED, LOST = 0, 1, 2
HORIZONS = (30, 60, 90, 180)
BOOTSTRAP = 200
DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class Durations:
    """Each lead's whole days from entry to its event: `event` OPEN (censored at the export date), REACHED (the
    target stage) or LOST; `rows` says which leads of the leads table are in (entered, with dates in order)."""

    days: np.ndarray
    event: np.ndarray
    rows: np.ndarray
    entry: str
    target: str
    out_of_order: int = 0  # target or loss dated before entry: left out, counted
    undated: int = 0  # reached the target without any date: left out, counted

    def counts(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Return the (days, 3) matrix of leads censored, reaching the target and lost on each day since entry."""
        days, event = (self.days, self.event) if mask is None else (self.days[mask], self.event[mask])
        width = int(self.days.max()) + 1 if len(self.days) else 1
        return np.bincount(days * 3 + event, minlength=width * 3).reshape(width, 3)

    def counts_by(self, codes: np.ndarray, groups: int) -> np.ndarray:
        """Return per-day counts (groups, days, 3) for each group code 0 … groups−1 of the leads in (one code per
        lead of `rows`; other codes are left out), in one pass however many leads."""
        width = int(self.days.max()) + 1 if len(self.days) else 1
        keep = (codes >= 0) & (codes < groups)
        flat = (codes[keep] * width + self.days[keep]) * 3 + self.event[keep]
        return np.bincount(flat, minlength=groups * width * 3).reshape(groups, width, 3)


@dataclass(frozen=True)
class Outcomes:
    """When each lead was won and lost (NaT when not), from the stage dates and the deal or lifecycle status."""

    won: np.ndarray
    won_at: np.ndarray
    lost: np.ndarray
    lost_at: np.ndarray
    lost_dated: int  # lost leads whose loss date is the deal's close date (the rest: their last move)


def lead_outcomes_in_time(leads: pd.DataFrame, paths: StagePaths, *, converted_stage: str) -> Outcomes:
    """Return each lead's win (reached the converted stage, at its date, else at its close date) and loss.

    A loss needs evidence of one: a deal closed lost, a lifecycle value listed as lost, or an outcome value saying
    not converted *with* a close date. It is dated by the close date, else (a lifecycle loss) by the lead's last
    recorded move, when it stopped. An undated 'not converted' — a lead missing from a membership table, a 0 in a
    converted column — says only that the lead had not converted by the export: it stays open, censored there."""
    j = paths.index(converted_stage)
    won = paths.reached[:, j]
    closed_at = (
        pd.to_datetime(leads["deal_closed_at"]).to_numpy("datetime64[ns]")
        if "deal_closed_at" in leads
        else np.full(len(leads), np.datetime64("NaT"), "datetime64[ns]")
    )
    won_at = np.where(won & np.isnat(paths.reached_at[:, j]), closed_at, paths.reached_at[:, j])
    lifecycle = (
        leads["lifecycle_lost"].fillna(False).to_numpy(bool)
        if "lifecycle_lost" in leads
        else np.zeros(len(leads), bool)
    )
    lost = (deal_lost(leads) | lifecycle | (closed_lost(leads) & ~np.isnat(closed_at))) & ~won
    last_move = np.where(paths.has_date, paths.reached_at, np.datetime64("NaT")).max(axis=1)
    last_move = np.where(np.isnat(last_move), paths.created_at, last_move)
    dated = lost & ~np.isnat(closed_at)
    lost_at = np.where(dated, closed_at, np.where(lost, last_move, np.datetime64("NaT")))
    return Outcomes(
        won=won,
        won_at=won_at.astype("datetime64[ns]"),
        lost=lost,
        lost_at=lost_at.astype("datetime64[ns]"),
        lost_dated=int(dated.sum()),
    )


CREATION = "creation"  # the entry when times are counted from each lead's creation date


def entry_stage(paths: StagePaths, mql_stage: str) -> str:
    """Return what times are measured from: the MQL stage when some of its dates are recorded, else the first stage
    when its own dates are, else CREATION (the leads' created dates)."""
    i = paths.index(mql_stage)
    if i > 0 and paths.has_date[:, i].any():
        return mql_stage
    return paths.names[0] if paths.has_date[:, 0].any() else CREATION


def entry_times(paths: StagePaths, stage: str) -> np.ndarray:
    """Return when each lead entered at `stage` (its date, else the next dated stage's; creation for the first
    stage when it has no date), or was created (`stage` CREATION); NaT for leads that never reached it."""
    if stage == CREATION:
        return paths.created_at.astype("datetime64[ns]")
    i = paths.index(stage)
    at = paths.reached_at[:, i]
    if i == 0:  # without its own date the first stage was reached at creation, not at a later stage's date
        at = np.where(paths.has_date[:, 0], at, paths.created_at)
    return np.where(paths.reached[:, i], at, np.datetime64("NaT")).astype("datetime64[ns]")


def entry_index(paths: StagePaths, entry: str) -> int:
    """Return the position of the entry stage in the funnel (0 for CREATION)."""
    return 0 if entry == CREATION else paths.index(entry)


def durations(
    entered_at: np.ndarray,
    reached: np.ndarray,
    reached_at: np.ndarray,
    outcomes: Outcomes,
    *,
    as_of: pd.Timestamp,
    entry: str,
    target: str,
) -> Durations:
    """Return the whole days from entry to reaching the target (REACHED), to the loss (LOST, when lost before
    reaching it) or to `as_of` (OPEN). Leads that entered after `as_of`, reached the target without a date, or whose
    target date is before entry are left out (the last two counted); a loss dated before entry counts at day 0, a
    date after `as_of` as not happened yet."""
    end = np.datetime64(as_of, "ns")
    entered = ~np.isnat(entered_at) & (entered_at <= end)
    hit = reached & ~np.isnat(reached_at) & (reached_at <= end)
    undated = entered & reached & np.isnat(reached_at)
    lost = outcomes.lost & ~reached & (outcomes.lost_at <= end)
    event = np.select([hit, lost], [REACHED, LOST], OPEN).astype(np.int64)
    when = np.select([hit, lost], [reached_at, outcomes.lost_at], end).astype("datetime64[ns]")
    days = whole_days(when - entered_at, decided=event != OPEN)
    out_of_order = entered & hit & (days < 0)
    rows = entered & ~undated & ~out_of_order
    return Durations(
        days=np.clip(days[rows], 0, None).astype(np.int64),
        event=event[rows],
        rows=rows,
        entry=entry,
        target=target,
        out_of_order=int(out_of_order.sum()),
        undated=int(undated.sum()),
    )


def whole_days(elapsed: np.ndarray, *, decided: np.ndarray) -> np.ndarray:
    """Return elapsed times in whole days: an event counts on the day it completes (1.5 days → day 2, so the share
    by day d is the share within d days), a censored lead on the last whole day it was seen undecided (→ day 1)."""
    days = elapsed / DAY
    return np.where(decided, np.ceil(days), np.floor(days))


# --- the estimator -------------------------------------------------------------------------------------------------


def incidence(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return, for per-day counts (..., days, 3) of censored / reached / lost, the cumulative incidence of reaching
    the target and of being lost by the end of each day (Aalen–Johansen) and the number at risk on each day."""
    total = counts.sum(axis=-1)
    at_risk = total.sum(axis=-1, keepdims=True) - np.cumsum(total, axis=-1) + total
    with np.errstate(invalid="ignore", divide="ignore"):
        reach = np.where(at_risk > 0, counts[..., REACHED] / at_risk, 0.0)
        lose = np.where(at_risk > 0, counts[..., LOST] / at_risk, 0.0)
    undecided = np.cumprod(1 - reach - lose, axis=-1)
    before = np.concatenate([np.ones_like(undecided[..., :1]), undecided[..., :-1]], axis=-1)
    return np.cumsum(before * reach, axis=-1), np.cumsum(before * lose, axis=-1), at_risk


def resampled(counts: np.ndarray, *, draws: int = BOOTSTRAP, seed: int = 0) -> np.ndarray:
    """Return `draws` bootstrap resamples of per-day counts (draws, days, 3): the Poisson bootstrap, each lead
    drawn a Poisson(1) number of times — the multinomial bootstrap's large-sample twin, and one vectorised draw over
    the days that have leads at any size."""
    flat = counts.reshape(-1).astype(float)
    nonzero = np.flatnonzero(flat)
    out = np.zeros((draws, flat.size))
    out[:, nonzero] = np.random.default_rng(seed).poisson(flat[nonzero], size=(draws, len(nonzero)))
    return out.reshape(draws, *counts.shape)


def median_day(cif: np.ndarray) -> np.ndarray:
    """Return the first day the cumulative incidence reaches half its final value (NaN where it stays at 0)."""
    final = cif[..., -1:]
    day = np.argmax(cif >= final / 2, axis=-1).astype(float)
    return np.where(final[..., 0] > 0, day, np.nan)


def _at(cif: np.ndarray, day: int) -> np.ndarray:
    return cif[..., day] if day < cif.shape[-1] else np.full(cif.shape[:-1], np.nan)


def _interval(values: np.ndarray) -> tuple[float, float]:
    values = values[~np.isnan(values)]
    if len(values) < 10:
        return np.nan, np.nan
    low, high = np.quantile(values, [0.025, 0.975])
    return float(low), float(high)


def summarise(counts: np.ndarray, *, seed: int = 0, draws: int = BOOTSTRAP, cause: int = REACHED) -> dict[str, float]:
    """Return leads, reached, lost and open, the median days to `cause` (REACHED or LOST) among those it happens to
    with its 95% CI, the share reaching the target within each of HORIZONS days and by the end of the follow-up
    with CIs (empty past the follow-up), and the follow-up in days."""
    won, lost, at_risk = incidence(counts)
    boot_won, boot_lost, _ = incidence(resampled(counts, draws=draws, seed=seed))
    chosen, boot = (won, boot_won) if cause == REACHED else (lost, boot_lost)
    follow_up = int(np.flatnonzero(at_risk > 0)[-1]) if (at_risk > 0).any() else 0
    row = {
        "leads": int(counts.sum()),
        "reached": int(counts[:, REACHED].sum()),
        "lost": int(counts[:, LOST].sum()),
        "open": int(counts[:, OPEN].sum()),
        "median_days": float(median_day(chosen)),
    }
    low, high = _interval(median_day(boot))
    row["median_days_ci_low"], row["median_days_ci_high"] = np.floor(low), np.ceil(high)  # whole days, rounded outwards
    for h in HORIZONS:
        inside = h <= follow_up
        row[f"within_{h}d_share"] = float(_at(won, h)) if inside else np.nan
        low, high = _interval(_at(boot_won, h)) if inside else (np.nan, np.nan)
        row[f"within_{h}d_ci_low"], row[f"within_{h}d_ci_high"] = low, high
    row["eventual_share"] = float(won[-1]) if len(won) else np.nan
    row["eventual_ci_low"], row["eventual_ci_high"] = _interval(boot_won[:, -1])
    row["follow_up_days"] = follow_up
    return row
