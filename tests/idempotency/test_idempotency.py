"""Idempotency-Key on POST (issue 13): a retried write runs once and is answered with the first
response; the key is per client, bound to one request, kept 24 hours."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import service.screening.service as screening_service
from service.entries.models import Entry
from service.idempotency.models import IdempotencyKey
from service.kernel.clock import utcnow
from service.kernel.errors import Overloaded
from service.kernel.ledger import AuditRecord
from service.screening.models import Screening
from tests.support import Actor, Harness, entry_body, live_server

SUBJECTS = [{"ref": "bid-1", "name": "Alatau Stroy LLP", "country": "KZ"},
            {"ref": "bid-2", "name": "Nurly Stroy LLP", "country": "KZ"}]


def _key() -> str:
    return "idem-" + secrets.token_hex(8)


def _screen(client: TestClient, who: Actor, key: str | None, **body: Any) -> httpx.Response:
    headers = {**who.headers, **({"Idempotency-Key": key} if key is not None else {})}
    response: httpx.Response = client.post("/v1/screen", json={"subjects": SUBJECTS, "tender_ref": "T-IDEM", **body},
                                           headers=headers)
    return response


def _count(harness: Harness, model: Any, *where: Any) -> int:
    with harness.app.state.sessions.read() as session:
        return int(session.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def _receipts(harness: Harness, who: Actor) -> int:
    return _count(harness, Screening, Screening.client_id == who.client_id)


def _audited(harness: Harness, who: Actor, action: str) -> int:
    return _count(harness, AuditRecord, AuditRecord.actor == who.client_id, AuditRecord.action == action)


def _keys(harness: Harness, who: Actor) -> list[IdempotencyKey]:
    with harness.app.state.sessions.read() as session:
        return list(session.execute(select(IdempotencyKey).where(IdempotencyKey.client_id == who.client_id))
                    .scalars())


def test_a_retried_screening_stores_one_receipt_and_one_audit_record(
        client: TestClient, harness: Harness, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    key = _key()
    first = _screen(client, screener, key)
    assert first.status_code == 200, first.text
    assert "idempotent-replayed" not in first.headers
    again = _screen(client, screener, key)
    assert again.status_code == 200, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["screening_id"] == first.json()["screening_id"]
    assert again.content == first.content  # the exact bytes of the first answer
    assert again.headers["content-type"] == first.headers["content-type"]
    # The replay is a request of its own: its own request id, not the first one's.
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert _receipts(harness, screener) == 1
    assert _audited(harness, screener, "screening.run") == 1

    # The audit log, read through the API, says the same.
    auditor = actor("auditor", org=screener.organisation)
    records = client.get("/v1/audit", params={"actor": screener.client_id, "action": "screening.run"},
                         headers=auditor.headers)
    assert records.status_code == 200, records.text
    assert [r["target_id"] for r in records.json()["items"]] == [first.json()["screening_id"]]

    # Without a key, every call is a screening of its own.
    assert _screen(client, screener, None).status_code == 200
    assert _receipts(harness, screener) == 2


def test_the_same_key_with_another_request_is_refused(client: TestClient, harness: Harness,
                                                      actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    key = _key()
    assert _screen(client, screener, key).status_code == 200
    other = _screen(client, screener, key, tender_ref="T-OTHER")
    assert other.status_code == 422, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["title"] == "Idempotency-Key reused with a different request"
    # Another query string is another request too.
    query = client.post("/v1/screen?x=1", json={"subjects": SUBJECTS, "tender_ref": "T-IDEM"},
                        headers={**screener.headers, "Idempotency-Key": key})
    assert query.status_code == 422, query.text
    # And another path.
    entry = client.post("/v1/entries", json=entry_body(), headers={**screener.headers, "Idempotency-Key": key})
    assert entry.status_code == 422, entry.text
    assert _receipts(harness, screener) == 1


def test_keys_belong_to_their_client(client: TestClient, harness: Harness, actor: Callable[..., Actor]) -> None:
    one, two = actor("screener"), actor("screener")
    key = _key()
    first = _screen(client, one, key)
    second = _screen(client, two, key)
    assert first.status_code == second.status_code == 200
    assert "idempotent-replayed" not in second.headers
    assert first.json()["screening_id"] != second.json()["screening_id"]
    # Even with another body: the other client's key is not this one's.
    assert _screen(client, two, _key(), tender_ref="T-2").status_code == 200
    assert _receipts(harness, one) == 1 and _receipts(harness, two) == 2


def test_a_retried_entry_creation_creates_one_entry(client: TestClient, harness: Harness,
                                                    actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    body = entry_body()
    headers = {**contributor.headers, "Idempotency-Key": _key()}
    first = client.post("/v1/entries", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = client.post("/v1/entries", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.json() == first.json()
    assert _count(harness, Entry, Entry.external_ref == body["external_ref"]) == 1
    assert _audited(harness, contributor, "entry.create") == 1


@pytest.mark.parametrize("value", ["", "x" * 201, b"caf\xc3\xa9", "tab\there", b"nul\x00"])
def test_an_invalid_key_is_refused(client: TestClient, actor: Callable[..., Actor], value: str | bytes) -> None:
    screener = actor("screener")
    response = client.post("/v1/screen", json={"subjects": SUBJECTS},
                           headers=[("Authorization", f"Bearer {screener.token}"),
                                    ("Idempotency-Key", value)])
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"]


def test_two_keys_in_one_request_are_refused_and_the_longest_key_is_taken(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    two = client.post("/v1/screen", json={"subjects": SUBJECTS},
                      headers=[("Authorization", f"Bearer {screener.token}"), ("Idempotency-Key", "a"),
                               ("Idempotency-Key", "b")])
    assert two.status_code == 400, two.text
    longest = "k" * 199 + "~"
    assert _screen(client, screener, longest).status_code == 200
    assert _screen(client, screener, longest).headers["idempotent-replayed"] == "true"
    assert _screen(client, screener, "with spaces inside").status_code == 200


def test_requests_the_middleware_leaves_alone(client: TestClient, harness: Harness,
                                             actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    key = _key()
    # No token, or a forged one: the app's own 401, nothing reserved.
    anonymous = client.post("/v1/screen", json={"subjects": SUBJECTS}, headers={"Idempotency-Key": key})
    assert anonymous.status_code == 401
    forged = client.post("/v1/screen", json={"subjects": SUBJECTS},
                         headers={"Authorization": "Bearer " + screener.token[:-4] + "AAAA", "Idempotency-Key": key})
    assert forged.status_code == 401
    # The token endpoint is never replayed: each call is a new token.
    form = {"grant_type": "client_credentials", "client_id": screener.client_id,
            "client_secret": screener.client_secret}
    tokens = [client.post("/v1/token", data=form, headers={"Idempotency-Key": key}) for _ in range(2)]
    assert all(t.status_code == 200 and "idempotent-replayed" not in t.headers for t in tokens)
    assert tokens[0].json()["access_token"] != tokens[1].json()["access_token"]
    assert _keys(harness, screener) == []
    # Another method with the header is not concerned either.
    assert client.get("/v1/entries", headers={**screener.headers, "Idempotency-Key": key}).status_code == 200
    assert _keys(harness, screener) == []


def test_refusals_are_replayed_but_failures_and_overload_run_again(
        client: TestClient, harness: Harness, actor: Callable[..., Actor], monkeypatch: pytest.MonkeyPatch) -> None:
    screener = actor("screener")
    # A 4xx answer is the request's answer: replayed.
    key = _key()
    bad = client.post("/v1/screen", json={"subjects": []}, headers={**screener.headers, "Idempotency-Key": key})
    assert bad.status_code == 422
    again = client.post("/v1/screen", json={"subjects": []}, headers={**screener.headers, "Idempotency-Key": key})
    assert again.status_code == 422 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == bad.json()

    real = screening_service.screen
    calls: list[str] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append("failed")
        if len(calls) == 1:
            raise RuntimeError("injected failure")
        raise Overloaded("injected overload")

    monkeypatch.setattr(screening_service, "screen", failing)
    key = _key()
    assert _screen(client, screener, key).status_code == 500
    assert key not in [k.key for k in _keys(harness, screener)]  # released
    assert _screen(client, screener, key).status_code == 503
    assert key not in [k.key for k in _keys(harness, screener)]
    monkeypatch.setattr(screening_service, "screen", real)
    done = _screen(client, screener, key)
    assert done.status_code == 200 and "idempotent-replayed" not in done.headers
    assert calls == ["failed", "failed"]
    assert _receipts(harness, screener) == 1


def test_expired_keys_are_never_replayed_and_are_cleaned_up(client: TestClient, harness: Harness,
                                                           actor: Callable[..., Actor]) -> None:
    screener, other = actor("screener"), actor("screener")
    key = _key()
    first = _screen(client, screener, key)
    assert _screen(client, other, _key()).status_code == 200
    with harness.app.state.sessions.write() as session:
        session.execute(update(IdempotencyKey).where(IdempotencyKey.client_id.in_([screener.client_id,
                                                                                   other.client_id]))
                        .values(created_at=utcnow() - timedelta(hours=24, seconds=1)))
        session.commit()
    again = _screen(client, screener, key)
    assert again.status_code == 200 and "idempotent-replayed" not in again.headers
    assert again.json()["screening_id"] != first.json()["screening_id"]
    assert _receipts(harness, screener) == 2
    assert _keys(harness, other) == []  # removed by the next reservation's bounded clean-up
    assert [k.key for k in _keys(harness, screener)] == [key]


def test_an_abandoned_reservation_answers_409_until_its_lease_ends(
        client: TestClient, harness: Harness, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    key = _key()
    assert _screen(client, screener, key).status_code == 200
    # As if the server had died while the request ran: reserved, never completed.
    with harness.app.state.sessions.write() as session:
        session.execute(update(IdempotencyKey).where(IdempotencyKey.client_id == screener.client_id)
                        .values(completed=False, status=None, body=None, headers=None))
        session.commit()
    busy = _screen(client, screener, key)
    assert busy.status_code == 409, busy.text
    assert busy.headers["retry-after"] == "1"
    assert busy.headers["content-type"] == "application/problem+json"
    with harness.app.state.sessions.write() as session:
        session.execute(update(IdempotencyKey).where(IdempotencyKey.client_id == screener.client_id)
                        .values(created_at=utcnow() - timedelta(minutes=11)))
        session.commit()
    taken_over = _screen(client, screener, key)
    assert taken_over.status_code == 200 and "idempotent-replayed" not in taken_over.headers
    assert _screen(client, screener, key).headers["idempotent-replayed"] == "true"


def test_a_concurrent_duplicate_never_runs_twice(harness: Harness, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    rows = [entry_body(name=f"Idempotency Probe {i}", external_ref=f"idem-{i}") for i in range(5000)]
    headers = {**contributor.headers, "Idempotency-Key": _key()}
    answers: list[httpx.Response] = []
    with live_server(harness.app) as url:
        def post() -> None:
            answers.append(httpx.post(f"{url}/v1/entries/bulk", json={"entries": rows}, headers=headers,
                                      timeout=300))

        slow = threading.Thread(target=post)
        started = time.monotonic()
        slow.start()
        while not _keys(harness, contributor):  # the slow request holds the key
            assert time.monotonic() - started < 60, "the bulk never reserved its key"
            time.sleep(0.01)
        duplicate = httpx.post(f"{url}/v1/entries/bulk", json={"entries": rows}, headers=headers, timeout=300)
        slow.join(300)
        took = time.monotonic() - started
        after = httpx.post(f"{url}/v1/entries/bulk", json={"entries": rows}, headers=headers, timeout=300)
    print(f"bulk of 5,000 took {took:.1f}s; the duplicate was answered {duplicate.status_code}")
    [first] = answers
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 5000
    assert duplicate.status_code in (409, 200), duplicate.text
    if duplicate.status_code == 409:
        assert duplicate.headers["retry-after"] == "1"
    else:
        assert duplicate.headers["idempotent-replayed"] == "true" and duplicate.content == first.content
    assert after.status_code == 200 and after.headers["idempotent-replayed"] == "true"
    assert after.content == first.content
    assert _audited(harness, contributor, "entry.create") == 5000
    assert _audited(harness, contributor, "entry.update") == 0


class LoseFirstAnswer:
    """The real app serves every request; the first answer to ``path`` is lost on the way back
    (the connection breaks mid-response), as a proxy timeout or a network fault would lose it."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self.path = path
        self.served = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        self.served += 1
        if self.served > 1:
            await self.app(scope, receive, send)
            return

        async def swallow(message: Message) -> None:
            pass

        await self.app(scope, receive, swallow)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})
        await send({"type": "http.response.body", "body": b"{", "more_body": True})


def test_the_python_clients_retry_ends_with_one_receipt(harness: Harness, actor: Callable[..., Actor]) -> None:
    from debarlist_client import Client

    screener = actor("screener")
    lossy = LoseFirstAnswer(harness.app, "/v1/screen")
    sleeps: list[float] = []
    with live_server(lossy) as url, Client(url, screener.client_id, screener.client_secret,  # type: ignore[arg-type]
                                            sleep=sleeps.append) as api:
        result = api.screen(SUBJECTS, tender_ref="T-CLIENT", idempotency_key=_key())
    assert lossy.served == 2 and len(sleeps) == 1  # the first answer was lost, the retry replayed it
    assert _receipts(harness, screener) == 1
    assert _audited(harness, screener, "screening.run") == 1
    with harness.app.state.sessions.read() as session:
        stored = session.execute(select(Screening.id).where(Screening.client_id == screener.client_id)).scalar_one()
    assert result.screening_id == stored
