"""Parsers for the published debarment lists (World Bank, EBRD, IDB) and for JSONL re-imports.

Each parser yields one ``ParsedRow`` per data row: ``entry`` is the API's entry-create body,
or ``entry`` is None and ``error`` says why the row could not be taken.  Blank rows (and the
IDB export's filter footer) are skipped.  A file that is not in the expected layout raises
``ImportFormatError`` (a ValueError) before any row is yielded; a file that cannot be read on, or
that goes over the import ``Limits`` (limits.py: size, rows, wall time), raises it when reading
stops, with the row in ``.row``.  A row that merely cannot be taken (a bad date, a cell over the
cell limit, a JSON line nested too deep) is a rejected ``ParsedRow`` and the others follow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from .common import GROUNDS, ImportFormatError, ParsedRow
from .ebrd import parse_ebrd
from .ftm import parse_ftm
from .idb import parse_idb
from .jsonl import parse_jsonl
from .limits import Budget, ImportLimitError, Limits
from .worldbank import parse_worldbank

FORMATS = ("worldbank", "ebrd", "idb", "jsonl", "ftm")

_PARSERS: dict[str, Callable[[str | Path, Budget | None], Iterator[ParsedRow]]] = {
    "worldbank": parse_worldbank,
    "ebrd": parse_ebrd,
    "idb": parse_idb,
    "jsonl": parse_jsonl,
    "ftm": parse_ftm,
}


def parse_file(path: str | Path, fmt: str, budget: Budget | None = None) -> Iterator[ParsedRow]:
    """The file's rows, read within ``budget`` (default: the default ``Limits``, a fresh deadline)."""
    try:
        parser = _PARSERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
    return parser(path, budget)


__all__ = [
    "FORMATS",
    "GROUNDS",
    "Budget",
    "ImportFormatError",
    "ImportLimitError",
    "Limits",
    "ParsedRow",
    "parse_ebrd",
    "parse_file",
    "parse_ftm",
    "parse_idb",
    "parse_jsonl",
    "parse_worldbank",
]
