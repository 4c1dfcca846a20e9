"""The logs: one JSON object a line, a line per request naming the caller, and never a secret."""

from __future__ import annotations

import base64
import io
import json
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.observability.logs import formatter, scrub_text
from tests.support import Harness, entry_body, live_server

METRICS_TOKEN = "mtok-" + secrets.token_urlsafe(16)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything logged anywhere in the process, at DEBUG, rendered as the service renders it."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter("json"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_every_line_is_json_and_each_request_names_route_caller_status_and_duration(
        harness: Harness, captured: io.StringIO) -> None:
    screener = harness.actor("screener")
    response = harness.client.post("/v1/screen", headers={**screener.headers, "X-Request-ID": "req-log-1"},
                                   json={"subjects": [{"ref": "a", "name": "Anyone Ltd"}]})
    assert response.status_code == 200
    requests = [line for line in _lines(captured) if line.get("event") == "request"]
    mine = [line for line in requests if line.get("request_id") == "req-log-1"]
    assert len(mine) == 1, requests
    line = mine[0]
    assert line["route"] == "/v1/screen" and line["method"] == "POST" and line["status"] == 200
    assert line["client_id"] == screener.client_id and line["organisation"] == screener.organisation
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["level"] == "info" and line["logger"] == "debarlist.request" and "timestamp" in line


def test_no_secret_issued_or_presented_reaches_the_logs(db_url: str, key_file: Path,
                                                        captured: io.StringIO) -> None:
    harness = Harness.start(db_url, key_file, metrics_token=METRICS_TOKEN)
    secrets_seen: list[str] = [METRICS_TOKEN]
    try:
        client = harness.client
        admin = harness.actor("admin")
        secrets_seen += [admin.client_secret, admin.token]
        created = []
        for roles in (["screener"], ["contributor"], ["auditor", "reviewer"]):
            answer = client.post("/v1/clients", headers=admin.headers,
                                 json={"organisation": admin.organisation, "name": "log test", "roles": roles})
            assert answer.status_code == 201, answer.text
            body = answer.json()
            created.append((body["client_id"], body["client_secret"]))
            secrets_seen.append(body["client_secret"])
        tokens = []
        for client_id, secret in created:
            tokens.append(harness.token(client_id, secret))
        secrets_seen += tokens
        screener_headers = {"Authorization": f"Bearer {tokens[0]}"}
        contributor_headers = {"Authorization": f"Bearer {tokens[1]}"}
        assert client.post("/v1/entries", headers=contributor_headers, json=entry_body()).status_code == 201
        for _ in range(3):
            assert client.post("/v1/screen", headers=screener_headers,
                               json={"subjects": [{"ref": "a", "name": "Alatau Stroy LLP"}]}).status_code == 200
        # failed logins: wrong secrets (a mistyped secret is as secret as the real one)
        for client_id, _ in created:
            wrong = "wrong-" + secrets.token_urlsafe(24)
            secrets_seen.append(wrong)
            refused = client.post("/v1/token", data={"grant_type": "client_credentials",
                                                     "client_id": client_id, "client_secret": wrong})
            assert refused.status_code in (400, 401), refused.text
        # HTTP Basic client authentication, right and wrong
        for client_id, secret in [created[0], (created[1][0], "basic-wrong-" + secrets.token_hex(12))]:
            secrets_seen.append(secret)
            basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
            secrets_seen.append(basic)
            client.post("/v1/token", data={"grant_type": "client_credentials"},
                        headers={"Authorization": f"Basic {basic}"})
        # credentials in the query string, and invalid bearer tokens
        bogus = "bogus-" + secrets.token_urlsafe(20)
        secrets_seen.append(bogus)
        assert client.get(f"/v1/entries?access_token={tokens[1]}", headers=contributor_headers).status_code == 400
        assert client.post(f"/v1/token?client_secret={created[0][1]}",
                           data={"grant_type": "client_credentials", "client_id": created[0][0],
                                 "client_secret": created[0][1]}).status_code == 400
        assert client.get("/v1/entries", headers={"Authorization": f"Bearer {bogus}"}).status_code == 401
        assert client.get(f"/v1/entries?password={bogus}").status_code == 400
        assert client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 200
        assert client.get("/metrics", headers={"Authorization": f"Bearer {bogus}"}).status_code == 401
        # the same through a real server, uvicorn's own access log switched on
        with live_server(harness.app, access_log=True) as url:
            httpx.get(f"{url}/v1/entries?limit=1&client_secret={created[1][1]}")
            httpx.post(f"{url}/v1/token", data={"grant_type": "client_credentials", "client_id": created[2][0],
                                                "client_secret": created[2][1]})
            httpx.get(f"{url}/v1/entries", headers={"Authorization": f"Bearer {bogus}"})
    finally:
        harness.close()
    text = captured.getvalue()
    requests = [line for line in _lines(captured) if line.get("event") == "request"]
    assert len(requests) >= 20, "the request log was not captured"
    leaked = [s for s in secrets_seen if s in text]
    assert not leaked, f"{len(leaked)} secrets in the logs, e.g. …{leaked[0][-6:]}"


def test_free_text_credentials_are_masked_whoever_logs_them(captured: io.StringIO) -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    logging.getLogger("some.library").warning("sent Authorization: Bearer %s with client_secret=hunter2&x=1", token)
    logging.getLogger("some.library").info("details", extra={})
    from service.observability.logs import get_logger

    get_logger("debarlist.test").info("issued", client_secret="s3cr3t-value", headers={"Authorization": "Basic Zm9v"})
    text = captured.getvalue()
    assert token not in text and "hunter2" not in text and "s3cr3t-value" not in text and "Zm9v" not in text
    assert scrub_text("password=abc def") == "password=[redacted] def"
