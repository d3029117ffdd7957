"""The suite never quietly drops its PostgreSQL half: unreachable PostgreSQL stops the run unless skipped on purpose."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test"


def run_smoke_tests(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "CASEWORK_SKIP_POSTGRES"}
    environment |= {"CASEWORK_TEST_DATABASE_URL": UNREACHABLE, **env}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args, "tests/cases/test_smoke.py"]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)


def test_unreachable_postgres_stops_the_run_with_a_clear_message():
    result = run_smoke_tests("-q")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "PostgreSQL is not reachable" in output and "CASEWORK_SKIP_POSTGRES=1" in output


def test_skipping_postgres_on_purpose_runs_the_sqlite_half_only():
    result = run_smoke_tests("-v", CASEWORK_SKIP_POSTGRES="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[sqlite] PASSED" in result.stdout and "[postgres]" not in result.stdout
