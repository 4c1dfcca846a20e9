"""Business rules for organisations, clients and the client-credentials grant.

Who administers what:

- the system operator (the command line; ``by=None``) and ``operator`` clients: every
  organisation. They alone register organisations and grant the ``operator`` role;
- an ``admin`` client: the API clients of its own organisation only (create, list, disable);
- ``operator`` clients exist only where ``DEBARLIST_ALLOW_OPERATOR_CLIENTS`` is true: otherwise
  none is created and an existing one gets no token and no answer (``operator_clients=False``);
- nobody disables the last enabled admin client of an organisation, not even that client itself.

A refusal is raised as ``Refused``, which the caller records as ``auth.denied`` (operation,
target, reason) with ``record_refusal``; every change is audited as its own action.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.auth.models import ApiClient, Organisation
from service.auth.schemas import ClientCreate, ClientCreated, ClientOut, OrganisationCreate, SecretRotated
from service.auth.secrets import hash_secret, new_client_id, new_secret, verify_secret
from service.kernel.clock import utcnow
from service.kernel.errors import Conflict, Forbidden, NotFound, ServiceError, Unauthorized, Unprocessable
from service.kernel.principal import Principal
from service.kernel.roles import Role
from service.kernel.uow import Actor, Tx

log = logging.getLogger("debarlist")

OPERATOR_CLIENTS_OFF = ("the operator role is not enabled for API clients on this service "
                        "(DEBARLIST_ALLOW_OPERATOR_CLIENTS is false); the `debarlist` command line "
                        "registers organisations and administers every organisation's clients")


class OperatorClientRefused(Unauthorized):
    """An ``operator`` client where operator clients are not enabled: no token, no answer."""

    def __init__(self) -> None:
        super().__init__("this client holds the operator role, which API clients may not use on this service "
                         "(DEBARLIST_ALLOW_OPERATOR_CLIENTS is false)", error="unauthorized_client")


def _is_operator(by: Principal | None) -> bool:
    return by is None or by.has(Role.operator)


def may_administer(by: Principal | None, organisation: str) -> bool:
    return _is_operator(by) or (by is not None and by.has(Role.admin) and by.organisation == organisation)


class Refused(ServiceError):
    """A refusal the audit log records as ``auth.denied``: what was asked, on what, and why.

    The caller records it in a transaction of its own (``record_refusal``) after rolling its own
    back, so that nothing of the refused operation is written and the record survives.
    """

    def __init__(self, detail: str, *, operation: str, target_type: str, target_id: str | None,
                 **details: Any) -> None:
        super().__init__(detail)
        self.operation = operation
        self.target_type = target_type
        self.target_id = target_id
        self.details = details


class ForbiddenHere(Refused):
    status, slug, title = Forbidden.status, Forbidden.slug, Forbidden.title


class LastAdmin(Refused):
    status, slug, title = Conflict.status, Conflict.slug, Conflict.title


def record_refusal(factory: sessionmaker[Session], actor: Actor, request_id: str | None, refusal: Refused) -> None:
    """Write ``auth.denied`` for ``refusal`` in its own transaction."""
    with factory() as session:
        try:
            tx = Tx(session=session, actor=actor, request_id=request_id)
            tx.audit("auth.denied", refusal.target_type, refusal.target_id,
                     {"operation": refusal.operation, "status": refusal.status, "reason": refusal.detail,
                      **refusal.details})
            tx.commit()
        except Exception:  # a failed audit of a refusal must not turn the refusal into a 500
            log.exception("could not record auth.denied")
            session.rollback()


def record_token_denial(factory: sessionmaker[Session], actor: Actor, request_id: str | None,
                        client_id: str, reason: str) -> None:
    """Write ``auth.denied`` for a refused token request in its own transaction."""
    with factory() as session:
        try:
            tx = Tx(session=session, actor=actor, request_id=request_id)
            tx.audit("auth.denied", "client", client_id[:64], {"path": "/v1/token", "reason": reason})
            tx.commit()
        except Exception:  # a failed audit of a refusal must not turn the refusal into a 500
            log.exception("could not record auth.denied")
            session.rollback()


def not_your_organisation(by: Principal | None, what: str, organisation: str) -> str:
    own = by.organisation if by is not None else "?"
    return (f"an admin may {what} only of its own organisation ({own}), not of {organisation!r}; "
            "administering another organisation requires the operator role")


def check_operator_allowed(principal: Principal, *, operator_clients: bool) -> None:
    """Refuse a token of an ``operator`` client where operator clients are not enabled."""
    if principal.has(Role.operator) and not operator_clients:
        raise OperatorClientRefused()


def get_organisation(session: Session, code: str) -> Organisation:
    org = session.execute(select(Organisation).where(Organisation.code == code)).scalar_one_or_none()
    if org is None:
        raise NotFound(f"organisation {code!r} does not exist")
    return org


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.execute(select(Organisation).order_by(Organisation.code)).scalars())


def create_organisation(tx: Tx, data: OrganisationCreate, by: Principal | None = None) -> Organisation:
    """Register an organisation: the operator's alone (``by=None`` is the command line)."""
    if not _is_operator(by):
        raise ForbiddenHere("registering an organisation requires the operator role; "
                            "an admin administers only its own organisation's clients",
                            operation="organisation.create", target_type="organisation", target_id=data.code)
    exists = tx.session.execute(select(Organisation.id).where(Organisation.code == data.code)).first()
    if exists:
        raise Conflict(f"organisation {data.code!r} already exists")
    org = Organisation(code=data.code, name=data.name, kind=data.kind, requires_review=data.requires_review,
                       requires_totp=data.requires_totp)
    tx.session.add(org)
    tx.session.flush()
    tx.audit("organisation.create", "organisation", org.code, {"after": data.model_dump(mode="json")})
    return org


def client_out(client: ApiClient) -> ClientOut:
    return ClientOut(client_id=client.id, organisation=client.organisation.code, name=client.name,
                     roles=list(client.roles), disabled=client.disabled, created_at=client.created_at)


def create_client(tx: Tx, data: ClientCreate, by: Principal | None = None, *,
                  operator_clients: bool = True) -> ClientCreated:
    """Create a client of ``data.organisation`` for ``by`` (``None``: the system operator).

    An admin creates clients of its own organisation only, never one holding the operator role;
    ``operator_clients=False`` (the service's DEBARLIST_ALLOW_OPERATOR_CLIENTS) refuses the
    operator role to everyone.
    """
    roles = [str(role) for role in data.roles]
    if not may_administer(by, data.organisation):
        raise ForbiddenHere(not_your_organisation(by, "create clients", data.organisation),
                            operation="client.create", target_type="organisation", target_id=data.organisation,
                            roles=roles)
    if Role.operator in data.roles:
        if not operator_clients:
            raise ForbiddenHere(OPERATOR_CLIENTS_OFF, operation="client.create", target_type="organisation",
                                target_id=data.organisation, roles=roles)
        if not _is_operator(by):
            raise ForbiddenHere("only an operator may create a client holding the operator role",
                                operation="client.create", target_type="organisation",
                                target_id=data.organisation, roles=roles)
    org = tx.session.execute(
        select(Organisation).where(Organisation.code == data.organisation)).scalar_one_or_none()
    if org is None:
        raise Unprocessable(f"organisation {data.organisation!r} does not exist")
    secret = new_secret()
    client = ApiClient(id=new_client_id(), organisation_id=org.id, organisation=org, name=data.name,
                       roles=roles, secret_hash=hash_secret(secret),
                       disabled=False, created_by=tx.actor.client_id)
    tx.session.add(client)
    tx.session.flush()
    tx.audit("client.create", "client", client.id,
             {"organisation": org.code, "name": data.name, "roles": client.roles})
    return ClientCreated(**client_out(client).model_dump(), client_secret=secret)


def list_clients(session: Session, by: Principal | None = None, organisation: str | None = None) -> list[ClientOut]:
    """The clients ``by`` may see: an admin its own organisation's, an operator or auditor all
    (``organisation`` narrows the list; an admin naming another organisation is refused)."""
    if by is not None and not by.has(Role.operator, Role.auditor):
        if organisation is not None and organisation != by.organisation:
            raise ForbiddenHere(not_your_organisation(by, "list the clients", organisation),
                                operation="client.list", target_type="organisation", target_id=organisation)
        organisation = by.organisation
    query = select(ApiClient).order_by(ApiClient.created_at, ApiClient.id)
    if organisation is not None:
        query = query.where(ApiClient.organisation.has(Organisation.code == organisation))
    return [client_out(client) for client in session.execute(query).scalars()]


def administered_client(tx: Tx, client_id: str, by: Principal | None, operation: str, what: str, *,
                        lock: bool = False) -> ApiClient:
    """The client ``by`` may administer (an admin: its own organisation's clients; the operator:
    any), else 404 for an unknown id and 403, audited as ``operation``, for another organisation's.
    ``lock``: the client's row is locked for the rest of the transaction (the row alone:
    PostgreSQL locks no outer-joined row)."""
    query = select(ApiClient).where(ApiClient.id == client_id[:64])
    client = tx.session.execute(query.with_for_update(of=ApiClient) if lock else query).scalar_one_or_none()
    if client is None:
        raise NotFound(f"client {client_id!r} does not exist")
    code = client.organisation.code
    if not may_administer(by, code):
        raise ForbiddenHere(not_your_organisation(by, what, code), operation=operation, target_type="client",
                            target_id=client.id, organisation=code)
    return client


def disable_client(tx: Tx, client_id: str, by: Principal | None = None) -> ClientOut:
    """Disable a client: an admin its own organisation's only; never an organisation's last
    enabled admin client (whoever asks, the client itself included)."""
    client = administered_client(tx, client_id, by, "client.disable", "disable clients")
    code = client.organisation.code
    # Concurrent disables of an organisation's clients queue on its row, so two admins
    # cannot disable each other at once and leave none (SQLite: BEGIN IMMEDIATE already does).
    tx.session.execute(select(Organisation.id).where(Organisation.id == client.organisation_id).with_for_update())
    tx.session.refresh(client)
    if client.disabled:
        return client_out(client)
    if Role.admin.value in client.roles and not _other_enabled_admins(tx.session, client):
        raise LastAdmin(f"client {client.id!r} is the last enabled admin client of organisation {code!r}; "
                        "create another admin client before disabling this one",
                        operation="client.disable", target_type="client", target_id=client.id, organisation=code)
    client.disabled = True
    tx.audit("client.disable", "client", client.id, {"organisation": code})
    return client_out(client)


def rotate_secret(tx: Tx, client_id: str, by: Principal | None, overlap_seconds: int) -> SecretRotated:
    """Give a client a new secret, shown once; the replaced one keeps working for
    ``overlap_seconds`` (an admin: its own organisation's clients only; a disabled client: 409)."""
    # Locked: of two rotations at once the second replaces the first's secret knowingly, and the
    # first's is not silently lost.
    client = administered_client(tx, client_id, by, "client.rotate_secret", "rotate the secrets of clients",
                                 lock=True)
    code = client.organisation.code
    if client.disabled:
        raise Conflict(f"client {client.id!r} is disabled; a disabled client gets no new secret")
    secret = new_secret()
    until = utcnow() + timedelta(seconds=overlap_seconds) if overlap_seconds > 0 else None
    client.previous_secret_hash = client.secret_hash if until is not None else None
    client.previous_secret_expires_at = until
    client.secret_hash = hash_secret(secret)
    tx.audit("client.rotate_secret", "client", client.id,
             {"organisation": code, "overlap_seconds": overlap_seconds,
              "previous_valid_until": until.isoformat() if until else None})
    return SecretRotated(**client_out(client).model_dump(), client_secret=secret, previous_secret_valid_until=until)


def _previous_secret_fits(client: ApiClient, secret: str) -> bool:
    """The secret a rotation replaced, while its overlap lasts."""
    expires = client.previous_secret_expires_at
    if client.previous_secret_hash is None or expires is None or expires <= utcnow():
        return False
    return verify_secret(client.previous_secret_hash, secret)


def _other_enabled_admins(session: Session, client: ApiClient) -> int:
    rows = session.execute(select(ApiClient.id, ApiClient.roles).where(
        ApiClient.organisation_id == client.organisation_id, ApiClient.disabled.is_(False),
        ApiClient.id != client.id)).all()
    return sum(1 for _, roles in rows if Role.admin.value in roles)


def authenticate_client(session: Session, client_id: str, secret: str, *,
                        operator_clients: bool = True) -> ApiClient:
    client = session.get(ApiClient, client_id) if len(client_id) <= 64 else None
    # Always run one argon2 verification, so timing does not reveal which ids exist.
    ok = verify_secret(client.secret_hash if client else None, secret)
    if client is not None and not ok:
        ok = _previous_secret_fits(client, secret)
    if client is None or not ok or client.disabled:
        raise Unauthorized("invalid client credentials", error="invalid_client")
    if Role.operator.value in client.roles and not operator_clients:
        raise OperatorClientRefused()
    return client
