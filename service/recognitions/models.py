"""Recognitions of an entry by organisations other than the one that listed it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.kernel.clock import utcnow
from service.kernel.db import Base, UTCDateTime


class Recognition(Base):
    """``created_revision``/``withdrawn_revision`` are the list revisions taken when it was made
    and withdrawn, so a screening is replayed with the recognitions the list had then."""

    __tablename__ = "recognitions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(36), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    decision_ref: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # "decision" (through the API) or "cross_debarment" (found in the recogniser's published list,
    # whose row is ``origin_entry_id``).
    origin: Mapped[str] = mapped_column(String(32), default="decision")
    origin_entry_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_revision: Mapped[int] = mapped_column(BigInteger, default=0)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    withdrawn_revision: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
