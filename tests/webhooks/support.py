"""Webhook test helpers: a real HTTP receiver on loopback, a harness whose URL policy admits
it, a delivery worker with the test's own timings, and alerts raised through the real app."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from service.monitoring.runner import run_once
from service.webhooks.delivery import DeliveryLoop, Policy
from tests.support import ISSUED, Actor, Harness, entry_body, unique_word


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """A plain HTTP server on a loopback port. ``mode``: "ok" answers 204, "fail" answers 500,
    "hang" holds each request (unanswered) until ``release()``; ``stop()`` takes it down (the
    port then refuses connections) and ``start()`` brings it back on the same port."""

    port: int = 0
    mode: str = "ok"
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _released: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # the http.server protocol names it
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._lock:
                    receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                if receiver.mode == "hang":
                    receiver._released.wait(30)
                status = 500 if receiver.mode == "fail" else 204
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def release(self) -> None:
        self._released.set()

    def bodies(self) -> list[Received]:
        with self._lock:
            return list(self.received)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: Callable[[], Any], timeout: float = 20, message: str = "condition") -> Any:
    """Poll ``what`` until it returns something truthy, within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(0.05)


def start_hooks_harness(db_url: str, key_file: Path) -> Harness:
    """The app as a closed network would configure it: http and loopback receivers admitted. Its
    own delivery loop is off: each test runs the worker with the timings it tests."""
    return Harness.start(db_url, key_file, webhook_allow_http=True, webhook_allow_private=True,
                         webhook_interval_seconds=0)


def policy(**overrides: Any) -> Policy:
    values: dict[str, Any] = dict(timeout=2.0, lease=3.0, backoff_base=0.1, backoff_max=0.5, give_up=60.0,
                                  batch=50, concurrency=4, allow_http=True, allow_private=True)
    values.update(overrides)
    return Policy(**values)


@contextmanager
def worker(harness: Harness, **overrides: Any) -> Iterator[DeliveryLoop]:
    loop = DeliveryLoop(harness.app.state.session_factory, policy(**overrides), interval=0.05)
    loop.start()
    try:
        yield loop
    finally:
        loop.stop()


@contextmanager
def shared_worker_paused(shared: Harness) -> Iterator[None]:
    """The suite's shared app runs a delivery loop with production timings and URL policy; it
    would retry these tests' deliveries on its own schedule (or refuse their loopback URLs), so
    it pauses while they run."""
    shared.app.state.webhook_delivery.stop()
    try:
        yield
    finally:
        shared.app.state.webhook_delivery.start()


def create_endpoint(client: TestClient, who: Actor, url: str,
                    event_types: tuple[str, ...] = ("alert.raised",)) -> dict[str, Any]:
    created = client.post("/v1/webhooks", headers=who.headers,
                          json={"url": url, "event_types": list(event_types), "description": "test receiver"})
    assert created.status_code == 201, created.text
    ISSUED.add(created.json()["secret"])  # the suite's log is checked for it at the end
    return dict(created.json())


def raise_alerts(harness: Harness, screener: Actor, contributor: Actor, count: int) -> list[dict[str, Any]]:
    """``count`` watched suppliers of one name, then one entry matching them all: ``count`` alerts."""
    client = harness.client
    _, word = unique_word()
    name = f"{word} Logistics LLP"
    added = client.post("/v1/watchlist/bulk", headers=screener.headers,
                        json={"suppliers": [{"ref": f"{word}-{i}", "name": name} for i in range(count)]})
    assert added.status_code == 200, added.text
    created = client.post("/v1/entries", headers=contributor.headers,
                          json=entry_body(name=name, aliases=[], identifiers=[]))
    assert created.status_code == 201, created.text
    refs = {f"{word}-{i}" for i in range(count)}

    def alerts() -> list[dict[str, Any]] | None:
        run_once(harness.app.state.session_factory, harness.app.state.lists)
        page = client.get("/v1/alerts", headers=screener.headers, params={"limit": 500}).json()["items"]
        found = [a for a in page if a["ref"] in refs and a["entry_id"] == created.json()["id"]]
        return found if len(found) >= count else None

    return list(wait_for(alerts, message=f"{count} alerts"))
