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
    from alignkit.config import ProjectSettings
    from alignkit.draft.writer import ProjectDraft

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
    """Create the project folder, all or nothing: everything is written into a temporary folder beside it, then
    moved into place; a refused export leaves no half-made project behind (a retry is not told to --force)."""
    folder = Path(args.dir)
    project_file = folder / "alignkit.yml"
    if project_file.exists() and not args.force:
        print(f"{project_file} already exists; use --force to overwrite the template files.", file=sys.stderr)
        return 1
    from alignkit.draft.folder import move_into_place, refused_message

    parent = folder.resolve().parent
    made = next((p for p in reversed([parent, *parent.parents]) if not p.exists()), None)  # removed on failure
    parent.mkdir(parents=True, exist_ok=True)
    draft_dir = Path(tempfile.mkdtemp(prefix=f".{folder.resolve().name}.alignkit-init-", dir=parent))
    try:
        draft = _write_project(args, folder, draft_dir)
        move_into_place(draft_dir, folder.resolve())
    except AlignkitError as error:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
        print(
            f"alignkit: {refused_message(error, ['alignkit', 'init', args.dir, '--from', *(args.sources or [])])}",
            file=sys.stderr,
        )
        return 2
    finally:
        shutil.rmtree(draft_dir, ignore_errors=True)
    if draft is not None:
        for export in draft.exports:
            if export.frame.empty and export.reason:
                print(f"skipped {export.path.name}: {export.reason}")
            else:
                print(f"read {export.path.name}: {export.kind or 'not used'} ({len(export.frame):,} rows)")
            for note in export.notes:
                print(f"  note: {note}")
        print(
            f"created {folder}/: alignkit.yml drafted from {len(draft.exports)} export(s) — review every "
            "`# guessed:` comment, then `alignkit validate` and `alignkit run`."
        )
        return 0
    print(f"created {folder}/: alignkit.yml (edit it first), data/raw/, data/processed/, reports/, notebooks/")
    print("next: copy your exports into data/raw/, edit alignkit.yml, then `alignkit validate` and `alignkit run`.")
    return 0


def _write_project(args: argparse.Namespace, folder: Path, into: Path) -> ProjectDraft | None:
    """Write the project's files into `into` (paths in the drafted alignkit.yml are relative to `folder`, where
    they will live); return the draft with --from, else None."""
    for sub in ("data/raw", "data/processed", "reports", "notebooks"):
        (into / sub).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(str(resources.files("alignkit") / "project_template.yml")), into / "alignkit.yml")
    (into / "data/raw/README.md").write_text(
        "Put your exports here (survey and CRM), name them in ../../alignkit.yml, then run `alignkit validate`.\n"
        "alignkit never modifies this folder.\n",
        encoding="utf-8",
    )
    for notebook in sorted(_notebook_dir().glob(NOTEBOOK_GLOB)):
        _strip_outputs(notebook, into / "notebooks" / notebook.name)
    from alignkit.config import SALT_FILE_NAME, write_salt

    if (folder / SALT_FILE_NAME).exists():  # an existing salt is kept: the pseudonyms stay the same
        shutil.copy2(folder / SALT_FILE_NAME, into / SALT_FILE_NAME)
    if (folder / ".gitignore").exists():
        shutil.copy2(folder / ".gitignore", into / ".gitignore")
    write_salt(into)
    if not args.sources:
        return None
    from alignkit.draft.writer import write_draft

    return write_draft(
        [Path(s) for s in args.sources], folder, into=into, encoding=args.encoding, delimiter=args.delimiter
    )[1]


def cmd_validate(args: argparse.Namespace) -> int:
    from alignkit.config import load_settings
    from alignkit.plan import analysis_plan
    from alignkit.prepare.validate import file_notes, pii_suggestions, validate_project

    settings = load_settings(args.project)
    print("What this project file enables:")
    for planned in analysis_plan(settings, facts={}):  # from the file alone: the last run's data may be stale
        print(f"  {planned.notebook} {planned.title}: {'runs' if planned.runs else 'skipped'} — {planned.reason}")
    notes: list[str] = []
    problems = validate_project(settings, deep=not args.quick, notes=notes)
    for note in [*file_notes(settings), *dict.fromkeys(notes)]:
        print(f"  note: {note}")
    from alignkit.runs.check import run_notes

    left = run_notes(settings)  # reports built from other inputs, or by a run that did not finish
    if left:
        print("What the last runs left:")
    for note in left:
        print(f"  - {note}")
    if not args.quick and not problems:
        for suggestion in pii_suggestions(settings):  # named like personal data, valued like an attribute: kept
            print(f"  note: {suggestion.message}")
    if not problems:
        print(f"{settings.source_file}: project file and inputs look good.")
        return 0
    print(f"{len(problems)} problem(s) found:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem.message}", file=sys.stderr)
    return 1


# jsonschema (which papermill reaches through nbformat's validator) imports the optional rfc3987_syntax to check
# "iri" formats, and that builds a Lark grammar on import: 0.85 s of papermill's 1.25 s import, for a check no
# notebook schema uses. Marking it absent makes jsonschema skip that one format checker, in this process only.
SKIPPED_OPTIONAL_IMPORTS = ("rfc3987_syntax",)


def cmd_run(args: argparse.Namespace) -> int:
    from alignkit.config import load_settings
    from alignkit.runs.lock import project_lock

    settings = load_settings(args.project)
    command = " ".join(["alignkit", *getattr(args, "argv", ["run"])])
    with project_lock(
        settings.root,
        command=command,
        wait=args.wait,
        waiting=lambda message: print(message, file=sys.stderr, flush=True),
    ):
        return _run_locked(args, settings, command)


def _run_locked(args: argparse.Namespace, settings: ProjectSettings, command: str) -> int:
    """Run the notebooks while holding the project's lock: the manifest records the run, its kernels inherit its id
    (each report's footer names it), a signal ends it in order (see alignkit.runs)."""
    for name in SKIPPED_OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None in sys.modules: import raises ImportError
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from alignkit.kernels import KernelPool, remove_orphan_folders
    from alignkit.plan import FACTS_FILE, analysis_plan
    from alignkit.report.skipped import write_skipped_report
    from alignkit.runner import Outcome, default_jobs, run_notebooks
    from alignkit.runs.copies import running_copy, settle_copy, settle_left_copies
    from alignkit.runs.execute import KERNEL_ARGUMENTS, execute_quietly, notebook_failure, report_times, written_since
    from alignkit.runs.manifest import RunRecord
    from alignkit.runs.stop import guarded_run

    project_file = settings.source_file
    assert project_file is not None  # load_settings records the file it read
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
    remove_orphan_folders()  # kernel folders of runs that were killed
    settle_left_copies(executed_dir)  # and their executed copies, now named .interrupted
    if any(n.name[:2] == "01" for n in notebooks):
        (settings.processed_dir / FACTS_FILE).unlink(missing_ok=True)  # notebook 01 writes this run's facts
    record = RunRecord(settings, notebooks, command=command)
    positions = {n.name: i for i, n in enumerate(notebooks)}
    written: dict[str, list[Path]] = {}

    def start(notebook: Path) -> Outcome:
        record.notebook_started(notebook)
        # planned anew before each notebook: what notebook 01 found in the data can rule out a later analysis
        planned = {p.notebook: p for p in analysis_plan(settings)}.get(notebook.name[:2])
        if planned is not None and not planned.runs:
            report = write_skipped_report(planned, settings)
            written[notebook.name[:2]] = [report]
            return Outcome(
                notebook, "skipped", f"skipped {notebook.name}: {planned.reason} (wrote {_shown_path(report)})"
            )
        executed = running_copy(executed_dir, notebook)
        before = report_times(settings.reports_dir)
        warm = pool.take(notebook) if pool is not None else None
        try:
            execute_quietly(
                papermill,
                notebook,
                executed,
                project_file,
                position=positions[notebook.name],
                kernel=warm.manager if warm is not None else None,
            )
        except PapermillExecutionError as error:
            return Outcome(notebook, "failed", notebook_failure(notebook, settle_copy(executed, "failed"), error))
        except Exception:
            settle_copy(executed, "failed")
            raise
        finally:
            if warm is not None:
                warm.shutdown()
        settle_copy(executed, "ran")
        own = [r for r in written_since(settings.reports_dir, before) if r.name[:2] == notebook.name[:2]]
        written[notebook.name[:2]] = own
        return Outcome(notebook, "ran", details=[f"wrote {_shown_path(r)}" for r in own])

    def done(outcome: Outcome) -> None:
        record.notebook_done(outcome.notebook, outcome.status, written.get(outcome.number, []))
        for line in [*outcome.details, *([outcome.message] if outcome.message else [])]:
            print(
                line if outcome.status != "not run" else f"did not run {outcome.notebook.name}: {line}", file=sys.stderr
            )

    pool = None
    with guarded_run(record, executed_dir):  # the run's id exported to its kernels; a signal ends it in order
        try:
            planned_now = {p.notebook: p for p in analysis_plan(settings)}
            later = [n for n in notebooks[1:] if planned_now.get(n.name[:2]) is None or planned_now[n.name[:2]].runs]
            # kernels for the later notebooks start (and import) while the first runs; POSIX only (socket files)
            pool = KernelPool(later, extra_arguments=KERNEL_ARGUMENTS) if later and os.name == "posix" else None
            outcomes = run_notebooks(notebooks, start=start, jobs=args.jobs or default_jobs(), done=done)
        finally:
            if pool is not None:
                pool.close()
        failed = any(o.status in ("failed", "not run") for o in outcomes)
        record.finish("failed" if failed else "finished")
    return 2 if failed else 0


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
    print(
        f"assigned {len(result.assignments) - unassigned:,} {what} of {Path(args.survey).name} to the saved personas"
        + (f" ({unassigned:,} answered too few of the persona questions: in no persona)" if unassigned else "")
    )
    print(f"persona shares, fitted → new ({what} without a quality flag), largest move first:")
    for line in summary_lines(result):
        print(line)
    print(f"wrote {written['assignments']}")
    print(f"wrote {written['report']}")
    return 0


def _add_assign_command(commands: argparse._SubParsersAction) -> None:
    """Register `alignkit assign NEW_SURVEY`: a new survey wave onto the saved personas, with a drift report."""
    assign = commands.add_parser(
        "assign", help="assign a new survey wave (or new customers) to the saved personas and report drift"
    )
    assign.add_argument(
        "survey",
        metavar="NEW_SURVEY",
        help="the new wave's survey export (same questions as the fitted "
        "one); with personas.source: crm, a file of new customers shaped like the contacts export",
    )
    assign.add_argument("--project", default="alignkit.yml", help="project file (default: ./alignkit.yml)")
    assign.add_argument(
        "--format",
        default="auto",
        help="survey export format (default: auto)",
        choices=["auto", "qualtrics", "surveymonkey", "google_forms", "plain", "spss"],
    )
    assign.set_defaults(func=cmd_assign)


# --- alignkit score (converting leads, notebook 04) ------------------------------------------------------------


def cmd_score(args: argparse.Namespace) -> int:
    from alignkit.config import load_settings
    from alignkit.leads.new_leads import score_file, write_scores

    settings = load_settings(args.project)
    scores = score_file(Path(args.file), settings)
    out = write_scores(scores, Path(args.out))
    bands = scores["band"].value_counts().reindex(["A", "B", "C", "D"], fill_value=0)
    print(
        f"scored {len(scores):,} leads from {args.file} -> {out} "
        f"(bands: {', '.join(f'{b} {n:,}' for b, n in bands.items())})"
    )
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
    init = commands.add_parser(
        "init",
        help="create a new analysis folder with a commented alignkit.yml (drafted from your exports with --from)",
    )
    init.add_argument("dir", nargs="?", default=".", help="the analysis folder (default: the current folder)")
    init.add_argument(
        "--from",
        dest="sources",
        nargs="+",
        metavar="EXPORT",
        help="draft alignkit.yml from these exports (files, or a folder such as data/raw)",
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing alignkit.yml")
    init.add_argument(
        "--encoding",
        default="auto",
        help="read the exports with this text encoding, e.g. cp1252 or latin-1 (default: sniffed from each file)",
    )
    init.add_argument(
        "--delimiter",
        default="auto",
        help="read the exports with this delimiter, e.g. ';' or tab (default: sniffed from each file)",
    )
    init.set_defaults(func=cmd_init)
    validate = commands.add_parser("validate", help="check the project file and its inputs; list every problem")
    validate.add_argument("--project", default="alignkit.yml", help="project file (default: ./alignkit.yml)")
    validate.add_argument("--quick", action="store_true", help="check files and columns only, not values")
    validate.set_defaults(func=cmd_validate)
    run = commands.add_parser("run", help="execute the numbered notebooks in order; each writes its report")
    run.add_argument("--project", default="alignkit.yml", help="project file (default: ./alignkit.yml)")
    run.add_argument("--only", help="comma-separated notebook numbers to run, e.g. 01,02")
    run.add_argument(
        "--wait",
        action="store_true",
        help="when another run is going on in this project folder, wait for it to end (default: refuse)",
    )
    run.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="notebooks run side by side once 01 has written its tables (default: one a core, at most 3)",
    )
    run.set_defaults(func=cmd_run)
    _add_assign_command(commands)
    _add_score_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (errors for people, not tracebacks)."""
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # the command as typed, for the run's manifest
    try:
        return args.func(args)
    except AlignkitError as error:
        print(f"alignkit: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
