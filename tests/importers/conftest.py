from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from service.importers import ParsedRow, parse_file

PUBLISHED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "published"
FILES = {
    "worldbank": PUBLISHED / "worldbank-ineligible-2025-07-01.xlsx",
    "ebrd": PUBLISHED / "ebrd-ineligible.csv",
    "idb": PUBLISHED / "idb-sanctioned.xlsx",
}


def _parse(fmt: str) -> list[ParsedRow]:
    if not FILES[fmt].exists():
        pytest.skip(f"{FILES[fmt]} not available")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "Workbook contains no default style"
        return list(parse_file(FILES[fmt], fmt))


@pytest.fixture(scope="session")
def parsed() -> dict[str, list[ParsedRow]]:
    return {fmt: _parse(fmt) for fmt in FILES}


@pytest.fixture(scope="session")
def reparse() -> dict[str, list[ParsedRow]]:
    return {fmt: _parse(fmt) for fmt in FILES}
