"""Signing-key rotation: a new key signs, retired keys verify (tokens, audit checkpoints) while
they are configured and are published in the JWKS; a key taken out verifies nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from jose import jwt

from service.auth.keys import KeyConfigurationError, generate_pem, key_from_pem
from service.config import Settings
from tests.support import ISSUED, Harness, live_server

# A live server on a busy machine: the first screening loads the engine, argon2 takes its time.
HTTP = httpx.Client(timeout=60.0)


def _key(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.pem"
    path.write_text(generate_pem())
    return path


def _public_only(private: Path, tmp_path: Path) -> Path:
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    path = tmp_path / f"{private.stem}.pub.pem"
    path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def _token(url: str, client_id: str, secret: str) -> str:
    response = HTTP.post(f"{url}/v1/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    assert response.status_code == 200, response.text
    token = str(response.json()["access_token"])
    ISSUED.add(token)
    return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("retired_as", ["private", "public"])
def test_old_key_verifies_after_rotation_and_not_once_removed(fresh_db: str, tmp_path: Path,
                                                              retired_as: str) -> None:
    old, new = _key(tmp_path, "old"), _key(tmp_path, "new")
    old_kid, new_kid = key_from_pem(old.read_text()).kid, key_from_pem(new.read_text()).kid
    before = Harness.start(fresh_db, old)
    try:
        reader = before.actor("screener")
        auditor = before.actor("auditor", org=reader.organisation)
        with live_server(before.app) as url:
            old_token = _token(url, reader.client_id, reader.client_secret)
            checkpoint = HTTP.post(f"{url}/v1/audit/checkpoints", headers=_bearer(auditor.token)).json()["jws"]
    finally:
        before.close()
    assert jwt.get_unverified_header(old_token)["kid"] == old_kid

    retired = old if retired_as == "private" else _public_only(old, tmp_path)
    rotated = Harness.start(fresh_db, new, previous_signing_key_files=[retired])
    try:
        with live_server(rotated.app) as url:
            assert [k["kid"] for k in HTTP.get(f"{url}/.well-known/jwks.json").json()["keys"]] == [new_kid, old_kid]
            # A token issued before the rotation still works; new ones are signed with the new key.
            assert HTTP.get(f"{url}/v1/organisations", headers=_bearer(old_token)).status_code == 200
            new_token = _token(url, reader.client_id, reader.client_secret)
            assert jwt.get_unverified_header(new_token)["kid"] == new_kid
            assert HTTP.get(f"{url}/v1/organisations", headers=_bearer(new_token)).status_code == 200
            # The checkpoint the old key signed verifies by its kid; a new one is signed with the new key.
            auditor_token = _token(url, auditor.client_id, auditor.client_secret)
            report = HTTP.get(f"{url}/v1/audit/verify", params={"checkpoint": checkpoint},
                               headers=_bearer(auditor_token))
            assert report.status_code == 200 and report.json()["ok"] is True, report.text
            fresh = HTTP.post(f"{url}/v1/audit/checkpoints", headers=_bearer(auditor_token)).json()["jws"]
            assert jwt.get_unverified_header(fresh)["kid"] == new_kid
    finally:
        rotated.close()

    removed = Harness.start(fresh_db, new)
    try:
        with live_server(removed.app) as url:
            assert [k["kid"] for k in HTTP.get(f"{url}/.well-known/jwks.json").json()["keys"]] == [new_kid]
            refused = HTTP.get(f"{url}/v1/organisations", headers=_bearer(old_token))
            assert refused.status_code == 401 and "unknown signing key" in refused.json()["detail"]
            assert HTTP.get(f"{url}/v1/organisations", headers=_bearer(new_token)).status_code == 200
            auditor_token = _token(url, auditor.client_id, auditor.client_secret)
            stale = HTTP.get(f"{url}/v1/audit/verify", params={"checkpoint": checkpoint},
                              headers=_bearer(auditor_token))
            assert stale.status_code == 422, stale.text
    finally:
        removed.close()


def test_previous_keys_setting_is_comma_separated_and_checked(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from service.auth.keys import load_signing_key

    current, first, second = _key(tmp_path, "current"), _key(tmp_path, "first"), _key(tmp_path, "second")
    monkeypatch.setenv("DEBARLIST_SIGNING_KEY_FILE", str(current))
    monkeypatch.setenv("DEBARLIST_PREVIOUS_SIGNING_KEY_FILES", f"{first}, {second},{current}")
    key = load_signing_key(Settings())
    assert [k["kid"] for k in key.jwks] == [key_from_pem(p.read_text()).kid for p in (current, first, second)]
    monkeypatch.setenv("DEBARLIST_PREVIOUS_SIGNING_KEY_FILES", str(tmp_path / "missing.pem"))
    with pytest.raises(KeyConfigurationError, match="does not exist"):
        load_signing_key(Settings())
    (tmp_path / "junk.pem").write_text("not a key")
    monkeypatch.setenv("DEBARLIST_PREVIOUS_SIGNING_KEY_FILES", str(tmp_path / "junk.pem"))
    with pytest.raises(KeyConfigurationError, match="not a PEM RSA key"):
        load_signing_key(Settings())
