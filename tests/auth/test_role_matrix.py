"""The role matrix: every operation of the route table (hidden protocol routes too), called as
every single role (the organisations' roles and the cross-organisation ``operator``, on a service
that allows operator clients), as an anonymous caller, as a contributor of another organisation
(for writes to an organisation's entries) and as an admin of another organisation (for the
administration of an organisation's clients).

The allowed roles are not written here: they are read from each route's own declaration
(``require(...)`` or ``Public(...)``, see ``service.auth.access``), the same object that checks the
caller and ends the operation's summary. What this file adds is what a declaration cannot say
about organisations (``ENTRY_ORG``, ``CLIENT_ORG``) and request bodies that get an allowed caller
past validation where that matters (an allowed role only needs a status other than 401/403, so
404 or 422 is fine).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import create_app
from service.auth.access import access_of, api_routes
from service.auth.deps import Public, RoleCheck
from service.auth.keys import generate_pem
from service.config import Settings
from service.migrate import scratch_database
from tests.kit import ROLES as ORGANISATION_ROLES
from tests.support import Actor, Harness, entry_body

ROLES = (*ORGANISATION_ROLES, "operator")
EVERYONE = frozenset(ROLES)


def route_table(app: FastAPI) -> dict[tuple[str, str], RoleCheck | Public | None]:
    return {(method, route.path): access_of(route)
            for route in api_routes(app.routes) for method in sorted(route.methods or ())
            if method in {"GET", "POST", "PUT", "PATCH", "DELETE"}}


# Read at collection time from an app of its own (no database is touched to build one).
OPERATIONS = route_table(create_app(Settings(database_url="sqlite://", signing_key=generate_pem(),
                                             env="development")))

# The operation acts on one existing entry ({entry_id}) for contributors:
# "own": only the listing organisation's contributors may (another organisation's get 403);
# "other": only other organisations' contributors may (the listing one gets 403).
ENTRY_ORG: dict[tuple[str, str], str] = {
    ("PATCH", "/v1/entries/{entry_id}"): "own",
    ("POST", "/v1/entries/{entry_id}/withdraw"): "own",
    ("POST", "/v1/entries/{entry_id}/appeals"): "own",
    ("POST", "/v1/entries/{entry_id}/recognitions"): "other",
}
# The operation administers the home organisation's clients: an admin of another organisation
# is refused (403); its own admins and the operator are not.
CLIENT_ORG = {("POST", "/v1/clients"), ("GET", "/v1/clients"), ("POST", "/v1/clients/{client_id}/disable"),
              ("POST", "/v1/clients/{client_id}/rotate-secret"), ("POST", "/v1/clients/{client_id}/api-keys"),
              ("GET", "/v1/clients/{client_id}/api-keys"), ("POST", "/v1/clients/{client_id}/api-keys/{key_id}/revoke")}
# What the declaration says about organisations, for the qualifiers above.
QUALIFIER_WORDING = {"own": "of the listing organisation", "other": "other than the listing one",
                     "client": "its organisation"}


def allowed_roles(declaration: RoleCheck | Public | None) -> frozenset[str]:
    assert isinstance(declaration, RoleCheck)
    return frozenset(role.value for role in declaration.roles)


def test_every_operation_declares_who_may_call_it() -> None:
    undeclared = sorted(f"{method} {path}" for (method, path), declared in OPERATIONS.items() if declared is None)
    assert not undeclared, "operations without require(...) or Public(...): " + ", ".join(undeclared)


def test_organisation_qualifiers_match_what_the_operations_say() -> None:
    """The organisation rules this file tests are the ones the summaries state."""
    for operation, kind in ENTRY_ORG.items():
        declared = OPERATIONS[operation]
        assert isinstance(declared, RoleCheck) and QUALIFIER_WORDING[kind] in declared.who, operation
    for operation in CLIENT_ORG:
        declared = OPERATIONS[operation]
        assert isinstance(declared, RoleCheck) and QUALIFIER_WORDING["client"] in declared.who, operation


def test_every_documented_operation_ends_its_summary_with_its_callers(app: FastAPI) -> None:
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            declared = OPERATIONS[(method.upper(), path)]
            assert declared is not None
            assert operation["summary"].endswith(f"({declared.who})"), f"{method} {path}: {operation['summary']}"


def test_anonymous_operations_really_are_anonymous(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/.well-known/jwks.json").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200


@dataclass
class Context:
    client: TestClient
    harness: Harness
    home: dict[str, Actor]
    outsider: Actor  # a contributor of another organisation
    outsider_admin: Actor  # an admin of another organisation

    def path_value(self, name: str, caller: Actor | None) -> str:
        if name == "entry_id":
            return self.fresh_entry()
        if name == "code":
            return self.home["admin"].organisation
        if name == "client_id":  # a throw-away client of the home organisation: disabling it locks out no one
            return self.harness.actor("screener", org=self.home["admin"].organisation).client_id
        return "00000000-0000-0000-0000-000000000000"

    def fresh_entry(self) -> str:
        response = self.client.post("/v1/entries", json=entry_body(), headers=self.home["contributor"].headers)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


Body = Callable[[Context, Actor | None], Any]

# Bodies that get an allowed caller past validation; absent rows send ``{}``.
REQUESTS: dict[tuple[str, str], Body] = {
    ("POST", "/v1/organisations"): lambda ctx, who: {"code": "M" + secrets.token_hex(4).upper(), "name": "Matrix",
                                                     "kind": "state"},
    ("POST", "/v1/clients"): lambda ctx, who: {"organisation": ctx.home["admin"].organisation, "name": "matrix",
                                               "roles": ["screener"]},
    ("POST", "/v1/clients/{client_id}/api-keys"): lambda ctx, who: {"name": "matrix"},
    ("POST", "/v1/entries"): lambda ctx, who: entry_body(),
    ("POST", "/v1/entries/bulk"): lambda ctx, who: {"entries": [entry_body()]},
    ("PATCH", "/v1/entries/{entry_id}"): lambda ctx, who: {"aliases": ["Another alias"]},
    ("POST", "/v1/entries/{entry_id}/withdraw"): lambda ctx, who: {"reason": "annulled on appeal"},
    ("POST", "/v1/entries/{entry_id}/appeals"): lambda ctx, who: {"lodged_on": "2026-04-02"},
    ("POST", "/v1/entries/{entry_id}/recognitions"): lambda ctx, who: {
        "decision_ref": "R-1", "legal_basis": "Mutual enforcement agreement", "starts_on": "2026-05-01"},
    ("POST", "/match/{dataset}"): lambda ctx, who: {
        "queries": {"q": {"schema": "Company", "properties": {"name": ["Matrix Stroy LLP"]}}}},
    ("POST", "/reconcile"): lambda ctx, who: Form({"queries": '{"q": {"query": "Matrix Stroy LLP"}}'}),
}


@dataclass(frozen=True)
class Form:
    """A form-encoded body (the reconciliation protocol's POST)."""
    fields: dict[str, str]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory, key_file: Path) -> Iterator[Context]:
    """The matrix runs on its own small database: exports and feeds stream whatever the
    session database holds by then, which would make the matrix slow, not more thorough."""
    base = os.environ.get("DEBARLIST_DATABASE_URL")
    with scratch_database(base, tmp_path_factory.mktemp("matrix"), "matrix" + secrets.token_hex(4)) as url:
        harness = Harness.start(url, key_file, allow_operator_clients=True)
        try:
            org = harness.new_org()
            home = {role: harness.actor(role, org=org) for role in ROLES}
            yield Context(client=harness.client, harness=harness, home=home, outsider=harness.actor("contributor"),
                          outsider_admin=harness.actor("admin"))
        finally:
            harness.close()


# Query parameters naming the home organisation, where the operation takes one.
QUERIES: dict[tuple[str, str], Callable[[Context], dict[str, str]]] = {
    ("GET", "/v1/clients"): lambda ctx: {"organisation": ctx.home["admin"].organisation},
}


def _call(ctx: Context, method: str, path: str, caller: Actor | None) -> Any:
    concrete = re.sub(r"\{(\w+)\}", lambda m: ctx.path_value(m.group(1), caller), path)
    body = REQUESTS.get((method, path), lambda c, w: {})(ctx, caller)
    headers = dict(caller.headers) if caller else {}
    if method == "PATCH":
        headers["If-Match"] = "*"
    if method == "GET":
        return ctx.client.get(concrete, params=QUERIES.get((method, path), lambda c: {})(ctx), headers=headers)
    if isinstance(body, Form):
        return ctx.client.request(method, concrete, data=body.fields, headers=headers)
    return ctx.client.request(method, concrete, json=body, headers=headers)


# Another organisation's contributor is a distinct caller only where the entry's organisation
# matters, another organisation's admin only where the clients' organisation does.
CASES = [(method, path, caller) for (method, path) in sorted(OPERATIONS)
         for caller in (*ROLES, "anonymous", *(("other-org-contributor",) if (method, path) in ENTRY_ORG else ()),
                        *(("other-org-admin",) if (method, path) in CLIENT_ORG else ()))]


@pytest.mark.parametrize(("method", "path", "caller"), CASES, ids=[f"{m} {p} as {c}" for m, p, c in CASES])
def test_role_matrix(method: str, path: str, caller: str, ctx: Context) -> None:
    declared = OPERATIONS[(method, path)]
    who = {"anonymous": None, "other-org-contributor": ctx.outsider,
           "other-org-admin": ctx.outsider_admin}.get(caller) if caller not in ctx.home else ctx.home[caller]
    response = _call(ctx, method, path, who)
    assert response.status_code < 500, response.text
    entry_org = ENTRY_ORG.get((method, path))
    if isinstance(declared, Public):
        assert response.status_code not in (401, 403), response.text
        return
    if caller == "anonymous":
        assert response.status_code == 401, response.text
        assert "www-authenticate" in response.headers
    elif caller == "other-org-contributor":
        assert (response.status_code == 403) is (entry_org == "own"), response.text
    elif caller == "other-org-admin":
        assert response.status_code == 403, response.text
        assert "own organisation" in response.json()["detail"]
    elif caller == "contributor" and entry_org == "other":
        assert response.status_code == 403, response.text
    elif caller in allowed_roles(declared):
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403, response.text
    if response.status_code in (401, 403):
        assert response.headers["content-type"].startswith("application/problem+json")


def test_holding_several_roles_grants_their_union_only(ctx: Context) -> None:
    """contributor+screener may both create and read, and still not administer."""
    both = ctx.harness.actor("contributor", "screener")
    assert ctx.client.post("/v1/entries", json=entry_body(), headers=both.headers).status_code == 201
    assert ctx.client.get("/v1/entries", headers=both.headers).status_code == 200
    assert ctx.client.get("/v1/clients", headers=both.headers).status_code == 403
