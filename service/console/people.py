"""People: console accounts, their passwords (argon2id), lockout and sign-in sessions.

A person holds roles as an API client does and acts as a ``Principal`` whose ``client_id`` is
``person:<username>``, so every domain service, every organisation rule and the audit log treat
a person's actions as they treat a client's. Passwords and session tokens are stored only as
hashes (argon2id; sha256 for the 256-bit random session tokens) and never logged.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.auth.models import Organisation
from service.auth.secrets import hash_secret, verify_secret
from service.auth.service import may_administer
from service.console.models import Person, PersonSession
from service.kernel.clock import utcnow
from service.kernel.errors import Conflict, Forbidden, Unprocessable
from service.kernel.principal import Principal
from service.kernel.roles import ORGANISATION_ROLES, Role
from service.kernel.uow import Tx

# After this many consecutive failures the account is locked for LOCKOUT (a guess every few
# minutes is no attack on a 12-character password; a thousand a second would be).
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)  # a working day; signing out ends it sooner
MIN_PASSWORD = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
PREFIX = "person:"
TOTP_SECRET = re.compile(r"^[A-Z2-7]{16,64}$")  # base32, at least 80 bits (RFC 4226 asks 128; ours are 160)


@dataclass(frozen=True)
class NewPerson:
    username: str
    password: str  # shown once to whoever created the account, never stored


@dataclass(frozen=True)
class SignedIn:
    token: str  # the cookie's value; only its hash is stored
    csrf: str
    person: Person


class SignInRefused(Exception):
    """Wrong username or password, or a locked or disabled account: one message for all, so the
    page does not tell which usernames exist."""


def principal_of(person: Person) -> Principal:
    return Principal(client_id=PREFIX + person.username, organisation=person.organisation.code,
                     organisation_id=person.organisation_id, roles=frozenset(person.roles))


def new_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 bits


def create_person(tx: Tx, *, organisation: str, username: str, display_name: str, roles: list[str],
                  by: Principal | None = None, password: str | None = None) -> NewPerson:
    """Add a person to ``organisation`` (``by``: an admin of it, or None for the operator's command line)."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise Unprocessable("a username is 2 to 40 characters: lower-case letters, digits, '.', '_' or '-', "
                            "starting with a letter or digit")
    unknown = sorted(set(roles) - {role.value for role in ORGANISATION_ROLES})
    if unknown or not roles:
        raise Unprocessable(f"roles must be some of {', '.join(r.value for r in ORGANISATION_ROLES)}"
                            + (f"; not {', '.join(unknown)}" if unknown else ""))
    if not may_administer(by, organisation) and by is not None:
        raise Forbidden(f"an admin may add people only to its own organisation ({by.organisation})")
    if password is not None and len(password) < MIN_PASSWORD:
        raise Unprocessable(f"a password has at least {MIN_PASSWORD} characters")
    org = tx.session.execute(select(Organisation).where(Organisation.code == organisation)).scalar_one_or_none()
    if org is None:
        raise Unprocessable(f"organisation {organisation!r} does not exist")
    if tx.session.execute(select(Person.id).where(Person.username == username)).first() is not None:
        raise Conflict(f"username {username!r} is taken")
    password = password or new_password()
    person = Person(id=str(uuid.uuid4()), organisation_id=org.id, organisation=org, username=username,
                    display_name=display_name.strip()[:200] or username, password_hash=hash_secret(password),
                    roles=sorted(set(roles)), disabled=False, failed_attempts=0, created_at=utcnow(),
                    created_by=tx.actor.client_id)
    tx.session.add(person)
    tx.session.flush()
    tx.audit("person.create", "person", person.id, {"username": username, "organisation": organisation,
                                                    "roles": person.roles})
    return NewPerson(username=username, password=password)


def list_people(session: Session, principal: Principal) -> list[Person]:
    query = select(Person).order_by(Person.username)
    if not principal.has(Role.operator):
        query = query.where(Person.organisation_id == principal.organisation_id)
    return list(session.execute(query).scalars())


def must_enrol(person: Person) -> bool:
    """The person's organisation requires the second factor and the person has none yet: until
    they enrol one, their session reaches only the account page."""
    return bool(person.organisation.requires_totp) and person.totp_secret is None


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(person: Person, secret: str) -> str:
    """The otpauth:// URI an authenticator app takes (typed or pasted: the key is shown too)."""
    return pyotp.TOTP(secret).provisioning_uri(name=person.username, issuer_name="Debarlist")


def _totp_step(secret: str, code: str, last_step: int | None, now: datetime) -> int | None:
    """The time step ``code`` is valid for (this one or its neighbours, for clock drift), unless
    that step was already used."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * totp.interval), code) and (last_step is None or step > last_step):
            return step
    return None


def enable_totp(tx: Tx, person: Person, *, secret: str, code: str, now: datetime | None = None) -> None:
    """Turn the second factor on, once the person proved their authenticator holds ``secret``."""
    if not TOTP_SECRET.match(secret):
        # Only the key the account page generated comes back here; anything else is a forged form.
        raise Unprocessable("the key is not one this page gave: reload the account page and add its key again")
    step = _totp_step(secret, code, None, now or utcnow())
    if step is None:
        raise Unprocessable("that code does not match: type the 6 digits your authenticator shows now")
    person.totp_secret, person.totp_last_step = secret, step
    tx.audit("person.totp_enable", "person", person.id, {"username": person.username})


def disable_totp(tx: Tx, person: Person, *, code: str, now: datetime | None = None) -> None:
    if person.totp_secret is None:
        return
    if person.organisation.requires_totp:
        raise Forbidden(f"your organisation ({person.organisation.code}) requires two-step sign-in: "
                        "it cannot be turned off")
    step = _totp_step(person.totp_secret, code, person.totp_last_step, now or utcnow())
    if step is None:
        raise Unprocessable("that code does not match: type the 6 digits your authenticator shows now")
    person.totp_secret, person.totp_last_step = None, None
    tx.audit("person.totp_disable", "person", person.id, {"username": person.username})


def sign_in(tx: Tx, *, username: str, password: str, code: str = "", now: datetime | None = None) -> SignedIn:
    """Check the password (and the TOTP code, for a person who turned it on) and open a session;
    failures count towards the lockout (committed by the caller whatever the outcome, so a
    refused attempt is counted and audited too)."""
    now = now or utcnow()
    person = tx.session.execute(select(Person).where(Person.username == username.strip().lower())
                                ).scalar_one_or_none()
    # Verified even for an unknown username (against a dummy hash), so timing does not tell.
    matches = verify_secret(person.password_hash if person else None, password)
    if person is None:
        tx.audit("person.sign_in_refused", "person", None, {"username": username[:64], "reason": "unknown"})
        raise SignInRefused
    locked = person.locked_until is not None and person.locked_until > now
    step = None
    if matches and person.totp_secret is not None:
        step = _totp_step(person.totp_secret, code, person.totp_last_step, now)
        matches = step is not None
    if person.disabled or locked or not matches:
        reason = "disabled" if person.disabled else "locked" if locked else "wrong password or code"
        if not matches and not locked:
            person.failed_attempts += 1
            if person.failed_attempts >= MAX_FAILURES:
                person.locked_until = now + LOCKOUT
                person.failed_attempts = 0
                reason = "wrong password; locked"
        tx.audit("person.sign_in_refused", "person", person.id, {"username": person.username, "reason": reason})
        raise SignInRefused
    person.failed_attempts = 0
    person.locked_until = None
    if step is not None:
        person.totp_last_step = step
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    tx.session.add(PersonSession(id=_digest(token), person_id=person.id, csrf_token=csrf, created_at=now,
                                 expires_at=now + SESSION_LIFETIME))
    tx.actor = principal_of(person).actor
    details: dict[str, object] = {"username": person.username}
    if must_enrol(person):
        details["must_enrol_totp"] = True  # the session reaches only the account page, to enrol
    tx.audit("person.sign_in", "person", person.id, details)
    return SignedIn(token=token, csrf=csrf, person=person)


def session_of(session: Session, token: str, now: datetime | None = None) -> tuple[Person, PersonSession] | None:
    """The person signed in with ``token``, while the session and the account are valid."""
    if not token or len(token) > 200:
        return None
    found = session.get(PersonSession, _digest(token))
    if found is None or found.expires_at <= (now or utcnow()):
        return None
    person = session.get(Person, found.person_id)
    if person is None or person.disabled:
        return None
    return person, found


def sign_out(tx: Tx, token: str) -> None:
    tx.session.execute(delete(PersonSession).where(PersonSession.id == _digest(token)))
    tx.audit("person.sign_out", "person", None, {})


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and secrets.compare_digest(expected.encode(), (given or "").encode())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
