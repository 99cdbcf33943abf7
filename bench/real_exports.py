"""Run a corpus of real exports through alignkit as a new user would, and print what happened to each.

Each case of DIR (a sub-folder: all its files form one case; a top-level file: a case of its own; SOURCES.md,
SOURCES.json and *.md are notes, not exports) is copied into a fresh temporary folder (DIR is only read), where
`alignkit init project --from …`, `alignkit validate` and `alignkit run` are run without ALIGNKIT_SALT, each with a
timeout. Measured per case: whether it ran to the end, the first step that failed and its message, any "Traceback"
in the steps' output, the executed notebooks or the reports, the role the draft gave each file, the drafted outcome,
the conversion rate in data/processed/leads.parquet, the personas formed, the seconds per step. Exits 0: it measures.

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
from contextlib import nullcontext, suppress
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
    returncode: int | None  # None: timed out
    seconds: float
    stdout: str
    stderr: str


@dataclass
class CaseResult:
    case: str
    files: list[str]
    ran: str = "no"  # yes / no / validate-stop
    failed_step: str = ""
    message: str = ""
    traceback_in: list[str] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    outcome: str = ""
    rate: str = ""
    personas: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    steps: list[dict] = field(default_factory=list)


def part(node: object, *keys: str) -> dict:
    """Return the mapping at node[keys[0]][keys[1]]…, or {} where the project file has none."""
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def is_export(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".") and path.name not in NOTES and path.suffix.lower() != ".md"


def find_cases(corpus: Path) -> dict[str, list[Path]]:
    """Return each case's name and export files: a sub-folder's files, or a top-level file alone."""
    cases: dict[str, list[Path]] = {}
    for entry in sorted(p for p in corpus.iterdir() if not p.name.startswith(".")):
        files = sorted(f for f in entry.iterdir() if is_export(f)) if entry.is_dir() else [entry] * is_export(entry)
        if files:
            cases[entry.name] = files
    return cases


def run_step(name: str, args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Step:
    """Run one alignkit command in its own process group; on timeout kill the group (kernels included)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(ALIGNKIT), *args],
        cwd=cwd,
        env=env,
        text=True,
        errors="replace",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        code, err = None, err + f"\ntimed out after {timeout:.0f} s"
    return Step(name, code, round(time.perf_counter() - started, 1), out, err)


def key_line(step: Step, work: Path, case: str) -> str:
    """Return the line saying why a step failed (alignkit's own error, else the first problem, else the last one),
    with the temporary folder's paths cut down to file names."""
    lines = [line.strip() for line in (step.stderr.strip() or step.stdout).splitlines()]
    lines = [line for line in lines if not NOISE.search(line)] or [f"exit code {step.returncode}"]
    own = [i for i, line in enumerate(lines) if line.startswith(("alignkit:", "timed out"))]
    found = [i for i, line in enumerate(lines) if "problem(s) found" in line]
    i = own[-1] if own else found[0] if found else len(lines) - 1
    line = lines[i] + (f" {lines[i + 1].lstrip('- ')}" if lines[i].endswith(":") and i + 1 < len(lines) else "")
    for prefix in (f"project/../exports/{case}/", f"exports/{case}/", "exports/", "project/"):
        line = line.replace(f"{work}/{prefix}", "").replace(prefix, "")
    return line if len(line) <= 100 else line[:99] + "…"


def traceback_places(project: Path, paths: dict, steps: list[Step]) -> list[str]:
    """Return where 'Traceback' appears: a step's output, a notebook's outputs, a report."""
    places = [step.name for step in steps if "Traceback" in step.stdout + step.stderr]
    reports, notebooks = project / paths.get("reports", "reports"), project / paths.get("notebooks", "notebooks")
    for notebook in sorted([*notebooks.glob("*.ipynb"), *(reports / "executed").glob("*.ipynb")]):
        try:
            cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        if any("Traceback" in json.dumps(cell.get("outputs", [])) for cell in cells):
            places.append(str(notebook.relative_to(project)))
    return places + [
        str(r.relative_to(project))
        for r in sorted(reports.glob("*.html"))
        if "Traceback" in r.read_text("utf-8", "replace")
    ]


def yaml_roles(node: object, trail: tuple[str, ...], explicit: dict[str, str], section: dict[str, str]) -> None:
    """Collect file name -> role from the loaded project file: its `role:` key, and the section holding `file:`."""
    if isinstance(node, dict):
        if isinstance(node.get("file"), str) and trail:
            name = Path(node["file"]).name
            section[name] = "lookup" if trail[-1] == "lookups" else trail[-1]
            if node.get("role"):
                explicit[name] = str(node["role"])
        for key, value in node.items():
            yaml_roles(value, (*trail, str(key)), explicit, section)
    elif isinstance(node, list):
        for item in node:
            yaml_roles(item, trail, explicit, section)


def draft_roles(text: str, loaded: dict, names: list[str]) -> dict[str, str]:
    """Return each input file's drafted role: a `meaning:` section, else `role:` keys, else the draft's comment
    lines (`# <file> — <kind>: …`, `# not used: <file> (<kind>: …)`), else the section naming the file."""
    block = part(loaded, "meaning") or part(loaded, "roles")  # role: [files], or file: role
    meaning = {Path(str(f)).name: str(k) for k, v in block.items() for f in (v if isinstance(v, list) else [v])}
    meaning.update({Path(str(k)).name: v for k, v in block.items() if isinstance(v, str)})
    explicit: dict[str, str] = {}
    section: dict[str, str] = {}
    yaml_roles({k: v for k, v in loaded.items() if k not in ("meaning", "roles")}, (), explicit, section)
    comments: dict[str, str] = {}
    for line in map(str.strip, text.splitlines()):
        unused = re.match(r"#\s*not used:\s*(.+?) \(([^:)]*)", line)
        if unused:
            comments[unused.group(1)] = f"unused {unused.group(2)}".strip()
        for name in (n for n in names if line.startswith(f"# {n} — ")):
            comments.setdefault(name, line[len(name) + 5 :].split(":")[0].strip())
    return {n: meaning.get(n) or explicit.get(n) or comments.get(n) or section.get(n) or "not read" for n in names}


def drafted_outcome(text: str, loaded: dict) -> str:
    """Return the drafted outcome: 'stage column = converted stage', 'column = values', or the membership table."""
    contacts, funnel, outcome = part(loaded, "crm", "contacts"), part(loaded, "funnel"), part(loaded, "outcome")
    columns = part(contacts, "columns")
    if funnel.get("converted_stage") is not None:
        stages = re.search(r"#\s*stages drafted from (.+?):", text)
        return f"{stages.group(1) if stages else columns.get('stage', 'stage')} = {funnel['converted_stage']}"
    member = contacts.get("converted_from") or next((v for k, v in contacts.items() if "membership" in str(k)), None)
    if isinstance(member, dict):
        return f"listed in {Path(str(member.get('file'))).name} (key {member.get('key')})"
    if outcome.get("converted_values"):
        comment = re.search(r"^outcome:\n\s+#\s*(.+?):", text, flags=re.MULTILINE)
        column = columns.get("converted") or columns.get("stage") or (comment.group(1) if comment else "?")
        return f"{column} = {', '.join(map(str, outcome['converted_values']))}"
    return "none"


def measured_rate(processed: Path, judge: object) -> str:
    """Return '38.5% of 9,240' (leads.parquet's converted, non-missing rows: open deals count as not converted, so
    with `funnel.judge: closed` also the rate of the closed ones), or 'survey: N responses'."""
    leads, responses = processed / "leads.parquet", processed / "responses.parquet"
    if leads.exists():
        frame = pd.read_parquet(leads)
        if "converted" not in frame:
            return f"no converted column ({len(frame):,} leads)"
        known = frame["converted"].dropna().astype(bool)
        rate = f"{known.mean():.1%} of {len(known):,}" if len(known) else "no decided leads"
        if judge != "closed" or "outcome" not in frame or len(known) == 0:
            return rate
        closed = frame["converted"][frame["outcome"].isin(["converted", "lost"])].astype(bool)
        return f"{rate} ({closed.mean():.1%} of {len(closed):,} closed)" if len(closed) < len(known) else rate
    return f"survey: {len(pd.read_parquet(responses)):,} responses" if responses.exists() else ""


def persona_count(processed: Path, reports: Path) -> str:
    """Return how many personas notebook 03 formed (personas.parquet, else its sizes.csv), or 'not formed'."""
    if (processed / "personas.parquet").exists():
        frame = pd.read_parquet(processed / "personas.parquet")
        return str(frame["persona"].nunique()) if "persona" in frame else "?"
    sizes = sorted(reports.glob("03_*/sizes.csv"))
    if sizes:
        return str(len(pd.read_csv(sizes[0])))
    return "not formed" if sorted(reports.glob("03_*.html")) else ""


def run_case(name: str, files: list[Path], work: Path, args: argparse.Namespace) -> CaseResult:
    """Copy one case's exports into `work`, run init, validate and run there, and measure the project left."""
    result = CaseResult(name, [f.name for f in files])
    folder_case = (args.dir / name).is_dir()
    exports = work / "exports" / name if folder_case else work / "exports"
    exports.mkdir(parents=True)
    for file in files:
        shutil.copy2(file, exports / file.name)
    project, env = work / "project", {k: v for k, v in os.environ.items() if k != "ALIGNKIT_SALT"}
    env["PATH"] = f"{ALIGNKIT.parent}{os.pathsep}{env.get('PATH', '')}"
    project_file = str(project / "alignkit.yml")
    plan = [
        ("init", ["init", str(project), "--from", str(exports if folder_case else exports / name)], 300),
        ("validate", ["validate", "--project", project_file], 300),
        ("run", ["run", "--project", project_file], 900),
    ][: 2 if args.no_run else 3]
    steps: list[Step] = []
    for step_name, command, timeout in plan:
        steps.append(run_step(step_name, command, work, env, args.timeout or timeout))
        result.seconds[step_name] = steps[-1].seconds
        if steps[-1].returncode != 0:
            result.failed_step, result.message = step_name, key_line(steps[-1], work, name)
            result.ran = "validate-stop" if step_name == "validate" else "no"
            break
    else:
        skipped = re.findall(r"^\s*(\d\d) [^\n]*?: skipped —", steps[1].stdout, flags=re.MULTILINE)
        result.ran, result.message = "yes", f"skips notebooks {', '.join(skipped)}" if skipped else ""
    result.seconds["total"] = round(sum(result.seconds.values()), 1)
    result.steps = [{**asdict(s), "stdout": s.stdout[-4000:], "stderr": s.stderr[-4000:]} for s in steps]
    drafted = steps[0].returncode == 0  # a failed init may leave the template project file: not a draft
    text = (project / "alignkit.yml").read_text(encoding="utf-8") if drafted else ""
    try:
        loaded = yaml.safe_load(text) if text else {}
    except yaml.YAMLError as error:
        loaded, result.message = {}, result.message or f"alignkit.yml does not load: {str(error).splitlines()[0]}"
    loaded = loaded if isinstance(loaded, dict) else {}
    paths = part(loaded, "paths")
    result.traceback_in = traceback_places(project, paths, steps)
    if text:
        result.roles, result.outcome = draft_roles(text, loaded, result.files), drafted_outcome(text, loaded)
    processed, reports = project / paths.get("processed", "data/processed"), project / paths.get("reports", "reports")
    try:
        result.rate = measured_rate(processed, part(loaded, "funnel").get("judge"))
        if result.outcome == "none" and result.rate and not result.rate.startswith("survey"):
            result.rate = "no outcome drafted" + (
                f" ({result.rate.split(' of ')[-1]} leads)" if " of " in result.rate else ""
            )
        result.personas = persona_count(processed, reports)
    except Exception as error:  # a half-written table is a finding, not a reason to stop measuring
        result.rate = f"unreadable: {type(error).__name__}"
    return result


def table_row(result: CaseResult) -> list[str]:
    steps = "+".join(f"{v:.0f}" for k, v in result.seconds.items() if k != "total")
    return [
        result.case,
        result.ran,
        result.failed_step or "-",
        result.message or "-",
        "yes" if result.traceback_in else "no",
        ", ".join(f"{f}:{r}" for f, r in result.roles.items()) or "-",
        result.outcome or "-",
        result.rate or "-",
        result.personas or "-",
        f"{steps}={result.seconds['total']:.0f}",
    ]


def print_table(results: list[CaseResult]) -> None:
    rows = [list(COLUMNS), *map(table_row, results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    rows.insert(1, ["-" * width for width in widths])
    for cells in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="folder of cases: sub-folders of exports, or single export files")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these cases (folder or file names)")
    parser.add_argument("--no-run", action="store_true", help="stop after init and validate")
    parser.add_argument(
        "--timeout", type=float, metavar="S", help="seconds for every step (default: 300 init/validate, 900 run)"
    )
    parser.add_argument("--keep", type=Path, metavar="WORKDIR", help="keep each case's folder as WORKDIR/<case>")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write every detail as JSON")
    args = parser.parse_args()
    args.dir = args.dir.resolve()
    if args.keep and args.keep.resolve().is_relative_to(args.dir):
        parser.error("--keep must be outside DIR: the exports are read-only inputs")
    results = []
    for name, files in find_cases(args.dir).items():
        if args.only and name not in args.only:
            continue
        print(f"{name}: {len(files)} file(s) …", file=sys.stderr, flush=True)
        kept = args.keep.resolve() / name if args.keep else None
        if kept:
            shutil.rmtree(kept, ignore_errors=True)
        with nullcontext(kept) if kept else tempfile.TemporaryDirectory(prefix="alignkit_real_") as work:
            results.append(run_case(name, files, Path(work), args))
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
