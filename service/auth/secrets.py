"""Client secrets: generated with the OS CSPRNG, stored only as argon2id hashes.

The argon2 cost is a setting (``DEBARLIST_SECRET_HASH_PROFILE``, one of argon2-cffi's profiles),
read from the environment when the first secret is hashed or checked, for the whole process: an
operator tunes it to the hardware, and the test suite asks for argon2-cffi's ``CHEAPEST``
profile, made for tests, instead of spending a third of a CPU second on every client it creates.
A hash carries its own parameters, so secrets hashed under one profile still verify under another.
"""

from __future__ import annotations

import os
import secrets
from functools import cache
from typing import Final, get_args

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from service.config import DEFAULT_SECRET_HASH_PROFILE as DEFAULT_PROFILE
from service.config import SecretHashProfile

PROFILES: Final[dict[SecretHashProfile, Parameters]] = {
    "rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY,  # argon2-cffi's default: t=3, 64 MiB, p=4
    "rfc9106-high-memory": profiles.RFC_9106_HIGH_MEMORY,  # t=1, 2 GiB, p=4
    "cheapest": profiles.CHEAPEST,  # for tests only
}
assert set(PROFILES) == set(get_args(SecretHashProfile)), "every profile the settings admit has parameters"
PROFILE_VARIABLE: Final = "DEBARLIST_SECRET_HASH_PROFILE"


def hasher_for(profile: str) -> PasswordHasher:
    parameters = PROFILES.get(profile)  # type: ignore[call-overload]
    if parameters is None:
        raise ValueError(f"{PROFILE_VARIABLE} must be one of {', '.join(PROFILES)}, not {profile!r}")
    return PasswordHasher.from_parameters(parameters)


@cache
def _hasher() -> tuple[PasswordHasher, str]:
    """The process's hasher, and the hash verified when a client id is unknown, so that a wrong
    id and a wrong secret take as long."""
    hasher = hasher_for(os.environ.get(PROFILE_VARIABLE, DEFAULT_PROFILE))
    return hasher, hasher.hash("debarlist-dummy-secret")


def new_client_id() -> str:
    return "dl_" + secrets.token_hex(10)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return _hasher()[0].hash(secret)


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    hasher, dummy = _hasher()
    try:
        return hasher.verify(secret_hash or dummy, secret) and secret_hash is not None
    except (VerificationError, InvalidHashError):
        return False
