"""Issue and verify the service's access tokens (JWT, RS256, short-lived, with kid)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError

from service.auth.keys import ALGORITHM, SigningKey
from service.config import Settings
from service.kernel.errors import Unauthorized


@dataclass(frozen=True, slots=True)
class TokenClaims:
    client_id: str
    organisation: str
    roles: tuple[str, ...]
    jti: str


def issue_token(key: SigningKey, settings: Settings, *, client_id: str, organisation: str,
                roles: list[str]) -> tuple[str, int]:
    now = int(time.time())
    ttl = settings.token_ttl_seconds
    claims = {
        "iss": settings.issuer, "aud": settings.audience, "sub": client_id,
        "iat": now, "nbf": now, "exp": now + ttl, "jti": secrets.token_urlsafe(12),
        "org": organisation, "roles": sorted(roles),
    }
    token = jwt.encode(claims, key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid})
    return token, ttl


@lru_cache(maxsize=16)
def _verifier(public_pem: str) -> Key:
    # Parsed once per key, not on every request: jose parses a PEM string on each decode, which
    # was two thirds of a token's verification (150 against 57 µs).
    return jwk.construct(public_pem, ALGORITHM)


def verify_token(token: str, key: SigningKey, settings: Settings) -> TokenClaims:
    """Reject anything but an RS256 token signed by one of our keys for our audience."""
    try:
        header = jwt.get_unverified_header(token)
    except JOSEError as exc:
        raise Unauthorized("malformed token") from exc
    # Checked before the signature: "none" and HS256-with-the-public-key never reach jose.
    if header.get("alg") != ALGORITHM:
        raise Unauthorized("token algorithm not accepted")
    # The signing key or a retired one that still verifies (service.auth.keys), chosen by kid.
    public_pem = key.public_pem_for(header.get("kid"))
    if public_pem is None:
        raise Unauthorized("unknown signing key")
    try:
        claims: dict[str, Any] = jwt.decode(
            token, _verifier(public_pem), algorithms=[ALGORITHM], audience=settings.audience,
            issuer=settings.issuer,
            options={"require_exp": True, "require_iat": True, "require_nbf": True,
                     "require_sub": True, "require_aud": True, "require_iss": True,
                     "require_jti": True, "leeway": 0})
    except ExpiredSignatureError as exc:
        raise Unauthorized("token expired") from exc
    except JWTClaimsError as exc:
        raise Unauthorized(f"token claims rejected: {exc}") from exc
    except JOSEError as exc:
        raise Unauthorized("token signature or format invalid") from exc
    roles = claims.get("roles")
    org = claims.get("org")
    if not isinstance(roles, list) or not isinstance(org, str):
        raise Unauthorized("token lacks organisation or roles")
    return TokenClaims(client_id=str(claims["sub"]), organisation=org,
                       roles=tuple(str(r) for r in roles), jti=str(claims["jti"]))
