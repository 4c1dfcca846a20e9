"""Parsers for the published debarment lists (World Bank, EBRD, IDB) and for JSONL re-imports.

Each parser yields one ``ParsedRow`` per data row: ``entry`` is the API's entry-create body,
or ``entry`` is None and ``error`` says why the row could not be taken.  Blank rows (and the
IDB export's filter footer) are skipped.  A file that is not in the expected layout raises
``ImportFormatError`` (a ValueError) before any row is yielded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from .common import GROUNDS, ImportFormatError, ParsedRow
from .ebrd import parse_ebrd
from .ftm import parse_ftm
from .idb import parse_idb
from .jsonl import parse_jsonl
from .worldbank import parse_worldbank

FORMATS = ("worldbank", "ebrd", "idb", "jsonl", "ftm")

_PARSERS: dict[str, Callable[[str | Path], Iterator[ParsedRow]]] = {
    "worldbank": parse_worldbank,
    "ebrd": parse_ebrd,
    "idb": parse_idb,
    "jsonl": parse_jsonl,
    "ftm": parse_ftm,
}


def parse_file(path: str | Path, fmt: str) -> Iterator[ParsedRow]:
    try:
        parser = _PARSERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
    return parser(path)


__all__ = [
    "FORMATS",
    "GROUNDS",
    "ImportFormatError",
    "ParsedRow",
    "parse_ebrd",
    "parse_file",
    "parse_ftm",
    "parse_idb",
    "parse_jsonl",
    "parse_worldbank",
]
