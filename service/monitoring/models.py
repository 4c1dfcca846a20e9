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


class MonitoringCursor(Base):
    """The list revision every watch has been re-screened up to (one row). It moves in the same
    transaction as the alerts it produced, so no change is alerted twice or missed."""

    __tablename__ = "monitoring_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)


class Alert(Base):
    __tablename__ = "alerts"

    position: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
                                          autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    watch_id: Mapped[str] = mapped_column(String(36), index=True)
    ref: Mapped[str] = mapped_column(String(200))
    entry_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(32))  # match_appeared, match_disappeared, match_changed
    changes: Mapped[list[str]] = mapped_column(JSONType)
    # The match as it stands (for a disappeared one: as it last stood), entry, provenance, appeal.
    match: Mapped[dict[str, Any]] = mapped_column(JSONType)
    list_revision: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), index=True)  # new, acknowledged
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
