"""An appeal against one entry, with every step it went through."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.kernel.clock import utcnow
from service.kernel.db import Base, JSONType, UTCDateTime


class Appeal(Base):
    """``steps`` keeps the history in order: [{step, date, decision_ref, documents, changes,
    recorded_at, recorded_by}]; the columns hold the latest state for queries."""

    __tablename__ = "appeals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(36), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lodged_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
