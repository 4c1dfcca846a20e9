"""Which database a command-line command works on, said once on stderr.

The default URL (``sqlite:///./debarlist.db``) is relative to the working directory, so a
command run from the wrong directory would silently create an empty database there: commands
that expect data refuse a SQLite file that does not exist; only the ones that build the schema
(``db upgrade``, ``serve``) create it, and say so.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from service.config import get_settings

_announced: set[str] = set()


class NoSuchDatabase(Exception):
    """The configured SQLite file does not exist and the command would not create it."""


def describe(url: str) -> tuple[str, Path | None]:
    """The URL as it may be shown (password hidden, SQLite path absolute) and the SQLite file, if any."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database)).expanduser().resolve()
        return f"sqlite:///{path}", path
    return parsed.render_as_string(hide_password=True), None


def database_url(*, create: bool = False) -> str:
    """The configured database URL, after naming it on stderr (once per process)."""
    url = get_settings().database_url
    shown, path = describe(url)
    if path is not None and not path.exists():
        if not create:
            raise NoSuchDatabase(
                f"no database at {path} (from DEBARLIST_DATABASE_URL or the default {url!r}); set "
                "DEBARLIST_DATABASE_URL to the service's database, or create this one with `debarlist db upgrade`")
        shown += " (new: creating it)"
    if url not in _announced:
        _announced.add(url)
        print(f"database: {shown}", file=sys.stderr)
    return url
