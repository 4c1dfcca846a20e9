"""POST /v1/entries/bulk: idempotent upsert by external_ref, row by row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.auth.models import Organisation
from service.entries.models import Entry, EntryRevision
from tests.support import Actor, Harness, entry_body


def _post(client: TestClient, who: Actor, rows: list[dict[str, Any]]) -> dict[str, Any]:
    response = client.post("/v1/entries/bulk", json={"entries": rows}, headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _stored(harness: Harness, org: str) -> tuple[list[str | None], int]:
    with harness.app.state.session_factory() as session:
        org_id = session.execute(select(Organisation.id).where(Organisation.code == org)).scalar_one()
        refs = list(session.execute(select(Entry.external_ref).where(Entry.organisation_id == org_id)
                                    .order_by(Entry.external_ref)).scalars())
        revisions = session.execute(select(func.count()).select_from(EntryRevision).join(
            Entry, Entry.id == EntryRevision.entry_id).where(Entry.organisation_id == org_id)).scalar_one()
    return refs, int(revisions)


def test_bad_rows_are_reported_and_good_rows_land_whole(client: TestClient, harness: Harness,
                                                        actor: Callable[..., Actor]) -> None:
    who = actor("contributor")
    rows: list[Any] = [
        entry_body(external_ref="good-1"),
        entry_body(external_ref="bad-country", country="QQ"),
        entry_body(external_ref="good-2", name="Second Good LLP"),
        entry_body(external_ref="bad-lei", identifiers=[{"scheme": "lei", "value": "5493001KJTIIGC8Y1R13"}]),
        entry_body(external_ref=None),
        entry_body(external_ref="good-1", name="Repeat of row 0"),
        entry_body(external_ref="bad-org", organisation="ELSEWHERE"),
        {},
        entry_body(external_ref="good-3", ends_on="2030-01-01"),
    ]
    result = _post(client, who, rows)
    assert (result["created"], result["updated"], result["unchanged"], result["errors"]) == (3, 0, 0, 6)
    outcomes = [(r["index"], r["result"]) for r in result["results"]]
    assert outcomes == [(0, "created"), (1, "error"), (2, "created"), (3, "error"), (4, "error"), (5, "error"),
                        (6, "error"), (7, "error"), (8, "created")]
    reasons = {r["index"]: r["error"] for r in result["results"] if r["result"] == "error"}
    assert "country" in reasons[1] and "identifiers" in reasons[3] and "external_ref" in reasons[4]
    assert "row 0" in reasons[5] and "organisation" in reasons[6]
    assert all(r["id"] for r in result["results"] if r["result"] == "created")
    refs, revisions = _stored(harness, who.organisation)
    assert refs == ["good-1", "good-2", "good-3"] and revisions == 3
    first = client.get(f"/v1/entries/{result['results'][0]['id']}", headers=who.headers).json()
    assert first["name"] == rows[0]["name"]  # the repeat in row 5 did not overwrite it


def test_reposting_is_idempotent_and_changes_are_updates(client: TestClient, harness: Harness,
                                                         actor: Callable[..., Actor]) -> None:
    who = actor("contributor")
    rows = [entry_body(external_ref=f"idem-{i}", name=f"Idempotent {i} LLP") for i in range(30)]
    first = _post(client, who, rows)
    assert first["created"] == 30
    again = _post(client, who, rows)
    assert (again["created"], again["updated"], again["unchanged"], again["errors"]) == (0, 0, 30, 0)
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]
    # Formatting that normalises to the same content is not a change either.
    rows[0] = {**rows[0], "country": "kz", "name": "  " + rows[0]["name"] + " "}
    rows[1] = {**rows[1], "name": "Renamed 1 LLP"}
    third = _post(client, who, rows)
    assert (third["created"], third["updated"], third["unchanged"]) == (0, 1, 29)
    assert third["results"][1]["result"] == "updated"
    entry = client.get(f"/v1/entries/{third['results'][1]['id']}", headers=who.headers).json()
    assert entry["name"] == "Renamed 1 LLP" and entry["version"] == 2
    _, revisions = _stored(harness, who.organisation)
    assert revisions == 31


def test_withdrawn_entries_are_not_revived_by_bulk(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("contributor")
    rows = [entry_body(external_ref="to-withdraw")]
    created = _post(client, who, rows)["results"][0]["id"]
    assert client.post(f"/v1/entries/{created}/withdraw", json={"reason": "annulled"},
                       headers=who.headers).status_code == 200
    again = _post(client, who, [{**rows[0], "name": "Revived LLP"}])
    assert again["results"][0]["result"] == "error" and "withdrawn" in again["results"][0]["error"]
    assert client.get(f"/v1/entries/{created}", headers=who.headers).json()["status"] == "withdrawn"


def test_bulk_only_touches_the_callers_organisation(client: TestClient, actor: Callable[..., Actor]) -> None:
    first, second = actor("contributor"), actor("contributor")
    rows = [entry_body(external_ref="shared-ref")]
    one = _post(client, first, rows)["results"][0]
    two = _post(client, second, rows)["results"][0]
    assert one["result"] == two["result"] == "created" and one["id"] != two["id"]


def test_limits(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("contributor")
    bodies: list[Any] = [{"entries": [{}] * 10_001}, {"entries": []}, {"entries": ["not an object"]},
                         {"entries": {}}, {}, {"entries": [], "x": 1}, []]
    for body in bodies:
        response = client.post("/v1/entries/bulk", json=body, headers=who.headers)
        assert response.status_code == 422, (str(body)[:50], response.text[:300])
        assert response.headers["content-type"].startswith("application/problem+json")


def test_ten_thousand_rows_in_one_request(client: TestClient, actor: Callable[..., Actor]) -> None:
    who = actor("contributor")
    rows = [{"name": f"Bulk Enterprise {i} LLP", "grounds": ["fraud"], "external_ref": f"b-{i}",
             "starts_on": "2026-01-01"} for i in range(10_000)]
    result = _post(client, who, rows)
    assert result["created"] == 10_000 and result["errors"] == 0
    assert len({row["id"] for row in result["results"]}) == 10_000
