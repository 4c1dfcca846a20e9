"""A live server (real uvicorn on loopback) for the bidder-list tests, and a way to count receipts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.app import create_app
from service.screening.models import Screening
from tests.support import Actor, Harness, live_server


@dataclass
class Served:
    url: str
    app: FastAPI
    screener: Actor

    def receipts(self, tender_ref: str) -> int:
        """Screenings stored for ``tender_ref``: a batch screened twice would count twice."""
        with self.app.state.session_factory() as session:
            return int(session.scalar(select(func.count()).select_from(Screening)
                                      .where(Screening.tender_ref == tender_ref)) or 0)


@pytest.fixture(scope="module")
def served(harness: Harness) -> Iterator[Served]:
    with live_server(harness.app) as url:
        yield Served(url, harness.app, harness.actor("screener"))


@pytest.fixture(scope="module")
def short_tokens(harness: Harness) -> Iterator[Served]:
    """The same database served by an app whose tokens live 2 seconds (below the settings' floor
    of 60, so the issue's 60-second token is reproduced without waiting a minute)."""
    settings = harness.settings.model_copy(update={"token_ttl_seconds": 2, "monitoring_interval_seconds": 0})
    app = create_app(settings)
    with TestClient(app) as started, live_server(app) as url:  # TestClient: the index is built
        assert started.get("/healthz").status_code == 200
        yield Served(url, app, harness.actor("screener"))
    app.state.engine.dispose()


@pytest.fixture
def listed(harness: Harness, actor: Callable[..., Actor]) -> Callable[..., dict[str, Any]]:
    """``listed(name)``: an entry created through the API, returned as the API answered it."""
    from tests.support import entry_body

    contributor = actor("contributor")

    def create(name: str, **fields: Any) -> dict[str, Any]:
        response = harness.client.post("/v1/entries", json=entry_body(name=name, aliases=[], identifiers=[],
                                                                     **fields), headers=contributor.headers)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return create
