"""Reviews: one row per new entry or proposed change awaiting a second pair of eyes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, JSONType, UTCDateTime, utcnow


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
