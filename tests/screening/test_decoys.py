"""No number of look-alike entries a caller may not see, or that are not in force, can hide a
listed firm from a screening (issue 15: 40 decoys made an exact-name screening return nothing)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.support import Actor, Harness, entry_body, unique_word

DECOYS = 60  # of each kind; more than the engine's shortlist of 40


def _bulk(client: TestClient, who: Actor, rows: list[dict[str, Any]]) -> list[str]:
    response = client.post("/v1/entries/bulk", json={"entries": rows}, headers=who.headers)
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()["results"]]


def _decoys(name: str, n: int, **overrides: Any) -> list[dict[str, Any]]:
    return [entry_body(name=name, aliases=[], identifiers=[], external_ref=f"decoy-{secrets.token_hex(6)}",
                       **overrides) for _ in range(n)]


def _matches(client: TestClient, who: Actor, name: str, **options: Any) -> list[str]:
    response = client.post("/v1/screen", headers=who.headers, json={
        "subjects": [{"ref": "bid", "name": name, "country": "KZ"}], **options})
    assert response.status_code == 200, response.text
    return [m["entry_id"] for m in response.json()["results"][0]["matches"]]


def test_hidden_and_inactive_decoys_do_not_push_out_a_visible_entry(
        client: TestClient, harness: Harness, actor: Callable[..., Actor]) -> None:
    _, word = unique_word()
    name = f"{word} Dorservis LLP"
    owner = actor("contributor")
    real = client.post("/v1/entries", json=entry_body(name=name, aliases=[], identifiers=[]),
                       headers=owner.headers)
    assert real.status_code == 201, real.text
    real_id = real.json()["id"]

    # Organisation B: decoys left awaiting four-eyes review, restricted to B, withdrawn, expired.
    reviewed_org = harness.new_org(requires_review=True)
    pending = actor("contributor", org=reviewed_org)
    _bulk(client, pending, _decoys(name, DECOYS))
    attacker = actor("contributor")
    _bulk(client, attacker, _decoys(name, DECOYS, visibility="restricted"))
    _bulk(client, attacker, _decoys(name, DECOYS, starts_on="2020-01-01", ends_on="2020-12-31"))
    for entry_id in _bulk(client, attacker, _decoys(name, DECOYS)):
        withdrawn = client.post(f"/v1/entries/{entry_id}/withdraw", json={"reason": "decoy"},
                                headers=attacker.headers)
        assert withdrawn.status_code == 200, withdrawn.text

    # The real entry is changed after the decoys exist (the case that hid it before).
    etag = client.get(f"/v1/entries/{real_id}", headers=owner.headers).headers["etag"]
    patched = client.patch(f"/v1/entries/{real_id}", json={"legal_basis": "Act, art. 13"},
                           headers={**owner.headers, "If-Match": etag})
    assert patched.status_code == 200, patched.text

    third = actor("screener")
    assert _matches(client, third, name, limit=1) == [real_id]
    assert _matches(client, third, name.upper().replace("LLP", "TOO"), limit=1) == [real_id]
    # With inactive entries asked for, the one in force still comes first.
    assert _matches(client, third, name, limit=1, include_inactive=True) == [real_id]
    assert _matches(client, third, name, limit=50, include_inactive=True)[0] == real_id
    # The owner of the restricted decoys still sees its own entries, and the real one.
    own = _matches(client, actor("screener", org=attacker.organisation), name, limit=50)
    assert real_id in own and len(own) > 1
