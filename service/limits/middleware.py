"""Makes the app's rate limits the current ones for each request, and answers the budget a
screening spent in the RateLimit headers of its response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from service.limits.limiter import RateLimits, RequestLimits, current

# ASGI's shapes, spelled out: the limits domain does not import the web framework.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class LimitsContext:
    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = RequestLimits(self.limits)
        token = current.set(state)

        async def send_with_budget(message: Message) -> None:
            if message["type"] == "http.response.start" and state.spent:
                # The last budget the request spent (an OCDS package screens once per tender).
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k.lower().encode(), v.encode()) for k, v in state.spent[-1].headers().items()
                         if k.lower().encode() not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_budget)
        finally:
            current.reset(token)
