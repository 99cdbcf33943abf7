"""The `alignkit` command: demo-data, init, validate, run."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from alignkit import __version__
from alignkit.errors import AlignkitError

if TYPE_CHECKING:
    from types import ModuleType

    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"


def _notebook_dir() -> Path:
    """Return the folder of the shipped notebooks (the repository's notebooks/, linked into the package)."""
    return Path(str(resources.files("alignkit") / "notebooks"))


def cmd_demo_data(args: argparse.Namespace) -> int:
    from alignkit.demo.generator import write_demo_exports

    paths = write_demo_exports(Path(args.dir), seed=args.seed)
    for name, path in paths.items():
        print(f"wrote {name:9s} {path}")
    return 0


def _strip_outputs(source: Path, target: Path) -> None:
    # Plain JSON, written as nbformat writes it: importing nbformat (its JSON-schema validator) took 3 of `init`'s 4 s,
    # and our own notebooks need no validation or conversion to have their outputs cleared.
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def cmd_init(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    project_file = folder / "alignkit.yml"
    if project_file.exists() and not args.force:
        print(f"{project_file} already exists; use --force to overwrite the template files.", file=sys.stderr)
        return 1
    for sub in ("data/raw", "data/processed", "reports", "notebooks"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(str(resources.files("alignkit") / "project_template.yml")), project_file)
    (folder / "data/raw/README.md").write_text(
        "Put your exports here (survey and CRM), name them in ../../alignkit.yml, then run `alignkit validate`.\n"
        "alignkit never modifies this folder.\n", encoding="utf-8")
    for notebook in sorted(_notebook_dir().glob(NOTEBOOK_GLOB)):
        _strip_outputs(notebook, folder / "notebooks" / notebook.name)
    from alignkit.config import write_salt

    write_salt(folder)
    if args.sources:
        from alignkit.draft.writer import write_draft

        _, draft = write_draft([Path(s) for s in args.sources], folder)
        for export in draft.exports:
            if export.frame.empty and export.reason:
                print(f"skipped {export.path.name}: {export.reason}")
            else:
                print(f"read {export.path.name}: {export.kind or 'not used'} ({len(export.frame):,} rows)")
        print(f"created {folder}/: alignkit.yml drafted from {len(draft.exports)} export(s) — review every "
              "`# guessed:` comment, then `alignkit validate` and `alignkit run`.")
        return 0
    print(f"created {folder}/: alignkit.yml (edit it first), data/raw/, data/processed/, reports/, notebooks/")
    print("next: copy your exports into data/raw/, edit alignkit.yml, then `alignkit validate` and `alignkit run`.")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from alignkit.config import load_settings
    from alignkit.plan import analysis_plan
    from alignkit.prepare.validate import file_notes, pii_suggestions, validate_project

    settings = load_settings(args.project)
    print("What this project file enables:")
    for planned in analysis_plan(settings, facts={}):   # from the file alone: the last run's data may be stale
        print(f"  {planned.notebook} {planned.title}: {'runs' if planned.runs else 'skipped'} — {planned.reason}")
    problems = validate_project(settings, deep=not args.quick)
    for note in file_notes(settings):
        print(f"  note: {note}")
    if not args.quick and not problems:
        for suggestion in pii_suggestions(settings):   # named like personal data, valued like an attribute: kept
            print(f"  note: {suggestion.message}")
    if not problems:
        print(f"{settings.source_file}: project file and inputs look good.")
        return 0
    print(f"{len(problems)} problem(s) found:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem.message}", file=sys.stderr)
    return 1


def _notebook_failure(notebook: Path, executed: Path, error: PapermillExecutionError) -> str:
    """Return the message for a notebook that failed under papermill: notebook, cell, error, the copy to open."""
    lines = str(error.evalue).strip().splitlines()
    what = f"{error.ename}: {lines[0]}" if lines else str(error.ename)
    return (f"alignkit: notebook {notebook.name} failed in cell {error.cell_index + 1} of the executed copy "
            f"(In [{error.exec_count}]) with {what.rstrip('.')}.\n"
            f"Open {executed} to see the cell and its full traceback; fix the cause and run again.")


# jsonschema (which papermill reaches through nbformat's validator) imports the optional rfc3987_syntax to check
# "iri" formats, and that builds a Lark grammar on import: 0.85 s of papermill's 1.25 s import, for a check no
# notebook schema uses. Marking it absent makes jsonschema skip that one format checker, in this process only.
SKIPPED_OPTIONAL_IMPORTS = ("rfc3987_syntax",)


def cmd_run(args: argparse.Namespace) -> int:
    for name in SKIPPED_OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None in sys.modules: import raises ImportError
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from alignkit.config import load_settings
    from alignkit.kernels import KernelPool
    from alignkit.plan import FACTS_FILE, analysis_plan
    from alignkit.report.skipped import write_skipped_report
    from alignkit.runner import Outcome, default_jobs, run_notebooks

    settings = load_settings(args.project)
    project_file = settings.source_file
    assert project_file is not None   # load_settings records the file it read
    notebooks_dir = settings.root / settings.paths.notebooks
    if not notebooks_dir.exists():
        notebooks_dir = _notebook_dir()
    notebooks = sorted(notebooks_dir.glob(NOTEBOOK_GLOB))
    if args.only:
        notebooks = [n for n in notebooks if n.name[:2] in set(args.only.split(","))]
    if not notebooks:
        print(f"no notebooks named NN_*.ipynb in {notebooks_dir}", file=sys.stderr)
        return 1
    executed_dir = settings.reports_dir / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    if any(n.name[:2] == "01" for n in notebooks):
        (settings.processed_dir / FACTS_FILE).unlink(missing_ok=True)   # notebook 01 writes this run's facts
    positions = {n.name: i for i, n in enumerate(notebooks)}
    planned_now = {p.notebook: p for p in analysis_plan(settings)}
    later = [n for n in notebooks[1:] if planned_now.get(n.name[:2]) is None or planned_now[n.name[:2]].runs]
    # kernels for the later notebooks start (and import) while the first runs; POSIX only, for their socket files
    pool = KernelPool(later, extra_arguments=KERNEL_ARGUMENTS) if later and os.name == "posix" else None

    def start(notebook: Path) -> Outcome:
        # planned anew before each notebook: what notebook 01 found in the data can rule out a later analysis
        planned = {p.notebook: p for p in analysis_plan(settings)}.get(notebook.name[:2])
        if planned is not None and not planned.runs:
            report = write_skipped_report(planned, settings)
            return Outcome(notebook, "skipped", f"skipped {notebook.name}: {planned.reason} "
                                                f"(wrote {_shown_path(report)})")
        executed = executed_dir / notebook.name
        before = _report_times(settings.reports_dir)
        warm = pool.take(notebook) if pool is not None else None
        try:
            _execute_quietly(papermill, notebook, executed, project_file, position=positions[notebook.name],
                             kernel=warm.manager if warm is not None else None)
        except PapermillExecutionError as error:
            return Outcome(notebook, "failed", _notebook_failure(notebook, executed, error))
        finally:
            if warm is not None:
                warm.shutdown()
        own = [r for r in _written_since(settings.reports_dir, before) if r.name[:2] == notebook.name[:2]]
        return Outcome(notebook, "ran", details=[f"wrote {_shown_path(r)}" for r in own])

    def done(outcome: Outcome) -> None:
        for line in [*outcome.details, *([outcome.message] if outcome.message else [])]:
            print(line if outcome.status != "not run" else f"did not run {outcome.notebook.name}: {line}",
                  file=sys.stderr)

    try:
        outcomes = run_notebooks(notebooks, start=start, jobs=args.jobs or default_jobs(), done=done)
    finally:
        if pool is not None:
            pool.close()
    return 2 if any(o.status in ("failed", "not run") for o in outcomes) else 0


# The kernel's own logging (e.g. "Kernel is running over TCP without encryption", or "KeyboardInterrupt caught in
# kernel" when it is interrupted on shutdown) is not for the person running the notebooks: a failing cell and a dead
# kernel reach them through papermill's errors. Cell output stays in the executed copy of each notebook.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]


def _execute_quietly(papermill: ModuleType, notebook: Path, executed: Path, project_file: Path, *, position: int = 0,
                     kernel: object | None = None) -> None:
    """Run one notebook with papermill: one progress bar named after it (on line `position`, so bars of notebooks
    running side by side do not overwrite each other), no kernel or library log lines; in `kernel` (a started
    kernel manager, `alignkit.kernels`) when given, else in a kernel of its own."""
    import logging
    import warnings

    logging.getLogger("papermill").setLevel(logging.ERROR)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    with warnings.catch_warnings(), tempfile.TemporaryDirectory(prefix="alignkit-kernel-") as sockets:
        warnings.simplefilter("ignore")
        papermill.execute_notebook(str(notebook), str(executed),
                                   parameters={"project_file": str(project_file.resolve())},
                                   # the kernel starts in the notebook's folder without papermill's `cwd`, which
                                   # changes the folder of the whole process: unsafe with notebooks side by side
                                   resources={"metadata": {"path": str(notebook.parent)}},
                                   log_output=False, extra_arguments=KERNEL_ARGUMENTS,
                                   **({"km": kernel} if kernel is not None else {}),
                                   config=kernel_transport(Path(sockets)),
                                   progress_bar={"desc": notebook.stem, "unit": "cell", "leave": True,
                                                 "position": position})


def kernel_transport(sockets: Path) -> Config:
    """Return the kernel manager's config: Unix sockets in `sockets` where the platform has them, else TCP.

    Over TCP, jupyter_client picks each of the kernel's five ports by binding port 0 and letting it go; two kernels
    started at once (two `alignkit run`s, or a run beside JupyterLab) can be handed the same port, and the kernel
    then prints "Address already in use" tracebacks. Sockets in a folder of the run's own cannot collide.
    """
    from traitlets.config import Config

    if os.name != "posix":
        return Config()
    return Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})


def _report_times(reports_dir: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in reports_dir.glob("*.html")}


def _written_since(reports_dir: Path, before: dict[Path, int]) -> list[Path]:
    """Return the reports written or rewritten since `before` (path -> modification time)."""
    return [path for path, mtime in sorted(_report_times(reports_dir).items()) if before.get(path) != mtime]


def _shown_path(path: Path) -> str:
    """Return a path relative to the current folder when it is inside it (shorter in the terminal)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --- alignkit assign (persona segments, notebook 03) ---------------------------------------------------------


def cmd_assign(args: argparse.Namespace) -> int:
    from alignkit.config import load_settings
    from alignkit.personas.waves import assign_wave, summary_lines, write_wave_outputs

    settings = load_settings(args.project)
    result = assign_wave(Path(args.survey), settings, format=args.format)
    written = write_wave_outputs(result, settings)
    what = "customers" if settings.persona_source == "crm" else "responses"
    unassigned = int(result.assignments["persona_id"].isna().sum())
    print(f"assigned {len(result.assignments) - unassigned:,} {what} of {Path(args.survey).name} to the saved personas"
          + (f" ({unassigned:,} answered too few of the persona questions: in no persona)" if unassigned else ""))
    print(f"persona shares, fitted → new ({what} without a quality flag), largest move first:")
    for line in summary_lines(result):
        print(line)
    print(f"wrote {written['assignments']}")
    print(f"wrote {written['report']}")
    return 0


def _add_assign_command(commands: argparse._SubParsersAction) -> None:
    """Register `alignkit assign NEW_SURVEY`: a new survey wave onto the saved personas, with a drift report."""
    assign = commands.add_parser("assign", help="assign a new survey wave (or new customers) to the saved personas "
                                                "and report drift")
    assign.add_argument("survey", metavar="NEW_SURVEY", help="the new wave's survey export (same questions as the fitted "
                        "one); with personas.source: crm, a file of new customers shaped like the contacts export")
    assign.add_argument("--project", default="alignkit.yml", help="project file (default: ./alignkit.yml)")
    assign.add_argument("--format", default="auto", help="survey export format (default: auto)",
                        choices=["auto", "qualtrics", "surveymonkey", "google_forms", "plain", "spss"])
    assign.set_defaults(func=cmd_assign)


# --- alignkit score (converting leads, notebook 04) ------------------------------------------------------------


def cmd_score(args: argparse.Namespace) -> int:
    from alignkit.config import load_settings
    from alignkit.leads.new_leads import score_file, write_scores

    settings = load_settings(args.project)
    scores = score_file(Path(args.file), settings)
    out = write_scores(scores, Path(args.out))
    bands = scores["band"].value_counts().reindex(["A", "B", "C", "D"], fill_value=0)
    print(f"scored {len(scores):,} leads from {args.file} -> {out} "
          f"(bands: {', '.join(f'{b} {n:,}' for b, n in bands.items())})")
    return 0


def _add_score_command(commands: argparse._SubParsersAction) -> None:
    """Register `alignkit score FILE`: score a CRM contacts export with the lead score notebook 04 saved."""
    score = commands.add_parser("score", help="score leads in a CRM contacts export: score, band A-D, top reasons")
    score.add_argument("file", help="CRM contacts export (same format as the project's contacts export)")
    score.add_argument("--project", default="alignkit.yml", help="project file (default: ./alignkit.yml)")
    score.add_argument("--out", default="scores.csv", help="CSV to write (default: scores.csv)")
    score.set_defaults(func=cmd_score)


# ----------------------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the `alignkit` command."""
    parser = argparse.ArgumentParser(prog="alignkit", description=__doc__)
    parser.add_argument("--version", action="version", version=f"alignkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo-data", help="write the synthetic demo exports into data/raw")
    demo.add_argument("--dir", default="data/raw", help="folder to write into (default: data/raw)")
    demo.add_argument("--seed", type=int, default=42, help="random seed (same seed, byte-identical files)")
    demo.set_defaults(func=cmd_demo_data)
    init = commands.add_parser("init", help="create a new analysis folder with a commented alignkit.yml "
                                            "(drafted from your exports with --from)")
    init.add_argument("dir", nargs="?", default=".", help="the analysis folder (default: the current folder)")
    init.add_argument("--from", dest="sources", nargs="+", metavar="EXPORT",
                      help="draft alignkit.yml from these exports (files, or a folder such as data/raw)")
    init.add_argument("--force", action="store_true", help="overwrite an existing alignkit.yml")
    init.set_defaults(func=cmd_init)
    validate = commands.add_parser("validate", help="check the project file and its inputs; list every problem")
    validate.add_argument("--project", default="alignkit.yml", help="project file (default: ./alignkit.yml)")
    validate.add_argument("--quick", action="store_true", help="check files and columns only, not values")
    validate.set_defaults(func=cmd_validate)
    run = commands.add_parser("run", help="execute the numbered notebooks in order; each writes its report")
    run.add_argument("--project", default="alignkit.yml", help="project file (default: ./alignkit.yml)")
    run.add_argument("--only", help="comma-separated notebook numbers to run, e.g. 01,02")
    run.add_argument("--jobs", type=int, default=0, metavar="N",
                     help="notebooks run side by side once 01 has written its tables (default: one a core, at most 3)")
    run.set_defaults(func=cmd_run)
    _add_assign_command(commands)
    _add_score_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (errors for people, not tracebacks)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AlignkitError as error:
        print(f"alignkit: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
