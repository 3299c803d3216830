"""The shape of the package, checked by reading the source (docs/architecture.md).

* No import cycles among qaudit modules. Every ``import`` and ``from … import``
  anywhere in a module counts, inside functions and ``if TYPE_CHECKING:`` too;
  ``from pkg import name`` counts as importing ``pkg`` (and ``pkg.name`` when
  that is a module), which is what running it does.
* No module over 500 lines.
* No command imports the CLI module: commands import ``qaudit.commands.base``
  and ``qaudit.commands.options``.
* Nothing inside qaudit imports the package itself (``qaudit/__init__.py`` is the
  public API, a leaf of the graph).
* Layers: every module belongs to exactly one layer of ``LAYERS`` and imports only
  modules of its own layer or of lower ones.

Each rule lists the exceptions still pending; the lists only shrink.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "qaudit")
MAX_LINES = 500

# Cycles that remain because the modules on them are being rewritten elsewhere; each entry is
# the exact set of modules of one strongly connected component.
PENDING_CYCLES: list[frozenset[str]] = []
PENDING_LONG_MODULES: set[str] = set()
PENDING_CLI_IMPORTERS: set[str] = set()
PENDING_PACKAGE_IMPORTERS: set[str] = set()

# The layers, lowest first, each with the modules it holds (a package's name holds its whole folder).
# The public API, the package ``qaudit`` itself, is outside the order: nothing inside imports it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("qaudit.problems", "qaudit.i18n", "qaudit.version")),
    ("io", ("qaudit.io",)),
    ("model", ("qaudit.model",)),
    ("checks", ("qaudit.checks",)),
    ("load", ("qaudit.load",)),
    ("lint", ("qaudit.lint",)),
    ("scoring", ("qaudit.scoring",)),
    ("results", ("qaudit.results",)),
    ("run", ("qaudit.run",)),
    ("analytics", ("qaudit.analytics",)),
    ("capture", ("qaudit.capture",)),
    ("render", ("qaudit.render",)),
    ("commands", ("qaudit.cli", "qaudit.commands", "qaudit.__main__")),
]


def module_files() -> dict[str, str]:
    """Every module of the package by dotted name (a package by its own name), with its file."""
    found: dict[str, str] = {}
    root = os.path.dirname(PACKAGE)
    for folder, dirs, files in os.walk(PACKAGE):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for name in files:
            if name.endswith(".py"):
                parts = os.path.relpath(os.path.join(folder, name), root)[:-3].split(os.sep)
                if parts[-1] == "__init__":
                    parts.pop()
                found[".".join(parts)] = os.path.join(folder, name)
    return found


def imports_of(name: str, path: str, modules: dict[str, str]) -> set[str]:
    """The qaudit modules ``name`` imports, anywhere in its file."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    found: set[str] = set()

    def add(dotted: str) -> None:
        parts = dotted.split(".")
        while parts and ".".join(parts) not in modules:
            parts.pop()
        if parts:
            found.add(".".join(parts))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "qaudit":
                    add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
                if source.split(".")[0] != "qaudit":
                    continue
            add(source)
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:
                    found.add(f"{source}.{alias.name}")
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the qaudit modules it imports."""
    modules = module_files()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> Iterator[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        yield frozenset(component)


def test_the_import_graph_has_no_cycles_but_the_pending_ones() -> None:
    found = set(cycles(import_graph()))
    new = sorted(sorted(c) for c in found - set(PENDING_CYCLES))
    pending = sorted(sorted(c) for c in found & set(PENDING_CYCLES))
    assert not new, f"import cycles: {new}\n(still pending, being removed: {pending})"
    gone = sorted(sorted(c) for c in set(PENDING_CYCLES) - found)
    assert not gone, f"these cycles are gone: take them off PENDING_CYCLES: {gone}"


def test_no_module_is_over_500_lines_but_the_pending_ones() -> None:
    sizes = {}
    for name, path in module_files().items():
        with open(path, encoding="utf-8") as handle:
            sizes[name] = sum(1 for _ in handle)
    long = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    new = {name: lines for name, lines in long.items() if name not in PENDING_LONG_MODULES}
    pending = {name: lines for name, lines in sorted(long.items()) if name in PENDING_LONG_MODULES}
    assert not new, f"modules over {MAX_LINES} lines: {new}; split them by job (still pending: {pending})"
    done = sorted(PENDING_LONG_MODULES - set(long))
    assert not done, f"these modules are short now: take them off PENDING_LONG_MODULES: {done}"


def test_commands_do_not_import_the_cli_module() -> None:
    graph = import_graph()
    importers = {name for name, found in graph.items() if name.startswith("qaudit.commands") and "qaudit.cli" in found}
    new = sorted(importers - PENDING_CLI_IMPORTERS)
    assert not new, (
        f"{new} import qaudit.cli; import qaudit.commands.base or qaudit.commands.options instead "
        f"(still pending: {sorted(importers & PENDING_CLI_IMPORTERS)})"
    )
    done = sorted(PENDING_CLI_IMPORTERS - importers)
    assert not done, f"these no longer import qaudit.cli: take them off PENDING_CLI_IMPORTERS: {done}"


def test_nothing_inside_imports_the_public_api_module() -> None:
    graph = import_graph()
    importers = {name for name, found in graph.items() if "qaudit" in found}
    new = sorted(importers - PENDING_PACKAGE_IMPORTERS)
    assert not new, (
        f"{new} import the package qaudit itself; import the module that defines the name "
        f"(still pending: {sorted(importers & PENDING_PACKAGE_IMPORTERS)})"
    )
    done = sorted(PENDING_PACKAGE_IMPORTERS - importers)
    assert not done, f"these no longer import the package: take them off PENDING_PACKAGE_IMPORTERS: {done}"


def layers_of(name: str) -> list[str]:
    """The layers of :data:`LAYERS` that hold module ``name`` (exactly one, for every module but the API)."""
    return [
        layer
        for layer, prefixes in LAYERS
        if any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)
    ]


def test_no_module_imports_a_higher_layer() -> None:
    graph = import_graph()
    graph.pop("qaudit")  # the public API may import anything
    order = {layer: rank for rank, (layer, _) in enumerate(LAYERS)}
    placed: dict[str, str] = {}
    unplaced = []
    for name in sorted(graph):
        found = layers_of(name)
        if len(found) == 1:
            placed[name] = found[0]
        else:
            unplaced.append(f"{name} (in {found or 'no layer'})")
    assert not unplaced, f"every module belongs to exactly one layer of LAYERS; place these: {unplaced}"
    upward = [
        f"{name} ({placed[name]}) → {imported} ({placed[imported]})"
        for name, imports in sorted(graph.items())
        for imported in sorted(imports)
        if imported in placed and order[placed[imported]] > order[placed[name]]
    ]
    assert not upward, "imports of a higher layer; move the name to the layer it belongs to:\n" + "\n".join(upward)


def test_the_layers_place_modules_by_whole_names() -> None:
    # The check itself: a package's name holds its folder, never a module that only starts alike.
    assert layers_of("qaudit.io.staging") == ["io"] and layers_of("qaudit.iox") == []
    assert layers_of("qaudit.cli") == ["commands"] and layers_of("qaudit.client") == []


def test_the_reading_finds_a_cycle() -> None:
    # The check itself: a made-up graph with one cycle and one chain.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert list(cycles(graph)) == [frozenset({"a", "b", "c"})]
