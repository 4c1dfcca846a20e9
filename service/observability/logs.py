"""Structured JSON logs: structlog, configured once per process, with the standard library's
records (uvicorn, SQLAlchemy, ``logging.getLogger("debarlist")``) rendered through the same
processors, so every line is one JSON object.

Nothing secret is written: keys that name a credential are replaced, and bearer tokens, JWTs
and ``secret=...`` pairs inside free text are masked, whoever logged them.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import structlog

REDACTED = "[redacted]"

# Keys whose value is a credential whatever it looks like (compared lower-case).
SECRET_KEYS = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "client_secret", "secret", "password",
    "token", "access_token", "refresh_token", "id_token", "api_key", "apikey", "x-api-key", "assertion",
    "client_assertion", "signing_key", "private_key", "metrics_token",
})

# Credentials inside free text: "Bearer <token>", "Basic <b64>", "ApiKey <key>", a JWT, an API key
# by its shape (service.auth.apikeys: its visible prefix is kept), "client_secret=..." pairs.
_TEXT_PATTERNS = (
    (re.compile(r"(?i)\b(bearer|basic|apikey)\s+[A-Za-z0-9._~+/=-]+"), r"\1 " + REDACTED),
    (re.compile(r"\b(dlk_[0-9a-f]{12})_[A-Za-z0-9_-]+"), r"\1_" + REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),
    (re.compile(r"(?i)\b(client_secret|secret|password|api_?key|access_token|token)=[^&\s\"']+"),
     r"\1=" + REDACTED),
)

_HANDLER_MARK = "_debarlist_handler"
_configured = False

EventDict = MutableMapping[str, Any]


def scrub_text(text: str) -> str:
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _scrub(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if depth > 4:
        return value
    if isinstance(value, dict):
        return {k: REDACTED if str(k).lower() in SECRET_KEYS else _scrub(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, depth + 1) for v in value]
    return value


def redact(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    """The last processor before rendering: credentials by key, then by shape."""
    for key in list(event_dict):
        if key.lower() in SECRET_KEYS:
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _scrub(event_dict[key])
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def formatter(fmt: Literal["json", "console"] = "json") -> logging.Formatter:
    """The formatter every handler uses (the service's own, and e.g. a test's log file)."""
    renderer: Any = (structlog.processors.JSONRenderer() if fmt == "json"
                     else structlog.dev.ConsoleRenderer(colors=False))
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, redact, renderer])


def configure_logging(level: str = "INFO", fmt: Literal["json", "console"] = "json",
                      stream: TextIO | None = None) -> None:
    """Route structlog and the standard library to one handler on the root logger. Calling it
    again changes the level only: handlers others added (a test's capture) are kept."""
    global _configured
    root = logging.getLogger()
    root.setLevel(level)
    logging.getLogger("debarlist").setLevel(level)
    # SQL statements carry parameters (bidders' names, stored responses): never logged through
    # the service's level; set this logger's level explicitly to debug queries.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    if _configured:
        return
    structlog.configure(
        processors=[*_shared_processors(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    if not any(getattr(h, _HANDLER_MARK, False) for h in root.handlers):
        handler = logging.StreamHandler(stream) if stream else _Stderr()
        handler.setFormatter(formatter(fmt))
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)
    _configured = True


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted (a test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def get_logger(name: str = "debarlist") -> Any:
    return structlog.get_logger(name)
