"""Role matrix of every due-process operation: each role of the entry's organisation (the
cross-organisation ``operator`` too, on a service that allows operator clients), an anonymous
caller, and a contributor, reviewer, screener and admin of another organisation. Writes that
are allowed leave exactly one audit record of their action; refused ones leave none."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.kit import Kit, unique_name
from tests.support import Actor, Harness

ROLES = ("admin", "contributor", "screener", "auditor", "reviewer", "operator")
OTHERS = ("other-contributor", "other-reviewer", "other-screener", "other-admin")
CALLERS = (*ROLES, *OTHERS, "anonymous")


@dataclass
class World:
    kit: Kit
    home: dict[str, Actor]       # one client per role of a four-eyes organisation
    other: dict[str, Actor]      # contributor, reviewer, screener, admin of another organisation
    author: Actor                # writes the home organisation's entries (so "reviewer" is not an author)
    approver: Actor
    shared_appeal: str = ""      # for the read-only operations
    shared_entry: str = ""

    def caller(self, name: str) -> Actor | None:
        if name == "anonymous":
            return None
        if name.startswith("other-"):
            return self.other[name.removeprefix("other-")]
        return self.home[name]

    def pending(self) -> dict[str, Any]:
        return self.kit.entry(self.author, name=unique_name())

    def published(self) -> dict[str, Any]:
        entry = self.pending()
        approved = self.kit.client.post(f"/v1/reviews/{entry['review_id']}/approve", headers=self.approver.headers)
        assert approved.status_code == 200, approved.text
        return entry

    def appeal(self) -> dict[str, Any]:
        response = self.kit.client.post(f"/v1/entries/{self.published()['id']}/appeals",
                                        json={"lodged_on": "2026-04-01"}, headers=self.author.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def recognition(self) -> dict[str, Any]:
        response = self.kit.client.post(f"/v1/entries/{self.published()['id']}/recognitions", json=RECOGNITION,
                                        headers=self.other["contributor"].headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def screening(self) -> str:
        result = self.kit.screen(self.home["screener"], unique_name())
        return str(result["screening_id"])


RECOGNITION = {"decision_ref": "R-9", "legal_basis": "Mutual enforcement", "starts_on": "2026-01-01"}


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any] | None = None
    action: str | None = None      # the audit action an allowed call writes
    target: str | None = None


def _review(w: World) -> str:
    return str(w.pending()["review_id"])


SETUPS: dict[str, Callable[[World], Call]] = {
    "list reviews": lambda w: Call("GET", "/v1/reviews?status=pending"),
    "get review": lambda w: Call("GET", f"/v1/reviews/{_review(w)}"),
    "approve review": lambda w: (lambda r: Call("POST", f"/v1/reviews/{r}/approve", None, "review.approve", r))(
        _review(w)),
    "reject review": lambda w: (lambda r: Call("POST", f"/v1/reviews/{r}/reject", {"reason": "not proven"},
                                               "review.reject", r))(_review(w)),
    "approve batch": lambda w: (lambda r: Call("POST", "/v1/reviews/approve-batch", {"ids": [r]},
                                               "review.approve", r))(_review(w)),
    "lodge appeal": lambda w: Call("POST", f"/v1/entries/{w.published()['id']}/appeals",
                                   {"lodged_on": "2026-04-01"}, "appeal.lodge"),
    "appeal step": lambda w: (lambda a: Call("POST", f"/v1/appeals/{a}/steps",
                                             {"step": "under_review", "date": "2026-04-02"}, "appeal.step", a))(
        w.appeal()["id"]),
    "get appeal": lambda w: Call("GET", f"/v1/appeals/{w.shared_appeal}"),
    "list appeals": lambda w: Call("GET", f"/v1/entries/{w.shared_entry}/appeals"),
    "recognise": lambda w: Call("POST", f"/v1/entries/{w.published()['id']}/recognitions", RECOGNITION,
                                "recognition.create"),
    "withdraw recognition": lambda w: (lambda r: Call("POST", f"/v1/recognitions/{r}/withdraw",
                                                      {"reason": "revoked"}, "recognition.withdraw", r))(
        w.recognition()["id"]),
    "list recognitions": lambda w: Call("GET", f"/v1/entries/{w.shared_entry}/recognitions"),
    "replay": lambda w: (lambda s: Call("POST", f"/v1/screenings/{s}/replay", None, "screening.replay", s))(
        w.screening()),
}

OK, CREATED = 200, 201
READERS = {"contributor": OK, "screener": OK, "auditor": OK, "reviewer": OK,
           "other-contributor": OK, "other-reviewer": OK, "other-screener": OK}
# Anything not listed is 403 (401 for anonymous): admins and the operator administer clients only.
EXPECTED: dict[str, dict[str, int]] = {
    "list reviews": {"reviewer": OK, "auditor": OK, "other-reviewer": OK},
    "get review": {"reviewer": OK, "auditor": OK, "other-reviewer": 404},
    "approve review": {"reviewer": OK},
    "reject review": {"reviewer": OK},
    "approve batch": {"reviewer": OK},
    "lodge appeal": {"contributor": CREATED},
    "appeal step": {"contributor": OK},
    "get appeal": READERS,
    "list appeals": READERS,
    "recognise": {"other-contributor": CREATED},
    "withdraw recognition": {"other-contributor": OK},
    "list recognitions": READERS,
    "replay": {"screener": OK, "auditor": OK, "other-screener": 404},
}


def expected(operation: str, caller: str) -> int:
    return 401 if caller == "anonymous" else EXPECTED[operation].get(caller, 403)


@pytest.fixture(scope="module")
def operators_allowed(db_url: str, key_file: Path) -> Iterator[Harness]:
    """The session's database and key, served by an app that allows operator clients."""
    harness = Harness.start(db_url, key_file, allow_operator_clients=True)
    yield harness
    harness.close()


@pytest.fixture(scope="module")
def world(operators_allowed: Harness) -> World:
    harness = operators_allowed
    home_org, other_org = harness.new_org(requires_review=True), harness.new_org()
    w = World(kit=Kit(client=harness.client, harness=harness),
              home={role: harness.actor(role, org=home_org) for role in ROLES},
              other={role: harness.actor(role, org=other_org)
                     for role in ("contributor", "reviewer", "screener", "admin")},
              author=harness.actor("contributor", org=home_org), approver=harness.actor("reviewer", org=home_org))
    w.shared_appeal = w.appeal()["id"]
    w.shared_entry = w.published()["id"]
    return w


CASES = [(operation, caller) for operation in SETUPS for caller in CALLERS]


@pytest.mark.parametrize(("operation", "caller"), CASES, ids=[f"{o} as {c}" for o, c in CASES])
def test_due_process_role_matrix(operation: str, caller: str, world: World) -> None:
    call = SETUPS[operation](world)
    who = world.caller(caller)
    headers = who.headers if who else {}
    if call.method == "GET":
        response = world.kit.client.get(call.path, headers=headers)
    else:
        response = world.kit.client.post(call.path, json=call.body, headers=headers)
    want = expected(operation, caller)
    assert response.status_code == want, response.text
    if want >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
    if call.action is None:
        return
    target = call.target or (response.json()["id"] if want < 300 else None)
    if target is not None:
        assert len(world.kit.audit(call.action, target)) == (1 if want < 300 else 0)


def test_matrix_covers_every_due_process_operation(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    ours = {(method.upper(), path) for path, item in paths.items() for method in item
            if path.startswith(("/v1/reviews", "/v1/appeals", "/v1/recognitions"))
            or path.endswith(("/appeals", "/recognitions", "/replay"))}
    covered = {(call.method, call.path) for call in _shapes()}
    assert ours == covered


def _shapes() -> list[Call]:
    return [Call("GET", "/v1/reviews"), Call("GET", "/v1/reviews/{review_id}"),
            Call("POST", "/v1/reviews/{review_id}/approve"), Call("POST", "/v1/reviews/{review_id}/reject"),
            Call("POST", "/v1/reviews/approve-batch"), Call("POST", "/v1/entries/{entry_id}/appeals"),
            Call("POST", "/v1/appeals/{appeal_id}/steps"), Call("GET", "/v1/appeals/{appeal_id}"),
            Call("GET", "/v1/entries/{entry_id}/appeals"), Call("POST", "/v1/entries/{entry_id}/recognitions"),
            Call("POST", "/v1/recognitions/{recognition_id}/withdraw"),
            Call("GET", "/v1/entries/{entry_id}/recognitions"), Call("POST", "/v1/screenings/{screening_id}/replay")]


def test_a_pending_entry_is_hidden_from_other_organisations(world: World) -> None:
    pending = world.pending()
    for name in ("other-contributor", "other-reviewer", "other-screener"):
        who = world.caller(name)
        assert who is not None
        assert world.kit.client.get(f"/v1/entries/{pending['id']}", headers=who.headers).status_code == 404
    assert world.kit.client.get(f"/v1/entries/{pending['id']}", headers=world.home["screener"].headers).status_code \
        == 200
