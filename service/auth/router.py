"""Tokens, keys, organisations and API clients.

An ``admin`` administers its own organisation's clients; registering organisations and
administering any organisation's clients needs the ``operator`` role, which API clients hold
only where ``DEBARLIST_ALLOW_OPERATOR_CLIENTS`` is true. The rules live in ``service``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from service.auth import access, apikeys, oauth, service
from service.auth.access import ANONYMOUS
from service.auth.deps import Principal, Public, TxDep, record_denial, require
from service.auth.oauth import NO_STORE, OAuthError, OAuthErrorBody
from service.auth.schemas import (
    ORG_CODE,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    ClientCreate,
    ClientCreated,
    ClientOut,
    Jwks,
    OrganisationCreate,
    OrganisationOut,
    SecretRotated,
    SecretRotation,
    TokenResponse,
)
from service.auth.tokens import issue_token
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.kernel.errors import Unauthorized
from service.kernel.roles import Role
from service.kernel.uow import Tx
from service.limits.limiter import RateLimited, RateLimits

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


def _oauth_error(exc: OAuthError) -> JSONResponse:
    return JSONResponse({"error": exc.error, "error_description": exc.description}, status_code=exc.status,
                        headers={**NO_STORE, **exc.headers})


class OAuthRoute(APIRoute):
    """The token route answers its own errors, malformed requests included, as RFC 6749 bodies."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def oauth_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                fields = "; ".join(f"{err.get('loc', ('?',))[-1]}: {err.get('msg', 'invalid')}"
                                   for err in exc.errors()[:5])
                return _oauth_error(OAuthError("invalid_request", f"malformed request ({fields})"))
            except OAuthError as exc:
                return _oauth_error(exc)

        return oauth_handler



# The token route answers in OAuth's own terms (service.auth.oauth.OAuthRoute), never problem+json.
token_router = APIRouter(route_class=OAuthRoute)
_OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": OAuthErrorBody, "description": "RFC 6749 error: invalid_request, unsupported_grant_type, "
                                                  "invalid_scope, unauthorized_client"},
    401: {"model": OAuthErrorBody, "description": "RFC 6749 invalid_client, with a Basic challenge"},
    429: {"model": OAuthErrorBody, "description": "slow_down: too many requests for this client id or address, "
                                                  "or locked out after failures; with Retry-After and "
                                                  "RateLimit-Limit, -Remaining, -Reset"},
}
# structlog directly: service.observability depends on auth, not the other way.
_token_log = structlog.get_logger("debarlist.auth")


async def _token_form(request: Request) -> oauth.TokenRequest:
    """The form, read here rather than by FastAPI, so that a malformed one is an RFC 6749
    invalid_request (and the document lists no 422 the route never answers)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "the body must be application/x-www-form-urlencoded (RFC 6749 4.4.2)")
    try:
        fields = list((await request.form()).multi_items())
    except Exception as exc:  # starlette's parser refusing the body
        raise OAuthError("invalid_request", "malformed form body") from exc
    return oauth.token_request([(name, value) for name, value in fields if isinstance(value, str)])


@token_router.post(
    "/v1/token", response_model=TokenResponse, response_model_exclude_none=True, tags=["auth"],
    operation_id="issueToken", summary="Client-credentials grant",
    dependencies=[Depends(Public("anyone with valid credentials"))], responses=_OAUTH_ERRORS,
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": oauth.TokenRequest.model_json_schema()}}}},
    description="OAuth 2.0 client credentials (RFC 6749 4.4). The client authenticates with HTTP Basic "
                "(`client_secret_basic`, id and secret form-url-encoded) or the `client_id` and "
                "`client_secret` fields (`client_secret_post`). Errors are RFC 6749 5.2 bodies.")
def issue(request: Request, response: Response, tx: TxDep,
          form: Annotated[oauth.TokenRequest, Depends(_token_form)]) -> TokenResponse:
    """Operator clients get no token unless the service allows operator clients."""
    oauth.check_grant(form.grant_type)
    credentials = oauth.client_credentials(request.headers.get("authorization"), form.client_id,
                                           form.client_secret)
    limits: RateLimits = request.app.state.rate_limits
    address = request.client.host if request.client else "unknown"
    try:
        limits.token_attempt(credentials.client_id, address)
    except RateLimited as exc:
        _token_log.info("token refused", client_id=credentials.client_id[:64], auth_method=credentials.method,
                        reason="rate limited")
        raise OAuthError("slow_down", exc.detail, status=429, headers=exc.headers) from None
    try:
        client = service.authenticate_client(tx.session, credentials.client_id, credentials.client_secret,
                                             operator_clients=_operator_clients(request))
        roles, scoped = oauth.granted_roles(form.scope, list(client.roles))
    except (Unauthorized, oauth.OAuthError) as exc:
        operator = isinstance(exc, service.OperatorClientRefused)
        reason = ("operator clients are not allowed" if operator
                  else "scope refused" if isinstance(exc, oauth.OAuthError) else "bad credentials")
        if not isinstance(exc, oauth.OAuthError):
            limits.token_failed(credentials.client_id, address)
        # The refusal is audited in a unit of work of its own; the request's is rolled back.
        tx.rollback()
        tx.close()
        service.record_token_denial(request.app.state.session_factory, tx.actor, tx.request_id,
                                    credentials.client_id, reason)
        _token_log.info("token refused", client_id=credentials.client_id[:64], auth_method=credentials.method,
                        reason=reason)
        if isinstance(exc, oauth.OAuthError):
            raise
        if operator:
            raise oauth.OAuthError("unauthorized_client", exc.detail) from None
        raise oauth.invalid_client() from None
    limits.token_succeeded(client.id)
    state = request.app.state
    token, ttl = issue_token(state.signing_key, state.settings, client_id=client.id,
                             organisation=client.organisation.code, roles=roles)
    response.headers.update(oauth.NO_STORE)
    return TokenResponse(access_token=token, expires_in=ttl, scope=" ".join(roles) if scoped else None)


@token_router.get("/.well-known/oauth-authorization-server", response_model=oauth.ServerMetadata,
                  tags=["auth"], operation_id="getAuthorizationServerMetadata",
                  summary="OAuth authorization server metadata (RFC 8414)", dependencies=[ANONYMOUS])
def server_metadata(request: Request) -> oauth.ServerMetadata:
    return oauth.ServerMetadata(**oauth.metadata(str(request.base_url), request.app.state.settings.issuer))


router.include_router(token_router)


@router.get("/.well-known/jwks.json", response_model=Jwks, tags=["auth"], operation_id="getJwks",
            summary="Public keys that verify tokens and audit checkpoints", dependencies=[ANONYMOUS])
def jwks(request: Request) -> Jwks:
    return Jwks(keys=request.app.state.signing_key.jwks)


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


@router.post("/v1/clients/{client_id}/rotate-secret", response_model=SecretRotated, tags=["clients"],
             operation_id="rotateClientSecret",
             summary="Give a client a new secret, shown once; the old one works for an overlap",
             responses=PROBLEMS)
def rotate_secret(client_id: str, request: Request, tx: TxDep, principal: access.Administrator,
                  body: SecretRotation | None = None) -> SecretRotated:
    """An admin rotates its own organisation's clients' secrets only (403 otherwise); a disabled
    client is 409. Until `previous_secret_valid_until` both secrets obtain tokens."""
    overlap = (body or SecretRotation()).overlap_seconds
    with _refusals_recorded(request, tx):
        return service.rotate_secret(tx, client_id, principal, overlap)


@router.post("/v1/clients/{client_id}/api-keys", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED,
             tags=["clients"], operation_id="issueApiKey",
             summary="Issue an API key acting as the client; the key is shown once", responses=PROBLEMS)
def issue_api_key(client_id: str, body: ApiKeyCreate, request: Request, tx: TxDep,
                  principal: access.Administrator) -> ApiKeyCreated:
    """Sent as `Authorization: ApiKey <key>` (as yente's clients do), the key authenticates as the
    client: its roles and organisation. An admin issues keys of its own organisation's clients only
    (403 otherwise); a disabled client, or one with 20 active keys, is 409."""
    with _refusals_recorded(request, tx):
        return apikeys.issue(tx, client_id, principal, body)


@router.get("/v1/clients/{client_id}/api-keys", response_model=list[ApiKeyOut], tags=["clients"],
            operation_id="listApiKeys", summary="A client's API keys, without secrets", responses=PROBLEMS)
def list_api_keys(client_id: str, request: Request, tx: TxDep, principal: access.ClientReader) -> list[ApiKeyOut]:
    with _refusals_recorded(request, tx):
        return apikeys.list_keys(tx, client_id, principal)


@router.post("/v1/clients/{client_id}/api-keys/{key_id}/revoke", response_model=ApiKeyOut, tags=["clients"],
             operation_id="revokeApiKey", summary="Revoke an API key; it stops working at once",
             responses=PROBLEMS)
def revoke_api_key(client_id: str, key_id: str, request: Request, tx: TxDep,
                   principal: access.Administrator) -> ApiKeyOut:
    """Revoking a revoked key changes nothing (200)."""
    with _refusals_recorded(request, tx):
        return apikeys.revoke(tx, client_id, key_id, principal)
