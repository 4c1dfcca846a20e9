"""Apply Alembic migrations programmatically (CLI, demo, tests, benches, container start)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import service


def alembic_dir() -> Path:
    # Migrations ship inside the package (service/migrations), so an installed service can
    # migrate from any directory, not only from a checkout.
    return Path(service.__file__).resolve().parent / "migrations"


def upgrade(database_url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(alembic_dir()))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")


@contextmanager
def scratch_database(base_url: str | None, folder: Path, name: str) -> Iterator[str]:
    """Yield the URL of a new, migrated database of ``base_url``'s backend, dropped afterwards.

    SQLite (or no ``base_url``): a file ``name``.db in ``folder``. PostgreSQL: database ``name``
    on the same server, created and dropped through its ``postgres`` maintenance database.
    Tests that tamper with the log and benches that need an empty chain use it.
    """
    if not base_url or base_url.startswith("sqlite"):
        url = f"sqlite:///{folder / (name + '.db')}"
        upgrade(url)
        yield url
        return
    admin = create_engine(make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
