"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import text

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(description="ok when the service answers and the database is reachable.", examples=["ok"])
    database: str = Field(description="The database dialect in use.", examples=["postgresql"])


@router.get("/healthz", response_model=Health, operation_id="health",
            summary="Liveness and database reachability (anonymous)")
def health(request: Request) -> Health:
    # A read-only session: on SQLite it takes no write lock, so a long write never makes the
    # service look dead.
    with request.app.state.sessions.read() as session:
        session.execute(text("SELECT 1"))
    return Health(status="ok", database=request.app.state.engine.dialect.name)
