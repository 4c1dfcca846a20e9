"""POST /v1/screen/ocds: OCDS releases and packages as published, validated by the OCDS schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.support import Actor, entry_body, unique_word

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "ocds-1.2-dev" / "examples"


def _example(name: str) -> dict[str, Any]:
    return dict(json.loads((EXAMPLES / name).read_text(encoding="utf-8")))


def _release(ocid: str, parties: list[dict[str, Any]]) -> dict[str, Any]:
    return {"ocid": ocid, "id": f"{ocid}-tender", "date": "2026-05-01T09:00:00Z", "tag": ["tender"],
            "initiationType": "tender", "parties": parties}


def _party(party_id: str, name: str, roles: list[str], **extra: Any) -> dict[str, Any]:
    return {"id": party_id, "name": name, "roles": roles, **extra}


def _screen(client: TestClient, who: Actor, document: Any, **params: Any) -> dict[str, Any]:
    response = client.post("/v1/screen/ocds", json=document, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _parties(answer: dict[str, Any], index: int = 0) -> dict[str, dict[str, Any]]:
    return {p["party_id"]: p for p in answer["tenders"][index]["parties"]}


def test_tenderers_and_suppliers_are_screened_with_the_ocid_as_tender_ref(
        client: TestClient, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    cyrillic, latin = unique_word()
    by_name = client.post("/v1/entries", json=entry_body(name=f"ТОО «{cyrillic} Строй»", aliases=[], identifiers=[]),
                          headers=contributor.headers).json()
    by_bin = client.post("/v1/entries", json=entry_body(name="Quite Different Name LLP", aliases=[],
                                                        identifiers=[{"scheme": "bin", "value": "990140000385"}]),
                         headers=contributor.headers).json()
    ocid = f"ocds-213czf-{latin.lower()}"
    package = {"version": "1.1", "uri": "https://example.gov/p.json", "publishedDate": "2026-05-01T09:00:00Z",
               "publisher": {"name": "KZ procurement"}, "releases": [_release(ocid, [
                   _party("KZ-BIN-1", f"{latin} Stroy LLP", ["tenderer"], address={"countryName": "Kazakhstan"}),
                   _party("KZ-BIN-990140000385", "Other Trading", ["supplier", "tenderer"],
                          identifier={"scheme": "KZ-BIN", "id": "990140000385"}),
                   _party("KZ-GOV-1", f"{latin} Stroy LLP", ["buyer"]),
               ])]}
    screener = actor("screener")
    answer = _screen(client, screener, package)
    tender = answer["tenders"][0]
    assert tender["ocid"] == ocid and len(tender["screening_ids"]) == 1
    parties = _parties(answer)
    assert by_name["id"] in [m["entry_id"] for m in parties["KZ-BIN-1"]["matches"]]
    assert [m["entry_id"] for m in parties["KZ-BIN-990140000385"]["matches"]] == [by_bin["id"]]
    assert parties["KZ-BIN-990140000385"]["matches"][0]["entry"]["appeal_status"] == "none"
    assert "KZ-GOV-1" not in parties  # a buyer is not screened unless asked
    receipt = client.get(f"/v1/screenings/{tender['screening_ids'][0]}", headers=screener.headers).json()
    assert receipt["tender_ref"] == ocid
    everyone = _parties(_screen(client, screener, package, roles=["all"]))
    assert by_name["id"] in [m["entry_id"] for m in everyone["KZ-GOV-1"]["matches"]]

    record_package = {"version": "1.1", "records": [{"ocid": ocid, "compiledRelease": package["releases"][0]}]}
    assert _parties(_screen(client, screener, record_package)).keys() == parties.keys()
    single = _screen(client, screener, package["releases"][0])
    assert _parties(single).keys() == parties.keys()


def test_the_standards_examples(client: TestClient, actor: Callable[..., Actor]) -> None:
    """The three documentation examples all leave out initiationType, which the release schema
    requires: each is refused naming the pointer; with it added, the two otherwise valid ones are screened."""
    screener = actor("screener")
    for name, pointer in (("buyers_suppliers_consortia.json", "/releases/0/parties/0"),
                          ("buyers_suppliers_consortia.json", "/releases/0"),
                          ("change_history_tender.json", "/releases/0"),
                          ("easy_releases_worked_example1_tender.json", "/releases/0")):
        response = client.post("/v1/screen/ocds", json=_example(name), headers=screener.headers)
        assert response.status_code == 422, (name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert pointer in [e["field"] for e in response.json()["errors"]], (name, response.json())
    for name, party in (("change_history_tender.json", "GB-LAC-E09000003"),
                        ("easy_releases_worked_example1_tender.json", "PY-RUC-80023736-6")):
        document = _example(name)
        for release in document["releases"]:
            release["initiationType"] = "tender"
        answer = _screen(client, screener, document, roles=["all"])
        assert answer["tenders"][0]["ocid"] == document["releases"][0]["ocid"]
        assert party in _parties(answer), name


def test_invalid_input_is_refused_with_a_pointer(client: TestClient, actor: Callable[..., Actor]) -> None:
    screener = actor("screener")
    bad_date = _release("ocds-x-1", [_party("p", "Name", ["tenderer"])])
    bad_date["date"] = 20260501
    for document, pointer in ((bad_date, "/date"), ({"records": [{"ocid": "x"}]}, "/records/0/compiledRelease"),
                              ({"version": "1.1", "releases": "no"}, "/releases")):
        response = client.post("/v1/screen/ocds", json=document, headers=screener.headers)
        assert response.status_code == 422, response.text
        assert pointer in [e["field"] for e in response.json()["errors"]], response.json()
    assert client.post("/v1/screen/ocds", json=[1], headers=screener.headers).status_code == 422


def test_restricted_entries_and_roles(client: TestClient, actor: Callable[..., Actor]) -> None:
    _, latin = unique_word()
    owner = actor("contributor", "screener")
    hidden = client.post("/v1/entries", json=entry_body(name=f"{latin} Hidden Works", aliases=[], identifiers=[],
                                                        visibility="restricted"), headers=owner.headers).json()
    release = _release("ocds-x-2", [_party("p1", f"{latin} Hidden Works", ["tenderer"])])
    assert [m["entry_id"] for m in _parties(_screen(client, owner, release))["p1"]["matches"]] == [hidden["id"]]
    assert _parties(_screen(client, actor("screener"), release))["p1"]["matches"] == []
    assert client.post("/v1/screen/ocds", json=release).status_code == 401
    assert client.post("/v1/screen/ocds", json=release, headers=actor("contributor").headers).status_code == 403
