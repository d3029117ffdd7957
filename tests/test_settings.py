"""Settings are checked when any `casework` command starts: one line per bad value naming its variable, exit 2,
no traceback; PostgreSQL URLs as providers hand them out are accepted."""

import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from casework.db.database import Database
from casework.settings import Settings
from tests.servers import casework_script, clean_env, empty_database

BAD = {
    "CASEWORK_PORT": "70000",
    "CASEWORK_WORKERS": "0",
    "CASEWORK_LOG_LEVEL": "loud",
    "CASEWORK_LOG_FORMAT": "xml",
    "CASEWORK_RATE_LIMIT": "lots",
    "CASEWORK_DATABASE_URL": "mysql://db/casework",
    "CASEWORK_DB_POOL_SIZE": "0",
}


@pytest.mark.parametrize("command", [["serve"], ["migrate"], ["case", "list"]])
def test_each_bad_value_is_one_line_naming_its_variable_and_nothing_starts(command: list[str], tmp_path: Path) -> None:
    done = subprocess.run(
        [casework_script(), *command], env=clean_env(CASEWORK_DATA_DIR=str(tmp_path), **BAD),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert "Traceback" not in done.stderr and len(lines) == len(BAD)
    assert sorted(line.split("=", 1)[0] for line in lines) == sorted(f"error: {name}" for name in BAD)
    assert "error: CASEWORK_PORT=70000: Input should be less than or equal to 65535" in lines
    assert "error: CASEWORK_RATE_LIMIT=lots: expected one positive amount per period, like '600/minute'" in lines
    assert not (tmp_path / "casework.db").exists()


def test_a_secret_setting_is_never_echoed(tmp_path: Path) -> None:
    done = subprocess.run(
        [casework_script(), "migrate"],
        env=clean_env(CASEWORK_DATA_DIR=str(tmp_path), CASEWORK_S3_SECRET_ACCESS_KEY="", CASEWORK_PORT="0"),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("error: CASEWORK_PORT=0: ")


@pytest.mark.parametrize(
    "field, value",
    [("port", 0), ("port", 65536), ("workers", 0), ("db_pool_size", 0), ("log_level", "verbose"), ("log_format", "text"),
     ("rate_limit", "0/minute"), ("rate_limit", "10/second;100/minute"), ("rate_limit", "ten per second"),
     ("database_url", "mysql://db/x"), ("database_url", "sqlite:relative.db")],
)  # fmt: skip
def test_out_of_range_and_malformed_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(**{field: value})
    assert [error["loc"] for error in raised.value.errors()] == [(field,)]


def test_sane_values_are_taken_and_the_log_level_and_format_in_any_case() -> None:
    settings = Settings(port=65535, workers=4, log_level="DEBUG", rate_limit="600/minute", db_pool_size=1)
    assert (settings.port, settings.workers, settings.log_level, settings.rate_limit) == (65535, 4, "debug", "600/minute")
    assert [Settings(log_format=given).log_format for given in ("JSON", "Console", "auto")] == ["json", "console", "auto"]
    assert Settings.model_fields["log_format"].default == "auto"


def test_a_postgres_url_as_providers_give_it_is_postgresql_through_psycopg(tmp_path: Path) -> None:
    with empty_database("postgres", tmp_path) as url:
        assert url.startswith("postgresql+psycopg://")
        for given in (url.replace("postgresql+psycopg://", "postgres://"), url.replace("+psycopg", ""), url):
            settings = Settings(database_url=given)
            assert settings.resolved_database_url == url
            db = Database(settings.resolved_database_url)
            try:
                assert db.run_sync(lambda session: session.execute(text("select 1")).scalar()) == 1
            finally:
                db.dispose()
