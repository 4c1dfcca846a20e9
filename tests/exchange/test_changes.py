"""GET /v1/changes: a mirror that follows the feed ends with exactly what the caller may see."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.support import Actor, Harness, entry_body, live_server


def _follow(client: TestClient, who: Actor, mirror: dict[str, dict[str, Any]], since: int,
            limit: int = 7) -> int:
    """Apply the feed from ``since`` to ``mirror`` until caught up; return the position."""
    while True:
        page = client.get("/v1/changes", params={"since": since, "limit": limit}, headers=who.headers).json()
        revisions = [item["revision"] for item in page["items"]]
        assert revisions == sorted(revisions) and all(r > since for r in revisions)
        for item in page["items"]:
            if item["removed"]:
                mirror.pop(item["entry_id"], None)
            else:
                mirror[item["entry_id"]] = item["entry"]
        assert page["next_since"] >= since
        since = page["next_since"]
        if since == page["head"]:
            return since


def _visible(client: TestClient, who: Actor) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/entries", params=params, headers=who.headers).json()
        out.update({item["id"]: item for item in page["items"]})
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def test_mirror_from_zero_ends_with_exactly_the_visible_entries(own: Harness) -> None:
    client, actor = own.client, own.actor
    mine = actor("contributor")
    other = actor("contributor")
    screener = actor("screener", org=mine.organisation)
    auditor = actor("auditor")
    mirrors: dict[str, dict[str, dict[str, Any]]] = {"mine": {}, "screener": {}, "auditor": {}}
    readers = {"mine": mine, "screener": screener, "auditor": auditor}
    since = {name: _follow(client, who, mirrors[name], 0) for name, who in readers.items()}

    def post(who: Actor, **overrides: Any) -> dict[str, Any]:
        response = client.post("/v1/entries", json=entry_body(**overrides), headers=who.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def patch(who: Actor, entry: dict[str, Any], **changes: Any) -> dict[str, Any]:
        response = client.patch(f"/v1/entries/{entry['id']}", json=changes, headers={
            **who.headers, "If-Match": f'"{entry["id"]}.v{entry["version"]}"'})
        assert response.status_code == 200, response.text
        return dict(response.json())

    own_restricted = post(mine, visibility="restricted")
    hidden_then_shown = post(other, visibility="restricted")
    shown_then_hidden = post(other, visibility="members")
    renamed = post(other, visibility="public")
    withdrawn = post(mine)
    since = {name: _follow(client, who, mirrors[name], since[name]) for name, who in readers.items()}
    assert shown_then_hidden["id"] in mirrors["mine"] and hidden_then_shown["id"] not in mirrors["mine"]

    patch(other, hidden_then_shown, visibility="members")
    patch(other, shown_then_hidden, visibility="restricted")
    patch(other, patch(other, renamed, name="Renamed Holding"), aliases=["RH"])
    assert client.post(f"/v1/entries/{withdrawn['id']}/withdraw", json={"reason": "annulled on appeal"},
                       headers=mine.headers).status_code == 200
    for name, who in readers.items():
        _follow(client, who, mirrors[name], since[name])
        assert mirrors[name] == _visible(client, who), name

    assert own_restricted["id"] in mirrors["mine"] and own_restricted["id"] in mirrors["screener"]
    assert shown_then_hidden["id"] not in mirrors["mine"] and shown_then_hidden["id"] in mirrors["auditor"]
    assert mirrors["mine"][renamed["id"]]["aliases"] == ["RH"]
    assert mirrors["mine"][withdrawn["id"]]["status"] == "withdrawn"
    # A newcomer starting from 0 reaches the same state in one go, and is never told of
    # entries it never could see (not even as tombstones).
    fresh: dict[str, dict[str, Any]] = {}
    _follow(client, mine, fresh, 0, limit=1000)
    assert fresh == mirrors["mine"]
    late = actor("contributor")
    tombstones: set[str] = set()
    position = 0
    while True:  # every page: the shared test database holds other tests' revisions too
        page = client.get("/v1/changes", params={"since": position, "limit": 1000}, headers=late.headers).json()
        tombstones |= {i["entry_id"] for i in page["items"] if i["removed"]}
        if page["next_since"] >= page["head"]:
            break
        position = page["next_since"]
    assert shown_then_hidden["id"] in tombstones  # it was visible to members once
    assert own_restricted["id"] not in tombstones


def test_long_poll_answers_when_the_list_changes(harness: Any, client: TestClient,
                                                 actor: Callable[..., Actor]) -> None:
    reader = actor("screener")
    writer = actor("contributor")
    head = client.get("/v1/changes", params={"since": 0, "limit": 1}, headers=reader.headers).json()["head"]

    started = time.monotonic()
    empty = client.get("/v1/changes", params={"since": head, "wait": 0.4}, headers=reader.headers).json()
    assert empty == {"items": [], "next_since": head, "head": head}
    assert 0.35 <= time.monotonic() - started < 3

    def write_soon() -> None:
        time.sleep(0.5)
        client.post("/v1/entries", json=entry_body(visibility="public"), headers=writer.headers)

    with live_server(harness.app) as url:
        thread = threading.Thread(target=write_soon)
        thread.start()
        started = time.monotonic()
        page = httpx.get(f"{url}/v1/changes", params={"since": head, "wait": 10}, headers=reader.headers,
                         timeout=15).json()
        elapsed = time.monotonic() - started
        thread.join()
    assert 0.4 <= elapsed < 5, elapsed
    assert [item["action"] for item in page["items"]] == ["entry.create"] and page["next_since"] == head + 1


def test_feed_errors_are_problems(client: TestClient, actor: Callable[..., Actor]) -> None:
    reader = actor("auditor")
    head = client.get("/v1/changes", headers=reader.headers).json()["head"]
    ahead = client.get("/v1/changes", params={"since": head + 100}, headers=reader.headers)
    assert ahead.status_code == 409 and ahead.headers["content-type"] == "application/problem+json"
    for params in ({"since": -1}, {"limit": 0}, {"wait": 26}):
        bad = client.get("/v1/changes", params=params, headers=reader.headers)
        assert bad.status_code == 422, params
    assert client.get("/v1/changes").status_code == 401
