"""Fixtures shared by the foundation tests: one client per single role, made once per module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import Actor, Harness, entry_body

ROLES = ("admin", "contributor", "screener", "auditor", "reviewer")


@pytest.fixture(scope="module")
def home_org(harness: Harness) -> str:
    return harness.new_org()


@pytest.fixture(scope="module")
def role_actors(harness: Harness, home_org: str) -> dict[str, Actor]:
    """One client per role, all of the same organisation."""
    return {role: harness.actor(role, org=home_org) for role in ROLES}


@pytest.fixture
def make_entry(client: TestClient) -> Callable[..., dict[str, Any]]:
    """``make_entry(actor, name=...)``: create an entry through the API and return its JSON."""

    def make(who: Actor, **overrides: Any) -> dict[str, Any]:
        response = client.post("/v1/entries", json=entry_body(**overrides), headers=who.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make
