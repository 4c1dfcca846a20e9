"""Watched suppliers: a contracted supplier an organisation keeps screening after the award."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.kernel.db import Base, JSONType, UTCDateTime


class WatchedSupplier(Base):
    __tablename__ = "watched_suppliers"
    __table_args__ = (UniqueConstraint("organisation_id", "ref", name="uq_watched_suppliers_organisation_id_ref"),)

    # The serial position pages the list stably; the public id is a UUID that reveals nothing.
    position: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
                                          autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    ref: Mapped[str] = mapped_column(String(200))
    # The screening subject as given (name, aliases, country, identifiers, kind).
    subject: Mapped[dict[str, Any]] = mapped_column(JSONType)
    contract_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    watch_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The last screening's matches and the list revision it read: re-screening compares with it.
    last_matches: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    last_revision: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
