"""The package's layout shows the flow: imports run one way (cli → demo → alignment → stages → prepare → engine →
ingest → report rendering → shared helpers → config → errors), no cycle anywhere, no stage reaching into another
package's private names, modules that hold one idea, and tests that mirror the tree. Imports are read with `ast`, inside
functions too, so a lazy import cannot hide an upward one."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "alignkit"
TESTS = Path(__file__).resolve().parent

# Bottom to top: a module may import its own top-level package and anything on a lower layer, nothing else.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("",),  # alignkit/__init__.py: the version only
    ("errors", "lazy"),  # lazy: heavy libraries loaded on first use
    ("config",),
    ("plan",),  # which analyses the project file enables
    ("text",),  # text columns a distinct value at a time
    ("runner", "kernels"),  # the order `alignkit run` executes the notebooks in, kernels ahead
    ("io", "stats", "plots", "privacy"),  # shared helpers
    ("runs",),  # what `alignkit run` records (lock, manifest), `validate` checks
    ("report",),  # HTML rendering the stages build their sections with
    ("ingest",),
    ("meaning",),  # what each table and column is, decided once with its evidence
    ("engine",),  # Ibis expressions run where the data lives (DuckDB, Spark, a database)
    ("prepare",),
    ("funnel", "personas", "leads"),  # the analysis stages, independent of each other
    ("alignment",),  # composes the stages onto one page
    ("demo",),  # synthetic exports and their truth: nothing below imports it
    ("draft",),  # `alignkit init --from`: a project file drafted from the exports
    ("cli",),
)
# A module's size is its statements, counted from its syntax tree, so the formatter's line breaks do not move it (ruff
# format puts each argument of a long call on its own line). 300 statements is about what 420 lines held before the
# code was formatted (1.5 lines a statement at the median); files.py, the largest module then, held 281.
MAX_STATEMENTS = 300
# Modules over MAX_STATEMENTS that hold one idea and read better whole.
LONG_MODULES: dict[str, str] = {
    "alignkit.config": "the project file's schema, one settings class per section of alignkit.yml in the file's own "
    "order: read whole, beside the file, it is the reference of every key",
}
# Test files whose name is a theme of their folder's stage rather than one module.
TEST_THEMES = {"prepare/test_bad_inputs.py", "engine/test_spark.py", "personas/test_planted_shapes.py"}


def module_name(path: Path, root: Path) -> str:
    """Return the dotted module name of a file under `root` (the package folder), e.g. 'alignkit.funnel.sla'."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    """Return every module of the package at `root` by its dotted name."""
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def _resolve(name: str, known: Iterable[str]) -> str:
    """Return the longest known module that `name` (a module or a module attribute) lies in."""
    known = set(known)
    while name not in known and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports_of(path: Path, module: str, known: set[str], package: str) -> list[tuple[str, str, int]]:
    """Return (imported module, imported name or '', line) for every import of the package in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(_resolve(a.name, known), "", node.lineno) for a in node.names if a.name.split(".")[0] == package]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            if base.split(".")[0] != package:
                continue
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in known:  # `from alignkit import plots`: the submodule itself
                    found.append((target, "", node.lineno))
                else:
                    found.append((_resolve(base, known), alias.name, node.lineno))
    return found


def import_graph(root: Path) -> dict[str, list[tuple[str, str, int]]]:
    """Return each module's imports of its own package (see `imports_of`)."""
    mods = modules(root)
    return {name: imports_of(path, name, set(mods), root.name) for name, path in mods.items()}


def part(module: str) -> str:
    """Return the top-level part of the package a module belongs to ('' for the package root)."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else ""


def layer(module: str) -> int:
    """Return the layer index of a module (see LAYERS)."""
    for index, names in enumerate(LAYERS):
        if part(module) in names:
            return index
    raise KeyError(f"{module} is on no layer: add its package to LAYERS in tests/test_layout.py")


def upward_imports(graph: dict[str, list[tuple[str, str, int]]]) -> list[str]:
    """Return 'importer:line imports target' for each import of a higher layer or of a sibling on the same layer."""
    bad = []
    for module, imports in graph.items():
        for target, _, line in imports:
            same_part = part(module) == part(target)
            if not same_part and layer(target) >= layer(module):
                bad.append(f"{module}:{line} imports {target}")
    return bad


def private_imports(graph: dict[str, list[tuple[str, str, int]]]) -> list[str]:
    """Return each import of an underscore name from another top-level part of the package."""
    return [
        f"{module}:{line} imports {target}.{name}"
        for module, imports in graph.items()
        for target, name, line in imports
        if name.startswith("_") and not name.startswith("__") and part(module) != part(target)
    ]


def cycles(graph: dict[str, list[tuple[str, str, int]]]) -> list[list[str]]:
    """Return the import cycles among modules (strongly connected components of more than one module, or a module
    importing itself)."""
    edges = {m: sorted({t for t, _, _ in imports if t in graph}) for m, imports in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges[node]:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


# --- the checks on alignkit itself ---

GRAPH = import_graph(PACKAGE)


def test_every_module_is_on_a_layer():
    for module in GRAPH:
        layer(module)


def test_imports_run_one_way():
    assert upward_imports(GRAPH) == []


def test_no_import_cycle():
    assert cycles(GRAPH) == []


def test_no_private_name_crosses_a_package():
    assert private_imports(GRAPH) == []


def test_no_analysis_stage_imports_the_demo():
    stages = [m for m in GRAPH if part(m) in ("funnel", "personas", "leads", "prepare", "ingest", "alignment")]
    assert [m for m in stages if any(part(t) == "demo" for t, _, _ in GRAPH[m])] == []


def statements(path: Path) -> int:
    """Return how many statements a module holds (every one, nested ones too)."""
    return sum(isinstance(node, ast.stmt) for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))


def test_modules_hold_one_idea():
    sizes = {name: statements(path) for name, path in modules(PACKAGE).items()}
    over = {name: n for name, n in sizes.items() if n > MAX_STATEMENTS and name not in LONG_MODULES}
    assert over == {}, (
        f"modules over {MAX_STATEMENTS} statements: split by idea, or say in LONG_MODULES why one reads better whole"
    )


def test_each_subpackage_says_what_its_stage_does():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"{init.relative_to(PACKAGE.parent)} needs a docstring saying what it does"


def test_tests_mirror_the_tree():
    """tests/<part>/test_<module>.py tests alignkit/<part>/<module>.py (or a theme listed in TEST_THEMES)."""
    strays = []
    for test in sorted(TESTS.glob("*/test_*.py")):
        relative = test.relative_to(TESTS).as_posix()
        folder = PACKAGE / test.parent.name
        target = test.stem.removeprefix("test_")
        if relative in TEST_THEMES:
            continue
        if not ((folder / f"{target}.py").exists() or (folder / target).is_dir()):
            strays.append(relative)
    assert strays == []


# --- the checks can fail: a small package with each fault planted ---


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "alignkit" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "alignkit"


@pytest.fixture
def planted(tmp_path: Path) -> dict[str, list[tuple[str, str, int]]]:
    return import_graph(
        _package(
            tmp_path,
            {
                "__init__.py": "",
                "config.py": "from alignkit.errors import ConfigError\n",
                "errors.py": "class ConfigError(Exception): ...\n",
                "stats.py": "def f():\n    from alignkit.funnel import analysis  # lazy, still upward\n",
                "funnel/__init__.py": "from .analysis import analyse\n",
                "funnel/analysis.py": "from alignkit.funnel.report import plot\nfrom alignkit.leads.profile import "
                "_binned\ndef analyse(): ...\n",
                "funnel/report.py": "from alignkit.funnel.analysis import analyse\ndef plot(): ...\n",
                "leads/__init__.py": "",
                "leads/profile.py": "from alignkit import errors\ndef _binned(): ...\n",
            },
        )
    )


def test_planted_upward_and_sideways_imports_are_found(planted):
    assert upward_imports(planted) == [
        "alignkit.funnel.analysis:2 imports alignkit.leads.profile",
        "alignkit.stats:2 imports alignkit.funnel.analysis",
    ]


def test_planted_cycle_is_found(planted):
    assert cycles(planted) == [["alignkit.funnel.analysis", "alignkit.funnel.report"]]


def test_planted_private_import_is_found(planted):
    assert private_imports(planted) == ["alignkit.funnel.analysis:2 imports alignkit.leads.profile._binned"]


def test_relative_imports_resolve(planted):
    assert ("alignkit.funnel.analysis", "analyse", 1) in planted["alignkit.funnel"]


def test_prepare_package_names_load_on_first_use():
    """`alignkit.prepare` loads its public names lazily (so `alignkit validate` starts without matplotlib):
    every name it lists must still resolve, and a misspelt one must be an AttributeError, as from a module."""
    import alignkit.prepare as prepare_package
    from alignkit.prepare import clean, quality, tables, validate

    homes = {
        "CleaningLog": clean,
        "PreparedData": tables,
        "prepare": tables,
        "summarise": quality,
        "validate_project": validate,
        "write_cleaning_report": quality,
        "write_processed": tables,
    }
    assert sorted(prepare_package.__all__) == sorted(homes)
    for name, module in homes.items():
        assert getattr(prepare_package, name) is getattr(module, name)
    with pytest.raises(AttributeError, match="prepair"):
        _ = prepare_package.prepair
