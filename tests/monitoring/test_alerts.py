"""Alerts (issue 10): re-screening follows the list revision; a match appearing, changing or
disappearing is alerted once, to its organisation only, whatever number of runs race."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from service.monitoring.runner import run_once
from tests.support import Actor, Harness, entry_body, unique_word


def _alerts(client: TestClient, who: Actor, ref: str, count: int, harness: Harness,
            wait: float = 20) -> list[dict[str, Any]]:
    """Poll (running the monitor too, so the test needs no loop tick) until ``count`` alerts for ``ref``."""
    deadline = time.monotonic() + wait
    while True:
        run_once(harness.app.state.session_factory, harness.app.state.lists)
        page = client.get("/v1/alerts", headers=who.headers, params={"limit": 500})
        assert page.status_code == 200, page.text
        found = [a for a in page.json()["items"] if a["ref"] == ref]
        if len(found) >= count or time.monotonic() > deadline:
            return found


def test_listing_changing_and_withdrawing_are_each_alerted_once(
        client: TestClient, harness: Harness, actor: Callable[..., Actor]) -> None:
    _, word = unique_word()
    name = f"{word} Energo LLP"
    screener, stranger = actor("screener"), actor("screener")
    added = client.post("/v1/watchlist", headers=screener.headers, json={"ref": "sup-a", "name": name})
    assert added.status_code == 201 and added.json()["matches"] == [], added.text
    client.post("/v1/watchlist", headers=stranger.headers, json={"ref": "sup-a", "name": f"{word} Other Firm"})

    owner = actor("contributor")
    created = client.post("/v1/entries", json=entry_body(name=name, aliases=[], identifiers=[]),
                          headers=owner.headers)
    assert created.status_code == 201, created.text
    entry_id = created.json()["id"]

    appeared = _alerts(client, screener, "sup-a", 1, harness)
    assert [(a["reason"], a["entry_id"]) for a in appeared] == [("match_appeared", entry_id)]
    alert = appeared[0]
    assert alert["match"]["entry"]["appeal_status"] == "none"
    assert alert["match"]["entry"]["listing"] == "debarred" and alert["match"]["explanation"]
    assert alert["list_revision"] >= created.json()["revision"]

    etag = client.get(f"/v1/entries/{entry_id}", headers=owner.headers).headers["etag"]
    patched = client.patch(f"/v1/entries/{entry_id}", json={"listing": "flagged"},
                           headers={**owner.headers, "If-Match": etag})
    assert patched.status_code == 200, patched.text
    changed = _alerts(client, screener, "sup-a", 2, harness)
    assert [(a["reason"], a["changes"]) for a in changed[1:]] == [("match_changed", ["listing"])]

    # A change that does not alter the match materially raises nothing.
    etag = client.get(f"/v1/entries/{entry_id}", headers=owner.headers).headers["etag"]
    assert client.patch(f"/v1/entries/{entry_id}", json={"legal_basis": "Act, art. 13"},
                        headers={**owner.headers, "If-Match": etag}).status_code == 200
    withdrawn = client.post(f"/v1/entries/{entry_id}/withdraw", json={"reason": "error"}, headers=owner.headers)
    assert withdrawn.status_code == 200, withdrawn.text
    gone = _alerts(client, screener, "sup-a", 3, harness)
    assert [a["reason"] for a in gone] == ["match_appeared", "match_changed", "match_disappeared"]
    assert len(_alerts(client, screener, "sup-a", 4, harness, wait=0)) == 3  # nothing alerted twice

    # Another organisation neither sees nor acknowledges them.
    assert _alerts(client, stranger, "sup-a", 1, harness, wait=0) == []
    assert client.get(f"/v1/alerts/{alert['id']}", headers=stranger.headers).status_code == 404
    assert client.post(f"/v1/alerts/{alert['id']}/acknowledge", headers=stranger.headers).status_code == 404

    acked = client.post(f"/v1/alerts/{alert['id']}/acknowledge", headers=screener.headers)
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged", acked.text
    fresh = client.get("/v1/alerts", headers=screener.headers, params={"status": "new", "limit": 500}).json()
    assert alert["id"] not in [a["id"] for a in fresh["items"]]
    since = client.get("/v1/alerts", headers=screener.headers, params={"since": "9999-01-01T00:00:00Z"})
    assert since.status_code == 200 and since.json()["items"] == []


def test_racing_runs_alert_a_change_once(client: TestClient, harness: Harness,
                                          actor: Callable[..., Actor]) -> None:
    _, word = unique_word()
    screener = actor("screener")
    names = [f"{word} Race {i} LLP" for i in range(5)]
    client.post("/v1/watchlist/bulk", headers=screener.headers,
                json={"suppliers": [{"ref": f"r{i}", "name": n} for i, n in enumerate(names)]})
    bulk = client.post("/v1/entries/bulk", headers=actor("contributor").headers, json={
        "entries": [entry_body(name=n, aliases=[], identifiers=[]) for n in names]})
    assert bulk.status_code == 200, bulk.text
    errors: list[BaseException] = []

    def run() -> None:
        try:
            run_once(harness.app.state.session_factory, harness.app.state.lists)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for i in range(5):
        assert [a["reason"] for a in _alerts(client, screener, f"r{i}", 2, harness, wait=0)] == ["match_appeared"]
