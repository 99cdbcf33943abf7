"""Self-contained HTML reports from Jinja2 templates: figures embedded, one stylesheet, a contents bar, print and
phone styles, a manifest footer (inputs with row counts and hashes, settings, versions, build time), and every
table also written beside the report as CSV with a `tables.json` that says which columns hold group sizes.

The footer also names the `alignkit run` that built the report (its id, `<span class="build-run">`, from the
ALIGNKIT_RUN environment variable the run's kernels inherit), so that `alignkit validate` can say when that run did
not finish or its inputs have changed since (alignkit.runs).

Two builds from the same inputs differ only inside `<time class="build-time">` (and not even there when the
`SOURCE_DATE_EPOCH` environment variable fixes the build time) and inside `<span class="build-run">`."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd
import yaml

from alignkit import __version__
from alignkit.config import ProjectSettings
from alignkit.io import write_atomic_text
from alignkit.privacy import EMAIL_PATTERN
from alignkit.report.cells import display_table, format_cell, numeric_columns, table_rows
from alignkit.report.labels import Labels, active_labels, project_labels, relabel_axes
from alignkit.report.safe_csv import write_inert_csv
from alignkit.runs.manifest import RUN_ENV

if TYPE_CHECKING:
    import jinja2
    import matplotlib.pyplot as plt

LIBRARIES = (
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "umap-learn",
    "matplotlib",
    "seaborn",
    "pyarrow",
    "jinja2",
    "pydantic",
)
# Every report of the flow, in reading order (slug: title shown in links). The alignment report links to each.
ALIGNMENT_SLUG = "05_alignment_report"
DETAILED_REPORTS = {
    "01_clean_survey_and_crm": "Cleaning the survey and CRM exports",
    "02_funnel_and_sla": "The funnel and the SLA",
    "03_persona_segments": "Customer personas",
    "04_converting_leads": "The ideal lead",
}
BACK_TO_ALIGNMENT = ("← Alignment report", f"{ALIGNMENT_SLUG}.html")
TABLES_MANIFEST = "tables.json"
BUILD_TIME_CLASS = "build-time"
BUILD_RUN_CLASS = "build-run"
SUPPRESSED_COLUMN = "suppressed"


@cache
def _templates() -> jinja2.Environment:
    """Return the report templates' environment (jinja2 loads when the first page or fragment is rendered)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("alignkit.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class SmallGroupError(ValueError):
    """A report table shows a group smaller than privacy.min_group_size."""


class PrivacyError(ValueError):
    """A report table holds personal data."""


class FigureCheckError(ValueError):
    """A report figure has no title, an unlabelled axis, or no alt text."""


@dataclass(frozen=True)
class ReportTable:
    """A table in a report; `name` is also its CSV file name.

    `count_columns` names the columns holding group sizes (people in the group): rows where one is below
    privacy.min_group_size (and above zero) are suppressed, or refused, by `write_report`.
    """

    name: str
    title: str
    frame: pd.DataFrame
    note: str = ""
    max_rows: int = 60
    count_columns: Sequence[str] = ()

    kind = "table"


@dataclass(frozen=True)
class ReportFigure:
    """A figure in a report, embedded as a PNG data URI, with alt text for screen readers (required)."""

    title: str
    alt: str
    uri: str

    kind = "figure"

    def __post_init__(self) -> None:
        if not self.alt or not self.alt.strip():
            raise FigureCheckError(f"figure {self.title!r} has no alt text: describe what it shows for screen readers")
        if not self.uri.startswith("data:image/"):
            raise FigureCheckError(f"figure {self.title!r} is not embedded as a data: URI (reports make no requests)")

    @classmethod
    def from_axes(cls, ax: plt.Axes, *, alt: str, check: bool = True) -> ReportFigure:
        """Return the figure holding `ax`, checked (title, labelled axes), rendered and closed.

        `check=False` is only for a figure that genuinely has no axes to label (a diagram); axes switched off
        (`ax.axis("off")`, pies) and colour bars are skipped by the check anyway.
        """
        import matplotlib.pyplot as plt  # loaded with the first figure: a report or table alone does not need it

        from alignkit.plots.theme import figure_to_data_uri

        figure = ax.get_figure(root=True)  # the Figure itself, not a SubFigure: only a Figure is saved
        assert figure is not None  # an Axes is always made on a figure
        try:
            relabel_axes(ax, active_labels())
            if check:
                check_figure(figure)
            title = figure_title(figure)
            uri = figure_to_data_uri(figure)
        finally:
            plt.close(figure)
        return cls(title=title, alt=alt, uri=uri)


@dataclass(frozen=True)
class ReportDefinitions:
    """A list of terms and what they mean (an HTML definition list): agreed definitions, targets, persona cards."""

    title: str
    terms: Sequence[tuple[str, str]]
    note: str = ""

    kind = "definitions"


@dataclass(frozen=True)
class ReportLinks:
    """A list of links (label, href, description) to other reports; an empty href shows the label unlinked."""

    title: str
    links: Sequence[tuple[str, str, str]]

    kind = "links"


ReportItem = ReportTable | ReportFigure | ReportDefinitions | ReportLinks


@dataclass(frozen=True)
class Section:
    """A report section: a title, paragraphs of plain words, then tables, figures, definitions and links."""

    id: str
    title: str
    paragraphs: Sequence[str] = ()
    items: Sequence[ReportItem] = field(default_factory=tuple)


def figure_title(figure: plt.Figure) -> str:
    """Return the figure's title: its suptitle, else the first axes title found at any location."""
    suptitle = getattr(figure, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        return suptitle.get_text().strip()
    for ax in figure.axes:
        for loc in ("left", "center", "right"):
            if ax.get_title(loc=loc).strip():
                return ax.get_title(loc=loc).strip()
    return ""


def _is_colorbar(ax: plt.Axes) -> bool:
    return getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>"


def check_figure(figure: plt.Figure) -> None:
    """Raise FigureCheckError unless the figure has a title and every visible axis of every axes a label.

    A figure-wide `supxlabel`/`supylabel` counts for every axes; colour bars and axes switched off are skipped.
    """
    problems = []
    if not figure_title(figure):
        problems.append("no title (set ax.set_title or figure.suptitle)")
    supx = getattr(figure, "_supxlabel", None)
    supy = getattr(figure, "_supylabel", None)
    has_supx = supx is not None and bool(supx.get_text().strip())
    has_supy = supy is not None and bool(supy.get_text().strip())
    for index, ax in enumerate(figure.axes):
        if not ax.axison or not ax.get_visible() or _is_colorbar(ax):
            continue
        name = f"axes {index} ({figure_title(figure) or 'untitled'})"
        if ax.xaxis.get_visible() and not ax.get_xlabel().strip() and not has_supx:
            problems.append(f"{name}: x axis has no label (say what is measured and its unit)")
        if ax.yaxis.get_visible() and not ax.get_ylabel().strip() and not has_supy:
            problems.append(f"{name}: y axis has no label (say what is measured and its unit)")
    if problems:
        raise FigureCheckError("figure check failed: " + "; ".join(problems))


def small_group_rows(frame: pd.DataFrame, count_columns: Sequence[str], min_group_size: int) -> pd.Series:
    """Return a mask of the rows where a count column holds a group of 1 to min_group_size - 1 members.

    An empty group (0) discloses no one and is shown; a missing count (already suppressed) is not small.
    """
    small = pd.Series(False, index=frame.index)
    for column in count_columns:
        counts = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
        small |= ((counts > 0) & (counts < min_group_size)).fillna(False).astype(bool)
    return small


def enforce_min_group_size(
    table: ReportTable, min_group_size: int, mode: Literal["suppress", "raise"] = "suppress"
) -> ReportTable:
    """Return the table with rows showing a group below `min_group_size` suppressed (numbers blanked, labels kept,
    a `suppressed` column added), or raise SmallGroupError when `mode="raise"`."""
    missing = [c for c in table.count_columns if c not in table.frame.columns]
    if missing:
        raise KeyError(
            f"report table {table.name!r}: count_columns {missing} are not columns of the table "
            f"({list(table.frame.columns)})"
        )
    small = small_group_rows(table.frame, table.count_columns, min_group_size)
    if not small.any():
        return table
    if mode == "raise":
        raise SmallGroupError(
            f"report table {table.name!r}: {int(small.sum())} row(s) show a group smaller than "
            f"privacy.min_group_size={min_group_size} in {list(table.count_columns)}. Fix: suppress "
            "them (privacy.suppress_small_groups) or merge small groups into 'Other'."
        )
    frame = table.frame.copy()
    for column in numeric_columns(frame):
        nullable = "Int64" if pd.api.types.is_integer_dtype(frame[column]) else "Float64"
        frame[column] = frame[column].astype(nullable).mask(small)
    if SUPPRESSED_COLUMN in frame.columns:
        frame[SUPPRESSED_COLUMN] = frame[SUPPRESSED_COLUMN].astype(bool) | small
    else:
        frame[SUPPRESSED_COLUMN] = small
    note = f"Rows marked suppressed stand for groups of fewer than {min_group_size} and show no figures."
    return replace(table, frame=frame, note=f"{table.note} {note}".strip())


def refuse_emails(table: ReportTable) -> None:
    """Raise PrivacyError when a text cell of the table holds an email address (raw PII never reaches a report)."""
    for column in table.frame.columns:
        values = table.frame[column]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            found = values.dropna().astype("str").str.contains(EMAIL_PATTERN)
            if found.any():
                raise PrivacyError(
                    f"report table {table.name!r}: column {column!r} holds {int(found.sum())} email "
                    "address(es). Fix: pseudonymise the column (privacy.pseudonymise) or drop it."
                )


def library_versions() -> dict[str, str]:
    """Return the versions of alignkit, Python and the main libraries."""
    versions = {"alignkit": __version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_time(built_at: _dt.datetime | None = None) -> _dt.datetime:
    """Return the build time: `built_at`, else SOURCE_DATE_EPOCH (reproducible builds), else now (UTC, seconds)."""
    if built_at is not None:
        return built_at
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC)
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0)


def _table_helpers(labels: Labels) -> dict[str, object]:
    """Return what the templates use to show tables: cells formatted, headers and field names by label."""
    return dict(
        format_cell=format_cell,
        table_rows=table_rows,
        numeric_columns=numeric_columns,
        label=labels.label,
        display_table=lambda frame, max_rows: display_table(frame, max_rows, labels),
    )


def render_fragment(template: str, **context: object) -> str:
    """Return an HTML fragment from a template (used by results' _repr_html_ and by reports alike); tables show
    their headers by label (the labels in use, see alignkit.report.labels.using_labels)."""
    return _templates().get_template(template).render(**_table_helpers(active_labels()), **context)


def relabel_sections(sections: Sequence[Section], labels: Labels) -> list[Section]:
    """Return the sections with field keys in their words (titles, paragraphs, captions, definitions) replaced by
    the fields' labels; tables keep their frames (the HTML labels their headers, the CSV keeps the names)."""

    def item_words(item: ReportItem) -> ReportItem:
        if isinstance(item, ReportTable):
            return replace(item, title=labels.text(item.title), note=labels.text(item.note))
        if isinstance(item, ReportDefinitions):
            return replace(
                item,
                title=labels.text(item.title),
                note=labels.text(item.note),
                terms=[(labels.text(t), labels.text(m)) for t, m in item.terms],
            )
        if isinstance(item, ReportFigure):
            return replace(item, title=labels.text(item.title), alt=labels.text(item.alt))
        return item

    return [
        replace(
            s,
            title=labels.text(s.title),
            paragraphs=[labels.text(p) for p in s.paragraphs],
            items=tuple(item_words(i) for i in s.items),
        )
        for s in sections
    ]


MAX_HEADLINE = 6
MORE_FINDINGS_ID = "more-findings"


def split_headline(headline: Sequence[str]) -> tuple[list[str], Section | None]:
    """Return the first MAX_HEADLINE lines of a headline, and the rest as a "More findings" section (or None)."""
    lines = [line for line in headline if line and line.strip()]
    if len(lines) <= MAX_HEADLINE:
        return lines, None
    return lines[:MAX_HEADLINE], Section(MORE_FINDINGS_ID, "More findings", lines[MAX_HEADLINE:])


def _check_unique(sections: Sequence[Section]) -> None:
    ids = [s.id for s in sections] + ["headline", "about"]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"report section ids must be unique (they are link targets); repeated: {duplicated}")
    names = [item.name for s in sections for item in s.items if isinstance(item, ReportTable)]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"report table names must be unique (each is a CSV file); repeated: {duplicated}")


def _tables_manifest(slug: str, sections: Sequence[Section], min_group_size: int) -> str:
    tables = [
        {
            "name": item.name,
            "csv": f"{item.name}.csv",
            "title": item.title,
            "section": section.id,
            "rows": len(item.frame),
            "columns": [str(c) for c in item.frame.columns],
            "count_columns": list(item.count_columns),
            "suppressed_rows": int(item.frame[SUPPRESSED_COLUMN].astype(bool).sum())
            if SUPPRESSED_COLUMN in item.frame.columns
            else 0,
        }
        for section in sections
        for item in section.items
        if isinstance(item, ReportTable)
    ]
    return (
        json.dumps(
            {"report": f"{slug}.html", "min_group_size": min_group_size, "tables": tables}, indent=1, ensure_ascii=False
        )
        + "\n"
    )


def write_report(
    slug: str,
    *,
    title: str,
    subtitle: str,
    headline: Sequence[str],
    sections: Sequence[Section],
    settings: ProjectSettings,
    inputs: pd.DataFrame,
    links: Sequence[tuple[str, str]] = (),
    built_at: _dt.datetime | None = None,
    weighting: str | None = None,
    small_groups: Literal["suppress", "raise"] = "suppress",
    back_to_alignment: bool = True,
) -> Path:
    """Write reports/<slug>.html, reports/<slug>/<table>.csv for every table and reports/<slug>/tables.json;
    return the HTML path.

    `links` are (label, href) pairs shown in the contents bar; every report but the alignment report also links
    back to it (`back_to_alignment`). `weighting`, when given, says how figures are weighted (and the effective
    sample size) under the headline. Table rows showing a group below privacy.min_group_size (see
    ReportTable.count_columns) are suppressed, or raise SmallGroupError with `small_groups="raise"`; a table
    holding an email address raises PrivacyError. Headers, field names and field keys in the words are shown by
    label (alignkit.report.labels); a headline longer than MAX_HEADLINE lines keeps its first lines and the rest
    opens the page as "More findings". Every CSV's text cells are written inert (alignkit.report.safe_csv).
    """
    reports_dir = settings.reports_dir
    min_group_size = settings.privacy.min_group_size
    labels = project_labels(settings)
    headline, more = split_headline([labels.text(line) for line in headline])
    sections = relabel_sections(([more] if more is not None else []) + list(sections), labels)
    _check_unique(sections)
    for section in sections:
        for item in section.items:
            if isinstance(item, ReportTable):
                refuse_emails(item)
    sections = [
        replace(
            section,
            items=tuple(
                enforce_min_group_size(item, min_group_size, small_groups) if isinstance(item, ReportTable) else item
                for item in section.items
            ),
        )
        for section in sections
    ]
    for section in sections:
        for item in section.items:
            if isinstance(item, ReportTable):
                write_inert_csv(item.frame, reports_dir / slug / f"{item.name}.csv")
    write_atomic_text(reports_dir / slug / TABLES_MANIFEST, _tables_manifest(slug, sections, min_group_size))
    links = list(links)
    if back_to_alignment and slug != ALIGNMENT_SLUG and BACK_TO_ALIGNMENT[1] not in {href for _, href in links}:
        links.insert(0, BACK_TO_ALIGNMENT)
    built = build_time(built_at)
    html = (
        _templates()
        .get_template("report.html.j2")
        .render(
            title=title,
            subtitle=subtitle,
            headline=headline,
            sections=sections,
            slug=slug,
            links=links,
            inputs=inputs,
            settings_yaml=yaml.safe_dump(settings.public_summary(), sort_keys=False, allow_unicode=True),
            versions=library_versions(),
            built_at=built.isoformat(),
            build_time_class=BUILD_TIME_CLASS,
            run=os.environ.get(RUN_ENV, "").strip(),
            build_run_class=BUILD_RUN_CLASS,
            project=settings.project,
            weighting=weighting and labels.text(weighting),
            min_group_size=min_group_size,
            **_table_helpers(labels),
        )
    )
    return write_atomic_text(reports_dir / f"{slug}.html", html)
