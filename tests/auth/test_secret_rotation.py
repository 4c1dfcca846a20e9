"""Client-secret rotation with an overlap, over a live server: the new secret is shown once, the
replaced one keeps working until the overlap ends, a later rotation ends an earlier overlap."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from service.auth.schemas import DEFAULT_OVERLAP_SECONDS
from service.kernel.ledger import AuditRecord
from tests.support import ISSUED, Actor, Harness, live_server

# A live server on a busy machine: the first screening loads the engine, argon2 takes its time.
HTTP = httpx.Client(timeout=60.0)


@pytest.fixture(scope="module")
def url(harness: Harness) -> Iterator[str]:
    with live_server(harness.app) as base:
        yield base


def _token_status(url: str, client_id: str, secret: str) -> int:
    response = HTTP.post(f"{url}/v1/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    if response.status_code == 200:
        ISSUED.add(response.json()["access_token"])
    return response.status_code


def _rotate(url: str, admin: Actor, client_id: str, body: dict[str, object] | None = None) -> httpx.Response:
    response = HTTP.post(f"{url}/v1/clients/{client_id}/rotate-secret", json=body, headers=admin.headers)
    if response.status_code == 200:
        ISSUED.add(response.json()["client_secret"])
    return response


def _records(app: FastAPI, action: str, target: str) -> list[AuditRecord]:
    with app.state.session_factory() as session:
        return list(session.execute(select(AuditRecord).where(
            AuditRecord.action == action, AuditRecord.target_id == target).order_by(AuditRecord.seq)).scalars())


def test_old_secret_works_until_the_overlap_ends(url: str, app: FastAPI, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)
    rotated = _rotate(url, admin, who.client_id, {"overlap_seconds": 4})
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    new = body["client_secret"]
    assert new != who.client_secret and body["client_id"] == who.client_id
    until = datetime.fromisoformat(body["previous_secret_valid_until"])
    assert timedelta(0) < until - datetime.now(until.tzinfo) <= timedelta(seconds=4)
    # (an argon2 verification takes about half a second on a busy machine: the old secret first)
    assert _token_status(url, who.client_id, who.client_secret) == 200
    assert _token_status(url, who.client_id, new) == 200
    time.sleep(max(0.0, (until - datetime.now(until.tzinfo)).total_seconds()) + 0.2)
    assert _token_status(url, who.client_id, who.client_secret) == 401
    assert _token_status(url, who.client_id, new) == 200
    # Audited, with the overlap and never the secret; the list shows no secret.
    [record] = _records(app, "client.rotate_secret", who.client_id)
    assert record.details["overlap_seconds"] == 4 and new not in str(record.details)
    listed = HTTP.get(f"{url}/v1/clients", headers=admin.headers).json()
    assert new not in str(listed)


def test_default_overlap_and_a_second_rotation_ends_the_first_overlap(url: str, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)
    first = _rotate(url, admin, who.client_id)
    assert first.status_code == 200, first.text
    until = datetime.fromisoformat(first.json()["previous_secret_valid_until"])
    assert abs((until - datetime.now(until.tzinfo)).total_seconds() - DEFAULT_OVERLAP_SECONDS) < 60
    second = _rotate(url, admin, who.client_id, {"overlap_seconds": 3600})
    assert second.status_code == 200
    assert _token_status(url, who.client_id, who.client_secret) == 401  # replaced twice: gone
    assert _token_status(url, who.client_id, first.json()["client_secret"]) == 200  # the overlap of the second
    assert _token_status(url, who.client_id, second.json()["client_secret"]) == 200
    at_once = _rotate(url, admin, who.client_id, {"overlap_seconds": 0})
    assert at_once.status_code == 200 and at_once.json()["previous_secret_valid_until"] is None
    assert _token_status(url, who.client_id, second.json()["client_secret"]) == 401
    assert _token_status(url, who.client_id, at_once.json()["client_secret"]) == 200


def test_refusals(url: str, app: FastAPI, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)
    for bad in ({"overlap_seconds": -1}, {"overlap_seconds": 7 * 86_400 + 1}, {"overlap_seconds": "1"},
                {"overlap": 5}):
        refused = _rotate(url, admin, who.client_id, bad)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    stranger = actor("admin")
    forbidden = _rotate(url, stranger, who.client_id)
    assert forbidden.status_code == 403 and "own organisation" in forbidden.json()["detail"]
    assert [r.details["operation"] for r in _records(app, "auth.denied", who.client_id)] == ["client.rotate_secret"]
    assert _rotate(url, who, who.client_id).status_code == 403  # a screener administers nothing
    assert _rotate(url, admin, "dl_nobody").status_code == 404
    assert HTTP.post(f"{url}/v1/clients/{who.client_id}/disable", headers=admin.headers).status_code == 200
    assert _rotate(url, admin, who.client_id).status_code == 409
    assert _token_status(url, who.client_id, who.client_secret) == 401  # nothing rotated, still disabled
