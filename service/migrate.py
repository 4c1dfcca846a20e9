"""Apply Alembic migrations programmatically (CLI, demo, tests, container start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import service


def alembic_dir() -> Path:
    # The repository keeps migrations beside the package (layout: service/, alembic/).
    for candidate in (Path(service.__file__).resolve().parent.parent / "alembic", Path.cwd() / "alembic"):
        if (candidate / "env.py").exists():
            return candidate
    raise FileNotFoundError("alembic/ migrations folder not found beside the service package")


def upgrade(database_url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(alembic_dir()))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")
