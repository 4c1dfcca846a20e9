"""ASGI middleware: request ids and the request body size limit."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import PROBLEM_BASE, PROBLEM_JSON


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


async def _too_large(scope: Scope, send: Send, request_id: str, limit: int) -> None:
    import json

    body: dict[str, Any] = {"type": PROBLEM_BASE + "payload-too-large", "title": "Request body too large",
                            "status": 413, "detail": f"request bodies are limited to {limit} bytes",
                            "instance": scope.get("path")}
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(payload)).encode()),
                            (b"x-request-id", request_id.encode())]})
    await send({"type": "http.response.body", "body": payload})
