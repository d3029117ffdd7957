"""Log lines are JSON for a log collector and readable on a terminal; CASEWORK_LOG_FORMAT may force either."""

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
import structlog

from casework.logs import LogFormat, configure_logging


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restored() -> Iterator[None]:
    """Logs go back where they went once the test has pointed them at its own stream."""
    yield
    configure_logging()


def logged(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO, log_format: LogFormat) -> str:
    """What one casework event and one standard-library event print on `stream` as stderr."""
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging(log_format=log_format)
    structlog.get_logger("casework.test").info("case created", key="SEC-1")
    logging.getLogger("uvicorn.error").info("Started server process")
    return stream.getvalue()


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


@pytest.mark.parametrize("stream, log_format", [(io.StringIO, "auto"), (io.StringIO, "json"), (Terminal, "json")])
def test_json_lines_when_stderr_is_no_terminal_or_when_asked(monkeypatch, restored, stream, log_format):
    lines = json_lines(logged(monkeypatch, stream(), log_format))
    assert [(line["event"], line["level"], line["logger"]) for line in lines] == [
        ("case created", "info", "casework.test"),
        ("Started server process", "info", "uvicorn.error"),
    ]
    assert lines[0]["key"] == "SEC-1" and lines[0]["timestamp"].endswith("Z")


@pytest.mark.parametrize("stream, log_format", [(Terminal, "auto"), (Terminal, "console"), (io.StringIO, "console")])
def test_readable_lines_on_a_terminal_or_when_asked(monkeypatch, restored, stream, log_format):
    output = logged(monkeypatch, stream(), log_format)
    lines = output.splitlines()
    assert len(lines) == 2 and not any(line.startswith("{") for line in lines)
    assert "case created" in lines[0] and "key" in lines[0] and "SEC-1" in lines[0]
    assert "Started server process" in lines[1]
    # Colours only for a terminal.
    assert ("\x1b[" in output) == (stream is Terminal)


@pytest.mark.parametrize("stream", [Terminal, io.StringIO])
def test_a_readable_error_shows_its_traceback_without_the_local_variables(monkeypatch, restored, stream):
    stream = stream()
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging(log_format="console")
    secret = "_".join(["cw", "never", "printed"])  # a local whose value is nowhere in the source either
    try:
        raise RuntimeError(f"failed with a token of {len(secret)} characters")
    except RuntimeError:
        structlog.get_logger().exception("request failed")
    output = stream.getvalue()
    assert "RuntimeError" in output and "request failed" in output
    assert secret not in output
    # Colours only for a terminal.
    assert ("\x1b[" in output) == isinstance(stream, Terminal)
