"""debarlist_client's credential operations against the live app (sync and async): secret
rotation, API keys; and the client's own token requests use client_secret_basic."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from debarlist_client import AsyncClient, Client, Forbidden, Unauthorized
from tests.support import ISSUED, Actor

ActorFactory = Callable[..., Actor]


def test_rotation_and_api_keys(base_url: str, actor: ActorFactory) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)
    sent: list[httpx.Request] = []
    http = httpx.Client(base_url=base_url, timeout=60, event_hooks={"request": [sent.append]})
    with Client(base_url, admin.client_id, admin.client_secret, http=http) as client:
        rotated = client.rotate_client_secret(who.client_id, overlap_seconds=600)
        ISSUED.add(rotated["client_secret"])
        assert rotated["previous_secret_valid_until"] is not None
        issued = client.issue_api_key(who.client_id, "client test")
        ISSUED.add(issued["api_key"])
        [listed] = client.list_api_keys(who.client_id)
        assert listed["key_id"] == issued["key_id"] and "api_key" not in listed
        assert client.revoke_api_key(who.client_id, issued["key_id"])["revoked_at"] is not None
        assert client.revoke_api_key(who.client_id, issued["key_id"])["revoked_at"] is not None  # twice is once
    # The client authenticated with HTTP Basic: no secret in any body.
    [token_request] = [r for r in sent if r.url.path == "/v1/token"]
    assert token_request.headers["authorization"].startswith("Basic ")
    assert admin.client_secret.encode() not in token_request.content
    # Both secrets work during the overlap, through the client.
    for secret in (who.client_secret, rotated["client_secret"]):
        with Client(base_url, who.client_id, secret, timeout=60) as screener:
            assert screener.screen([{"ref": "a", "name": "Nobody Stroy LLP"}]).results[0].ref == "a"
    with Client(base_url, who.client_id, who.client_secret, timeout=60) as screener, pytest.raises(Forbidden):
        screener.issue_api_key(who.client_id, "not mine to issue")


def test_rfc6749_errors_become_problems(base_url: str, actor: ActorFactory) -> None:
    who = actor("screener")
    with Client(base_url, who.client_id, "wrong-secret", timeout=60) as client, pytest.raises(Unauthorized) as refused:
        client.changes()
    assert refused.value.problem.title == "invalid_client"


def test_async_credentials(base_url: str, actor: ActorFactory) -> None:
    admin = actor("admin")
    who = actor("screener", org=admin.organisation)

    async def scenario() -> None:
        async with AsyncClient(base_url, admin.client_id, admin.client_secret, timeout=60) as client:
            rotated = await client.rotate_client_secret(who.client_id, overlap_seconds=0)
            ISSUED.add(rotated["client_secret"])
            assert rotated["previous_secret_valid_until"] is None
            issued = await client.issue_api_key(who.client_id, "async")
            ISSUED.add(issued["api_key"])
            assert [k["prefix"] for k in await client.list_api_keys(who.client_id)] == [issued["prefix"]]
            assert (await client.revoke_api_key(who.client_id, issued["key_id"]))["revoked_at"]
        async with AsyncClient(base_url, who.client_id, who.client_secret, timeout=60) as old:
            with pytest.raises(Unauthorized):
                await old.changes()

    asyncio.run(scenario())
