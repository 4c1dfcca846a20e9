"""Admins administer their own organisation only; cross-organisation administration is the
operator's (the command line always, API clients only where DEBARLIST_ALLOW_OPERATOR_CLIENTS is
true); nobody disables an organisation's last enabled admin client. Every refusal is audited."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from service.auth.models import ApiClient
from service.cli import app as cli
from service.config import get_settings
from service.kernel.ledger import AuditRecord
from tests.support import Actor, Harness, entry_body, live_server

ActorFactory = Callable[..., Actor]


@pytest.fixture(scope="module")
def ops(db_url: str, key_file: Path) -> Iterator[Harness]:
    """The same database and key, served by an app that allows operator clients."""
    harness = Harness.start(db_url, key_file, allow_operator_clients=True)
    yield harness
    harness.close()


def _denials(harness: Harness, **where: Any) -> list[AuditRecord]:
    with harness.app.state.session_factory() as session:
        query = select(AuditRecord).where(AuditRecord.action == "auth.denied")
        for column, value in where.items():
            query = query.where(getattr(AuditRecord, column) == value)
        return list(session.execute(query.order_by(AuditRecord.seq)).scalars())


def _clients_of(harness: Harness, org: str) -> list[ApiClient]:
    with harness.app.state.session_factory() as session:
        return list(session.execute(select(ApiClient).where(ApiClient.organisation.has(code=org))).scalars())


def _problem(response: httpx.Response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = str(response.json()["detail"])
    for word in words:
        assert word in detail, detail
    return detail


def _new_client(client: TestClient, who: Actor, org: str, *roles: str) -> httpx.Response:
    return client.post("/v1/clients", json={"organisation": org, "name": "made by " + who.client_id,
                                             "roles": list(roles)}, headers=who.headers)


# -- an admin of A against organisation B ---------------------------------------------------------------


def test_the_reported_attack_is_refused_at_its_first_step(client: TestClient, harness: Harness,
                                                         actor: ActorFactory) -> None:
    """Admin of A creates a contributor in B, then changes B's entry with it: the creation is
    refused (403, audited), so B's entry stays as it was."""
    org_a, org_b = harness.new_org(), harness.new_org()
    admin_a = actor("admin", org=org_a)
    entry = client.post("/v1/entries", json=entry_body(), headers=actor("contributor", org=org_b).headers).json()
    before = {c.id for c in _clients_of(harness, org_b)}
    refused = _new_client(client, admin_a, org_b, "contributor")
    _problem(refused, 403, "own organisation", org_a, org_b, "operator")
    assert "client_secret" not in refused.text
    assert {c.id for c in _clients_of(harness, org_b)} == before  # no contributor of B was made
    [denial] = _denials(harness, actor=admin_a.client_id)
    assert (denial.organisation, denial.target_type, denial.target_id) == (org_a, "organisation", org_b)
    assert denial.details["operation"] == "client.create" and denial.details["roles"] == ["contributor"]
    assert denial.request_id == refused.headers["x-request-id"]
    # What the admin may make, a contributor of A, cannot change B's entry either.
    own = _new_client(client, admin_a, org_a, "contributor")
    assert own.status_code == 201, own.text
    token = harness.token(own.json()["client_id"], own.json()["client_secret"])
    changed = client.patch(f"/v1/entries/{entry['id']}", json={"name": "Hijacked LLP"},
                           headers={"Authorization": f"Bearer {token}", "If-Match": "*"})
    assert changed.status_code == 403, changed.text
    revisions = client.get(f"/v1/entries/{entry['id']}/revisions", headers=actor("auditor").headers).json()
    assert len(revisions) == 1 and revisions[0]["data"]["name"] == entry["name"]


def test_admin_lists_only_its_own_organisations_clients(client: TestClient, harness: Harness,
                                                        actor: ActorFactory) -> None:
    org_a, org_b = harness.new_org(), harness.new_org()
    admin_a, screener_a = actor("admin", org=org_a), actor("screener", org=org_a)
    admin_b = actor("admin", org=org_b)
    listed = client.get("/v1/clients", headers=admin_a.headers)
    assert listed.status_code == 200, listed.text
    assert {c["client_id"] for c in listed.json()} == {admin_a.client_id, screener_a.client_id}
    assert {c["organisation"] for c in listed.json()} == {org_a}
    assert client.get("/v1/clients", params={"organisation": org_a}, headers=admin_a.headers).json() == listed.json()
    refused = client.get("/v1/clients", params={"organisation": org_b}, headers=admin_a.headers)
    _problem(refused, 403, "own organisation", org_b)
    assert admin_b.client_id not in refused.text
    [denial] = _denials(harness, actor=admin_a.client_id)
    assert (denial.target_id, denial.details["operation"]) == (org_b, "client.list")
    # Auditors read everything, as before.
    seen = {c["client_id"] for c in client.get("/v1/clients", headers=actor("auditor").headers).json()}
    assert {admin_a.client_id, admin_b.client_id} <= seen
    of_b = client.get("/v1/clients", params={"organisation": org_b}, headers=actor("auditor").headers).json()
    assert [c["client_id"] for c in of_b] == [admin_b.client_id]


def test_admin_cannot_disable_another_organisations_client(client: TestClient, harness: Harness,
                                                          actor: ActorFactory) -> None:
    org_a, org_b = harness.new_org(), harness.new_org()
    admin_a = actor("admin", org=org_a)
    screener_b = actor("screener", org=org_b)
    refused = client.post(f"/v1/clients/{screener_b.client_id}/disable", headers=admin_a.headers)
    _problem(refused, 403, "own organisation", org_b)
    assert client.get("/v1/organisations", headers=screener_b.headers).status_code == 200  # still works
    [denial] = _denials(harness, actor=admin_a.client_id)
    assert (denial.target_type, denial.target_id) == ("client", screener_b.client_id)
    assert denial.details["operation"] == "client.disable" and denial.details["organisation"] == org_b
    # Unknown clients are still 404, and its own organisation's clients it does disable.
    assert client.post("/v1/clients/dl_nobody/disable", headers=admin_a.headers).status_code == 404
    screener_a = actor("screener", org=org_a)
    disabled = client.post(f"/v1/clients/{screener_a.client_id}/disable", headers=admin_a.headers)
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True


def test_admin_cannot_register_an_organisation(client: TestClient, harness: Harness, actor: ActorFactory) -> None:
    admin = actor("admin")
    code = "R" + secrets.token_hex(4).upper()
    refused = client.post("/v1/organisations", json={"code": code, "name": "Rogue", "kind": "state"},
                          headers=admin.headers)
    _problem(refused, 403, "operator")
    assert client.get(f"/v1/organisations/{code}", headers=admin.headers).status_code == 404
    [denial] = _denials(harness, actor=admin.client_id)
    assert denial.details["path"] == "/v1/organisations"


def test_admin_cannot_grant_the_operator_role(client: TestClient, ops: Harness, harness: Harness) -> None:
    admin = ops.actor("admin")
    # Not configured: nobody may, and the problem says why.
    off = _new_client(client, harness.actor("admin", org=admin.organisation), admin.organisation, "operator")
    _problem(off, 403, "operator role is not enabled", "DEBARLIST_ALLOW_OPERATOR_CLIENTS")
    # Configured: only an operator may.
    on = _new_client(ops.client, admin, admin.organisation, "operator", "screener")
    _problem(on, 403, "only an operator")
    assert [d.details["operation"] for d in _denials(ops, actor=admin.client_id)] == ["client.create"]
    assert all(set(c.roles) == {"admin"} for c in _clients_of(ops, admin.organisation))


# -- the operator --------------------------------------------------------------------------------------------


def test_operator_administers_every_organisation_when_configured(ops: Harness) -> None:
    client = ops.client
    operator = ops.actor("operator")
    code = "OP" + secrets.token_hex(3).upper()
    made = client.post("/v1/organisations", json={"code": code, "name": "Ministry", "kind": "state"},
                       headers=operator.headers)
    assert made.status_code == 201, made.text
    assert client.post("/v1/organisations", json={"code": code, "name": "Again", "kind": "state"},
                       headers=operator.headers).status_code == 409
    admin = _new_client(client, operator, code, "admin")
    assert admin.status_code == 201, admin.text
    assert admin.json()["organisation"] == code
    assert _new_client(client, operator, "NOSUCHORG", "screener").status_code == 422
    assert _new_client(client, operator, code, "superuser").status_code == 422
    other = ops.new_org()
    screener = ops.actor("screener", org=other)
    listed = client.get("/v1/clients", headers=operator.headers).json()
    assert {admin.json()["client_id"], screener.client_id} <= {c["client_id"] for c in listed}
    of_code = client.get("/v1/clients", params={"organisation": code}, headers=operator.headers).json()
    assert [c["client_id"] for c in of_code] == [admin.json()["client_id"]]
    disabled = client.post(f"/v1/clients/{screener.client_id}/disable", headers=operator.headers)
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    deputy = _new_client(client, operator, other, "operator")
    assert deputy.status_code == 201, deputy.text
    token = ops.token(deputy.json()["client_id"], deputy.json()["client_secret"])
    assert client.get("/v1/clients", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    # The operator administers; it does not list, screen or audit.
    assert client.post("/v1/entries", json=entry_body(), headers=operator.headers).status_code == 403
    assert client.get("/v1/audit", headers=operator.headers).status_code == 403


def test_operator_clients_are_refused_when_not_configured(client: TestClient, harness: Harness,
                                                          ops: Harness) -> None:
    """Made while allowed (or directly in the database), an operator client gets no token from
    a service that does not allow them, and its earlier token no answer."""
    operator = ops.actor("operator")
    refused = client.post("/v1/token", data={"grant_type": "client_credentials", "client_id": operator.client_id,
                                             "client_secret": operator.client_secret})
    # RFC 6749 5.2: the token endpoint's own error body.
    assert refused.status_code == 400 and refused.json()["error"] == "unauthorized_client", refused.text
    assert "operator role" in refused.json()["error_description"]
    assert "DEBARLIST_ALLOW_OPERATOR_CLIENTS" in refused.json()["error_description"]
    assert "access_token" not in refused.text
    [denial] = _denials(harness, target_id=operator.client_id)
    assert denial.details == {"path": "/v1/token", "reason": "operator clients are not allowed"}
    # A token issued while allowed is refused on every administrative route.
    code = "X" + secrets.token_hex(4).upper()
    for method, path, body in (("GET", "/v1/organisations", None),
                               ("POST", "/v1/organisations", {"code": code, "name": "x", "kind": "state"}),
                               ("POST", "/v1/clients", {"organisation": operator.organisation, "name": "x",
                                                        "roles": ["admin"]}),
                               ("GET", "/v1/clients", None)):
        response = client.request(method, path, json=body, headers=operator.headers)
        _problem(response, 401, "DEBARLIST_ALLOW_OPERATOR_CLIENTS")
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert client.get(f"/v1/organisations/{code}", headers=harness.actor("screener").headers).status_code == 404
    assert len(_denials(harness, actor=operator.client_id)) == 4


# -- the last admin ------------------------------------------------------------------------------------------


def test_the_last_enabled_admin_of_an_organisation_cannot_be_disabled(harness: Harness, ops: Harness) -> None:
    client = ops.client
    org = ops.new_org()
    first = ops.actor("admin", org=org)
    itself = client.post(f"/v1/clients/{first.client_id}/disable", headers=first.headers)
    _problem(itself, 409, "last enabled admin client", org, "create another admin client")
    [denial] = _denials(ops, actor=first.client_id)
    assert (denial.target_id, denial.details["operation"], denial.details["status"]) == (
        first.client_id, "client.disable", 409)
    operator = ops.actor("operator")
    _problem(client.post(f"/v1/clients/{first.client_id}/disable", headers=operator.headers), 409,
             "last enabled admin client")
    assert client.get("/v1/clients", headers=first.headers).status_code == 200  # still in charge
    second = _new_client(client, first, org, "admin", "auditor")
    assert second.status_code == 201, second.text
    token = ops.token(second.json()["client_id"], second.json()["client_secret"])
    disabled = client.post(f"/v1/clients/{first.client_id}/disable", headers=first.headers)
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    again = client.post(f"/v1/clients/{second.json()['client_id']}/disable",
                        headers={"Authorization": f"Bearer {token}"})
    _problem(again, 409, "last enabled admin client")
    # Other clients come and go; a disabled admin does not count.
    screener = ops.actor("screener", org=org)
    assert client.post(f"/v1/clients/{screener.client_id}/disable",
                       headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert [c.id for c in _clients_of(ops, org) if not c.disabled] == [second.json()["client_id"]]


def test_two_admins_disabling_each_other_at_once_leave_one(harness: Harness) -> None:
    """Concurrent requests queue on the organisation: one succeeds, the other is 409."""
    with live_server(harness.app) as url:
        for _ in range(3):
            org = harness.new_org()
            one, two = harness.actor("admin", org=org), harness.actor("admin", org=org)
            barrier = threading.Barrier(2)
            statuses: list[int] = []

            def disable(who: Actor, target: Actor, barrier: threading.Barrier, statuses: list[int]) -> None:
                with httpx.Client(base_url=url, timeout=60) as http:
                    barrier.wait()
                    statuses.append(http.post(f"/v1/clients/{target.client_id}/disable",
                                              headers=who.headers).status_code)

            threads = [threading.Thread(target=disable, args=(*pair, barrier, statuses))
                       for pair in ((one, two), (two, one))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            # The loser is refused either by the rule (409) or, disabled first, at its token (401).
            assert sorted(statuses) in ([200, 401], [200, 409]), statuses
            assert len([c for c in _clients_of(harness, org) if not c.disabled]) == 1


# -- the command line ------------------------------------------------------------------------------------


@pytest.fixture
def cli_on_the_test_database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DEBARLIST_DATABASE_URL", db_url)
    monkeypatch.delenv("DEBARLIST_ALLOW_OPERATOR_CLIENTS", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_the_command_line_still_administers_every_organisation(
        cli_on_the_test_database: CliRunner, client: TestClient, harness: Harness, ops: Harness,
        monkeypatch: pytest.MonkeyPatch) -> None:
    runner = cli_on_the_test_database
    code_a, code_b = ("C" + secrets.token_hex(4).upper() for _ in range(2))
    for code in (code_a, code_b):
        added = runner.invoke(cli, ["orgs", "add", code, "--name", f"Org {code}"])
        assert added.exit_code == 0, added.output

    def add(org: str, roles: str) -> dict[str, str]:
        made = runner.invoke(cli, ["clients", "add", "--org", org, "--roles", roles, "--json"])
        assert made.exit_code == 0, made.output
        return dict(json.loads(made.stdout.strip().splitlines()[-1]))

    admin_a, admin_b = add(code_a, "admin"), add(code_b, "admin")
    contributor_b = add(code_b, "contributor")
    token_a = harness.token(admin_a["client_id"], admin_a["client_secret"])
    listed = client.get("/v1/clients", headers={"Authorization": f"Bearer {token_a}"}).json()
    assert [c["client_id"] for c in listed] == [admin_a["client_id"]]  # the CLI's admin is scoped too
    token_b = harness.token(admin_b["client_id"], admin_b["client_secret"])
    of_b = client.get("/v1/clients", headers={"Authorization": f"Bearer {token_b}"}).json()
    assert {c["client_id"] for c in of_b} == {admin_b["client_id"], contributor_b["client_id"]}
    # An operator client: refused while not configured (and audited), made once it is.
    refused = runner.invoke(cli, ["clients", "add", "--org", code_a, "--roles", "operator"])
    assert refused.exit_code == 1 and "DEBARLIST_ALLOW_OPERATOR_CLIENTS" in refused.output
    assert [d.details["operation"] for d in _denials(harness, target_id=code_a)] == ["client.create"]
    assert all("operator" not in c.roles for c in _clients_of(harness, code_a))
    monkeypatch.setenv("DEBARLIST_ALLOW_OPERATOR_CLIENTS", "true")
    get_settings.cache_clear()
    operator = add(code_a, "operator")
    token = ops.token(operator["client_id"], operator["client_secret"])
    screener_b = ops.actor("screener", org=code_b)
    assert ops.client.post(f"/v1/clients/{screener_b.client_id}/disable",
                           headers={"Authorization": f"Bearer {token}"}).status_code == 200
