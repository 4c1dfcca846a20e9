"""One log line and one metrics observation per HTTP request, outermost of the middleware, so
that requests refused early (overload, body size, secret in the URL) are counted too."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from service.observability.logs import get_logger
from service.observability.metrics import UNMATCHED_ROUTE, observe_request

request_log = get_logger("debarlist.request")

# The ASGI interface, spelled out: this module is plain ASGI and needs no web framework.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def route_template(scope: Scope) -> str:
    """The matched route's path template; never the raw path (unbounded, and it may carry ids)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class RequestLog:
    def __init__(self, app: ASGIApp, *, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        # Paths observed in metrics but not logged (e.g. /healthz, polled every few seconds).
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id: str | None = None
        done = False

        def finish() -> None:
            nonlocal done
            if done:
                return
            done = True
            seconds = time.perf_counter() - started
            route = route_template(scope)
            method = str(scope.get("method", ""))
            observe_request(method, route, status, seconds)
            if scope.get("path") not in self.exempt or status >= 400:
                self._log(scope, method, route, status, seconds, request_id)

        async def observe(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers") or ():
                    if name.lower() == b"x-request-id":
                        request_id = value.decode("latin-1")
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                # Written before the last byte goes out, so the line is in the log by the time
                # the client has its answer.
                finish()
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            finish()  # no complete answer: the client went away, or the app failed

    @staticmethod
    def _log(scope: Scope, method: str, route: str, status: int, seconds: float, request_id: str | None) -> None:
        # The principal is put in the request state by the authentication dependency; the
        # path is logged without its query string (a credential sent there by mistake).
        principal: Any = (scope.get("state") or {}).get("principal")
        fields: dict[str, Any] = {
            "request_id": request_id, "method": method, "route": route, "path": scope.get("path"),
            "status": status, "duration_ms": round(seconds * 1000, 2),
            "client_id": getattr(principal, "client_id", None),
            "organisation": getattr(principal, "organisation", None),
        }
        if status >= 500:
            request_log.error("request", **fields)
        else:
            request_log.info("request", **fields)
