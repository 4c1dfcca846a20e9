"""Rate limits over a live server, with the counters in memory and in Redis (127.0.0.1:6379):
token attempts per client id and per address, the growing lockout after failures, screening
subjects per minute per client (every screening route) with a per-organisation figure, 429 with
Retry-After and RateLimit headers; replicas on one Redis share the budget."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import ISSUED, Actor, Harness, live_server

REDIS = "redis://127.0.0.1:6379/0"
STORAGES = ["memory", "redis"]
HTTP = httpx.Client(timeout=60.0)


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_timeout=1).ping())
    except Exception:
        return False


def _clear_of_a_window_edge(need: float = 20.0) -> None:
    """Wait, if needed, until at least ``need`` seconds are left in the current minute.

    ``limits``' sliding-window counter weighs the previous fixed window (aligned on the epoch:
    minutes, and the five minutes of the failure window) by how much of it is still in the
    sliding minute, so attempts that straddle a window's edge count as slightly fewer than they
    are: a test whose last counted attempt fell just after a minute began was let through (seen
    once under load). A test that starts clear of an edge counts within one window."""
    left = 60 - time.time() % 60
    if left < need:
        time.sleep(left + 0.05)


def _start(db_url: str, key_file: Path, storage: str, **limits: Any) -> Harness:
    _clear_of_a_window_edge()
    if storage == "redis" and not _redis_up():
        pytest.fail("Redis is not reachable on 127.0.0.1:6379: the Redis storage is not tested")
    extra = {"redis_url": REDIS} if storage == "redis" else {}
    # A namespace of its own: other test runs may share the Redis.
    return Harness.start(db_url, key_file, rate_limit_namespace="t" + secrets.token_hex(6), **extra, **limits)


@pytest.fixture
def served(request: pytest.FixtureRequest, db_url: str, key_file: Path) -> Iterator[tuple[Harness, str]]:
    storage, limits = request.param
    harness = _start(db_url, key_file, storage, **limits)
    try:
        with live_server(harness.app) as url:
            yield harness, url
    finally:
        harness.close()


def _token(url: str, who: Actor, secret: str | None = None) -> httpx.Response:
    response = HTTP.post(f"{url}/v1/token", data={"grant_type": "client_credentials"},
                         auth=(who.client_id, secret or who.client_secret))
    if response.status_code == 200:
        ISSUED.add(response.json()["access_token"])
    return response


def _assert_429(response: httpx.Response, *, oauth: bool) -> int:
    assert response.status_code == 429, response.text
    retry = int(response.headers["retry-after"])
    assert retry >= 1
    assert int(response.headers["ratelimit-limit"]) >= 1
    assert int(response.headers["ratelimit-remaining"]) >= 0 and int(response.headers["ratelimit-reset"]) >= 1
    if oauth:
        assert response.json()["error"] == "slow_down"
    else:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 429
    return retry


def _cases(**limits: Any) -> list[Any]:
    return [pytest.param((storage, limits), id=storage) for storage in STORAGES]


@pytest.mark.parametrize("served", _cases(token_attempts_per_minute_per_client=3), indirect=True)
def test_token_attempts_per_client(served: tuple[Harness, str]) -> None:
    harness, url = served
    who, other = harness.actor("screener"), harness.actor("screener")  # one attempt each already
    assert _token(url, who).status_code == 200
    assert _token(url, who).status_code == 200
    _assert_429(_token(url, who), oauth=True)  # the right secret too: attempts are counted, not failures
    assert _token(url, other).status_code == 200


@pytest.mark.parametrize("served", _cases(token_attempts_per_minute_per_address=4), indirect=True)
def test_token_attempts_per_address(served: tuple[Harness, str]) -> None:
    harness, url = served
    # The harness's own token requests come through the ASGI transport ("testclient"), not loopback.
    actors = [harness.actor("screener") for _ in range(3)]
    for who in [*actors, actors[0]]:
        assert _token(url, who).status_code == 200
    _assert_429(_token(url, actors[1]), oauth=True)  # the fifth from this address in a minute


@pytest.mark.parametrize("served", _cases(token_failures=2, token_lockout_seconds=2, token_lockout_max_seconds=8),
                         indirect=True)
def test_failures_lock_out_for_a_growing_period(served: tuple[Harness, str]) -> None:
    harness, url = served
    who = harness.actor("screener")
    wrong = "wrong-" + secrets.token_hex(8)
    assert _token(url, who, wrong).status_code == 401
    assert _token(url, who, wrong).status_code == 401  # the second failure locks out
    first = _assert_429(_token(url, who), oauth=True)  # even with the right secret
    assert first <= 2
    time.sleep(first + 0.2)
    assert _token(url, who).status_code == 200  # a success clears the failures
    assert _token(url, who, wrong).status_code == 401
    assert _token(url, who, wrong).status_code == 401
    second = _assert_429(_token(url, who), oauth=True)
    assert 2 < second <= 4  # twice as long the second time
    other = harness.actor("screener")
    assert _token(url, other).status_code == 200  # another client is not locked out


def _screen(url: str, who: Actor, n: int) -> httpx.Response:
    return HTTP.post(f"{url}/v1/screen", headers=who.headers,
                     json={"subjects": [{"ref": f"s{i}", "name": f"Nobody {i} Stroy LLP"} for i in range(n)]})


@pytest.mark.parametrize("served", _cases(screening_subjects_per_minute=5), indirect=True)
def test_screening_subjects_per_minute_on_every_screening_route(served: tuple[Harness, str]) -> None:
    harness, url = served
    org = harness.new_org()
    who = harness.actor("screener", org=org)
    first = _screen(url, who, 3)
    assert first.status_code == 200, first.text
    assert (first.headers["ratelimit-limit"], first.headers["ratelimit-remaining"]) == ("5", "2")
    _assert_429(_screen(url, who, 3), oauth=False)
    match = HTTP.post(f"{url}/match/default", headers=who.headers, json={"queries": {
        "a": {"schema": "Company", "properties": {"name": ["Nobody Stroy LLP"]}},
        "b": {"schema": "Company", "properties": {"name": ["Nobody Trans LLP"]}}}})
    assert match.status_code == 200, match.text  # 2 left: fits
    _assert_429(HTTP.post(f"{url}/match/default", headers=who.headers, json={"queries": {
        "a": {"schema": "Company", "properties": {"name": ["Nobody Stroy LLP"]}}}}), oauth=False)
    _assert_429(HTTP.post(f"{url}/reconcile", headers=who.headers,
                          data={"queries": json.dumps({"q": {"query": "Nobody Stroy LLP"}})}), oauth=False)
    release = {"ocid": "ocds-213czf-limits", "id": "limits-tender", "date": "2026-05-01T09:00:00Z", "tag": ["tender"],
               "initiationType": "tender",
               "parties": [{"id": "p1", "name": "Nobody Stroy LLP", "roles": ["tenderer"]}]}
    _assert_429(HTTP.post(f"{url}/v1/screen/ocds", headers=who.headers, json=release), oauth=False)
    # Each client has its own budget.
    assert _screen(url, harness.actor("screener", org=org), 5).status_code == 200
    # A request larger than the whole budget says so.
    alone = _screen(url, harness.actor("screener", org=org), 6)
    _assert_429(alone, oauth=False)
    assert "on its own" in alone.json()["detail"]


@pytest.mark.parametrize("storage", STORAGES)
def test_an_organisation_has_its_own_figure(storage: str, db_url: str, key_file: Path) -> None:
    probe = _start(db_url, key_file, storage)
    big = probe.new_org()
    probe.close()
    harness = _start(db_url, key_file, storage, screening_subjects_per_minute=2,
                     screening_subjects_per_minute_by_organisation={big: 50})
    try:
        with live_server(harness.app) as url:
            assert _screen(url, harness.actor("screener", org=big), 40).headers["ratelimit-limit"] == "50"
            _assert_429(_screen(url, harness.actor("screener"), 3), oauth=False)
    finally:
        harness.close()


def test_replicas_on_one_redis_share_the_budget(db_url: str, key_file: Path) -> None:
    namespace = "t" + secrets.token_hex(6)
    if not _redis_up():
        pytest.fail("Redis is not reachable on 127.0.0.1:6379")
    replicas = [Harness.start(db_url, key_file, redis_url=REDIS, rate_limit_namespace=namespace,
                              screening_subjects_per_minute=4) for _ in range(2)]
    try:
        who = replicas[0].actor("screener")
        with live_server(replicas[0].app) as one, live_server(replicas[1].app) as two:
            assert _screen(one, who, 3).status_code == 200
            _assert_429(_screen(two, who, 3), oauth=False)  # the other replica counted the first 3
            assert _screen(two, who, 1).status_code == 200
    finally:
        for replica in replicas:
            replica.close()


def test_an_unreachable_redis_lets_requests_through(db_url: str, key_file: Path) -> None:
    harness = Harness.start(db_url, key_file, redis_url="redis://127.0.0.1:1/0", screening_subjects_per_minute=1)
    try:
        with live_server(harness.app) as url:
            who = harness.actor("screener")
            assert _token(url, who).status_code == 200
            assert _screen(url, who, 3).status_code == 200
    finally:
        harness.close()
