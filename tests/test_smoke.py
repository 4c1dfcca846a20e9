from fastapi.testclient import TestClient

from tests.support import entry_body


def test_health(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_create_and_read_entry(client: TestClient, actor) -> None:  # type: ignore[no-untyped-def]
    contributor = actor("contributor")
    response = client.post("/v1/entries", json=entry_body(), headers=contributor.headers)
    assert response.status_code == 201, response.text
    entry = response.json()
    assert entry["organisation"] == contributor.organisation
    assert entry["status"] == "active"
    got = client.get(f"/v1/entries/{entry['id']}", headers=contributor.headers)
    assert got.status_code == 200
    assert got.headers["etag"] == f'"{entry["id"]}.v1"'
