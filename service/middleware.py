"""ASGI middleware: request ids and the request body size limit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
import weakref
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.kernel.errors import PROBLEM_BASE, PROBLEM_JSON

log = logging.getLogger("debarlist")


class RequestContext:
    """Give every request an id (echoed as X-Request-ID and written to audit records)
    and refuse bodies above the configured size before they are read into memory."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        supplied = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = supplied if 0 < len(supplied) <= 64 and supplied.isprintable() else str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        if secret := _secret_in_query(scope.get("query_string", b"")):
            await _problem(scope, send, request_id, 400, "secret-in-query", "Secret in the query string",
                           f"{secret} must never be sent in a URL (URLs are logged and cached); send it in the "
                           "request body or the Authorization header")
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await _too_large(scope, send, request_id, self.max_body_bytes)
            return
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            # FastAPI turns an exception raised while reading the body into its own 400
            # ("error parsing the body"); that answer is dropped and replaced by the 413.
            if too_large and not started:
                return
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, limited_receive, send_with_id)
        if too_large and not started:
            await _too_large(scope, send, request_id, self.max_body_bytes)


class _BodyTooLarge(Exception):
    pass


SECRET_PARAMETERS = frozenset({"client_secret", "secret", "password", "api_key", "apikey", "access_token",
                               "token", "assertion", "client_assertion"})


def _secret_in_query(query_string: bytes) -> str | None:
    """The first query parameter that carries a credential, if any."""
    if not query_string:
        return None
    for name, _ in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if name.lower() in SECRET_PARAMETERS:
            return name
    return None


async def _too_large(scope: Scope, send: Send, request_id: str, limit: int) -> None:
    await _problem(scope, send, request_id, 413, "payload-too-large", "Request body too large",
                   f"request bodies are limited to {limit} bytes")


async def _problem(scope: Scope, send: Send, request_id: str, status: int, slug: str, title: str,
                   detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail,
                            "instance": scope.get("path")}
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(payload)).encode()),
                            (b"x-request-id", request_id.encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": payload})


class HideQueryStrings(logging.Filter):
    """Uvicorn's access log without query strings: a credential sent in a URL by mistake (the
    request is refused) must not reach the log either."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?…", *args[3:])
        return True


def hide_query_strings_in_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, HideQueryStrings) for f in access.filters):
        access.addFilter(HideQueryStrings())


class AdmissionControl:
    """At most ``limit`` requests are served at once; up to ``max_waiting`` more wait at most
    ``queue_timeout`` seconds for a turn. Beyond that the answer is 503 with Retry-After at
    once: an overloaded server sheds load in milliseconds instead of letting every client time
    out. Liveness checks and long polls (which wait without a thread) are not counted."""

    def __init__(self, app: ASGIApp, *, limit: int, max_waiting: int, queue_timeout: float,
                 exempt: tuple[str, ...] = ("/healthz", "/v1/changes")) -> None:
        self.app = app
        self.limit = limit
        self.max_waiting = max_waiting
        self.queue_timeout = queue_timeout
        self.exempt = exempt
        # One semaphore per event loop: tests serve one app from several loops.
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary())
        self._waiting = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self.limit)
        if slots.locked() and self._waiting >= self.max_waiting:
            await self._overloaded(scope, send, "too many requests are waiting")
            return
        self._waiting += 1
        try:
            await asyncio.wait_for(slots.acquire(), self.queue_timeout)
        except TimeoutError:
            await self._overloaded(scope, send, f"no turn within {self.queue_timeout:g} s")
            return
        finally:
            self._waiting -= 1
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()

    async def _overloaded(self, scope: Scope, send: Send, why: str) -> None:
        request_id = str(scope.get("state", {}).get("request_id") or uuid.uuid4())
        log.warning("overloaded: %s %s refused (%s)", scope.get("method"), scope.get("path"), why)
        await _problem(scope, send, request_id, 503, "overloaded", "Service overloaded",
                       f"the service is busy ({why}); retry after the time in Retry-After",
                       headers=[(b"retry-after", b"1")])
