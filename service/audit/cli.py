"""``debarlist audit ...``: verify the chain and issue checkpoints from the operator's shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from service.audit import checkpoints
from service.audit.verify import Anchor, verify_chain
from service.auth.keys import load_signing_key
from service.cli_database import NoSuchDatabase, database_url
from service.config import get_settings
from service.kernel.db import make_engine, make_session_factory
from service.kernel.errors import ServiceError

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


def _database_url() -> str:
    try:
        return database_url()
    except NoSuchDatabase as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc


@audit_app.command("verify")
def verify(checkpoint: Annotated[Path | None, typer.Option(
               exists=True, dir_okay=False, readable=True,
               help="A kept checkpoint (the JWS, as issued) the chain must still pass through.")] = None
           ) -> None:
    """Walk the hash chain; print a JSON report; exit 1 at the first broken record."""
    settings = get_settings()
    engine = make_engine(_database_url())
    try:
        anchor = None
        if checkpoint is not None:
            try:
                claims = checkpoints.read(checkpoint.read_text(), load_signing_key(settings), settings.issuer)
            except ServiceError as exc:
                typer.echo(json.dumps({"ok": False, "reason": exc.detail}))
                raise typer.Exit(code=2) from exc
            anchor = Anchor(claims.seq, claims.head_hash)
        report = verify_chain(make_session_factory(engine), checkpoint=anchor)
    finally:
        engine.dispose()
    typer.echo(json.dumps(report.as_dict()))
    if not report.ok:
        raise typer.Exit(code=1)


@audit_app.command("checkpoint")
def checkpoint(out: Annotated[Path | None, typer.Option(
                   help="Also write the JWS to this file (keep it outside the system).")] = None) -> None:
    """Verify the chain since the last checkpoint, then sign and store its head; print the JWS."""
    settings = get_settings()
    engine = make_engine(_database_url())
    try:
        issued = checkpoints.issue(make_session_factory(engine), load_signing_key(settings), settings.issuer)
    except ServiceError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(code=1) from exc
    finally:
        engine.dispose()
    assert issued is not None
    if out is not None:
        out.write_text(issued.jws + "\n")
    typer.echo(issued.jws)
