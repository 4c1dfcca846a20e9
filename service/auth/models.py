"""Organisations (participating States and international organisations) and their API clients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.kernel.clock import utcnow
from service.kernel.db import Base, JSONType, UTCDateTime


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    # Four-eyes publication policy (due-process issue): new entries wait for a reviewer.
    requires_review: Mapped[bool] = mapped_column(Boolean, default=False)
    # Its people must sign in with a second factor (TOTP): one who has none may only enrol.
    requires_totp: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiClient(Base):
    __tablename__ = "api_clients"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSONType)
    # argon2id hash; the secret itself is shown once at creation and never stored.
    secret_hash: Mapped[str] = mapped_column(String(255))
    # Secret rotation with an overlap: the secret replaced last keeps working until then.
    previous_secret_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ApiKey(Base):
    """A second credential of an API client (``Authorization: ApiKey <key>``, as yente's clients
    send it): the client's roles and organisation, stored as an argon2id hash, shown once. The
    key's ``prefix`` is part of the key and stored in the clear: it finds the row and names the
    key to people (lists, audit), and reveals nothing of the secret part."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("api_clients.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    client: Mapped[ApiClient] = relationship(lazy="joined")
