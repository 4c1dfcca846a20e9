"""Listing entries: filters and cursor pagination."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.support import Actor, entry_body

MakeEntry = Callable[..., dict[str, Any]]


def _ids(client: TestClient, who: Actor, **params: Any) -> list[str]:
    response = client.get("/v1/entries", params={"organisation": who.organisation, **params}, headers=who.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _bulk(client: TestClient, who: Actor, count: int, prefix: str) -> list[str]:
    rows = [entry_body(name=f"{prefix} Company {i:04d} LLP", external_ref=f"{prefix}-{i:04d}") for i in range(count)]
    response = client.post("/v1/entries/bulk", json={"entries": rows}, headers=who.headers)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == count
    return [row["id"] for row in response.json()["results"]]


def _walk(client: TestClient, who: Actor, limit: int, between_pages: Callable[[int], None] | None = None,
          **params: Any) -> tuple[list[str], int]:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"organisation": who.organisation, "limit": limit, **params}
        if cursor:
            query["cursor"] = cursor
        response = client.get("/v1/entries", params=query, headers=who.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "next_cursor"}
        seen += [item["id"] for item in page["items"]]
        pages += 1
        if between_pages:
            between_pages(pages)
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages
        assert pages < 100, "pagination does not end"


def test_paging_through_more_than_two_pages_has_no_duplicates_or_gaps(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("contributor")
    created = _bulk(client, who, 23, "page")
    seen, pages = _walk(client, who, 10)
    assert pages == 3
    assert sorted(seen) == sorted(created) and len(seen) == len(set(seen))
    exact, pages = _walk(client, who, 23)
    assert pages == 1 and len(exact) == 23  # a full last page has no dangling empty page


def test_paging_is_stable_while_entries_arrive(client: TestClient, actor: Callable[..., Actor],
                                               make_entry: MakeEntry) -> None:
    who = actor("contributor")
    created = _bulk(client, who, 15, "stable")
    arrived: list[str] = []

    def add_one(_: int) -> None:
        arrived.append(make_entry(who)["id"])

    seen, _ = _walk(client, who, 4, between_pages=add_one)
    assert len(seen) == len(set(seen)), "an entry appeared twice"
    assert set(created) <= set(seen), "an entry present from the start was skipped"
    # New ones land after the cursor, so the walk picks them up rather than shifting pages.
    assert set(seen) - set(created) <= set(arrived)


def test_invalid_cursors_are_400_problems(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    for cursor in ("garbage", "e30", "eyJwayI6ICJ4In0", "!!!!", "a", "eyJwayI6MS41fQ", "eyJwayI6dHJ1ZX0",
                   "eyJwayI6MTAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMH0", "x" * 500, "\u00e9t\u00e9",
                   "W10", "bnVsbA", "MQ"):
        response = client.get("/v1/entries", params={"cursor": cursor}, headers=who.headers)
        assert response.status_code == 400, (cursor, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_filters(client: TestClient, actor: Callable[..., Actor], make_entry: MakeEntry) -> None:
    who = actor("contributor")
    societe = make_entry(who, name="Société Générale de Construction", aliases=["SGC"], country="FR",
                         grounds=["fraud", "corruption"], listing="debarred")
    stroy = make_entry(who, name="ТОО «Алатау Строй»", aliases=["Alatau Stroy LLP"], country="KZ",
                       grounds=["forced_labour"], listing="flagged")
    percent = make_entry(who, name="100% Pure_Trading Ltd", aliases=[], country="GB", grounds=["other"])
    assert _ids(client, who, q="societe generale") == [societe["id"]]
    assert _ids(client, who, q="SOCIÉTÉ") == [societe["id"]]
    assert _ids(client, who, q="sgc") == [societe["id"]]          # aliases too
    assert _ids(client, who, q="алатау строй") == [stroy["id"]]   # Cyrillic case folding
    assert _ids(client, who, q="STROY") == [stroy["id"]]
    assert _ids(client, who, q="%") == [percent["id"]]            # LIKE wildcards are literal
    assert _ids(client, who, q="_") == [percent["id"]]
    assert _ids(client, who, country="fr") == [societe["id"]]
    assert _ids(client, who, country="KZ") == [stroy["id"]]
    assert _ids(client, who, grounds="corruption") == [societe["id"]]
    assert _ids(client, who, grounds="fraud") == [societe["id"]]
    assert _ids(client, who, listing="flagged") == [stroy["id"]]
    assert set(_ids(client, who, listing="debarred")) == {societe["id"], percent["id"]}
    assert _ids(client, who, listing="debarred", country="GB") == [percent["id"]]
    assert _ids(client, who, q="nothing like it") == []
    other = actor("contributor")
    assert _ids(client, other) == []  # organisation filter


def test_updated_since(client: TestClient, actor: Callable[..., Actor], make_entry: MakeEntry) -> None:
    who = actor("contributor")
    older = make_entry(who)
    newer = make_entry(who)
    cut = newer["updated_at"]
    assert _ids(client, who, updated_since=cut) == [newer["id"]]
    assert _ids(client, who, updated_since="2000-01-01T00:00:00Z") == [older["id"], newer["id"]]
    assert _ids(client, who, updated_since="2999-01-01T00:00:00+05:00") == []
    # A changed entry counts as updated again.
    changed = client.patch(f"/v1/entries/{older['id']}", json={"name": "Changed Name LLP"},
                           headers={**who.headers, "If-Match": "*"}).json()
    assert _ids(client, who, updated_since=changed["updated_at"]) == [older["id"]]


def test_updated_since_without_offset_is_not_a_500(client: TestClient, actor: Callable[..., Actor],
                                                   make_entry: MakeEntry) -> None:
    who = actor("contributor")
    entry = make_entry(who)
    response = client.get("/v1/entries", params={"organisation": who.organisation,
                                                  "updated_since": "2000-01-01T00:00:00"}, headers=who.headers)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:  # read as UTC
        assert [item["id"] for item in response.json()["items"]] == [entry["id"]]


def test_bad_filter_values_are_422(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    for params in ({"status": "alive"}, {"listing": "x"}, {"grounds": "tax"}, {"country": "KAZ"}, {"limit": 0},
                   {"limit": 501}, {"limit": "ten"}, {"updated_since": "yesterday"}, {"q": ""},
                   {"limit": "99999999999999999999999999"}, {"updated_since": "2026-13-45T00:00:00Z"}):
        response = client.get("/v1/entries", params=params, headers=who.headers)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
