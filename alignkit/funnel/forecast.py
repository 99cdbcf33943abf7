"""What the open pipeline should bring: for each open lead or deal, the chance of winning within 30, 60 and 90 days
given its stage and how long it has been at it, from the history's cumulative incidence; expected wins and revenue
with a 95% interval.

The chance is a landmark estimate. For a stage and an age L (LANDMARKS: days at the stage), the history is every
lead that was still open at that stage L days after reaching it — not moved on, not won, not lost; its clock starts
there and runs to its win, its loss or the export date (censored), and the Aalen–Johansen cumulative incidence of
winning within h days is the chance for an open lead of that stage and age. A lead 40 days at a stage takes the
chance between the landmarks 30 and 45, in proportion; past the last landmark with at least MIN_AT_RISK leads in
its history, that landmark's chance.

The interval adds the spread of the outcomes (each open lead wins or not) to the uncertainty of the estimated
chances (a bootstrap of each landmark's history); revenue takes the lead's amount, else the mean amount of won
leads that passed its stage (the mean, as for the goal: expected revenue is a sum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignkit.funnel.timing import DAY, LOST, OPEN, REACHED, Outcomes, incidence, resampled
from alignkit.prepare.stage_paths import StagePaths

LANDMARKS = (0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365)
FORECAST_HORIZONS = (30, 60, 90)
MIN_AT_RISK = 30
CELL_DRAWS = 50
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Timeline:
    """Leads as known at one date: when each reached each stage (NaT = not reached, as far as is known then), its
    creation, win and loss dates (NaT = not yet), and the amount of its deal (NaN = none)."""

    stage_at: np.ndarray  # (leads, stages) datetime64
    created_at: np.ndarray
    won_at: np.ndarray
    lost_at: np.ndarray
    amount: np.ndarray
    converted: int  # index of the converted stage

    def known_at(self, cut: np.datetime64) -> Timeline:
        """Return the timeline as it stood at `cut`: later dates unknown, leads created later left out, and only
        the amounts of deals won by then (an export keeps the final amount of a deal won later, or 0 for one lost
        later: a forecast then would not have known it)."""
        keep = self.created_at <= cut

        def upto(at: np.ndarray) -> np.ndarray:
            return np.where(at <= cut, at, np.datetime64("NaT")).astype("datetime64[ns]")[keep]

        return Timeline(
            stage_at=np.where(self.stage_at <= cut, self.stage_at, np.datetime64("NaT"))[keep].astype("datetime64[ns]"),
            created_at=self.created_at[keep],
            won_at=upto(self.won_at),
            lost_at=upto(self.lost_at),
            amount=np.where(self.won_at <= cut, self.amount, np.nan)[keep],
            converted=self.converted,
        )

    def current(self) -> tuple[np.ndarray, np.ndarray]:
        """Return each lead's furthest stage known (-1 none) and when it reached it."""
        reached = ~np.isnat(self.stage_at)
        k = reached.shape[1]
        furthest = np.where(reached.any(axis=1), k - 1 - np.argmax(reached[:, ::-1], axis=1), -1)
        since = self.stage_at[np.arange(len(furthest)), np.clip(furthest, 0, None)]
        return furthest, np.where(furthest >= 0, since, np.datetime64("NaT")).astype("datetime64[ns]")


def timeline(leads: pd.DataFrame, paths: StagePaths, outcomes: Outcomes, *, converted_stage: str) -> Timeline:
    """Return the leads' timeline: each stage reached at its date (the first stage without one at creation; a
    skipped stage at the next dated stage's date; a stage reached with no later date at the date of the stage
    before), the win and loss dates, and the amount."""
    stage_at = paths.reached_at.copy()
    # the first stage without its own date was reached at creation, not on the date of a later stage
    stage_at[:, 0] = np.where(paths.has_date[:, 0], stage_at[:, 0], paths.created_at)
    j = paths.index(converted_stage)
    stage_at[:, j] = np.where(outcomes.won, outcomes.won_at, stage_at[:, j])  # a win without a stage date: closed
    for i in range(stage_at.shape[1]):
        before = paths.created_at if i == 0 else stage_at[:, i - 1]
        stage_at[:, i] = np.where(paths.reached[:, i] & np.isnat(stage_at[:, i]), before, stage_at[:, i])
    stage_at = np.where(paths.reached, stage_at, np.datetime64("NaT")).astype("datetime64[ns]")
    amount = (
        pd.to_numeric(leads["amount"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        if "amount" in leads
        else np.full(len(leads), np.nan)
    )
    return Timeline(
        stage_at=stage_at,
        created_at=paths.created_at,
        won_at=np.where(outcomes.won, outcomes.won_at, np.datetime64("NaT")).astype("datetime64[ns]"),
        lost_at=outcomes.lost_at,
        amount=amount,
        converted=paths.index(converted_stage),
    )


def _days_since(at: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Return days from `at` to `later`, infinite where `later` is NaT."""
    days = (later - at) / DAY
    return np.where(np.isnan(days), np.inf, days)


@dataclass(frozen=True)
class StageClock:
    """The leads that reached one stage by the fit's date, on the stage's clock (days since reaching it), sorted by
    how long they stayed open at the stage, longest first: each landmark's history is then a prefix."""

    stay: np.ndarray  # days open at the stage before moving on, winning or being lost (inf: still there)
    outcome: np.ndarray  # days to the win or the loss (inf: neither by the fit's date)
    event: np.ndarray  # REACHED (won), LOST or OPEN
    to_end: np.ndarray  # days to the fit's date

    @classmethod
    def of(cls, line: Timeline, stage: int, end: np.datetime64) -> StageClock:
        """Return the clock of `stage` as known at `end`."""
        at = line.stage_at[:, stage]
        has = ~np.isnat(at) & (at <= end)
        at = at[has]
        nxt = (
            line.stage_at[has, stage + 1]
            if stage + 1 < line.stage_at.shape[1]
            else np.full(len(at), np.datetime64("NaT"))
        )
        won, lost = line.won_at[has], line.lost_at[has]
        stay = _days_since(at, np.fmin(np.fmin(nxt, lost), won))  # fmin skips NaT
        event = np.select([~np.isnat(won) & (won <= end), ~np.isnat(lost) & (lost <= end)], [REACHED, LOST], OPEN)
        outcome = np.where(
            event == REACHED, _days_since(at, won), np.where(event == LOST, _days_since(at, lost), np.inf)
        )
        order = np.argsort(-stay, kind="stable")
        return cls(
            stay=stay[order],
            outcome=outcome[order],
            event=event[order].astype(np.int64),
            to_end=((end - at) / DAY)[order],
        )

    def counts(self, landmark: int, horizon: int) -> np.ndarray:
        """Return per-day counts (censored, won, lost) from the landmark of the leads still open at the stage
        `landmark` days after reaching it, up to `horizon` days: what happens later cannot change the chance within
        it, so a lead still undecided then counts as censored the day after."""
        prefix = int(np.searchsorted(-self.stay, -landmark, side="left"))  # stay > landmark
        seen = self.to_end[:prefix] >= landmark
        event = self.event[:prefix][seen]
        elapsed = np.where(event == OPEN, self.to_end[:prefix][seen], self.outcome[:prefix][seen]) - landmark
        days = np.clip(np.where(event == OPEN, np.floor(elapsed), np.ceil(elapsed)), 0, None).astype(np.int64)
        event = np.where(days > horizon, OPEN, event)
        days = np.minimum(days, horizon + 1)
        width = int(days.max()) + 1 if len(days) else 1
        return np.bincount(days * 3 + event, minlength=width * 3).reshape(width, 3)


@dataclass(frozen=True)
class LandmarkModel:
    """Per (stage, landmark): the leads in its history and the chance of winning within each horizon, with the
    bootstrap variance of that chance; per stage the mean amount of won leads that passed it (the mean: expected
    revenue is a sum)."""

    cells: pd.DataFrame  # stage, landmark, history, p_<h>, var_<h>
    stage_amount: np.ndarray  # (stages,) mean won amount of leads that reached the stage, NaN without amounts


def fit_landmarks(
    line: Timeline, *, as_of: pd.Timestamp, horizons: tuple[int, ...] = FORECAST_HORIZONS, seed: int = 0
) -> LandmarkModel:
    """Return the landmark model of `line` as known at `as_of` (see the module's docstring)."""
    end = np.datetime64(as_of, "ns")
    rows = []
    for stage in range(line.converted):
        clock = StageClock.of(line, stage, end)
        for landmark in LANDMARKS:
            counts = clock.counts(landmark, max(horizons))
            n = int(counts.sum())
            if n < MIN_AT_RISK and landmark > 0:
                break
            both = np.concatenate([counts[None].astype(float), resampled(counts, draws=CELL_DRAWS, seed=seed)])
            won, _, _ = incidence(both)
            last = won.shape[-1] - 1
            row: dict[str, float] = {"stage": stage, "landmark": landmark, "history": n}
            for h in horizons:
                day = min(h, last)  # past the follow-up: the share by its end (the history cannot say more)
                row[f"p_{h}"] = float(won[0, day]) if n else 0.0
                row[f"var_{h}"] = float(np.var(won[1:, day])) if n else 0.0
            rows.append(row)
    won = ~np.isnat(line.won_at) & ~np.isnan(line.amount) & (line.amount > 0)
    stage_amount = np.array(
        [
            np.mean(line.amount[won & ~np.isnat(line.stage_at[:, s])])
            if (won & ~np.isnat(line.stage_at[:, s])).any()
            else np.nan
            for s in range(line.stage_at.shape[1])
        ]
    )
    return LandmarkModel(cells=pd.DataFrame(rows), stage_amount=stage_amount)


def open_leads(line: Timeline) -> np.ndarray:
    """Return which leads are open: entered the funnel, not won, not lost."""
    furthest, _ = line.current()
    return (furthest >= 0) & (furthest < line.converted) & np.isnat(line.won_at) & np.isnat(line.lost_at)


def predict(
    line: Timeline, model: LandmarkModel, *, as_of: pd.Timestamp, horizons: tuple[int, ...] = FORECAST_HORIZONS
) -> pd.DataFrame:
    """Return one row per open lead: its stage, days at it, the landmark used, the chance of winning within each
    horizon and the amount it would bring (its own, else its stage's mean won amount)."""
    end = np.datetime64(as_of, "ns")
    furthest, since = line.current()
    is_open = open_leads(line)
    age = np.clip(np.floor((end - since[is_open]) / DAY), 0, None).astype(np.int64)
    stage = furthest[is_open]
    cells = model.cells
    out = pd.DataFrame({"row": np.flatnonzero(is_open), "stage": stage, "days_at_stage": age})
    out["landmark"] = 0
    for h in horizons:
        out[f"p_{h}"], out[f"var_{h}"] = 0.0, 0.0
    for s in np.unique(stage):
        mine = cells[cells["stage"] == s].sort_values("landmark")
        if not len(mine):
            continue
        here = stage == s
        marks = mine["landmark"].to_numpy()
        out.loc[here, "landmark"] = marks[np.clip(np.searchsorted(marks, age[here], side="right") - 1, 0, None)]
        for h in horizons:
            # between two landmarks the chance moves linearly with the days at the stage, past the last it stays
            out.loc[here, f"p_{h}"] = np.interp(age[here], marks, mine[f"p_{h}"].to_numpy())
            out.loc[here, f"var_{h}"] = np.interp(age[here], marks, mine[f"var_{h}"].to_numpy())
    own = line.amount[out["row"].to_numpy()]
    out["amount"] = np.where(~np.isnan(own) & (own > 0), own, model.stage_amount[out["stage"].to_numpy()])
    out["own_amount"] = ~np.isnan(own) & (own > 0)
    return out


def expected_totals(predicted: pd.DataFrame, horizon: int) -> dict[str, float]:
    """Return expected wins and revenue within `horizon` days with 95% intervals: the outcomes' spread plus the
    estimated chances' uncertainty (leads of one landmark share their chance's error)."""
    p = np.clip(predicted[f"p_{horizon}"].to_numpy(float), 0.0, 1.0)  # rounding can leave 1 + 1e-16
    var = predicted[f"var_{horizon}"].to_numpy(float)
    amount = predicted["amount"].to_numpy(float)
    cell = predicted["stage"].astype(np.int64) * 1000 + predicted["landmark"].astype(np.int64)
    out: dict[str, float] = {"open": len(predicted)}
    for name, weight in (("wins", np.ones(len(p))), ("revenue", np.nan_to_num(amount))):
        mean = float((weight * p).sum())
        grouped = (
            pd.DataFrame({"cell": cell, "w": weight, "var": var})
            .groupby("cell")
            .agg(w=("w", "sum"), var=("var", "first"))
        )
        spread = max(0.0, float((weight**2 * p * (1 - p)).sum() + (grouped["w"] ** 2 * grouped["var"]).sum()))
        out[name] = mean
        out[f"{name}_low"] = max(0.0, mean - Z95 * np.sqrt(spread))
        out[f"{name}_high"] = mean + Z95 * np.sqrt(spread)
    if np.isnan(amount).all():
        out.update(revenue=np.nan, revenue_low=np.nan, revenue_high=np.nan)
    return out
