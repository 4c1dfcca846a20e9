"""The Python client's webhook methods (sync and async) against the live app: an endpoint
receiving a real, signed decision event on a loopback receiver, its log, redelivery."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from debarlist_client import AsyncClient, Client
from debarlist_client.errors import ApiError
from tests.support import ISSUED, Harness, entry_body, live_server, unique_word
from tests.webhooks.support import Receiver, shared_worker_paused, start_hooks_harness, wait_for, worker


@pytest.fixture(scope="module")
def hooks(db_url: str, key_file: Path, harness: Harness) -> Iterator[Harness]:
    with shared_worker_paused(harness):
        h = start_hooks_harness(db_url, key_file)
        yield h
        h.close()


@pytest.fixture(scope="module")
def hooks_url(hooks: Harness) -> Iterator[str]:
    with live_server(hooks.app) as url:
        yield url


def test_webhook_methods(hooks: Harness, hooks_url: str) -> None:
    screener, contributor = hooks.actor("screener"), hooks.actor("contributor")
    receiver = Receiver().start()
    _, word = unique_word()
    name = f"{word} Freight LLP"
    try:
        with Client(hooks_url, screener.client_id, screener.client_secret) as client, \
                Client(hooks_url, contributor.client_id, contributor.client_secret) as lister, worker(hooks):
            created = client.create_webhook({"url": receiver.url, "event_types": ["match.decided"]})
            ISSUED.add(created["secret"])
            assert client.get_webhook(created["id"])["url"] == receiver.url and "secret" not in client.get_webhook(
                created["id"])
            assert created["id"] in [e["id"] for e in client.list_webhooks()["items"]]
            assert client.update_webhook(created["id"], {"description": "ERP"})["description"] == "ERP"
            rotated = client.rotate_webhook_secret(created["id"])["secret"]
            ISSUED.add(rotated)

            entry = lister.create_entry(entry_body(name=name, aliases=[], identifiers=[]))
            screening = client.screen([{"ref": "b", "name": name}])
            decided = client.decide_screening_match(screening.screening_id, {
                "ref": "b", "entry_id": entry.id, "decision": "false_positive", "note": "another firm"})
            got = wait_for(receiver.bodies, message="the decision's delivery")[0]
            assert Webhook(rotated).verify(got.body, got.headers)["data"]["id"] == decided["id"]
            log = wait_for(lambda: client.list_webhook_deliveries(created["id"], state="delivered")["items"],
                           message="delivered log")
            assert log[0]["webhook_id"] == got.webhook_id and log[0]["event_type"] == "match.decided"
            again = client.redeliver_webhook(created["id"], log[0]["id"])
            assert again["state"] == "pending"
            repeat = wait_for(lambda: receiver.bodies()[1:], message="redelivery")[0]
            assert repeat.webhook_id == got.webhook_id and json.loads(repeat.body)["data"]["id"] == decided["id"]
            client.delete_webhook(created["id"])
            with pytest.raises(ApiError) as gone:
                client.get_webhook(created["id"])
            assert gone.value.status == 404
    finally:
        receiver.stop()

    async def scenario() -> None:
        async with AsyncClient(hooks_url, screener.client_id, screener.client_secret) as aclient:
            made = await aclient.create_webhook({"url": "http://127.0.0.1:9/hook", "event_types": ["alert.raised"]})
            ISSUED.add(made["secret"])
            assert (await aclient.get_webhook(made["id"]))["enabled"] is True
            assert made["id"] in [e["id"] for e in (await aclient.list_webhooks())["items"]]
            assert (await aclient.update_webhook(made["id"], {"enabled": False}))["enabled"] is False
            ISSUED.add((await aclient.rotate_webhook_secret(made["id"]))["secret"])
            assert (await aclient.list_webhook_deliveries(made["id"], limit=5))["items"] == []
            with pytest.raises(ApiError) as missing:
                await aclient.redeliver_webhook(made["id"], "00000000-0000-0000-0000-000000000000")
            assert missing.value.status == 404
            await aclient.delete_webhook(made["id"])

    asyncio.run(scenario())

