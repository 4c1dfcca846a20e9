"""The service's signing keys: tokens and audit checkpoints are signed with the current one (RS256).

Rotation: the new key becomes ``DEBARLIST_SIGNING_KEY_FILE`` and the old one moves to
``DEBARLIST_PREVIOUS_SIGNING_KEY_FILES``. The new key signs from the next start; the old ones
still verify (tokens until they expire, checkpoints for as long as they are kept there) and are
published in the JWKS, each under its own kid (its RFC 7638 thumbprint), so that a verifier
picks the key by the kid in the signed header."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from service.config import Settings

log = logging.getLogger("debarlist")

ALGORITHM = "RS256"


class KeyConfigurationError(RuntimeError):
    """The service refuses to start: production without a real key."""


@dataclass(frozen=True)
class VerifyingKey:
    """A public key that verifies (a retired signing key)."""

    public_pem: str
    kid: str
    jwk: dict[str, Any]


@dataclass(frozen=True)
class SigningKey:
    private_pem: str
    public_pem: str
    kid: str
    jwk: dict[str, Any]
    # Retired keys: they verify what they signed, never sign again.
    previous: tuple[VerifyingKey, ...] = ()

    def public_pem_for(self, kid: object) -> str | None:
        """The public key that verifies what ``kid`` signed, None for a key not configured here."""
        if kid == self.kid:
            return self.public_pem
        return next((key.public_pem for key in self.previous if key.kid == kid), None)

    @property
    def jwks(self) -> list[dict[str, Any]]:
        """Every key that verifies, the signing one first."""
        return [self.jwk, *(key.jwk for key in self.previous if key.kid != self.kid)]


def _b64(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _public_members(public: rsa.RSAPublicKey) -> tuple[str, str, dict[str, Any]]:
    numbers = public.public_numbers()
    members = {"e": _b64(numbers.e), "kty": "RSA", "n": _b64(numbers.n)}
    # RFC 7638 thumbprint: stable across restarts, changes when the key is rotated.
    kid = base64.urlsafe_b64encode(
        hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest()
    ).rstrip(b"=").decode()
    public_pem = public.public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    jwk = {**members, "kid": kid, "use": "sig", "alg": ALGORITHM}
    return public_pem, kid, jwk


def key_from_pem(private_pem: str) -> SigningKey:
    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey) or private.key_size < 2048:
        raise KeyConfigurationError("the signing key must be an RSA private key of at least 2048 bits")
    public_pem, kid, jwk = _public_members(private.public_key())
    return SigningKey(private_pem=private_pem, public_pem=public_pem, kid=kid, jwk=jwk)


def verifying_key_from_pem(pem: str, where: str) -> VerifyingKey:
    """A retired key from its file: the private key as it was, or only its public half."""
    try:
        if "PRIVATE KEY" in pem:
            private = serialization.load_pem_private_key(pem.encode(), password=None)
            public: object = private.public_key()
        else:
            public = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError) as exc:
        raise KeyConfigurationError(f"{where} is not a PEM RSA key") from exc
    if not isinstance(public, rsa.RSAPublicKey) or public.key_size < 2048:
        raise KeyConfigurationError(f"{where} must be an RSA key of at least 2048 bits")
    public_pem, kid, jwk = _public_members(public)
    return VerifyingKey(public_pem=public_pem, kid=kid, jwk=jwk)


def _with_previous(key: SigningKey, settings: Settings) -> SigningKey:
    previous: list[VerifyingKey] = []
    for path in settings.previous_signing_key_files:
        if not path.exists():
            raise KeyConfigurationError(f"DEBARLIST_PREVIOUS_SIGNING_KEY_FILES names {path}, which does not exist")
        retired = verifying_key_from_pem(path.read_text(), str(path))
        if retired.kid != key.kid and retired.kid not in {k.kid for k in previous}:
            previous.append(retired)
    return replace(key, previous=tuple(previous))


def generate_pem() -> str:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode()


def load_signing_key(settings: Settings) -> SigningKey:
    """The configured signing key with the retired ones that still verify."""
    return _with_previous(_load_current(settings), settings)


def _load_current(settings: Settings) -> SigningKey:
    """Load the configured key; in development create one beside the database on first start."""
    if settings.signing_key:
        return key_from_pem(settings.signing_key)
    path = settings.signing_key_file
    if path is not None and path.exists():
        return key_from_pem(path.read_text())
    if not settings.is_development:
        raise KeyConfigurationError(
            "DEBARLIST_SIGNING_KEY or an existing DEBARLIST_SIGNING_KEY_FILE is required outside "
            "development mode; refusing to start with a generated key")
    path = path or settings.default_key_path()
    if path.exists():
        return key_from_pem(path.read_text())
    return key_from_pem(_create_once(path, generate_pem()))


def _create_once(path: Path, pem: str) -> str:
    """Write ``pem`` to ``path`` unless another process got there first; return the key in it.

    Written whole to a private temporary file, then linked into place (atomic, and refused
    when the name exists): two instances started together end with one key, and neither ever
    reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Owner-only from the first byte: the key never sits world-readable on disk.
    fd, temporary = tempfile.mkstemp(prefix=".debarlist-key-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_text()
    finally:
        os.unlink(temporary)
    log.warning("development mode: generated a signing key at %s", path)
    return pem
