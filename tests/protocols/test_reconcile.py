"""OpenRefine reconciliation 0.2 under /reconcile, every answer checked against the spec's schemas."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.protocols.recon_schemas import assert_valid, examples, validator
from tests.support import Actor, entry_body, unique_bin, unique_word


def _listed(client: TestClient, who: Actor, **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/entries", json=entry_body(**overrides), headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _reconcile(client: TestClient, who: Actor, queries: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/reconcile", data={"queries": json.dumps(queries)}, headers=who.headers)
    assert response.status_code == 200, response.text
    assert_valid("reconciliation-result-batch", response.json())
    return dict(response.json())


def _screenings(client: TestClient, auditor: Actor, who: Actor) -> int:
    page = client.get("/v1/audit", params={"actor": who.client_id, "action": "screening.run"},
                      headers=auditor.headers)
    assert page.status_code == 200, page.text
    return len(page.json()["items"])


def test_the_schemas_tell_the_specs_valid_examples_from_its_invalid_ones() -> None:
    for kind, schema in (("manifest", "manifest"), ("reconciliation-query-batch", "reconciliation-query-batch"),
                         ("reconciliation-result-batch", "reconciliation-result-batch"),
                         ("data-extension-response", "data-extension-response")):
        for name, document in examples(kind, "valid"):
            assert validator(schema).is_valid(document), (kind, name)
        for name, document in examples(kind, "invalid"):
            assert not validator(schema).is_valid(document), (kind, name)


def test_manifest_is_anonymous_valid_and_names_the_authentication(client: TestClient) -> None:
    response = client.get("/reconcile")
    assert response.status_code == 200
    manifest = response.json()
    assert_valid("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["authentication"]["type"] == "apiKey" and manifest["authentication"]["name"] == "Authorization"
    assert {t["id"] for t in manifest["defaultTypes"]} == {"Company", "Person", "LegalEntity"}


def test_cors_on_reconciliation_routes_only(client: TestClient) -> None:
    origin = {"Origin": "https://openrefine.example"}
    assert client.get("/reconcile", headers=origin).headers["access-control-allow-origin"] == "*"
    refused = client.get("/reconcile/suggest/type", headers=origin)
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == "*"
    preflight = client.options("/reconcile", headers={**origin, "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-origin" not in client.get("/healthz", headers=origin).headers
    assert "access-control-allow-origin" not in client.get("/v1/entries", headers=origin).headers


def test_reconciliation_finds_the_entry_and_is_a_screening(client: TestClient, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    cyrillic, latin = unique_word()
    registration = unique_bin()
    entry = _listed(client, contributor, name=f"ТОО «{cyrillic} Строй»", aliases=[],
                    identifiers=[{"scheme": "bin", "value": registration}])
    screener, auditor = actor("screener"), actor("auditor")
    before = _screenings(client, auditor, screener)
    answer = _reconcile(client, screener, {
        "q0": {"query": f"{latin} Stroy LLP", "type": "Company",
               "properties": [{"pid": "country", "v": "kz"}, {"pid": "unknownProp", "v": 3}]},
        "q1": {"query": f"{latin} Stroy LLP", "type": "Vessel"},
        "q2": {"properties": [{"pid": "registrationNumber", "v": registration}, {"pid": "country", "v": "KZ"}]},
    })
    top = answer["q0"]["result"][0]
    assert top["id"] == entry["id"] and top["name"] == entry["name"] and top["match"] is True
    assert "debarred by" in top["description"] and "appeal: none" in top["description"]
    assert {"id": "name_match", "value": pytest.approx(top["features"][0]["value"])} in top["features"]
    assert answer["q1"]["result"] == []
    assert entry["id"] in [c["id"] for c in answer["q2"]["result"]]
    assert _screenings(client, auditor, screener) == before + 1
    by_get = client.get("/reconcile", params={"queries": json.dumps({"q": {"query": f"{latin} Stroy"}})},
                        headers=screener.headers)
    assert by_get.status_code == 200, by_get.text
    assert_valid("reconciliation-result-batch", by_get.json())
    assert by_get.json()["q"]["result"][0]["id"] == entry["id"]
    assert _screenings(client, auditor, screener) == before + 2


def test_the_specs_valid_queries_are_answered_and_invalid_ones_refused(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    for name, batch in examples("reconciliation-query-batch", "valid"):
        answer = _reconcile(client, screener, batch)
        assert set(answer) == set(batch), name
    for name, batch in examples("reconciliation-query-batch", "invalid"):
        response = client.post("/reconcile", data={"queries": json.dumps(batch)}, headers=screener.headers)
        assert response.status_code == 400, (name, response.text)
    for bad in ("not json", '{"q": {"query": "a", "query": "b"}}', "[]"):
        assert client.post("/reconcile", data={"queries": bad}, headers=screener.headers).status_code == 400, bad


def test_suggest_preview_and_data_extension(client: TestClient, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor", "screener")
    _, latin = unique_word()
    entry = _listed(client, contributor, name=f"{latin} Cement LLP", aliases=[], ends_on="2029-03-14")
    headers = contributor.headers
    entities = client.get("/reconcile/suggest/entity", params={"prefix": latin}, headers=headers).json()
    assert_valid("suggest-entities-response", entities)
    assert [s["id"] for s in entities["result"]] == [entry["id"]]
    types = client.get("/reconcile/suggest/type", params={"prefix": "Per"}, headers=headers).json()
    assert_valid("suggest-types-response", types)
    assert [t["id"] for t in types["result"]] == ["Person"]
    props = client.get("/reconcile/suggest/property", params={"prefix": "lei"}, headers=headers).json()
    assert_valid("suggest-properties-response", props)
    assert [p["id"] for p in props["result"]] == ["leiCode"]
    page = client.get("/reconcile/preview", params={"id": entry["id"]}, headers=headers)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f"{latin} Cement LLP" in page.text and "Forced labour" in page.text
    proposed = client.get("/reconcile/extend/propose", params={"type": "Company"}, headers=headers).json()
    assert_valid("data-extension-property-proposal", proposed)
    wanted = ["listing", "grounds", "starts_on", "ends_on", "appeal_status", "organisation"]
    assert set(wanted) <= {p["id"] for p in proposed["properties"]}
    extended = client.post("/reconcile", data={"extend": json.dumps(
        {"ids": [entry["id"], "nope"], "properties": [{"id": p} for p in wanted]})}, headers=headers)
    assert extended.status_code == 200, extended.text
    assert_valid("data-extension-response", extended.json())
    row = extended.json()["rows"][entry["id"]]
    assert row["listing"] == [{"str": "debarred"}] and row["grounds"] == [{"str": "forced_labour"}]
    assert row["ends_on"] == [{"date": "2029-03-14T00:00:00Z"}] and row["appeal_status"] == [{"str": "none"}]
    assert row["organisation"] == [{"str": contributor.organisation}]
    assert extended.json()["rows"]["nope"] == {}
    for _, query in examples("data-extension-query", "valid"):
        response = client.post("/reconcile", data={"extend": json.dumps(query)}, headers=headers)
        assert response.status_code == 400  # the spec's examples ask for Wikidata's properties


def test_another_organisations_restricted_entries_never_appear(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    _, latin = unique_word()
    owner = actor("contributor", "screener")
    hidden = _listed(client, owner, name=f"{latin} Hidden Mill", aliases=[], visibility="restricted")
    stranger = actor("contributor", "screener")
    query = {"q": {"query": f"{latin} Hidden Mill"}}
    assert [c["id"] for c in _reconcile(client, owner, query)["q"]["result"]] == [hidden["id"]]
    assert _reconcile(client, stranger, query)["q"]["result"] == []
    assert client.get("/reconcile/suggest/entity", params={"prefix": latin},
                      headers=stranger.headers).json()["result"] == []
    assert client.get("/reconcile/preview", params={"id": hidden["id"]}, headers=stranger.headers).status_code == 404
    extended = client.post("/reconcile", data={"extend": json.dumps(
        {"ids": [hidden["id"]], "properties": [{"id": "grounds"}]})}, headers=stranger.headers).json()
    assert extended["rows"] == {hidden["id"]: {}}


def test_anonymous_and_wrong_roles_are_refused(client: TestClient, actor: Callable[..., Actor]) -> None:
    queries = json.dumps({"q": {"query": "Anything"}})
    assert client.post("/reconcile", data={"queries": queries}).status_code == 401
    assert client.get("/reconcile", params={"queries": queries}).status_code == 401
    assert client.get("/reconcile", params={"extend": '{"ids": [], "properties": []}'}).status_code == 401
    for path in ("/reconcile/suggest/entity", "/reconcile/suggest/type", "/reconcile/suggest/property",
                 "/reconcile/preview?id=x", "/reconcile/extend/propose"):
        assert client.get(path).status_code == 401, path
    contributor = actor("contributor")
    assert client.post("/reconcile", data={"queries": queries}, headers=contributor.headers).status_code == 403
    assert client.get("/reconcile", params={"queries": queries}, headers=contributor.headers).status_code == 403
    assert client.get("/reconcile/suggest/type", headers=actor("admin").headers).status_code == 403
