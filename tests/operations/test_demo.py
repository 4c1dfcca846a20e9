"""The demo's client: its secret kept in a 0600 file (never printed), reused while it works,
replaced loudly when it does not, and a second demo on a busy port changes nothing."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.app import create_app
from service.auth.models import ApiClient
from service.cli import DEMO_CLIENT, demo_banner, demo_client
from service.config import Settings
from service.kernel.db import make_engine, make_session_factory


@pytest.fixture
def demo_db(fresh_db: str) -> str:
    return fresh_db


def _enabled_demo_clients(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.execute(select(ApiClient.id).where(ApiClient.name == DEMO_CLIENT,
                                                                   ApiClient.disabled.is_(False))).scalars())
    finally:
        engine.dispose()


def _token_status(url: str, key: Path, client_id: str, secret: str) -> int:
    app = create_app(Settings(database_url=url, signing_key_file=key, env="development"))
    try:
        with TestClient(app) as client:
            return client.post("/v1/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                  "client_secret": secret}).status_code
    finally:
        app.state.engine.dispose()


def test_the_demo_client_is_kept_private_reused_and_replaced_loudly(demo_db: str, key_file: Path,
                                                                     tmp_path: Path) -> None:
    factory = make_session_factory(make_engine(demo_db))
    file = tmp_path / "demo-credentials.json"
    first = demo_client(factory, file)
    assert not first.reused and first.replaced == ()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert json.loads(file.read_text()) == {"client_id": first.client_id, "client_secret": first.client_secret}
    banner = demo_banner(first, file, "127.0.0.1", 8000)
    assert first.client_id in banner and str(file) in banner and first.client_secret not in banner

    second = demo_client(factory, file)  # the next start: the same credentials keep working
    assert second.reused and second.client_id == first.client_id and _enabled_demo_clients(demo_db) == [first.client_id]
    assert _token_status(demo_db, key_file, first.client_id, first.client_secret) == 200
    assert "reused" in demo_banner(second, file, "127.0.0.1", 8000)

    file.write_text(json.dumps({"client_id": first.client_id, "client_secret": "not-the-secret"}))
    os.chmod(file, 0o644)
    third = demo_client(factory, file)  # the file no longer works: a new client, the old one named
    assert not third.reused and third.replaced == (first.client_id,)
    assert f"replaced and disabled the previous demo client {first.client_id}" in demo_banner(third, file, "h", 1)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert _enabled_demo_clients(demo_db) == [third.client_id]
    assert _token_status(demo_db, key_file, first.client_id, first.client_secret) == 401


def test_a_second_demo_on_a_busy_port_changes_nothing(demo_db: str, tmp_path: Path) -> None:
    factory = make_session_factory(make_engine(demo_db))
    file = tmp_path / "demo-credentials.json"
    running = demo_client(factory, file)
    before = file.read_bytes()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "DEBARLIST_DATABASE_URL": demo_db}
        second = subprocess.run([sys.executable, "-m", "service.cli", "serve", "--demo", "--port", str(port)],
                                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 1, second.stderr
    assert f"127.0.0.1:{port} is already in use" in second.stderr and "nothing was changed" in second.stderr
    assert file.read_bytes() == before
    assert _enabled_demo_clients(demo_db) == [running.client_id]
    assert running.client_secret not in second.stdout + second.stderr
