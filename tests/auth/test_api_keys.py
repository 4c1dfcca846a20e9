"""API keys over a live server: issued once (hashed, with a visible prefix), listed without
secrets, revoked at once; `Authorization: ApiKey <key>` acts as the client (its roles and
organisation); revoked keys and disabled clients are refused (401); audited; never logged."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from service.auth.models import ApiKey
from service.kernel.ledger import AuditRecord
from tests.support import ISSUED, Actor, Harness, entry_body, live_server

# A live server on a busy machine: the first screening loads the engine, argon2 takes its time.
HTTP = httpx.Client(timeout=60.0)


@pytest.fixture(scope="module")
def url(harness: Harness) -> Iterator[str]:
    with live_server(harness.app) as base:
        yield base


def issue_key(url: str, admin: Actor, client_id: str, name: str = "pipeline") -> httpx.Response:
    response = HTTP.post(f"{url}/v1/clients/{client_id}/api-keys", json={"name": name}, headers=admin.headers)
    if response.status_code == 201:
        ISSUED.add(response.json()["api_key"])
    return response


def _key_auth(key: str) -> dict[str, str]:
    return {"Authorization": f"ApiKey {key}"}


SCREEN = {"subjects": [{"ref": "a", "name": "Nobody Stroy LLP"}]}


def test_a_key_acts_as_its_client(url: str, app: FastAPI, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)
    issued = issue_key(url, admin, who.client_id, "yente pipeline")
    assert issued.status_code == 201, issued.text
    body = issued.json()
    key = body["api_key"]
    assert key.startswith(body["prefix"] + "_") and body["client_id"] == who.client_id and body["revoked_at"] is None
    # Stored as a hash, never the key.
    with app.state.session_factory() as session:
        row = session.get(ApiKey, body["key_id"])
        assert row is not None and row.secret_hash.startswith("$argon2id$") and key not in row.secret_hash
    screened = HTTP.post(f"{url}/v1/screen", json=SCREEN, headers=_key_auth(key))
    assert screened.status_code == 200, screened.text
    # The same organisation: the client's bearer token reads the receipt the key made.
    receipt = HTTP.get(f"{url}/v1/screenings/{screened.json()['screening_id']}", headers=who.headers)
    assert receipt.status_code == 200
    # The same roles: a screener's key does not create entries.
    assert HTTP.post(f"{url}/v1/entries", json=entry_body(), headers=_key_auth(key)).status_code == 403
    # Listed without secrets; the prefix names it.
    listed = HTTP.get(f"{url}/v1/clients/{who.client_id}/api-keys", headers=admin.headers)
    assert listed.status_code == 200
    [shown] = listed.json()
    assert shown["prefix"] == body["prefix"] and "api_key" not in shown and key not in listed.text
    # Audited without the key.
    with app.state.session_factory() as session:
        [record] = session.execute(select(AuditRecord).where(AuditRecord.action == "client.api_key_issue",
                                                             AuditRecord.target_id == who.client_id)).scalars()
        assert record.details["prefix"] == body["prefix"] and key not in str(record.details)


def test_revoked_keys_and_disabled_clients_are_refused(url: str, app: FastAPI, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)
    first = issue_key(url, admin, who.client_id).json()
    second = issue_key(url, admin, who.client_id).json()
    revoked = HTTP.post(f"{url}/v1/clients/{who.client_id}/api-keys/{first['key_id']}/revoke", headers=admin.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = HTTP.post(f"{url}/v1/screen", json=SCREEN, headers=_key_auth(first["api_key"]))
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    assert refused.headers["content-type"].startswith("application/problem+json")
    again = HTTP.post(f"{url}/v1/clients/{who.client_id}/api-keys/{first['key_id']}/revoke", headers=admin.headers)
    assert again.status_code == 200 and again.json()["revoked_at"] == revoked.json()["revoked_at"]
    assert HTTP.post(f"{url}/v1/screen", json=SCREEN, headers=_key_auth(second["api_key"])).status_code == 200
    with app.state.session_factory() as session:
        actions = [r.action for r in session.execute(select(AuditRecord).where(
            AuditRecord.target_id == who.client_id, AuditRecord.action.like("client.api_key%"))
            .order_by(AuditRecord.seq)).scalars()]
    assert actions == ["client.api_key_issue", "client.api_key_issue", "client.api_key_revoke"]
    assert HTTP.post(f"{url}/v1/clients/{who.client_id}/disable", headers=admin.headers).status_code == 200
    assert HTTP.post(f"{url}/v1/screen", json=SCREEN, headers=_key_auth(second["api_key"])).status_code == 401
    assert issue_key(url, admin, who.client_id).status_code == 409


def test_malformed_and_forged_keys_are_401(url: str, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)
    key = issue_key(url, admin, who.client_id).json()["api_key"]
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for value in ("ApiKey", "ApiKey nonsense", f"ApiKey {forged}", f"ApiKey {key}x",
                  f"ApiKey {key[:16]}", "ApiKey " + "dlk_" + "0" * 12 + "_" + "a" * 43, f"Token {key}"):
        response = HTTP.post(f"{url}/v1/screen", json=SCREEN, headers={"Authorization": value})
        assert response.status_code == 401, (value, response.text)
        assert "www-authenticate" in response.headers


def test_who_may_issue_list_and_revoke(url: str, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)
    stranger = actor("admin")
    refused = issue_key(url, stranger, who.client_id)
    assert refused.status_code == 403 and "own organisation" in refused.json()["detail"]
    assert HTTP.get(f"{url}/v1/clients/{who.client_id}/api-keys", headers=stranger.headers).status_code == 403
    assert issue_key(url, who, who.client_id).status_code == 403  # a screener administers nothing
    auditor = actor("auditor")
    assert HTTP.get(f"{url}/v1/clients/{who.client_id}/api-keys", headers=auditor.headers).status_code == 200
    assert issue_key(url, admin, "dl_nobody").status_code == 404
    unknown = HTTP.post(f"{url}/v1/clients/{who.client_id}/api-keys/00000000-0000-0000-0000-000000000000/revoke",
                         headers=admin.headers)
    assert unknown.status_code == 404
    for bad in ({}, {"name": ""}, {"name": "x" * 201}, {"name": "a", "roles": ["admin"]}):
        response = HTTP.post(f"{url}/v1/clients/{who.client_id}/api-keys", json=bad, headers=admin.headers)
        assert response.status_code == 422, response.text


def test_a_client_holds_at_most_twenty_active_keys(url: str, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)
    keys = [issue_key(url, admin, who.client_id, f"k{n}").json() for n in range(20)]
    assert all("api_key" in k for k in keys)
    assert issue_key(url, admin, who.client_id).status_code == 409
    HTTP.post(f"{url}/v1/clients/{who.client_id}/api-keys/{keys[0]['key_id']}/revoke", headers=admin.headers)
    assert issue_key(url, admin, who.client_id).status_code == 201


def test_keys_are_masked_in_any_log_line(actor: Callable[..., Actor], url: str,
                                         caplog: pytest.LogCaptureFixture) -> None:
    admin = actor("admin")
    body = issue_key(url, admin, admin.client_id).json()
    key = body["api_key"]
    with caplog.at_level(logging.INFO):
        logging.getLogger("debarlist").info("a caller sent Authorization: ApiKey %s and %s", key, key)
    from service.observability.logs import formatter

    rendered = "".join(formatter("json").format(record) for record in caplog.records)
    assert key not in rendered and body["prefix"] in rendered


def test_an_idempotency_key_replays_for_an_api_key(url: str, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)
    key = issue_key(url, admin, who.client_id).json()["api_key"]
    headers = {**_key_auth(key), "Idempotency-Key": "apikey-" + secrets.token_hex(8)}
    first = HTTP.post(f"{url}/v1/screen", json=SCREEN, headers=headers)
    again = HTTP.post(f"{url}/v1/screen", json=SCREEN, headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["screening_id"] == first.json()["screening_id"]
