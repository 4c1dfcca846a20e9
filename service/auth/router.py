"""Tokens, keys, organisations and API clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, status

from service.auth import service
from service.auth.deps import Principal, TxDep, get_principal, require
from service.auth.roles import Role
from service.auth.schemas import (
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
from service.errors import ServiceError, Unauthorized

router = APIRouter()

Admin = Annotated[Principal, Depends(require(Role.admin))]
AnyRole = Annotated[Principal, Depends(get_principal)]
# Auditors read everything and change nothing: they see the clients, never a secret.
AdminOrAuditor = Annotated[Principal, Depends(require(Role.admin, Role.auditor))]


class UnsupportedGrant(ServiceError):
    status, slug, title = 400, "unsupported-grant-type", "Unsupported grant type"


@router.post("/v1/token", response_model=TokenResponse, tags=["auth"], operation_id="issueToken",
             summary="Client-credentials grant (anyone with valid credentials)",
             responses=PROBLEMS)
def issue(request: Request, tx: TxDep,
          grant_type: Annotated[str, Form(max_length=64, examples=["client_credentials"],
                                          description="Always `client_credentials`.")],
          client_id: Annotated[str, Form(min_length=1, max_length=200, examples=["dl_4f1c2a9e0b7d6c5a3e21"],
                                         description="The client's id.")],
          client_secret: Annotated[str, Form(min_length=1, max_length=500, examples=["s3cr3t-9QfZk2LxP0vW7mRt4YbN"],
                                             description="The client's secret.")]) -> TokenResponse:
    if grant_type != "client_credentials":
        raise UnsupportedGrant("only grant_type=client_credentials is supported")
    try:
        client = service.authenticate_client(tx.session, client_id, client_secret)
    except Unauthorized:
        tx.audit("auth.denied", "client", client_id[:64], {"path": "/v1/token", "reason": "bad credentials"})
        tx.commit()
        raise
    state = request.app.state
    token, ttl = issue_token(state.signing_key, state.settings, client_id=client.id,
                             organisation=client.organisation.code, roles=list(client.roles))
    return TokenResponse(access_token=token, expires_in=ttl)


@router.get("/.well-known/jwks.json", response_model=Jwks, tags=["auth"], operation_id="getJwks",
            summary="Public keys that verify tokens and audit checkpoints (anonymous)")
def jwks(request: Request) -> Jwks:
    return Jwks(keys=[request.app.state.signing_key.jwk])


@router.post("/v1/organisations", response_model=OrganisationOut, status_code=status.HTTP_201_CREATED,
             tags=["organisations"], operation_id="createOrganisation",
             summary="Register a participating State or organisation (admin)", responses=PROBLEMS)
def create_organisation(body: OrganisationCreate, tx: TxDep, _: Admin) -> OrganisationOut:
    org = service.create_organisation(tx, body)
    tx.commit()
    return OrganisationOut.model_validate(org)


@router.get("/v1/organisations", response_model=list[OrganisationOut], tags=["organisations"],
            operation_id="listOrganisations", summary="List organisations (any authenticated role)",
            responses=PROBLEMS)
def list_organisations(tx: TxDep, _: AnyRole) -> list[OrganisationOut]:
    return [OrganisationOut.model_validate(org) for org in service.list_organisations(tx.session)]


@router.get("/v1/organisations/{code}", response_model=OrganisationOut, tags=["organisations"],
            operation_id="getOrganisation", summary="One organisation (any authenticated role)",
            responses=PROBLEMS)
def get_organisation(code: str, tx: TxDep, _: AnyRole) -> OrganisationOut:
    return OrganisationOut.model_validate(service.get_organisation(tx.session, code))


@router.post("/v1/clients", response_model=ClientCreated, status_code=status.HTTP_201_CREATED,
             tags=["clients"], operation_id="createClient",
             summary="Create an API client; its secret is shown once (admin)", responses=PROBLEMS)
def create_client(body: ClientCreate, tx: TxDep, _: Admin) -> ClientCreated:
    created = service.create_client(tx, body)
    tx.commit()
    return created


@router.get("/v1/clients", response_model=list[ClientOut], tags=["clients"], operation_id="listClients",
            summary="List API clients, without secrets (admin, auditor)", responses=PROBLEMS)
def list_clients(tx: TxDep, _: AdminOrAuditor) -> list[ClientOut]:
    return service.list_clients(tx.session)


@router.post("/v1/clients/{client_id}/disable", response_model=ClientOut, tags=["clients"],
             operation_id="disableClient", summary="Disable a client; its tokens stop working (admin)",
             responses=PROBLEMS)
def disable_client(client_id: str, tx: TxDep, _: Admin) -> ClientOut:
    out = service.disable_client(tx, client_id)
    tx.commit()
    return out
