"""Bringing the live index up at start: from its snapshot when one fits, else from the database.

The snapshot (``service.listview.snapshot``) is loaded, then caught up with the ledger (only
the entries changed since its revision are read); a refused snapshot is logged with its reason
and the index is built from the database. Either way ``Lists.ready`` is set only once the index
has reached the ledger's revision, and a new snapshot is written when the one on disk was
missing, refused or behind.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from debarlist_match import warm_up
from service.kernel.db import settle_write_ahead_log
from service.kernel.uow import Sessions
from service.listview import snapshot
from service.listview.lists import Lists

log = logging.getLogger("debarlist.index")


@dataclass(frozen=True, slots=True)
class Warmed:
    """How the index came up: ``source`` is "snapshot" or "database"; ``refused`` says why a
    snapshot was not used (None when there was none to refuse, or it was used)."""

    source: str
    revision: int
    caught_up: int  # list revisions applied on top of the snapshot (all of them after a build)
    seconds: float
    refused: str | None = None


_saving = threading.Lock()  # one snapshot write at a time (after warm-up and at shutdown)


def warm(lists: Lists, sessions: Sessions, snapshot_path: Path | None, *, save_in_background: bool = False) -> Warmed:
    """Load or build the live index, catch it up, mark it ready, and refresh the snapshot (on a
    thread of its own when ``save_in_background``: serving need not wait for it; never before a
    fork, whose children would inherit the index's lock held by that thread)."""
    started = time.perf_counter()
    refused: str | None = None
    source = "database"
    settle_write_ahead_log(sessions.write.kw["bind"])
    with sessions.read() as session:
        if snapshot_path is not None and snapshot_path.exists():
            try:
                lists.live_index = snapshot.load(snapshot_path, session)
                lists.saved_revision = lists.live_index.revision
                source = "snapshot"
            except (snapshot.SnapshotRefused, OSError) as exc:
                refused = str(exc)
                log.warning("index snapshot %s refused, rebuilding from the database: %s", snapshot_path, refused)
        base = lists.live_index.revision
        mark = snapshot.ledger_mark(session)
    with sessions.read() as session:
        revision = lists.live_index.refresh(session)
    # The engine's first-use tables (place words, given names, ICU transforms) are built before
    # the service says it is ready: an index read from a snapshot built none of them, and the
    # first screenings would each build them at once (seconds, under the GIL) instead. Before a
    # fork, this also builds them once for every worker.
    warm_up(lists.live_index.matcher)
    lists.source = source
    lists.ready.set()
    warmed = Warmed(source=source, revision=revision, caught_up=revision - base,
                    seconds=time.perf_counter() - started, refused=refused)
    log.info("index ready from the %s at list revision %d (%d revisions caught up) in %.1f s",
             source, revision, warmed.caught_up, warmed.seconds)
    if snapshot_path is not None and (source == "database" or warmed.caught_up > 0) and mark.audit_seq > 0:
        if save_in_background:
            threading.Thread(target=save_if_behind, args=(lists, sessions, snapshot_path, True),
                             name="index-snapshot", daemon=True).start()
        else:
            save_snapshot(lists, sessions, snapshot_path)
            if source == "database":
                _run_from_snapshot(lists, sessions, snapshot_path)
    return warmed


def _run_from_snapshot(lists: Lists, sessions: Sessions, snapshot_path: Path) -> None:
    """Swap the index just built for the one its snapshot gives back: the same records, read from
    the file's buffers instead of held as objects, so that workers forked next share its pages
    instead of copying those their searches touch. Only where the snapshot is written before the
    service answers (``save_in_background`` off: the pre-fork server): a single process gains
    nothing by it, as the memory of the built index, freed, is not given back to the system.
    Should the file not load, the built index stays."""
    with sessions.read() as session:
        try:
            loaded = snapshot.load(snapshot_path, session)
        except (snapshot.SnapshotRefused, OSError) as exc:
            log.warning("index snapshot %s just written does not load, serving the built index: %s",
                        snapshot_path, exc)
            return
        loaded.refresh(session)
    lists.live_index = loaded


def save_if_behind(lists: Lists, sessions: Sessions, snapshot_path: Path | None, detached: bool = False) -> None:
    """At shutdown: write the snapshot when the index has moved past the one on disk, so the
    next start catches up only what changed while no server ran.  ``detached`` (a warm-up's save
    while the server answers): written by a forked child (snapshot.save)."""
    if snapshot_path is None or not lists.ready.is_set() or not lists.writes_snapshot:
        return
    with _saving:
        if lists.closed:  # a warm-up's late save after shutdown: the database may be gone
            return
        with sessions.read() as session:
            lists.live_index.refresh(session)
            mark = snapshot.ledger_mark(session)
        if mark.audit_seq > 0 and lists.live_index.revision != lists.saved_revision:
            save_snapshot(lists, sessions, snapshot_path, detached=detached)


def save_snapshot(lists: Lists, sessions: Sessions, path: Path, *, detached: bool = False) -> None:
    """Write the live index to ``path``. The ledger mark is read before the index is caught up,
    so the audit record it names is one the indexed database holds."""
    with sessions.read() as session:
        mark = snapshot.ledger_mark(session)
    with sessions.read() as session:
        lists.live_index.refresh(session)
    started = time.perf_counter()
    size = snapshot.save(path, lists.live_index, mark, detached=detached)
    lists.saved_revision = lists.live_index.revision
    log.info("index snapshot written to %s: list revision %d, %.1f MB in %.1f s", path,
             lists.live_index.revision, size / 1e6, time.perf_counter() - started)


def warm_in_background(lists: Lists, sessions: Sessions, snapshot_path: Path | None) -> None:
    """``warm`` on a thread of its own: the service answers (503 to screenings) meanwhile."""

    def run() -> None:
        try:
            warm(lists, sessions, snapshot_path, save_in_background=True)
        except Exception:  # a thread's exception is otherwise lost: /readyz stays 503 and this says why
            log.exception("index warm-up failed; the service stays not ready")

    threading.Thread(target=run, name="index-warmup", daemon=True).start()
