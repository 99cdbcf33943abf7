"""Self-contained HTML reports from Jinja2 templates: figures embedded, one stylesheet, a contents bar, a
manifest footer (inputs with row counts and hashes, settings, versions, build time), and every table also
written beside the report as CSV."""

from __future__ import annotations

import datetime as _dt
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import jinja2
import numpy as np
import matplotlib.pyplot as plt
import pandas as pd
import yaml

from alignkit import __version__
from alignkit.config import ProjectSettings
from alignkit.io import write_atomic_text, write_csv
from alignkit.plots import figure_to_data_uri

PERCENT_SUFFIXES = ("share", "rate", "ci_low", "ci_high")
LIBRARIES = ("pandas", "numpy", "scipy", "scikit-learn", "matplotlib", "pyarrow", "jinja2", "pydantic")

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("alignkit", "templates"),
                          autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)


@dataclass(frozen=True)
class ReportTable:
    """A table in a report; `name` is also its CSV file name."""

    name: str
    title: str
    frame: pd.DataFrame
    note: str = ""
    max_rows: int = 60


@dataclass(frozen=True)
class ReportFigure:
    """A figure in a report, embedded as a PNG data URI, with alt text for screen readers."""

    title: str
    alt: str
    uri: str

    @classmethod
    def from_axes(cls, ax: plt.Axes, *, alt: str) -> ReportFigure:
        """Return the figure holding `ax`, rendered and closed."""
        figure = ax.figure
        uri = figure_to_data_uri(figure)
        plt.close(figure)
        return cls(title=ax.get_title(), alt=alt, uri=uri)


@dataclass(frozen=True)
class Section:
    """A report section: a title, paragraphs of plain words, then tables and figures."""

    id: str
    title: str
    paragraphs: Sequence[str] = ()
    items: Sequence[ReportTable | ReportFigure] = field(default_factory=tuple)


def format_cell(column: str, value: object) -> str:
    """Return a cell as text: shares as percentages, counts with separators, missing as an empty cell."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)) or (isinstance(value, (float, np.floating)) and float(value).is_integer()
                                                and not column.endswith(PERCENT_SUFFIXES)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if column.endswith(PERCENT_SUFFIXES):
            return f"{value:.1%}"
        return f"{value:,.2f}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def table_rows(frame: pd.DataFrame, max_rows: int) -> list[list[str]]:
    """Return the first `max_rows` rows of a frame formatted for HTML."""
    head = frame.head(max_rows)
    return [[format_cell(str(c), v) for c, v in zip(head.columns, row)] for row in head.itertuples(index=False)]


def library_versions() -> dict[str, str]:
    """Return the versions of alignkit, Python and the main libraries."""
    versions = {"alignkit": __version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def render_fragment(template: str, **context: object) -> str:
    """Return an HTML fragment from a template (used by results' _repr_html_ and by reports alike)."""
    return _ENV.get_template(template).render(format_cell=format_cell, table_rows=table_rows, **context)


def write_report(slug: str, *, title: str, subtitle: str, headline: Sequence[str], sections: Sequence[Section],
                 settings: ProjectSettings, inputs: pd.DataFrame, links: Sequence[tuple[str, str]] = (),
                 built_at: _dt.datetime | None = None) -> Path:
    """Write reports/<slug>.html and reports/<slug>/<table>.csv for every table; return the HTML path."""
    reports_dir = settings.reports_dir
    for section in sections:
        for item in section.items:
            if isinstance(item, ReportTable):
                write_csv(item.frame, reports_dir / slug / f"{item.name}.csv")
    built_at = built_at or _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    html = _ENV.get_template("report.html.j2").render(
        title=title, subtitle=subtitle, headline=headline, sections=sections, slug=slug, links=links,
        inputs=inputs, settings_yaml=yaml.safe_dump(settings.public_summary(), sort_keys=False, allow_unicode=True),
        versions=library_versions(), built_at=built_at.isoformat(), project=settings.project,
        format_cell=format_cell, table_rows=table_rows, ReportTable=ReportTable,
        min_group_size=settings.privacy.min_group_size)
    return write_atomic_text(reports_dir / f"{slug}.html", html)
