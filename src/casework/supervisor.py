"""`casework serve --workers N` (N > 1) replaces itself with this module once the database is ready.

The CLI has imported the whole application to migrate and bootstrap; uvicorn's supervisor only starts and watches
the worker processes (each imports the app itself), so it runs as a fresh interpreter that imports uvicorn alone
and stays at a few tens of MB instead of keeping a full copy of the app's memory beside the workers."""

import json
import os
import sys
import tempfile
from typing import Any

import uvicorn

from casework.http_protocol import HttpProtocol
from casework.logs import configure_logging

# Where prometheus-client's multiprocess mode keeps each worker's metrics, for /metrics to add them up.
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# asyncio's own loop, not uvloop: under load uvloop left some connections unread for many loop turns (create p99
# 6.5 x its p50, some requests over 2 s), asyncio's serves them in turn at the same throughput (bench/findings.md).
EVENT_LOOP = "asyncio"


def run(options: dict[str, Any]) -> None:
    """uvicorn serving casework with `options` (host, port, workers, ...), logging as configure_logging set up."""
    uvicorn.run("casework.app:create_app", factory=True, log_config=None, loop=EVENT_LOOP, http=HttpProtocol, **options)


def main(options: dict[str, Any]) -> None:
    """`options` as for run, and the log format."""
    configure_logging(options["log_level"], options["access_log"], options.pop("log_format"))
    # A fresh directory each start: metrics files left by an earlier run would be counted again.
    with tempfile.TemporaryDirectory(prefix="casework-metrics-") as metrics_dir:
        os.environ[METRICS_DIR_VARIABLE] = metrics_dir
        run(options)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
