"""Liveness (the process answers, the database is reachable) and readiness (the screening index
is loaded and current: a load balancer sends screenings only to ready instances)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import text

from service.auth.access import ANONYMOUS
from service.kernel.errors import PROBLEM_JSON, Problem
from service.kernel.ledger import list_head
from service.listview.lists import IndexWarmingUp

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(description="ok when the service answers and the database is reachable.", examples=["ok"])
    database: str = Field(description="The database dialect in use.", examples=["postgresql"])


@router.get("/healthz", response_model=Health, operation_id="health",
            summary="Liveness and database reachability", dependencies=[ANONYMOUS])
def health(request: Request) -> Health:
    # A read-only session: on SQLite it takes no write lock, so a long write never makes the
    # service look dead.
    with request.app.state.sessions.read() as session:
        session.execute(text("SELECT 1"))
    return Health(status="ok", database=request.app.state.engine.dialect.name)


class Readiness(BaseModel):
    status: str = Field(description="ready: the screening index is loaded and caught up with the list "
                                    "(before that the answer is 503, a problem document).", examples=["ready"])
    index_revision: int = Field(description="The list revision the screening index has applied.", examples=[4182])
    list_revision: int = Field(description="The database's list revision.", examples=[4182])
    source: str | None = Field(description="Where the index came from at start: snapshot (then caught up "
                                           "from the database) or database (built).", examples=["snapshot"])


@router.get("/readyz", response_model=Readiness, operation_id="readiness",
            summary="Readiness: the screening index is loaded and current", dependencies=[ANONYMOUS],
            responses={503: {"model": Problem,
                             "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                             "description": "Warming up: the screening index is not loaded yet (Retry-After)."}})
def readiness(request: Request) -> Readiness:
    lists = request.app.state.lists
    with request.app.state.sessions.read() as session:
        head = list_head(session)
        if not lists.ready.is_set():
            raise IndexWarmingUp(f"the screening index is being loaded (list revision {head}); retry shortly",
                                 retry_after=5)
        # Ready means current: the index catches up now, as a screening would.
        revision = lists.live_index.refresh(session)
    return Readiness(status="ready", index_revision=revision, list_revision=head, source=lists.source)
