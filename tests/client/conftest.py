"""The client's tests run against the real app served by uvicorn on a loopback port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.support import Harness, live_server


@pytest.fixture(scope="module")
def base_url(harness: Harness) -> Iterator[str]:
    with live_server(harness.app) as url:
        yield url


@dataclass
class FaultInjector:
    """Answers the first ``count`` matching requests with ``status`` (and Retry-After), then
    forwards to the real app. Not a mock of the service: the real app serves every other call."""

    app: ASGIApp
    status: int = 503
    count: int = 0
    retry_after: str | None = None
    match: Callable[[str, str], bool] = lambda method, path: True
    seen: list[tuple[str, str]] = field(default_factory=list)

    def arm(self, status: int, count: int, retry_after: str | None = None,
            match: Callable[[str, str], bool] = lambda method, path: True) -> None:
        self.status, self.count, self.retry_after, self.match = status, count, retry_after, match
        self.seen = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.match(scope["method"], scope["path"]):
            self.seen.append((scope["method"], scope["path"]))
            if self.count > 0:
                self.count -= 1
                headers = [(b"content-type", b"application/problem+json")]
                if self.retry_after is not None:
                    headers.append((b"retry-after", self.retry_after.encode()))
                body = (b'{"type":"about:blank","title":"Injected fault","status":%d}' % self.status)
                await send({"type": "http.response.start", "status": self.status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def faulty(harness: Harness) -> Iterator[tuple[str, FaultInjector]]:
    injector = FaultInjector(harness.app)
    with live_server(injector) as url:  # type: ignore[arg-type]
        yield url, injector


class Recorder:
    """Request paths seen by the client (an httpx event hook), and the sleeps it asked for."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.sleeps: list[float] = []

    def request(self, request: Any) -> None:
        self.paths.append(f"{request.method} {request.url.path}")

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def count(self, what: str) -> int:
        return self.paths.count(what)
