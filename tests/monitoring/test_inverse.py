"""The inverse search (service/monitoring/inverse.py): a run finds the watches a changed entry may
now match by searching the watched suppliers with the entry, never the list once per watch. A
watch that matched nothing before can only be found that way; the index follows additions,
changes and removals made through the API; and its lower shortlist threshold keeps the matches
the forward screening makes across scripts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from debarlist_match import Query
from service.monitoring.inverse import watch_index
from service.monitoring.runner import run_once
from tests.support import Actor, Harness, entry_body, unique_word


def _alerts(client: TestClient, who: Actor, harness: Harness, refs: set[str], wait: float = 20) -> list[dict[str, Any]]:
    deadline = time.monotonic() + wait
    while True:
        run_once(harness.app.state.session_factory, harness.app.state.lists)
        items = client.get("/v1/alerts", headers=who.headers, params={"limit": 500}).json()["items"]
        found = [a for a in items if a["ref"] in refs]
        if {a["ref"] for a in found} >= refs or time.monotonic() > deadline:
            return found


def _list(client: TestClient, who: Actor, **body: Any) -> str:
    created = client.post("/v1/entries", headers=who.headers, json=entry_body(aliases=[], identifiers=[], **body))
    assert created.status_code == 201, created.text
    entry_id: str = created.json()["id"]
    return entry_id


def test_a_new_entry_alerts_the_watch_it_matches_and_the_index_follows_the_watchlist(
        client: TestClient, harness: Harness, actor: Callable[..., Actor]) -> None:
    _, word = unique_word()
    _, other = unique_word()
    _, renamed = unique_word()
    screener, lister = actor("screener"), actor("contributor")
    bulk = client.post("/v1/watchlist/bulk", headers=screener.headers, json={"suppliers": [
        {"ref": "inv-new", "name": f"{word} Mining JSC", "country": "KZ"},
        {"ref": "inv-renamed", "name": f"{other} Mining JSC", "country": "KZ"},
        {"ref": "inv-removed", "name": f"{other} Logistics LLP", "country": "KZ"}]})
    assert bulk.status_code == 200, bulk.text
    watches = {w["ref"]: w for w in bulk.json()["results"]}
    # None of them matches anything: only a search of the watches with the new entry can find them.
    assert all(w["matches"] == [] for w in watches.values())
    run_once(harness.app.state.session_factory, harness.app.state.lists)  # the index holds all three now

    # Changed and removed after the index was built: it must follow both.
    changed = client.put(f"/v1/watchlist/{watches['inv-renamed']['id']}", headers=screener.headers,
                         json={"ref": "inv-renamed", "name": f"{renamed} Cement LLP", "country": "KZ"})
    assert changed.status_code == 200, changed.text
    assert client.delete(f"/v1/watchlist/{watches['inv-removed']['id']}",
                         headers=screener.headers).status_code == 204

    new_entry = _list(client, lister, name=f"{word} Mining JSC")
    renamed_entry = _list(client, lister, name=f"{renamed} Cement LLP")
    _list(client, lister, name=f"{other} Mining JSC")  # the renamed watch's old name
    _list(client, lister, name=f"{other} Logistics LLP")  # the removed watch's name

    found = _alerts(client, screener, harness, {"inv-new", "inv-renamed"})
    assert sorted((a["ref"], a["reason"], a["entry_id"]) for a in found) == [
        ("inv-new", "match_appeared", new_entry), ("inv-renamed", "match_appeared", renamed_entry)]
    assert _alerts(client, screener, harness, {"inv-removed"}, wait=0) == []
    # The removed watch has left the index; the renamed one is there under its new name only.
    index = watch_index(harness.app.state.lists)
    renamed_id, removed_id = watches["inv-renamed"]["id"], watches["inv-removed"]["id"]
    assert renamed_id in index.shortlist([Query(name=f"{renamed} Cement LLP", country="KZ")])
    assert renamed_id not in index.shortlist([Query(name=f"{other} Mining JSC", country="KZ")])
    assert removed_id not in index.shortlist([Query(name=f"{other} Logistics LLP", country="KZ")])


def test_a_transliterated_entry_alerts_the_latin_watch(
        client: TestClient, harness: Harness, actor: Callable[..., Actor]) -> None:
    # Watched "<Word> Stroy LLP", newly listed "ТОО «<Слово> Строй»" with no Latin alias: the
    # forward screening matches them (scripts, legal form); the shortlist must not lose it.
    cyrillic, latin = unique_word()
    screener = actor("screener")
    added = client.post("/v1/watchlist", headers=screener.headers,
                        json={"ref": "inv-translit", "name": f"{latin} Stroy LLP", "country": "KZ"})
    assert added.status_code == 201 and added.json()["matches"] == [], added.text
    entry_id = _list(client, actor("contributor"), name=f"ТОО «{cyrillic} Строй»")
    found = _alerts(client, screener, harness, {"inv-translit"})
    assert [(a["reason"], a["entry_id"]) for a in found] == [("match_appeared", entry_id)]
    assert found[0]["match"]["matched_name"] == f"ТОО «{cyrillic} Строй»"


def test_a_run_with_nobody_watching_counts_the_changes_without_loading_them(fresh_db: str, key_file: Any) -> None:
    # The first run after a bulk load with no watches: it used to load every changed entry inside its
    # writing transaction (100,000 entries held the write lock past every request's wait).
    from sqlalchemy import select

    from service.kernel.ledger import AuditRecord

    harness = Harness.start(fresh_db, key_file, monitoring_interval_seconds=0)
    try:
        contributor = harness.actor("contributor")
        for _ in range(3):
            name = unique_word()[1] + " Stroy"
            response = harness.client.post("/v1/entries", headers=contributor.headers,
                                           json=entry_body(name=name, aliases=[], identifiers=[]))
            assert response.status_code == 201, response.text
        assert len(watch_index(harness.app.state.lists)) == 0
        assert run_once(harness.app.state.session_factory, harness.app.state.lists) == 0
        with harness.app.state.session_factory() as session:
            runs = session.scalars(select(AuditRecord).where(AuditRecord.action == "monitoring.run")
                                   .order_by(AuditRecord.seq)).all()
        assert runs[-1].details["changed_entries"] == 3
        assert runs[-1].details["alerts"] == 0
        assert run_once(harness.app.state.session_factory, harness.app.state.lists) == 0  # caught up: no run
        with harness.app.state.session_factory() as session:
            again = session.scalars(select(AuditRecord).where(AuditRecord.action == "monitoring.run")).all()
        assert len(again) == len(runs)
    finally:
        harness.close()
