"""Test harness: a real database (SQLite file, or PostgreSQL from DEBARLIST_DATABASE_URL),
migrated with Alembic, and the real app reached over HTTP through the ASGI transport."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.migrate import scratch_database
from tests.support import Actor, Harness

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from service.auth.keys import generate_pem

    path = tmp_path_factory.mktemp("keys") / "signing.pem"
    path.write_text(generate_pem())
    return path


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session's database: DEBARLIST_DATABASE_URL when set (CI points it at PostgreSQL)."""
    from service.migrate import upgrade

    url = os.environ.get("DEBARLIST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'debarlist-test.db'}")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def harness(db_url: str, key_file: Path) -> Iterator[Harness]:
    h = Harness.start(db_url, key_file)
    yield h
    h.close()


@pytest.fixture(scope="session")
def app(harness: Harness) -> FastAPI:
    return harness.app


@pytest.fixture(scope="session")
def client(harness: Harness) -> TestClient:
    return harness.client


@pytest.fixture
def org(harness: Harness) -> str:
    """A fresh organisation for the test, so tests never see each other's entries."""
    return harness.new_org()


@pytest.fixture
def actor(harness: Harness) -> Callable[..., Actor]:
    """``actor("contributor", org="KZ")``: a client with the given roles and a valid token."""
    return harness.actor


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[str]:
    """A brand-new migrated database of the same backend, for tests that tamper with it."""
    base = os.environ.get("DEBARLIST_DATABASE_URL")
    with scratch_database(base, tmp_path, "t" + secrets.token_hex(4)) as url:
        yield url
