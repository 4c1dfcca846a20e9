"""People for the console tests, and a live server (real uvicorn on loopback) to sign in to."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from service.console.people import create_person
from service.kernel.uow import SYSTEM, Tx
from tests.support import Harness, live_server


@dataclass
class Someone:
    username: str
    password: str
    organisation: str
    roles: tuple[str, ...]


@pytest.fixture(scope="module")
def console_url(harness: Harness) -> Iterator[str]:
    with live_server(harness.app) as url:
        yield url


@pytest.fixture
def person(harness: Harness) -> Callable[..., Someone]:
    """``person("screener", org=...)``: a console account holding the roles."""

    def make(*roles: str, org: str | None = None) -> Someone:
        org = org or harness.new_org()
        username = "p" + secrets.token_hex(5)
        with harness.app.state.session_factory() as session:
            tx = Tx(session=session, actor=SYSTEM)
            created = create_person(tx, organisation=org, username=username, display_name=f"Person {username}",
                                    roles=list(roles))
            tx.commit()
        return Someone(username, created.password, org, roles)

    return make


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def signed_in(url: str, who: Someone) -> httpx.Client:
    """An HTTP client holding a signed-in session (cookies), as a browser would."""
    client = httpx.Client(base_url=url, headers={"Accept": "text/html"}, follow_redirects=False, timeout=60)
    page = client.get("/console/sign-in")
    answer = client.post("/console/sign-in", data={"username": who.username, "password": who.password,
                                                   "csrf": csrf_of(page.text), "next": "/console/"})
    assert answer.status_code == 303, answer.text
    return client


def report_rows(html: str) -> list[tuple[str, str, str]]:
    """(line or row, external_ref, result) of each row of an import's report table."""
    body = html.split('<table class="results">')[1].split("</table>")[0].split("<tbody>")[1]
    rows = []
    for chunk in body.split("<tr")[1:]:
        cells = [cell.split("</td>")[0].strip() for cell in chunk.split("<td")[1:]]
        cells = [cell.split(">", 1)[1] for cell in cells]
        rows.append((cells[0], cells[1], cells[2]))
    return rows
