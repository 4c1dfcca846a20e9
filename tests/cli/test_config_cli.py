"""Configuration refusals and the operator's command line (orgs, clients, import)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.app import create_app
from service.auth.keys import KeyConfigurationError, generate_pem
from service.cli import app as cli
from service.config import Settings, get_settings

PUBLISHED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "published"


def test_production_without_a_key_refuses_to_start(fresh_db: str, tmp_path: Path) -> None:
    with pytest.raises(KeyConfigurationError):
        create_app(Settings(env="production", database_url=fresh_db, signing_key=None, signing_key_file=None))
    with pytest.raises(KeyConfigurationError):  # a configured file that is missing is no key either
        create_app(Settings(env="production", database_url=fresh_db, signing_key_file=tmp_path / "missing.pem"))


def test_production_with_a_key_in_the_environment_starts(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pem = generate_pem()
    monkeypatch.setenv("DEBARLIST_SIGNING_KEY", pem)
    monkeypatch.setenv("DEBARLIST_ENV", "production")
    monkeypatch.setenv("DEBARLIST_DATABASE_URL", fresh_db)
    settings = Settings()
    assert settings.env == "production" and "BEGIN" not in repr(settings)  # the key stays out of logs
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        jwk = client.get("/.well-known/jwks.json").json()["keys"][0]
    assert jwk["kid"] == app.state.signing_key.kid
    app.state.engine.dispose()


def test_weak_or_garbage_keys_are_refused(fresh_db: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    with pytest.raises(KeyConfigurationError):
        create_app(Settings(env="production", database_url=fresh_db, signing_key=weak))
    with pytest.raises((KeyConfigurationError, ValueError)):
        create_app(Settings(env="production", database_url=fresh_db, signing_key="not a pem"))


@pytest.fixture
def cli_env(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DEBARLIST_DATABASE_URL", fresh_db)
    get_settings.cache_clear()
    yield fresh_db
    get_settings.cache_clear()


def test_orgs_and_clients_commands_make_working_credentials(cli_env: str, tmp_path: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(cli, ["orgs", "add", "KZ", "--name", "Republic of Kazakhstan"])
    assert added.exit_code == 0, added.output
    again = runner.invoke(cli, ["orgs", "add", "KZ", "--name", "Again"])
    assert again.exit_code == 1 and "already exists" in again.output
    bad = runner.invoke(cli, ["orgs", "add", "kz!", "--name", "x"])
    assert bad.exit_code != 0
    listed = runner.invoke(cli, ["orgs", "list"])
    assert "KZ" in listed.output
    made = runner.invoke(cli, ["clients", "add", "--org", "KZ", "--roles", "contributor,screener", "--json"])
    assert made.exit_code == 0, made.output
    credentials = json.loads(made.stdout.strip().splitlines()[-1])
    assert set(credentials) == {"client_id", "client_secret"}
    assert runner.invoke(cli, ["clients", "add", "--org", "NOPE", "--roles", "screener"]).exit_code == 1
    assert runner.invoke(cli, ["clients", "add", "--org", "KZ", "--roles", "emperor"]).exit_code != 0
    app = create_app(Settings(database_url=cli_env, signing_key_file=tmp_path / "k.pem"))
    with TestClient(app) as client:
        token = client.post("/v1/token", data={"grant_type": "client_credentials", **credentials})
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert client.get("/v1/entries", headers=headers).status_code == 200
    app.state.engine.dispose()


def _counts(output: str) -> tuple[int, int, int, int]:
    match = re.search(r"(\d+) rows, (\d+) created, (\d+) updated, (\d+) unchanged", output)
    assert match, output
    rows, created, updated, unchanged = (int(g) for g in match.groups())
    return rows, created, updated, unchanged


@pytest.mark.skipif(not PUBLISHED.is_dir(), reason="shared published lists not available")
@pytest.mark.parametrize(("filename", "fmt"), [("ebrd-ineligible.csv", "ebrd"), ("idb-sanctioned.xlsx", "idb"),
                                               ("worldbank-ineligible-2025-07-01.xlsx", "worldbank")])
def test_import_a_published_list_twice_changes_nothing_the_second_time(filename: str, fmt: str,
                                                                       cli_env: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["orgs", "add", "EBRD", "--name", "EBRD", "--kind", "organisation"]).exit_code == 0
    path = str(PUBLISHED / filename)
    first = runner.invoke(cli, ["import", path, "--format", fmt, "--org", "EBRD"])
    assert first.exit_code == 0, first.output
    rows, created, updated, _ = _counts(first.stdout)
    assert rows > 1000 and created > 1000 and updated == 0
    second = runner.invoke(cli, ["import", path, "--format", fmt, "--org", "EBRD", "--json"])
    assert second.exit_code == 0, second.output
    report = json.loads(second.stdout)
    assert (report["created"], report["updated"]) == (0, 0)
    assert report["unchanged"] == created and report["rows"] == rows
    wrong_org = runner.invoke(cli, ["import", path, "--format", fmt, "--org", "NOPE"])
    assert wrong_org.exit_code == 1 and "NOPE" in wrong_org.output
    wrong_format = runner.invoke(cli, ["import", path, "--format", "pdf", "--org", "EBRD"])
    assert wrong_format.exit_code != 0
