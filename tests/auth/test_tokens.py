"""POST /v1/token, the JWKS, and every way a forged or stale token must be refused (401)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jose import jwk, jwt
from sqlalchemy import select

from service.auth.keys import generate_pem, key_from_pem
from service.auth.models import ApiClient
from tests.support import Actor, Harness

PROTECTED = "/v1/organisations"  # any authenticated role may read it


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _claims(app: FastAPI, who: Actor, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    settings = app.state.settings
    claims = {"iss": settings.issuer, "aud": settings.audience, "sub": who.client_id, "iat": now, "nbf": now,
              "exp": now + 300, "jti": "forged-" + str(now), "org": who.organisation, "roles": list(who.roles)}
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _sign(app: FastAPI, claims: dict[str, Any], *, kid: str | None = None, pem: str | None = None) -> str:
    key = app.state.signing_key
    return str(jwt.encode(claims, pem or key.private_pem, algorithm="RS256",
                          headers={"kid": kid if kid is not None else key.kid}))


def _token_request(client: TestClient, **fields: str) -> Any:
    return client.post("/v1/token", data=fields)


def assert_401(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401


def test_issued_token_is_rs256_with_kid_issuer_audience_and_short_life(
        client: TestClient, app: FastAPI, actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    response = _token_request(client, grant_type="client_credentials", client_id=who.client_id,
                              client_secret=who.client_secret)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert 60 <= body["expires_in"] <= 3600
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256"
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert [k["kid"] for k in keys] == [header["kid"]]
    assert "d" not in keys[0] and "p" not in keys[0]  # public members only
    # The published key, and only it, verifies the token.
    public = jwk.construct(keys[0], algorithm="RS256")
    claims = jwt.decode(body["access_token"], public, algorithms=["RS256"],
                        audience=app.state.settings.audience, issuer=app.state.settings.issuer)
    assert claims["sub"] == who.client_id
    assert claims["exp"] - claims["iat"] == body["expires_in"]
    assert client.get(PROTECTED, headers={"Authorization": f"Bearer {body['access_token']}"}).status_code == 200


def test_wrong_secret_unknown_client_and_disabled_client_cannot_get_tokens(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    wrong = _token_request(client, grant_type="client_credentials", client_id=who.client_id,
                           client_secret=who.client_secret + "x")
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"  # RFC 6749 5.2, the token endpoint's own errors
    unknown = _token_request(client, grant_type="client_credentials", client_id="dl_nobody",
                             client_secret=who.client_secret)
    assert unknown.status_code == 401
    assert wrong.json() == unknown.json()  # no hint which part was wrong
    huge_id = _token_request(client, grant_type="client_credentials", client_id="x" * 200, client_secret="s")
    assert huge_id.status_code == 401


def test_unsupported_grant_type_is_400(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    for grant in ("password", "authorization_code", ""):
        response = _token_request(client, grant_type=grant, client_id=who.client_id,
                                  client_secret=who.client_secret)
        assert response.status_code == 400, response.text
        assert response.json()["error"] == ("invalid_request" if grant == "" else "unsupported_grant_type")


def test_token_endpoint_rejects_json_and_missing_fields_without_500(client: TestClient) -> None:
    as_json = client.post("/v1/token", json={"grant_type": "client_credentials", "client_id": "a",
                                             "client_secret": "b"})
    assert 400 <= as_json.status_code < 500
    missing = client.post("/v1/token", data={"grant_type": "client_credentials"})
    assert 400 <= missing.status_code < 500
    assert missing.json()["error"] == "invalid_client"  # RFC 6749 5.2: no client authentication


def test_disabled_clients_token_stops_working_at_once(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)
    assert client.get(PROTECTED, headers=who.headers).status_code == 200
    response = client.post(f"/v1/clients/{who.client_id}/disable", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["disabled"] is True
    assert_401(client.get(PROTECTED, headers=who.headers))
    again = _token_request(client, grant_type="client_credentials", client_id=who.client_id,
                           client_secret=who.client_secret)
    assert again.status_code == 401


def test_missing_or_malformed_authorization_is_401(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    assert_401(client.get(PROTECTED))
    for value in ("Bearer", "Bearer ", "Basic abc", who.token, "Bearer not.a.jwt", "Bearer a.b",
                  "Bearer " + "A" * 5000, "Bearer ...", "Bearer \u00e9\u00e9"):
        assert_401(client.get(PROTECTED, headers={"Authorization": value.encode("utf-8")}))


ATTACKS: dict[str, Callable[[FastAPI, Actor], str]] = {
    "expired": lambda app, who: _sign(app, _claims(app, who, iat=int(time.time()) - 4000,
                                                   nbf=int(time.time()) - 4000, exp=int(time.time()) - 10)),
    "not_yet_valid": lambda app, who: _sign(app, _claims(app, who, nbf=int(time.time()) + 600,
                                                         exp=int(time.time()) + 900)),
    "wrong_issuer": lambda app, who: _sign(app, _claims(app, who, iss="someone-else")),
    "wrong_audience": lambda app, who: _sign(app, _claims(app, who, aud="another-api")),
    "no_expiry": lambda app, who: _sign(app, _claims(app, who, exp=None)),
    "unknown_kid": lambda app, who: _sign(app, _claims(app, who), kid="not-our-key"),
    "no_kid": lambda app, who: str(jwt.encode(_claims(app, who), app.state.signing_key.private_pem,
                                              algorithm="RS256")),
    "other_rsa_key_same_kid": lambda app, who: _sign(app, _claims(app, who), pem=OTHER_PEM),
    "other_rsa_key_own_kid": lambda app, who: _sign(app, _claims(app, who), pem=OTHER_PEM,
                                                    kid=key_from_pem(OTHER_PEM).kid),
}
OTHER_PEM = generate_pem()


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_forged_or_stale_token_is_401(attack: str, client: TestClient, app: FastAPI,
                                      role_actors: dict[str, Actor]) -> None:
    who = role_actors["screener"]
    # The same forger with honest claims gets in: the refusal is about the attack alone.
    assert client.get(PROTECTED, headers={"Authorization": f"Bearer {_sign(app, _claims(app, who))}"}
                      ).status_code == 200
    token = ATTACKS[attack](app, who)
    assert_401(client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"}))


def test_alg_none_is_401(client: TestClient, app: FastAPI, actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    claims = _segment(_claims(app, who))
    for alg in ("none", "None", "NONE"):
        header = _segment({"alg": alg, "typ": "JWT", "kid": app.state.signing_key.kid})
        for token in (f"{header}.{claims}.", f"{header}.{claims}"):
            assert_401(client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"}))


def test_hs256_signed_with_the_public_key_is_401(client: TestClient, app: FastAPI,
                                                 actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    key = app.state.signing_key
    signing_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': key.kid})}.{_segment(_claims(app, who))}"
    for secret in (key.public_pem.encode(), key.public_pem.strip().encode()):
        signature = _b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())
        assert_401(client.get(PROTECTED, headers={"Authorization": f"Bearer {signing_input}.{signature}"}))


def test_tampered_payload_or_header_is_401(client: TestClient, app: FastAPI,
                                           actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    header, payload, signature = who.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    for change in ({"roles": ["admin", "auditor"]}, {"org": "OTHER"}, {"exp": claims["exp"] + 86400}):
        forged = f"{header}.{_segment({**claims, **change})}.{signature}"
        assert_401(client.get(PROTECTED, headers={"Authorization": f"Bearer {forged}"}))
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert_401(client.get(PROTECTED, headers={"Authorization": f"Bearer {header}.{payload}.{flipped}"}))


def test_roles_in_the_token_do_not_outrank_the_stored_client(
        client: TestClient, app: FastAPI, actor: Callable[..., Actor]) -> None:
    """A validly signed token claiming more roles than the client has must not grant them."""
    who = actor("screener")
    token = _sign(app, _claims(app, who, roles=["admin"]))
    response = client.get("/v1/clients", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403, response.text


def test_wrong_role_is_403_problem(client: TestClient, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    response = client.post("/v1/organisations", json={"code": "ZZZ", "name": "x", "kind": "state"},
                           headers=screener.headers)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "operator" in response.json()["detail"]


def test_client_secret_is_shown_once_and_stored_as_argon2_hash(
        client: TestClient, harness: Harness, actor: Callable[..., Actor]) -> None:
    admin = actor("admin")
    created = client.post("/v1/clients", json={"organisation": admin.organisation, "name": "portal",
                                                 "roles": ["screener", "auditor", "screener"]},
                          headers=admin.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body["client_secret"]
    assert len(secret) >= 32 and body["roles"] == ["auditor", "screener"]
    with harness.app.state.session_factory() as session:
        stored = session.execute(select(ApiClient).where(ApiClient.id == body["client_id"])).scalar_one()
        assert stored.secret_hash.startswith("$argon2id$")
        assert secret not in stored.secret_hash
    listed = client.get("/v1/clients", headers=admin.headers)
    assert listed.status_code == 200
    assert secret not in listed.text and "secret" not in listed.text
    assert body["client_id"] in listed.text
    token = _token_request(client, grant_type="client_credentials", client_id=body["client_id"],
                           client_secret=secret)
    assert token.status_code == 200


def test_admin_manages_its_organisations_clients(client: TestClient, actor: Callable[..., Actor]) -> None:
    """Registering organisations is the operator's (tests/auth/test_admin_scope.py)."""
    admin = actor("admin")
    code = admin.organisation
    assert client.get(f"/v1/organisations/{code}", headers=admin.headers).json()["code"] == code
    assert client.get("/v1/organisations/NOPE", headers=admin.headers).status_code == 404
    bad = client.post("/v1/organisations", json={"code": "lower", "name": "x", "kind": "state"},
                      headers=admin.headers)
    assert bad.status_code == 403  # not its to register, valid or not
    made = client.post("/v1/clients", json={"organisation": code, "name": "x", "roles": ["admin", "screener"]},
                       headers=admin.headers)
    assert made.status_code == 201, made.text
    assert made.json()["roles"] == ["admin", "screener"]
    not_its_own = client.post("/v1/clients", json={"organisation": "NOSUCHORG", "name": "x",
                                                   "roles": ["screener"]}, headers=admin.headers)
    assert not_its_own.status_code == 403
    bad_role = client.post("/v1/clients", json={"organisation": code, "name": "x", "roles": ["superuser"]},
                           headers=admin.headers)
    assert bad_role.status_code == 422
    bad_code = client.post("/v1/clients", json={"organisation": "lower", "name": "x", "roles": ["screener"]},
                           headers=admin.headers)
    assert bad_code.status_code == 422 and "organisation" in bad_code.json()["detail"]
    assert client.post("/v1/clients/dl_missing/disable", headers=admin.headers).status_code == 404


def test_refusals_are_audited_promptly(client: TestClient, harness: Harness, actor: Callable[..., Actor]) -> None:
    """A wrong role (403) and bad credentials (401) leave ``auth.denied`` records, and writing
    the record does not wait on the request's own transaction (SQLite's single writer)."""
    from service.kernel.ledger import AuditRecord

    screener = actor("screener")
    start = time.perf_counter()
    refused = client.post("/v1/clients", json={"organisation": screener.organisation, "name": "x",
                                                "roles": ["admin"]},
                          headers={**screener.headers, "X-Request-ID": "deny-" + screener.client_id})
    assert refused.status_code == 403
    assert time.perf_counter() - start < 5
    assert refused.headers["x-request-id"] == "deny-" + screener.client_id
    bad = _token_request(client, grant_type="client_credentials", client_id=screener.client_id,
                         client_secret="wrong")
    assert bad.status_code == 401
    with harness.app.state.session_factory() as session:
        denied = session.execute(select(AuditRecord).where(AuditRecord.action == "auth.denied", (
            (AuditRecord.actor == screener.client_id) | (AuditRecord.target_id == screener.client_id)))
            .order_by(AuditRecord.seq)).scalars().all()
    assert len(denied) == 2, [(d.actor, d.target_id, d.details) for d in denied]
    assert denied[0].request_id == "deny-" + screener.client_id
    assert denied[0].details["path"] == "/v1/clients"
