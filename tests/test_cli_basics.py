"""What a new user tries first with the `casework` command: its version, help, completion, `python -m casework`,
and the project's metadata. No database here."""

import subprocess
import sys
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from casework import __version__
from casework.app import create_app
from casework.cli import app as cli
from casework.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_version_is_defined_once_in_pyproject_and_printed_by_version_and_v() -> None:
    assert __version__ == PYPROJECT["project"]["version"]
    for flag in ("--version", "-V"):
        result = CliRunner().invoke(cli, [flag], prog_name="casework")
        assert result.exit_code == 0 and result.output == f"casework {__version__}\n"


def test_python_dash_m_casework_is_the_casework_command() -> None:
    done = subprocess.run([sys.executable, "-m", "casework", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == f"casework {__version__}\n"


def test_dash_h_is_help_on_the_command_and_on_each_subcommand() -> None:
    top = CliRunner().invoke(cli, ["-h"], prog_name="casework")
    assert top.exit_code == 0 and "Usage: casework" in top.output and "serve" in top.output
    for group in ("case", "user", "token", "field", "sla", "oauth-client"):
        result = CliRunner().invoke(cli, [group, "-h"], prog_name="casework")
        assert result.exit_code == 0 and f"Usage: casework {group}" in result.output


def test_shell_completion_scripts_are_offered_and_complete_commands() -> None:
    # Through the completion variable, as the installed script calls it: --show-completion would name the shell it
    # detects from the process tree, which differs between a terminal and `make test`.
    script = CliRunner().invoke(cli, [], prog_name="casework", env={"_CASEWORK_COMPLETE": "source_bash"})
    assert script.exit_code == 0 and "_casework_completion" in script.output and "complete " in script.output
    words = {"_CASEWORK_COMPLETE": "complete_bash", "COMP_WORDS": "casework us", "COMP_CWORD": "1"}
    completed = CliRunner().invoke(cli, [], prog_name="casework", env=words)
    assert completed.exit_code == 0 and completed.output.split() == ["user"]
    assert "--show-completion" in CliRunner().invoke(cli, ["-h"], prog_name="casework").output


def test_the_api_description_carries_the_package_version(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    assert app.openapi()["info"]["version"] == __version__


def test_the_project_says_its_licence_and_ships_it() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    assert "Apache License" in (ROOT / "LICENSE").read_text() and "Version 2.0" in (ROOT / "LICENSE").read_text()
    assert project["authors"] and project["classifiers"] and project["keywords"]
    assert (ROOT / "CHANGELOG.md").read_text().startswith("# Changelog")
