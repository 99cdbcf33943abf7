"""Run a corpus of real exports through alignkit as a new user would, and print what happened to each.

For every case of DIR (a sub-folder: all its files form one case; a file at the top level: a case of its own;
SOURCES.md, SOURCES.json and *.md are notes, not exports) the exports are copied into a fresh temporary folder
(DIR is only read), then `alignkit init <tmp>/project --from …`, `alignkit validate` and `alignkit run` are run
there without ALIGNKIT_SALT, each with a timeout. It measures: whether the case ran to the end, the first step that
failed and its message, any "Traceback" in the steps' output, the executed notebooks or the reports, the role the
draft gave each file, the drafted outcome, the conversion rate in data/processed/leads.parquet, the personas formed,
and the seconds per step. It always exits 0: it is a measuring tool.

    .venv/bin/python bench/real_exports.py DIR [--only NAME ...] [--no-run] [--timeout S] [--keep WORKDIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import yaml

ALIGNKIT = Path(sys.executable).parent / "alignkit"
NOTES = {"SOURCES.md", "SOURCES.json"}
NOISE = re.compile(r"cell/s|it/s|^\W*$|^Open .* to see|^File \"|^Traceback")
COLUMNS = ("case", "ran", "failed step", "message", "traceback", "roles", "outcome", "rate", "personas", "seconds")


@dataclass
class Step:
    name: str
    returncode: int | None
    seconds: float
    stdout: str
    stderr: str


@dataclass
class CaseResult:
    case: str
    files: list[str]
    ran: str = "no"
    failed_step: str = ""
    message: str = ""
    traceback_in: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    outcome: str = ""
    rate: str = ""
    personas: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    steps: list[dict] = field(default_factory=list)


def is_export(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".") and path.name not in NOTES and path.suffix.lower() != ".md"


def find_cases(folder: Path) -> dict[str, list[Path]]:
    """Return each case's name and export files: a sub-folder's files, or a top-level file alone."""
    cases: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            files = sorted(f for f in entry.iterdir() if is_export(f))
            if files:
                cases[entry.name] = files
        elif is_export(entry):
            cases[entry.name] = [entry]
    return cases


def run_step(name: str, args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Step:
    """Run one alignkit command in its own process group; on timeout kill the group (kernels included)."""
    started = time.perf_counter()
    process = subprocess.Popen([str(ALIGNKIT), *args], cwd=cwd, env=env, text=True, errors="replace",
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        code, err = None, err + f"\ntimed out after {timeout:.0f} s"
    return Step(name, code, round(time.perf_counter() - started, 1), out, err)


def key_line(step: Step) -> str:
    """Return the one line that says why a step failed: alignkit's own error, else the first problem, else the last."""
    lines = [line.strip() for line in (step.stderr.strip() or step.stdout).splitlines()]
    lines = [line for line in lines if not NOISE.search(line)]
    if not lines:
        return f"exit code {step.returncode}"
    own = [line for line in lines if line.startswith(("alignkit:", "timed out"))]
    found = [i for i, line in enumerate(lines) if "problem(s) found" in line]
    if own:
        line = own[-1]
    elif found and found[0] + 1 < len(lines):
        line = f"{lines[found[0]].rstrip(':')}: {lines[found[0] + 1].lstrip('- ')}"
    else:
        line = lines[-1]
    return line if len(line) <= 100 else line[:99] + "…"


def skipped_notebooks(validate: Step) -> str:
    """Return 'skips 02, 03' for the notebooks `alignkit validate` says this project file does not run."""
    numbers = re.findall(r"^\s*(\d\d) [^\n]*?: skipped —", validate.stdout, flags=re.MULTILINE)
    return f"skips {', '.join(numbers)}" if numbers else ""


def traceback_places(project: Path, paths: dict, steps: list[Step]) -> list[str]:
    """Return where 'Traceback' appears: a step's output, an executed notebook's outputs, a report."""
    places = [step.name for step in steps if "Traceback" in step.stdout + step.stderr]
    reports, notebooks = project / paths.get("reports", "reports"), project / paths.get("notebooks", "notebooks")
    for notebook in sorted([*notebooks.glob("*.ipynb"), *(reports / "executed").glob("*.ipynb")]):
        try:
            cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        if any("Traceback" in json.dumps(cell.get("outputs", [])) for cell in cells):
            places.append(str(notebook.relative_to(project)))
    places += [str(r.relative_to(project)) for r in sorted(reports.glob("*.html")) if "Traceback" in r.read_text("utf-8", "replace")]
    return places


def yaml_roles(node: object, trail: tuple[str, ...], roles: dict[str, str]) -> None:
    """Collect file name -> role from the loaded project file: a `role:` key, else the section holding `file:`."""
    if isinstance(node, dict):
        if isinstance(node.get("file"), str) and trail:
            section = "lookup" if trail[-1] == "lookups" else trail[-1]
            roles[Path(node["file"]).name] = str(node.get("role") or section)
        for key, value in node.items():
            yaml_roles(value, (*trail, str(key)), roles)
    elif isinstance(node, list):
        for item in node:
            yaml_roles(item, trail, roles)


def draft_roles(text: str, loaded: dict, names: list[str]) -> dict[str, str]:
    """Return each input file's drafted role: the `meaning` section, else the YAML, else the draft's comments."""
    comments: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        unused = re.match(r"#\s*not used:\s*(.+?) \(([^:)]*)", line)
        if unused:
            comments[unused.group(1)] = f"unused {unused.group(2)}".strip()
        for name in names:
            if line.startswith(f"# {name} — "):
                comments.setdefault(name, line[len(name) + 5:].split(":")[0].strip())
    structural: dict[str, str] = {}
    yaml_roles({k: v for k, v in loaded.items() if k != "meaning"}, (), structural)
    meaning: dict[str, str] = {}
    section = loaded.get("meaning") or loaded.get("roles")
    if isinstance(section, dict):
        for key, value in section.items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and Path(item).name in names:
                    meaning[Path(item).name] = str(key)
                elif isinstance(item, str) and Path(str(key)).name in names:
                    meaning[Path(str(key)).name] = item
    return {n: meaning.get(n) or structural.get(n) or comments.get(n) or "not read" for n in names}


def drafted_outcome(text: str, loaded: dict) -> str:
    """Return the drafted outcome as 'column = value(s)'."""
    crm = loaded.get("crm") or {}
    columns = ((crm.get("contacts") or {}).get("columns") or {}) if isinstance(crm, dict) else {}
    funnel, outcome = loaded.get("funnel") or {}, loaded.get("outcome") or {}
    membership = [f"{k} = {v}" for section in (loaded, outcome) if isinstance(section, dict)
                  for k, v in section.items() if "membership" in str(k)]
    if isinstance(funnel, dict) and funnel.get("converted_stage") is not None:
        drafted = re.search(r"#\s*stages drafted from (.+?):", text)
        column = drafted.group(1) if drafted else columns.get("stage", "stage")
        return f"{column} = {funnel['converted_stage']}"
    if isinstance(outcome, dict) and outcome.get("converted_values"):
        comment = re.search(r"^outcome:\n\s+#\s*(.+?):", text, flags=re.MULTILINE)
        column = columns.get("converted") or columns.get("stage") or (comment.group(1) if comment else "?")
        return f"{column} = {', '.join(map(str, outcome['converted_values']))}"
    return membership[0] if membership else "none"


def measured_rate(processed: Path) -> str:
    """Return '38.5% of 9,240' from leads.parquet's converted column, or 'survey: N responses'."""
    leads, responses = processed / "leads.parquet", processed / "responses.parquet"
    if leads.exists():
        frame = pd.read_parquet(leads)
        if "converted" not in frame:
            return f"no converted column ({len(frame):,} leads)"
        known = frame["converted"].dropna().astype(bool)
        return f"{known.mean():.1%} of {len(known):,}" if len(known) else "no decided leads"
    if responses.exists():
        return f"survey: {len(pd.read_parquet(responses)):,} responses"
    return ""


def persona_count(processed: Path, reports: Path) -> str:
    """Return how many personas notebook 03 formed (personas.parquet, else its sizes.csv), or why none."""
    personas = processed / "personas.parquet"
    if personas.exists():
        frame = pd.read_parquet(personas)
        column = "persona" if "persona" in frame else "persona_id"
        return str(frame[column].dropna().nunique()) if column in frame else "?"
    sizes = sorted(reports.glob("03_*/sizes.csv"))
    if sizes:
        return str(len(pd.read_csv(sizes[0])))
    return "not formed" if sorted(reports.glob("03_*.html")) else ""


def run_case(name: str, files: list[Path], work: Path, args: argparse.Namespace) -> CaseResult:
    """Copy one case's exports into `work`, run init, validate and run there, and measure the project it leaves."""
    result = CaseResult(name, [f.name for f in files])
    folder_case = (args.dir / name).is_dir()
    exports = work / "exports" / name if folder_case else work / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copy2(file, exports / file.name)
    source = exports if folder_case else exports / name      # a folder, as a user names data/raw; or the file
    project, env = work / "project", {k: v for k, v in os.environ.items() if k != "ALIGNKIT_SALT"}
    env["PATH"] = f"{ALIGNKIT.parent}{os.pathsep}{env.get('PATH', '')}"
    project_file = str(project / "alignkit.yml")
    plan = [("init", ["init", str(project), "--from", str(source)], args.timeout or 300),
            ("validate", ["validate", "--project", project_file], args.timeout or 300)]
    if not args.no_run:
        plan.append(("run", ["run", "--project", project_file], args.timeout or 900))
    steps: list[Step] = []
    for step_name, command, timeout in plan:
        steps.append(run_step(step_name, command, work, env, timeout))
        result.seconds[step_name] = steps[-1].seconds
        if steps[-1].returncode != 0:
            result.failed_step, result.message = step_name, key_line(steps[-1])
            result.ran = "validate-stop" if step_name == "validate" else "no"
            break
    else:
        result.ran, result.message = "yes", skipped_notebooks(steps[1])
    result.seconds["total"] = round(sum(result.seconds.values()), 1)
    result.steps = [{**asdict(s), "stdout": s.stdout[-4000:], "stderr": s.stderr[-4000:]} for s in steps]
    text = (project / "alignkit.yml").read_text(encoding="utf-8") if (project / "alignkit.yml").exists() else ""
    try:
        loaded = (yaml.safe_load(text) or {}) if text else {}
    except yaml.YAMLError as error:
        loaded, result.message = {}, result.message or f"alignkit.yml does not load: {str(error).splitlines()[0]}"
    loaded = loaded if isinstance(loaded, dict) else {}
    paths = loaded.get("paths") if isinstance(loaded.get("paths"), dict) else {}
    result.traceback_in = traceback_places(project, paths, steps)
    if text:
        result.roles, result.outcome = draft_roles(text, loaded, result.files), drafted_outcome(text, loaded)
    processed, reports = project / paths.get("processed", "data/processed"), project / paths.get("reports", "reports")
    try:
        result.rate, result.personas = measured_rate(processed), persona_count(processed, reports)
    except Exception as error:  # a half-written table is a finding, not a reason to stop measuring
        result.rate = f"unreadable: {type(error).__name__}"
    return result


def row(result: CaseResult) -> list[str]:
    seconds = "+".join(f"{v:.0f}" for k, v in result.seconds.items() if k != "total")
    return [result.case, result.ran, result.failed_step or "-", result.message or "-",
            "yes" if result.traceback_in else "no", ", ".join(f"{f}:{r}" for f, r in result.roles.items()) or "-",
            result.outcome or "-", result.rate or "-", result.personas or "-", f"{seconds}={result.seconds['total']:.0f}"]


def print_table(results: list[CaseResult]) -> None:
    rows = [list(COLUMNS), *(row(r) for r in results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    for i, cells in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * width for width in widths))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="folder of cases: sub-folders of exports, or single export files")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these cases (folder or file names)")
    parser.add_argument("--no-run", action="store_true", help="stop after init and validate")
    parser.add_argument("--timeout", type=float, help="seconds per step (default: 300 for init/validate, 900 for run)")
    parser.add_argument("--keep", type=Path, metavar="WORKDIR", help="keep each case's folder as WORKDIR/<case>")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write every detail as JSON")
    args = parser.parse_args()
    corpus = args.dir.resolve()
    if args.keep and args.keep.resolve().is_relative_to(corpus):
        parser.error("--keep must be outside DIR: the exports are read-only inputs")
    cases = {n: f for n, f in find_cases(corpus).items() if not args.only or n in args.only}
    results = []
    for name, files in cases.items():
        print(f"{name}: {len(files)} file(s) …", file=sys.stderr, flush=True)
        if args.keep:
            work = args.keep.resolve() / name
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            results.append(run_case(name, files, work, args))
        else:
            with tempfile.TemporaryDirectory(prefix="alignkit_real_") as folder:
                results.append(run_case(name, files, Path(folder), args))
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
