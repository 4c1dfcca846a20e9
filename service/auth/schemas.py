"""Request and response bodies of the auth domain."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.common.strict import Flag, Integer
from service.kernel.roles import Role

ORG_CODE = r"^[A-Z][A-Z0-9_-]{1,15}$"


class TokenResponse(BaseModel):
    access_token: str = Field(
        examples=["eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJkbF80ZjFjIn0.c2lnbmF0dXJl"],
        description="A signed JWT (RS256) to send as `Authorization: Bearer ...`.")
    token_type: Literal["bearer"] = Field(default="bearer", description="Always `bearer`.", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the token expires.", examples=[900])
    scope: str | None = Field(default=None, examples=["screener"],
                              description="The roles the token carries, when the request named a scope.")


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=ORG_CODE, description="Short code, e.g. `AT`, `KZ`, `OSCE`, `WBG`.",
                      examples=["KZ"])
    name: str = Field(
        description="The organisation's full name.",
        min_length=1, max_length=200, examples=["Republic of Kazakhstan"])
    kind: Literal["state", "organisation"] = Field(description="state or organisation.", examples=["state"])
    requires_review: Flag = Field(examples=[False], default=False,
                                  description="Four-eyes publication: entries wait for a reviewer.")
    requires_totp: Flag = Field(examples=[False], default=False,
                                description="Its people must sign in to the console with a second factor "
                                            "(TOTP); one who has none may only enrol it, and none may turn "
                                            "it off.")


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(description="Short code, e.g. `AT`, `KZ`, `OSCE`, `WBG`.", examples=["KZ"])
    name: str = Field(description="The organisation's full name.", examples=["Republic of Kazakhstan"])
    kind: str = Field(description="state or organisation.", examples=["state"])
    requires_review: bool = Field(
        default=False,
        description="Four-eyes publication: entries wait for a reviewer.",
        examples=[False])
    requires_totp: bool = Field(
        default=False,
        description="Its people must sign in to the console with a second factor (TOTP).",
        examples=[False])
    created_at: datetime = Field(description="When it was registered (UTC).", examples=["2026-03-15T09:30:00Z"])


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: str = Field(pattern=ORG_CODE, examples=["KZ"],
                              description="Code of the client's organisation: an admin's own organisation "
                                          "only; an operator's any.")
    name: str = Field(
        description="What the client is, for people reading the audit log.",
        min_length=1, max_length=200, examples=["KZ public procurement portal"])
    roles: list[Role] = Field(
        description="Roles the client's tokens carry. An admin grants any role but `operator`, which only an "
                    "operator grants, and only where the service allows operator clients.",
        min_length=1, examples=[["screener"]])

    @field_validator("roles")
    @classmethod
    def _unique(cls, roles: list[Role]) -> list[Role]:
        return sorted(set(roles))


class ClientOut(BaseModel):
    client_id: str = Field(description="The id to request tokens with.", examples=["dl_4f1c2a9e0b7d6c5a3e21"])
    organisation: str = Field(description="Code of the client's organisation.", examples=["KZ"])
    name: str = Field(description="What the client is.", examples=["KZ public procurement portal"])
    roles: list[str] = Field(description="Roles the client's tokens carry.", examples=[["screener"]])
    disabled: bool = Field(description="True when it may no longer obtain tokens.", examples=[False])
    created_at: datetime = Field(description="When it was created (UTC).", examples=["2026-03-15T09:30:00Z"])


class ClientCreated(ClientOut):
    client_secret: str = Field(
        examples=["s3cr3t-9QfZk2LxP0vW7mRt4YbN"],
        description="Shown once; only its hash is stored.")


# Client-secret rotation: how long the replaced secret keeps working (seconds).
DEFAULT_OVERLAP_SECONDS = 86_400
MAX_OVERLAP_SECONDS = 7 * 86_400


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_seconds: Integer = Field(
        default=DEFAULT_OVERLAP_SECONDS, ge=0, le=MAX_OVERLAP_SECONDS, examples=[86_400],
        description="How long the replaced secret keeps working beside the new one, so that every "
                    "instance of the client can be given the new secret first (0: at once; at most 7 days). "
                    "A secret replaced earlier stops working now.")


class SecretRotated(ClientCreated):
    previous_secret_valid_until: datetime | None = Field(
        examples=["2026-03-16T09:30:00Z"],
        description="Until when the replaced secret still works (UTC); null when it stopped at once.")


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["yente enrichment pipeline"],
                      description="What the key is for, for people reading the list and the audit log.")


class ApiKeyOut(BaseModel):
    key_id: str = Field(description="The key's id (to revoke it).", examples=["3f0c9a52-1b7e-4d0a-9c41-7a2e5d8b6f10"])
    client_id: str = Field(description="The client the key acts as.", examples=["dl_4f1c2a9e0b7d6c5a3e21"])
    name: str = Field(description="What the key is for.", examples=["yente enrichment pipeline"])
    prefix: str = Field(description="The key's first characters, to recognise it; not a secret.",
                        examples=["dlk_5e1f0a9c3b2d"])
    created_at: datetime = Field(description="When it was issued (UTC).", examples=["2026-03-15T09:30:00Z"])
    created_by: str | None = Field(description="The client that issued it (null: the command line).",
                                   examples=["dl_0a1b2c3d4e5f60718293"])
    revoked_at: datetime | None = Field(description="When it was revoked (UTC); null while it works.",
                                        examples=[None])


class ApiKeyCreated(ApiKeyOut):
    api_key: str = Field(
        examples=["dlk_5e1f0a9c3b2d_Q2hhbmdlIG1lOiB0aGlzIGlzIGFuIGV4YW1wbGUga2V5IQ"],
        description="Shown once; only its hash is stored. Send it as `Authorization: ApiKey <key>`.")


class Jwks(BaseModel):
    keys: list[dict[str, str]] = Field(
        description="Public keys that verify tokens and checkpoints (RFC 7517).",
        examples=[[{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": "0vx7agoebGcQSuu", "e": "AQAB"}]])
