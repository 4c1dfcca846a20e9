"""Who reads which records (the role matrix), filters, stable pagination and streamed exports."""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import Actor, Harness, entry_body


@dataclass
class World:
    """Organisation A with an entry and two screeners' screenings; organisation B beside it."""

    org_a: str
    org_b: str
    actors: dict[str, Actor]
    entry_id: str
    screening_1: str
    screening_2: str
    tender: str


@pytest.fixture(scope="module")
def world(harness: Harness) -> World:
    client = harness.client
    org_a, org_b = harness.new_org(), harness.new_org()
    actors = {
        "contributor_a": harness.actor("contributor", org=org_a),
        "screener_a1": harness.actor("screener", org=org_a),
        "screener_a2": harness.actor("screener", org=org_a),
        "reviewer_a": harness.actor("reviewer", org=org_a),
        "admin_a": harness.actor("admin", org=org_a),
        "screener_contributor_a": harness.actor("screener", "contributor", org=org_a),
        "contributor_b": harness.actor("contributor", org=org_b),
        "screener_b": harness.actor("screener", org=org_b),
        "admin_b": harness.actor("admin", org=org_b),
        "auditor_b": harness.actor("auditor", org=org_b),
    }
    created = client.post("/v1/entries", json=entry_body(), headers=actors["contributor_a"].headers)
    assert created.status_code == 201, created.text
    tender = "TND-" + secrets.token_hex(4)
    screenings = []
    for who in ("screener_a1", "screener_a2"):
        response = client.post("/v1/screen", headers=actors[who].headers, json={
            "tender_ref": tender, "subjects": [{"ref": "b1", "name": f"Secret Bidder {who} AG"}]})
        assert response.status_code == 200, response.text
        screenings.append(response.json()["screening_id"])
    return World(org_a, org_b, actors, created.json()["id"], screenings[0], screenings[1], tender)


def _targets(client: TestClient, who: Actor, **params: Any) -> set[str]:
    response = client.get("/v1/audit", params={"limit": 1000, **params}, headers=who.headers)
    assert response.status_code == 200, response.text
    return {item["target_id"] for item in response.json()["items"]}


# Which of A's records each caller sees: the entry and the two screenings.
MATRIX = {
    "auditor_b": {"entry", "screening_1", "screening_2"},
    "contributor_a": {"entry", "screening_1", "screening_2"},
    "reviewer_a": {"entry", "screening_1", "screening_2"},
    "admin_a": {"entry", "screening_1", "screening_2"},
    "screener_a1": {"screening_1"},
    "screener_contributor_a": {"entry", "screening_1", "screening_2"},
    "contributor_b": set(),
    "screener_b": set(),
    "admin_b": set(),
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_role_matrix_for_reading(client: TestClient, world: World, who: str) -> None:
    names = {world.entry_id: "entry", world.screening_1: "screening_1", world.screening_2: "screening_2"}
    seen = _targets(client, world.actors[who], organisation=world.org_a)
    assert {names[t] for t in seen if t in names} == MATRIX[who]
    exported = client.get("/v1/audit/export", params={"organisation": world.org_a},
                          headers=world.actors[who].headers)
    assert exported.status_code == 200
    exported_targets = {json.loads(line)["target_id"] for line in exported.text.splitlines()}
    assert {names[t] for t in exported_targets if t in names} == MATRIX[who]


def test_screener_sees_only_screenings_and_bidder_names_stay_in_the_organisation(
        client: TestClient, world: World) -> None:
    response = client.get("/v1/audit", params={"tender_ref": world.tender},
                          headers=world.actors["screener_a1"].headers)
    items = response.json()["items"]
    assert [i["target_id"] for i in items] == [world.screening_1]
    assert items[0]["details"]["subjects"][0]["name"] == "Secret Bidder screener_a1 AG"
    for outsider in ("contributor_b", "admin_b", "screener_b"):
        body = client.get("/v1/audit/export", params={"tender_ref": world.tender},
                          headers=world.actors[outsider].headers).text
        assert "Secret Bidder" not in body
    auditor = client.get("/v1/audit/export", params={"tender_ref": world.tender},
                         headers=world.actors["auditor_b"].headers).text
    assert auditor.count("Secret Bidder") == 2


def test_anonymous_and_bad_tokens_are_401(client: TestClient) -> None:
    for path in ("/v1/audit", "/v1/audit/export", "/v1/audit/verify", "/v1/audit/checkpoints"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
    assert client.post("/v1/audit/checkpoints").status_code == 401
    assert client.get("/v1/audit", headers={"Authorization": "Bearer x.y.z"}).status_code == 401


@pytest.mark.parametrize("who", ["contributor_a", "screener_a1", "reviewer_a", "admin_a"])
def test_only_auditors_verify_and_checkpoint(client: TestClient, world: World, who: str) -> None:
    headers = world.actors[who].headers
    response = client.get("/v1/audit/verify", headers=headers)
    assert response.status_code == 403
    assert response.json()["type"].endswith("/forbidden")
    if who == "contributor_a":  # one role is enough for the other two: the same dependency guards them
        assert client.get("/v1/audit/checkpoints", headers=headers).status_code == 403
        assert client.post("/v1/audit/checkpoints", headers=headers).status_code == 403


def test_filters(client: TestClient, world: World) -> None:
    auditor = world.actors["auditor_b"]
    a1 = world.actors["screener_a1"].client_id
    assert _targets(client, auditor, actor=a1, action="screening.run") == {world.screening_1}
    assert world.entry_id not in _targets(client, auditor, actor=a1)
    assert _targets(client, auditor, organisation=world.org_a, action="entry.create") == {world.entry_id}
    assert _targets(client, auditor, organisation=world.org_a, action="entry.*") == {world.entry_id}
    assert _targets(client, auditor, target_type="screening", tender_ref=world.tender) == {
        world.screening_1, world.screening_2}
    assert _targets(client, auditor, target_id=world.entry_id) == {world.entry_id}
    assert _targets(client, auditor, organisation=world.org_a, since="2999-01-01T00:00:00Z") == set()
    assert world.entry_id in _targets(client, auditor, organisation=world.org_a, since="2000-01-01T00:00:00Z",
                                      until="2999-01-01T00:00:00Z")
    # An inverted window is an empty one (the document cannot say "since before until", so it is
    # not a validation error): nothing is in it.
    assert _targets(client, auditor, since="2026-02-01T00:00:00Z", until="2026-01-01T00:00:00Z") == set()
    for bad in ({"action": "DROP TABLE"}, {"limit": 0}, {"cursor": "garbage!"}, {"since": "yesterday"}):
        response = client.get("/v1/audit", params=bad, headers=auditor.headers)
        assert response.status_code in (400, 422), (bad, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    exported = client.get("/v1/audit/export", params={"format": "xml"}, headers=auditor.headers)
    assert exported.status_code == 422


def test_cursor_pages_stay_stable_while_records_arrive(client: TestClient, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    auditor = actor("auditor")

    def add(count: int) -> None:
        for _ in range(count):
            assert client.post("/v1/entries", json=entry_body(), headers=contributor.headers).status_code == 201

    add(5)
    params: dict[str, Any] = {"organisation": contributor.organisation, "limit": 2}
    seqs: list[int] = []
    page = client.get("/v1/audit", params=params, headers=auditor.headers).json()
    while True:
        seqs += [item["seq"] for item in page["items"]]
        if len(seqs) == 2:
            add(3)  # new records arrive while the auditor pages
        if not page["next_cursor"]:
            break
        page = client.get("/v1/audit", params={**params, "cursor": page["next_cursor"]},
                          headers=auditor.headers).json()
    assert len(seqs) == 8 and seqs == sorted(set(seqs))

    newest = client.get("/v1/audit", params={**params, "order": "desc"}, headers=auditor.headers).json()
    assert [i["seq"] for i in newest["items"]] == seqs[::-1][:2]
    older = client.get("/v1/audit", params={**params, "order": "desc", "cursor": newest["next_cursor"]},
                       headers=auditor.headers).json()
    assert [i["seq"] for i in older["items"]] == seqs[::-1][2:4]
    mixed = client.get("/v1/audit", params={**params, "cursor": newest["next_cursor"]}, headers=auditor.headers)
    assert mixed.status_code == 422


def test_export_streams_jsonl_and_csv(client: TestClient, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    auditor = actor("auditor")
    for i in range(3):
        body = entry_body(name=f"=HYPERLINK(\"http://x\") {i}")
        assert client.post("/v1/entries", json=body, headers=contributor.headers).status_code == 201
    params = {"organisation": contributor.organisation}
    jsonl = client.get("/v1/audit/export", params=params, headers=auditor.headers)
    assert jsonl.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [line["action"] for line in lines] == ["entry.create"] * 3
    listed = client.get("/v1/audit", params=params, headers=auditor.headers).json()["items"]
    assert lines == listed  # the same records, field for field, hashes included

    exported = client.get("/v1/audit/export", params={**params, "format": "csv"}, headers=auditor.headers)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [int(r["seq"]) for r in rows] == [line["seq"] for line in lines]
    assert json.loads(rows[0]["details"])["after"]["name"].startswith("=HYPERLINK")  # JSON cell starts with {
    assert all(r["hash"] == line["hash"] for r, line in zip(rows, lines, strict=True))


def test_export_of_a_range_larger_than_one_chunk(client: TestClient, actor: Callable[..., Actor]) -> None:
    from service.audit import service as audit_service

    contributor = actor("contributor")
    auditor = actor("auditor")
    rows = [entry_body() for _ in range(25)]
    assert client.post("/v1/entries/bulk", json={"entries": rows}, headers=contributor.headers).status_code == 200
    old = audit_service.EXPORT_CHUNK
    audit_service.EXPORT_CHUNK = 10  # several chunks without writing thousands of records
    try:
        exported = client.get("/v1/audit/export", params={"organisation": contributor.organisation},
                              headers=auditor.headers)
    finally:
        audit_service.EXPORT_CHUNK = old
    seqs = [json.loads(line)["seq"] for line in exported.text.splitlines()]
    assert len(seqs) == 25 and seqs == sorted(set(seqs))
