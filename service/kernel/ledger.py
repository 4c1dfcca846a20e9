"""The ledger: one row that every writing transaction locks last, to take the next list
revision and audit sequence number, and the audit records it chains (their hash covers the
previous record's hash: see ``chain``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.kernel.db import Base, JSONType, UTCDateTime

GENESIS_HASH = "0" * 64


class Ledger(Base):
    """One row. Every write transaction locks it last, which gives the list a gap-free
    revision counter (followed by screening indexes of every replica) and the audit log a
    single unforked hash chain."""

    __tablename__ = "ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_revision: Mapped[int] = mapped_column(BigInteger, default=0)
    audit_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    audit_head: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


class AuditRecord(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    organisation: Mapped[str | None] = mapped_column(String(16), index=True, nullable=True)
    role: Mapped[str | None] = mapped_column(String(200), nullable=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    target_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tender_ref: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def list_head(session: Session) -> int:
    """The list revision of the last committed change (every revision up to it is committed)."""
    return int(session.execute(select(Ledger.list_revision).where(Ledger.id == 1)).scalar_one())


def lock_ledger(session: Session) -> Ledger:
    """The ledger row, locked until the transaction ends (the last lock a writer takes)."""
    return session.execute(select(Ledger).where(Ledger.id == 1).with_for_update()).scalar_one()
