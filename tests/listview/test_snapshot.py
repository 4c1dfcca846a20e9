"""The index snapshot: used when it describes this database with this engine, caught up from the
ledger, and refused (the index rebuilt) when it is foreign, stale or corrupt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from debarlist_match import Query
from service.listview import snapshot
from service.listview.lists import Lists
from service.listview.warmup import warm
from service.migrate import scratch_database
from tests.support import Actor, Harness, entry_body, unique_word


def _list(harness: Harness, contributor: Actor, name: str) -> str:
    response = harness.client.post("/v1/entries", headers=contributor.headers,
                                   json=entry_body(name=name, aliases=[], identifiers=[]))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _found(harness: Harness, screener: Actor, name: str) -> list[str]:
    response = harness.client.post("/v1/screen", headers=screener.headers,
                                   json={"subjects": [{"ref": "s", "name": name}]})
    assert response.status_code == 200, response.text
    return [m["entry_id"] for m in response.json()["results"][0]["matches"]]


def _readiness(harness: Harness) -> dict[str, object]:
    response = harness.client.get("/readyz")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


@pytest.fixture
def other_db(tmp_path: Path) -> Iterator[str]:
    import os
    import secrets

    with scratch_database(os.environ.get("DEBARLIST_DATABASE_URL"), tmp_path,
                          "o" + secrets.token_hex(4)) as url:
        yield url


def _start(db: str, key_file: Path, path: Path) -> Harness:
    return Harness.start(db, key_file, index_snapshot_file=path)


def test_a_restart_loads_the_snapshot_and_catches_up_from_the_ledger(fresh_db: str, key_file: Path,
                                                                      tmp_path: Path) -> None:
    path = tmp_path / "index.snapshot"
    first = _start(fresh_db, key_file, path)
    try:
        contributor = first.actor("contributor")
        before = _list(first, contributor, unique_word()[1] + " Holding")
        assert _readiness(first)["source"] == "database"
    finally:
        first.close()
    assert path.exists()  # written after the first build
    written = snapshot.read_header(path)["revision"]
    # A change the snapshot does not hold, made while no server ran.
    between = Harness.start(fresh_db, key_file)
    try:
        after_name = unique_word()[1] + " Logistics"
        after = _list(between, between.actor("contributor"), after_name)
    finally:
        between.close()
    second = _start(fresh_db, key_file, path)
    try:
        screener = second.actor("screener")
        ready = _readiness(second)
        assert ready["source"] == "snapshot"
        assert ready["index_revision"] == ready["list_revision"]
        assert before in _found(second, screener, second.app.state.lists.live_index.facts[before].name)
        assert after in _found(second, screener, after_name)
    finally:
        second.close()
    assert snapshot.read_header(path)["revision"] > written  # caught up, so written again


def test_before_a_fork_a_built_index_is_swapped_for_its_snapshot(fresh_db: str, key_file: Path,
                                                                  tmp_path: Path) -> None:
    """As the pre-fork server warms (``warm`` writing the snapshot before it answers): the index
    built from the database is replaced by the one read back from the file it wrote."""
    harness = Harness.start(fresh_db, key_file)
    try:
        name = unique_word()[1] + " Montazh"
        listed = _list(harness, harness.actor("contributor"), name)
        lists, sessions = Lists(), harness.app.state.sessions
        warmed = warm(lists, sessions, tmp_path / "index.snapshot")
        assert warmed.source == "database" and lists.live_index.mapped
        assert listed in lists.live_index.facts

        def found(query: str) -> list[str]:
            return [m.key for m, _ in lists.live_index.search(Query(name=query), threshold=0.7, limit=5,
                                                                accept=lambda facts: True, partitions=(None,))]

        assert listed in found(name)
        later_name = unique_word()[1] + " Logistics"
        later = _list(harness, harness.actor("contributor"), later_name)
        with sessions.read() as session:
            lists.live_index.refresh(session)  # caught up from the ledger like any loaded index
        assert later in found(later_name)
    finally:
        harness.close()


def _snapshot_of_one_entry(db: str, key_file: Path, path: Path) -> tuple[str, str]:
    harness = _start(db, key_file, path)
    try:
        name = unique_word()[1] + " Stroy"
        return _list(harness, harness.actor("contributor"), name), name
    finally:
        harness.close()


def _source_after_restart(db: str, key_file: Path, path: Path) -> Harness:
    harness = _start(db, key_file, path)
    assert _readiness(harness)["source"] == "database"
    return harness


def test_a_snapshot_of_another_database_is_rebuilt_not_trusted(fresh_db: str, other_db: str, key_file: Path,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "index.snapshot"
    entry_id, name = _snapshot_of_one_entry(fresh_db, key_file, path)
    # The other database has audit records of its own (a client, an entry), so its chain differs.
    seed = Harness.start(other_db, key_file)
    try:
        _list(seed, seed.actor("contributor"), unique_word()[1] + " Trade")
        for _ in range(3):
            _list(seed, seed.actor("contributor"), unique_word()[1] + " Trade")
    finally:
        seed.close()
    harness = _source_after_restart(other_db, key_file, path)
    try:
        assert entry_id not in harness.app.state.lists.live_index.facts
        assert entry_id not in _found(harness, harness.actor("screener"), name)
    finally:
        harness.close()


def _rewrite_header(path: Path, **changes: object) -> None:
    raw = path.read_bytes()
    header = snapshot.read_header(path)
    start = len(snapshot.MAGIC) + 8
    length = int.from_bytes(raw[len(snapshot.MAGIC):start], "big")
    payload = raw[start + length:]
    header.update(changes)
    encoded = json.dumps(header).encode()
    path.write_bytes(snapshot.MAGIC + len(encoded).to_bytes(8, "big") + encoded + payload)


@pytest.mark.parametrize("damage", ["other_engine", "ahead_of_the_database", "flipped_byte", "truncated",
                                    "not_a_snapshot", "other_format", "other_facts", "section_outside"])
def test_a_foreign_stale_or_corrupt_snapshot_is_rebuilt(damage: str, fresh_db: str, key_file: Path,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "index.snapshot"
    entry_id, name = _snapshot_of_one_entry(fresh_db, key_file, path)
    raw = path.read_bytes()
    if damage == "other_engine":  # a new algorithm version: its index state is not this one's
        _rewrite_header(path, engine="debarlist-match/9.9+0000000000000000")
    elif damage == "ahead_of_the_database":  # e.g. the database was restored from an older backup
        _rewrite_header(path, revision=10**9)
    elif damage == "other_format":
        _rewrite_header(path, format=99)
    elif damage == "other_facts":  # ListedFacts gained a field since
        _rewrite_header(path, facts=snapshot.FACTS_LAYOUT + ",new_field")
    elif damage == "section_outside":
        sections = snapshot.read_header(path)["sections"]
        _rewrite_header(path, sections={**sections, "facts.rows": [8, 10**9]})
    elif damage == "flipped_byte":
        path.write_bytes(raw[:-10] + bytes([raw[-10] ^ 0xFF]) + raw[-9:])
    elif damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    else:
        path.write_bytes(b"\x80\x05garbage" * 100)
    with pytest.raises(snapshot.SnapshotRefused):
        from service.kernel.db import make_engine, make_session_factory

        engine = make_engine(fresh_db)
        try:
            with make_session_factory(engine)() as session:
                snapshot.load(path, session)
        finally:
            engine.dispose()
    harness = _source_after_restart(fresh_db, key_file, path)
    try:
        assert entry_id in _found(harness, harness.actor("screener"), name)  # rebuilt, complete
    finally:
        harness.close()
    snapshot.read_header(path)  # and written anew, readable


def test_screening_waits_for_the_index_with_503_and_retry_after(fresh_db: str, key_file: Path,
                                                                tmp_path: Path) -> None:
    from service.app import create_app
    from service.config import Settings
    from service.listview.warmup import warm

    seeded = Harness.start(fresh_db, key_file)
    try:
        name = unique_word()[1] + " Engineering"
        entry_id = _list(seeded, seeded.actor("contributor"), name)
        screener = seeded.actor("screener")
    finally:
        seeded.close()
    settings = Settings(database_url=fresh_db, signing_key_file=key_file, env="development",
                        index_warmup="background")
    app = create_app(settings)
    # Without entering the client the app's start-up has not run: the index is not loaded,
    # exactly as during a warm-up.
    client = TestClient(app, raise_server_exceptions=False)
    try:
        not_ready = client.get("/readyz")
        assert not_ready.status_code == 503 and not_ready.headers["Retry-After"]
        assert not_ready.headers["content-type"].startswith("application/problem+json")
        refused = client.post("/v1/screen", headers=screener.headers,
                              json={"subjects": [{"ref": "s", "name": name}]})
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "5"
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert client.get("/healthz").status_code == 200  # alive all the while
        warm(app.state.lists, app.state.sessions, None)
        assert client.get("/readyz").status_code == 200
        found = client.post("/v1/screen", headers=screener.headers, json={"subjects": [{"ref": "s", "name": name}]})
        assert found.status_code == 200
        assert entry_id in [m["entry_id"] for m in found.json()["results"][0]["matches"]]
    finally:
        app.state.engine.dispose()


def test_background_warm_up_becomes_ready(fresh_db: str, key_file: Path, tmp_path: Path) -> None:
    import time

    harness = Harness.start(fresh_db, key_file, index_warmup="background",
                            index_snapshot_file=tmp_path / "index.snapshot")
    try:
        deadline = time.monotonic() + 30
        while harness.client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the index never became ready"
            time.sleep(0.05)
        assert _readiness(harness)["source"] == "database"
    finally:
        harness.close()


def test_a_detached_save_is_written_by_a_child_and_leaves_the_index_free(fresh_db: str, key_file: Path,
                                                                        tmp_path: Path) -> None:
    # A warm-up's save while the server answers (snapshot.save detached): a forked child pickles and
    # writes the file; this process only forks, so the index's lock is free again at once.
    import os
    import threading

    path = tmp_path / "index.snapshot"
    harness = Harness.start(fresh_db, key_file)
    try:
        name = unique_word()[1] + " Trans"
        entry_id = _list(harness, harness.actor("contributor"), name)
        live = harness.app.state.lists.live_index
        with harness.app.state.sessions.read() as session:
            live.refresh(session)
            mark = snapshot.ledger_mark(session)
        forks_before = os.getpid()
        size = snapshot.save(path, live, mark, detached=True)
        assert os.getpid() == forks_before  # the child never returned into the caller
        assert size == path.stat().st_size and snapshot.read_header(path)["revision"] == live.revision
        free = threading.Thread(target=lambda: live.matcher._lock.acquire(timeout=1) and live.matcher._lock.release())
        free.start()
        free.join(2)
        assert not free.is_alive()
    finally:
        harness.close()
    restarted = _start(fresh_db, key_file, path)
    try:
        assert _readiness(restarted)["source"] == "snapshot"
        assert entry_id in _found(restarted, restarted.actor("screener"), name)
    finally:
        restarted.close()
