"""HTTP semantics the fuzzing run (test_conformance) holds the service to, checked directly."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.support import Actor


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("OPTIONS", "/v1/entries", "GET, POST"),
    ("DELETE", "/v1/entries", "GET, POST"),
    ("PUT", "/v1/entries/any-id", "GET, PATCH"),
    ("OPTIONS", "/v1/audit/checkpoints", "GET, POST"),
    ("DELETE", "/healthz", "GET"),
    ("GET", "/v1/token", "POST"),
    ("OPTIONS", "/v1/entries/bulk", "POST"),  # its own path, not an entry id
])
def test_405_names_every_method_the_path_serves_in_allow(client: TestClient, method: str, path: str,
                                                         allowed: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allowed
    assert response.headers["content-type"] == "application/problem+json"
    assert allowed in response.json()["detail"]


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-1", "1e9"])
def test_an_instant_is_iso_8601_never_a_number(client: TestClient, actor: Callable[..., Actor], value: str) -> None:
    auditor = actor("auditor")
    for path, name in (("/v1/audit/export", "until"), ("/v1/audit", "since"), ("/v1/entries", "updated_since")):
        response = client.get(path, params={name: value}, headers=auditor.headers if "audit" in path
                              else actor("contributor").headers)
        assert response.status_code == 422, (path, response.text)
