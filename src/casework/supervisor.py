"""`casework serve --workers N` (N > 1) replaces itself with this module once the database is ready.

The CLI has imported the whole application to migrate and bootstrap; uvicorn's supervisor only starts and watches
the worker processes (each imports the app itself), so it runs as a fresh interpreter that imports uvicorn alone
and stays at a few tens of MB instead of keeping a full copy of the app's memory beside the workers."""

import json
import sys
from typing import Any

import uvicorn

from casework.logs import configure_logging


def run(options: dict[str, Any]) -> None:
    """uvicorn serving casework with `options` (host, port, workers, ...), logging as configure_logging set up."""
    uvicorn.run("casework.app:create_app", factory=True, log_config=None, **options)


def main(options: dict[str, Any]) -> None:
    configure_logging(options["log_level"], options["access_log"])
    run(options)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
