"""OAuth 2.0 at the token endpoint, as OAuth libraries speak it.

- Client authentication (RFC 6749 2.3.1): ``client_secret_basic`` (HTTP Basic, the id and secret
  each form-url-encoded before they are joined, as the RFC requires and authlib, httpx-auth and
  requests-oauthlib do) or ``client_secret_post`` (form fields); never both in one request.
- Errors (RFC 6749 5.2): ``{"error": ..., "error_description": ...}`` as ``application/json``,
  not problem+json: the protocol defines its own error body, and OAuth clients parse it. The
  token route's class (``service.auth.router``) answers every failure of that route so, request
  validation included, so the app's problem handlers never see them.
- Scopes are role names: a client may ask for a token carrying a subset of its roles.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote_plus

from pydantic import BaseModel, Field

from service.kernel.roles import Role

AuthMethod = Literal["client_secret_basic", "client_secret_post"]
AUTH_METHODS: tuple[AuthMethod, ...] = ("client_secret_basic", "client_secret_post")
GRANT_TYPES = ("client_credentials",)
# RFC 6749 5.1: token responses (and errors) are never cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="debarlist", charset="UTF-8"'}


class OAuthError(Exception):
    """An RFC 6749 5.2 error: 400, or 401 with a Basic challenge for ``invalid_client``."""

    def __init__(self, error: str, description: str, *, status: int = 400,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers or {}


def invalid_client(description: str = "client authentication failed") -> OAuthError:
    return OAuthError("invalid_client", description, status=401, headers=BASIC_CHALLENGE)


class OAuthErrorBody(BaseModel):
    """RFC 6749 5.2 error response."""

    error: Literal["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                   "unsupported_grant_type", "invalid_scope", "slow_down"] = Field(
        description="The RFC 6749 error code.", examples=["invalid_client"])
    error_description: str = Field(description="What went wrong, for the developer.",
                                   examples=["client authentication failed"])


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    client_id: str
    client_secret: str
    method: AuthMethod


def _basic(value: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(value.strip().encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise invalid_client("malformed HTTP Basic credentials") from exc
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise invalid_client("malformed HTTP Basic credentials")
    # RFC 6749 2.3.1: each part is form-url-encoded before the two are joined with ':'.
    return unquote_plus(client_id), unquote_plus(secret)


def client_credentials(authorization: str | None, form_id: str | None, form_secret: str | None) -> ClientCredentials:
    """The client's credentials from the Authorization header or the form, never both."""
    if authorization is not None:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "basic":
            raise invalid_client("client authentication is HTTP Basic (client_secret_basic) "
                                 "or client_id and client_secret form fields (client_secret_post)")
        client_id, secret = _basic(value)
        if form_secret is not None:
            raise OAuthError("invalid_request", "the client authenticated twice (HTTP Basic and client_secret); "
                                                "use one method")
        if form_id is not None and form_id != client_id:
            raise OAuthError("invalid_request", "client_id in the form differs from the HTTP Basic one")
        if not client_id or not secret:
            raise invalid_client()
        return ClientCredentials(client_id, secret, "client_secret_basic")
    if not form_id or not form_secret:
        raise invalid_client("no client authentication: send HTTP Basic credentials or client_id and "
                             "client_secret form fields")
    return ClientCredentials(form_id, form_secret, "client_secret_post")


class TokenRequest(BaseModel):
    """The token request's form fields (RFC 6749 4.4.2)."""

    grant_type: str | None = Field(default=None, max_length=64, examples=["client_credentials"],
                                   description="Always `client_credentials`.")
    client_id: str | None = Field(default=None, max_length=200, examples=["dl_4f1c2a9e0b7d6c5a3e21"],
                                  description="The client's id (`client_secret_post`; with HTTP Basic, "
                                              "if sent, the same id).")
    client_secret: str | None = Field(default=None, max_length=500, examples=["s3cr3t-9QfZk2LxP0vW7mRt4YbN"],
                                      description="The client's secret (`client_secret_post` only).")
    scope: str | None = Field(default=None, max_length=500, examples=["screener"],
                              description="Space-separated role names: a token carrying only these of the "
                                          "client's roles.")


def token_request(fields: list[tuple[str, str]]) -> TokenRequest:
    """The form's fields; RFC 6749 3.2: no parameter more than once, none too long."""
    names = [name for name, _ in fields]
    repeated = sorted({name for name in names if names.count(name) > 1 and name in TokenRequest.model_fields})
    if repeated:
        raise OAuthError("invalid_request", f"parameter sent more than once: {', '.join(repeated)}")
    known = {name: value for name, value in fields if name in TokenRequest.model_fields}
    for name, value in known.items():
        limit = _MAX_LENGTHS[name]
        if len(value) > limit:
            raise OAuthError("invalid_request", f"{name} is longer than {limit} characters")
    return TokenRequest(**{name: value or None for name, value in known.items()})


_MAX_LENGTHS = {"grant_type": 64, "client_id": 200, "client_secret": 500, "scope": 500}


def check_grant(grant_type: str | None) -> None:
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required (client_credentials)")
    if grant_type not in GRANT_TYPES:
        raise OAuthError("unsupported_grant_type", "only grant_type=client_credentials is supported")


def granted_roles(requested: str | None, held: list[str]) -> tuple[list[str], bool]:
    """The roles a token carries: the client's own, or the subset its ``scope`` names (RFC 6749
    3.3: space-delimited). Returns them and whether a scope was asked for."""
    if requested is None or not requested.strip():
        return sorted(held), False
    names = set(requested.split())
    unknown = sorted(name for name in names if name not in Role.__members__)
    if unknown:
        raise OAuthError("invalid_scope", f"unknown scope {' '.join(unknown)}; scopes are role names: "
                                          f"{' '.join(role.value for role in Role)}")
    not_held = sorted(names - set(held))
    if not_held:
        raise OAuthError("invalid_scope", f"the client does not hold {' '.join(not_held)}")
    return sorted(names), True


def metadata(base_url: str, issuer: str) -> dict[str, Any]:
    """RFC 8414 authorization server metadata. ``issuer`` is the tokens' ``iss`` (set
    DEBARLIST_ISSUER to the public base URL where clients check it against their own URL)."""
    base = base_url.rstrip("/")
    return {
        "issuer": issuer,
        "token_endpoint": f"{base}/v1/token",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "grant_types_supported": list(GRANT_TYPES),
        "response_types_supported": [],
        "scopes_supported": [role.value for role in Role],
        "service_documentation": f"{base}/docs",
    }


class ServerMetadata(BaseModel):
    """RFC 8414 authorization server metadata."""

    issuer: str = Field(description="The `iss` of the tokens issued.", examples=["debarlist"])
    token_endpoint: str = Field(description="Where to obtain tokens.", examples=["https://debarlist.example/v1/token"])
    jwks_uri: str = Field(description="The keys that verify tokens.",
                          examples=["https://debarlist.example/.well-known/jwks.json"])
    token_endpoint_auth_methods_supported: list[str] = Field(
        description="Client authentication at the token endpoint.",
        examples=[["client_secret_basic", "client_secret_post"]])
    grant_types_supported: list[str] = Field(description="Only client credentials.", examples=[["client_credentials"]])
    response_types_supported: list[str] = Field(description="None: there is no authorization endpoint.",
                                                examples=[[]])
    scopes_supported: list[str] = Field(description="Scopes are role names; a token may carry a subset of "
                                                    "the client's roles.", examples=[["screener"]])
    service_documentation: str = Field(description="The API's documentation.",
                                       examples=["https://debarlist.example/docs"])
