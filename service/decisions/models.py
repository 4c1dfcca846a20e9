"""Decisions on matches (a screener's "confirmed" or "false positive" on a supplier x entry):
below screening and monitoring, which both show them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.kernel.db import Base, UTCDateTime


class MatchDecision(Base):
    """A screener's decision on one match (supplier x entry). Reversal marks the row, so the
    history stays; the standing decision is the latest one not reversed."""

    __tablename__ = "match_decisions"

    position: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
                                          autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The supplier as screened (name, country, identifiers), so a later screening of it finds this.
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    ref: Mapped[str] = mapped_column(String(200))
    entry_id: Mapped[str] = mapped_column(String(36), index=True)
    entry_revision: Mapped[int] = mapped_column(BigInteger)
    decision: Mapped[str] = mapped_column(String(16))  # confirmed, false_positive
    note: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    action: Mapped[str | None] = mapped_column(String(500), nullable=True)
    source: Mapped[str] = mapped_column(String(16))  # alert, screening
    source_id: Mapped[str] = mapped_column(String(36))
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reversed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
