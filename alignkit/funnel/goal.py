"""The reverse funnel: how many MQLs a month marketing must deliver for sales to reach its goal.

MQLs needed a month = revenue goal / (MQL → won rate × mean won amount), or customers goal / MQL → won rate. The
rate is the cumulative incidence of winning from the MQL date (open MQLs censored) at the end of the follow-up
(the last day at least MIN_AT_RISK MQLs were still undecided); the mean, not the median, won amount, because a
month's revenue is a sum, and a sum grows with the mean. Both uncertainties are propagated by one bootstrap over
MQLs and won deals. MQLs delivered in a month pay off later: the median time to win says how much later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignkit.funnel.timing import CREATION, Durations, incidence, median_day, resampled

GOAL_DRAWS = 1000
MIN_AT_RISK = 30
MIN_WINS = 10  # fewer wins than this: no rate to build a need on
RECENT_MONTHS = 6


@dataclass(frozen=True, repr=False)
class Goal:
    """The MQLs needed a month for the goal, with what they rest on, set against the MQLs delivered."""

    kind: str  # "revenue" or "customers"
    goal: float
    entry: str  # the stage counted as delivered (the MQL stage, or the first)
    win_rate: float
    win_rate_ci: tuple[float, float]
    mean_amount: float  # NaN for a customers goal
    mean_amount_ci: tuple[float, float]
    needed: float
    needed_ci: tuple[float, float]
    median_days_to_win: float
    delivered: pd.DataFrame  # month, delivered: the last RECENT_MONTHS full months
    agreed: int  # sla.mqls_per_month (0 = none agreed)
    reason: str = ""  # why the need cannot be measured ("" when it is)

    @property
    def last_delivered(self) -> int | None:
        """Return the MQLs delivered in the last full month (None without one)."""
        return int(self.delivered["delivered"].iloc[-1]) if len(self.delivered) else None

    @property
    def agreed_is_enough(self) -> str:
        """Return 'yes' when the agreed number reaches the interval's top, 'no' below its bottom, 'maybe' inside it,
        '' when no number is agreed or the need is not measured."""
        if not self.agreed or self.reason:
            return ""
        low, high = self.needed_ci
        return "yes" if self.agreed >= high else "no" if self.agreed < low else "maybe"

    def table(self) -> pd.DataFrame:
        """Return the need and what it rests on in one row: the goal, the win rate and (for revenue) the mean won
        amount with their CIs, the leads needed a month with its CI, the median days to win, the agreed and the
        last month's delivered numbers."""
        row: dict[str, object] = {
            "entry": self.entry,
            "goal_per_month": self.goal,
            "win_rate": self.win_rate,
            "win_rate_ci_low": self.win_rate_ci[0],
            "win_rate_ci_high": self.win_rate_ci[1],
        }
        if self.kind == "revenue":
            row.update(
                mean_won_amount=self.mean_amount,
                mean_won_amount_ci_low=self.mean_amount_ci[0],
                mean_won_amount_ci_high=self.mean_amount_ci[1],
            )
        row.update(
            needed_per_month=self.needed,
            needed_per_month_ci_low=self.needed_ci[0],
            needed_per_month_ci_high=self.needed_ci[1],
            median_days_to_win=self.median_days_to_win,
            agreed_per_month=self.agreed or np.nan,
            delivered_last_month=self.last_delivered,
        )
        return pd.DataFrame([row])

    def __repr__(self) -> str:
        if self.reason:
            return f"Goal(not measured: {self.reason})"
        return f"Goal({self.needed:,.0f} {self.entry}s a month, CI {self.needed_ci[0]:,.0f}–{self.needed_ci[1]:,.0f})"


def delivered_by_month(entered_at: np.ndarray, *, as_of: pd.Timestamp, months: int = RECENT_MONTHS) -> pd.DataFrame:
    """Return the leads entering at the entry stage in each of the last `months` full months before `as_of`."""
    at = pd.Series(entered_at[~np.isnat(entered_at)])
    month = at.dt.to_period("M")
    current = pd.Timestamp(as_of).to_period("M")
    full = month[month < current]
    counts = full.value_counts().sort_index()
    if not len(counts):
        return pd.DataFrame({"month": pd.Series(dtype="str"), "delivered": pd.Series(dtype="int64")})
    # up to the month before the export's, or the last month the export has any entries in (the entry dates of
    # some exports stop before their close dates do: those later months are not deliveries of zero)
    span = pd.period_range(counts.index.min(), min(current - 1, counts.index.max()), freq="M")[-months:]
    counts = counts.reindex(span, fill_value=0)
    return pd.DataFrame({"month": counts.index.astype(str), "delivered": counts.to_numpy().astype(np.int64)})


def _rate_day(at_risk: np.ndarray) -> int:
    enough = np.flatnonzero(at_risk >= MIN_AT_RISK)
    return int(enough[-1]) if len(enough) else max(len(at_risk) - 1, 0)


def mqls_needed(
    to_won: Durations,
    won_amounts: np.ndarray,
    entered_at: np.ndarray,
    *,
    as_of: pd.Timestamp,
    revenue_goal: float | None,
    customers_goal: float | None,
    agreed: int = 0,
    seed: int = 0,
) -> Goal | None:
    """Return the MQLs (leads at the entry stage) needed a month for the revenue goal (with won amounts) or the
    customers goal, with a 95% bootstrap interval; None when the project sets no goal."""
    if not revenue_goal and not customers_goal:
        return None
    amounts = np.asarray(won_amounts, dtype=float)
    amounts = amounts[~np.isnan(amounts) & (amounts > 0)]
    kind = "revenue" if revenue_goal and len(amounts) else "customers"
    entry = "new lead" if to_won.entry == CREATION else to_won.entry
    goal = float((revenue_goal if kind == "revenue" else customers_goal) or 0)
    delivered = delivered_by_month(entered_at, as_of=as_of)
    counts = to_won.counts()
    won, _, at_risk = incidence(counts)
    day = _rate_day(at_risk)
    empty = (np.nan, np.nan)
    reason = ""
    if not counts[:, 1].sum():
        reason = f"no {entry} has been won yet"
    elif counts[:, 1].sum() < MIN_WINS:
        n = int(counts[:, 1].sum())
        reason = f"only {n} {entry}{'s have' if n != 1 else ' has'} been won, too few to measure the rate"
    elif kind == "customers" and not customers_goal:
        reason = "the revenue goal needs won amounts (`amount`), and the leads have none; set sla.customers_per_month"
    if reason:
        return Goal(kind, goal, entry, np.nan, empty, np.nan, empty, np.nan, empty, np.nan, delivered, agreed, reason)
    rng = np.random.default_rng(seed)
    boot_won, _, _ = incidence(resampled(counts, draws=GOAL_DRAWS, seed=seed))
    rate, rates = float(won[day]), boot_won[:, day]
    if kind == "revenue":
        mean = float(amounts.mean())
        means = (
            rng.choice(amounts, size=(GOAL_DRAWS, len(amounts)), replace=True).mean(axis=1)
            if len(amounts) < 20_000
            else rng.normal(mean, amounts.std(ddof=1) / np.sqrt(len(amounts)), GOAL_DRAWS)
        )
    else:
        mean, means = np.nan, np.ones(GOAL_DRAWS)
    per_lead = rates * (means if kind == "revenue" else 1.0)
    with np.errstate(divide="ignore"):
        needs = np.where(per_lead > 0, goal / per_lead, np.inf)
    needed = goal / (rate * (mean if kind == "revenue" else 1.0))
    return Goal(
        kind=kind,
        goal=goal,
        entry=entry,
        win_rate=rate,
        win_rate_ci=_ci(rates),
        mean_amount=mean,
        mean_amount_ci=_ci(means) if kind == "revenue" else empty,
        needed=needed,
        needed_ci=_ci(needs),
        median_days_to_win=float(median_day(won)),
        delivered=delivered,
        agreed=agreed,
    )


def _ci(values: np.ndarray) -> tuple[float, float]:
    low, high = np.quantile(values, [0.025, 0.975])
    return float(low), float(high)
