"""Request and response bodies of the auth domain."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.auth.roles import Role

ORG_CODE = r"^[A-Z][A-Z0-9_-]{1,15}$"


class TokenResponse(BaseModel):
    access_token: str = Field(description="A signed JWT (RS256) to send as `Authorization: Bearer ...`.")
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.", examples=[900])


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=ORG_CODE, description="Short code, e.g. `AT`, `KZ`, `OSCE`, `WBG`.",
                      examples=["KZ"])
    name: str = Field(min_length=1, max_length=200, examples=["Republic of Kazakhstan"])
    kind: Literal["state", "organisation"] = Field(examples=["state"])
    requires_review: bool = Field(default=False,
                                  description="Four-eyes publication: entries wait for a reviewer.")


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(examples=["KZ"])
    name: str = Field(examples=["Republic of Kazakhstan"])
    kind: str = Field(examples=["state"])
    requires_review: bool = False
    created_at: datetime


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: str = Field(pattern=ORG_CODE, description="Code of the client's organisation.",
                              examples=["KZ"])
    name: str = Field(min_length=1, max_length=200, examples=["KZ public procurement portal"])
    roles: list[Role] = Field(min_length=1, examples=[["screener"]])

    @field_validator("roles")
    @classmethod
    def _unique(cls, roles: list[Role]) -> list[Role]:
        return sorted(set(roles))


class ClientOut(BaseModel):
    client_id: str = Field(examples=["dl_4f1c2a9e0b7d6c5a3e21"])
    organisation: str = Field(examples=["KZ"])
    name: str
    roles: list[str]
    disabled: bool
    created_at: datetime


class ClientCreated(ClientOut):
    client_secret: str = Field(description="Shown once; only its hash is stored.")


class Jwks(BaseModel):
    keys: list[dict[str, str]]
