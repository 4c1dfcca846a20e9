"""The errors services raise, and the RFC 9457 problem document every error of the API
becomes (the web layer's handlers are in ``service.problems``)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://debarlist.example/problems/"


class FieldError(BaseModel):
    field: str = Field(
        examples=["body.identifiers.0.value"],
        description="Dotted path of the offending field, e.g. `body.identifiers.0.value`.")
    message: str = Field(description="What is wrong with it.", examples=["invalid LEI check digits"])


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="URI identifying the problem type.", examples=[PROBLEM_BASE + "validation"])
    title: str = Field(description="Short summary of the problem type.", examples=["Request validation failed"])
    status: int = Field(description="The HTTP status code.", examples=[422])
    detail: str | None = Field(
        description="What went wrong in this occurrence.",
        default=None, examples=["identifiers.0.value: invalid LEI check digits"])
    instance: str | None = Field(description="The request path it occurred on.", default=None, examples=["/v1/entries"])
    errors: list[FieldError] | None = Field(default=None, description="Per-field validation errors, for 422.")


class ServiceError(Exception):
    """A failure the client can act on; mapped to a problem document."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class NotFound(ServiceError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ServiceError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(ServiceError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(ServiceError):
    status, slug, title = 428, "precondition-required", "Precondition required"


class Unprocessable(ServiceError):
    status, slug, title = 422, "validation", "Request validation failed"


class Unauthorized(ServiceError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str, *, error: str = "invalid_token") -> None:
        super().__init__(detail, headers={
            "WWW-Authenticate": f'Bearer realm="debarlist", error="{error}"'})


class Forbidden(ServiceError):
    status, slug, title = 403, "forbidden", "Forbidden"


class Overloaded(ServiceError):
    status, slug, title = 503, "overloaded", "Service overloaded"

    def __init__(self, detail: str, *, retry_after: int = 1) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


# SQLite's "database is locked" and PostgreSQL's lock_not_available (55P03) and
# query_canceled (57014): a lock or statement waited past its configured bound.
_OVERLOAD_CODES = frozenset({"55P03", "57014"})


def is_overload(exc: BaseException) -> bool:
    """A database wait that ran past its bound: the request may be retried, nothing is broken."""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, OperationalError):
        orig = exc.orig
        if getattr(orig, "sqlstate", None) in _OVERLOAD_CODES:
            return True
        return "database is locked" in str(orig) or "database table is locked" in str(orig)
    return False
