"""The time sections of notebook 02's report: how long leads take, what the open pipeline should bring (with its
backtest), and the MQLs the goal needs; and their figures. Groups under `privacy.min_group_size` are left out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from alignkit import plots
from alignkit.funnel.analysis import FunnelResult
from alignkit.funnel.backtest import CALIBRATION_BANDS, MAX_CUTOFFS, MIN_HISTORY_DAYS
from alignkit.funnel.forecast import LANDMARKS, MIN_AT_RISK
from alignkit.funnel.masks import mask_small_counts, private_groups, readable
from alignkit.funnel.outlook import TimeDimension, forecast_lines, goal_lines, time_lines
from alignkit.funnel.time_to_convert import GROUPS_PER_BREAKDOWN
from alignkit.funnel.timing import BOOTSTRAP
from alignkit.report.html import ReportFigure, ReportTable, Section

TIME_FIGURES = ("time_to_win", "backtest")


def plot_time(result: FunnelResult, name: str, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Return the Axes of a time figure ('time_to_win' or 'backtest'), drawn as in the report."""
    time = result.time
    if time is None:
        raise ValueError("this funnel result has no time dimension")
    if name == "time_to_win":
        timing = time.timing
        return plots.plot_time_to_win(
            timing.curves, entry=timing.entry, target=timing.converted_stage, breakdown=timing.curve_breakdown, ax=ax
        )
    if name == "backtest":
        test = time.forecast.backtest
        shown = mask_small_counts(test.by_cutoff, ["actual_wins"], result.min_group_size).astype({"actual_wins": float})
        return plots.plot_forecast_backtest(shown, horizon=test.horizon, ax=ax)
    raise ValueError(f"unknown time figure {name!r}; they are {', '.join(TIME_FIGURES)}")


def time_sections(result: FunnelResult) -> list[Section]:
    """Return the report's time sections: time to convert, the open pipeline's forecast, the MQLs the goal needs."""
    if result.time is None:
        return [
            Section(
                "time",
                "How long leads take",
                [
                    "Not measured: no lead in the export has a date of creation or of reaching a stage, so times to "
                    "convert, the open pipeline's forecast and the MQLs a goal needs cannot be counted. Map a "
                    "created date (crm.contacts.columns: {created_at: ...}) or the stage dates to measure them."
                ],
            )
        ]
    return [
        _time_section(result, result.time),
        _forecast_section(result, result.time),
        _goal_section(result, result.time),
    ]


def _time_section(result: FunnelResult, time: TimeDimension) -> Section:
    timing, k = time.timing, result.min_group_size
    entry, won = timing.entry, timing.converted_stage
    paragraphs = [
        f"Days are counted from the date a lead reached {entry} to the date it reached each later stage, up to "
        f"{won}. A lead still open at the export date is counted as open (censored): never as lost and never left "
        "out. With won and lost as competing outcomes, the share reaching a stage within a number of days is the "
        "Aalen–Johansen cumulative incidence; the median days to win is the day by which half of the eventual wins "
        f"had happened. 95% confidence intervals come from {BOOTSTRAP} bootstrap resamples of the leads; a share is "
        "left empty past the longest follow-up.",
        *time_lines(timing),
    ]
    lost = int(timing.outcomes.lost.sum())
    if lost > timing.outcomes.lost_dated:
        paragraphs.append(
            f"{timing.outcomes.lost_dated:,} of the {lost:,} lost leads carry the date they closed; the "
            "others are counted as lost on the day of their last recorded move."
        )
    missing = int(timing.stages["no_entry_date"].iloc[0]) if len(timing.stages) else 0
    if missing:
        paragraphs.append(
            f"{missing:,} leads at or past {entry} have no date for it in the export: they cannot be "
            "timed, so the times, the forecast and the MQLs needed leave them out (the funnel above "
            "counts them)."
        )
    cycle = timing.cycle.set_index("outcome")
    if len(cycle) and cycle.loc["won", "deals"] >= k and np.isfinite(cycle.loc["won", "median_days"]):
        naive, honest = cycle.loc["won", "closed_only_median_days"], cycle.loc["won", "median_days"]
        if naive < honest:
            paragraphs.append(
                f"Counting closed deals only would say {naive:.0f} days: too short, because young "
                "leads that will win late are still open."
            )
    items: list = []
    if len(timing.curves):
        items.append(
            ReportFigure.from_axes(
                plot_time(result, "time_to_win"),
                alt=(
                    f"Rising lines of the share of {entry} leads reaching {won} by days since {entry}, for all leads "
                    "and the largest groups, with shaded 95% bands."
                ),
            )
        )
    items += [
        ReportTable(
            "time_to_convert",
            f"Days from {entry} to each later stage (open leads censored)",
            mask_small_counts(
                private_groups(timing.stages, "leads", k), ["reached", "lost", "open", "out_of_order", "no_date"], k
            ),
        ),
        ReportTable(
            "sales_cycle",
            f"Days from {entry} to the close of won and of lost leads",
            private_groups(timing.cycle, "deals", k),
            note="The closed-only median counts closed leads alone, as a CRM report does; shown to compare.",
        ),
        ReportTable(
            "time_by_group",
            f"Time to {won} by group: median days, the share won within 90 days against the "
            "rest, and the log-rank test",
            readable(timing.groups),
            max_rows=40,
            note=f"Groups with at least {k} leads, the {GROUPS_PER_BREAKDOWN} largest of each breakdown. The "
            "log-rank test compares the group's daily chance of winning with the rest's (lost and open "
            "leads censored at their time); q-values are corrected by Benjamini–Hochberg across every "
            "test.",
        ),
    ]
    return Section("time", "How long leads take", paragraphs, items)


def _forecast_section(result: FunnelResult, time: TimeDimension) -> Section:
    forecast, k = time.forecast, result.min_group_size
    test = forecast.backtest
    paragraphs = [
        "For each open lead, the chance of winning within 30, 60 and 90 days given its stage and how long it has "
        "been at that stage: among past leads that were still open at the same stage after as many days, the share "
        f"that won within that time (open ones censored). Ages are matched at {len(LANDMARKS)} points from 0 to "
        f"{LANDMARKS[-1]} days, with a straight line between them; a point needs {MIN_AT_RISK} past leads. Expected "
        "wins are the sum of the chances; expected revenue weighs each by the lead's amount, else by the mean "
        "amount of won leads that passed its stage (the mean, since revenue adds up). The 95% interval adds the "
        "chance that each open lead wins or not to the uncertainty of the estimated chances.",
        *forecast_lines(forecast, time.timing),
    ]
    items: list = [
        ReportTable("forecast", "What the open leads should bring", forecast.totals),
        ReportTable(
            "forecast_by_stage",
            "Open leads by stage, and what they should bring within 90 days",
            mask_small_counts(
                private_groups(forecast.by_stage, "open", k),
                [c for c in ("with_own_amount",) if c in forecast.by_stage],
                k,
            ),
        ),
    ]
    if test.reason:
        paragraphs.append(f"Not backtested: {test.reason}.")
    else:
        sampled = f" on a random sample of {test.sampled:,} leads" if test.sampled else ""
        paragraphs.append(
            f"The backtest rebuilt, at the last {len(test.by_cutoff)} month ends (at most {MAX_CUTOFFS}, each with "
            f"{MIN_HISTORY_DAYS} days of history before it), what was known and open then{sampled}, forecast the wins "
            f"of the next {test.horizon} days from that history alone, and compared them with what happened. The "
            "baseline is the weighted pipeline: each open lead counts its stage's historical win rate. The error is "
            "the sum of the misses over the sum of the actual wins; calibration sets the chances against the share "
            f"that did win, in bands of predicted chance ({', '.join(f'{b:.0%}' for b in CALIBRATION_BANDS[1:-1])})."
        )
        items += [
            ReportFigure.from_axes(
                plot_time(result, "backtest"),
                alt=(
                    "Lines by cut-off date of the forecast wins with a shaded 95% interval, the actual wins and "
                    "the weighted pipeline."
                ),
            ),
            ReportTable(
                "backtest", "Backtest at past month ends", mask_small_counts(test.by_cutoff, ["actual_wins"], k)
            ),
            ReportTable("backtest_summary", "Backtest: each method's error, bias and Brier score", test.summary),
            ReportTable(
                "backtest_calibration",
                "Backtest: predicted chance against the share that won",
                private_groups(test.calibration, "lead_forecasts", k),
            ),
        ]
    return Section("forecast", "What the open pipeline should bring", paragraphs, items)


def _goal_section(result: FunnelResult, time: TimeDimension) -> Section:
    goal = time.goal
    if goal is None:
        return Section(
            "goal",
            "The MQLs the goal needs",
            [
                "No goal is set. Set sla.revenue_goal_per_month (in the leads' amount currency) or "
                "sla.customers_per_month in the project file, and this section says how many MQLs a month marketing "
                "must deliver for it, with a 95% interval, against what it delivered."
            ],
        )
    paragraphs = [
        f"{goal.entry}s needed a month = the goal ÷ ({goal.entry} → won rate"
        + (" × mean won amount)" if goal.kind == "revenue" else ")")
        + ". The rate is the share of "
        f"{goal.entry} leads won by the end of the follow-up, open ones censored; the mean amount (not the median) "
        "because a month's revenue is a sum. The 95% interval propagates both uncertainties by one bootstrap.",
        *goal_lines(goal),
    ]
    if not goal.reason and np.isfinite(goal.median_days_to_win):
        paragraphs.append(
            f"{goal.entry}s delivered now turn into wins over the following months: half of the wins "
            f"come within {goal.median_days_to_win:.0f} days, so a shortfall this month shows in sales "
            "about that much later."
        )
    table = goal.table() if not goal.reason else pd.DataFrame({"entry": [goal.entry], "goal_per_month": [goal.goal]})
    return Section(
        "goal",
        "The MQLs the goal needs",
        paragraphs,
        [
            ReportTable(
                "mqls_needed", f"The {goal.entry}s the goal needs a month, and what the figure rests on", table
            ),
            ReportTable(
                "delivered",
                f"{goal.entry}s delivered in the last full months",
                mask_small_counts(goal.delivered, ["delivered"], result.min_group_size),
            ),
        ],
    )


__all__ = ["TIME_FIGURES", "plot_time", "time_sections"]
