"""Client secrets: generated with the OS CSPRNG, stored only as argon2id hashes."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified when the client id is unknown, so that a wrong id and a wrong secret take as long.
_DUMMY_HASH = _hasher.hash("debarlist-dummy-secret")


def new_client_id() -> str:
    return "dl_" + secrets.token_hex(10)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    try:
        return _hasher.verify(secret_hash or _DUMMY_HASH, secret) and secret_hash is not None
    except (VerificationError, InvalidHashError):
        return False
