"""Watchlist (issue 10): add screens at once, bulk, paging, change, removal, organisations apart."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.support import Actor, entry_body, unique_word


def _listed(client: TestClient, actor: Callable[..., Actor]) -> tuple[str, str]:
    _, word = unique_word()
    name = f"{word} Montazh LLP"
    created = client.post("/v1/entries", json=entry_body(name=name, aliases=[], identifiers=[]),
                          headers=actor("contributor").headers)
    assert created.status_code == 201, created.text
    return name, created.json()["id"]


def test_adding_a_supplier_screens_it_at_once_and_only_its_organisation_sees_it(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    name, entry_id = _listed(client, actor)
    screener = actor("screener")
    added = client.post("/v1/watchlist", headers=screener.headers, json={
        "ref": "sup-1", "name": name, "country": "KZ", "contract_ref": "C-1", "watch_until": "2029-12-31"})
    assert added.status_code == 201, added.text
    body = added.json()
    assert [m["entry_id"] for m in body["matches"]] == [entry_id]
    assert body["list_revision"] >= 1 and body["contract_ref"] == "C-1"
    assert added.headers["location"] == f"/v1/watchlist/{body['id']}"
    # The same match as a screening of the same subject: one rule, one place.
    screened = client.post("/v1/screen", headers=screener.headers,
                           json={"subjects": [{"ref": "x", "name": name, "country": "KZ"}]}).json()
    assert screened["results"][0]["matches"][0]["score"] == body["matches"][0]["score"]

    again = client.post("/v1/watchlist", headers=screener.headers, json={"ref": "sup-1", "name": name})
    assert again.status_code == 409, again.text

    stranger = actor("screener")
    for method, kwargs in [("GET", {}), ("DELETE", {}),
                           ("PUT", {"json": {"ref": "sup-1", "name": "Other"}})]:
        seen = client.request(method, f"/v1/watchlist/{body['id']}", headers=stranger.headers, **kwargs)
        assert seen.status_code == 404, (method, seen.text)
    assert client.get("/v1/watchlist", headers=stranger.headers).json()["items"] == []
    assert client.get(f"/v1/watchlist/{body['id']}", headers=screener.headers).json()["ref"] == "sup-1"
    # Auditors and contributors do not manage watchlists.
    assert client.get("/v1/watchlist", headers=actor("contributor").headers).status_code == 403


def test_bulk_add_pages_and_change_and_removal(client: TestClient, actor: Callable[..., Actor]) -> None:
    name, entry_id = _listed(client, actor)
    screener = actor("screener")
    suppliers = [{"ref": f"s-{i}", "name": f"Plain Supplier {i}"} for i in range(7)]
    bulk = client.post("/v1/watchlist/bulk", headers=screener.headers, json={"suppliers": suppliers})
    assert bulk.status_code == 200, bulk.text
    assert [r["ref"] for r in bulk.json()["results"]] == [s["ref"] for s in suppliers]

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/watchlist", headers=screener.headers, params=params)
        assert page.status_code == 200, page.text
        seen += [i["ref"] for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [s["ref"] for s in suppliers]

    watch_id = bulk.json()["results"][0]["id"]
    assert bulk.json()["results"][0]["matches"] == []
    changed = client.put(f"/v1/watchlist/{watch_id}", headers=screener.headers,
                         json={"ref": "s-0", "name": name, "country": "KZ"})
    assert changed.status_code == 200, changed.text
    assert [m["entry_id"] for m in changed.json()["matches"]] == [entry_id]
    clash = client.put(f"/v1/watchlist/{watch_id}", headers=screener.headers, json={"ref": "s-1", "name": name})
    assert clash.status_code == 409, clash.text

    assert client.delete(f"/v1/watchlist/{watch_id}", headers=screener.headers).status_code == 204
    assert client.get(f"/v1/watchlist/{watch_id}", headers=screener.headers).status_code == 404


def test_bad_requests_are_refused(client: TestClient, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    for body in [{"ref": "a"}, {"ref": "a", "name": "N", "extra": 1}, {"ref": "a", "name": "N", "country": "XX"},
                 {"ref": "a", "name": "N", "watch_until": "soon"}]:
        assert client.post("/v1/watchlist", headers=screener.headers, json=body).status_code == 422, body
    dupes = {"suppliers": [{"ref": "a", "name": "N"}, {"ref": "a", "name": "M"}]}
    assert client.post("/v1/watchlist/bulk", headers=screener.headers, json=dupes).status_code == 422
    too_many = {"suppliers": [{"ref": f"r{i}", "name": "N"} for i in range(1001)]}
    assert client.post("/v1/watchlist/bulk", headers=screener.headers, json=too_many).status_code == 422
    assert client.get("/v1/watchlist?cursor=nonsense", headers=screener.headers).status_code == 400
