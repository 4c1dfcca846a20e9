"""The Reconciliation API 0.2 endpoints under ``/reconcile``, and CORS for them alone.

OpenRefine fetches the manifest anonymously, reads its ``authentication`` field and then sends
``Authorization`` with every query: so the manifest is open and everything else needs a role.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth.deps import Principal, Public, TxDep, get_principal, get_writing_tx, require
from service.common.responses import PROBLEMS
from service.kernel.roles import Role
from service.kernel.uow import Tx
from service.protocols.reconcile import service
from service.protocols.reconcile.service import Links

PREFIX = "/reconcile"
# GET and POST /reconcile carry their queries as JSON inside a query or form field, as the 0.2
# spec defines them: no OpenAPI schema can say which strings are valid, so (as in yente) they
# are left out of the OpenAPI document; their contract is the spec's JSON schemas
# (tests/protocols/test_reconcile.py validates every answer against them).
router = APIRouter(prefix=PREFIX, tags=["reconciliation"])

SCREENER = require(Role.screener)
Screener = Annotated[Principal, Depends(SCREENER)]
Reader = Annotated[Principal, Depends(require(Role.contributor, Role.screener, Role.auditor, Role.reviewer))]
JSON_TEXT = Annotated[str | None, Query(max_length=200_000, description="JSON-encoded, as the 0.2 spec sends it.")]
ANSWER: dict[int | str, dict[str, Any]] = {200: {
    "description": "A reconciliation 0.2 document (manifest, result batch or extension response, by the parameters).",
    "content": {"application/json": {}}}}

RESPONSES: dict[int | str, dict[str, Any]] = {**PROBLEMS, **ANSWER}


def _links(request: Request) -> Links:
    return Links(base=str(request.base_url).rstrip("/"))


def _answer(request: Request, tx: Tx, principal: Principal, queries: str | None, extend: str | None) -> Any:
    if extend is not None:
        return service.extend(tx.session, principal, extend)
    assert queries is not None
    return service.reconcile(tx, principal, request.app.state.lists, queries)


@router.get("", operation_id="reconcileGet", responses=RESPONSES,
            summary="Reconciliation 0.2: the manifest, or queries and data extension by GET",
            description="Without parameters: the service manifest (anonymous). With `queries` (a JSON batch) "
                        "or `extend` (a JSON extension query): the answer, for the screener role; a batch is "
                        "screened as `POST /v1/screen` screens (a receipt and an audit record).",
            dependencies=[Depends(Public("anonymous for the manifest; screener with queries or extend"))],
            include_in_schema=False,
            # The manifest is open (OpenRefine reads it before it knows the credentials); queries are not.
            openapi_extra={"security": [{"clientCredentials": []}]})
def reconcile_get(request: Request, tx: Annotated[Tx, Depends(get_writing_tx, scope="function")],
                  queries: JSON_TEXT = None, extend: JSON_TEXT = None) -> Any:
    if queries is None and extend is None:
        return service.manifest(_links(request))
    principal = SCREENER(request, tx, get_principal(request, tx, request.headers.get("Authorization")))
    return _answer(request, tx, principal, queries, extend)


@router.post("", operation_id="reconcilePost", responses=RESPONSES, include_in_schema=False,
             summary="Reconciliation 0.2: queries and data extension, form-encoded",
             description="`queries` (a JSON batch) or `extend` (a JSON extension query) as form fields.")
def reconcile_post(request: Request, tx: TxDep, principal: Screener,
                   queries: Annotated[str | None, Form(
                       max_length=2_000_000, description="A JSON batch of reconciliation queries.",
                       examples=['{"q0": {"query": "Alatau Stroy LLP", "type": "Company"}}'])] = None,
                   extend: Annotated[str | None, Form(
                       max_length=2_000_000, description="A JSON data extension query.",
                       examples=['{"ids": ["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"], '
                                 '"properties": [{"id": "grounds"}]}'])] = None) -> Any:
    if queries is None and extend is None:
        return service.manifest(_links(request))
    return _answer(request, tx, principal, queries, extend)


Prefix = Annotated[str, Query(max_length=200, description="What the user typed.")]
Limit = Annotated[int, Query(ge=1, le=50, description="Suggestions at most.")]


@router.get("/suggest/entity", operation_id="reconcileSuggestEntity", responses=RESPONSES,
            summary="Reconciliation 0.2 suggest: entries whose names contain the prefix")
def suggest_entity(tx: TxDep, principal: Reader, prefix: Prefix = "", limit: Limit = 10) -> Any:
    return service.suggest_entities(tx.session, principal, prefix, limit)


@router.get("/suggest/type", operation_id="reconcileSuggestType", responses=RESPONSES,
            summary="Reconciliation 0.2 suggest: the types (Company, Person, LegalEntity)")
def suggest_type(principal: Reader, prefix: Prefix = "") -> Any:
    return service.suggest_types(prefix)


@router.get("/suggest/property", operation_id="reconcileSuggestProperty", responses=RESPONSES,
            summary="Reconciliation 0.2 suggest: the properties a query may carry")
def suggest_property(principal: Reader, prefix: Prefix = "") -> Any:
    return service.suggest_properties(prefix)


@router.get("/preview", operation_id="reconcilePreview", response_class=HTMLResponse, responses=PROBLEMS,
            summary="Reconciliation 0.2 preview: an entry as a small HTML page")
def preview(tx: TxDep, principal: Reader,
            id: Annotated[str, Query(max_length=200, description="The entry id.")]) -> str:
    return service.preview(tx.session, principal, id)


@router.get("/extend/propose", operation_id="reconcileProposeProperties", responses=RESPONSES,
            summary="Reconciliation 0.2 data extension: the properties an entry can be extended with")
def propose_properties(principal: Reader,
                       type: Annotated[str | None, Query(max_length=64, description="A type id.")] = None,
                       limit: Annotated[int, Query(ge=1, le=50, description="Properties at most.")] = 50) -> Any:
    return service.propose_properties(type, limit)


class ReconcileCORS:
    """CORS as the 0.2 spec asks of a service (browser clients call it from other origins), on
    ``/reconcile`` alone; the rest of the API sends no CORS headers. Starlette's middleware does
    the work, preflights included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                                   allow_headers=["Authorization", "Content-Type"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path == PREFIX or path.startswith(PREFIX + "/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install(app: Any) -> None:
    app.include_router(router)
    app.add_middleware(ReconcileCORS)


__all__ = ["install", "router"]
