"""The import graph of casework, function-level imports included: no cycles, storage at the bottom, and the
dialects reached only through the list create_app mounts."""

import ast
from pathlib import Path

import casework

SOURCE = Path(casework.__file__).parent


def _modules() -> dict[str, Path]:
    modules = {}
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.relative_to(SOURCE).parts:
            continue
        name = ".".join(("casework", *path.relative_to(SOURCE).with_suffix("").parts)).removesuffix(".__init__")
        modules[name] = path
    return modules


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The casework modules `name` imports anywhere in its body (inside functions and TYPE_CHECKING blocks too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
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
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return cycles


def test_no_module_imports_itself_through_others():
    assert _cycles() == []


def test_storage_imports_no_domain():
    ground = [name for name in GRAPH if name == "casework.db" or name.startswith("casework.db.")]
    assert ground
    upward = {name: sorted(t for t in GRAPH[name] if not t.startswith(("casework.db", "casework.settings",
                                                                      "casework.errors", "casework.i18n")))
              for name in ground}  # fmt: skip
    assert {name: targets for name, targets in upward.items() if targets} == {}


def test_only_the_installed_list_names_a_dialect():
    seam = {"casework.dialects", "casework.dialects.dialect", "casework.dialects.installed"}
    for name, targets in GRAPH.items():
        vendors = {t for t in targets if t.startswith("casework.dialects.") and t not in seam}
        if name.startswith("casework.dialects."):
            own = ".".join(name.split(".")[:3])
            vendors = {t for t in vendors if not t.startswith(own)}
        assert not vendors or name == "casework.dialects.installed", (name, vendors)


def test_the_walk_sees_imports_inside_functions_and_type_checking_blocks(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from casework.cases.models import Case\n"
        "def later():\n    from casework.comments import service\n"
    )
    assert {"casework.cases.models", "casework.comments.service"} <= _imports("casework.probe", module)
