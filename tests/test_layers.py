"""The import graph of casework, function-level imports included: no cycles, every module in a layer and importing
only from its own layer or below, storage at the bottom, and the dialects reached only through the list create_app
mounts."""

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


# The layers, bottom up (README, "Layers"). A module is in the layer of the longest name here that is its own or one
# of its packages'; a module named `router` or `cli` is an entry point whatever its package.
STORAGE, IDENTITY, CONFIGURATION, CASES, CONTENT, ENTRY_POINTS = range(6)
LAYERS = {
    "casework": STORAGE,
    "casework.db": STORAGE,
    "casework.settings": STORAGE,
    "casework.errors": STORAGE,
    "casework.i18n": STORAGE,
    "casework.inputs": STORAGE,
    "casework.logs": STORAGE,
    "casework.observability": STORAGE,
    "casework.pagination": STORAGE,
    "casework.credentials": STORAGE,
    "casework.descriptions": STORAGE,
    "casework.problems": STORAGE,
    "casework.auth": IDENTITY,
    "casework.activity": IDENTITY,
    "casework.oauth": IDENTITY,
    "casework.projects": CONFIGURATION,
    "casework.vendor_settings": CONFIGURATION,
    "casework.workflow": CONFIGURATION,
    "casework.workflow.vocabulary": CONFIGURATION,
    "casework.workflow.case_values": CONFIGURATION,
    "casework.workflow.statuses": CONFIGURATION,
    "casework.workflow.case_types": CONFIGURATION,
    "casework.workflow.fields": CONFIGURATION,
    "casework.workflow.slas": CONFIGURATION,
    "casework.workflow.formula": CONFIGURATION,
    "casework.workflow.conditions": CONFIGURATION,
    "casework.workflow.conditions.schemas": CONFIGURATION,
    "casework.cases": CASES,
    # Closing a case is the aggregate's rule: its closure conditions are evaluated against the case's tasks, and a
    # pending override request blocks it. So the evaluation and the two tables it reads sit with cases; only their
    # own packages write those tables (tests/test_table_owners.py).
    "casework.workflow.conditions.evaluation": CASES,
    "casework.tasks.models": CASES,
    "casework.workflow.overrides.models": CASES,
    # Finding cases: q matches their comments too, so the listing reads content and sits beside it.
    "casework.cases.search": CONTENT,
    "casework.cases.paging": CONTENT,
    "casework.cases.text_search": CONTENT,
    "casework.comments": CONTENT,
    "casework.alerts": CONTENT,
    "casework.attachments": CONTENT,
    "casework.tasks": CONTENT,
    "casework.links": CONTENT,
    "casework.blocks": CONTENT,
    "casework.watchers": CONTENT,
    "casework.insights": CONTENT,
    "casework.deletion": CONTENT,
    "casework.workflow.overrides": CONTENT,
    "casework.workflow.conditions.service": CONTENT,
    "casework.workflow.fields.bulk": CONTENT,
    "casework.workflow.slas.worker": CONTENT,
    "casework.cli": ENTRY_POINTS,
    "casework.__main__": ENTRY_POINTS,
    "casework.command_line": ENTRY_POINTS,
    "casework.http": ENTRY_POINTS,
    "casework.route_handler": ENTRY_POINTS,
    "casework.app": ENTRY_POINTS,
    "casework.api_docs": ENTRY_POINTS,
    "casework.api_description": ENTRY_POINTS,
    "casework.seed": ENTRY_POINTS,
    "casework.dialects": ENTRY_POINTS,
    "casework.content": ENTRY_POINTS,
    "casework.supervisor": ENTRY_POINTS,
    "casework.http_protocol": ENTRY_POINTS,
    "casework.bootstrap": ENTRY_POINTS,
}
# Packages whose every module must be named in LAYERS itself: a new module there has to be placed by hand.
PLACED_ONE_BY_ONE = ("casework", "casework.workflow", "casework.workflow.conditions")
ENTRY_POINT_NAMES = ("router", "cli")


def _layer(name: str) -> int | None:
    if name.rpartition(".")[2] in ENTRY_POINT_NAMES:
        return ENTRY_POINTS
    if name.rpartition(".")[0] in PLACED_ONE_BY_ONE:
        return LAYERS.get(name)
    while name not in LAYERS and "." in name:
        name = name.rpartition(".")[0]
        if name in PLACED_ONE_BY_ONE:
            return None
    return LAYERS.get(name)


def _upward_imports() -> set[tuple[str, str]]:
    """(importer, imported) for every import of a module from a layer above the importer's."""
    layer = {name: _layer(name) for name in GRAPH}
    return {
        (name, target)
        for name, targets in GRAPH.items()
        for target in targets
        if layer[name] is not None and layer[target] is not None and layer[target] > layer[name]
    }


def test_every_module_has_a_layer():
    assert sorted(name for name in GRAPH if _layer(name) is None) == []


def test_every_layer_entry_names_a_module_or_a_package():
    assert sorted(name for name in LAYERS if name not in GRAPH) == []


def test_no_module_imports_from_a_layer_above_its_own():
    assert _upward_imports() == set()


def test_a_new_module_takes_its_packages_layer_unless_its_package_places_each_by_hand():
    assert _layer("casework.comments.export") == CONTENT
    assert _layer("casework.workflow.fields.router") == ENTRY_POINTS
    assert _layer("casework.cases.text_search") == CONTENT
    assert _layer("casework.reports") is None
    assert _layer("casework.workflow.reports.service") is None
    assert _layer("casework.workflow.conditions.export") is None


def _sqlalchemy_names(path: Path) -> set[str]:
    return {
        alias.name
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy"
        for alias in node.names
    } | {
        alias.name
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.split(".")[0] == "sqlalchemy"
    }


def test_the_cli_builds_no_sql_of_its_own():
    """Commands call services: from SQLAlchemy they take the session type and the database error, nothing to query
    with."""
    commands = [path for name, path in MODULES.items() if name.rpartition(".")[2] == "cli" or name == "casework.command_line"]
    assert len(commands) >= 5
    assert {str(path.relative_to(SOURCE)): _sqlalchemy_names(path) - {"Session", "SQLAlchemyError"} for path in commands} == {
        str(path.relative_to(SOURCE)): set() for path in commands
    }
