"""Log lines: readable for development, one JSON object per line for log collectors (``log_format``).

Every line, from structlog and from the standard library's loggers (aiortc, the analyzers), goes through the same
processors: the level, the logger, an ISO-8601 UTC time, the values bound to the running request or interview
(``request_id``: server/http/request_id.py; ``interview_id``: :func:`interview_context`), and a last guard that
masks what must never be written: link tokens in paths (server/http/access_log.py's masking) and the values of
keys that carry secrets or a person's contact details.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from typing import Any, Literal, TextIO

import structlog

from server.http.access_log import masked_path

QUIET_LOGGERS = ("aioice", "aiortc", "alembic")
"""Libraries whose info lines are noise in a server's log (warnings still show)."""

MASKED_KEYS = frozenset({"password", "token", "secret", "api_key", "authorization", "cookie", "email", "phone",
                         "candidate_name", "sdp"})
"""Keys whose values never reach a log line, whoever passed them."""

PATH_KEYS = frozenset({"path", "target", "url"})
"""Keys whose values are request paths: link tokens in them are masked."""


def redact(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """The last processor before rendering: masks secrets and contact details, and link tokens in paths."""
    for key in list(event):
        if key.lower() in MASKED_KEYS and event[key] is not None:
            event[key] = "***"
        elif key in PATH_KEYS and isinstance(event[key], str):
            event[key] = masked_path(event[key])
    return event


def _shared_processors() -> list:
    return [structlog.contextvars.merge_contextvars, structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name, structlog.processors.TimeStamper(fmt="iso", utc=True)]


def configure_logging(level: str = "info", fmt: Literal["console", "json"] = "console",
                      stream: TextIO | None = None) -> logging.Handler:
    """Send every log line (structlog's and the standard library's) to ``stream`` (stderr) in ``fmt``; returns the
    handler it installed on the root logger (replacing any earlier one installed here)."""
    if fmt == "json":
        renderer: Any = structlog.processors.JSONRenderer()
        tail = [structlog.processors.format_exc_info]  # a plain traceback: never the frames' local variables
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
        tail = []
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name("interview-server")
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail, redact, renderer]))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "interview-server"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, *_shared_processors(),
                    structlog.stdlib.PositionalArgumentsFormatter(), structlog.processors.StackInfoRenderer(),
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    return handler


def interview_context(interview_id: str) -> contextvars.Context:
    """A copy of the current context for work that outlives the request that started it (a live interview's
    tasks): its lines carry ``interview_id`` instead of that request's ``request_id``."""
    context = contextvars.copy_context()

    def rebind() -> None:
        structlog.contextvars.unbind_contextvars("request_id")
        structlog.contextvars.bind_contextvars(interview_id=interview_id)

    context.run(rebind)
    return context
