"""The live index on disk: written after a build, read at the next start, then caught up.

Format: one file, ``MAGIC``, an 8-byte header length, a JSON header, then a pickle of the
index. Pickle because the index is Python objects (prepared names, postings as ``array``),
which pickle writes and reads with C code and no schema of ours to keep in step with the
engine; a memory-mappable layout would need the engine rebuilt around flat arrays. Pickle
executes what it reads, so the file is trusted like the database itself (written 0600 by the
service, beside its data) and the header is checked before a byte of the payload is unpickled:

* ``engine``: ``debarlist_match.snapshot.engine_tag()`` (algorithm version and a digest of the
  engine's source): another engine's snapshot is refused;
* ``audit_seq`` and ``audit_head``: the last audit record when the snapshot was taken. The
  database must still hold that record with that hash: a snapshot of another database, or of
  this one before a restore, is refused;
* ``revision``: the list revision the index had reached; the database's must not be below it;
* ``sha256`` and ``length`` of the payload: a truncated or corrupt file is refused.

A refused snapshot is never used: the index is rebuilt from the database and written anew.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from debarlist_match.snapshot import engine_tag, index_from_state, index_state
from service.kernel.ledger import AuditRecord, Ledger
from service.listview.live import LiveIndex

MAGIC = b"DEBARLIST-INDEX\n"
FORMAT = 1
_LENGTH = struct.Struct(">Q")


class SnapshotRefused(Exception):
    """The file is not a snapshot of this database's list for this engine; the reason says why."""


@dataclass(frozen=True, slots=True)
class LedgerMark:
    """Where the database's ledger stands: its list revision and its last audit record."""

    revision: int
    audit_seq: int
    audit_head: str


def ledger_mark(session: Session) -> LedgerMark:
    ledger = session.execute(select(Ledger).where(Ledger.id == 1)).scalar_one()
    return LedgerMark(revision=int(ledger.list_revision), audit_seq=int(ledger.audit_seq),
                      audit_head=ledger.audit_head)


_WRITEBACK_CHUNK = 4 << 20


def save(path: Path, index: LiveIndex, mark: LedgerMark, *, detached: bool = False) -> int:
    """Write ``index`` to ``path`` (atomically: a reader sees the old file or the new one).

    ``mark`` is the ledger read no later than the index's last refresh, so the audit record it
    names exists in any database this index describes. Returns the bytes written.

    ``detached``: written by a forked child from its copy-on-write image of the index, as Redis's
    BGSAVE does, while this process serves on. Pickling holds the GIL (and the index's lock) for the
    whole dump, seconds at 100,000 entries and most of a minute at a million, so a snapshot written
    on a thread of a serving process froze every request for that long (SQLite lock waits that
    timed out meanwhile answered 503). The lock is held only for the fork."""
    if detached and hasattr(os, "fork"):
        with index.matcher._lock:
            pid = os.fork()
            if pid == 0:  # the child: only the index and the file; never returns into the caller
                code = 1
                try:
                    os.nice(10)  # the serving process comes first
                    _write(path, index, mark)
                    code = 0
                finally:
                    os._exit(code)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise OSError(f"the snapshot writer (process {pid}) failed")
        return path.stat().st_size
    return _write(path, index, mark)


def _write(path: Path, index: LiveIndex, mark: LedgerMark) -> int:
    with index.matcher._lock:
        revision = index.revision
        payload = pickle.dumps({"matcher": index_state(index.matcher), "facts": dict(index.facts),
                                "revision": revision}, protocol=pickle.HIGHEST_PROTOCOL)
    header = json.dumps({
        "format": FORMAT, "engine": engine_tag(), "revision": revision, "audit_seq": mark.audit_seq,
        "audit_head": mark.audit_head, "sha256": hashlib.sha256(payload).hexdigest(), "length": len(payload),
    }).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(MAGIC)
        out.write(_LENGTH.pack(len(header)))
        out.write(header)
        # Written back a chunk at a time: tens of megabytes left dirty and flushed at once made the
        # database's own commits (each an fsync on the same disk) wait seconds behind them.
        view = memoryview(payload)
        for start in range(0, len(view), _WRITEBACK_CHUNK):
            out.write(view[start:start + _WRITEBACK_CHUNK])
            out.flush()
            os.fdatasync(out.fileno())
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    return len(MAGIC) + _LENGTH.size + len(header) + len(payload)


def read_header(path: Path) -> dict[str, Any]:
    with path.open("rb") as source:
        if source.read(len(MAGIC)) != MAGIC:
            raise SnapshotRefused("not a Debarlist index snapshot")
        raw_length = source.read(_LENGTH.size)
        if len(raw_length) != _LENGTH.size:
            raise SnapshotRefused("truncated header")
        (length,) = _LENGTH.unpack(raw_length)
        if length > 1 << 16:
            raise SnapshotRefused("header too long")
        try:
            header = json.loads(source.read(length))
        except ValueError as exc:
            raise SnapshotRefused("unreadable header") from exc
    if not isinstance(header, dict):
        raise SnapshotRefused("unreadable header")
    return header


def load(path: Path, session: Session) -> LiveIndex:
    """The index stored at ``path``, if it describes this database with this engine; otherwise
    ``SnapshotRefused``. The index is at the snapshot's revision: refresh it to catch up."""
    header = read_header(path)
    if header.get("format") != FORMAT:
        raise SnapshotRefused(f"format {header.get('format')!r}, not {FORMAT}")
    if header.get("engine") != engine_tag():
        raise SnapshotRefused(f"made by engine {header.get('engine')!r}, this is {engine_tag()!r}")
    revision, seq, head = header.get("revision"), header.get("audit_seq"), header.get("audit_head")
    if not (isinstance(revision, int) and isinstance(seq, int) and isinstance(head, str)):
        raise SnapshotRefused("header lacks its ledger mark")
    mark = ledger_mark(session)
    if mark.revision < revision:
        raise SnapshotRefused(f"taken at list revision {revision}, the database is at {mark.revision}")
    recorded = session.execute(select(AuditRecord.hash).where(AuditRecord.seq == seq)).scalar_one_or_none()
    if seq > 0 and recorded != head:
        raise SnapshotRefused(f"audit record {seq} differs: a snapshot of another database")
    payload = _payload(path, header)
    # A million prepared names are tens of millions of objects: the collector, run as they
    # are made, would walk them all again and again for nothing (none of them is garbage).
    collecting = gc.isenabled()
    gc.disable()
    try:
        state = pickle.loads(payload)
        index = LiveIndex.restored(index_from_state(state["matcher"]), state["facts"], int(state["revision"]))
    except (pickle.UnpicklingError, KeyError, TypeError, ValueError, AttributeError, EOFError) as exc:
        raise SnapshotRefused(f"unreadable payload ({type(exc).__name__})") from exc
    finally:
        if collecting:
            gc.enable()
    if index.revision != revision:
        raise SnapshotRefused("payload and header disagree on the revision")
    return index


def _payload(path: Path, header: dict[str, Any]) -> bytes:
    raw = path.read_bytes()
    (length,) = _LENGTH.unpack(raw[len(MAGIC):len(MAGIC) + _LENGTH.size])
    payload = raw[len(MAGIC) + _LENGTH.size + length:]
    if len(payload) != header.get("length") or hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise SnapshotRefused("payload checksum mismatch (truncated or corrupt file)")
    return payload
