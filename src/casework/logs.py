"""Log lines through structlog, for casework's own events and for uvicorn's alike: JSON for a log collector, or
readable lines on a terminal."""

import logging
from typing import Literal

import structlog

LogFormat = Literal["auto", "json", "console"]

SHARED_PROCESSORS: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def renderers(log_format: LogFormat, terminal: bool) -> list[structlog.types.Processor]:
    """The last processors of a line: JSON unless asked for the console, or "auto" and writing to a terminal."""
    if log_format == "console" or (log_format == "auto" and terminal):
        # No locals in tracebacks: they would print tokens and passwords. Colours for a terminal only.
        if terminal:
            formatter: structlog.typing.ExceptionRenderer = structlog.dev.RichTracebackFormatter(show_locals=False)
        else:
            formatter = structlog.dev.plain_traceback
        return [structlog.dev.ConsoleRenderer(colors=terminal, exception_formatter=formatter)]
    return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]


def configure_logging(level: str = "info", access_log: bool = False, log_format: LogFormat = "auto") -> None:
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=SHARED_PROCESSORS,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *renderers(log_format, handler.stream.isatty()),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # uvicorn turns its access log off by detaching the access logger, which the loop above re-attaches
    # (create_app runs after uvicorn's own set-up): it stays off unless CASEWORK_ACCESS_LOG.
    logging.getLogger("uvicorn.access").propagate = access_log
    # Alembic's INFO lines ("Context impl ...") would follow every /readyz.
    logging.getLogger("alembic").setLevel(max(numeric, logging.WARNING))
