"""The Python client's monitoring methods (sync and async) against the live app."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from debarlist_client import AsyncClient, Client
from tests.support import Actor, entry_body, unique_word


def _first_alert(client: Client, ref: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20  # the app's monitoring loop raises it within a second or two
    while True:
        found = [a for a in client.list_alerts(status="new", limit=500)["items"] if a["ref"] == ref]
        if found or time.monotonic() > deadline:
            assert found, "no alert"
            return found[0]
        time.sleep(0.1)


def test_monitoring_methods(base_url: str, actor: Callable[..., Actor]) -> None:
    _, word = unique_word()
    name = f"{word} Transit LLP"
    screener, contributor = actor("screener"), actor("contributor")
    with Client(base_url, screener.client_id, screener.client_secret) as client, \
            Client(base_url, contributor.client_id, contributor.client_secret) as lister:
        watched = client.watch_supplier({"ref": "c-1", "name": name, "contract_ref": "C-9"})
        other = client.watch_suppliers([{"ref": "c-2", "name": f"{word} Other"}])["results"][0]
        assert [w["ref"] for w in client.list_watchlist(limit=10)["items"]] == ["c-1", "c-2"]
        assert client.get_watched_supplier(watched["id"])["contract_ref"] == "C-9"
        assert client.replace_watched_supplier(watched["id"], {"ref": "c-1", "name": name})["contract_ref"] is None
        entry = lister.create_entry(entry_body(name=name, aliases=[], identifiers=[]))
        alert = _first_alert(client, "c-1")
        assert alert["entry_id"] == entry.id and client.get_alert(alert["id"])["reason"] == "match_appeared"
        assert client.acknowledge_alert(alert["id"])["status"] == "acknowledged"
        decided = client.decide_alert(alert["id"], {"decision": "false_positive", "note": "other firm"})
        screening = client.screen([{"ref": "b", "name": name}])
        confirmed = client.decide_screening_match(screening.screening_id, {
            "ref": "b", "entry_id": entry.id, "decision": "confirmed", "note": "same"})
        shown = client.get_screening(screening.screening_id).results[0].matches[0].decision
        assert shown is not None and shown.id == confirmed["id"] and shown.decision == "confirmed"
        assert [d["id"] for d in client.decision_history(decided["id"])] == [decided["id"], confirmed["id"]]
        assert client.reverse_decision(confirmed["id"])["reversed_at"]
        client.unwatch_supplier(other["id"])  # c-1 stays: its alert is decided again below

    async def scenario() -> None:
        async with AsyncClient(base_url, screener.client_id, screener.client_secret) as aclient:
            added = await aclient.watch_supplier({"ref": "a-1", "name": f"{word} Async"})
            added2 = (await aclient.watch_suppliers([{"ref": "a-2", "name": f"{word} Async Two"}]))["results"][0]
            assert (await aclient.get_watched_supplier(added["id"]))["ref"] == "a-1"
            assert (await aclient.replace_watched_supplier(added2["id"], {"ref": "a-3", "name": "X"}))["ref"] == "a-3"
            assert "a-1" in [w["ref"] for w in (await aclient.list_watchlist(limit=500))["items"]]
            alerts = (await aclient.list_alerts(limit=500))["items"]
            one = alerts[0]
            assert (await aclient.get_alert(one["id"]))["id"] == one["id"]
            assert (await aclient.acknowledge_alert(one["id"]))["status"] == "acknowledged"
            decided = await aclient.decide_alert(one["id"], {"decision": "confirmed", "note": "checked"})
            assert len(await aclient.decision_history(decided["id"])) >= 1
            screening = await aclient.screen([{"ref": "b", "name": name}])
            confirmed = await aclient.decide_screening_match(screening.screening_id, {
                "ref": "b", "entry_id": one["entry_id"], "decision": "false_positive", "note": "other"})
            assert (await aclient.reverse_decision(confirmed["id"]))["reversed_by"] == screener.client_id
            await aclient.unwatch_supplier(added["id"])

    asyncio.run(scenario())
