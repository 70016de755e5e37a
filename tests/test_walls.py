"""The walls between rooms (../shared/ARCHITECTURE.md): no import cycle, not even through an import inside a
function or under ``TYPE_CHECKING``, and the store knows no configuration. Read from the source with ``ast``,
so an import that runs only on some path counts as much as one at the top of a module."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "monitor"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module of ours that importing ``name`` runs (``monitor.x.y.Name`` → ``monitor.x.y``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> Iterator[str]:
    """Every module of ours ``module`` imports anywhere in its body, with the packages that importing it runs
    first (``monitor.store.base`` runs ``monitor/store/__init__.py``) — except the packages ``module`` is
    itself inside, which have run before it (the root package included)."""
    path = MODULES[module]
    own = {".".join(module.split(".")[:n]) for n in range(1, module.count(".") + 2)}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            target = _resolve(name)
            if target is None or target == module:
                continue
            yield target
            parent = target.rpartition(".")[0]
            while parent.count("."):
                if parent not in own:
                    yield parent
                parent = parent.rpartition(".")[0]


GRAPH: dict[str, set[str]] = {m: set(_imports(m)) for m in MODULES}


def _room(module: str) -> str:
    """``monitor.alerts.routing`` → ``monitor.alerts``; ``monitor.config`` → itself."""
    return ".".join(module.split(".")[:2])


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _explain(cycles: list[list[str]], graph: Mapping[str, set[str]]) -> str:
    return "\n".join(f"{a} imports {sorted(graph[a] & set(c))}" for c in cycles for a in c)


def test_the_walk_sees_imports_inside_functions() -> None:
    # the commands import almost everything inside their functions; the walk must see those imports, or it
    # proves nothing.
    assert {"monitor.wiring", "monitor.conditions"} <= GRAPH["monitor.cli.silence"]
    assert "monitor.store.sql" in GRAPH["monitor.cli.db"]
    assert "monitor.durations" in GRAPH["monitor.fetch"]  # imported inside fetcher_for


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_modules() -> None:
    cycles = _cycles(GRAPH)
    assert not cycles, _explain(cycles, GRAPH)


def test_no_import_cycle_between_rooms() -> None:
    rooms: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        rooms.setdefault(_room(module), set()).update(_room(t) for t in targets if _room(t) != _room(module))
    cycles = _cycles(rooms)
    assert not cycles, _explain(cycles, rooms)


def test_the_store_imports_nothing_from_config() -> None:
    store = [m for m in GRAPH if _room(m) == "monitor.store"]
    assert len(store) >= 4
    reached: set[str] = set()
    todo = [t for m in store for t in GRAPH[m]]
    while todo:
        m = todo.pop()
        if m not in reached:
            reached.add(m)
            todo.extend(GRAPH[m])
    assert "monitor.config" not in reached, [m for m in store if "monitor.config" in GRAPH[m]]


def test_no_runner_imports_another_runners_private_names() -> None:
    """Runners compose the processor; none reaches into another runner's private helpers (issue 14)."""
    reached = []
    for module, path in MODULES.items():
        if not module.startswith("monitor.runners."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("monitor.runners"):
                reached += [f"{module}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert reached == []
