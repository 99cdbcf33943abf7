"""The funnel's time dimension in one place for notebook 02: how long leads take (`alignkit.funnel.time_to_convert`),
what the open pipeline should bring with its backtest (`alignkit.funnel.forecast`, `alignkit.funnel.backtest`) and
the MQLs the goal needs (`alignkit.funnel.goal`), with their lines for the headline in plain words."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignkit.config import ProjectSettings
from alignkit.funnel.backtest import Backtest, backtest
from alignkit.funnel.forecast import FORECAST_HORIZONS, expected_totals, fit_landmarks, predict, timeline
from alignkit.funnel.goal import Goal, mqls_needed
from alignkit.funnel.time_to_convert import TimeToConvert, cohort_incidence, time_to_convert
from alignkit.funnel.timing import CREATION, entry_times
from alignkit.prepare.stage_paths import StagePaths
from alignkit.report.findings import finding

MIN_WINS_TO_TIME = 10  # fewer wins than this: too few to say how long winning takes


@dataclass(frozen=True, repr=False)
class PipelineForecast:
    """What the open leads should bring within 30, 60 and 90 days (`totals`), by stage (`by_stage`), and how such
    forecasts did on the past (`backtest`)."""

    totals: pd.DataFrame
    by_stage: pd.DataFrame
    backtest: Backtest
    has_amounts: bool
    median_days_open: float = np.nan  # the open leads' median days at their stage

    def within(self, horizon: int) -> pd.Series:
        """Return the totals row of a horizon in days."""
        return self.totals.loc[self.totals["horizon_days"] == horizon].iloc[0]

    def __repr__(self) -> str:
        row = self.within(max(FORECAST_HORIZONS))
        return (
            f"PipelineForecast({int(row['open']):,} open leads: {row['wins']:,.0f} wins within "
            f"{int(row['horizon_days'])} days; {self.backtest!r})"
        )


def forecast_pipeline(
    leads: pd.DataFrame,
    paths: StagePaths,
    timing: TimeToConvert,
    *,
    as_of: pd.Timestamp,
    maturity_days: int | None,
    seed: int = 0,
) -> PipelineForecast:
    """Return the open pipeline's forecast as of `as_of` and its backtest at past month ends (`maturity_days`
    decides which old leads count as not won in the weighted pipeline's stage rates; None = closed leads only)."""
    line = timeline(leads, paths, timing.outcomes, converted_stage=timing.converted_stage)
    model = fit_landmarks(line, as_of=as_of, seed=seed)
    predicted = predict(line, model, as_of=as_of)
    totals = pd.DataFrame([{"horizon_days": h, **expected_totals(predicted, h)} for h in FORECAST_HORIZONS])
    names = np.array(paths.names, dtype=object)
    h = max(FORECAST_HORIZONS)
    by_stage = (
        predicted.assign(
            stage=names[predicted["stage"].to_numpy()] if len(predicted) else [],
            revenue=predicted[f"p_{h}"] * predicted["amount"].fillna(0),
        )
        .groupby("stage", sort=False)
        .agg(
            open=("row", "size"),
            median_days_at_stage=("days_at_stage", "median"),
            wins_within_90d=(f"p_{h}", "sum"),
            revenue_within_90d=("revenue", "sum"),
            with_own_amount=("own_amount", "sum"),
        )
        .reindex([n for n in paths.names if n in set(names[predicted["stage"].to_numpy()])])
        .reset_index()
    )
    has_amounts = bool(np.isfinite(line.amount).any())
    if not has_amounts:
        by_stage = by_stage.drop(columns=["revenue_within_90d", "with_own_amount"])
    return PipelineForecast(
        totals=totals,
        by_stage=by_stage,
        has_amounts=has_amounts,
        median_days_open=float(predicted["days_at_stage"].median()) if len(predicted) else np.nan,
        backtest=backtest(line, as_of=as_of, maturity_days=maturity_days, seed=seed),
    )


@dataclass(frozen=True, repr=False)
class TimeDimension:
    """How long leads take, the open pipeline's forecast, the MQLs the goal needs, the cohorts' timed conversion."""

    timing: TimeToConvert
    forecast: PipelineForecast
    goal: Goal | None
    cohorts: pd.DataFrame

    def __repr__(self) -> str:
        return f"TimeDimension({self.timing!r}, {self.forecast!r}, {self.goal!r})"


def time_dimension(
    leads: pd.DataFrame, paths: StagePaths, settings: ProjectSettings, *, as_of: pd.Timestamp, breakdowns: list[str]
) -> TimeDimension | None:
    """Return the funnel's time dimension as of `as_of`: time to convert (by the `breakdowns` columns), the open
    pipeline's forecast with its backtest, the MQLs the project's goal needs, and the cohorts' timed conversion;
    None when no lead has a date to count from (a lead list without dates)."""
    funnel, seed = settings.need_funnel(), settings.seed
    if not (~np.isnat(paths.created_at)).any() and not paths.has_date.any():
        return None
    timing = time_to_convert(
        leads,
        paths,
        mql_stage=funnel.mql_stage,
        converted_stage=funnel.converted_stage,
        as_of=as_of,
        by={c: leads[c] for c in breakdowns},
        min_group_size=settings.privacy.min_group_size,
        fdr=funnel.friction_fdr,
        seed=seed,
    )
    forecast = forecast_pipeline(
        leads,
        paths,
        timing,
        as_of=as_of,
        seed=seed,
        maturity_days=None if funnel.judge == "closed" else funnel.cohort_maturity_days,
    )
    won = timing.to_won.rows & timing.outcomes.won
    amounts = (
        pd.to_numeric(leads["amount"], errors="coerce").astype("float64").to_numpy(na_value=np.nan)[won]
        if "amount" in leads
        else np.array([])
    )
    goal = mqls_needed(
        timing.to_won,
        amounts,
        entry_times(paths, timing.entry),
        as_of=as_of,
        revenue_goal=settings.sla.revenue_goal_per_month,
        customers_goal=settings.sla.customers_per_month,
        agreed=settings.sla.mqls_per_month,
        seed=seed,
    )
    cohorts = cohort_incidence(paths, timing.outcomes, converted_stage=funnel.converted_stage, as_of=as_of, seed=seed)
    return TimeDimension(timing=timing, forecast=forecast, goal=goal, cohorts=cohorts)


def money(value: float) -> str:
    """Return an amount in short words: 1.2M, 310k, 950."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:,.1f}{suffix}".replace(".0" + suffix, suffix)
    return f"{value:,.0f}"


def time_lines(timing: TimeToConvert) -> list[str]:
    """Return the headline on time to win: the median days with CI and the share won within 90 days."""
    row = timing.stages.iloc[-1] if len(timing.stages) else None
    if row is None or not row["reached"] or np.isnan(row["median_days"]):
        return []
    if row["reached"] < MIN_WINS_TO_TIME:
        n = int(row["reached"])
        return [
            f"Only {n} lead{'s' if n != 1 else ''} reached {timing.converted_stage}: too few to say how long it takes."
        ]
    line = (
        f"Half of the won deals are won within {row['median_days']:.0f} days of {timing.entry} "
        f"(95% CI {row['median_days_ci_low']:.0f}–{row['median_days_ci_high']:.0f})"
    )
    who = "new leads" if timing.entry == CREATION else f"{timing.entry} leads"
    if not np.isnan(row["within_90d_share"]):
        line += (
            f"; {row['within_90d_share']:.0%} of {who} are won within 90 days "
            f"(CI {row['within_90d_ci_low']:.0%}–{row['within_90d_ci_high']:.0%}), open leads counted as "
            "still open"
        )
    return [line + "."]


def forecast_lines(forecast: PipelineForecast, timing: TimeToConvert) -> list[str]:
    """Return the headline on the open pipeline: expected wins (and revenue) within 90 days with intervals, and the
    backtest's error against the weighted pipeline's, or why there is no backtest."""
    row = forecast.within(max(FORECAST_HORIZONS))
    if not row["open"]:
        return []
    stale = row["wins"] < 0.5  # nothing to expect: say why
    if stale and not timing.stages["reached"].iloc[-1:].sum():
        return [
            f"The {int(row['open']):,} open leads cannot be forecast: no lead has reached "
            f"{timing.converted_stage} yet, so the history cannot say when one will."
        ]
    wins = "hardly any" if stale else f"{row['wins']:,.0f}"
    # a stage named for the win itself ("Won", "Closed Won") is not repeated: "hardly any Won wins" read badly
    what = (
        "wins"
        if re.search(r"\bwon\b", str(timing.converted_stage), re.IGNORECASE)
        else f"{timing.converted_stage} wins"
    )
    line = (
        f"The {int(row['open']):,} open leads should bring {wins} {what} "
        f"(95% interval {row['wins_low']:,.0f}–{row['wins_high']:,.0f})"
    )
    if forecast.has_amounts and np.isfinite(row["revenue"]) and not stale:
        line += f" and {money(row['revenue'])} (interval {money(row['revenue_low'])}–{money(row['revenue_high'])})"
    line += f" in the next {int(row['horizon_days'])} days"
    if stale and forecast.median_days_open > timing.stages["median_days"].iloc[-1]:
        line += (
            f": they have been at their stage for {forecast.median_days_open:,.0f} days at the median, past the "
            "time wins come in"
        )
    test = forecast.backtest
    if test.reason:
        line += f"; not backtested: {test.reason}."
    else:
        line += (
            f"; backtested at {len(test.by_cutoff)} past month ends, the forecast missed by "
            f"{test.error('forecast'):.0%} against {test.error('weighted pipeline'):.0%} for the weighted "
            "pipeline"
        )
        held = test.summary.set_index("method").loc["forecast", "interval_held"]
        if held < 0.8:  # an interval that failed the past is not to be trusted now
            line += (
                f", but its 95% interval held the actual wins at only {round(held * len(test.by_cutoff))} of "
                f"{len(test.by_cutoff)} month ends: read it as too narrow"
            )
        line += "."
    return [line]


def goal_lines(goal: Goal | None) -> list[str]:
    """Return the headline on the reverse funnel: the MQLs needed a month with CI, the last month's delivery, and
    whether the agreed number is enough."""
    if goal is None:
        return []
    target = (
        f"{money(goal.goal)} a month"
        if goal.kind == "revenue"
        else f"{goal.goal:,.0f} new customers a month"
        if goal.goal
        else "the revenue goal"
    )
    if goal.reason:
        return [f"The {goal.entry}s needed for {target} cannot be derived: {goal.reason}."]
    low, high = goal.needed_ci
    interval = (
        f"95% CI {low:,.0f}–{high:,.0f}" if np.isfinite(low) and np.isfinite(high) else "too few wins for an interval"
    )
    line = f"To reach {target}, marketing must deliver about {goal.needed:,.0f} {goal.entry}s a month ({interval})"
    if goal.last_delivered is not None:
        line += f"; it delivered {goal.last_delivered:,} in {goal.delivered['month'].iloc[-1]}"
    verdict = {
        "yes": "is enough",
        "no": "is not enough",
        "maybe": "is inside the interval: enough only on the optimistic side",
    }.get(goal.agreed_is_enough)
    if verdict:
        line += f". The agreed {goal.agreed:,} a month {verdict}"
    step = {
        "no": "both teams raise the agreed MQL volume (sla.mqls_per_month) to the need, or revise the goal.",
        "maybe": "both teams decide whether to plan for the upper end of the interval.",
        "": "both teams agree this number as the MQL volume of the SLA (sla.mqls_per_month).",
    }.get(goal.agreed_is_enough)
    return [finding(line + ".", step)]


def goal_table(goal: Goal | None) -> pd.DataFrame:
    """Return the goal's table (`Goal.table`), or one row saying how to set a goal when the project sets none."""
    if goal is None:
        return pd.DataFrame({"figure": ["No goal set: set sla.revenue_goal_per_month or sla.customers_per_month"]})
    if goal.reason:
        return pd.DataFrame({"figure": [f"Not derived: {goal.reason}"]})
    return goal.table()
