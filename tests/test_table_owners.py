"""Each table is written by its own package: a package changes another package's table only by calling
that package's service (the files a comment carries: attachments.service; a case's counts and outcome: cases.service;
a project's statuses, types, fields and SLA policies: their own services)."""

import ast
from pathlib import Path

from tests.test_layers import MODULES

# The benchmark's bulk loader writes every table by name, on purpose (bench/README.md): it is no service.
NOT_CHECKED = ("casework.seed",)
WRITES = {"insert": 0, "update": 0, "delete": 0, "insert_with_handle": 1}


def foreign_writes(name: str, source: str) -> list[str]:
    """The models of other packages that `name` hands to insert/update/delete (as a model or its __table__)."""
    package = name.rpartition(".")[0]
    tree = ast.parse(source)
    models = {
        alias.asname or alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models")
        for alias in node.names
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        # A new entity of another package's model is a row about to be added to its table.
        if called in models and called[:1].isupper() and models[called] != f"{package}.models":
            found.append(f"{models[called]}.{called}")
            continue
        if called not in WRITES or len(node.args) <= WRITES[called]:
            continue
        target = node.args[WRITES[called]]
        if isinstance(target, ast.Attribute) and target.attr == "__table__":
            target = target.value
        if isinstance(target, ast.Name) and target.id in models and models[target.id] != f"{package}.models":
            found.append(f"{models[target.id]}.{target.id}")
    return found


def test_every_module_writes_only_its_own_packages_tables():
    found = {name: foreign_writes(name, Path(path).read_text()) for name, path in MODULES.items() if name not in NOT_CHECKED}
    assert {name: writes for name, writes in found.items() if writes} == {}


def test_the_check_sees_a_write_to_another_package_table():
    probe = (
        "from casework.attachments.models import Attachment\n"
        "from casework.cases.models import Case as C\n"
        "from casework.comments.models import Comment\n"
        "def work(session):\n"
        "    session.execute(update(Attachment.__table__).values(comment_id=None))\n"
        "    session.execute(delete(C).where(C.id == 1))\n"
        "    insert_with_handle(session, Comment.__table__, {})\n"
        "    session.add(Attachment(name='x'))\n"
    )
    assert sorted(foreign_writes("casework.comments.service", probe)) == [
        "casework.attachments.models.Attachment",
        "casework.attachments.models.Attachment",
        "casework.cases.models.C",
    ]
