"""Benchmark: the whole funnel analysis (funnel, friction points, SLA, closed loop, KPIs) on 1,000,000 leads and
10,000,000 touches, then its report. Prints the wall time of each part and the peak resident memory.

    .venv/bin/python bench/funnel.py [--leads 1000000] [--touches 10000000]

Target (issue 3): under 2 minutes and under 8 GB on a 2-core machine. Measured 2026-11-24 on the 2-core build
machine while other jobs kept it busy (load average 5–7): read 3.7–4.0 s + analysis 13.3–17.2 s + report
3.2–7.3 s = 20.1–28.4 s over two runs; peak RSS 2.2 GB for the whole run, most of it the synthetic data itself. The
synthetic data has the shape of data/processed (same columns and dtypes), with a planted friction point so the analysis
has something to find.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alignkit import funnel  # noqa: E402
from alignkit.config import load_settings  # noqa: E402
from alignkit.io import write_parquet  # noqa: E402

STAGES = ("Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer")
SOURCES = (
    "Organic Search",
    "Paid Search",
    "Paid Social",
    "Email Marketing",
    "Referrals",
    "Direct Traffic",
    "Events",
    "Partners",
)
CONTENT = (*(f"Asset {i:02d}" for i in range(12)), "Case study: Northwind", "Template: Service level agreement")
KINDS = ("EMAIL_OPEN", "CONTENT_DOWNLOAD", "WEBINAR_ATTENDED", "SALES_CALL", "SALES_EMAIL", "MEETING")
KIND_SHARES = (0.55, 0.15, 0.05, 0.1, 0.1, 0.05)
EXPORT = np.datetime64("2026-09-30T18:00", "ns")
START = np.datetime64("2024-10-01T00:00", "ns")


def peak_rss_gb() -> float:
    """Return this process's peak resident memory in GB (ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _hours(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    return (values * 3600).astype("int64").astype("timedelta64[s]").astype("timedelta64[ns]")


def _strings(codes: np.ndarray, labels: tuple[str, ...] | np.ndarray | pd.Index) -> pd.Series:
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(labels))).astype("str")


def make_leads(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Return a synthetic leads table shaped like data/processed/leads.parquet."""
    span = (EXPORT - START) - np.timedelta64(90, "D")
    created = START + (rng.random(n) * span.astype("int64")).astype("int64").astype("timedelta64[ns]")
    source = rng.choice(len(SOURCES), n, p=(0.25, 0.17, 0.14, 0.15, 0.1, 0.1, 0.05, 0.04))
    owner = rng.integers(0, 40, n)
    season = rng.integers(0, 3, n)
    paid_social = source == SOURCES.index("Paid Social")
    subscriber = rng.random(n) < 0.4
    lead_at = created + np.where(subscriber, 1, 0) * _hours(rng, rng.exponential(480, n))
    mql = rng.random(n) < 0.4
    mql_at = lead_at + _hours(rng, rng.gamma(2.0, 120, n))
    slow = owner < 4
    followed = mql & (rng.random(n) < np.where(slow, 0.88, 0.98))
    touch_at = mql_at + _hours(rng, np.exp(rng.normal(np.where(slow, np.log(30), np.log(5)), 0.9)))
    sql = followed & (rng.random(n) < np.where(paid_social, 0.2, 0.65))
    sql_at = touch_at + _hours(rng, rng.gamma(2.0, 72, n))
    opp = sql & (rng.random(n) < 0.6)
    opp_at = sql_at + _hours(rng, rng.gamma(2.0, 144, n))
    close_at = opp_at + _hours(rng, rng.gamma(3.0, 240, n))
    won = opp & (rng.random(n) < 0.5)
    nat = np.datetime64("NaT", "ns")

    def censor(at: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.where(mask & (at <= EXPORT), at, nat)

    mql_at = censor(mql_at, mql)
    touch_at = censor(touch_at, followed & ~np.isnat(mql_at))
    sql_at = censor(sql_at, sql & ~np.isnat(touch_at))
    opp_at = censor(opp_at, opp & ~np.isnat(sql_at))
    close_at = censor(close_at, ~np.isnat(opp_at))
    won &= ~np.isnat(close_at)
    lost = ~np.isnat(close_at) & ~won
    skipped = ~np.isnat(opp_at) & (rng.random(n) < 0.04)
    moved_back = lost & (rng.random(n) < 0.3)
    furthest = np.select([won, ~np.isnat(opp_at), ~np.isnat(sql_at), ~np.isnat(mql_at)], [5, 4, 3, 2], 1)
    current = np.where(moved_back, 1, furthest)
    deal = np.where(won, "won", np.where(lost, "lost", np.where(~np.isnat(opp_at), "open", None)))
    reasons = np.array(["Price", "Timing", "Went with competitor", "No decision", "Missing feature"], dtype=object)
    keys = pd.Index(np.char.add("k", np.arange(n).astype("U7")).astype(object)).astype("str")
    campaigns = [f"{s.lower().replace(' ', '-')}-{t}" for s in SOURCES for t in ("spring", "summer", "autumn")]
    return pd.DataFrame(
        {
            "lead_key": keys,
            "created_at": created,
            "source": _strings(source, SOURCES),
            "campaign": _strings(source * 3 + season, campaigns),
            "owner": _strings(owner, [f"Owner {i:02d}" for i in range(40)]),
            "stage": pd.Categorical.from_codes(current, categories=list(STAGES), ordered=True),
            "subscriber_at": np.where(subscriber, created, nat),
            "lead_at": lead_at,
            "mql_at": mql_at,
            "sql_at": np.where(skipped, nat, sql_at),
            "opportunity_at": opp_at,
            "customer_at": np.where(won, close_at, nat),
            "first_touch_at": touch_at,
            "converted": won,
            "amount": pd.array(np.where(won, np.round(rng.lognormal(9.1, 0.5, n), -1), np.nan), dtype="Float64"),
            "lost_reason": pd.Series(np.where(lost, reasons[rng.integers(0, 5, n)], None)).astype("str"),
            "deal_stage": pd.Series(deal).astype("str"),
            "deal_created_at": opp_at,
            "deal_closed_at": np.where(won | lost, close_at, nat),
        }
    )


def make_touches(leads: pd.DataFrame, m: int, rng: np.random.Generator) -> pd.DataFrame:
    """Return `m` synthetic touches shaped like data/processed/touches.parquet."""
    n = len(leads)
    lead = rng.integers(0, n, m)
    created = leads["created_at"].to_numpy()[lead]
    span = (EXPORT - created).astype("int64")
    at = created + (rng.random(m) * span).astype("int64").astype("timedelta64[ns]")
    kind = rng.choice(len(KINDS), m, p=KIND_SHARES)
    content = np.full(m, len(CONTENT) + 24, dtype=np.int64)  # "" by default
    download = kind == 1
    content[download] = rng.integers(0, len(CONTENT), int(download.sum()))
    opens = kind == 0
    content[opens] = len(CONTENT) + rng.integers(0, 24, int(opens.sum()))
    sales = kind >= 3
    uses = sales & (rng.random(m) < 0.5)
    content[uses] = rng.integers(0, len(CONTENT) - 1, int(uses.sum()))  # never the template
    labels = list(CONTENT) + [f"Newsletter {i:02d}" for i in range(24)] + [""]
    keys = leads["lead_key"]
    return pd.DataFrame(
        {
            "lead_key": pd.Series(pd.Categorical.from_codes(lead, categories=pd.Index(keys))).astype("str"),
            "at": at,
            "kind": _strings(kind, KINDS),
            "content": _strings(content, labels),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--touches", type=int, default=10_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    leads = make_leads(args.leads, rng)
    touches = make_touches(leads, args.touches, rng)
    t1 = time.perf_counter()
    print(
        f"synthetic data: {len(leads):,} leads, {len(touches):,} touches in {t1 - t0:.1f} s "
        f"(not timed below); peak RSS so far {peak_rss_gb():.2f} GB",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(ROOT / "alignkit.yml").model_copy(update={"root": Path(folder)})
        settings.processed_dir.mkdir(parents=True)
        write_parquet(leads, settings.processed_dir / "leads.parquet")
        write_parquet(touches, settings.processed_dir / "touches.parquet")
        del leads, touches
        start = time.perf_counter()
        data = funnel.load_inputs(settings)
        loaded = time.perf_counter()
        result = funnel.analyse(settings, data=data)
        analysed = time.perf_counter()
        path = funnel.write_funnel_report(result, settings)
        reported = time.perf_counter()
        size_mb = path.stat().st_size / 1e6
    print(f"read data/processed (parquet): {loaded - start:.1f} s")
    print(f"analysis (funnel, friction points, SLA, closed loop, KPIs): {analysed - loaded:.1f} s")
    print(f"report (HTML + CSVs, {size_mb:.1f} MB): {reported - analysed:.1f} s")
    print(f"total read + analysis + report: {reported - start:.1f} s; peak RSS of the whole run {peak_rss_gb():.2f} GB")
    top = result.friction.iloc[0]
    print(f"top friction point: {top['breakdown']} {top['segment']} at {top['from_stage']} -> {top['to_stage']}")


if __name__ == "__main__":
    main()
