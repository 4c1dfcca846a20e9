"""Webhook endpoints: registered by an admin or screener of the organisation, the secret shown
once, URLs validated (https, public addresses), another organisation told nothing exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import ISSUED, Actor, Harness
from tests.webhooks.support import create_endpoint

PUBLIC = "https://93.184.215.14/hooks/debarlist"  # a public address literal: no DNS needed to check it


@pytest.fixture(scope="module")
def screener(harness: Harness) -> Actor:
    """One screener for the validation cases (a token costs a password hash: not one per case)."""
    return harness.actor("screener")


def _create(client: TestClient, who: Actor, **body: Any) -> Any:
    answer = client.post("/v1/webhooks", headers=who.headers,
                         json={"url": PUBLIC, "event_types": ["alert.raised"], **body})
    if answer.status_code == 201:
        ISSUED.add(answer.json()["secret"])
    return answer


def test_an_endpoint_is_created_read_changed_and_removed_and_its_secret_is_shown_once(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    screener = actor("screener", org=admin.organisation)
    created = _create(client, admin, description="ERP")
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/v1/webhooks/{body['id']}"
    assert body["secret"].startswith("whsec_") and body["enabled"] is True
    for read in (client.get(f"/v1/webhooks/{body['id']}", headers=screener.headers),
                 client.get("/v1/webhooks", headers=screener.headers)):
        assert read.status_code == 200, read.text
        assert body["secret"] not in read.text and "secret" not in read.text
    assert [e["id"] for e in client.get("/v1/webhooks", headers=admin.headers).json()["items"]] == [body["id"]]

    patched = client.patch(f"/v1/webhooks/{body['id']}", headers=screener.headers,
                           json={"event_types": ["alert.raised", "match.decided"], "description": None})
    assert patched.status_code == 200, patched.text
    assert patched.json()["event_types"] == ["alert.raised", "match.decided"] and patched.json()["description"] is None
    assert "secret" not in patched.text
    rotated = client.post(f"/v1/webhooks/{body['id']}/rotate-secret", headers=admin.headers)
    assert rotated.status_code == 200 and rotated.json()["secret"] != body["secret"]
    ISSUED.add(rotated.json()["secret"])
    deliveries = client.get(f"/v1/webhooks/{body['id']}/deliveries", headers=screener.headers)
    assert deliveries.status_code == 200 and deliveries.json() == {"items": [], "next_cursor": None}

    assert client.delete(f"/v1/webhooks/{body['id']}", headers=admin.headers).status_code == 204
    assert client.get(f"/v1/webhooks/{body['id']}", headers=admin.headers).status_code == 404


def test_another_organisation_sees_and_changes_nothing_and_other_roles_are_refused(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    owner, stranger, stranger_admin = actor("screener"), actor("screener"), actor("admin")
    endpoint = _create(client, owner).json()
    base = f"/v1/webhooks/{endpoint['id']}"
    for who in (stranger, stranger_admin):
        assert client.get("/v1/webhooks", headers=who.headers).json()["items"] == []
        for method, path, body in (("GET", base, None), ("PATCH", base, {"enabled": False}),
                                   ("DELETE", base, None), ("POST", f"{base}/rotate-secret", None),
                                   ("GET", f"{base}/deliveries", None),
                                   ("POST", f"{base}/deliveries/00000000-0000-0000-0000-000000000000/redeliver",
                                    None)):
            answer = client.request(method, path, headers=who.headers, json=body)
            assert answer.status_code == 404, (method, path, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
    assert client.get(base, headers=owner.headers).json()["enabled"] is True
    other = actor("contributor", "auditor", "reviewer", org=owner.organisation)
    assert client.get("/v1/webhooks", headers=other.headers).status_code == 403
    assert _create(client, other).status_code == 403
    assert client.get("/v1/webhooks").status_code == 401


@pytest.mark.parametrize(("url", "why"), [
    ("http://93.184.215.14/hook", "https"),
    ("https://127.0.0.1/hook", "not public"),
    ("https://localhost:8443/hook", "not public"),
    ("https://10.1.2.3/hook", "not public"),
    ("https://192.168.0.10/hook", "not public"),
    ("https://169.254.169.254/latest/meta-data", "not public"),
    ("https://[::1]/hook", "not public"),
    ("https://[::ffff:127.0.0.1]/hook", "not public"),
    ("https://0.0.0.0/hook", "not public"),
    ("https://user:pw@93.184.215.14/hook", "credentials"),
    ("ftp://93.184.215.14/hook", "https"),
    ("https:///hook", "no host"),
    ("https://93.184.215.14:99999/hook", "valid URL"),
    ("https://no-such-host.invalid/hook", "does not resolve"),
    ("not a url", "https"),
])
def test_urls_that_are_not_https_or_not_public_are_refused(client: TestClient, screener: Actor,
                                                           url: str, why: str) -> None:
    answer = _create(client, screener, url=url)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["errors"][0]["field"] == "body.url" and why in problem["errors"][0]["message"], problem


def test_a_changed_url_is_validated_too(client: TestClient, screener: Actor) -> None:
    endpoint = _create(client, screener).json()
    answer = client.patch(f"/v1/webhooks/{endpoint['id']}", headers=screener.headers,
                          json={"url": "https://127.0.0.1/hook"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "body.url"
    assert client.get(f"/v1/webhooks/{endpoint['id']}", headers=screener.headers).json()["url"] == PUBLIC


@pytest.mark.parametrize("body", [
    {"url": PUBLIC, "event_types": []},
    {"url": PUBLIC, "event_types": ["alert.exploded"]},
    {"url": PUBLIC, "event_types": ["alert.raised", "alert.raised"]},
    {"url": PUBLIC},
    {"url": PUBLIC, "event_types": ["alert.raised"], "secret": "whsec_mine"},
    {"url": "x" * 2001, "event_types": ["alert.raised"]},
    {"url": PUBLIC, "event_types": ["alert.raised"], "description": "d" * 501},
    {"url": 7, "event_types": ["alert.raised"]},
])
def test_invalid_bodies_are_refused(client: TestClient, screener: Actor, body: dict[str, Any]) -> None:
    answer = client.post("/v1/webhooks", headers=screener.headers, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("body", [{}, {"enabled": None}, {"url": None}, {"event_types": None}, {"colour": "red"},
                                  {"enabled": "yes"}])
def test_invalid_changes_are_refused(client: TestClient, screener: Actor, body: dict[str, Any]) -> None:
    endpoint = _create(client, screener).json()
    answer = client.patch(f"/v1/webhooks/{endpoint['id']}", headers=screener.headers, json=body)
    assert answer.status_code == 422, answer.text


def test_the_delivery_log_pages_and_filters_and_refuses_bad_cursors(
        hooks: Harness, actor: Callable[..., Actor]) -> None:
    from tests.webhooks.support import raise_alerts

    screener, contributor = actor("screener"), actor("contributor")
    endpoint = create_endpoint(hooks.client, screener, "http://127.0.0.1:9/never")  # no worker runs here
    raise_alerts(hooks, screener, contributor, 3)
    base = f"/v1/webhooks/{endpoint['id']}/deliveries"
    first = hooks.client.get(base, headers=screener.headers, params={"limit": 2}).json()
    second = hooks.client.get(base, headers=screener.headers, params={"limit": 2, "cursor": first["next_cursor"]})
    ids = [d["id"] for d in first["items"]] + [d["id"] for d in second.json()["items"]]
    assert len(set(ids)) == 3 and second.json()["next_cursor"] is None
    assert all(d["state"] == "pending" and d["attempts"] == 0 for d in first["items"])
    assert hooks.client.get(base, headers=screener.headers, params={"state": "dead"}).json()["items"] == []
    for params in ({"cursor": "garbage"}, {"state": "lost"}, {"limit": 0}):
        assert hooks.client.get(base, headers=screener.headers, params=params).status_code in (400, 422)
    assert hooks.client.post(f"{base}/{ids[0]}/redeliver", headers=screener.headers).status_code == 200
    assert hooks.client.post(f"{base}/nope/redeliver", headers=screener.headers).status_code == 404
