"""Progress on the page, over real HTTP: imports (both kinds) and the audit verification report
each chunk of work done as a line of a streamed page, then the report (service/console/progress.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from service.console import progress
from tests.console.conftest import Someone, csrf_of, signed_in
from tests.console.test_import_published import EBRD_HEADER, ebrd_line, entries_of
from tests.support import entry_body, unique_word


def _stream(client: httpx.Client, content: bytes, name: str, fmt: str) -> tuple[httpx.Response, list[str]]:
    token = csrf_of(client.get("/console/entries/import").text)
    pieces: list[str] = []
    with client.stream("POST", "/console/entries/import", data={"csrf": token, "format": fmt},
                       files={"entries": (name, content, "application/octet-stream")}) as answer:
        pieces.extend(answer.iter_text())
    return answer, pieces


@pytest.fixture
def always_streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No work ends within the first moment: every page with progress is streamed."""
    monkeypatch.setattr(progress, "PREFLIGHT", 0.0)


def test_a_json_lines_import_shows_its_progress_then_commits_and_reports(
        harness: Any, console_url: str, person: Callable[..., Someone], always_streamed: None) -> None:
    _, latin = unique_word()
    org = harness.new_org()
    contributor = signed_in(console_url, person("contributor", org=org))
    lines = [json.dumps(entry_body(name=f"{latin} Progress {i:05d} LLP", external_ref=f"prog-{i}"))
             for i in range(1, 1201)]
    lines.append(json.dumps(entry_body(name=f"{latin} Again LLP", external_ref="prog-7")))  # repeats line 7
    answer, pieces = _stream(contributor, ("\n".join(lines) + "\n").encode(), "many.jsonl", "entries")
    body = "".join(pieces)
    assert answer.status_code == 200 and answer.headers.get("transfer-encoding") == "chunked"
    assert len(pieces) > 1
    # A report every 500 lines as the bulk service writes them, and one at the end.
    steps = [f"lines {n} of 1,201 written" for n in ("500", "1,000", "1,201")]
    at = [body.index(step) for step in steps]
    assert at == sorted(at) and body.index("Done: the import is committed.") > at[-1]
    assert body.index("Done: the import is committed.") < body.index('id="import-summary"')
    assert "1201 lines: 1200 created, 0 updated, 0 unchanged, 1 refused." in body
    assert "external_ref repeats line 7" in body  # 1,194 lines after line 7: still refused
    assert len(entries_of(harness, org)) == 1200


def test_a_published_list_import_shows_its_progress(
        harness: Any, console_url: str, person: Callable[..., Someone], always_streamed: None) -> None:
    _, latin = unique_word()
    org = harness.new_org()
    contributor = signed_in(console_url, person("contributor", org=org))
    content = ("\ufeff" + EBRD_HEADER + "".join(ebrd_line(latin, i) for i in range(1, 1101))).encode()
    answer, pieces = _stream(contributor, content, "ebrd.csv", "ebrd")
    body = "".join(pieces)
    assert answer.status_code == 200 and len(pieces) > 1
    assert body.index("rows 1,000 read and written") < body.index("Done: the import is committed.")
    assert "1100 rows: 1100 created" in body and len(entries_of(harness, org)) == 1100
    assert "строк" in signed_in(console_url, person("contributor", org=org)).get(
        "/console/entries/import", headers={"Accept-Language": "ru"}).text.lower()


def test_an_import_refused_half_way_while_streamed_says_so_beside_the_field_and_keeps_nothing(
        harness: Any, console_url: str, person: Callable[..., Someone], always_streamed: None) -> None:
    _, latin = unique_word()
    org = harness.new_org()
    contributor = signed_in(console_url, person("contributor", org=org))
    content = ("\ufeff" + EBRD_HEADER + "".join(ebrd_line(latin, i) for i in range(1, 1301))).encode()
    content = content.replace(b"Construction 01200", b"Constr\xfction 01200")
    answer, pieces = _stream(contributor, content, "bad.csv", "ebrd")
    body = "".join(pieces)
    assert answer.status_code == 200  # sent with the page's first line, before the refusal
    assert body.index("rows 1,000 read and written") < body.index("Stopped: nothing was imported.")
    error = body.split('id="entries-error">')[1].split("</p>")[0]
    assert "row 1,201: not UTF-8 text" in error and "nothing was imported" in error
    assert "Done:" not in body and entries_of(harness, org) == []


def test_the_verification_page_shows_its_progress_and_the_verdict(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    auditor = signed_in(console_url, person("auditor"))
    page = auditor.get("/console/audit/verify")
    assert page.status_code == 200
    step = page.text.split('id="progress"')[1].split("</ol>")[0]
    assert " verified</li>" in step and "records " in step and "Done." in step
    assert page.text.index("Done.") < page.text.index('id="verdict"')
    assert "The chain verifies" in page.text
    assert "проверено" in auditor.get("/console/audit/verify", headers={"Accept-Language": "ru"}).text


def test_the_verification_page_is_streamed_when_it_takes_a_while(
        harness: Any, console_url: str, person: Callable[..., Someone], always_streamed: None) -> None:
    auditor = signed_in(console_url, person("auditor"))
    with auditor.stream("GET", "/console/audit/verify") as answer:
        body = "".join(answer.iter_text())
    assert answer.status_code == 200 and answer.headers.get("transfer-encoding") == "chunked"
    assert body.index(" verified</li>") < body.index('id="verdict"') and "The chain verifies" in body
    assert body.rstrip().endswith("</html>")
