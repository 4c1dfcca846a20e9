"""Shared test helpers: start the app on a database, make organisations, clients and tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import create_app
from service.auth.schemas import ClientCreate, OrganisationCreate
from service.auth.service import create_client, create_organisation
from service.config import Settings
from service.kernel.roles import Role
from service.kernel.uow import SYSTEM, Tx

# Every client secret and token the harness issued or saw issued (POST /v1/clients and
# /v1/token answers): the suite's whole log is checked for them at the end (tests/conftest.py).
ISSUED: set[str] = set()
SECRET_FIELDS = ("client_secret", "access_token")


def remember_secrets(response: Any) -> None:
    """httpx response hook: keep the credentials a token or client-creation answer carries."""
    path = response.request.url.path
    if response.request.method != "POST" or not (path.endswith("/v1/token") or "/v1/clients" in path):
        return
    response.read()
    try:
        body = response.json()
    except ValueError:
        return
    if isinstance(body, dict):
        ISSUED.update(str(body[name]) for name in SECRET_FIELDS if body.get(name))


@dataclass
class Actor:
    client_id: str
    client_secret: str
    organisation: str
    roles: tuple[str, ...]
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Harness:
    app: FastAPI
    client: TestClient
    settings: Settings
    _orgs: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, db_url: str, key_file: Path, **overrides: Any) -> Harness:
        settings = Settings(database_url=db_url, signing_key_file=key_file, env="development", **overrides)
        app = create_app(settings)
        client = TestClient(app, raise_server_exceptions=False)
        client.event_hooks["response"].append(remember_secrets)
        client.__enter__()
        return cls(app=app, client=client, settings=settings)

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        self.app.state.engine.dispose()

    def new_org(self, *, requires_review: bool = False, kind: str = "state", requires_totp: bool = False) -> str:
        code = "T" + secrets.token_hex(4).upper()
        with self.app.state.session_factory() as session:
            tx = Tx(session=session, actor=SYSTEM)
            create_organisation(tx, OrganisationCreate(code=code, name=f"Test {code}", kind=kind,  # type: ignore[arg-type]
                                                       requires_review=requires_review, requires_totp=requires_totp))
            tx.commit()
        return code

    def actor(self, *roles: str, org: str | None = None) -> Actor:
        org = org or self.new_org()
        with self.app.state.session_factory() as session:
            tx = Tx(session=session, actor=SYSTEM)
            created = create_client(tx, ClientCreate(organisation=org, name="test",
                                                     roles=[Role(r) for r in roles]))
            tx.commit()
        ISSUED.add(created.client_secret)
        token = self.token(created.client_id, created.client_secret)
        return Actor(created.client_id, created.client_secret, org, tuple(roles), token)

    def token(self, client_id: str, secret: str) -> str:
        response = self.client.post("/v1/token", data={"grant_type": "client_credentials",
                                                       "client_id": client_id, "client_secret": secret})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


def entry_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "company", "name": "ТОО «Алатау Строй»", "aliases": ["Alatau Stroy LLP"], "country": "KZ",
        "identifiers": [{"scheme": "bin", "value": "123456789012"}], "listing": "debarred",
        "grounds": ["forced_labour"], "legal_basis": "Public Procurement Act, art. 12",
        "decision_ref": "MF-2026/117", "decided_on": "2026-03-02",
        "evidence": [{"title": "Decision", "url": "https://example.gov/decisions/117.pdf"}],
        "starts_on": "2026-03-15", "ends_on": None, "visibility": "members",
        "external_ref": "ref-" + secrets.token_hex(4),
    }
    body.update(overrides)
    return body


@contextmanager
def live_server(app: FastAPI, *, access_log: bool = False) -> Iterator[str]:
    """Serve ``app`` with a real uvicorn on a free loopback port; yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="info" if access_log else "warning",
                                           lifespan="off", access_log=access_log, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


_SYLLABLES = {"ка": "ka", "ро": "ro", "ту": "tu", "ми": "mi", "ле": "le", "на": "na", "зо": "zo", "бу": "bu",
              "ви": "vi", "да": "da", "ше": "she", "го": "go", "пу": "pu", "ры": "ry", "се": "se", "фа": "fa"}


def unique_bin() -> str:
    """A Kazakh BIN (12 digits) no other test uses: tests sharing one database that match by
    identifier must not find each other's entries."""
    return "".join(secrets.choice("0123456789") for _ in range(12))


def unique_lei() -> str:
    """A valid LEI (ISO 17442: 18 characters and two ISO 7064 mod 97-10 check digits) no other test uses."""
    from stdnum.iso7064 import mod_97_10

    base = "5493" + "".join(secrets.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(14))
    return base + mod_97_10.calc_check_digits(base)


def unique_word() -> tuple[str, str]:
    """A made-up word no other test uses, in Cyrillic and in its Latin transliteration, so that
    tests sharing one database never match each other's entries."""
    picked = [secrets.choice(list(_SYLLABLES)) for _ in range(5)]
    cyrillic = "".join(picked)
    latin = "".join(_SYLLABLES[s] for s in picked)
    return cyrillic.capitalize(), latin.capitalize()


def command_lines(stderr: str) -> list[str]:
    """A command's own lines on stderr. While CliRunner holds ``sys.stderr``, the shared test app's
    background loops (monitoring, webhook delivery) may log there too: their JSON log records are
    not the command's output (a real ``debarlist`` process runs no such loop)."""
    return [line for line in stderr.splitlines() if not (line.startswith('{"') and '"logger": ' in line)]
