"""The published yente client authenticating as yente's clients do: ``Client(api_key=...)`` sends
``Authorization: ApiKey <key>``, which a Debarlist API key answers as its client."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from yente_client import Client
from yente_client.entities import Company
from yente_client.exceptions import AuthenticationError

from tests.support import ISSUED, Actor, entry_body, live_server, unique_word


def test_yente_client_with_an_api_key(app: FastAPI, client: TestClient, actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    _, latin = unique_word()
    entry = client.post("/v1/entries", json=entry_body(name=f"{latin} Stroy LLP", aliases=[]),
                        headers=contributor.headers).json()
    admin = actor("admin")
    screener = actor("screener", org=admin.organisation)
    issued = client.post(f"/v1/clients/{screener.client_id}/api-keys", json={"name": "yente-client test"},
                         headers=admin.headers)
    assert issued.status_code == 201, issued.text
    key = issued.json()["api_key"]
    ISSUED.add(key)
    with live_server(app) as url:
        with Client(base_url=url, api_key=key, timeout=60) as yc:
            found = yc.match(Company(name=f"{latin} Stroy", country="kz"))
            assert found.top is not None and found.top.id == f"debarlist-{entry['id']}"
            assert yc.fetch(found.top.id).caption == entry["name"]
        revoked = httpx.post(f"{url}/v1/clients/{screener.client_id}/api-keys/{issued.json()['key_id']}/revoke",
                             headers=admin.headers, timeout=60)
        assert revoked.status_code == 200
        with Client(base_url=url, api_key=key, timeout=60) as yc, pytest.raises(AuthenticationError):
            yc.match(Company(name=f"{latin} Stroy"))
