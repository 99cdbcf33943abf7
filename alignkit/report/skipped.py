"""The report of a notebook whose inputs the project does not have: a short page that says what was not analysed
and what the project file would need, so a reader of reports/ never wonders whether an analysis failed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from alignkit.config import ProjectSettings
from alignkit.plan import PlannedAnalysis
from alignkit.report.html import Section, write_report


def processed_inputs(settings: ProjectSettings) -> pd.DataFrame:
    """Return the input manifest notebook 01 wrote (data/processed/inputs.parquet), or an empty one before it ran."""
    path = settings.processed_dir / "inputs.parquet"
    if path.exists():
        return pd.read_parquet(path)
    return pd.DataFrame(
        {"table": pd.Series(dtype="str"), "file": pd.Series(dtype="str"), "rows": pd.Series(dtype="int64")}
    )


def write_skipped_report(planned: PlannedAnalysis, settings: ProjectSettings) -> Path:
    """Write reports/<slug>.html for a notebook that did not run, saying why; return its path."""
    reason = planned.reason[0].upper() + planned.reason[1:]
    return write_report(
        planned.slug,
        title=planned.title,
        subtitle="Not analysed for this project.",
        headline=[f"Not analysed: {planned.reason}"],
        sections=[
            Section(
                "not-analysed",
                "What was not analysed, and why",
                [
                    reason,
                    "Add the missing input to the project file (alignkit.yml) and "
                    "run `alignkit run` again; `alignkit validate` lists what each "
                    "analysis needs.",
                ],
            )
        ],
        settings=settings,
        inputs=processed_inputs(settings),
    )
