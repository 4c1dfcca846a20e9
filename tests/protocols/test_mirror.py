"""The yente-format data catalog: a mirror loads entities.ftm.json and follows the deltas."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.exchange.ftm_check import assert_valid_ftm
from tests.support import Actor, Harness, entry_body, unique_word


def _lines(client: TestClient, who: Actor, url: str) -> list[dict[str, Any]]:
    response = client.get(url, headers=who.headers)
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def _ours(entities: dict[str, dict[str, Any]], entry_ids: set[str]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in entities.items() if any(k.startswith(f"debarlist-{i}") for i in entry_ids)}


def test_a_mirror_follows_the_deltas_to_the_export(own: Harness) -> None:
    client, actor = own.client, own.actor
    contributor = actor("contributor")
    _, latin = unique_word()
    first = client.post("/v1/entries", json=entry_body(name=f"{latin} One"), headers=contributor.headers)
    reader = actor("screener")
    index = client.get("/catalog/index.json", headers=reader.headers).json()
    dataset = index["datasets"][0]
    assert dataset["name"] == "default" and dataset["resources"][0]["name"] == "entities.ftm.json"
    base_version = dataset["version"]
    mirror = {e["id"]: e for e in _lines(client, reader, dataset["entities_url"])}
    assert f"debarlist-{first.json()['id']}" in mirror

    second = client.post("/v1/entries", json=entry_body(name=f"{latin} Two"), headers=contributor.headers).json()
    changed = client.patch(f"/v1/entries/{first.json()['id']}", json={"ends_on": "2029-03-14"},
                           headers={**contributor.headers, "If-Match": first.headers["etag"]})
    assert changed.status_code == 200, changed.text
    gone = client.post(f"/v1/entries/{second['id']}/withdraw", json={"reason": "annulled"},
                       headers=contributor.headers)
    assert gone.status_code == 200, gone.text

    deltas = client.get(dataset["delta_url"], headers=reader.headers).json()["versions"]
    newer = sorted(v for v in deltas if v > base_version)
    assert len(newer) >= 3
    seen_ops = set()
    for v in newer:
        ops = _lines(client, reader, deltas[v])
        assert_valid_ftm([op["entity"] for op in ops if op["op"] != "DEL"] or [])
        for op in ops:
            seen_ops.add(op["op"])
            if op["op"] == "DEL":
                mirror.pop(op["entity"]["id"], None)
            else:
                mirror[op["entity"]["id"]] = op["entity"]
    assert {"ADD", "MOD", "DEL"} <= seen_ops
    ids = {first.json()["id"], second["id"]}
    export = {e["id"]: e for e in _lines(client, reader, "/v1/export/ftm")}
    assert _ours(mirror, ids) == _ours(export, ids)
    assert f"debarlist-{second['id']}" not in mirror
    assert "2029-03-14" in mirror[f"debarlist-{first.json()['id']}-sanction"]["properties"]["endDate"]


def test_restricted_entries_stay_out_of_the_mirror(own: Harness) -> None:
    client, actor = own.client, own.actor
    owner = actor("contributor")
    _, latin = unique_word()
    hidden = client.post("/v1/entries", json=entry_body(name=f"{latin} Hidden", visibility="restricted"),
                         headers=owner.headers).json()
    stranger = actor("screener")
    sid = f"debarlist-{hidden['id']}"
    assert sid not in {e["id"] for e in _lines(client, stranger, "/catalog/entities.ftm.json")}
    deltas = client.get("/catalog/delta.json", headers=stranger.headers).json()["versions"]
    for url in list(deltas.values())[-20:]:
        assert all(not op["entity"]["id"].startswith(sid) for op in _lines(client, stranger, url))
    assert client.get("/catalog/index.json").status_code == 401
    assert client.get("/catalog/entities.delta.json", params={"version": "x"},
                      headers=stranger.headers).status_code == 422
