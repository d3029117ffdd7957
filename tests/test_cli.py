"""The `casework` command on SQLite and PostgreSQL, each test on an empty database of its own.

Most commands run in-process through typer's CliRunner (one import of the app, not one per command); the
first test runs the installed script itself. Terminal width is set narrow on purpose: output must not depend on it.
"""

import asyncio
import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from sqlalchemy.orm import Session

from casework.app import create_app
from casework.auth import service as auth
from casework.auth.schemas import UserCreate
from casework.projects import service as projects
from casework.bootstrap import ADMIN_EMAIL, bootstrap_if_empty
from casework.cli import app as cli
from casework.db.database import Database
from casework.settings import Settings
from tests.helpers import api_client
from tests.servers import casework_script, clean_env, empty_database

NARROW = "60"


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with empty_database(backend, tmp_path) as url:
        yield url


@dataclass
class Cli:
    url: str
    admin_token: str

    def __call__(self, *args: str) -> Result:
        env = {"CASEWORK_DATABASE_URL": self.url, "CASEWORK_BOOTSTRAP_TOKEN": None, "COLUMNS": NARROW}
        return CliRunner().invoke(cli, list(args), env=env)  # type: ignore[arg-type]

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, f"casework {' '.join(args)}: {result.stdout}{result.stderr}{result.exception!r}"
        assert result.stderr == ""
        return result

    def json(self, *args: str) -> object:
        return json.loads(self.ok(*args, "--json").stdout)

    def error(self, *args: str) -> str:
        """Runs a command that must fail: one line `error: ...` on stderr, nothing on stdout, a clean exit."""
        result = self(*args)
        assert result.exit_code != 0, result.stdout
        assert isinstance(result.exception, SystemExit), f"not a clean exit: {result.exception!r}"
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        return lines[0]


def run_cli(url: str, *args: str) -> Result:
    return Cli(url, "")(*args)


@pytest.fixture
def casework(empty_url: str) -> Cli:
    """A migrated database with its first workspace, admin and admin token, as `casework serve` leaves it."""
    result = run_cli(empty_url, "migrate")
    assert result.exit_code == 0, result.stderr
    db = Database(empty_url)
    try:
        created = db.run_sync(bootstrap_if_empty)
    finally:
        db.dispose()
    assert created is not None
    return Cli(empty_url, created.token)


def table_columns(output: str) -> list[str]:
    """Each column of a printed table, its body's text joined without whitespace: a cell that wrapped or folded
    over several lines reads back whole, and a truncated one ("…") does not."""
    columns: list[str] = []
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        cells = line.strip().strip("│").split("│")
        columns = columns or [""] * len(cells)
        for i, cell in enumerate(cells):
            columns[i] += "".join(cell.split())
    return columns


def table_rows(output: str) -> list[list[str]]:
    """The rows of a printed table, each cell's text whole: a line whose first cell is empty continues the row
    above (a cell wrapped at the terminal's width)."""
    rows: list[list[str]] = []
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if rows and not cells[0]:
            rows[-1] = [f"{old}{new}" for old, new in zip(rows[-1], cells)]
        else:
            rows.append(cells)
    return rows


async def api_call(url: str, token: str, method: str, path: str, **kwargs: object) -> httpx.Response:
    """One request to the native API of an app on this database, as the holder of token."""
    application = create_app(Settings(database_url=url, rate_limit="100000/minute"))
    try:
        async with api_client(application, {"Authorization": f"Bearer {token}"}) as client:
            return await client.request(method, path, **kwargs)  # type: ignore[arg-type]
    finally:
        application.state.db.dispose()


# migrate


def test_migrate_then_cli_without_a_workspace_fails_with_one_error_line(empty_url: str) -> None:
    """The installed script itself: migrate succeeds; with no workspace yet, a command fails cleanly."""
    env = clean_env(CASEWORK_DATABASE_URL=empty_url)
    migrated = subprocess.run([casework_script(), "migrate"], env=env, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    assert "up to date" in migrated.stdout

    listed = subprocess.run([casework_script(), "case", "list", "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode != 0
    assert listed.stdout == ""
    assert "Traceback" not in listed.stderr
    lines = listed.stderr.splitlines()
    assert len(lines) == 1, listed.stderr
    assert lines[0].startswith("error: ") and "workspace" in lines[0]
    assert "casework serve" in lines[0]


def test_migrate_twice_is_a_no_op(empty_url: str) -> None:
    cli = Cli(empty_url, "")
    cli.ok("migrate")
    assert "up to date" in cli.ok("migrate").stdout
    assert "workspace" in cli.error("user", "list")


def test_cli_on_a_database_never_migrated_fails_with_one_error_line(empty_url: str) -> None:
    line = Cli(empty_url, "").error("case", "list")
    assert line.startswith("error: database error: ")


# users


def test_user_add_then_user_list_shows_it_in_table_and_json(casework: Cli) -> None:
    added = casework.json("user", "add", "--email", "Ann.Lee@Example.org", "--name", "Ann Lee", "--role", "manager")
    assert added["email"] == "ann.lee@example.org"
    assert (added["name"], added["role"], added["active"]) == ("Ann Lee", "manager", True)
    uuid.UUID(added["id"])

    table = casework.ok("user", "add", "--email", "bo@example.org", "--name", "Bo", "--role", "viewer").stdout
    columns = table_columns(table)
    assert columns[1:5] == ["bo@example.org", "Bo", "viewer", "True"]

    users = casework.json("user", "list")
    assert {(u["email"], u["role"]) for u in users} == {
        (ADMIN_EMAIL, "admin"),
        ("ann.lee@example.org", "manager"),
        ("bo@example.org", "viewer"),
    }
    assert added in users

    columns = table_columns(casework.ok("user", "list").stdout)
    assert columns[0] == "".join(u["id"] for u in users)  # every id in full, never truncated
    assert columns[1] == "".join(u["email"] for u in users)
    assert columns[3] == "".join(u["role"] for u in users)


def test_user_add_of_a_taken_email_is_one_error_line_and_adds_nobody(casework: Cli) -> None:
    casework.ok("user", "add", "--email", "ann@example.org", "--name", "Ann")
    line = casework.error("user", "add", "--email", "ANN@example.org", "--name", "Other Ann")
    assert "ann@example.org" in line and "already exists" in line
    assert [u["name"] for u in casework.json("user", "list") if u["email"] == "ann@example.org"] == ["Ann"]


def test_user_add_with_an_unknown_role_is_one_error_line_and_adds_nobody(casework: Cli) -> None:
    line = casework.error("user", "add", "--email", "eve@example.org", "--name", "Eve", "--role", "overlord")
    assert line.startswith("error: role: ")
    assert "eve@example.org" not in {u["email"] for u in casework.json("user", "list")}


def test_user_add_by_a_non_admin_is_refused_with_one_error_line(casework: Cli) -> None:
    casework.ok("user", "add", "--email", "mia@example.org", "--name", "Mia", "--role", "manager")
    line = casework.error("user", "add", "--email", "x@example.org", "--name", "X", "--as", "mia@example.org")
    assert "manager" in line
    assert "x@example.org" not in {u["email"] for u in casework.json("user", "list")}


# tokens


async def test_token_create_prints_its_secret_once_and_the_token_works_on_the_api(casework: Cli) -> None:
    printed = casework.ok("token", "create", "--name", "laptop").stdout
    secret = printed.splitlines()[-1]
    assert secret.startswith("cw_") and printed.count(secret) == 1

    me = await api_call(casework.url, secret, "GET", "/me")
    assert me.status_code == 200, me.text
    assert me.json()["user"]["email"] == ADMIN_EMAIL
    assert me.json()["scopes"] == ["cases:read", "cases:write"]
    assert me.json()["token_id"] in printed

    created = await api_call(casework.url, secret, "POST", "/cases", json={"title": "Made with a CLI token"})
    assert created.status_code == 201, created.text


async def test_token_create_json_gives_id_scopes_and_a_working_secret(casework: Cli) -> None:
    casework.ok("user", "add", "--email", "ann@example.org", "--name", "Ann", "--role", "agent")
    created = casework.json("token", "create", "--user", "ann@example.org", "--scope", "cases:read", "--name", "ro")
    assert created["scopes"] == ["cases:read"]
    assert created["name"] == "ro"
    assert created["token"].startswith(created["prefix"])

    me = await api_call(casework.url, created["token"], "GET", "/me")
    assert me.status_code == 200, me.text
    assert me.json()["token_id"] == created["id"]
    assert me.json()["user"]["email"] == "ann@example.org"
    assert me.json()["scopes"] == ["cases:read"]
    refused = await api_call(casework.url, created["token"], "POST", "/cases", json={"title": "Not allowed"})
    assert refused.status_code == 403, refused.text


def test_token_list_never_prints_a_secret(casework: Cli) -> None:
    secrets = [casework.admin_token, casework.json("token", "create")["token"], casework.json("token", "create")["token"]]

    listed = casework.ok("token", "list", "--json").stdout
    tokens = json.loads(listed)
    assert len(tokens) == 3
    assert all("token" not in t and "token_hash" not in t for t in tokens)

    table = casework.ok("token", "list").stdout
    columns = table_columns(table)
    assert columns[0] == "".join(t["id"] for t in tokens)
    for secret in secrets:
        hidden = secret[len("cw_") + 6 :]  # all but the prefix, which is shown on purpose
        assert hidden not in listed
        assert all(hidden not in column for column in columns)
        assert secret[: len("cw_") + 6] in columns[2]


async def test_token_revoke_stops_the_token_at_once(casework: Cli) -> None:
    created = casework.json("token", "create")
    assert (await api_call(casework.url, created["token"], "GET", "/me")).status_code == 200

    revoked = casework.ok("token", "revoke", created["id"]).stdout
    assert created["id"] in revoked and "revoked" in revoked

    refused = await api_call(casework.url, created["token"], "GET", "/me")
    assert refused.status_code == 401, refused.text
    [listed] = [t for t in casework.json("token", "list") if t["id"] == created["id"]]
    assert listed["revoked_at"] is not None
    still = await api_call(casework.url, casework.admin_token, "GET", "/me")
    assert still.status_code == 200  # other tokens are untouched


def test_token_revoke_of_an_unknown_id_is_one_error_line(casework: Cli) -> None:
    unknown = str(uuid.uuid4())
    assert unknown in casework.error("token", "revoke", unknown)


# cases


async def test_case_create_json_returns_the_case_the_api_then_shows(casework: Cli) -> None:
    case = casework.json("case", "create", "--title", "Phishing mail", "--tag", "x", "--tag", "mail", "--priority", "P2")
    assert (case["key"], case["number"], case["title"]) == ("CASE-1", 1, "Phishing mail")
    assert (case["tags"], case["priority"], case["status"], case["version"]) == (["x", "mail"], "P2", "open", 1)

    shown = await api_call(casework.url, casework.admin_token, "GET", "/cases/CASE-1")
    assert shown.status_code == 200, shown.text
    assert shown.json()["id"] == case["id"]
    assert shown.json()["tags"] == ["x", "mail"] and shown.json()["priority"] == "P2"
    # The actor carries the API it came through: the CLI's writes are logged as such.
    log = await api_call(casework.url, casework.admin_token, "GET", "/cases/CASE-1/activity")
    assert [(e["action"], e["source"]) for e in log.json()["items"]] == [("created", "cli")]


def test_case_list_and_show_in_table_and_json(casework: Cli) -> None:
    first = casework.json("case", "create", "--title", "First case", "--tag", "x", "--priority", "P2")
    second = casework.json("case", "create", "--title", "Second case", "--severity", "high")

    listed = casework.json("case", "list")
    assert [c["key"] for c in listed] == ["CASE-2", "CASE-1"]  # most recently updated first
    assert listed == [second, first]

    columns = table_columns(casework.ok("case", "list").stdout)
    assert columns[0] == "CASE-2CASE-1"
    assert columns[1] == "SecondcaseFirstcase"
    assert columns[3] == "P2"
    assert columns[4] == "highlow"

    assert casework.json("case", "show", "case-1") == first  # keys are case-insensitive
    assert casework.json("case", "show", second["id"]) == second
    shown = casework.ok("case", "show", "CASE-1").stdout
    assert "CASE-1: First case" in shown and "Open (open)" in shown and "P2" in shown


def test_case_show_prints_the_whole_case_description_sla_counts_and_latest_activity(casework: Cli) -> None:
    created = casework.json("case", "create", "--title", "Card fraud", "--description", "Two charges from Lyon.",
                            "--priority", "P1", "--tag", "fraud")  # fmt: skip
    changed = asyncio.run(api_call(casework.url, casework.admin_token, "PATCH", f"/cases/{created['id']}",
                                   json={"severity": "high"}, headers={"If-Match": str(created["version"])}))  # fmt: skip
    assert changed.status_code == 200, changed.text
    shown = casework.ok("case", "show", created["key"]).stdout
    assert f"{created['key']}: Card fraud" in shown
    assert "Two charges from Lyon." in shown
    assert "0 comments, 0 alerts, 0 files" in shown
    facts = dict(table_rows(shown.split("Two charges")[0]))
    assert facts["priority"] == "P1" and facts["severity"] == "high" and facts["tags"] == "fraud"
    assert facts["author"] == ADMIN_EMAIL
    activity = shown.split("latest activity")[1]
    # Newest first: the change, then the creation.
    assert activity.index("updated") < activity.index("created") and "severity" in activity
    # --json stays the case as the API answers it.
    assert casework.json("case", "show", created["key"])["description"] == "Two charges from Lyon."


def _second_workspace(url: str, name: str) -> str:
    db = Database(url)
    try:
        def work(session: Session) -> str:
            workspace = projects.create_workspace(session, name)
            auth.add_user(session, workspace.id, UserCreate(email="boss@example.com", name="Boss", role="admin"))
            return str(workspace.id)

        return db.run_sync(work)
    finally:
        db.dispose()


def test_with_several_workspaces_the_cli_acts_in_the_one_named_by_id_name_or_environment(casework: Cli) -> None:
    casework.ok("case", "create", "--title", "In the first workspace")
    other = _second_workspace(casework.url, "Fraud desk")
    assert "several workspaces" in casework.error("case", "list")
    names = [w["name"] for w in casework.json("workspace", "list")]
    assert len(names) == 2 and names[1] == "Fraud desk"  # oldest first
    assert casework.json("--workspace", other, "case", "list") == []
    assert casework.json("-w", "Fraud desk", "user", "list")[0]["email"] == "boss@example.com"
    first = next(w["id"] for w in casework.json("workspace", "list") if w["id"] != other)
    assert [c["title"] for c in casework.json("--workspace", first, "case", "list")] == ["In the first workspace"]
    result = CliRunner().invoke(cli, ["case", "list", "--json"], env={
        "CASEWORK_DATABASE_URL": casework.url, "CASEWORK_WORKSPACE": other, "CASEWORK_BOOTSTRAP_TOKEN": None})  # type: ignore[dict-item]
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert "workspace Nowhere not found" in casework.error("--workspace", "Nowhere", "case", "list")
    _second_workspace(casework.url, "Fraud desk")
    assert "several workspaces are named Fraud desk" in casework.error("--workspace", "Fraud desk", "case", "list")


def test_user_deactivate_activate_and_role(casework: Cli) -> None:
    casework.ok("user", "add", "--email", "ana@example.com", "--name", "Ana")
    assert casework.json("user", "role", "ana@example.com", "manager")["role"] == "manager"
    assert casework.json("user", "deactivate", "ana@example.com")["active"] is False
    listed = {u["email"]: u for u in casework.json("user", "list")}
    assert listed["ana@example.com"]["active"] is False and listed["ana@example.com"]["role"] == "manager"
    assert casework.json("user", "activate", "ana@example.com")["active"] is True
    assert "role" in casework.error("user", "role", "ana@example.com", "overlord")
    # The last active admin stays.
    assert "at least one active admin" in casework.error("user", "deactivate", ADMIN_EMAIL)
    assert "at least one active admin" in casework.error("user", "role", ADMIN_EMAIL, "agent")
    assert "not found" in casework.error("user", "deactivate", "nobody@example.com")


async def test_a_deactivated_users_token_is_refused_at_once(casework: Cli) -> None:
    casework.ok("user", "add", "--email", "bo@example.com", "--name", "Bo", "--role", "admin")
    token = casework.json("token", "create", "--user", "bo@example.com")["token"]
    assert (await api_call(casework.url, token, "GET", "/me")).status_code == 200
    casework.ok("user", "deactivate", "bo@example.com")
    assert (await api_call(casework.url, token, "GET", "/me")).status_code == 401


def test_seed_data_fills_an_existing_workspace_in_a_new_project_numbered_after_its_cases(casework: Cli) -> None:
    mine = casework.json("case", "create", "--title", "Already here")
    workspace = casework.json("workspace", "list")[0]["id"]
    seeded = casework.json("seed-data", "--workspace", workspace, "--cases", "25", "--comments-per-case-max", "3")
    assert seeded["workspace_id"] == workspace and seeded["project_key"] == "DEMO" and seeded["token"] is None
    listed = casework.json("case", "list", "--limit", "500")
    assert len(listed) == 26
    demo = sorted((c for c in listed if c["key"].startswith("DEMO-")), key=lambda c: c["number"])
    assert [c["key"] for c in demo] == [f"DEMO-{n}" for n in range(1, 26)]
    assert [c["number"] for c in demo] == list(range(mine["number"] + 1, mine["number"] + 26))
    after = casework.json("case", "create", "--title", "After the seed")
    assert after["number"] == mine["number"] + 26 and after["key"] == "CASE-2"
    # A second fill takes the next free project key.
    assert casework.json("seed-data", "--workspace", workspace, "--cases", "5")["project_key"] == "DEMO1"


def test_seed_data_by_default_makes_a_small_demo_workspace_and_prints_its_admin_token(casework: Cli) -> None:
    seeded = casework.json("seed-data")
    assert seeded["rows"]["cases"] == 200 and seeded["token"]
    assert seeded["hot_cases"] and seeded["project_key"] == "CASE"
    assert seeded["workspace_id"] in {w["id"] for w in casework.json("workspace", "list")}


def test_case_show_of_an_unknown_case_is_one_error_line(casework: Cli) -> None:
    casework.ok("case", "create", "--title", "Only case")
    line = casework.error("case", "show", "CASE-99")
    assert "CASE-99" in line and "not found" in line


def test_case_create_with_an_invalid_priority_is_one_error_line_and_creates_nothing(casework: Cli) -> None:
    line = casework.error("case", "create", "--title", "Bad priority", "--priority", "P9")
    assert line.startswith("error: priority: ")
    assert casework.json("case", "list") == []
    assert casework.json("case", "create", "--title", "Good")["number"] == 1
