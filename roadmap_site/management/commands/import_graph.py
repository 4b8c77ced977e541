"""`manage.py import_graph`: who imports whom, between apps and between files.

Imports should run one way, `roadmap` → `strategy` → `measurement` → `roadmap_site` (the
core): an app imports from apps to its right, never to its left. This command reads the
source (it imports nothing it reports on), lists the app-level and file-level edges, the
ones that point left, and the import cycles between files. tests/test_architecture.py
enforces the same facts with these functions.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

# Left to right: each app may import from the ones after it.
LAYERS = ("roadmap", "strategy", "measurement", "roadmap_site")


@dataclass(frozen=True)
class Import:
    source: str  # dotted module name of the importing file
    target: str  # dotted module name of the imported project file
    line: int
    lazy: bool  # inside a function: runs when called, not when the module loads
    type_only: bool  # under `if TYPE_CHECKING:`: never runs

    @property
    def at_load(self) -> bool:
        """Runs while the importing module loads, so it can take part in a cycle."""
        return not (self.lazy or self.type_only)

    @property
    def source_app(self) -> str:
        return self.source.split(".")[0]

    @property
    def target_app(self) -> str:
        return self.target.split(".")[0]

    @property
    def points_left(self) -> bool:
        """An app importing from an app to its left (the core counts as the rightmost)."""
        source, target = self.source_app, self.target_app
        if source not in LAYERS or target not in LAYERS:
            return False
        return LAYERS.index(target) < LAYERS.index(source)


def project_modules(root: Path, packages: Iterable[str] = LAYERS) -> dict[str, Path]:
    """Dotted module name → file, for every Python file under the packages."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module a dotted name refers to: itself, or the longest known prefix
    (`from roadmap.models import Stage` names a class inside `roadmap.models`)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, modules: dict[str, Path]):
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.modules = modules
        self.imports: list[Import] = []
        self.function_depth = 0
        self.type_checking_depth = 0

    def _add(self, target: str | None, node: ast.stmt) -> None:
        if target is None or target == self.module:
            return
        found = Import(
            source=self.module,
            target=target,
            line=node.lineno,
            lazy=self.function_depth > 0,
            type_only=self.type_checking_depth > 0,
        )
        # One statement naming several things from one module is one import.
        if found not in self.imports:
            self.imports.append(found)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(_resolve(alias.name, self.modules), node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - (node.level - 1)]
            base_name = ".".join([*base, node.module] if node.module else base)
        else:
            base_name = node.module or ""
        for alias in node.names:
            # `from package import module` imports the module; otherwise a name in base.
            self._add(_resolve(f"{base_name}.{alias.name}", self.modules), node)

    def _in_function(self, node: ast.AST) -> None:
        self.function_depth += 1
        self.generic_visit(node)
        self.function_depth -= 1

    visit_FunctionDef = _in_function
    visit_AsyncFunctionDef = _in_function
    visit_Lambda = _in_function

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        is_type_checking = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )
        if not is_type_checking:
            self.generic_visit(node)
            return
        self.type_checking_depth += 1
        for child in node.body:
            self.visit(child)
        self.type_checking_depth -= 1
        for child in node.orelse:
            self.visit(child)


def project_imports(root: Path, packages: Iterable[str] = LAYERS) -> list[Import]:
    """Every import between project files, module-level and inside functions."""
    modules = project_modules(root, packages)
    imports = []
    for module, path in modules.items():
        collector = _Collector(module, path.name == "__init__.py", modules)
        collector.visit(ast.parse(path.read_text(), filename=str(path)))
        imports.extend(collector.imports)
    return imports


def cycles(imports: Iterable[Import], *, with_lazy: bool = False) -> list[list[str]]:
    """Import cycles between files through imports that run at load (and, `with_lazy`,
    inside functions too), one example path per strongly connected group (Tarjan), each
    starting at its smallest module name."""
    graph: dict[str, set[str]] = defaultdict(set)
    for item in imports:
        if item.at_load or (with_lazy and not item.type_only):
            graph[item.source].add(item.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(_example_cycle(graph, group) for group in groups)


def _example_cycle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & group):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError("a strongly connected group always has a cycle")


def report(imports: list[Import]) -> Iterator[str]:
    """The graph as text: app edges, left-pointing edges, cycles, then every file edge."""
    apps: dict[tuple[str, str], int] = defaultdict(int)
    for item in imports:
        if item.source_app != item.target_app:
            apps[item.source_app, item.target_app] += 1
    order = {app: position for position, app in enumerate(LAYERS)}
    yield f"Apps, left to right: {' → '.join(LAYERS)}"
    yield ""
    yield "App-level edges (import statements; LEFT = points the wrong way):"
    for (source, target), count in sorted(
        apps.items(), key=lambda edge: (order[edge[0][0]], order[edge[0][1]])
    ):
        verdict = "LEFT" if order[target] < order[source] else "ok"
        yield f"  {source} → {target}: {count}  {verdict}"

    left = [item for item in imports if item.points_left]
    yield ""
    yield f"Imports pointing left: {len(left)}"
    for item in left:
        yield f"  {item.source}:{item.line} → {item.target}{_kind(item)}"

    found = cycles(imports)
    yield ""
    yield f"Import cycles between files (imports run at load): {len(found)}"
    for cycle in found:
        yield "  " + " → ".join(cycle)
    # Allowed (a task/service pair calls each other), but worth seeing: a lazy import
    # is sometimes only there to dodge a cycle that a misplaced helper created.
    hidden = [cycle for cycle in cycles(imports, with_lazy=True) if cycle not in found]
    yield ""
    yield f"Cycles closed only by imports inside functions: {len(hidden)}"
    for cycle in hidden:
        yield "  " + " → ".join(cycle)

    edges: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for item in imports:
        edges[item.source, item.target].append(item)
    yield ""
    yield f"File-level edges: {len(edges)} ([lazy] inside a function, [types] TYPE_CHECKING)"
    for (source, target), items in sorted(edges.items()):
        kinds = {_kind(item) for item in items}
        yield f"  {source} → {target}{''.join(sorted(kinds))}"


def _kind(item: Import) -> str:
    if item.type_only:
        return " [types]"
    return " [lazy]" if item.lazy else ""


class Command(BaseCommand):
    help = "Print the import graph between apps and files, left-pointing imports and cycles."

    def handle(self, *args, **options):
        for line in report(project_imports(Path(settings.BASE_DIR))):
            self.stdout.write(line)
