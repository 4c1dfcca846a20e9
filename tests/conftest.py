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

# argon2-cffi's profile for tests: the production profile costs a third of a CPU second per
# client created or token issued, most of the suite's time (tests/auth/test_secrets.py checks
# the production default). Servers the tests start as subprocesses inherit it.
os.environ.setdefault("DEBARLIST_SECRET_HASH_PROFILE", "cheapest")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# The whole suite's log (every logger, rendered as the service renders it) goes to one file per
# process; at the end no secret or token the harness issued may appear in it (tests.support.ISSUED).
# Under pytest-xdist each worker checks its own log and reports to the controller, which fails
# the run if any worker found a leak.
_SUITE_LOG: dict[str, Any] = {}
_WORKER_CHECKS: list[dict[str, Any]] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    import logging
    import tempfile

    from service.observability.logs import formatter

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    given = os.environ.get("DEBARLIST_TEST_LOG")
    path = (Path(f"{given}.{worker}") if given and worker else Path(given) if given
            else Path(tempfile.mkdtemp(prefix="debarlist-log-")) / "suite.log")
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(formatter("json"))
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    _SUITE_LOG.update(path=path, handler=handler)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the xdist controller: collect a worker's log check."""
    check = getattr(node, "workeroutput", {}).get("log_check")
    if check is not None:
        _WORKER_CHECKS.append(check)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import logging

    from tests.support import ISSUED

    handler = _SUITE_LOG.get("handler")
    if handler is None:
        return
    logging.getLogger().removeHandler(handler)
    handler.close()
    text = _SUITE_LOG["path"].read_text(encoding="utf-8")
    check = {"issued": len(ISSUED), "bytes": len(text), "log": str(_SUITE_LOG["path"]),
             "leaked": [s[-6:] for s in sorted(ISSUED) if s in text]}
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports
        workeroutput["log_check"] = check
        return
    checks = [*_WORKER_CHECKS, check]
    leaked = [(c["log"], tail) for c in checks for tail in c["leaked"]]
    issued, size = sum(c["issued"] for c in checks), sum(c["bytes"] for c in checks)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.ensure_newline()
    if leaked:
        if reporter:
            reporter.write_line(f"FAILED: {len(leaked)} of {issued} issued secrets appear in the suite's log "
                                f"{leaked[0][0]} (e.g. one ending …{leaked[0][1]})", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif reporter:
        reporter.write_line(f"log check: none of the {issued} secrets and tokens issued appears in the "
                            f"suite's {size:,} bytes of log")


@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from service.auth.keys import generate_pem

    path = tmp_path_factory.mktemp("keys") / "signing.pem"
    path.write_text(generate_pem())
    return path


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The session's database: DEBARLIST_DATABASE_URL when set (CI points it at PostgreSQL).

    Under pytest-xdist each worker process has a database of its own on the same server
    (``<name>_gw0``, ...), dropped at the end, so workers never see each other's rows.
    """
    from sqlalchemy.engine import make_url

    from service.migrate import upgrade

    base = os.environ.get("DEBARLIST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if base and worker and not base.startswith("sqlite"):
        name = f"{make_url(base).database}_{worker}_{secrets.token_hex(3)}"
        with scratch_database(base, tmp_path_factory.mktemp("db"), name) as url:
            yield url
        return
    url = base or f"sqlite:///{tmp_path_factory.mktemp('db') / 'debarlist-test.db'}"
    upgrade(url)
    yield url


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
def own(tmp_path: Path, key_file: Path) -> Iterator[Harness]:
    """A database and app of the test's own, on the same backend, dropped afterwards.

    For tests that read the whole list rather than their own organisation's part of it (the
    export, a mirror of the change feed from revision 0, the data catalog): on the shared
    database their answer, and their time, would grow with every test before them on the
    worker (a mirror from zero took 74 s at the end of a run, under 1 s on its own database).
    """
    with scratch_database(os.environ.get("DEBARLIST_DATABASE_URL"), tmp_path, "own" + secrets.token_hex(4)) as url:
        own = Harness.start(url, key_file)
        try:
            yield own
        finally:
            own.close()


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
