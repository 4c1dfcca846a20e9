"""Exceptions: every error answer of the API is raised with its RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

import httpx

from debarlist_client.models import Problem


class DebarlistError(Exception):
    """Base of every error this client raises."""


class TransportError(DebarlistError):
    """The service could not be reached (connection refused, timeout...)."""


class ApiError(DebarlistError):
    """The API answered with an error status; ``problem`` holds its problem document."""

    def __init__(self, problem: Problem, response: httpx.Response) -> None:
        super().__init__(f"{problem.status} {problem.title}" + (f": {problem.detail}" if problem.detail else ""))
        self.problem = problem
        self.status = problem.status
        self.response = response

    @property
    def request_id(self) -> str | None:
        value: str | None = self.response.headers.get("x-request-id")
        return value


class BadRequest(ApiError): ...
class Unauthorized(ApiError): ...
class Forbidden(ApiError): ...
class NotFound(ApiError): ...
class Conflict(ApiError): ...
class PreconditionFailed(ApiError): ...
class ValidationFailed(ApiError): ...
class PreconditionRequired(ApiError): ...
class RateLimited(ApiError): ...
class ServiceUnavailable(ApiError): ...
class ServerError(ApiError): ...


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict, 412: PreconditionFailed,
    422: ValidationFailed, 428: PreconditionRequired, 429: RateLimited, 503: ServiceUnavailable,
}


def error_for(response: httpx.Response) -> ApiError:
    """The exception for an error response, with its problem details (or a stand-in for a
    proxy's non-problem answer)."""
    body: Any = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "title" in body:
        problem = Problem.model_validate({**body, "status": body.get("status", response.status_code)})
    elif isinstance(body, dict) and isinstance(body.get("error"), str):
        # The token endpoint answers RFC 6749 5.2 bodies: the error code as the title.
        problem = Problem(type="https://www.rfc-editor.org/rfc/rfc6749#section-5.2", title=body["error"],
                          status=response.status_code, detail=body.get("error_description"),
                          instance=response.request.url.path)
    else:
        problem = Problem(type="about:blank", title=response.reason_phrase or "Error", status=response.status_code,
                          detail=response.text[:500] or None, instance=response.request.url.path)
    cls = _BY_STATUS.get(response.status_code, ServerError if response.status_code >= 500 else ApiError)
    return cls(problem, response)
