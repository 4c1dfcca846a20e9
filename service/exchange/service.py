"""The change feed and the FollowTheMoney export.

The feed reads ``entry_revisions``: every version of every entry carries the list revision the
ledger gave it when its transaction was sealed. The ledger row is locked by every writer until
it commits, so revisions become visible in order and without gaps: a mirror that asks for the
changes after the last revision it applied never misses one.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from anyio.to_thread import run_sync as run_in_threadpool
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from service.common.jsonlines import json_line
from service.entries.models import Entry, EntryRevision
from service.entries.publication import PUBLISHED
from service.entries.schemas import EntryOut
from service.entries.service import derive_status, may_read, to_out, visible_clause
from service.entries.states import Status
from service.exchange import ftm
from service.exchange.schemas import ChangeItem, ChangePage
from service.kernel.clock import today
from service.kernel.errors import Conflict
from service.kernel.ledger import list_head
from service.kernel.principal import Principal

POLL_SECONDS = 0.2
EXPORT_CHUNK = 500


class ListHead:
    """The ledger's list revision, watched for every waiting long poll at once: one short read
    per poll interval however many callers wait, and no connection held while they do."""

    def __init__(self, factory: sessionmaker[Session], clock: Callable[[], float] = time.monotonic) -> None:
        self._factory = factory
        self._clock = clock
        self._head = -1
        self._read_at = float("-inf")
        # One lock per event loop: tests serve one app from several loops.
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

    def _read(self) -> int:
        with self._factory() as session:
            return list_head(session)

    async def current(self) -> int:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        async with lock:
            if self._clock() - self._read_at >= POLL_SECONDS:
                self._head = await run_in_threadpool(self._read)
                self._read_at = self._clock()
            return self._head

    async def wait_past(self, since: int, wait: float) -> None:
        """Return once the list moves past ``since`` or ``wait`` seconds have passed."""
        deadline = self._clock() + wait
        while await self.current() <= since:
            left = deadline - self._clock()
            if left <= 0:
                return
            await asyncio.sleep(min(POLL_SECONDS, left))


def _may_see(principal: Principal, data: dict[str, Any], organisation_id: int) -> bool:
    """The list's visibility rule applied to the entry as it was at that version."""
    return may_read(principal, organisation_id=organisation_id, visibility=data["visibility"],
                    publication=data.get("publication", PUBLISHED))


def _status(data: dict[str, Any], on: date) -> Status:
    ends_on = data.get("ends_on")
    return derive_status(withdrawn=bool(data.get("withdrawn_at")), starts_on=date.fromisoformat(data["starts_on"]),
                         ends_on=date.fromisoformat(ends_on) if ends_on else None, on=on)


def changes(session: Session, principal: Principal, since: int, limit: int) -> ChangePage:
    """Changes after ``since`` the caller may see, and tombstones for entries it no longer may.

    A version the caller may not see is skipped, unless the version before it was visible: then
    the mirror holds the entry and is told to drop it. Entries never visible to the caller are
    never named, not even by id.
    """
    now_head = list_head(session)  # read first: every revision up to it is committed
    if since > now_head:
        raise Conflict(f"since={since} is ahead of the list (head {now_head}); resynchronise from 0")
    rows = list(session.execute(
        select(EntryRevision).where(EntryRevision.list_revision > since, EntryRevision.list_revision <= now_head)
        .order_by(EntryRevision.list_revision).limit(limit)).scalars())
    owners = _owners(session, {row.entry_id for row in rows})
    seen = {row.id: _may_see(principal, row.data, owners[row.entry_id]) for row in rows}
    hidden = [row for row in rows if not seen[row.id] and row.version > 1]
    previously_visible = _previously_visible(session, principal, hidden, owners)
    on = today()
    items: list[ChangeItem] = []
    for row in rows:
        if seen[row.id]:
            entry = EntryOut.model_validate({**row.data, "revision": row.list_revision,
                                             "status": _status(row.data, on)})
            items.append(ChangeItem(revision=row.list_revision, entry_id=row.entry_id, version=row.version,
                                    action=row.action, removed=False, entry=entry))
        elif (row.entry_id, row.version - 1) in previously_visible:
            items.append(ChangeItem(revision=row.list_revision, entry_id=row.entry_id, version=row.version,
                                    action=row.action, removed=True, entry=None))
    next_since = rows[-1].list_revision if len(rows) == limit else now_head
    return ChangePage(items=items, next_since=next_since, head=now_head)


def _owners(session: Session, entry_ids: set[str]) -> dict[str, int]:
    """Entry id -> organisation id (it never changes, so the current row tells)."""
    owners: dict[str, int] = {}
    ids = sorted(entry_ids)
    for start in range(0, len(ids), 500):
        query = select(Entry.id, Entry.organisation_id).where(Entry.id.in_(ids[start:start + 500]))
        owners.update({entry_id: org_id for entry_id, org_id in session.execute(query)})
    return owners


def _previously_visible(session: Session, principal: Principal, rows: list[EntryRevision],
                        owners: dict[str, int]) -> set[tuple[str, int]]:
    if not rows:
        return set()
    wanted = or_(*(and_(EntryRevision.entry_id == row.entry_id, EntryRevision.version == row.version - 1)
                   for row in rows))
    return {(prev.entry_id, prev.version) for prev in session.execute(select(EntryRevision).where(wanted)).scalars()
            if _may_see(principal, prev.data, owners[prev.entry_id])}


def iter_ftm_lines(factory: sessionmaker[Session], principal: Principal, *,
                   include_withdrawn: bool = False) -> Iterator[str]:
    """Every entry the caller may see as FtM JSON lines, read in chunks of short sessions.

    Lines are built inside the session and yielded after it is closed, so a slow reader of the
    stream never holds a database transaction (on SQLite: the write lock).
    """
    last = 0
    on = today()
    while True:
        with factory() as session:
            query = select(Entry).where(visible_clause(principal), Entry.pk > last)
            if not include_withdrawn:
                query = query.where(Entry.withdrawn_at.is_(None))
            chunk = list(session.execute(query.order_by(Entry.pk).limit(EXPORT_CHUNK)).scalars())
            lines = [json_line(entity, separators=(",", ":"))
                     for entry in chunk
                     for entity in ftm.entities(to_out(entry, on), entry.organisation.name)]
        yield from lines
        if len(chunk) < EXPORT_CHUNK:
            return
        last = chunk[-1].pk
