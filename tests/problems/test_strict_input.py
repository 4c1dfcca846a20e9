"""Input means one thing: duplicate JSON keys, numbers for dates, strings for flags and
credentials in URLs are refused with a clear problem (issue 15)."""

from __future__ import annotations

import json
import logging
import multiprocessing
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.auth.keys import load_signing_key
from service.config import Settings
from tests.support import Actor, Harness, entry_body, live_server


def _post_raw(client: TestClient, who: Actor, path: str, raw: str) -> httpx.Response:
    return client.post(path, content=raw.encode(), headers={**who.headers, "Content-Type": "application/json"})


def test_duplicate_json_keys_are_refused(client: TestClient, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    body = json.dumps(entry_body(visibility="restricted"))
    raw = body[:-1] + ', "visibility": "public"}'
    response = _post_raw(client, contributor, "/v1/entries", raw)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "duplicate key 'visibility'" in response.json()["detail"]
    # Nested objects too, and on every route that takes JSON.
    screener = actor("screener")
    nested = '{"subjects": [{"ref": "a", "name": "X", "name": "Y"}]}'
    assert _post_raw(client, screener, "/v1/screen", nested).status_code == 422


@pytest.mark.parametrize("field,value", [("starts_on", 0), ("starts_on", 20260315), ("ends_on", 1.5),
                                         ("decided_on", True)])
def test_numbers_are_not_dates(client: TestClient, actor: Callable[..., Actor], field: str, value: object) -> None:
    response = client.post("/v1/entries", json=entry_body(**{field: value}), headers=actor("contributor").headers)
    assert response.status_code == 422, response.text
    assert "not a number" in response.json()["detail"]


@pytest.mark.parametrize("body", [{"include_inactive": "true"}, {"include_inactive": 1},
                                  {"as_of": 0}, {"known_at": 1767225600}])
def test_screening_flags_and_dates_are_strict(client: TestClient, actor: Callable[..., Actor],
                                              body: dict[str, object]) -> None:
    response = client.post("/v1/screen", json={"subjects": [{"ref": "a", "name": "Nobody Ltd"}], **body},
                           headers=actor("screener").headers)
    assert response.status_code == 422, response.text


def test_a_secret_in_the_query_string_is_refused_and_never_logged(harness: Harness,
                                                                  actor: Callable[..., Actor]) -> None:
    who = actor("screener")
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    collector = Collect()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(collector)
    access.setLevel(logging.INFO)
    try:
        with live_server(harness.app, access_log=True) as url:
            refused = httpx.post(f"{url}/v1/token?client_secret={who.client_secret}",
                                 data={"grant_type": "client_credentials", "client_id": who.client_id,
                                       "client_secret": who.client_secret})
            other = httpx.get(f"{url}/v1/entries?limit=1&password=hunter2", headers=who.headers)
    finally:
        access.removeHandler(collector)
    assert refused.status_code == 400 and other.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert "client_secret" in refused.json()["detail"]
    assert records, "the access log was not captured"
    assert not any(who.client_secret in line or "hunter2" in line for line in records), records


def _load(settings_json: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    try:
        out.put(load_signing_key(Settings.model_validate_json(settings_json)).kid)
    except Exception as exc:  # the test reports what went wrong in the child
        out.put(f"error: {exc!r}")


def test_instances_started_together_share_one_development_key(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/d.db", env="development")
    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_load, args=(settings.model_dump_json(), out)) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    kids = {out.get(timeout=5) for _ in workers}
    assert len(kids) == 1 and not next(iter(kids)).startswith("error"), kids
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".debarlist-key-")]
