"""Listed enterprises (entries) and every version of each."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.auth.models import Organisation
from service.kernel.clock import utcnow
from service.kernel.db import Base, JSONType, UTCDateTime


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("organisation_id", "external_ref", name="uq_entries_org_external_ref"),
        Index("ix_entries_revision", "revision"),
    )

    # Internal monotonic key: cursor pagination walks it, so pages stay stable under inserts.
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    external_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(500))
    aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Folded names and aliases, for the list's text filter.
    search_text: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str | None] = mapped_column(String(2), index=True, nullable=True)
    addresses: Mapped[list[str]] = mapped_column(JSONType, default=list)
    identifiers: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    listing: Mapped[str] = mapped_column(String(16), index=True)
    grounds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # ",fraud,corruption,": lets both backends filter on one ground with a plain LIKE.
    grounds_key: Mapped[str] = mapped_column(String(300), default="")
    legal_basis: Mapped[str | None] = mapped_column(Text, nullable=True)
    decision_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    evidence: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    source: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    visibility: Mapped[str] = mapped_column(String(16))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    appeal_status: Mapped[str] = mapped_column(String(32), default="none")
    # The latest appeal's dates and decision (service.appeals keeps every step); copied here so
    # that every read and every screening match shows them without a join.
    appeal_lodged_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    appeal_decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    appeal_decision_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Four-eyes publication (service.reviews): "published", "pending_review" or "rejected".
    # Only published entries are screened or shown to other organisations.
    publication: Mapped[str] = mapped_column(String(16), default="published", server_default="published")
    version: Mapped[int] = mapped_column(Integer, default=1)
    # List revision of the entry's last change: screening indexes follow it.
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class EntryRevision(Base):
    """Every version of every entry, as the list learned it (record time)."""

    __tablename__ = "entry_revisions"
    __table_args__ = (UniqueConstraint("entry_id", "version", name="uq_entry_revisions_entry_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    list_revision: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    action: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Review(Base):
    """``kind`` is ``publish`` (a new entry waits, its row holds no content: the entry itself is
    stored with publication ``pending_review``) or ``change`` (a published entry keeps matching
    as it is while ``proposed`` — its full content after the change — waits; ``base_version`` is
    the version it was proposed against, so a change overtaken by another one is not applied)."""

    __tablename__ = "reviews"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(36), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    proposed: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Every client that wrote the content under review: none of them may approve it.
    authors: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Set for bulk requests and imports, so a published list is approved in one call.
    batch_ref: Mapped[str | None] = mapped_column(String(100), index=True, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
