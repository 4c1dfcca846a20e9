"""Engine, session factory and declarative base shared by every domain."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Engine,
    MetaData,
    Table,
    bindparam,
    create_engine,
    event,
    exc,
    func,
    inspect,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapper, Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

from service.kernel.writerlock import WriterLock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL, JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


@dataclass(frozen=True, slots=True)
class PoolLimits:
    """How many connections an engine keeps and how long a caller waits for one or for a lock."""

    size: int = 10
    overflow: int = 30
    timeout: float = 10.0
    lock_timeout: float = 10.0


READ_ONLY = "debarlist_read_only"
APPENDS = "debarlist_appends"  # a group commit's transaction: its turn at the SQLite writer lock (writerlock)


def make_engine(url: str, limits: PoolLimits | None = None) -> Engine:
    limits = limits or PoolLimits()
    pool = {"pool_size": limits.size, "max_overflow": limits.overflow, "pool_timeout": limits.timeout}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": limits.lock_timeout},
                               poolclass=QueuePool, **pool)
        _configure_sqlite(engine, limits.lock_timeout)
        return engine
    # lock_timeout bounds how long a writer queues on a row or the ledger lock before 503.
    return create_engine(url, pool_pre_ping=True, **pool,
                         connect_args={"options": f"-c lock_timeout={int(limits.lock_timeout * 1000)}"})


def read_only(engine: Engine) -> Engine:
    """The same pool, for transactions that only read: on SQLite they begin DEFERRED (no write
    lock: readers never queue behind writers, WAL gives them a snapshot); on PostgreSQL they
    are READ ONLY transactions."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(**{READ_ONLY: True}, postgresql_readonly=True)
    return engine.execution_options(**{READ_ONLY: True})


def _configure_sqlite(engine: Engine, lock_timeout: float) -> None:
    # WAL keeps readers off the writers' backs; synchronous=FULL makes an acknowledged commit
    # survive a power cut. A writing transaction starts with BEGIN IMMEDIATE so that two writers
    # queue on the lock instead of failing with SQLITE_BUSY when a reader upgrades to a writer;
    # a read-only one starts DEFERRED and never takes the lock.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        cursor.close()

    # Writers queue on a lock of their own before SQLite's, whose busy handler waits by sleeping:
    # see kernel.writerlock. Its wait is bounded like SQLite's, and past the bound the error is
    # SQLite's own "database is locked" (503 with Retry-After).
    database = engine.url.database
    writer = WriterLock(Path(database).resolve() if database and database != ":memory:"
                        and not database.startswith("file:") else None)
    holding = "debarlist_holds_writer_lock"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
            return
        if not writer.acquire(timeout=lock_timeout, appends=bool(conn.get_execution_options().get(APPENDS))):
            raise exc.OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))
        conn.info[holding] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn)
            raise

    def _release(conn: Any) -> None:
        if conn.info.pop(holding, False):
            writer.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
    if engine.dialect.name == "postgresql":
        event.listen(factory, "before_flush", _draw_keys)
    return factory


_BATCHED_FROM = 2  # new rows of one table in a flush from which their keys are drawn beforehand
_sequences: dict[tuple[str, str], str | None] = {}


def _draw_keys(session: Session, _context: Any, _instances: Any) -> None:
    """PostgreSQL: give new rows their generated integer keys before the flush, one query per table.

    A row whose key the database generates must be inserted with RETURNING, so a bulk of them went
    out as SQLAlchemy's "insertmanyvalues" statements: a thousand rows of thirty columns in one
    statement text, which psycopg converts anew on every call (it caches only statements of up to
    4,096 characters), a fifth of a bulk request's CPU. With the keys drawn from the column's own
    sequence first, the rows are plain ``executemany`` inserts (psycopg's pipeline, one prepared
    statement). The sequence is the one the column's default takes from, so keys never collide
    with rows inserted one at a time."""
    keys: dict[Mapper[Any], Column[Any] | None] = {}
    pending: dict[Column[Any], list[Any]] = {}
    for obj in session.new:
        mapper = inspect(obj).mapper
        if mapper not in keys:
            keys[mapper] = _generated_key(mapper)
        key = keys[mapper]
        if key is not None and getattr(obj, key.key) is None:
            pending.setdefault(key, []).append(obj)
    for key, objs in pending.items():
        if len(objs) < _BATCHED_FROM:
            continue
        sequence = _sequence_of(session, key.table.name, key.name)
        if sequence is None:
            continue
        values = session.connection().execute(
            text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :count)"),
            {"sequence": sequence, "count": len(objs)}).scalars().all()
        objs.sort(key=lambda obj: inspect(obj).insert_order)  # keys ascend in the order rows were added
        for obj, value in zip(objs, sorted(values), strict=True):
            setattr(obj, key.key, value)


@dataclass(frozen=True, slots=True)
class Stamp:
    """A number given to a row under the ledger lock (its list revision)."""

    row: object
    attribute: str
    number: int


_STAMPED_TOGETHER_FROM = 2


def write_stamps(session: Session, stamps: list[Stamp]) -> None:
    """Set each stamp's attribute. PostgreSQL: the stamps of rows already flushed are written with
    one ``UPDATE ... FROM unnest(keys, numbers)`` per table and column instead of one UPDATE per
    row (a bulk of 5,000 entries sent 10,000 of them, after inserting the same rows); the rows
    are told the value is stored. Elsewhere, and for rows not flushed yet, the attribute is set
    and the flush writes it."""
    together = bool(stamps) and session.get_bind().dialect.name == "postgresql"
    groups: dict[tuple[Mapper[Any], str], list[Stamp]] = {}
    for stamp in stamps:
        state = inspect(stamp.row)
        if not together or not state.persistent:
            setattr(stamp.row, stamp.attribute, stamp.number)
        else:
            groups.setdefault((state.mapper, stamp.attribute), []).append(stamp)
    for (mapper, attribute), group in groups.items():
        if len(group) < _STAMPED_TOGETHER_FROM or len(mapper.primary_key) != 1:
            for stamp in group:
                setattr(stamp.row, stamp.attribute, stamp.number)
            continue
        key = mapper.primary_key[0]
        column = mapper.columns[attribute]
        pairs = func.unnest(bindparam("keys", [mapper.primary_key_from_instance(s.row)[0] for s in group],
                                      type_=ARRAY(BigInteger)),
                            bindparam("numbers", [s.number for s in group], type_=ARRAY(BigInteger))
                            ).table_valued("key", "number").render_derived(name="stamps")
        session.execute(update(key.table).where(key == pairs.c.key).values({column.name: pairs.c.number}))
        for stamp in group:
            set_committed_value(stamp.row, attribute, stamp.number)


def _generated_key(mapper: Mapper[Any]) -> Column[Any] | None:
    """The mapper's single integer primary key when the database generates it, else None."""
    if len(mapper.primary_key) != 1 or not isinstance(mapper.local_table, Table):
        return None
    column = mapper.primary_key[0]
    return column if mapper.local_table.autoincrement_column is column else None


def _sequence_of(session: Session, table: str, column: str) -> str | None:
    if (table, column) not in _sequences:
        _sequences[(table, column)] = session.connection().execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table, "column": column}).scalar()
    return _sequences[(table, column)]


def settle_write_ahead_log(engine: Engine) -> None:
    """SQLite: fold the write-ahead log into the database file and empty it (a no-op elsewhere).

    Called at start, before the service says it is ready: a log left large (a bulk load, a
    restore, a crash) is otherwise folded in by the first commit, which holds the write lock
    meanwhile; at 100,000 entries that took longer than the lock timeout, and the requests
    queued behind it answered 503."""
    if engine.dialect.name != "sqlite":
        return
    connection = engine.raw_connection()
    try:
        # The driver connection is in autocommit (isolation_level None, _configure_sqlite): the
        # pragma runs outside any transaction, as it must.
        connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        connection.close()
