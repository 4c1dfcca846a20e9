"""RFC 9457 problem responses: how the web layer answers every error (the error classes live
in ``service.kernel.errors``; services raise them without knowing about HTTP)."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.kernel.errors import PROBLEM_BASE, PROBLEM_JSON, FieldError, Problem, ServiceError, is_overload

log = logging.getLogger("debarlist")


def problem_response(status: int, slug: str, title: str, detail: str | None, instance: str | None,
                     *, errors: list[FieldError] | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    body = Problem(type=PROBLEM_BASE + slug, title=title, status=status, detail=detail,
                   instance=instance, errors=errors)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status,
                        media_type=PROBLEM_JSON, headers=headers)


_HTTP_TITLES = {
    400: ("bad-request", "Bad request"), 401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"), 404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"), 406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


def _message(err: dict[str, Any]) -> str:
    message = str(err.get("msg", "invalid"))
    # A body that is not JSON, or names a key twice: say what the parser found.
    if err.get("type") == "json_invalid" and (ctx := err.get("ctx")) and ctx.get("error"):
        message = f"{message}: {ctx['error']}"
    return message


def allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document gives the request's path (RFC 9110, 15.5.6: Allow)."""
    app = request.app
    table: list[tuple[re.Pattern[str], list[str]]] | None = getattr(app.state, "allow_table", None)
    if table is None:
        table = []
        for template, item in app.openapi()["paths"].items():
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            table.append((re.compile(f"^{pattern}$"), sorted(m.upper() for m in item if m in _METHODS)))
        app.state.allow_table = table
    path = request.url.path
    # A literal path (/v1/entries/bulk) is the document's own operation, not an instance of
    # the template beside it (/v1/entries/{entry_id}).
    exact = [methods for pattern, methods in table if pattern.pattern == f"^{re.escape(path)}$"]
    matching = exact or [methods for pattern, methods in table if pattern.match(path)]
    return sorted({method for methods in matching for method in methods})


_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _only_if_match_missing(exc: RequestValidationError) -> bool:
    errors = exc.errors()
    return bool(errors) and all(tuple(err.get("loc", ())) == ("header", "If-Match")
                                and err.get("type") in ("missing", "string_too_short") for err in errors)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
        return problem_response(exc.status, exc.slug, exc.title, exc.detail, request.url.path,
                                errors=exc.errors, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if _only_if_match_missing(exc):
            # RFC 6585: a request that must be conditional and is not is 428, whatever the framework.
            return problem_response(428, "precondition-required", "Precondition required",
                                    "send If-Match with the entry's ETag to change it", request.url.path)
        errors = [FieldError(field=_field_path(err.get("loc", ())), message=_message(err)) for err in exc.errors()]
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
        return problem_response(422, "validation", "Request validation failed", detail,
                                request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug, title = _HTTP_TITLES.get(exc.status_code, ("error", "Error"))
        detail = exc.detail if isinstance(exc.detail, str) else None
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # The router names the methods of the first route whose path matched; a path
            # served by several routes (GET and POST /v1/entries) allows all of theirs.
            allowed = allowed_methods(request) or [m.strip() for m in headers.get("Allow", "").split(",") if m]
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.method} is not allowed here; allowed: {', '.join(allowed)}"
        return problem_response(exc.status_code, slug, title, detail, request.url.path, headers=headers)

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> JSONResponse:
        # Values the database cannot hold (NUL characters in PostgreSQL text, out-of-range
        # numbers) are the client's input, not a server failure.
        log.info("database refused a value on %s %s: %s", request.method, request.url.path, exc.orig)
        return problem_response(422, "validation", "Request validation failed",
                                "a value cannot be stored (NUL character or number out of range)",
                                request.url.path)

    @app.exception_handler(StatementError)
    async def _statement(request: Request, exc: StatementError) -> JSONResponse:
        # A date a few hours from datetime's limits overflows when converted to UTC for the
        # database (updated_since=0001-01-01T00:00:00+14:00): still the client's input.
        if isinstance(exc.orig, OverflowError):
            return problem_response(422, "validation", "Request validation failed",
                                    "a date or number is out of the range the service can store",
                                    request.url.path)
        return await _unexpected(request, exc)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A uniqueness race lost to a concurrent request that committed first.
        log.info("integrity conflict on %s %s: %s", request.method, request.url.path, exc.orig)
        return problem_response(409, "conflict", "Conflict",
                                "the change conflicts with one committed concurrently; retry", request.url.path)

    @app.exception_handler(PoolTimeout)
    @app.exception_handler(OperationalError)
    async def _database_wait(request: Request, exc: Exception) -> JSONResponse:
        if not is_overload(exc):
            return await _unexpected(request, exc)
        log.warning("overloaded on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return problem_response(503, "overloaded", "Service overloaded",
                                "the service is busy (no database connection or lock within its bound); "
                                "retry after the time in Retry-After", request.url.path,
                                headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never leak internals; the log keeps the traceback (no headers, so no tokens).
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal", "Internal server error",
                                "The server failed to complete the request.", request.url.path)
