"""Request dependencies: the unit of work, the authenticated principal and role checks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2

from service.auth.apikeys import authenticate as authenticate_api_key
from service.auth.models import ApiClient
from service.auth.service import check_operator_allowed
from service.auth.tokens import verify_token
from service.kernel.errors import Forbidden, Unauthorized
from service.kernel.principal import Principal
from service.kernel.roles import Role
from service.kernel.uow import Tx

log = logging.getLogger("debarlist")

oauth2_scheme = OAuth2(
    flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl="/v1/token")),
    scheme_name="clientCredentials",
    description="OAuth2 client-credentials grant at `POST /v1/token`; send the token as a Bearer header.",
    auto_error=False,
)


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_tx(request: Request) -> Iterator[Tx]:
    """The request's unit of work: read-only for GET and HEAD, otherwise committed here, once,
    when the endpoint returned without error, and before the response is sent (the dependency
    has function scope): an acknowledged write is a committed one, and a failed commit is the
    request's error, not a silent loss."""
    yield from _unit_of_work(request, writing=request.method not in READ_METHODS)


def get_writing_tx(request: Request) -> Iterator[Tx]:
    """A writing unit of work whatever the method, for a GET that writes by its protocol's
    definition (reconciliation 0.2 sends queries by GET too; a query is a screening, which keeps
    its receipt). Committed as ``get_tx`` commits."""
    yield from _unit_of_work(request, writing=True)


def _unit_of_work(request: Request, *, writing: bool) -> Iterator[Tx]:
    tx = Tx(sessions=request.app.state.sessions, request_id=getattr(request.state, "request_id", None),
            writing=writing)
    try:
        yield tx
        if tx.writing:
            tx.commit()
    except BaseException:
        tx.rollback()
        raise
    finally:
        tx.close()


TxDep = Annotated[Tx, Depends(get_tx, scope="function")]


def get_principal(request: Request, tx: TxDep,
                  authorization: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    if not authorization:
        raise Unauthorized("missing bearer token", error="invalid_request")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() not in ("bearer", "apikey") or not token.strip():
        raise Unauthorized("expected 'Authorization: Bearer <token>' or 'Authorization: ApiKey <key>'",
                           error="invalid_request")
    state = request.app.state
    # The client is looked up on every request so that disabling it (or revoking its key) takes
    # effect at once; in a short read, so that a writing request takes no lock before its service
    # writes.
    if scheme.lower() == "apikey":
        with tx.read() as session:
            # An operator client's key is refused by the check below, audited, as its tokens are.
            client = authenticate_api_key(session, token.strip(), operator_clients=True)
            principal = Principal(client_id=client.id, organisation=client.organisation.code,
                                  organisation_id=client.organisation_id, roles=frozenset(client.roles))
    else:
        claims = verify_token(token.strip(), state.signing_key, state.settings)
        with tx.read() as session:
            found = session.get(ApiClient, claims.client_id)
            if found is None or found.disabled:
                raise Unauthorized("client unknown or disabled")
            client = found
            # A token carries the roles it was issued with (a scope may have narrowed them), never
            # more than the client holds now.
            principal = Principal(client_id=client.id, organisation=client.organisation.code,
                                  organisation_id=client.organisation_id,
                                  roles=frozenset(client.roles) & frozenset(claims.roles))
    # An operator client's token is refused everywhere while operator clients are not enabled.
    try:
        check_operator_allowed(principal, operator_clients=state.settings.allow_operator_clients)
    except Unauthorized as refusal:
        tx.close()
        record_denial(request, principal, refusal.detail)
        raise
    tx.actor = principal.actor
    request.state.principal = principal  # the request log names the caller (service.observability)
    return principal


class RoleCheck:
    """Dependency: the caller must hold at least one of ``roles``.

    It is also the operation's statement of who may call it: ``who`` (by default the roles, or
    "any authenticated role" when every role may) ends the operation's summary in the OpenAPI
    document (``service.auth.access.describe_access``) and the role-matrix test reads ``roles``
    from the route table, so the check, the document and the test cannot disagree."""

    def __init__(self, roles: tuple[Role, ...], who: str | None = None) -> None:
        if not roles:
            raise ValueError("a role check needs at least one role")
        self.roles = frozenset(roles)
        self.allowed = ", ".join(role.value for role in roles)
        self.who = who or ("any authenticated role" if self.roles == frozenset(Role) else self.allowed)
        unnamed = [role.value for role in roles if who and role.value not in who]
        if unnamed:
            raise ValueError(f"the description {who!r} does not name the roles {unnamed}")

    def __call__(self, request: Request, tx: TxDep,
                 principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not principal.has(*self.roles):
            # The refusal is audited in its own transaction (the request's is rolled back);
            # end the request's first, so that it holds no lock the denial's would wait on.
            tx.rollback()
            tx.close()
            record_denial(request, principal, f"requires one of: {self.allowed}")
            raise Forbidden(f"this operation requires one of the roles: {self.allowed}")
        return principal


def require(*roles: Role, who: str | None = None) -> RoleCheck:
    """Dependency factory: the caller must hold at least one of ``roles`` (see ``RoleCheck``)."""
    return RoleCheck(roles, who)


class Public:
    """Dependency that checks nothing and says so: the operation is open to ``who`` (e.g.
    "anonymous"). Every operation declares either a ``RoleCheck`` or this."""

    def __init__(self, who: str) -> None:
        self.who = who

    def __call__(self) -> None:
        return None


def record_denial(request: Request, principal: Principal, reason: str) -> None:
    """Write ``auth.denied`` in its own transaction: the request's own one is rolled back."""
    session = request.app.state.session_factory()
    try:
        tx = Tx(session=session, actor=principal.actor,
                request_id=getattr(request.state, "request_id", None))
        tx.audit("auth.denied", "endpoint", None,
                 {"method": request.method, "path": request.url.path, "reason": reason})
        tx.commit()
    except Exception:  # a failed audit of a refusal must not turn the 403 into a 500
        log.exception("could not record auth.denied")
        session.rollback()
    finally:
        session.close()


__all__ = ["Principal", "Public", "RoleCheck", "TxDep", "get_principal", "get_tx", "record_denial", "require"]
