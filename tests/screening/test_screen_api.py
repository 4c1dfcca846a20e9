"""Screening through the API: matches, as-of rules, visibility, receipts and freshness."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.support import Actor, entry_body, unique_word


def _screen(client: TestClient, who: Actor, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/screen", json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _ids(result: dict[str, Any], index: int = 0) -> list[str]:
    return [m["entry_id"] for m in result["results"][index]["matches"]]


def test_native_script_and_transliteration_match_and_generic_words_do_not(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    cyrillic, latin = unique_word()
    listed = client.post("/v1/entries", json=entry_body(name=f"ТОО «{cyrillic} Строй»", aliases=[]),
                         headers=contributor.headers).json()
    other, other_latin = unique_word()
    client.post("/v1/entries", json=entry_body(name=f"ТОО «{other} Строй»", aliases=[]),
                headers=contributor.headers)
    screener = actor("screener")
    result = _screen(client, screener, tender_ref="KZ-2026-0042", subjects=[
        {"ref": "bid-1", "name": f"{latin} Stroy LLP", "country": "KZ"},
        {"ref": "bid-2", "name": f"{other_latin} Stroy LLP", "country": "KZ"},
        {"ref": "bid-3", "name": f"{latin.upper()} STROI TOO"},
    ])
    assert listed["id"] in _ids(result, 0)
    assert listed["id"] not in _ids(result, 1)
    assert listed["id"] in _ids(result, 2)
    match = result["results"][0]["matches"][0]
    assert 0 < match["score"] <= 1 and match["score"] >= result["threshold"]
    assert match["entry"]["organisation"] == contributor.organisation
    assert match["entry"]["decision_ref"] == "MF-2026/117"
    assert match["entry"]["appeal_status"] == "none"
    assert match["explanation"]


def test_as_of_rules_and_include_inactive(client: TestClient, actor: Callable[..., Actor]) -> None:
    _, word = unique_word()
    contributor = actor("contributor")
    entry = client.post("/v1/entries", json=entry_body(
        name=f"{word} Agro Export LLP", aliases=[], identifiers=[],
        starts_on="2026-01-01", ends_on="2026-06-30"), headers=contributor.headers).json()
    screener = actor("screener")
    subject = {"ref": "b", "name": f"{word} Agro Export LLP", "country": "KZ"}
    assert entry["id"] in _ids(_screen(client, screener, subjects=[subject], as_of="2026-06-30"))
    assert entry["id"] not in _ids(_screen(client, screener, subjects=[subject], as_of="2026-07-01"))
    assert entry["id"] not in _ids(_screen(client, screener, subjects=[subject], as_of="2025-12-31"))
    late = _screen(client, screener, subjects=[subject], as_of="2026-07-01", include_inactive=True)
    found = [m for m in late["results"][0]["matches"] if m["entry_id"] == entry["id"]]
    assert found and found[0]["entry"]["status"] == "expired" and found[0]["entry"]["in_force"] is False


def test_withdrawn_entry_stops_matching_at_once(client: TestClient, actor: Callable[..., Actor]) -> None:
    _, word = unique_word()
    contributor = actor("contributor")
    created = client.post("/v1/entries", json=entry_body(name=f"{word} Textile Mills JSC", aliases=[],
                                                         identifiers=[]), headers=contributor.headers)
    entry = created.json()
    screener = actor("screener")
    subject = {"ref": "b", "name": f"{word} Textile Mills", "country": "KZ"}
    assert entry["id"] in _ids(_screen(client, screener, subjects=[subject]))
    withdrawn = client.post(f"/v1/entries/{entry['id']}/withdraw", json={"reason": "annulled on appeal"},
                            headers=contributor.headers)
    assert withdrawn.status_code == 200
    assert entry["id"] not in _ids(_screen(client, screener, subjects=[subject]))


def test_restricted_entries_only_match_for_their_own_organisation(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    _, word = unique_word()
    contributor = actor("contributor")
    entry = client.post("/v1/entries", json=entry_body(name=f"{word} Steel Forge LLP", aliases=[],
                                                       identifiers=[], visibility="restricted"),
                        headers=contributor.headers).json()
    subject = {"ref": "b", "name": f"{word} Steel Forge LLP"}
    own = actor("screener", org=contributor.organisation)
    other = actor("screener")
    assert entry["id"] in _ids(_screen(client, own, subjects=[subject]))
    assert entry["id"] not in _ids(_screen(client, other, subjects=[subject]))


def test_receipt_is_kept_and_readable_by_own_org_and_auditors(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    result = _screen(client, screener, subjects=[{"ref": "x", "name": "Somebody Trading LLC"}],
                     tender_ref="T-1")
    path = f"/v1/screenings/{result['screening_id']}"
    mine = client.get(path, headers=screener.headers)
    assert mine.status_code == 200
    assert mine.json()["request"]["subjects"][0]["name"] == "Somebody Trading LLC"
    assert mine.json()["tender_ref"] == "T-1"
    assert mine.json()["results"] == result["results"]
    colleague = actor("screener", org=screener.organisation)
    assert client.get(path, headers=colleague.headers).status_code == 200
    assert client.get(path, headers=actor("auditor").headers).status_code == 200
    assert client.get(path, headers=actor("screener").headers).status_code == 404
    assert client.get(path, headers=actor("contributor", org=screener.organisation).headers).status_code == 403


def test_batch_limits(client: TestClient, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    subjects = [{"ref": f"b{i}", "name": f"Bidder {i} Construction LLC"} for i in range(1001)]
    too_many = client.post("/v1/screen", json={"subjects": subjects}, headers=screener.headers)
    assert too_many.status_code == 422
    assert too_many.headers["content-type"].startswith("application/problem+json")
    assert client.post("/v1/screen", json={"subjects": []}, headers=screener.headers).status_code == 422
    full = _screen(client, screener, subjects=subjects[:1000])
    assert len(full["results"]) == 1000


def test_auditors_may_not_screen(client: TestClient, actor: Callable[..., Actor]) -> None:
    response = client.post("/v1/screen", json={"subjects": [{"ref": "a", "name": "A"}]},
                           headers=actor("auditor").headers)
    assert response.status_code == 403


def test_a_second_instance_sees_writes_made_through_the_first(
        harness: Any, db_url: str, key_file: Any, actor: Callable[..., Actor]) -> None:
    from tests.support import Harness

    _, word = unique_word()
    other = Harness.start(db_url, key_file)
    try:
        contributor = actor("contributor")
        screener = actor("screener")
        subject = {"ref": "b", "name": f"{word} Cotton Gin LLP", "country": "KZ"}
        # Both instances have built their index before the write.
        before = other.client.post("/v1/screen", json={"subjects": [subject]}, headers=screener.headers)
        assert before.status_code == 200 and before.json()["results"][0]["matches"] == []
        entry = harness.client.post("/v1/entries", json=entry_body(
            name=f"{word} Cotton Gin LLP", aliases=[], identifiers=[]), headers=contributor.headers).json()
        after = other.client.post("/v1/screen", json={"subjects": [subject]}, headers=screener.headers).json()
        assert entry["id"] in [m["entry_id"] for m in after["results"][0]["matches"]]
        assert after["list_revision"] >= entry["revision"]
        # And a change (withdrawal) through the second instance reaches the first.
        etag = harness.client.get(f"/v1/entries/{entry['id']}", headers=contributor.headers).headers["etag"]
        withdrawn = other.client.post(f"/v1/entries/{entry['id']}/withdraw", json={"reason": "listed in error"},
                                      headers={**contributor.headers, "If-Match": etag})
        assert withdrawn.status_code == 200
        again = harness.client.post("/v1/screen", json={"subjects": [subject]}, headers=screener.headers).json()
        assert entry["id"] not in [m["entry_id"] for m in again["results"][0]["matches"]]
    finally:
        other.close()
