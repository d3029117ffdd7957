"""The code stays as `make lint` wants it: ruff's lint rules and format hold on src/ and bench/ (mypy, slower, runs
in `make lint` itself, which CI runs before the suite)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).parent / "ruff"


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RUFF), *args, "src", "bench"], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    result = ruff("check", "--no-cache")
    assert result.returncode == 0, result.stdout


def test_the_code_is_formatted_as_ruff_formats_it() -> None:
    result = ruff("format", "--check", "--no-cache")
    assert result.returncode == 0, result.stdout


def test_lint_runs_ruff_and_mypy_with_the_locked_tools() -> None:
    makefile = (ROOT / "Makefile").read_text()
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check src bench" in lint and "ruff format --check src bench" in lint and "mypy" in lint
    assert "make lint" in (ROOT / ".ci" / "run").read_text()
