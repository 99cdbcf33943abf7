"""The closed loop between sales and marketing, and the KPIs both teams share month by month.

- Lost reasons by the stage the lead had reached and by source.
- For closed deals, which content and campaigns came before the close (a touch counts when its time is before
  `deal_closed_at`): share of won deals with it vs share of lost deals, lift with a CI, p-value, q-value.
- Collateral sales never uses: content of marketing touches that never appears in a sales touch.
- Sales cycle length, and the monthly KPIs with cost per lead / per customer when a spend file is given (read by
  `alignkit.ingest.spend`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alignkit.engine.touches import collateral_usage, content_before_close
from alignkit.ingest.files import to_snake_case
from alignkit.ingest.spend import SPEND_DIMENSIONS
from alignkit.stats import benjamini_hochberg, compare_proportions, ratio_of_proportions, wilson_intervals

if TYPE_CHECKING:
    from alignkit.engine.backend import Table


def closed_lost(leads: pd.DataFrame) -> np.ndarray:
    """Return which leads are lost for good: their deal closed lost, their lifecycle value is a lost value, or their
    outcome column says not converted (leads.parquet's `outcome` == 'lost')."""
    lost = deal_lost(leads)
    if "lifecycle_lost" in leads:
        lost = lost | leads["lifecycle_lost"].fillna(False).to_numpy(bool)
    if "outcome" in leads:
        lost = lost | leads["outcome"].astype("str").eq("lost").fillna(False).to_numpy(bool)
    return lost


def deal_lost(leads: pd.DataFrame) -> np.ndarray:
    """Return which leads' deal closed lost (`deal_stage` == 'lost'); all False without a deal_stage column."""
    if "deal_stage" not in leads:
        return np.zeros(len(leads), bool)
    return leads["deal_stage"].astype("str").eq("lost").fillna(False).to_numpy(bool)


def days_summary(days: np.ndarray | pd.Series) -> dict[str, float]:
    """Return n, median, 80th-percentile and mean days of the non-negative durations, and how many durations were
    negative (the later date before the earlier one: left out of the figures, but counted)."""
    days = np.asarray(days, dtype=float)
    days = days[~np.isnan(days)]
    out_of_order = int((days < 0).sum())
    days = days[days >= 0]
    if not len(days):
        return {
            "n": 0,
            "median_days": np.nan,
            "p80_days": np.nan,
            "mean_days": np.nan,
            "dates_out_of_order": out_of_order,
        }
    return {
        "n": len(days),
        "median_days": float(np.median(days)),
        "p80_days": float(np.quantile(days, 0.8)),
        "mean_days": float(days.mean()),
        "dates_out_of_order": out_of_order,
    }


# --- lost reasons -----------------------------------------------------------------------------------------------------


def lost_reasons(leads: pd.DataFrame, by: pd.Series | np.ndarray, *, name: str) -> pd.DataFrame:
    """Return lost deals counted by reason within each group of `by` (e.g. the stage reached, or source),
    with the reason's share of the group's lost deals."""
    lost = deal_lost(leads)
    frame = pd.DataFrame(
        {
            name: pd.Series(np.asarray(by)[lost]).astype("str"),
            "lost_reason": leads["lost_reason"].astype("str").to_numpy()[lost],
        }
    )
    frame["lost_reason"] = frame["lost_reason"].fillna("(no reason given)")
    counts = frame.groupby([name, "lost_reason"], sort=True).size().rename("lost_deals").reset_index()
    counts["of_group"] = counts.groupby(name)["lost_deals"].transform("sum")
    counts["share"] = counts["lost_deals"] / counts["of_group"]
    counts["ci_low"], counts["ci_high"] = wilson_intervals(counts["lost_deals"], counts["of_group"])
    return counts.sort_values([name, "lost_deals"], ascending=[True, False], kind="stable").reset_index(drop=True)


# --- touches before the close -----------------------------------------------------------------------------------------


def closed_deals(leads: pd.DataFrame) -> pd.DataFrame:
    """Return the leads with a closed deal (won or lost) and a close date: lead_key, won, deal_closed_at."""
    outcome = leads["deal_stage"].astype("str")
    closed = outcome.isin(["won", "lost"]).fillna(False) & leads["deal_closed_at"].notna()
    return pd.DataFrame(
        {
            "lead_key": leads.loc[closed, "lead_key"].to_numpy(),
            "won": outcome[closed].eq("won").to_numpy(),
            "deal_closed_at": leads.loc[closed, "deal_closed_at"].to_numpy(),
        }
    )


def touches_before_close(
    leads: pd.DataFrame, touches: pd.DataFrame | Table, *, min_group_size: int = 1
) -> pd.DataFrame:
    """Return one row per content item (from touches) and campaign (from leads): closed deals won and lost that
    had it before the close, the share of won vs share of lost with CIs, lift (Katz CI), p-value and BH q-value.
    Items seen before fewer than `min_group_size` closed deals are left out. Ranked by the lower end of the
    lift's CI, so items whose lift is both large and well evidenced come first.

    The content seen before each close is counted by the engine the touches live in
    (`alignkit.engine.touches.content_before_close`); only one row per item comes back."""
    deals = closed_deals(leads)
    n_won, n_lost = int(deals["won"].sum()), int((~deals["won"]).sum())
    seen = content_before_close(touches, deals)
    items = [
        pd.DataFrame(
            {
                "kind": "content",
                "item": seen["item"],
                "sum": seen["won_with"].astype("int64"),
                "count": seen["deals_with"].astype("int64"),
            }
        )
    ]
    if "campaign" in leads and leads["campaign"].notna().any():
        campaign = leads.set_index("lead_key")["campaign"].reindex(pd.Index(deals["lead_key"])).to_numpy()
        ok = pd.notna(campaign)
        by_campaign = pd.DataFrame({"item": campaign[ok], "won": deals["won"].to_numpy()[ok]}).groupby("item")["won"]
        counts = by_campaign.agg(["sum", "count"]).reset_index()
        items.append(counts.assign(kind="campaign", sum=counts["sum"].astype("int64")))
    counted = pd.concat(items, ignore_index=True)[["kind", "item", "sum", "count"]]
    counted = counted.astype({"kind": "str", "item": "str"}).sort_values(["kind", "item"], kind="stable")
    counted = counted[counted["count"] >= min_group_size]
    out = counted.reset_index(drop=True).rename(columns={"sum": "won_with"})
    out["won_with"] = out["won_with"].astype("int64")
    out["lost_with"] = out.pop("count").astype("int64") - out["won_with"]
    out["won_deals"], out["lost_deals"] = n_won, n_lost
    out["share_of_won"], out["share_of_lost"] = out["won_with"] / n_won, out["lost_with"] / n_lost
    out["won_ci_low"], out["won_ci_high"] = wilson_intervals(out["won_with"], n_won)
    out["lost_ci_low"], out["lost_ci_high"] = wilson_intervals(out["lost_with"], n_lost)
    out = pd.concat([out, ratio_of_proportions(out["won_with"], n_won, out["lost_with"], n_lost)], axis=1)
    compared = compare_proportions(
        out["won_with"], np.full(len(out), n_won), out["lost_with"], np.full(len(out), n_lost)
    )
    out["p_value"] = compared["p_value"].to_numpy()
    out["q_value"] = benjamini_hochberg(out["p_value"])
    return out.sort_values(["lift_ci_low", "item"], ascending=[False, True], kind="stable").reset_index(drop=True)


def collateral_sales_never_uses(
    touches: pd.DataFrame | Table, *, sales_kinds: list[str], collateral_kinds: list[str] | None = None
) -> pd.DataFrame:
    """Return the content of marketing touches (of `collateral_kinds`, or every non-sales kind when empty) that
    never appears in a sales touch, with how many touches and leads it reached; most leads first. Counted by the
    engine the touches live in (`alignkit.engine.touches.collateral_usage`)."""
    out = collateral_usage(touches, sales_kinds=sales_kinds, collateral_kinds=collateral_kinds or ())
    out = out.astype({"content": "str", "marketing_touches": "int64", "leads_reached": "int64"})
    out["sales_touches"] = 0
    return out.sort_values(["leads_reached", "content"], ascending=[False, True], kind="stable").reset_index(drop=True)


# --- cycle length and monthly KPIs ----------------------------------------------------------------------------------


def _days_row(label: str, days: pd.Series) -> dict:
    summary = days_summary(days)
    return {"measure": label, **{k: summary[k] for k in ("n", "median_days", "p80_days", "mean_days")}}


def cycle_lengths(leads: pd.DataFrame, *, converted_at: str, converted_stage: str) -> pd.DataFrame:
    """Return the sales cycle in days: created → converted stage for converted leads, and deal created → closed
    for won and for lost deals (n, median, 80th percentile, mean)."""
    outcome = leads["deal_stage"].astype("str")
    deal_days = (leads["deal_closed_at"] - leads["deal_created_at"]) / pd.Timedelta(days=1)
    return pd.DataFrame(
        [
            _days_row(
                f"Lead created → {converted_stage}", (leads[converted_at] - leads["created_at"]) / pd.Timedelta(days=1)
            ),
            _days_row("Deal created → closed won", deal_days[outcome.eq("won").fillna(False)]),
            _days_row("Deal created → closed lost", deal_days[outcome.eq("lost").fillna(False)]),
        ]
    )


def monthly_kpis(
    leads: pd.DataFrame,
    reached_at: dict[str, np.ndarray],
    *,
    mql_stage: str,
    sql_stage: str,
    converted_stage: str,
    as_of: pd.Timestamp,
    maturity_days: int,
    spend: pd.DataFrame | None = None,
    reached: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Return one row per month: new leads, leads reaching each stage that month (by the date they reached it),
    the month's cohort conversion to MQL and MQL→SQL (empty until the month has matured), deals won and lost,
    win rate with CI, revenue (won amounts by close month), median cycle in days, and — with spend — spend,
    cost per lead and cost per customer.

    `reached` (stage → bool per lead, as `alignkit.prepare.stage_paths.StagePaths.reached`) says who reached a stage
    even without a recorded date, for the cohort rates; without it a stage counts as reached only where `reached_at`
    has a date."""

    def month_of(values: np.ndarray | pd.Series) -> pd.Series:
        # Month ordinals (months since 1970-01, as pandas' monthly Periods count them), NaN for no date: plain numbers
        # group far faster than Period objects on millions of rows.
        months = np.asarray(values, dtype="datetime64[ns]").astype("datetime64[M]")
        return pd.Series(np.where(np.isnat(months), np.nan, months.astype("int64").astype(float)))

    created = month_of(leads["created_at"])
    table = {"new_leads": created.value_counts()}
    for name, at in reached_at.items():
        table[f"reached_{to_snake_case(name)}"] = month_of(at).value_counts()
    outcome = leads["deal_stage"].astype("str").fillna("")
    closed = month_of(leads["deal_closed_at"])
    table["deals_won"] = closed[outcome.eq("won").to_numpy()].value_counts()
    table["deals_lost"] = closed[outcome.eq("lost").to_numpy()].value_counts()
    table["revenue"] = (
        pd.Series(leads["amount"].astype(float).to_numpy()).where(outcome.eq("won").to_numpy()).groupby(closed).sum()
    )
    conv = pd.Series(reached_at[converted_stage])
    cycle = (conv - pd.Series(leads["created_at"].to_numpy())) / pd.Timedelta(days=1)
    table["median_cycle_days"] = cycle.groupby(month_of(conv)).median()
    out = pd.DataFrame(table).sort_index()
    last = min(int(out.index.max()), pd.Period(as_of, "M").ordinal)
    ordinals = np.arange(int(out.index.min()), last + 1)
    out = out.reindex(ordinals.astype(float))
    full = pd.PeriodIndex.from_ordinals(ordinals, freq="M")
    counts = [c for c in out.columns if c not in ("revenue", "median_cycle_days")]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["revenue"] = out["revenue"].fillna(0.0)
    matured = (full.to_timestamp(how="end") + pd.Timedelta(days=maturity_days)) <= as_of

    def reached_flags(stage: str) -> np.ndarray:
        if reached is not None and stage in reached:
            return np.asarray(reached[stage], dtype=bool)
        return ~np.isnat(np.asarray(reached_at[stage], dtype="datetime64[ns]"))

    mql = pd.Series(reached_at[mql_stage])
    out["mql_rate"] = (
        pd.Series(reached_flags(mql_stage)).groupby(created).mean().reindex(ordinals.astype(float)).to_numpy()
    )
    out["mql_rate"] = out["mql_rate"].where(matured)
    mql_month = month_of(mql)
    has_mql = mql.notna().to_numpy()  # MQLs are placed in the month of their MQL date
    out["mql_to_sql_rate"] = (
        pd.Series(reached_flags(sql_stage)[has_mql])
        .groupby(mql_month[has_mql].to_numpy())
        .mean()
        .reindex(ordinals.astype(float))
        .to_numpy()
    )
    out["mql_to_sql_rate"] = out["mql_to_sql_rate"].where(matured)
    decided = out["deals_won"] + out["deals_lost"]
    out["win_rate"] = out["deals_won"] / decided.where(decided > 0)
    out["win_ci_low"], out["win_ci_high"] = wilson_intervals(out["deals_won"], decided)
    if spend is not None:
        monthly = spend.groupby("month")["spend"].sum()
        out["spend"] = monthly.reindex(full.astype(str)).to_numpy()
        out["cost_per_lead"] = out["spend"] / out["new_leads"].where(out["new_leads"] > 0)
        customers = out[f"reached_{to_snake_case(converted_stage)}"]
        out["cost_per_customer"] = out["spend"] / customers.where(customers > 0)
    out.insert(0, "month", full.astype(str))
    return out.reset_index(drop=True)


def cost_by_segment(leads: pd.DataFrame, spend: pd.DataFrame, *, converted: np.ndarray) -> pd.DataFrame:
    """Return, per source (or campaign, whichever the spend file gives), total spend, leads created in the months
    with spend, customers among them, cost per lead and per customer."""
    dimension = next(c for c in SPEND_DIMENSIONS if c in spend)
    months = set(spend["month"])
    in_months = pd.Series(leads["created_at"].dt.to_period("M").astype(str)).isin(months).to_numpy()
    groups = pd.Series(leads[dimension].astype("str").to_numpy()[in_months])
    counts = (
        pd.DataFrame({"segment": groups, "converted": np.asarray(converted)[in_months]})
        .groupby("segment")
        .agg(leads=("converted", "size"), customers=("converted", "sum"))
    )
    out = spend.groupby(dimension)["spend"].sum().rename_axis("segment").to_frame().join(counts, how="outer")
    out[["leads", "customers"]] = out[["leads", "customers"]].fillna(0).astype("int64")
    out["cost_per_lead"] = out["spend"] / out["leads"].where(out["leads"] > 0)
    out["cost_per_customer"] = out["spend"] / out["customers"].where(out["customers"] > 0)
    return out.reset_index().rename(columns={"segment": dimension})


@dataclass(frozen=True)
class ClosedLoop:
    """Closed-loop tables: lost reasons by stage and source, touches before the close, unused collateral, cycle."""

    lost_by_stage: pd.DataFrame
    lost_by_source: pd.DataFrame
    before_close: pd.DataFrame
    unused_collateral: pd.DataFrame
    cycle: pd.DataFrame
    touches: bool = True  # False: no touches in the project, so no content is seen before a close
