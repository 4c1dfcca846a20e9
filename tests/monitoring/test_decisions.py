"""Decisions on matches (issue 10): from an alert or a receipt, by its organisation's screeners
only; superseded and reversed decisions stay in the history; a new entry revision is alerted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.monitoring.test_alerts import _alerts
from tests.support import Actor, Harness, entry_body, unique_word


def test_decide_on_an_alert_and_a_receipt_reverse_and_keep_history(
        client: TestClient, harness: Harness, actor: Callable[..., Actor]) -> None:
    _, word = unique_word()
    name = f"{word} Gidro LLP"
    screener, stranger, auditor = actor("screener"), actor("screener"), actor("auditor")
    client.post("/v1/watchlist", headers=screener.headers, json={"ref": "sup-d", "name": name})
    owner = actor("contributor")
    entry_id = client.post("/v1/entries", json=entry_body(name=name, aliases=[], identifiers=[]),
                           headers=owner.headers).json()["id"]
    alert = _alerts(client, screener, "sup-d", 1, harness)[0]

    refused = client.post(f"/v1/alerts/{alert['id']}/decision", headers=screener.headers,
                          json={"decision": "false_positive"})
    assert refused.status_code == 422, refused.text  # a false positive needs its reason
    for who, status in [(stranger, 404), (auditor, 403)]:
        attempt = client.post(f"/v1/alerts/{alert['id']}/decision", headers=who.headers,
                              json={"decision": "false_positive", "note": "not ours"})
        assert attempt.status_code == status, attempt.text

    fp = client.post(f"/v1/alerts/{alert['id']}/decision", headers=screener.headers,
                     json={"decision": "false_positive", "note": "Different firm, other BIN"})
    assert fp.status_code == 201, fp.text
    assert fp.json()["entry_id"] == entry_id and fp.json()["source"] == "alert"

    # The same supplier screened later: its match can be decided from the receipt too.
    screening = client.post("/v1/screen", headers=screener.headers,
                            json={"subjects": [{"ref": "bid-1", "name": name}]}).json()
    body = {"ref": "bid-1", "entry_id": entry_id, "decision": "confirmed", "note": "Same BIN",
            "action": "Contract suspended"}
    assert client.post(f"/v1/screenings/{screening['screening_id']}/decisions", headers=stranger.headers,
                       json=body).status_code == 404
    missing = client.post(f"/v1/screenings/{screening['screening_id']}/decisions", headers=screener.headers,
                          json={**body, "ref": "nobody"})
    assert missing.status_code == 404, missing.text
    confirmed = client.post(f"/v1/screenings/{screening['screening_id']}/decisions", headers=screener.headers,
                            json=body)
    assert confirmed.status_code == 201, confirmed.text

    history = client.get(f"/v1/decisions/{confirmed.json()['id']}/history", headers=screener.headers).json()
    assert [(d["decision"], d["reversed_at"] is not None) for d in history] == [
        ("false_positive", True), ("confirmed", False)]
    assert client.get(f"/v1/decisions/{fp.json()['id']}/history", headers=stranger.headers).status_code == 404
    reversed_ = client.post(f"/v1/decisions/{confirmed.json()['id']}/reverse", headers=screener.headers)
    assert reversed_.status_code == 200 and reversed_.json()["reversed_by"] == screener.client_id
    again = client.post(f"/v1/decisions/{confirmed.json()['id']}/reverse", headers=screener.headers)
    assert again.status_code == 409, again.text
    audit = client.get("/v1/audit", headers=auditor.headers, params={"action": "match.decide"})
    assert audit.status_code == 200, audit.text

    # A false positive covers the entry revision it was decided on: a later change is alerted.
    client.post(f"/v1/alerts/{alert['id']}/decision", headers=screener.headers,
                json={"decision": "false_positive", "note": "Different firm"})
    etag = client.get(f"/v1/entries/{entry_id}", headers=owner.headers).headers["etag"]
    assert client.patch(f"/v1/entries/{entry_id}", json={"listing": "flagged"},
                        headers={**owner.headers, "If-Match": etag}).status_code == 200
    assert [a["reason"] for a in _alerts(client, screener, "sup-d", 2, harness)] == [
        "match_appeared", "match_changed"]


def test_later_screenings_and_the_receipt_show_the_decision_beside_the_match(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    """A decided false positive is shown, not hidden: the match stays, with the decision and
    whether the entry changed since; another organisation sees no decision of ours."""
    _, word = unique_word()
    name = f"{word} Montazh LLP"
    screener, stranger, owner = actor("screener"), actor("screener"), actor("contributor")
    entry = client.post("/v1/entries", json=entry_body(name=name, aliases=[], identifiers=[]),
                        headers=owner.headers).json()
    subject = {"subjects": [{"ref": "bid-1", "name": name, "country": "KZ"}]}

    def screen(who: Actor) -> dict[str, Any]:
        response = client.post("/v1/screen", headers=who.headers, json=subject)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def match_of(result: dict[str, Any]) -> dict[str, Any]:
        return next(m for m in result["results"][0]["matches"] if m["entry_id"] == entry["id"])

    first = screen(screener)
    assert match_of(first)["decision"] is None
    decided = client.post(f"/v1/screenings/{first['screening_id']}/decisions", headers=screener.headers,
                          json={"ref": "bid-1", "entry_id": entry["id"], "decision": "false_positive",
                                "note": "Different firm, other BIN"})
    assert decided.status_code == 201, decided.text

    shown = match_of(screen(screener))["decision"]
    assert shown["id"] == decided.json()["id"] and shown["decision"] == "false_positive"
    assert shown["note"] == "Different firm, other BIN" and shown["current"] is True
    receipt = client.get(f"/v1/screenings/{first['screening_id']}", headers=screener.headers)
    assert receipt.status_code == 200, receipt.text
    assert match_of(receipt.json())["decision"]["id"] == decided.json()["id"]
    assert match_of(screen(stranger))["decision"] is None  # decisions are the organisation's own

    changed = client.patch(f"/v1/entries/{entry['id']}", json={"aliases": [f"{word} Montazh"]},
                           headers={**owner.headers, "If-Match": "*"})
    assert changed.status_code == 200, changed.text
    assert match_of(screen(screener))["decision"]["current"] is False  # decided on an older revision

    reversed_ = client.post(f"/v1/decisions/{decided.json()['id']}/reverse", headers=screener.headers)
    assert reversed_.status_code == 200, reversed_.text
    assert match_of(screen(screener))["decision"] is None
