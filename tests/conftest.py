"""Test harness: a real database (SQLite file, or PostgreSQL from DEBARLIST_DATABASE_URL),
migrated with Alembic, and the real app reached over HTTP through the ASGI transport."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.migrate import scratch_database
from tests.kit import ROLES, Kit
from tests.support import Actor, Harness, entry_body

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# The whole suite's log (every logger, rendered as the service renders it) goes to one file;
# at the end no secret or token the harness issued may appear in it (tests.support.ISSUED).
_SUITE_LOG: dict[str, Any] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    import logging
    import tempfile

    from service.observability.logs import formatter

    path = Path(os.environ.get("DEBARLIST_TEST_LOG") or Path(tempfile.mkdtemp(prefix="debarlist-log-")) / "suite.log")
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(formatter("json"))
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    _SUITE_LOG.update(path=path, handler=handler)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import logging

    from tests.support import ISSUED

    handler = _SUITE_LOG.get("handler")
    if handler is None:
        return
    logging.getLogger().removeHandler(handler)
    handler.close()
    text = _SUITE_LOG["path"].read_text(encoding="utf-8")
    leaked = sorted(s for s in ISSUED if s in text)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.ensure_newline()
    if leaked:
        if reporter:
            reporter.write_line(f"FAILED: {len(leaked)} of {len(ISSUED)} issued secrets appear in the suite's "
                                f"log {_SUITE_LOG['path']} (e.g. one ending …{leaked[0][-6:]})", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif reporter:
        reporter.write_line(f"log check: none of the {len(ISSUED)} secrets and tokens issued appears in the "
                            f"suite's {len(text):,} bytes of log")


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


@pytest.fixture
def kit(client: TestClient, harness: Harness) -> Kit:
    return Kit(client=client, harness=harness)


@pytest.fixture
def review_org(harness: Harness) -> Callable[[], str]:
    """A fresh four-eyes organisation."""
    return lambda: harness.new_org(requires_review=True)


@pytest.fixture(scope="module")
def home_org(harness: Harness) -> str:
    return harness.new_org()


@pytest.fixture(scope="module")
def role_actors(harness: Harness, home_org: str) -> dict[str, Actor]:
    """One client per role, all of the same organisation, made once per module."""
    return {role: harness.actor(role, org=home_org) for role in ROLES}


@pytest.fixture
def make_entry(client: TestClient) -> Callable[..., dict[str, Any]]:
    """``make_entry(actor, name=...)``: create an entry through the API and return its JSON."""

    def make(who: Actor, **overrides: Any) -> dict[str, Any]:
        response = client.post("/v1/entries", json=entry_body(**overrides), headers=who.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make
