"""An organisation that requires the second factor: over real HTTP, a person of it who has not
enrolled reaches only the account page until they do, and nobody of it may turn TOTP off."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pyotp
from sqlalchemy import select

from service.kernel.ledger import AuditRecord
from tests.console.conftest import Someone, csrf_of, signed_in

ACCOUNT = "/console/account?enrol=required"


def _enrol(client: httpx.Client) -> str:
    """Turn TOTP on from the account page; the secret the authenticator now holds."""
    page = client.get("/console/account")
    assert page.status_code == 200, page.text
    secret = page.text.split('id="totp-secret">')[1].split("<")[0]
    enabled = client.post("/console/account/totp", data={"csrf": csrf_of(page.text), "secret": secret,
                                                         "code": pyotp.TOTP(secret).now()})
    assert enabled.status_code == 303, enabled.text
    return secret


def _next_code(secret: str) -> str:
    """The next 30-second step's code: accepted (one step of clock drift is) and not yet spent,
    unlike the current one that enrolling used."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_a_person_who_has_not_enrolled_is_sent_to_the_account_page_and_refused_every_other(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    who = person("screener", "contributor", "auditor", org=harness.new_org(requires_totp=True))
    client = httpx.Client(base_url=console_url, headers={"Accept": "text/html"}, timeout=60)
    form = client.get("/console/sign-in")
    signed = client.post("/console/sign-in", data={"username": who.username, "password": who.password,
                                                   "csrf": csrf_of(form.text), "next": "/console/screen"})
    # The password alone opens a session, but one that leads to the account page only.
    assert signed.status_code == 303 and signed.headers["location"] == ACCOUNT
    account = client.get(ACCOUNT)
    assert account.status_code == 200 and 'id="enrol-required"' in account.text
    assert "requires two-step sign-in" in account.text
    assert 'href="/console/screen"' not in account.text  # no way round it offered either
    russian = client.get(ACCOUNT, headers={"Accept-Language": "ru"})
    assert "Ваша организация требует двухэтапного входа" in russian.text
    for page in ("/console/", "/console/screen", "/console/monitoring", "/console/entries", "/console/audit"):
        refused = client.get(page)
        assert refused.status_code == 303 and refused.headers["location"] == ACCOUNT, page
    token = csrf_of(account.text)
    posted = client.post("/console/screen", data={"csrf": token, "names": "Acme LLP"})
    assert posted.status_code == 303 and posted.headers["location"] == ACCOUNT
    # An API-style caller holding the same cookie gets the refusal as a problem document.
    problem = client.get("/console/entries", headers={"Accept": "application/json"})
    assert problem.status_code == 403 and problem.headers["content-type"] == "application/problem+json"
    assert "requires two-step sign-in" in problem.json()["detail"]
    with harness.app.state.session_factory() as session:
        actions = [r.action for r in session.scalars(select(AuditRecord).where(
            AuditRecord.actor == f"person:{who.username}").order_by(AuditRecord.seq))]
    assert "screening.create" not in actions and "auth.denied" in actions  # nothing screened, refusals kept
    # A wrong code leaves the person on the page, with the message beside the field.
    secret = account.text.split('id="totp-secret">')[1].split("<")[0]
    wrong = client.post("/console/account/totp", data={"csrf": token, "secret": secret, "code": "000000"})
    assert wrong.status_code == 422 and 'id="code-error"' in wrong.text and secret in wrong.text
    forged = client.post("/console/account/totp", data={"csrf": token, "secret": "not base32!", "code": "123456"})
    assert forged.status_code == 422 and 'id="code-error"' in forged.text
    # Enrolled: every page of the person's roles opens, in the same session.
    _enrol(client)
    assert client.get("/console/screen").status_code == 200
    assert client.get("/console/entries").status_code == 200
    assert 'id="enrol-required"' not in client.get("/console/account").text
    out = client.post("/console/sign-out", data={"csrf": token})
    assert out.status_code == 303 and client.get("/console/screen").headers["location"].startswith("/console/sign-in")


def test_a_person_of_such_an_organisation_may_not_turn_totp_off(
        harness: Any, console_url: str, person: Callable[..., Someone]) -> None:
    who = person("screener", org=harness.new_org(requires_totp=True))
    def restricted_session() -> httpx.Client:
        client = httpx.Client(base_url=console_url, headers={"Accept": "text/html"}, timeout=60)
        form = client.get("/console/sign-in")
        assert client.post("/console/sign-in", data={"username": who.username, "password": who.password,
                                                     "csrf": csrf_of(form.text)}).headers["location"] == ACCOUNT
        return client

    # Signing out works from the restricted session: it ends, and the account page asks to sign in.
    first = restricted_session()
    out = first.post("/console/sign-out", data={"csrf": csrf_of(first.get("/console/account").text)})
    assert out.status_code == 303 and out.headers["location"] == "/console/sign-in"
    assert first.get("/console/account").headers["location"].startswith("/console/sign-in")
    client = restricted_session()
    secret = _enrol(client)
    page = client.get("/console/account")
    assert 'id="totp-required"' in page.text and "/console/account/totp/disable" not in page.text
    refused = client.post("/console/account/totp/disable", data={"csrf": csrf_of(page.text),
                                                                 "code": _next_code(secret)})
    assert refused.status_code == 403 and "cannot be turned off" in refused.text
    assert "On: signing in asks" in client.get("/console/account").text
    # Still on: signing in again needs the code.
    browser = httpx.Client(base_url=console_url, headers={"Accept": "text/html"}, timeout=60)
    again = browser.post("/console/sign-in", data={"username": who.username, "password": who.password,
                                                   "csrf": csrf_of(browser.get("/console/sign-in").text)})
    assert again.status_code == 401


def test_an_organisation_that_does_not_require_it_leaves_the_choice_to_each_person(
        console_url: str, person: Callable[..., Someone]) -> None:
    client = signed_in(console_url, person("screener"))
    assert client.get("/console/screen").status_code == 200
    page = client.get("/console/account")
    assert 'id="enrol-required"' not in page.text
    secret = _enrol(client)
    page = client.get("/console/account")
    assert "/console/account/totp/disable" in page.text
    off = client.post("/console/account/totp/disable", data={
        "csrf": csrf_of(page.text), "code": _next_code(secret)})
    assert off.status_code == 303 and "Off." in client.get("/console/account").text
