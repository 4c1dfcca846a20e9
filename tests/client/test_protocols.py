"""The Python client's yente and reconciliation methods (sync and async) against the live app."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from debarlist_client import AsyncClient, Client
from tests.support import Actor, entry_body, unique_word

ActorFactory = Callable[..., Actor]


def test_yente_and_reconciliation_methods(base_url: str, actor: ActorFactory) -> None:
    contributor = actor("contributor", "screener")
    _, latin = unique_word()
    with Client(base_url, contributor.client_id, contributor.client_secret) as client:
        entry = client.create_entry(entry_body(name=f"{latin} Stroy LLP", aliases=[]))
        answer = client.yente_match({"b": {"schema": "Company", "properties": {"name": [f"{latin} Stroy"]}}},
                                    limit=3, tender_ref="T-9")
        assert answer["responses"]["b"]["results"][0]["id"] == f"debarlist-{entry.id}"
        assert client.get_screening(answer["screening_id"]).tender_ref == "T-9"
        assert client.yente_algorithms()["best"]
        assert client.yente_catalog()["datasets"][0]["name"] == "default"
        assert client.yente_entity(f"debarlist-{entry.id}", nested=False)["caption"] == entry.name
        assert client.reconcile_manifest()["versions"] == ["0.2"]
        found = client.reconcile({"q": {"query": f"{latin} Stroy", "type": "Company"}})
        assert found["q"]["result"][0]["id"] == entry.id
        row = client.reconcile_extend([entry.id], ["listing", "appeal_status"])["rows"][entry.id]
        assert row == {"listing": [{"str": "debarred"}], "appeal_status": [{"str": "none"}]}
        assert client.reconcile_suggest("entity", latin)["result"][0]["id"] == entry.id
        assert latin in client.reconcile_preview(entry.id)
        assert client.reconcile_propose_properties("Company")["properties"]
        release = {"ocid": "ocds-t-1", "id": "1", "date": "2026-05-01T09:00:00Z", "tag": ["tender"],
                   "initiationType": "tender",
                   "parties": [{"id": "p", "name": f"{latin} Stroy", "roles": ["tenderer"]}]}
        tender = client.screen_ocds(release)["tenders"][0]
        assert tender["parties"][0]["matches"][0]["entry_id"] == entry.id

    async def scenario() -> None:
        async with AsyncClient(base_url, contributor.client_id, contributor.client_secret) as client:
            answer = await client.yente_match({"b": {"schema": "Company", "properties": {"name": f"{latin} Stroy"}}})
            assert answer["responses"]["b"]["results"][0]["id"] == f"debarlist-{entry.id}"
            assert (await client.yente_entity(entry.id))["id"] == f"debarlist-{entry.id}"
            assert (await client.yente_catalog())["current"]
            assert (await client.yente_algorithms())["default"]
            assert (await client.reconcile({"q": {"query": f"{latin} Stroy"}}))["q"]["result"][0]["id"] == entry.id
            assert (await client.reconcile_extend([entry.id], ["grounds"]))["rows"][entry.id]["grounds"]
            assert (await client.reconcile_suggest("type", "Comp"))["result"][0]["id"] == "Company"
            assert latin in await client.reconcile_preview(entry.id)
            assert (await client.reconcile_manifest())["name"] == "Debarlist"
            assert (await client.reconcile_propose_properties())["properties"]
            ocds = await client.screen_ocds({"ocid": "ocds-t-2", "id": "1", "date": "2026-05-01T09:00:00Z",
                                             "tag": ["tender"], "initiationType": "tender", "parties": [
                                                 {"id": "p", "name": f"{latin} Stroy", "roles": ["buyer"]}]},
                                            roles=["buyer"])
            assert ocds["tenders"][0]["parties"][0]["matches"][0]["entry_id"] == entry.id

    asyncio.run(scenario())
