"""Screening receipts: what was asked, what the list said, under which algorithm."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.kernel.db import Base, JSONType, UTCDateTime


class Screening(Base):
    __tablename__ = "screenings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    tender_ref: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True)
    as_of: Mapped[date] = mapped_column(Date)
    list_revision: Mapped[int] = mapped_column(BigInteger)
    algorithm: Mapped[str] = mapped_column(String(64))
    threshold: Mapped[float]
    subject_count: Mapped[int] = mapped_column(Integer)
    match_count: Mapped[int] = mapped_column(Integer)
    request: Mapped[dict[str, Any]] = mapped_column(JSONType)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    screened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
