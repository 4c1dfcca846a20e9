"""Every request's cost bound is in the document, and a request over it is refused before any work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from service.openapi_export import build
from service.screening.schemas import MAX_SCREEN_CHARACTERS, MAX_SCREEN_NAMES
from tests.support import Actor


def _subjects(count: int, aliases: int = 0, length: int = 20) -> list[dict[str, Any]]:
    return [{"ref": f"b{i}", "name": ("N" * length)[:length], "aliases": ["A" * length] * aliases}
            for i in range(count)]


def _receipts(client: TestClient, auditor: Actor, screener: Actor) -> int:
    page = client.get("/v1/audit", params={"actor": screener.client_id, "action": "screening.run"},
                      headers=auditor.headers)
    assert page.status_code == 200, page.text
    return len(page.json()["items"])


def test_the_document_states_the_bounds() -> None:
    document = build()
    request = document["components"]["schemas"]["ScreenRequest"]
    assert request["x-cost-bound"] == {"subjects": 1000, "names": MAX_SCREEN_NAMES, "characters": MAX_SCREEN_CHARACTERS}
    assert "5,000 names" in request["description"] and request["properties"]["subjects"]["maxItems"] == 1000
    assert document["components"]["schemas"]["BulkRequest"]["properties"]["entries"]["maxItems"] == 10_000
    screen = document["paths"]["/v1/screen"]["post"]
    assert "DEBARLIST_MAX_BODY_BYTES" in screen["responses"]["413"]["description"]


def test_a_screening_over_the_name_or_character_bound_is_refused_before_matching(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    auditor = actor("auditor")
    over_names = _subjects(1000, aliases=5, length=5)  # 6,000 names, 30,000 characters
    over_characters = _subjects(MAX_SCREEN_CHARACTERS // 500 + 1, length=500)
    issue_report = _subjects(1000, aliases=20, length=500)  # the issue's 10.5 million characters
    for subjects in (over_names, over_characters, issue_report):
        answer = client.post("/v1/screen", json={"subjects": subjects}, headers=screener.headers)
        assert answer.status_code == 422, answer.text[:300]
        assert answer.headers["content-type"] == "application/problem+json"
        assert "split the bidders" in answer.text
    assert _receipts(client, auditor, screener) == 0  # refused before matching: nothing was kept


def test_a_screening_at_the_bounds_is_served(client: TestClient, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    at_characters = _subjects(MAX_SCREEN_CHARACTERS // 500, length=500)
    answer = client.post("/v1/screen", json={"subjects": at_characters}, headers=screener.headers)
    assert answer.status_code == 200, answer.text[:300]
    at_names = _subjects(1000, aliases=4, length=10)
    answer = client.post("/v1/screen", json={"subjects": at_names}, headers=screener.headers)
    assert answer.status_code == 200, answer.text[:300]
    assert len(answer.json()["results"]) == 1000


def test_a_body_over_the_size_limit_is_refused_unread(client: TestClient, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    answer = client.post("/v1/screen", content=b"{" + b" " * limit + b"}",
                         headers={**screener.headers, "Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.headers["content-type"] == "application/problem+json"
