"""`casework status|transitions|type|project settings`: the same rules as the API, from the shell (see tests/test_cli.py
for how the CLI is run)."""

import json

from tests.test_cli import Cli, api_call, casework, empty_url, table_columns  # noqa: F401  (fixtures)

SEEDED = ["New", "Open", "In progress", "Pending", "On hold", "Resolved", "Closed"]


# Statuses


def test_status_list_shows_the_seeded_statuses_in_table_and_json(casework: Cli) -> None:
    listed = casework.json("status", "list", "CASE")
    assert [s["name"] for s in listed] == SEEDED
    assert {s["group"]: s["name"] for s in listed if s["is_default"]} == {"open": "Open", "in_progress": "In progress", "closed": "Closed"}
    columns = table_columns(casework.ok("status", "list", "case").stdout)
    assert columns[0] == "".join(s["id"] for s in listed)  # ids in full
    assert columns[1] == "".join(name.replace(" ", "") for name in SEEDED)


async def test_status_add_update_and_remove_as_the_api_sees_them(casework: Cli) -> None:
    added = casework.json("status", "add", "CASE", "Triage", "--group", "in_progress", "--category", "open",
                          "--colour", "#abcdef", "--default")
    assert (added["name"], added["colour"], added["position"], added["is_default"]) == ("Triage", "#ABCDEF", 7, True)
    shown = await api_call(casework.url, casework.admin_token, "GET", "/projects/CASE/statuses/triage")
    assert shown.json() == added
    assert not next(s for s in casework.json("status", "list", "CASE") if s["name"] == "In progress")["is_default"]

    casework.ok("status", "update", "CASE", "Closed", "--position", "98")
    changed = casework.json("status", "update", "CASE", "triage", "--name", "Sorting", "--position", "99")
    assert (changed["id"], changed["name"], changed["position"]) == (added["id"], "Sorting", 99)
    assert [s["name"] for s in casework.json("status", "list", "CASE")][-2:] == ["Closed", "Sorting"]

    assert casework.ok("status", "remove", "CASE", "pending").stdout == "status pending removed\n"
    assert "Pending" not in {s["name"] for s in casework.json("status", "list", "CASE")}


def test_status_rules_fail_with_one_error_line_and_change_nothing(casework: Cli) -> None:
    before = casework.json("status", "list", "CASE")
    assert "already has a status" in casework.error("status", "add", "CASE", "open", "--group", "open", "--category", "open")
    assert casework.error("status", "add", "CASE", "X", "--group", "done", "--category", "open").startswith("error: group: ")
    assert casework.error("status", "add", "CASE", "X", "--group", "open", "--category", "open", "--colour", "red").startswith(
        "error: colour: "
    )
    assert "default" in casework.error("status", "update", "CASE", "Open", "--no-default")
    assert "default" in casework.error("status", "remove", "CASE", "Closed")
    assert "not found" in casework.error("status", "remove", "CASE", "Waiting")
    assert "not found" in casework.error("status", "list", "NOPE")
    assert casework.json("status", "list", "CASE") == before


def test_a_status_held_by_a_case_keeps_its_category(casework: Cli) -> None:
    casework.ok("case", "create", "--title", "Held")
    assert "1 cases" in casework.error("status", "update", "CASE", "Open", "--category", "new")
    assert next(s for s in casework.json("status", "list", "CASE") if s["name"] == "Open")["category"] == "open"


def test_status_changes_by_a_non_manager_are_refused(casework: Cli) -> None:
    casework.ok("user", "add", "--email", "ann@example.org", "--name", "Ann", "--role", "agent")
    casework.ok("user", "add", "--email", "mia@example.org", "--name", "Mia", "--role", "manager")
    line = casework.error("status", "add", "CASE", "X", "--group", "open", "--category", "open", "--as", "ann@example.org")
    assert "agent" in line
    assert [s["name"] for s in casework.json("status", "list", "CASE", "--as", "ann@example.org")] == SEEDED
    casework.ok("status", "add", "CASE", "X", "--group", "open", "--category", "open", "--as", "mia@example.org")


# Transitions


def test_transitions_set_then_show_in_table_and_json(casework: Cli) -> None:
    assert casework.json("transitions", "show", "CASE") == {"restrict_transitions": False, "transitions": []}
    saved = casework.json("transitions", "set", "CASE", "New:Open", "open:In progress", "In progress:closed")
    assert [(t["from"]["name"], t["to"]["name"]) for t in saved["transitions"]] == [
        ("New", "Open"), ("Open", "In progress"), ("In progress", "Closed")
    ]
    assert casework.json("transitions", "show", "CASE") == saved
    output = casework.ok("transitions", "show", "CASE").stdout
    assert table_columns(output)[0] == "NewOpenInprogress"
    assert "not restricted" in output

    assert casework.json("transitions", "set", "CASE", "--clear")["transitions"] == []


def test_transitions_set_refuses_bad_moves_with_one_error_line(casework: Cli) -> None:
    casework.ok("transitions", "set", "CASE", "New:Open")
    assert casework.error("transitions", "set", "CASE", "New:Open", "Waiting:Open").startswith("error: transitions.1.from: ")
    assert casework.error("transitions", "set", "CASE", "NewOpen").startswith("error: transitions.0: ")
    assert "--clear" in casework.error("transitions", "set", "CASE")
    assert [t["from"]["name"] for t in casework.json("transitions", "show", "CASE")["transitions"]] == ["New"]


# Types


async def test_type_add_update_list_and_remove(casework: Cli) -> None:
    added = casework.json("type", "add", "CASE", "Phishing", "--description", "Mail", "--prefill", '{"priority": "P2"}')
    assert (added["name"], added["description"], added["prefill"], added["active"]) == ("Phishing", "Mail", {"priority": "P2"}, True)
    shown = await api_call(casework.url, casework.admin_token, "GET", "/projects/CASE/types/phishing")
    assert shown.json() == added

    changed = casework.json("type", "update", "CASE", "PHISHING", "--inactive", "--prefill", "{}")
    assert (changed["active"], changed["prefill"]) == (False, {})
    assert [t["name"] for t in casework.json("type", "list", "CASE")] == ["STANDARD", "Phishing"]
    columns = table_columns(casework.ok("type", "list", "CASE").stdout)
    assert columns[1] == "STANDARDPhishing"

    assert casework.ok("type", "remove", "CASE", "Phishing").stdout == "type Phishing removed\n"
    assert [t["name"] for t in casework.json("type", "list", "CASE")] == ["STANDARD"]


def test_type_rules_fail_with_one_error_line(casework: Cli) -> None:
    assert "STANDARD" in casework.error("type", "remove", "CASE", "STANDARD")
    assert "STANDARD" in casework.error("type", "update", "CASE", "standard", "--inactive")
    assert casework.error("type", "add", "CASE", "X", "--prefill", "{nope").startswith("error: prefill: ")
    assert casework.error("type", "add", "CASE", "X", "--prefill", '{"priority": "P9"}').startswith("error: prefill.priority: ")
    casework.ok("type", "add", "CASE", "Phishing")
    assert "already has a type" in casework.error("type", "add", "CASE", "PHISHING")
    assert [t["name"] for t in casework.json("type", "list", "CASE")] == ["STANDARD", "Phishing"]


# Project settings


async def test_project_settings_show_and_change_as_the_api_sees_them(casework: Cli) -> None:
    shown = casework.json("project", "settings", "CASE")
    assert shown == {
        "key": "CASE",
        "restrict_transitions": False,
        "resolution_required": False,
        "closed_read_only": True,
        "comments_on_closed": True,
        "sla_warning_percent": 75,
        "closure_conditions": [],
    }
    conditions = [{"name": "assigned", "formula": "=SIZE(team_case.assignees) > 0"}]
    changed = casework.json(
        "project", "settings", "case", "--restrict-transitions", "--resolution-required", "--no-closed-read-only",
        "--no-comments-on-closed", "--sla-warning-percent", "80", "--closure-conditions", json.dumps(conditions),
    )
    assert changed == {
        "key": "CASE",
        "restrict_transitions": True,
        "resolution_required": True,
        "closed_read_only": False,
        "comments_on_closed": False,
        "sla_warning_percent": 80,
        "closure_conditions": conditions,
    }
    project = (await api_call(casework.url, casework.admin_token, "GET", "/projects/CASE")).json()
    assert {key: project[key] for key in changed if key != "key"} == {k: v for k, v in changed.items() if k != "key"}
    columns = table_columns(casework.ok("project", "settings", "CASE", "--no-restrict-transitions").stdout)
    assert columns[0].startswith("restrict_transitions") and columns[1].startswith("False")


def test_project_settings_refuse_bad_values_and_non_managers(casework: Cli) -> None:
    assert casework.error("project", "settings", "CASE", "--sla-warning-percent", "100").startswith(
        "error: sla_warning_percent: "
    )
    line = casework.error("project", "settings", "CASE", "--closure-conditions", '[{"name": "x", "formula": "=SIZE("}]')
    assert line.startswith("error: closure_conditions.0.formula: ")
    casework.ok("user", "add", "--email", "ann@example.org", "--name", "Ann", "--role", "agent")
    assert "agent" in casework.error("project", "settings", "CASE", "--restrict-transitions", "--as", "ann@example.org")
    assert casework.json("project", "settings", "CASE")["restrict_transitions"] is False
