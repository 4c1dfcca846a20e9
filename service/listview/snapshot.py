"""The live index on disk: written after a build, read at the next start, then caught up.

Format: one file, ``MAGIC``, an 8-byte header length, a JSON header (padded so the payload
starts on an 8-byte boundary), then the payload: sections, each on an 8-byte boundary, that the
header's ``sections`` names with their offset and length in the payload. Section ``state`` is a
pickle of the index's small plain data (keys, kinds, countries, word frequencies, the slot of
every posting key and of every entry's facts); every other section is a flat buffer: each
record's prepared names and identifiers, each partition's posting ids, each entry's facts,
encoded one after another (``debarlist_match.packed``, ``service.listview.factstore``).

The file is memory-mapped and the buffers are read in place: a start creates the small data's
objects only (at a million entries, a fraction of what a pickle of the whole index created),
and every worker forked from the process that mapped it shares the mapping's pages, which
nothing ever writes to. A record becomes objects when a search reads it.

Pickle executes what it reads, so the file is trusted like the database itself (written 0600
by the service, beside its data; the file is replaced, never rewritten in place, so a mapping
of the old one stays valid) and the header is checked before a byte of the payload is read:

* ``engine``: ``debarlist_match.snapshot.engine_tag()`` (algorithm version and a digest of the
  engine's source): another engine's snapshot is refused;
* ``facts``: the fields of the entries' facts in their encoded rows (``factstore.LAYOUT``): facts
  of another shape are refused, not misread;
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
import mmap
import os
import pickle
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from debarlist_match.packed import Buffer
from debarlist_match.snapshot import engine_tag, index_from_state, index_state
from service.kernel.ledger import AuditRecord, Ledger
from service.listview.factstore import LAYOUT as FACTS_LAYOUT
from service.listview.factstore import FactsStore
from service.listview.live import LiveIndex

MAGIC = b"DEBARLIST-INDEX\n"
FORMAT = 2
_LENGTH = struct.Struct(">Q")
_ALIGN = 8


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


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN


def _sections(index: LiveIndex) -> tuple[int, dict[str, Buffer]]:
    """The index's revision and its sections (the ``state`` pickle first), taken under its lock."""
    with index.matcher._lock:
        revision = index.revision
        matcher_state, matcher_buffers = index_state(index.matcher)
        slots, rows, offsets = index.facts.buffers()
    state = pickle.dumps({"matcher": matcher_state, "facts": slots, "revision": revision},
                         protocol=pickle.HIGHEST_PROTOCOL)
    return revision, {"state": state, **{f"matcher/{name}": buffer for name, buffer in matcher_buffers.items()},
                      "facts.rows": rows, "facts.offsets": offsets}


def _layout(sections: dict[str, Buffer]) -> tuple[dict[str, list[int]], int]:
    table: dict[str, list[int]] = {}
    end = 0
    for name, buffer in sections.items():
        start = _aligned(end)
        table[name] = [start, memoryview(buffer).nbytes]
        end = start + table[name][1]
    return table, end


def _pieces(sections: dict[str, Buffer], table: dict[str, list[int]]) -> Iterable[Buffer]:
    """The payload, piece by piece: each section after the zeros that align it."""
    end = 0
    for name, buffer in sections.items():
        start, length = table[name]
        yield bytes(start - end)
        yield buffer
        end = start + length


def _write(path: Path, index: LiveIndex, mark: LedgerMark) -> int:
    revision, sections = _sections(index)
    table, length = _layout(sections)
    digest = hashlib.sha256()
    for piece in _pieces(sections, table):
        digest.update(piece)
    header = json.dumps({
        "format": FORMAT, "engine": engine_tag(), "revision": revision, "audit_seq": mark.audit_seq,
        "audit_head": mark.audit_head, "facts": FACTS_LAYOUT, "sha256": digest.hexdigest(), "length": length,
        "sections": table,
    }).encode()
    before_payload = len(MAGIC) + _LENGTH.size + len(header)
    header += b" " * (_aligned(before_payload) - before_payload)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(MAGIC)
        out.write(_LENGTH.pack(len(header)))
        out.write(header)
        # Written back a chunk at a time: tens of megabytes left dirty and flushed at once made the
        # database's own commits (each an fsync on the same disk) wait seconds behind them.
        for piece in _pieces(sections, table):
            view = memoryview(piece).cast("B")
            for start in range(0, len(view), _WRITEBACK_CHUNK):
                out.write(view[start:start + _WRITEBACK_CHUNK])
                out.flush()
                os.fdatasync(out.fileno())
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    return len(MAGIC) + _LENGTH.size + len(header) + length


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
    if header.get("facts") != FACTS_LAYOUT:
        raise SnapshotRefused("its entries' facts have another layout than this service's")
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
    buffers = _buffers(payload, header.get("sections"))
    # The small data is still hundreds of thousands of objects at a million entries: the collector,
    # run as they are made, would walk them all again and again for nothing (none is garbage).
    collecting = gc.isenabled()
    gc.disable()
    try:
        state = pickle.loads(buffers.pop("state"))
        matcher = index_from_state(state["matcher"], {name.removeprefix("matcher/"): buffer
                                                      for name, buffer in buffers.items()})
        facts = FactsStore.from_buffers(state["facts"], buffers["facts.rows"], buffers["facts.offsets"])
        index = LiveIndex.restored(matcher, facts, int(state["revision"]))
    except (pickle.UnpicklingError, KeyError, TypeError, ValueError, AttributeError, EOFError,
            IndexError) as exc:
        raise SnapshotRefused(f"unreadable payload ({type(exc).__name__})") from exc
    finally:
        if collecting:
            gc.enable()
    if index.revision != revision:
        raise SnapshotRefused("payload and header disagree on the revision")
    return index


def _payload(path: Path, header: dict[str, Any]) -> memoryview:
    """The payload, mapped read-only (copied only if the header left it misaligned)."""
    with path.open("rb") as source:
        try:
            mapped = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError as exc:  # an empty file
            raise SnapshotRefused("empty file") from exc
    view = memoryview(mapped)
    (length,) = _LENGTH.unpack(view[len(MAGIC):len(MAGIC) + _LENGTH.size])
    start = len(MAGIC) + _LENGTH.size + length
    payload = view[start:]
    if len(payload) != header.get("length") or hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise SnapshotRefused("payload checksum mismatch (truncated or corrupt file)")
    return payload if start % _ALIGN == 0 else memoryview(bytes(payload))


def _buffers(payload: memoryview, table: object) -> dict[str, memoryview]:
    if not isinstance(table, dict) or "state" not in table:
        raise SnapshotRefused("header lacks its sections")
    buffers: dict[str, memoryview] = {}
    for name, place in table.items():
        if not (isinstance(place, list) and len(place) == 2 and all(isinstance(n, int) and n >= 0 for n in place)
                and place[0] % _ALIGN == 0 and place[0] + place[1] <= len(payload)):
            raise SnapshotRefused(f"section {name!r} lies outside the payload")
        buffers[str(name)] = payload[place[0]:place[0] + place[1]]
    return buffers
