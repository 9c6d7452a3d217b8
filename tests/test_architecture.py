"""The layers of docs/architecture.md, checked on the source: who may import whom, and no circles."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("imdb_baselines", "baselines", "neural")

#: Each room, and the rooms of this project it may import (its own modules aside). Lower rooms first.
ALLOWED = {
    "imdb_baselines.storage": set(),
    "imdb_baselines.corpus": {"imdb_baselines.storage"},
    "baselines": {"imdb_baselines.corpus"},
    "neural": {"imdb_baselines.corpus", "imdb_baselines.storage"},
    "imdb_baselines.catalog": {"baselines", "neural", "imdb_baselines.corpus"},
    "imdb_baselines.run": {"imdb_baselines.catalog", "imdb_baselines.corpus", "imdb_baselines.storage", "baselines",
                           "neural"},
    "imdb_baselines.evaluation": {"imdb_baselines.run.results", "imdb_baselines.run.stops", "imdb_baselines.catalog",
                                  "imdb_baselines.corpus", "imdb_baselines.storage", "neural.plots"},
    "imdb_baselines.modelfiles": {"imdb_baselines.run.calibration", "imdb_baselines.catalog", "imdb_baselines.corpus",
                                  "imdb_baselines.storage", "baselines", "neural"},
    "imdb_baselines.reference": {"imdb_baselines.storage"},  # reference.json replaced in one rename
    "imdb_baselines.options": {"imdb_baselines.catalog", "imdb_baselines.corpus", "imdb_baselines.run",
                               "imdb_baselines.evaluation.report"},
    "imdb_baselines.comparison": {"imdb_baselines.catalog", "imdb_baselines.corpus", "imdb_baselines.run",
                                  "imdb_baselines.evaluation", "imdb_baselines.modelfiles", "imdb_baselines.storage"},
    "imdb_baselines.tracking": {"imdb_baselines.run.results", "imdb_baselines.run.stops", "imdb_baselines.catalog",
                                "imdb_baselines.corpus",
                                "imdb_baselines.evaluation.folder", "imdb_baselines.evaluation.report",
                                "imdb_baselines.modelfiles"},
    "imdb_baselines.api": {"imdb_baselines.comparison", "imdb_baselines.options", "imdb_baselines.catalog",
                           "imdb_baselines.corpus", "imdb_baselines.run", "imdb_baselines.evaluation.report",
                           "imdb_baselines.tracking"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path, name: str) -> set[str]:
    """Every module of this project that ``path`` imports, at its top or inside a function."""
    imported = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1 folders
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            imported |= {f"{base}.{alias.name}" for alias in node.names}
    modules = _modules()
    # The package's own __init__ (its version, names loaded on first use) is everyone's ground.
    return {m for m in (_owner(i, modules) for i in imported) if m and m not in (name, "imdb_baselines")}


def _owner(dotted: str, modules: dict[str, Path]) -> str | None:
    while dotted and dotted not in modules:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def _room(module: str) -> str:
    return max((room for room in ALLOWED if module == room or module.startswith(room + ".")), key=len, default=module)


def test_the_wheel_has_three_top_level_names_and_nothing_else_at_the_root():
    packages = sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))
    assert packages == ["baselines", "imdb_baselines", "neural"]
    assert sorted(p.name for p in ROOT.glob("*.py")) == ["compare.py"]


@pytest.mark.parametrize("module", sorted(_modules()))
def test_each_module_imports_only_the_rooms_below_it(module):
    room = _room(module)
    if room not in ALLOWED:  # the command lines, serving and exports sit on top and may use any room
        assert module.startswith(("imdb_baselines.cli", "imdb_baselines.serving", "imdb_baselines.exports",
                                  "imdb_baselines")), module
        return
    for target in _imports(_modules()[module], module):
        if _room(target) == room or target.startswith(room + "."):
            continue
        allowed = ALLOWED[room]
        assert any(target == a or target.startswith(a + ".") for a in allowed), f"{module} imports {target}"


def test_the_module_graph_has_no_circles():
    modules = _modules()
    graph = {name: _imports(path, name) for name, path in modules.items()}
    # A package's __init__ re-exporting its modules is not a circle with them.
    graph = {name: {t for t in targets if not (name.startswith(t + ".") and modules[t].name == "__init__.py")}
             for name, targets in graph.items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                raise AssertionError(" -> ".join(path[path.index(target):] + [target]) if target in path
                                     else f"{node} -> {target}")
            if target not in state:
                visit(target, path + [target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
