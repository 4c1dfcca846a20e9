"""Entries: create, read, validation, visibility, optimistic concurrency, withdrawal, revisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import Actor, entry_body

MakeEntry = Callable[..., dict[str, Any]]


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    return body


def test_create_sets_service_fields_and_keeps_provenance(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("contributor")
    body = entry_body(source={"publisher": "MF", "list": "Register of unreliable suppliers", "row": 4},
                      addresses=["Almaty, Abay ave 10"], ends_on="2029-03-14")
    response = client.post("/v1/entries", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    entry = response.json()
    assert response.headers["location"] == f"/v1/entries/{entry['id']}"
    assert response.headers["etag"] == f'"{entry["id"]}.v1"'
    assert entry["organisation"] == who.organisation
    assert entry["version"] == 1 and entry["appeal_status"] == "none" and entry["status"] == "active"
    assert entry["created_by"] == entry["updated_by"] == who.client_id
    assert entry["created_at"] and entry["updated_at"]
    for name in ("kind", "name", "aliases", "country", "listing", "grounds", "legal_basis", "decision_ref",
                 "decided_on", "starts_on", "ends_on", "visibility", "external_ref", "addresses"):
        assert entry[name] == body[name], name
    assert entry["evidence"][0]["title"] == "Decision" and entry["evidence"][0]["url"].startswith("https://")
    assert entry["source"]["publisher"] == "MF"
    got = client.get(f"/v1/entries/{entry['id']}", headers=who.headers)
    assert got.json() == entry


def test_starts_on_defaults_to_today_and_ends_on_null_is_open_ended(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("contributor")
    body = entry_body()
    del body["starts_on"]
    entry = client.post("/v1/entries", json=body, headers=who.headers).json()
    assert date.fromisoformat(entry["starts_on"]) in (date.today(), date.today() - timedelta(days=1),
                                                      date.today() + timedelta(days=1))
    assert entry["ends_on"] is None and entry["status"] == "active"


@pytest.mark.parametrize("field", ["id", "organisation", "status", "version", "appeal_status", "created_at",
                                   "created_by", "updated_by", "revision", "withdrawn_at", "nonsense"])
def test_service_set_fields_cannot_be_supplied(field: str, client: TestClient,
                                               role_actors: dict[str, Actor]) -> None:
    who = role_actors["contributor"]
    response = client.post("/v1/entries", json=entry_body(**{field: "OTHER"}), headers=who.headers)
    body = _problem(response, 422)
    assert field in body["detail"]


INVALID: dict[str, tuple[dict[str, Any], str]] = {
    "country_not_iso": ({"country": "ZZ"}, "country"),
    "country_alpha3": ({"country": "KAZ"}, "country"),
    "lei_check_digits": ({"identifiers": [{"scheme": "lei", "value": "5493001KJTIIGC8Y1R13"}]}, "identifiers"),
    "vat_check_digits": ({"identifiers": [{"scheme": "vat", "value": "DE136695977"}]}, "identifiers"),
    "vat_without_prefix": ({"identifiers": [{"scheme": "vat", "value": "136695976"}]}, "identifiers"),
    "unknown_scheme": ({"identifiers": [{"scheme": "ssn", "value": "1"}]}, "identifiers"),
    "identifier_extra_key": ({"identifiers": [{"scheme": "lei", "value": "5493001KJTIIGC8Y1R12", "x": 1}]},
                             "identifiers"),
    "ground_not_in_vocabulary": ({"grounds": ["tax_evasion"]}, "grounds"),
    "no_grounds": ({"grounds": []}, "grounds"),
    "bad_listing": ({"listing": "blacklisted"}, "listing"),
    "bad_visibility": ({"visibility": "secret"}, "visibility"),
    "bad_kind": ({"kind": "ship"}, "kind"),
    "empty_name": ({"name": "   "}, "name"),
    "ends_before_starts": ({"starts_on": "2026-03-15", "ends_on": "2026-03-14"}, "ends_on"),
    "invalid_date": ({"decided_on": "2026-02-30"}, "decided_on"),
    "evidence_url": ({"evidence": [{"title": "x", "url": "not a url"}]}, "evidence"),
    "provenance_extra": ({"source": {"publisher": "x", "secret": 1}}, "source"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_entry_is_422_naming_the_field(case: str, client: TestClient,
                                              role_actors: dict[str, Actor]) -> None:
    who = role_actors["contributor"]
    overrides, field = INVALID[case]
    body = _problem(client.post("/v1/entries", json=entry_body(**overrides), headers=who.headers), 422)
    assert field in body["detail"], body
    assert any(field in error["field"] or field in error["message"] for error in body["errors"])


def test_identifiers_are_validated_and_normalised(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("contributor")
    identifiers = [{"scheme": "lei", "value": "5493001kjtiigc8y1r12"}, {"scheme": "vat", "value": "DE 136 695 976"},
                   {"scheme": "vat", "value": "FR40303265045"}, {"scheme": "registration", "value": "16-0009/4(F/1)"}]
    response = client.post("/v1/entries", json=entry_body(identifiers=identifiers), headers=who.headers)
    assert response.status_code == 201, response.text
    values = [(i["scheme"], i["value"]) for i in response.json()["identifiers"]]
    assert values == [("lei", "5493001KJTIIGC8Y1R12"), ("vat", "DE136695976"), ("vat", "FR40303265045"),
                      ("registration", "1600094F1")]


def test_external_ref_is_unique_within_an_organisation_only(
        client: TestClient, actor: Callable[..., Actor], make_entry: MakeEntry) -> None:
    first, other_org = actor("contributor"), actor("contributor")
    make_entry(first, external_ref="DEC-1")
    _problem(client.post("/v1/entries", json=entry_body(external_ref="DEC-1"), headers=first.headers), 409)
    make_entry(other_org, external_ref="DEC-1")
    second = make_entry(first, external_ref="DEC-2")
    clash = client.patch(f"/v1/entries/{second['id']}", json={"external_ref": "DEC-1"},
                         headers={**first.headers, "If-Match": f'"{second["id"]}.v1"'})
    _problem(clash, 409)


def test_restricted_entries_are_seen_by_their_organisation_and_auditors_only(
        client: TestClient, actor: Callable[..., Actor], make_entry: MakeEntry) -> None:
    owner = actor("contributor", "screener")
    same_org_screener = actor("screener", org=owner.organisation)
    outsider, auditor = actor("screener"), actor("auditor")
    restricted = make_entry(owner, visibility="restricted", name="Hidden Holdings LLP")
    members = make_entry(owner, visibility="members", name="Visible Holdings LLP")
    for who in (owner, same_org_screener, auditor):
        assert client.get(f"/v1/entries/{restricted['id']}", headers=who.headers).status_code == 200
    _problem(client.get(f"/v1/entries/{restricted['id']}", headers=outsider.headers), 404)
    _problem(client.get(f"/v1/entries/{restricted['id']}/revisions", headers=outsider.headers), 404)
    listed = client.get("/v1/entries", params={"organisation": owner.organisation}, headers=outsider.headers)
    ids = {item["id"] for item in listed.json()["items"]}
    assert members["id"] in ids and restricted["id"] not in ids
    # Nor through the text filter, which could otherwise leak that it exists.
    searched = client.get("/v1/entries", params={"q": "hidden holdings"}, headers=outsider.headers).json()
    assert restricted["id"] not in {item["id"] for item in searched["items"]}
    audited = client.get("/v1/entries", params={"organisation": owner.organisation}, headers=auditor.headers)
    assert {members["id"], restricted["id"]} <= {item["id"] for item in audited.json()["items"]}
    # A missing entry and an invisible one are refused the same way.
    assert client.get("/v1/entries/no-such-id", headers=outsider.headers).json()["title"] == "Not found"


def test_update_needs_a_current_etag(client: TestClient, actor: Callable[..., Actor], make_entry: MakeEntry) -> None:
    who = actor("contributor")
    entry = make_entry(who)
    url = f"/v1/entries/{entry['id']}"
    _problem(client.patch(url, json={"name": "Renamed"}, headers=who.headers), 428)
    ok = client.patch(url, json={"name": "Renamed LLP"}, headers={**who.headers, "If-Match": f'"{entry["id"]}.v1"'})
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == 2 and ok.json()["name"] == "Renamed LLP"
    assert ok.headers["etag"] == f'"{entry["id"]}.v2"'
    stale = client.patch(url, json={"name": "Lost update"}, headers={**who.headers, "If-Match": f'"{entry["id"]}.v1"'})
    _problem(stale, 412)
    garbage = client.patch(url, json={"name": "x y"}, headers={**who.headers, "If-Match": "garbage\u00ff".encode()})
    _problem(garbage, 412)
    assert client.get(url, headers=who.headers).json()["name"] == "Renamed LLP"
    # A PATCH that changes nothing makes no new version.
    same = client.patch(url, json={"name": "Renamed LLP"}, headers={**who.headers, "If-Match": ok.headers["etag"]})
    assert same.status_code == 200 and same.json()["version"] == 2


def test_patch_validates_like_create_and_rejects_service_fields(
        client: TestClient, actor: Callable[..., Actor], make_entry: MakeEntry) -> None:
    who = actor("contributor")
    entry = make_entry(who)
    headers = {**who.headers, "If-Match": f'"{entry["id"]}.v1"'}
    url = f"/v1/entries/{entry['id']}"
    for body, field in (({"country": "XX"}, "country"), ({"organisation": "OTHER"}, "organisation"),
                        ({"version": 7}, "version"), ({"grounds": ["nope"]}, "grounds"),
                        ({"ends_on": "2020-01-01"}, "ends_on"), ({"name": None}, "name"),
                        ({"identifiers": [{"scheme": "lei", "value": "123"}]}, "identifiers")):
        response = client.patch(url, json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert field in response.json()["detail"], (body, response.json())
    assert client.get(url, headers=who.headers).json()["version"] == 1


def test_contributors_change_only_their_own_organisations_entries(
        client: TestClient, actor: Callable[..., Actor], make_entry: MakeEntry) -> None:
    owner, other = actor("contributor"), actor("contributor")
    entry = make_entry(owner)
    url = f"/v1/entries/{entry['id']}"
    headers = {**other.headers, "If-Match": f'"{entry["id"]}.v1"'}
    _problem(client.patch(url, json={"name": "Hijacked"}, headers=headers), 403)
    _problem(client.post(f"{url}/withdraw", json={"reason": "not yours"}, headers=headers), 403)
    assert client.get(url, headers=owner.headers).json()["version"] == 1


def test_withdraw_keeps_the_entry_and_freezes_it(client: TestClient, actor: Callable[..., Actor],
                                                  make_entry: MakeEntry) -> None:
    who = actor("contributor")
    entry = make_entry(who)
    url = f"/v1/entries/{entry['id']}"
    _problem(client.post(f"{url}/withdraw", json={}, headers=who.headers), 422)
    _problem(client.post(f"{url}/withdraw", json={"reason": " "}, headers=who.headers), 422)
    _problem(client.post(f"{url}/withdraw", json={"reason": "annulled"},
                         headers={**who.headers, "If-Match": '"stale.v0"'}), 412)
    done = client.post(f"{url}/withdraw", json={"reason": "Decision annulled on appeal"}, headers=who.headers)
    assert done.status_code == 200, done.text
    withdrawn = done.json()
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawal_reason"] == "Decision annulled on appeal"
    assert withdrawn["withdrawn_at"] and withdrawn["version"] == 2
    assert client.get(url, headers=who.headers).json()["status"] == "withdrawn"
    _problem(client.patch(url, json={"name": "Back again"}, headers={**who.headers, "If-Match": done.headers["etag"]}),
             409)
    _problem(client.post(f"{url}/withdraw", json={"reason": "again please"}, headers=who.headers), 409)
    listed = client.get("/v1/entries", params={"organisation": who.organisation, "status": "withdrawn"},
                        headers=who.headers).json()
    assert [item["id"] for item in listed["items"]] == [entry["id"]]


def test_every_version_is_kept_with_who_and_when(client: TestClient, actor: Callable[..., Actor],
                                                 make_entry: MakeEntry) -> None:
    who = actor("contributor")
    reader = actor("reviewer")
    entry = make_entry(who, name="First Name LLP")
    url = f"/v1/entries/{entry['id']}"
    second = client.patch(url, json={"name": "Second Name LLP"}, headers={**who.headers, "If-Match": "*"})
    assert second.status_code == 200
    client.post(f"{url}/withdraw", json={"reason": "Listed in error"}, headers=who.headers)
    revisions = client.get(f"{url}/revisions", headers=reader.headers)
    assert revisions.status_code == 200, revisions.text
    rows = revisions.json()
    assert [r["version"] for r in rows] == [1, 2, 3]
    assert [r["action"] for r in rows] == ["entry.create", "entry.update", "entry.withdraw"]
    assert [r["data"]["name"] for r in rows] == ["First Name LLP", "Second Name LLP", "Second Name LLP"]
    assert all(r["recorded_by"] == who.client_id and r["recorded_at"] for r in rows)
    assert rows[0]["list_revision"] < rows[1]["list_revision"] < rows[2]["list_revision"]


@pytest.mark.parametrize(("starts", "ends", "status"), [
    (-10, None, "active"), (-10, 10, "active"), (0, 0, "active"), (5, None, "not_yet_in_force"),
    (-30, -1, "expired")])
def test_status_is_derived_from_the_dates(starts: int, ends: int | None, status: str, client: TestClient,
                                          actor: Callable[..., Actor], make_entry: MakeEntry) -> None:
    who = actor("contributor")
    today = date.today()
    entry = make_entry(who, starts_on=(today + timedelta(days=starts)).isoformat(),
                       ends_on=None if ends is None else (today + timedelta(days=ends)).isoformat())
    assert entry["status"] == status
    listed = client.get("/v1/entries", params={"organisation": who.organisation, "status": status},
                        headers=who.headers).json()
    assert [item["id"] for item in listed["items"]] == [entry["id"]]


def test_concurrent_creates_with_one_external_ref_give_one_entry_and_a_409(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    """The uniqueness check and the insert race on PostgreSQL: the loser is a 409, not a 500."""
    from concurrent.futures import ThreadPoolExecutor

    who = actor("contributor")
    for attempt in range(4):
        body = entry_body(external_ref=f"race-{attempt}")
        def create(_: int, body: dict[str, Any] = body) -> int:
            return client.post("/v1/entries", json=body, headers=who.headers).status_code

        with ThreadPoolExecutor(max_workers=3) as pool:
            statuses = sorted(pool.map(create, range(3)))
        assert statuses == [201, 409, 409], statuses
