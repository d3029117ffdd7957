"""`casework field list|add|update|remove PROJECT ...` on an empty database as `casework serve` leaves it (project
CASE), through the service, so the API's rules hold here too."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from casework.bootstrap import bootstrap_if_empty
from casework.db import migrate
from casework.db.database import Database
from casework.workflow.fields.cli import field_app
from tests.servers import empty_database


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with empty_database(backend, tmp_path) as url:
        db = Database(url)
        try:
            migrate.upgrade(db.engine)
            db.run_sync(bootstrap_if_empty)
        finally:
            db.dispose()
        yield url


def field(url: str, *args: str) -> Result:
    env = {"CASEWORK_DATABASE_URL": url, "CASEWORK_BOOTSTRAP_TOKEN": None, "COLUMNS": "60"}
    return CliRunner().invoke(field_app, list(args), env=env)  # type: ignore[arg-type]


def ok_json(url: str, *args: str) -> object:
    result = field(url, *args, "--json")
    assert result.exit_code == 0, f"{result.stdout}{result.stderr}{result.exception!r}"
    return json.loads(result.stdout)


def error_of(url: str, *args: str) -> str:
    result = field(url, *args)
    assert result.exit_code == 1 and result.stdout == "", result.stdout
    return result.stderr


def test_fields_are_added_listed_updated_and_removed(database_url):
    url = database_url
    added = ok_json(url, "add", "CASE", "region", "--label", "Region", "--type", "select", "--option", "eu=Europe",
                    "--option", "us=United States", "--default", "eu", "--required-to-close")
    assert (added["type"], added["default"], added["required_to_close"]) == ("select", "eu", True)
    assert added["options"] == [{"id": "eu", "label": "Europe"}, {"id": "us", "label": "United States"}]
    tree = '[{"id": "emea", "label": "EMEA", "children": [{"id": "fr", "label": "France"}]}]'
    ok_json(url, "add", "case", "place", "--label", "Place", "--type", "dependent_select", "--options-json", tree)
    assert [f["key"] for f in ok_json(url, "list", "CASE")] == ["region", "place"]
    changed = ok_json(url, "update", "CASE", "region", "--label", "Zone", "--inactive", "--no-default", "--not-required-to-close")
    assert (changed["label"], changed["active"], changed["default"], changed["required_to_close"]) == ("Zone", False, None, False)
    assert ok_json(url, "update", "CASE", "place", "--description", "Where it is")["description"] == "Where it is"
    table = field(url, "list", "CASE")
    assert table.exit_code == 0 and "place" in table.stdout
    removed = field(url, "remove", "CASE", "region")
    assert removed.exit_code == 0 and "region" in removed.stdout
    assert [f["key"] for f in ok_json(url, "list", "CASE")] == ["place"]


def test_the_services_rules_hold_on_the_command_line(database_url):
    url = database_url
    assert "options" in error_of(url, "add", "CASE", "region", "--label", "Region", "--type", "select")
    assert "default" in error_of(url, "add", "CASE", "amount", "--label", "Amount", "--type", "number", "--default", "ten")
    assert "key" in error_of(url, "add", "CASE", "Bad-Key", "--label", "X", "--type", "text")
    assert "not found" in error_of(url, "remove", "CASE", "nope")
    assert "ID=LABEL" in error_of(url, "add", "CASE", "r", "--label", "R", "--type", "select", "--option", "eu")
    assert "JSON" in error_of(url, "add", "CASE", "r", "--label", "R", "--type", "select", "--options-json", "[oops")
