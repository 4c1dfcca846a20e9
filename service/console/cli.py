"""``debarlist people ...``: console accounts from the command line (the operator), and the demo's person."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.cli_database import NoSuchDatabase, database_url
from service.console.models import Person
from service.console.people import create_person
from service.kernel.db import make_engine, make_session_factory
from service.kernel.errors import ServiceError
from service.kernel.roles import ORGANISATION_ROLES
from service.kernel.uow import SYSTEM, Tx

people_app = typer.Typer(help="People: console accounts (username and password).", no_args_is_help=True)

DEMO_USERNAME = "demo"


def _factory() -> sessionmaker[Session]:
    try:
        url = database_url()
    except NoSuchDatabase as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    return make_session_factory(make_engine(url))


@people_app.command("add")
def people_add(username: Annotated[str, typer.Argument(help="Sign-in name: lower-case letters, digits, . _ -")],
               org: Annotated[str, typer.Option(help="Organisation code the person belongs to.")],
               roles: Annotated[str, typer.Option(help="Comma-separated, e.g. screener,auditor.")],
               name: Annotated[str, typer.Option(help="Full name, as pages and the audit show it.")] = "",
               as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False) -> None:
    """Add a person; the generated password is printed once (only its argon2id hash is kept)."""
    with _factory()() as session:
        tx = Tx(session=session, actor=SYSTEM)
        try:
            created = create_person(tx, organisation=org, username=username, display_name=name or username,
                                    roles=[r.strip() for r in roles.split(",") if r.strip()])
            tx.commit()
        except ServiceError as exc:
            tx.rollback()
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(code=1) from None
    if as_json:
        typer.echo(json.dumps({"username": created.username, "password": created.password}))
    else:
        typer.echo(f"username: {created.username}\npassword: {created.password}\n"
                   "sign in at /console/sign-in; the password is not shown again")


@people_app.command("list")
def people_list() -> None:
    """Every person: username, organisation, roles, and whether disabled or locked."""
    with _factory()() as session:
        for person in session.execute(select(Person).order_by(Person.username)).scalars():
            state = " (disabled)" if person.disabled else " (locked)" if person.locked_until else ""
            typer.echo(f"{person.username}\t{person.organisation.code}\t{','.join(person.roles)}{state}")


def demo_person(factory: sessionmaker[Session], file: Path, organisation: str) -> tuple[str, str]:
    """The demo's person holding every organisation role: the password in ``file`` (0600) while the
    account exists, else a new account whose password is written there."""
    try:
        saved = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = None
    with factory() as session:
        exists = session.execute(select(Person.id).where(Person.username == DEMO_USERNAME)).first() is not None
        if exists and isinstance(saved, dict) and isinstance(saved.get("password"), str):
            return DEMO_USERNAME, saved["password"]
        tx = Tx(session=session, actor=SYSTEM)
        if exists:  # the file was lost: a new password for the same account
            from service.auth.secrets import hash_secret
            from service.console.people import new_password

            password = new_password()
            person = session.execute(select(Person).where(Person.username == DEMO_USERNAME)).scalar_one()
            person.password_hash = hash_secret(password)
            tx.audit("person.password_reset", "person", person.id, {"username": DEMO_USERNAME})
        else:
            password = create_person(tx, organisation=organisation, username=DEMO_USERNAME,
                                     display_name="Demo officer", roles=[r.value for r in ORGANISATION_ROLES]
                                     ).password
        tx.commit()
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(json.dumps({"username": DEMO_USERNAME, "password": password}) + "\n")
    return DEMO_USERNAME, password
