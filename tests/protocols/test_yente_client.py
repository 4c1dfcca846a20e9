"""The published yente client (``yente-client`` from PyPI, OpenSanctions') against the live app."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from yente_client import Client
from yente_client.entities import Company, Person
from yente_client.exceptions import AuthenticationError, NotFoundError

from tests.support import Actor, entry_body, live_server, unique_word


def test_yente_client_matches_fetches_and_lists(app: FastAPI, client: TestClient,
                                                actor: Callable[..., Actor]) -> None:
    contributor = actor("contributor")
    _, latin = unique_word()
    entry = client.post("/v1/entries", json=entry_body(name=f"{latin} Stroy LLP", aliases=[]),
                        headers=contributor.headers).json()
    screener = actor("screener", "contributor")
    with live_server(app) as url, Client(base_url=url, headers={"Authorization": f"Bearer {screener.token}"}) as yc:
        found = yc.match(Company(name=f"{latin} Stroy", country="kz"))
        assert found.top is not None and found.top.id == f"debarlist-{entry['id']}"
        assert found.top.match and found.top.explanations["name_match"].score > 0.7
        assert found.query["properties"]["name"] == [f"{latin} Stroy"]
        assert yc.match(Person(name=f"{latin} Nobody Person")).results == []
        narrowed = yc.match(Company(name=f"{latin} Stroy"), datasets=[contributor.organisation.lower()],
                            exclude_entities=[found.top.id])
        assert narrowed.results == []
        fetched = yc.fetch(found.top.id)
        assert fetched.caption == entry["name"] and fetched.datasets == [contributor.organisation.lower()]
        algorithms = yc.algorithms()
        assert algorithms.best == algorithms.algorithms[0].name
        catalog = yc.datasets()
        assert catalog.datasets[0].name == "default" and catalog.datasets[0].load
        with pytest.raises(NotFoundError):
            yc.fetch("debarlist-does-not-exist")
    with live_server(app) as url, Client(base_url=url) as anonymous, pytest.raises(AuthenticationError):
        anonymous.match(Company(name="Anything"))
