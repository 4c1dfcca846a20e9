"""yente's match API (/match, /algorithms, /catalog, /entities) over the screening service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from followthemoney import model

from tests.support import Actor, entry_body, unique_lei, unique_word


def _listed(client: TestClient, who: Actor, **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/entries", json=entry_body(**overrides), headers=who.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _match(client: TestClient, who: Actor, queries: dict[str, Any], dataset: str = "default",
           **params: Any) -> dict[str, Any]:
    response = client.post(f"/match/{dataset}", json={"queries": queries}, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _company(name: str, **props: Any) -> dict[str, Any]:
    return {"schema": "Company", "properties": {"name": [name], **props}}


def _ids(answer: dict[str, Any], key: str) -> list[str]:
    return [r["id"] for r in answer["responses"][key]["results"]]


def assert_ftm(entity: dict[str, Any]) -> None:
    """Every property is one the schema has, with values FtM's type keeps; nested entities too."""
    schema = model.get(entity["schema"])
    assert schema is not None and not schema.abstract, entity["schema"]
    for name, values in entity["properties"].items():
        prop = schema.get(name)
        assert prop is not None, f"{entity['schema']} has no property {name}"
        for value in values:
            if isinstance(value, dict):
                assert prop.type.name == "entity" and model.get(value["schema"]).is_a(prop.range), (name, value)
                assert_ftm(value)
            else:
                assert prop.type.clean(value) == value, (name, value)


def test_match_answers_in_yentes_shape_with_a_receipt_and_an_audit_record(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    cyrillic, latin = unique_word()
    entry = _listed(client, contributor, name=f"ТОО «{cyrillic} Строй»", aliases=[])
    _, other_latin = unique_word()
    screener = actor("screener")
    answer = _match(client, screener, {
        "bid-1": _company(f"{latin} Stroy LLP", country=["kz"]),
        "bid-2": {"schema": "Company", "properties": {"name": f"{other_latin} Agro LLP"}},
    }, tender_ref="KZ-2026-0042")
    assert set(answer["responses"]) == {"bid-1", "bid-2"}
    assert answer["limit"] == 5
    first = answer["responses"]["bid-1"]
    assert first["status"] == 200 and first["query"]["schema"] == "Company"
    assert first["query"]["properties"] == {"name": [f"{latin} Stroy LLP"], "country": ["kz"]}
    assert _ids(answer, "bid-1")[0] == f"debarlist-{entry['id']}"
    assert answer["responses"]["bid-2"]["results"] == []
    result = first["results"][0]
    assert result["caption"] == entry["name"] and result["schema"] == "Company"
    assert result["datasets"] == [contributor.organisation.lower()]
    assert result["match"] is True and 0.72 <= result["score"] <= 1
    assert "debarment" in result["properties"]["topics"]
    sanction = result["properties"]["sanctions"][0]
    assert sanction["schema"] == "Sanction" and sanction["properties"]["authorityId"] == ["MF-2026/117"]
    assert result["explanations"]["name_match"]["candidate"] == entry["name"]
    assert result["features"]["name_match"] == result["explanations"]["name_match"]["score"]
    assert_ftm(result)
    context = result["debarlist"]
    assert context["appeal_status"] == "none" and context["organisation"] == contributor.organisation
    assert context["listing"] == "debarred" and context["grounds"] == ["forced_labour"]
    assert context["decision_ref"] == "MF-2026/117" and context["legal_basis"] == "Public Procurement Act, art. 12"
    assert context["screening_id"] == answer["screening_id"]

    receipt = client.get(f"/v1/screenings/{answer['screening_id']}", headers=screener.headers)
    assert receipt.status_code == 200, receipt.text
    assert receipt.json()["tender_ref"] == "KZ-2026-0042"
    assert [r["ref"] for r in receipt.json()["results"]] == ["bid-1", "bid-2"]
    auditor = actor("auditor")
    records = client.get("/v1/audit", params={"target_id": answer["screening_id"]}, headers=auditor.headers)
    assert records.status_code == 200, records.text
    assert [r["action"] for r in records.json()["items"]] == ["screening.run"]


def test_appeal_status_and_identifiers_reach_the_match(client: TestClient, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    _, latin = unique_word()
    lei = unique_lei()
    entry = _listed(client, contributor, name=f"{latin} Holding", aliases=[],
                    identifiers=[{"scheme": "lei", "value": lei}])
    lodged = client.post(f"/v1/entries/{entry['id']}/appeals", json={"lodged_on": "2026-04-02", "reference": "A-1"},
                         headers=contributor.headers)
    assert lodged.status_code == 201, lodged.text
    answer = _match(client, actor("screener"),
                    {"q": _company("Completely Other Name", leiCode=[lei])})
    result = answer["responses"]["q"]["results"][0]
    assert result["id"] == f"debarlist-{entry['id']}"
    assert result["debarlist"]["appeal_status"] == "lodged"
    assert result["debarlist"]["appeal_lodged_on"] == "2026-04-02"
    assert result["explanations"]["identifier_match"]["score"] == 1.0
    assert result["properties"]["leiCode"] == [lei]


def test_dataset_names_one_organisation_and_filters_narrow_results(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    _, latin = unique_word()
    first, second = actor("contributor"), actor("contributor")
    one = _listed(client, first, name=f"{latin} Trading LLP", aliases=[])
    two = _listed(client, second, name=f"{latin} Trading LLP", aliases=[])
    screener = actor("screener")
    query = {"q": _company(f"{latin} Trading LLP")}
    both = set(_ids(_match(client, screener, query), "q"))
    assert {f"debarlist-{one['id']}", f"debarlist-{two['id']}"} <= both
    assert _ids(_match(client, screener, query, dataset=first.organisation.lower()), "q") == [f"debarlist-{one['id']}"]
    assert _ids(_match(client, screener, query, exclude_entity_ids=[f"debarlist-{one['id']}", two["id"]]), "q") == []
    assert _ids(_match(client, screener, query, topics=["sanction"]), "q") == []
    assert set(_ids(_match(client, screener, query, topics=["debarment"]), "q")) == both
    assert _ids(_match(client, screener, query, exclude_schema=["Company"]), "q") == []
    assert _ids(_match(client, screener, query, changed_since="2999-01-01"), "q") == []
    assert len(_ids(_match(client, screener, query, limit=1), "q")) == 1
    # threshold flags, cutoff drops: a near miss is returned but not a match
    loose = _match(client, screener, {"q": _company(f"{latin} Tradng")}, threshold=0.99, cutoff=0.5)
    assert loose["responses"]["q"]["results"] and not any(r["match"] for r in loose["responses"]["q"]["results"])


def test_errors_are_yentes(client: TestClient, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    body = {"queries": {"q": _company("Anything")}}
    missing = client.post("/match/no_such_dataset", json=body, headers=screener.headers)
    assert missing.status_code == 404 and missing.json()["detail"] == "No such dataset."
    # Unknown algorithms and schemata are refused by the documented parameter and body types.
    algo = client.post("/match/default", json=body, params={"algorithm": "logic-v9"}, headers=screener.headers)
    assert algo.status_code == 422 and "algorithm" in algo.json()["detail"]
    vessel = client.post("/match/default", json={"queries": {"q": {"schema": "Vessel", "properties": {
        "name": ["Sea Star"]}}}}, headers=screener.headers)
    assert vessel.status_code == 422 and isinstance(vessel.json()["detail"], str)
    nameless = client.post("/match/default", json={"queries": {"q": {"schema": "Company", "properties": {
        "country": ["kz"]}}}}, headers=screener.headers)
    assert nameless.status_code == 200 and nameless.json()["responses"]["q"]["results"] == []
    assert nameless.json()["screening_id"] is None  # nothing to match by, nothing screened
    for bad in ({"queries": {}}, {"queries": {"q": {"properties": {}}}}, {"queries": [1]},
                {"queries": {"q": _company("X")}, "weights": {"name": 2.0}}):
        response = client.post("/match/default", json=bad, headers=screener.headers)
        assert response.status_code == 422 and isinstance(response.json()["detail"], str), bad
    unknown = client.get("/entities/debarlist-nope", headers=screener.headers)
    assert unknown.status_code == 404 and unknown.json()["detail"] == "No such entity!"


def test_anonymous_and_wrong_roles_are_refused(client: TestClient, actor: Callable[..., Actor]) -> None:
    body = {"queries": {"q": _company("Anything")}}
    assert client.post("/match/default", json=body).status_code == 401
    for path in ("/algorithms", "/catalog", "/entities/debarlist-x"):
        assert client.get(path).status_code == 401, path
    assert client.post("/match/default", json=body, headers=actor("contributor").headers).status_code == 403
    assert client.get("/catalog", headers=actor("admin").headers).status_code == 403


def test_another_organisations_restricted_entries_never_appear(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    _, latin = unique_word()
    owner = actor("contributor", "screener")
    hidden = _listed(client, owner, name=f"{latin} Secret Works", aliases=[], visibility="restricted")
    stranger = actor("screener", "contributor")
    query = {"q": _company(f"{latin} Secret Works")}
    assert _ids(_match(client, owner, query), "q") == [f"debarlist-{hidden['id']}"]
    assert _ids(_match(client, stranger, query), "q") == []
    assert client.post(f"/match/{owner.organisation.lower()}", json={"queries": query},
                       headers=stranger.headers).json()["responses"]["q"]["results"] == []
    assert client.get(f"/entities/debarlist-{hidden['id']}", headers=stranger.headers).status_code == 404
    assert client.get(f"/entities/debarlist-{hidden['id']}", headers=owner.headers).status_code == 200
    datasets = {d["name"]: d for d in client.get("/catalog", headers=stranger.headers).json()["datasets"]}
    assert owner.organisation.lower() not in datasets  # its only entry is restricted
    mine = {d["name"]: d for d in client.get("/catalog", headers=owner.headers).json()["datasets"]}
    assert mine[owner.organisation.lower()]["entity_count"] == 1


def test_algorithms_catalog_and_entity(client: TestClient, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor", "screener")
    _, latin = unique_word()
    entry = _listed(client, contributor, name=f"{latin} Build", aliases=["Other Build"], listing="flagged")
    algorithms = client.get("/algorithms", headers=contributor.headers).json()
    assert algorithms["best"] == algorithms["default"] == algorithms["algorithms"][0]["name"]
    assert "name_match" in algorithms["algorithms"][0]["docs"]["features"]
    catalog = client.get("/catalog", headers=contributor.headers).json()
    names = [d["name"] for d in catalog["datasets"]]
    assert names[0] == "default" and contributor.organisation.lower() in names
    assert catalog["current"] == names and catalog["datasets"][0]["version"].startswith("r")
    entity = client.get(f"/entities/debarlist-{entry['id']}", headers=contributor.headers).json()
    assert entity["schema"] == "Company" and entity["properties"]["alias"] == ["Other Build"]
    assert entity["properties"]["risks"][0]["schema"] == "Risk"
    assert_ftm(entity)
    flat = client.get(f"/entities/{entry['id']}", params={"nested": "false"}, headers=contributor.headers).json()
    assert "risks" not in flat["properties"] and flat["id"] == entity["id"]
