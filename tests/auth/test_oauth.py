"""POST /v1/token as OAuth clients speak it: a published OAuth library (authlib) with its defaults
against a live server, both client authentication methods, RFC 6749 error bodies, RFC 8414
metadata, scopes as roles, and refusals audited in a unit of work of their own."""

from __future__ import annotations

import base64
import logging
import secrets
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from fastapi import FastAPI
from jose import jwt
from sqlalchemy import select

from service.kernel.ledger import AuditRecord
from tests.support import ISSUED, Actor, Harness, live_server

# A live server on a busy machine: the first screening loads the engine, argon2 takes its time.
HTTP = httpx.Client(timeout=60.0)

Token = Callable[..., httpx.Response]


@pytest.fixture(scope="module")
def url(harness: Harness) -> Iterator[str]:
    with live_server(harness.app) as base:
        yield base


def _basic(client_id: str, secret: str) -> dict[str, str]:
    # RFC 6749 2.3.1: each part form-url-encoded, then joined and base64-encoded.
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def _oauth_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json", response.headers
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"error", "error_description"} and body["error"] == error, body
    return dict(body)


def _denials(app: FastAPI, client_id: str) -> list[AuditRecord]:
    with app.state.session_factory() as session:
        return list(session.execute(select(AuditRecord).where(
            AuditRecord.action == "auth.denied", AuditRecord.target_id == client_id)).scalars())


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_authlib_client_obtains_a_token_and_calls_the_api(url: str, actor: Callable[..., Actor],
                                                          method: str) -> None:
    who = actor("screener")
    kwargs: dict[str, Any] = {} if method == "client_secret_basic" else {"token_endpoint_auth_method": method}
    with OAuth2Client(who.client_id, who.client_secret, **kwargs) as oauth:
        token = oauth.fetch_token(f"{url}/v1/token", grant_type="client_credentials")
        ISSUED.add(token["access_token"])
        assert token["token_type"] == "bearer" and token["expires_in"] > 0
        answer = oauth.post(f"{url}/v1/screen", json={"subjects": [{"ref": "a", "name": "Nobody Stroy LLP"}]})
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][0]["ref"] == "a"


def test_authlib_discovers_the_token_endpoint_from_the_metadata(url: str, actor: Callable[..., Actor]) -> None:
    metadata = HTTP.get(f"{url}/.well-known/oauth-authorization-server")
    assert metadata.status_code == 200
    document = metadata.json()
    assert document["token_endpoint"] == f"{url}/v1/token"
    assert document["jwks_uri"] == f"{url}/.well-known/jwks.json"
    assert document["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]
    assert document["grant_types_supported"] == ["client_credentials"]
    assert "screener" in document["scopes_supported"]
    keys = HTTP.get(document["jwks_uri"]).json()["keys"]
    who = actor("auditor")
    with OAuth2Client(who.client_id, who.client_secret) as oauth:
        token = oauth.fetch_token(document["token_endpoint"], grant_type="client_credentials")
        ISSUED.add(token["access_token"])
    header = jwt.get_unverified_header(token["access_token"])
    assert header["kid"] in {key["kid"] for key in keys}
    claims = jwt.get_unverified_claims(token["access_token"])
    assert claims["iss"] == document["issuer"]


def test_basic_credentials_are_form_url_decoded(url: str, actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    encoded = HTTP.post(f"{url}/v1/token", data={"grant_type": "client_credentials"},
                         headers=_basic(who.client_id, who.client_secret))
    assert encoded.status_code == 200, encoded.text
    assert encoded.headers["cache-control"] == "no-store"
    ISSUED.add(encoded.json()["access_token"])
    # A '+' in the header is a space once decoded: the secret no longer fits.
    raw = base64.b64encode(f"{who.client_id}:{who.client_secret}+".encode()).decode()
    _oauth_error(HTTP.post(f"{url}/v1/token", data={"grant_type": "client_credentials"},
                            headers={"Authorization": f"Basic {raw}"}), 401, "invalid_client")


def test_errors_are_rfc6749_bodies(url: str, app: FastAPI, actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    token = f"{url}/v1/token"
    post = {"client_id": who.client_id, "client_secret": who.client_secret}
    wrong = HTTP.post(token, data={"grant_type": "client_credentials"},
                       headers=_basic(who.client_id, "wrong-" + secrets.token_hex(8)))
    _oauth_error(wrong, 401, "invalid_client")
    assert wrong.headers["www-authenticate"].startswith("Basic ")
    wrong_post = HTTP.post(token, data={"grant_type": "client_credentials", "client_id": who.client_id,
                                         "client_secret": "wrong"})
    unknown = HTTP.post(token, data={"grant_type": "client_credentials", "client_id": "dl_nobody",
                                      "client_secret": "wrong"})
    assert _oauth_error(wrong_post, 401, "invalid_client") == _oauth_error(unknown, 401, "invalid_client")
    _oauth_error(HTTP.post(token, data={"grant_type": "client_credentials"}), 401, "invalid_client")
    _oauth_error(HTTP.post(token, data={"grant_type": "client_credentials"},
                            headers={"Authorization": "Basic !!!"}), 401, "invalid_client")
    _oauth_error(HTTP.post(token, data={"grant_type": "client_credentials"},
                            headers={"Authorization": f"Bearer {who.token}"}), 401, "invalid_client")
    _oauth_error(HTTP.post(token, data={"grant_type": "password", **post}), 400, "unsupported_grant_type")
    _oauth_error(HTTP.post(token, data=post), 400, "invalid_request")
    _oauth_error(HTTP.post(token, json={"grant_type": "client_credentials", **post}), 400, "invalid_request")
    # Validation of the form is the protocol's too, not a 422 problem.
    _oauth_error(HTTP.post(token, data={"grant_type": "x" * 65, **post}), 400, "invalid_request")
    _oauth_error(HTTP.post(token, data={"grant_type": "client_credentials", "client_id": "a" * 201,
                                         "client_secret": "b"}), 400, "invalid_request")
    both = HTTP.post(token, data={"grant_type": "client_credentials", **post},
                      headers=_basic(who.client_id, who.client_secret))
    _oauth_error(both, 400, "invalid_request")
    _oauth_error(HTTP.post(token, data={"grant_type": "client_credentials", "scope": "superuser", **post}),
                 400, "invalid_scope")
    _oauth_error(HTTP.post(token, data={"grant_type": "client_credentials", "scope": "admin", **post}),
                 400, "invalid_scope")
    # Each refused authentication is audited, in a transaction of its own.
    reasons = [record.details["reason"] for record in _denials(app, who.client_id)]
    assert reasons.count("bad credentials") == 2 and reasons.count("scope refused") == 2


def test_a_scope_narrows_the_token_to_those_roles(url: str, actor: Callable[..., Actor]) -> None:
    who = actor("screener", "contributor")
    with OAuth2Client(who.client_id, who.client_secret, scope="screener") as oauth:
        token = oauth.fetch_token(f"{url}/v1/token", grant_type="client_credentials")
        ISSUED.add(token["access_token"])
        assert token["scope"] == "screener"
        assert jwt.get_unverified_claims(token["access_token"])["roles"] == ["screener"]
        assert oauth.post(f"{url}/v1/screen", json={"subjects": [{"ref": "a", "name": "X Stroy"}]}).status_code == 200
        refused = oauth.post(f"{url}/v1/entries", json={})
        assert refused.status_code == 403, refused.text


def test_refusals_log_the_client_id_and_never_the_secret(url: str, actor: Callable[..., Actor],
                                                         caplog: pytest.LogCaptureFixture) -> None:
    who = actor("screener")
    attempt = "attempt-" + secrets.token_urlsafe(16)
    with caplog.at_level(logging.INFO, logger="debarlist.auth"):
        HTTP.post(f"{url}/v1/token", data={"grant_type": "client_credentials"}, headers=_basic(who.client_id, attempt))
    refused = [r for r in caplog.records if r.name == "debarlist.auth" and "token refused" in r.getMessage()]
    assert refused and who.client_id in caplog.text
    assert attempt not in caplog.text and who.client_secret not in caplog.text
