"""Is the open pipeline's forecast any good? At past month ends, rebuild what was known and open then, forecast the
wins of the next BACKTEST_HORIZON days, and compare with what happened — beside the usual baseline, the weighted
pipeline: each open lead's stage's historical win rate among closed leads (times its amount, for revenue).

Reported: per cut-off the forecast, its 95% interval, the weighted pipeline and the actual wins (and revenue); over
all cut-offs each method's error (the sum of absolute misses over the sum of actual wins), whether the interval held
the actual figure, and the calibration of the lead-level chances (predicted against observed share by band of
predicted chance, and the Brier score).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from alignkit.funnel.forecast import FORECAST_HORIZONS, Timeline, expected_totals, fit_landmarks, open_leads, predict
from alignkit.stats import wilson_intervals

BACKTEST_HORIZON = 90
MAX_CUTOFFS = 12
MIN_HISTORY_DAYS = 180  # a cut-off needs this much history before it (and the horizon after it)
MIN_CUTOFFS = 3
MIN_BACKTEST_WINS = 20  # fewer wins in all the backtest's windows say nothing about its error
MAX_BACKTEST_LEADS = 300_000  # larger histories are backtested on a random sample of leads (the same at every cut-off)
CALIBRATION_BANDS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)


@dataclass(frozen=True, repr=False)
class Backtest:
    """The backtest's cut-offs (`by_cutoff`), its summary per method (`summary`) and the calibration by band of
    predicted chance (`calibration`); `reason` says why there is none when the history is too short."""

    by_cutoff: pd.DataFrame
    summary: pd.DataFrame
    calibration: pd.DataFrame
    horizon: int = BACKTEST_HORIZON
    sampled: int = 0  # leads backtested when the history was sampled (0 = all of them)
    reason: str = ""

    def error(self, method: str) -> float:
        """Return a method's error ('forecast' or 'weighted pipeline'): absolute misses over actual wins."""
        row = self.summary.loc[self.summary["method"] == method]
        return float(row["wins_error"].iloc[0]) if len(row) else np.nan

    def __repr__(self) -> str:
        if self.reason:
            return f"Backtest(none: {self.reason})"
        return (
            f"Backtest({len(self.by_cutoff)} cut-offs, error {self.error('forecast'):.0%} against "
            f"{self.error('weighted pipeline'):.0%} for the weighted pipeline)"
        )


def stage_win_rates(line: Timeline, *, as_of: pd.Timestamp, maturity_days: int | None) -> np.ndarray:
    """Return each stage's historical win rate as a sales team computes it: of the leads that reached the stage and
    are decided, the share won (NaN with none). Decided = won or lost, or — judged by maturity (`maturity_days`
    set, funnel.judge: maturity) — created at least `maturity_days` before `as_of`."""
    won = ~np.isnat(line.won_at)
    closed = won | ~np.isnat(line.lost_at)
    if maturity_days is not None:
        closed = closed | (line.created_at <= np.datetime64(as_of - pd.Timedelta(days=maturity_days), "ns"))
    reached = ~np.isnat(line.stage_at)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (reached & won[:, None]).sum(axis=0) / (reached & closed[:, None]).sum(axis=0)


def cutoffs(line: Timeline, *, as_of: pd.Timestamp, horizon: int = BACKTEST_HORIZON) -> list[pd.Timestamp]:
    """Return the month ends to backtest at: at least MIN_HISTORY_DAYS after the first lead and `horizon` days
    before `as_of`, the latest MAX_CUTOFFS of them."""
    created = line.created_at[~np.isnat(line.created_at)]
    if not len(created):
        return []
    first = pd.Timestamp(created.min()) + pd.Timedelta(days=MIN_HISTORY_DAYS)
    last = pd.Timestamp(as_of) - pd.Timedelta(days=horizon)
    if first > last:
        return []
    ends = pd.date_range(first, last, freq="ME")
    return [pd.Timestamp(e) + pd.Timedelta(hours=23, minutes=59, seconds=59) for e in ends[-MAX_CUTOFFS:]]


def too_short(line: Timeline, *, as_of: pd.Timestamp, horizon: int) -> str:
    """Return why the history cannot be backtested, in words ('' when it can)."""
    created = line.created_at[~np.isnat(line.created_at)]
    span = (pd.Timestamp(as_of) - pd.Timestamp(created.min())).days if len(created) else 0
    if len(cutoffs(line, as_of=as_of, horizon=horizon)) >= MIN_CUTOFFS:
        return ""
    return (
        f"the history covers {span} days; a backtest needs {MIN_HISTORY_DAYS} days before a cut-off and "
        f"{horizon} after it, at {MIN_CUTOFFS} month ends at least ({MIN_HISTORY_DAYS + horizon + 60} days)"
    )


def backtest(
    line: Timeline, *, as_of: pd.Timestamp, maturity_days: int | None, horizon: int = BACKTEST_HORIZON, seed: int = 0
) -> Backtest:
    """Return the backtest of the landmark forecast against the weighted pipeline (`stage_win_rates`, decided by
    `maturity_days` or by closing) at past month ends."""
    reason = too_short(line, as_of=as_of, horizon=horizon)
    if reason:
        return Backtest(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), horizon=horizon, reason=reason)
    sampled = 0
    if len(line.created_at) > MAX_BACKTEST_LEADS:
        keep = np.sort(np.random.default_rng(seed).choice(len(line.created_at), MAX_BACKTEST_LEADS, replace=False))
        line = Timeline(
            line.stage_at[keep],
            line.created_at[keep],
            line.won_at[keep],
            line.lost_at[keep],
            line.amount[keep],
            line.converted,
        )
        sampled = MAX_BACKTEST_LEADS
    rows, leads = [], []
    for cut in cutoffs(line, as_of=as_of, horizon=horizon):
        cut64 = np.datetime64(cut, "ns")
        then = line.known_at(cut64)
        model = fit_landmarks(then, as_of=cut, horizons=(horizon,), seed=seed)
        predicted = predict(then, model, as_of=cut, horizons=(horizon,))
        if not len(predicted):
            continue
        rates = np.nan_to_num(stage_win_rates(then, as_of=cut, maturity_days=maturity_days))
        weighted = rates[predicted["stage"].to_numpy()]
        rows_then = np.flatnonzero(line.created_at <= cut64)[predicted["row"].to_numpy()]
        won_at = line.won_at[rows_then]
        actual = (won_at > cut64) & (won_at <= cut64 + np.timedelta64(horizon, "D"))
        amount = np.nan_to_num(predicted["amount"].to_numpy(float))  # as known at the cut-off
        final = np.nan_to_num(line.amount[rows_then])  # what the deals that won did bring
        totals = expected_totals(predicted, horizon)
        rows.append(
            {
                "cutoff": cut.date(),
                "open": len(predicted),
                "forecast_wins": totals["wins"],
                "forecast_low": totals["wins_low"],
                "forecast_high": totals["wins_high"],
                "weighted_pipeline_wins": float(weighted.sum()),
                "actual_wins": int(actual.sum()),
                "forecast_revenue": totals["revenue"],
                "weighted_pipeline_revenue": float((weighted * amount).sum()),
                "actual_revenue": float((actual * final).sum()),
            }
        )
        leads.append(
            pd.DataFrame(
                {"forecast": predicted[f"p_{horizon}"].to_numpy(float), "weighted pipeline": weighted, "won": actual}
            )
        )
    if len(rows) < MIN_CUTOFFS:
        return Backtest(
            pd.DataFrame(rows),
            pd.DataFrame(),
            pd.DataFrame(),
            horizon=horizon,
            sampled=sampled,
            reason=f"only {len(rows)} past month ends had open leads to forecast",
        )
    by_cutoff = pd.DataFrame(rows)
    if by_cutoff["actual_wins"].sum() < MIN_BACKTEST_WINS:
        return Backtest(
            by_cutoff,
            pd.DataFrame(),
            pd.DataFrame(),
            horizon=horizon,
            sampled=sampled,
            reason=f"only {int(by_cutoff['actual_wins'].sum())} wins came in the {horizon} days after the "
            f"{len(rows)} past month ends, too few to judge a forecast",
        )
    pooled = pd.concat(leads, ignore_index=True)
    return Backtest(by_cutoff, summary(by_cutoff, pooled), calibration(pooled), horizon=horizon, sampled=sampled)


def summary(by_cutoff: pd.DataFrame, pooled: pd.DataFrame) -> pd.DataFrame:
    """Return per method its error on wins and revenue (sum of absolute misses over the sum of actuals), mean
    signed bias, the share of cut-offs whose actual wins fell inside the 95% interval (the forecast only), and the
    Brier score of its lead-level chances."""
    rows = []
    actual, revenue = by_cutoff["actual_wins"], by_cutoff["actual_revenue"]
    has_revenue = by_cutoff["forecast_revenue"].notna().all() and revenue.sum() > 0
    for method, wins, money in (
        ("forecast", "forecast_wins", "forecast_revenue"),
        ("weighted pipeline", "weighted_pipeline_wins", "weighted_pipeline_revenue"),
    ):
        miss = by_cutoff[wins] - actual
        row = {
            "method": method,
            "cutoffs": len(by_cutoff),
            "wins_error": miss.abs().sum() / max(actual.sum(), 1),
            "wins_bias": miss.sum() / max(actual.sum(), 1),
            "revenue_error": ((by_cutoff[money] - revenue).abs().sum() / revenue.sum()) if has_revenue else np.nan,
            "brier": float(((pooled[method] - pooled["won"]) ** 2).mean()),
        }
        row["interval_held"] = (
            float(((actual >= by_cutoff["forecast_low"]) & (actual <= by_cutoff["forecast_high"])).mean())
            if method == "forecast"
            else np.nan
        )
        rows.append(row)
    return pd.DataFrame(rows)


def calibration(pooled: pd.DataFrame) -> pd.DataFrame:
    """Return, per method and band of predicted chance, the lead forecasts in it, their mean predicted chance and
    the share that did win within the horizon with its 95% Wilson CI."""
    rows = []
    for method in ("forecast", "weighted pipeline"):
        labels = [f"{low:.0%}–{high:.0%}" for low, high in pairwise(CALIBRATION_BANDS)]
        band = pd.cut(pooled[method], CALIBRATION_BANDS, labels=labels, include_lowest=True)
        grouped = pooled.groupby(band, observed=True).agg(
            leads=("won", "size"), predicted=(method, "mean"), won=("won", "sum")
        )
        for label, r in grouped.iterrows():
            rows.append(
                {
                    "method": method,
                    "band": str(label),
                    "lead_forecasts": int(r["leads"]),
                    "predicted": float(r["predicted"]),
                    "observed": r["won"] / r["leads"],
                    "won": int(r["won"]),
                }
            )
    out = pd.DataFrame(rows)
    if len(out):
        out["observed_ci_low"], out["observed_ci_high"] = wilson_intervals(out["won"], out["lead_forecasts"])
    return out


__all__ = [
    "BACKTEST_HORIZON",
    "FORECAST_HORIZONS",
    "Backtest",
    "backtest",
    "calibration",
    "cutoffs",
    "open_leads",
    "stage_win_rates",
]
