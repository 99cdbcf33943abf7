"""Each lead's path through the funnel: stages reached (own date, current stage, or a later stage), when, skipped,
furthest stage and moved back. One definition for notebook 01's cleaning log (`lead_table.build_leads`) and the
funnel analysis (`alignkit.funnel`), so the two never count skips and moves back differently. It sits in prepare,
below the funnel stage: prepare never imports a stage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alignkit.ingest.files import to_snake_case


def stage_at_column(stage_name: str) -> str:
    """Return the canonical timestamp column of a funnel stage ('Opportunity' → 'opportunity_at')."""
    return f"{to_snake_case(stage_name)}_at"


@dataclass(frozen=True)
class StagePaths:
    """Where each lead went: one column per stage (in funnel order), one row per lead of the leads table."""

    names: tuple[str, ...]
    reached: np.ndarray  # (leads, stages) bool: reached the stage (own date, current stage, or a later stage)
    reached_at: np.ndarray  # (leads, stages) datetime64: own date, else the next dated later stage's date
    has_date: np.ndarray  # (leads, stages) bool: the stage's own date is recorded
    skipped: np.ndarray  # (leads, stages) bool: passed through without a date (a later stage reached)
    furthest: np.ndarray  # (leads,) int: index of the furthest stage reached, -1 for none
    moved_back: np.ndarray  # (leads,) bool: current stage earlier than the furthest reached
    created_at: np.ndarray  # (leads,) datetime64
    # (leads,) bool, when leads are judged on closed outcomes (funnel.judge: closed): lost at their furthest stage.
    # None = judged by maturity (a lead still at a stage counts as not moving on once the maturity window passed).
    closed_lost: np.ndarray | None = None

    def index(self, name: str) -> int:
        """Return the position of a stage in the funnel."""
        return self.names.index(name)

    def since(self, i: int) -> np.ndarray:
        """Return when each lead reached stage i, the creation date standing in where no date is known."""
        at = self.reached_at[:, i]
        return np.where(np.isnat(at), self.created_at, at)


def stage_paths(leads: pd.DataFrame, stages: list[str] | tuple[str, ...]) -> StagePaths:
    """Return each lead's path through the funnel: stages reached, when, skipped, furthest, moved back."""
    names = tuple(stages)
    k = len(names)
    own = np.stack(
        [
            pd.to_datetime(leads[stage_at_column(n)]).to_numpy("datetime64[ns]")
            if stage_at_column(n) in leads
            else np.full(len(leads), np.datetime64("NaT"), "datetime64[ns]")
            for n in names
        ],
        axis=1,
    )
    has_date = ~np.isnat(own)
    current = _stage_codes(leads["stage"], names) if "stage" in leads else np.full(len(leads), -1)
    reached = has_date | (current[:, None] >= np.arange(k)[None, :])
    reached = np.logical_or.accumulate(reached[:, ::-1], axis=1)[:, ::-1]
    furthest = np.where(reached.any(axis=1), k - 1 - np.argmax(reached[:, ::-1], axis=1), -1)
    reached_at = own.copy()
    for i in range(k - 2, -1, -1):
        reached_at[:, i] = np.where(has_date[:, i], own[:, i], reached_at[:, i + 1])
    reached_at[~reached] = np.datetime64("NaT")
    dated_stage = has_date.any(axis=0)
    skipped = reached & ~has_date & (furthest[:, None] > np.arange(k)[None, :]) & dated_stage[None, :]
    skipped[:, 0] = False
    moved_back = (current >= 0) & (current < furthest)
    created = pd.to_datetime(leads["created_at"]).to_numpy("datetime64[ns]")
    return StagePaths(names, reached, reached_at, has_date, skipped, furthest, moved_back, created)


def _stage_codes(stage: pd.Series, names: tuple[str, ...]) -> np.ndarray:
    if isinstance(stage.dtype, pd.CategoricalDtype) and list(stage.cat.categories) == list(names):
        return stage.cat.codes.to_numpy().astype(int)
    return pd.Categorical(stage.astype("str"), categories=list(names)).codes.astype(int)
