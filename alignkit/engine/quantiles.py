"""Quantiles of a column that lives in an engine, equal to numpy's to the last digit on every engine: the engine
ranks the values and returns only the order statistics a quantile needs; numpy's own interpolation rule is applied
to them here. (Engines' own quantile functions interpolate in another order of operations, or approximate, as Spark's
percentile_approx does.)"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from alignkit.engine.backend import as_table, to_frame


def linear_positions(n: int, q: float) -> tuple[int, int, float]:
    """Return the two ranks (0-based) numpy's linear quantile `q` of `n` sorted values interpolates between, and the
    weight of the upper one (numpy: virtual index (n-1)·q, its floor and the next rank, clipped)."""
    virtual = (n - 1) * q
    below = min(max(math.floor(virtual), 0), n - 1)
    return below, min(below + 1, n - 1), virtual - below


def lerp(below: float, above: float, gamma: float) -> float:
    """Return numpy's linear interpolation between two order statistics (numpy.lib's _lerp, same operations)."""
    below, above, gamma = np.float64(below), np.float64(above), np.float64(gamma)
    diff = above - below
    return float(above - diff * (1 - gamma)) if gamma >= 0.5 else float(below + diff * gamma)


def ranks_needed(n: int, quantiles: Sequence[float], *, median: bool) -> list[int]:
    """Return the ranks whose values give `quantiles` (numpy.quantile) and, with `median`, numpy.median of n values."""
    ranks: set[int] = set()
    for q in quantiles:
        below, above, _ = linear_positions(n, q)
        ranks |= {below, above}
    if median:
        ranks |= {(n - 1) // 2, n // 2}
    return sorted(ranks)


def grouped_order_statistics(
    table: ir.Table, value: str, by: str, counts: pd.Series, quantiles: Sequence[float], *, median: bool = False
) -> dict[object, dict[int, float]]:
    """Return, per group of `by`, the values of `value` at the ranks its quantiles need (ascending order, 0-based);
    `counts` gives each group's number of values (missing values left out beforehand)."""
    wanted = [
        (group, rank) for group, n in counts.items() if n > 0 for rank in ranks_needed(int(n), quantiles, median=median)
    ]
    if not wanted:
        return {}
    ranked = table.mutate(_rank=ibis.row_number().over(group_by=table[by], order_by=table[value]))
    keys = as_table(pd.DataFrame({by: [g for g, _ in wanted], "_rank": [r for _, r in wanted]}))
    picked = ranked.inner_join(keys, [by, "_rank"]).select(by, "_rank", value)
    out: dict[object, dict[int, float]] = {}
    for group, rank, v in to_frame(picked).itertuples(index=False):
        out.setdefault(group, {})[int(rank)] = v
    return out


def quantile_of(values: Callable[[int], float], n: int, q: float) -> float:
    """Return numpy.quantile(q) of n sorted values given by rank (`values(rank)`), to the last digit."""
    below, above, gamma = linear_positions(n, q)
    return lerp(values(below), values(above), gamma)


def median_of(values: Callable[[int], float], n: int) -> float:
    """Return numpy.median of n sorted values given by rank: the middle one, or the mean of the middle two."""
    if n % 2:
        return float(values(n // 2))
    return float(np.mean(np.array([values(n // 2 - 1), values(n // 2)], dtype=np.float64)))
