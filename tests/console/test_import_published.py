"""Importing a published list in the console, over real HTTP: the file `debarlist import` takes,
through its own service function (entries.importing.import_file), into the contributor's
organisation; a report by the file's row numbers; atomic and idempotent; hostile files refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from service.kernel.ledger import AuditRecord
from tests.console.conftest import Someone, csrf_of, report_rows, signed_in
from tests.support import unique_word

# As tests/importers/conftest.py finds them (the checkout's sibling shared/data/published).
PUBLISHED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "published"
EBRD_HEADER = ("Firm Name,Address,Nationality,Ineligible From, Ineligible Until,Notice Effective At EBRD,"
               "Originating Institution,Prohibited Practice\r\n")


def ebrd_slice(rows: int) -> bytes:
    """The real EBRD file's header and first ``rows`` rows, byte for byte."""
    path = PUBLISHED / "ebrd-ineligible.csv"
    if not path.exists():
        pytest.skip(f"{path} not available")
    data = path.read_bytes()
    lines = data.split(b"\n")
    return b"\n".join(lines[:rows + 1]) + b"\n"


def ebrd_line(latin: str, i: int) -> str:
    return (f'"{latin} Console Construction {i:05d} LLP","{i} Abay avenue, Almaty",Kazakhstan,2024-01-01,'
            "2029-12-31,2024-01-01,EBRD,Fraudulent Practice\r\n")


def upload(client: httpx.Client, content: bytes, name: str, fmt: str) -> httpx.Response:
    token = csrf_of(client.get("/console/entries/import").text)
    return client.post("/console/entries/import", data={"csrf": token, "format": fmt},
                       files={"entries": (name, content, "application/octet-stream")})


def entries_of(harness: Any, org: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"organisation": org, "limit": 200}
    while True:
        page = harness.client.get("/v1/entries", params=params, headers=harness.actor("auditor").headers).json()
        items += page["items"]
        if not page.get("next_cursor"):
            return items
        params["cursor"] = page["next_cursor"]


def audit_count(harness: Any, org: str) -> int:
    """The organisation's audit records (its people's actions)."""
    with harness.app.state.session_factory() as session:
        return int(session.execute(select(func.count()).select_from(AuditRecord)
                                   .where(AuditRecord.organisation == org)).scalar_one())


def test_a_contributor_imports_the_published_ebrd_list_and_again_changes_nothing(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    org = harness.new_org()
    contributor = signed_in(console_url, person("contributor", org=org))
    page = contributor.get("/console/entries/import")
    assert 'name="format"' in page.text and 'value="ebrd"' in page.text and 'value="worldbank"' in page.text
    assert "Опубликованный список ЕБРР" in contributor.get("/console/entries/import",
                                                           headers={"Accept-Language": "ru"}).text
    content = ebrd_slice(25)
    done = upload(contributor, content, "ebrd-ineligible.csv", "ebrd")
    assert done.status_code == 200, done.text
    assert "25 rows: 25 created, 0 updated, 0 unchanged, 0 refused, 0 repeating an earlier row." in done.text
    rows = report_rows(done.text)
    # The file's own row numbers: the header is row 1.
    assert [row for row, _, _ in rows] == [str(n) for n in range(2, 27)]
    assert {result for _, _, result in rows} == {"created"} and all(ref.startswith("EBRD:") for _, ref, _ in rows)
    listed = entries_of(harness, org)
    assert len(listed) == 25 and {item["organisation"] for item in listed} == {org}
    # Provenance is the file's: the list's publisher and row; the organisation is the contributor's.
    first = next(item for item in listed if item["source"]["row"] == 2)
    assert first["source"]["publisher"] == "EBRD" and "China Gezhouba" in first["name"]
    revisions = harness.client.get(f"/v1/entries/{first['id']}/revisions",
                                   headers=harness.actor("auditor").headers).json()
    assert revisions[0]["recorded_by"].startswith("person:")
    before = audit_count(harness, org)
    again = upload(contributor, content, "ebrd-ineligible.csv", "ebrd")
    assert again.status_code == 200
    assert "25 rows: 0 created, 0 updated, 25 unchanged, 0 refused" in again.text
    assert {result for _, _, result in report_rows(again.text)} == {"unchanged"}
    assert len(entries_of(harness, org)) == 25 and audit_count(harness, org) == before


def test_rows_that_cannot_be_taken_and_repeated_rows_are_reported_by_row(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    _, latin = unique_word()
    org = harness.new_org()
    contributor = signed_in(console_url, person("contributor", org=org))
    body = (EBRD_HEADER + ebrd_line(latin, 1) + ebrd_line(latin, 2).replace("2024-01-01,2029", "2024-13-45,2029")
            + ebrd_line(latin, 1) + ebrd_line(latin, 3))
    done = upload(contributor, ("\ufeff" + body).encode(), "mixed.csv", "ebrd")
    assert done.status_code == 200, done.text
    assert "4 rows: 2 created, 0 updated, 0 unchanged, 1 refused, 1 repeating an earlier row." in done.text
    rows = report_rows(done.text)
    assert [(row, result) for row, _, result in rows] == [
        ("2", "created"), ("3", "refused"), ("4", "duplicate"), ("5", "created")]
    assert "the same as row 2" in done.text
    assert len(entries_of(harness, org)) == 2


def test_a_hostile_or_invalid_file_is_refused_beside_the_field_and_keeps_nothing(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    _, latin = unique_word()
    org = harness.new_org()
    contributor = signed_in(console_url, person("contributor", org=org))
    before = audit_count(harness, org)
    # Not the EBRD layout; not a workbook at all; a bad byte half way (1,500 good rows before it).
    half_way = ("\ufeff" + EBRD_HEADER + "".join(ebrd_line(latin, i) for i in range(1, 1601))).encode()
    half_way = half_way.replace(b"Construction 01500", b"Constr\xfction 01500")
    for content, name, fmt, words in (
            (b"name,country\r\nAcme,KZ\r\n", "other.csv", "ebrd", "other.csv"),
            (b"PK\x03\x04 this is no workbook", "list.xlsx", "worldbank", "list.xlsx"),
            (half_way, "badbyte.csv", "ebrd", "row 1,501: not UTF-8 text")):
        refused = upload(contributor, content, name, fmt)
        # Refused at once: an ordinary page, 422. Refused half way: the streamed page (200 was sent
        # with its first line) ends with the same message beside the field.
        assert refused.status_code == (422 if len(content) < 1000 else refused.status_code), name
        assert refused.status_code in (200, 422) and "Stopped: nothing was imported." in refused.text
        error = refused.text.split('id="entries-error">')[1].split("</p>")[0]
        assert words in error and "nothing was imported" in error, error
        assert 'aria-invalid="true"' in refused.text and 'value="' + fmt + '" selected' in refused.text
    assert entries_of(harness, org) == [] and audit_count(harness, org) == before


def test_only_contributors_import_published_lists(console_url: str, person: Callable[..., Someone]) -> None:
    one = (EBRD_HEADER + ebrd_line(unique_word()[1], 1)).encode()
    screener = signed_in(console_url, person("screener", "auditor", "reviewer"))
    token = csrf_of(screener.get("/console/entries").text)
    refused = screener.post("/console/entries/import", data={"csrf": token, "format": "ebrd"},
                            files={"entries": ("e.csv", one, "text/csv")})
    assert refused.status_code == 403
    contributor = signed_in(console_url, person("contributor"))
    forged = contributor.post("/console/entries/import", data={"format": "ebrd"},
                              files={"entries": ("e.csv", one, "text/csv")})
    assert forged.status_code == 403 and "security token" in forged.text
