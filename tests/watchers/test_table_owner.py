"""case_watchers has one writer: the case aggregate (casework.cases.watching), which adds the author and assignees
as it writes the case; the watchers package, a layer above, writes through it and cases never imports it."""

import ast
import re

from tests.test_layers import GRAPH, MODULES

OWNER = "casework.cases.watching"
# Calls that write the table named in their arguments.
WRITERS = {
    "insert", "delete", "update", "insert_ignoring_duplicates", "insert_with_handle", "insert_with_handles",
    "add_to_counters", "add", "add_all", "merge", "bulk_insert_mappings", "bulk_update_mappings",
}  # fmt: skip
SQL_WRITE = re.compile(r"\b(insert\s+into|delete\s+from|update)\s+\"?case_watchers\b", re.IGNORECASE)


def _names_the_table(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and inner.id == "CaseWatcher":
            return True
        if isinstance(inner, ast.Attribute) and inner.attr == "CaseWatcher":
            return True
        if isinstance(inner, ast.Constant) and inner.value == "case_watchers":
            return True
    return False


def _writes_watchers(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_WRITE.search(node.value):
            return True
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name in WRITERS and any(_names_the_table(arg) for arg in [*node.args, *(k.value for k in node.keywords)]):
            return True
    return False


def test_only_the_case_aggregate_writes_case_watchers():
    writers = sorted(name for name, path in MODULES.items() if _writes_watchers(path.read_text()))
    assert writers == [OWNER]


def test_the_case_aggregate_never_imports_the_watchers_package():
    upward = {name: sorted(t for t in targets if t.startswith("casework.watchers"))
              for name, targets in GRAPH.items() if name.startswith("casework.cases")}  # fmt: skip
    assert {name: targets for name, targets in upward.items() if targets} == {}


def test_the_check_sees_every_way_of_writing_the_table():
    assert _writes_watchers("session.execute(delete(CaseWatcher.__table__).where(CaseWatcher.case_id == x))")
    assert _writes_watchers("session.add(watchers.CaseWatcher(case_id=x, user_id=y))")
    assert _writes_watchers("insert_ignoring_duplicates(session, table=CaseWatcher.__table__, rows=rows)")
    assert _writes_watchers("session.execute(text('DELETE FROM case_watchers WHERE case_id = :id'))")
    assert not _writes_watchers("session.execute(select(CaseWatcher.user_id).where(CaseWatcher.case_id == x))")
