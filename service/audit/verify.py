"""Walk the audit chain and report the first record that does not fit.

The walk streams records in ``seq`` order in fixed-size chunks (keyset pagination, one short
read transaction per chunk), so its memory stays flat however long the log is, and it never
holds a lock that would stop writers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.audit.models import Checkpoint
from service.kernel.chain import chain_hash
from service.kernel.ledger import GENESIS_HASH, AuditRecord, Ledger

CHUNK = 5000

HASH_MISMATCH = "hash mismatch"
GAP = "gap"
PREV_MISMATCH = "prev_hash mismatch (reordering)"
CHECKPOINT_MISMATCH = "checkpoint mismatch"
TRUNCATED = "records missing at the head (ledger ahead of the log)"
UNRECORDED = "records beyond the ledger head"

_COLUMNS = [column for column in AuditRecord.__table__.columns]  # typed rows with .seq, .hash...


@dataclass(frozen=True, slots=True)
class Anchor:
    """A (seq, hash) the chain must pass through: a kept checkpoint, or where a walk starts."""

    seq: int
    head_hash: str


@dataclass(slots=True)
class Report:
    ok: bool
    records: int
    head_seq: int
    head_hash: str
    first_broken_seq: int | None = None
    reason: str | None = None
    checkpoint_seq: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "records": self.records, "head_seq": self.head_seq,
                "head_hash": self.head_hash, "first_broken_seq": self.first_broken_seq,
                "reason": self.reason, "checkpoint_seq": self.checkpoint_seq}


def verify_chain(factory: sessionmaker[Session], *, checkpoint: Anchor | None = None,
                 start: Anchor | None = None, chunk: int = CHUNK,
                 progress: Callable[[int, int], None] | None = None) -> Report:
    """Verify records after ``start`` (default: genesis) up to the ledger's head as read now.

    Records appended while the walk runs are left for the next walk: the ledger is read first,
    and since seqs are assigned under the ledger lock, every record up to that head is committed.
    ``checkpoint`` is an externally kept (seq, hash) the chain must still pass through; the
    checkpoints stored in the database are checked the same way on the way. ``progress`` is told
    (records verified, records to verify) after each chunk (the console's verification page).
    """
    with factory() as session:
        ledger = session.execute(select(Ledger.audit_seq, Ledger.audit_head).where(Ledger.id == 1)).one()
        stored = {seq: head for seq, head in session.execute(select(Checkpoint.seq, Checkpoint.head_hash))}
    target_seq, target_head = int(ledger.audit_seq), str(ledger.audit_head)
    anchors: dict[int, str] = dict(stored)
    if checkpoint is not None:
        anchors[checkpoint.seq] = checkpoint.head_hash
    position = start or Anchor(0, GENESIS_HASH)
    expected_seq, head = position.seq + 1, position.head_hash
    walked = 0

    def broken(seq: int, reason: str) -> Report:
        return Report(False, walked, target_seq, target_head, seq, reason,
                      checkpoint.seq if checkpoint else None)

    if checkpoint is not None and (checkpoint.seq > target_seq or (
            checkpoint.seq == 0 and checkpoint.head_hash != GENESIS_HASH)):
        return broken(checkpoint.seq, CHECKPOINT_MISMATCH)
    while expected_seq <= target_seq:
        # A window of seqs, not "the next N rows": seqs are dense, so the window holds at most
        # ``chunk`` rows whatever plan the database picks (an open range let PostgreSQL, without
        # statistics after a bulk load, sort every remaining row for each chunk).
        window_end = min(expected_seq + chunk - 1, target_seq)
        with factory() as session:
            rows = session.execute(
                select(*_COLUMNS).where(AuditRecord.seq >= expected_seq, AuditRecord.seq <= window_end)
                .order_by(AuditRecord.seq)).all()
            later = None if rows else session.execute(
                select(AuditRecord.seq).where(AuditRecord.seq > window_end, AuditRecord.seq <= target_seq)
                .limit(1)).scalar_one_or_none()
        if not rows:
            return broken(expected_seq, GAP if later is not None else TRUNCATED)
        for row in rows:
            if row.seq != expected_seq:
                return broken(expected_seq, GAP)
            if row.prev_hash != head:
                return broken(row.seq, PREV_MISMATCH)
            if row.hash != chain_hash(head, row):
                return broken(row.seq, HASH_MISMATCH)
            if anchors.get(row.seq, row.hash) != row.hash:
                return broken(row.seq, CHECKPOINT_MISMATCH)
            head = row.hash
            expected_seq += 1
            walked += 1
        if progress is not None:
            progress(walked, target_seq - position.seq)
    if head != target_head:
        # Every record fits its predecessor but the ledger names another head: the last
        # record was rewritten together with its hash (or the ledger was).
        return broken(target_seq, HASH_MISMATCH)
    with factory() as session:
        beyond = session.execute(select(AuditRecord.seq).where(AuditRecord.seq > target_seq)
                                 .order_by(AuditRecord.seq).limit(1)).scalar_one_or_none()
        ledger_now = session.execute(select(Ledger.audit_seq).where(Ledger.id == 1)).scalar_one()
    # A row past the head we read is fine if the ledger has moved on since (a concurrent
    # write); one past the ledger's current head was inserted behind its back.
    if beyond is not None and beyond > ledger_now:
        return broken(beyond, UNRECORDED)
    return Report(True, walked, target_seq, target_head, None, None, checkpoint.seq if checkpoint else None)
