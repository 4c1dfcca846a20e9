"""The role matrix: every operation of the OpenAPI document, called as every single role
(the organisations' roles and the cross-organisation ``operator``, on a service that allows
operator clients), as an anonymous caller, as a contributor of another organisation (for
writes to an organisation's entries) and as an admin of another organisation (for the
administration of an organisation's clients).

Adding an endpoint? Add its row to ``MATRIX``: the coverage test fails, naming the
operation, until it has one. A row only states the roles; ``REQUESTS`` can give a request
body when the endpoint's allowed roles must get past validation to show they are allowed
(an allowed role only needs a status other than 401/403, so 404 or 422 is fine).
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

from service.migrate import scratch_database
from tests.foundation.conftest import ROLES as ORGANISATION_ROLES
from tests.support import Actor, Harness, entry_body

ANONYMOUS = {("GET", "/healthz"), ("POST", "/v1/token"), ("GET", "/.well-known/jwks.json"),
             ("GET", "/docs"), ("GET", "/openapi.json")}

ROLES = (*ORGANISATION_ROLES, "operator")
READERS = frozenset({"contributor", "screener", "auditor", "reviewer"})
EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Row:
    roles: frozenset[str]
    # The operation acts on one existing entry ({entry_id}) for contributors:
    # "own": only the listing organisation's contributors may (another organisation's get 403);
    # "other": only other organisations' contributors may (the listing one gets 403).
    entry_org: str | None = None
    # The operation administers the home organisation's clients: an admin of another
    # organisation is refused (403); its own admins and the operator are not.
    client_org: bool = False


def row(*roles: str, entry_org: str | None = None, client_org: bool = False) -> Row:
    unknown = set(roles) - EVERYONE
    assert not unknown, f"unknown roles {unknown}"
    assert entry_org in (None, "own", "other")
    return Row(frozenset(roles), entry_org, client_org)


MATRIX: dict[tuple[str, str], Row] = {
    # auth
    ("POST", "/v1/organisations"): row("operator"),
    ("GET", "/v1/organisations"): row(*ROLES),
    ("GET", "/v1/organisations/{code}"): row(*ROLES),
    ("POST", "/v1/clients"): row("admin", "operator", client_org=True),
    ("GET", "/v1/clients"): row("admin", "operator", "auditor", client_org=True),
    ("POST", "/v1/clients/{client_id}/disable"): row("admin", "operator", client_org=True),
    # entries
    ("POST", "/v1/entries"): row("contributor"),
    ("POST", "/v1/entries/bulk"): row("contributor"),
    ("GET", "/v1/entries"): row(*READERS),
    ("GET", "/v1/entries/{entry_id}"): row(*READERS),
    ("PATCH", "/v1/entries/{entry_id}"): row("contributor", entry_org="own"),
    ("POST", "/v1/entries/{entry_id}/withdraw"): row("contributor", entry_org="own"),
    ("GET", "/v1/entries/{entry_id}/revisions"): row(*READERS),
    # screening (a screening of another organisation is 404, not 403)
    ("POST", "/v1/screen"): row("screener"),
    ("GET", "/v1/screenings/{screening_id}"): row("screener", "auditor"),
    ("POST", "/v1/screenings/{screening_id}/replay"): row("screener", "auditor"),
    # audit (non-auditors read their own organisation's records; the operator administers only)
    ("GET", "/v1/audit"): row(*ORGANISATION_ROLES),
    ("GET", "/v1/audit/export"): row(*ORGANISATION_ROLES),
    ("GET", "/v1/audit/verify"): row("auditor"),
    ("GET", "/v1/audit/checkpoints"): row("auditor"),
    ("POST", "/v1/audit/checkpoints"): row("auditor"),
    # four-eyes reviews
    ("GET", "/v1/reviews"): row("reviewer", "auditor"),
    ("GET", "/v1/reviews/{review_id}"): row("reviewer", "auditor"),
    ("POST", "/v1/reviews/approve-batch"): row("reviewer"),
    ("POST", "/v1/reviews/{review_id}/approve"): row("reviewer"),
    ("POST", "/v1/reviews/{review_id}/reject"): row("reviewer"),
    # appeals and recognitions
    ("POST", "/v1/entries/{entry_id}/appeals"): row("contributor", entry_org="own"),
    ("GET", "/v1/entries/{entry_id}/appeals"): row(*READERS),
    ("GET", "/v1/appeals/{appeal_id}"): row(*READERS),
    ("POST", "/v1/appeals/{appeal_id}/steps"): row("contributor"),
    ("POST", "/v1/entries/{entry_id}/recognitions"): row("contributor", entry_org="other"),
    ("GET", "/v1/entries/{entry_id}/recognitions"): row(*READERS),
    ("POST", "/v1/recognitions/{recognition_id}/withdraw"): row("contributor"),
    # exchange
    ("GET", "/v1/changes"): row(*READERS),
    ("GET", "/v1/export/ftm"): row(*READERS),
}


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
    ("POST", "/v1/entries"): lambda ctx, who: entry_body(),
    ("POST", "/v1/entries/bulk"): lambda ctx, who: {"entries": [entry_body()]},
    ("PATCH", "/v1/entries/{entry_id}"): lambda ctx, who: {"aliases": ["Another alias"]},
    ("POST", "/v1/entries/{entry_id}/withdraw"): lambda ctx, who: {"reason": "annulled on appeal"},
    ("POST", "/v1/entries/{entry_id}/appeals"): lambda ctx, who: {"lodged_on": "2026-04-02"},
    ("POST", "/v1/entries/{entry_id}/recognitions"): lambda ctx, who: {
        "decision_ref": "R-1", "legal_basis": "Mutual enforcement agreement", "starts_on": "2026-05-01"},
}


def operations(app: FastAPI) -> set[tuple[str, str]]:
    found = set()
    for path, item in app.openapi()["paths"].items():
        for method in item:
            if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                found.add((method.upper(), path))
    return found - ANONYMOUS


def test_every_operation_has_a_matrix_row(app: FastAPI) -> None:
    missing = sorted(operations(app) - set(MATRIX))
    assert not missing, ("operations without a role-matrix row in tests/foundation/test_role_matrix.py: "
                         + ", ".join(f"{m} {p}" for m, p in missing))


def test_every_operation_states_its_roles_in_its_summary(app: FastAPI) -> None:
    """The summary names, in parentheses, every role the matrix allows (or "any authenticated role")."""
    for (method, path) in sorted(operations(app) & set(MATRIX)):
        summary = app.openapi()["paths"][path][method.lower()].get("summary", "")
        assert "(" in summary and ")" in summary, f"{method} {path}: summary does not name its roles"
        named = summary[summary.index("("):]
        allowed = MATRIX[(method, path)].roles
        if allowed == EVERYONE:
            assert "any authenticated role" in named, f"{method} {path}: summary does not say anyone may"
        else:
            missing = sorted(role for role in allowed if not re.search(rf"\b{role}\b", named))
            assert not missing, f"{method} {path}: summary does not name {', '.join(missing)}"


def test_anonymous_operations_really_are_anonymous(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/.well-known/jwks.json").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200


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
    return ctx.client.request(method, concrete, json=body, headers=headers)


# Another organisation's contributor is a distinct caller only where the entry's organisation
# matters, another organisation's admin only where the clients' organisation does.
CASES = [(method, path, caller) for (method, path), spec in sorted(MATRIX.items())
         for caller in (*ROLES, "anonymous", *(("other-org-contributor",) if spec.entry_org else ()),
                        *(("other-org-admin",) if spec.client_org else ()))]


@pytest.mark.parametrize(("method", "path", "caller"), CASES, ids=[f"{m} {p} as {c}" for m, p, c in CASES])
def test_role_matrix(method: str, path: str, caller: str, app: FastAPI, ctx: Context) -> None:
    if (method, path) not in operations(app):
        pytest.skip(f"{method} {path} is not in this build yet")
    spec = MATRIX[(method, path)]
    who = {"anonymous": None, "other-org-contributor": ctx.outsider,
           "other-org-admin": ctx.outsider_admin}.get(caller) if caller not in ctx.home else ctx.home[caller]
    response = _call(ctx, method, path, who)
    assert response.status_code != 500, response.text
    if caller == "anonymous":
        assert response.status_code == 401, response.text
        assert "www-authenticate" in response.headers
    elif caller == "other-org-contributor":
        expected_refused = spec.entry_org == "own"
        assert (response.status_code == 403) is expected_refused, response.text
    elif caller == "other-org-admin":
        assert response.status_code == 403, response.text
        assert "own organisation" in response.json()["detail"]
    elif caller == "contributor" and spec.entry_org == "other":
        assert response.status_code == 403, response.text
    elif caller in spec.roles:
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


def test_holding_several_roles_grants_their_union_only(ctx: Context) -> None:
    """contributor+screener may both create and read, and still not administer."""
    both = ctx.harness.actor("contributor", "screener")
    assert ctx.client.post("/v1/entries", json=entry_body(), headers=both.headers).status_code == 201
    assert ctx.client.get("/v1/entries", headers=both.headers).status_code == 200
    assert ctx.client.get("/v1/clients", headers=both.headers).status_code == 403
