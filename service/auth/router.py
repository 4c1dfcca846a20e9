"""Tokens, keys, organisations and API clients.

An ``admin`` administers its own organisation's clients; registering organisations and
administering any organisation's clients needs the ``operator`` role, which API clients hold
only where ``DEBARLIST_ALLOW_OPERATOR_CLIENTS`` is true. The rules live in ``service``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, status

from service.auth import service
from service.auth.access import ANONYMOUS
from service.auth.deps import Principal, Public, TxDep, record_denial, require
from service.auth.schemas import (
    ORG_CODE,
    ClientCreate,
    ClientCreated,
    ClientOut,
    Jwks,
    OrganisationCreate,
    OrganisationOut,
    TokenResponse,
)
from service.auth.tokens import issue_token
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.kernel.errors import ServiceError, Unauthorized
from service.kernel.roles import Role
from service.kernel.uow import Tx

router = APIRouter(route_class=StrictJSONRoute)


def _operator_clients(request: Request) -> bool:
    return bool(request.app.state.settings.allow_operator_clients)


def _configured(request: Request, tx: TxDep, principal: Principal) -> Principal:
    """Refuse (401, audited) a token of an operator client where operator clients are not enabled."""
    try:
        service.check_operator_allowed(principal, operator_clients=_operator_clients(request))
    except Unauthorized as exc:
        tx.rollback()
        tx.close()
        record_denial(request, principal, exc.detail)
        raise
    return principal


@contextmanager
def _refusals_recorded(request: Request, tx: Tx) -> Iterator[None]:
    """A refusal of the service is audited in a transaction of its own; the request's is rolled back."""
    try:
        yield
    except service.Refused as refusal:
        tx.rollback()
        tx.close()
        service.record_refusal(request.app.state.session_factory, tx.actor, tx.request_id, refusal)
        raise


_operator_role = require(Role.operator)
_any_role_check = require(*Role)
_administrator_roles = require(Role.admin, Role.operator, who="admin of its organisation, operator")
# Auditors read everything and change nothing: they see the clients, never a secret.
_client_reader_roles = require(Role.admin, Role.operator, Role.auditor,
                               who="admin: its organisation's; operator, auditor: all")


def _any_role(request: Request, tx: TxDep, principal: Annotated[Principal, Depends(_any_role_check)]) -> Principal:
    return _configured(request, tx, principal)


def _operator(request: Request, tx: TxDep, principal: Annotated[Principal, Depends(_operator_role)]) -> Principal:
    return _configured(request, tx, principal)


def _administrator(request: Request, tx: TxDep,
                   principal: Annotated[Principal, Depends(_administrator_roles)]) -> Principal:
    return _configured(request, tx, principal)


def _client_reader(request: Request, tx: TxDep,
                   principal: Annotated[Principal, Depends(_client_reader_roles)]) -> Principal:
    return _configured(request, tx, principal)


AnyRole = Annotated[Principal, Depends(_any_role)]
Operator = Annotated[Principal, Depends(_operator)]
Administrator = Annotated[Principal, Depends(_administrator)]
ClientReader = Annotated[Principal, Depends(_client_reader)]


class UnsupportedGrant(ServiceError):
    status, slug, title = 400, "unsupported-grant-type", "Unsupported grant type"


@router.post("/v1/token", response_model=TokenResponse, tags=["auth"], operation_id="issueToken",
             summary="Client-credentials grant", dependencies=[Depends(Public("anyone with valid credentials"))],
             responses=PROBLEMS)
def issue(request: Request, tx: TxDep,
          grant_type: Annotated[str, Form(max_length=64, examples=["client_credentials"],
                                          description="Always `client_credentials`.")],
          client_id: Annotated[str, Form(min_length=1, max_length=200, examples=["dl_4f1c2a9e0b7d6c5a3e21"],
                                         description="The client's id.")],
          client_secret: Annotated[str, Form(min_length=1, max_length=500, examples=["s3cr3t-9QfZk2LxP0vW7mRt4YbN"],
                                             description="The client's secret.")]) -> TokenResponse:
    """Operator clients get no token unless the service allows operator clients."""
    if grant_type != "client_credentials":
        raise UnsupportedGrant("only grant_type=client_credentials is supported")
    try:
        client = service.authenticate_client(tx.session, client_id, client_secret,
                                             operator_clients=_operator_clients(request))
    except Unauthorized as exc:
        reason = ("operator clients are not allowed" if isinstance(exc, service.OperatorClientRefused)
                  else "bad credentials")
        tx.audit("auth.denied", "client", client_id[:64], {"path": "/v1/token", "reason": reason})
        tx.commit()
        raise
    state = request.app.state
    token, ttl = issue_token(state.signing_key, state.settings, client_id=client.id,
                             organisation=client.organisation.code, roles=list(client.roles))
    return TokenResponse(access_token=token, expires_in=ttl)


@router.get("/.well-known/jwks.json", response_model=Jwks, tags=["auth"], operation_id="getJwks",
            summary="Public keys that verify tokens and audit checkpoints", dependencies=[ANONYMOUS])
def jwks(request: Request) -> Jwks:
    return Jwks(keys=[request.app.state.signing_key.jwk])


@router.post("/v1/organisations", response_model=OrganisationOut, status_code=status.HTTP_201_CREATED,
             tags=["organisations"], operation_id="createOrganisation",
             summary="Register a participating State or organisation", responses=PROBLEMS)
def create_organisation(body: OrganisationCreate, request: Request, tx: TxDep, principal: Operator) -> OrganisationOut:
    """Only the operator registers organisations; an admin administers its own organisation."""
    with _refusals_recorded(request, tx):
        org = service.create_organisation(tx, body, principal)
    return OrganisationOut.model_validate(org)


@router.get("/v1/organisations", response_model=list[OrganisationOut], tags=["organisations"],
            operation_id="listOrganisations", summary="List organisations",
            responses=PROBLEMS)
def list_organisations(tx: TxDep, _: AnyRole) -> list[OrganisationOut]:
    return [OrganisationOut.model_validate(org) for org in service.list_organisations(tx.session)]


@router.get("/v1/organisations/{code}", response_model=OrganisationOut, tags=["organisations"],
            operation_id="getOrganisation", summary="One organisation",
            responses=PROBLEMS)
def get_organisation(code: str, tx: TxDep, _: AnyRole) -> OrganisationOut:
    return OrganisationOut.model_validate(service.get_organisation(tx.session, code))


@router.post("/v1/clients", response_model=ClientCreated, status_code=status.HTTP_201_CREATED,
             tags=["clients"], operation_id="createClient",
             summary="Create an API client; its secret is shown once",
             responses=PROBLEMS)
def create_client(body: ClientCreate, request: Request, tx: TxDep, principal: Administrator) -> ClientCreated:
    """An admin creates clients of its own organisation only (403 otherwise). Only an operator
    grants the `operator` role, and only where the service allows operator clients."""
    with _refusals_recorded(request, tx):
        created = service.create_client(tx, body, principal, operator_clients=_operator_clients(request))
    return created


@router.get("/v1/clients", response_model=list[ClientOut], tags=["clients"], operation_id="listClients",
            summary="List API clients, without secrets",
            responses=PROBLEMS)
def list_clients(request: Request, tx: TxDep, principal: ClientReader,
                 organisation: Annotated[str | None, Query(
                     pattern=ORG_CODE, examples=["KZ"],
                     description="Only this organisation's clients (an admin may name only its own).")] = None,
                 ) -> list[ClientOut]:
    with _refusals_recorded(request, tx):
        return service.list_clients(tx.session, principal, organisation)


@router.post("/v1/clients/{client_id}/disable", response_model=ClientOut, tags=["clients"],
             operation_id="disableClient",
             summary="Disable a client; its tokens stop working",
             responses=PROBLEMS)
def disable_client(client_id: str, request: Request, tx: TxDep, principal: Administrator) -> ClientOut:
    """An admin disables its own organisation's clients only (403 otherwise). The last enabled
    admin client of an organisation is never disabled (409), whoever asks."""
    with _refusals_recorded(request, tx):
        out = service.disable_client(tx, client_id, principal)
    return out
