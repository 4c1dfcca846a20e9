"""Tampering with the log directly in the database is caught by verify at the right seq."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from service.audit import checkpoints
from service.audit.verify import (
    CHECKPOINT_MISMATCH,
    GAP,
    HASH_MISMATCH,
    PREV_MISMATCH,
    TRUNCATED,
    Anchor,
)
from service.auth.keys import key_from_pem
from service.kernel.chain import chain_hash
from service.kernel.ledger import GENESIS_HASH, AuditRecord
from tests.audit.conftest import ScratchDb

N = 10


def test_intact_chain_verifies(scratch: ScratchDb) -> None:
    scratch.write(N)
    report = scratch.verify()
    assert report.ok and report.records == N and report.head_seq == N
    assert report.first_broken_seq is None and report.reason is None


def test_altered_record_is_reported_at_its_seq(scratch: ScratchDb) -> None:
    scratch.write(N)
    with scratch.superuser() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 5"))
    report = scratch.verify()
    assert (report.ok, report.first_broken_seq, report.reason) == (False, 5, HASH_MISMATCH)
    assert report.records == 4


def test_altered_details_are_reported(scratch: ScratchDb) -> None:
    scratch.write(N)
    with scratch.superuser() as conn:
        conn.execute(text("UPDATE audit_log SET details = :d WHERE seq = 7"),
                     {"d": json.dumps({"before": {"name": "old 6"}, "after": {"name": "forged"}, "score": 0.506})})
    report = scratch.verify()
    assert (report.first_broken_seq, report.reason) == (7, HASH_MISMATCH)


def test_deleted_record_is_a_gap(scratch: ScratchDb) -> None:
    scratch.write(N)
    with scratch.superuser() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    report = scratch.verify()
    assert (report.first_broken_seq, report.reason) == (4, GAP)


def test_deleted_head_record_is_reported(scratch: ScratchDb) -> None:
    scratch.write(N)
    with scratch.superuser() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = :n"), {"n": N})
    report = scratch.verify()
    assert (report.first_broken_seq, report.reason) == (N, TRUNCATED)


def test_reordered_records_are_reported(scratch: ScratchDb) -> None:
    scratch.write(N)
    with scratch.superuser() as conn:  # swap records 3 and 6, keeping their hashes
        conn.execute(text("UPDATE audit_log SET seq = -1 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_log SET seq = 3 WHERE seq = 6"))
        conn.execute(text("UPDATE audit_log SET seq = 6 WHERE seq = -1"))
    report = scratch.verify()
    assert (report.first_broken_seq, report.reason) == (3, PREV_MISMATCH)


def _rewrite_from(scratch: ScratchDb, seq: int) -> None:
    """The careful forger: change record ``seq``, recompute every later hash and the ledger head."""
    with scratch.superuser() as conn:
        conn.execute(text("UPDATE audit_log SET target_id = 'forged' WHERE seq = :s"), {"s": seq})
        conn.execute(text("DELETE FROM audit_checkpoints"))  # and hide the stored checkpoints
        rows = conn.execute(AuditRecord.__table__.select().order_by(AuditRecord.seq)).all()
        head = GENESIS_HASH
        for row in rows:
            new = chain_hash(head, row)
            conn.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"p": head, "h": new, "s": row.seq})
            head = new
        conn.execute(text("UPDATE ledger SET audit_head = :h WHERE id = 1"), {"h": head})


def test_kept_checkpoint_detects_a_rewrite_before_it(scratch: ScratchDb, key_file: Path) -> None:
    key = key_from_pem(key_file.read_text())
    scratch.write(6)
    issued = checkpoints.issue(scratch.factory, key, "debarlist")
    assert issued is not None and issued.seq == 6
    kept = checkpoints.read(issued.jws, key, "debarlist")
    scratch.write(4)
    assert scratch.verify(checkpoint=Anchor(kept.seq, kept.head_hash)).ok

    _rewrite_from(scratch, 2)
    assert scratch.verify().ok  # the rewritten chain is self-consistent...
    report = scratch.verify(checkpoint=Anchor(kept.seq, kept.head_hash))
    assert (report.ok, report.first_broken_seq, report.reason) == (False, 6, CHECKPOINT_MISMATCH)


def test_stored_checkpoint_detects_a_rewrite_that_kept_it(scratch: ScratchDb, key_file: Path) -> None:
    key = key_from_pem(key_file.read_text())
    scratch.write(5)
    assert checkpoints.issue(scratch.factory, key, "debarlist") is not None
    with scratch.superuser() as conn:
        saved = conn.execute(text("SELECT seq, head_hash, issued_at, jws FROM audit_checkpoints")).one()
    _rewrite_from(scratch, 1)
    with scratch.superuser() as conn:
        conn.execute(text("INSERT INTO audit_checkpoints (seq, head_hash, issued_at, jws) "
                          "VALUES (:seq, :head_hash, :issued_at, :jws)"), saved._asdict())
    report = scratch.verify()
    assert (report.first_broken_seq, report.reason) == (5, CHECKPOINT_MISMATCH)
    with pytest.raises(checkpoints.ChainBroken):  # and no checkpoint is signed over it
        checkpoints.issue(scratch.factory, key, "debarlist")


def test_postgres_trigger_refuses_update_and_delete(scratch: ScratchDb) -> None:
    if not scratch.is_pg:
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    scratch.write(2)
    for statement in ("UPDATE audit_log SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 2",
                      "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), scratch.engine.begin() as conn:
            conn.execute(text(statement))
    assert scratch.verify().ok and scratch.verify().records == 2


def test_cli_verify(scratch: ScratchDb, key_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.cli import app
    from service.config import get_settings

    monkeypatch.setenv("DEBARLIST_DATABASE_URL", scratch.url)
    monkeypatch.setenv("DEBARLIST_SIGNING_KEY_FILE", str(key_file))
    get_settings.cache_clear()  # the CLI reads the environment set above
    try:
        runner = CliRunner()
        scratch.write(4)
        kept = tmp_path / "checkpoint.jws"
        made = runner.invoke(app, ["audit", "checkpoint", "--out", str(kept)])
        assert made.exit_code == 0, made.output
        good = runner.invoke(app, ["audit", "verify", "--checkpoint", str(kept)])
        assert good.exit_code == 0, good.output
        assert json.loads(good.stdout)["ok"] is True

        _rewrite_from(scratch, 3)
        bad = runner.invoke(app, ["audit", "verify", "--checkpoint", str(kept)])
        assert bad.exit_code == 1
        out = json.loads(bad.stdout)
        assert (out["ok"], out["first_broken_seq"], out["reason"]) == (False, 4, CHECKPOINT_MISMATCH)
        forged = tmp_path / "forged.jws"
        forged.write_text(kept.read_text().strip()[:-4] + "AAAA")
        assert runner.invoke(app, ["audit", "verify", "--checkpoint", str(forged)]).exit_code == 2
    finally:
        get_settings.cache_clear()


def test_a_run_of_deleted_records_wider_than_a_chunk_is_a_gap(scratch: ScratchDb) -> None:
    scratch.write(N)
    with scratch.superuser() as conn:  # scratch.verify reads 3 seqs per chunk
        conn.execute(text("DELETE FROM audit_log WHERE seq BETWEEN 3 AND 8"))
    report = scratch.verify()
    assert (report.first_broken_seq, report.reason) == (3, GAP)
