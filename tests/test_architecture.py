"""The package's shape: no import cycle, each layer imports only the layers below it, short modules.

The import graph is built from the source with ``ast``, counting imports inside functions too
(only ``if TYPE_CHECKING:`` blocks are exempt: they never run), so a cycle hidden in a function
body fails here as surely as one at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sheetkit"

# Layers, bottom to top: a module may import its own package and anything in a lower layer.
LAYERS: dict[str, int] = {
    "errors": 0,
    "runtime": 1,
    "core": 2,
    "excel": 3,
    "google": 3,
    "testing": 4,
    "syncing": 4,
    "api": 5,
    "config": 5,
    "transfer": 5,
    "workbook": 5,
    "notify": 6,
    "doctor": 6,
    "lists": 6,
    "views": 6,
    "scheduled": 7,
    "cli": 8,
    "__main__": 9,
}
MAX_LINES = 800


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path) -> set[str]:
    """The sheetkit modules ``name`` imports anywhere but under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return out


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_the_graph_sees_imports_inside_functions() -> None:
    # api imports the Google reader inside a function only: the graph must still have the edge
    assert any(target.startswith("sheetkit.google.") for target in GRAPH["sheetkit.api"])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    assert _cycles(GRAPH) == []


def test_every_module_has_a_layer() -> None:
    missing = sorted({_layer(m) for m in MODULES if _layer(m) is not None} - set(LAYERS))
    assert missing == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m) is not None))
def test_imports_only_go_down(module: str) -> None:
    own = _layer(module)
    assert own is not None
    upward = sorted(
        target
        for target in GRAPH[module]
        if (layer := _layer(target)) is not None and layer != own and LAYERS[layer] >= LAYERS[own]
    )
    assert upward == [], f"{module} (layer {own!r}) imports from its own level or above"


def test_the_library_never_imports_the_test_support() -> None:
    users = sorted(m for m, targets in GRAPH.items() if _layer(m) != "testing" for t in targets if _layer(t) == "testing")
    assert users == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_short(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it by concept before it passes {MAX_LINES}"
