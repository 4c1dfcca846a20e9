"""Who may call what: the role aliases every router uses, and the route table's own account of it.

Each operation declares its callers once, as a ``RoleCheck`` (``require(...)``) or a ``Public``
marker among its dependencies. ``describe_access`` ends every operation's summary with that
declaration, and the role-matrix test (``tests/auth/test_role_matrix.py``) reads the same
declaration from the route table (``access_of``), so the check, the document and the test are one
statement. The ``who`` texts name organisation rules that the services enforce (e.g. only the
listing organisation's contributor may change an entry), so the document says them too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from service.auth.deps import Public, RoleCheck, require
from service.kernel.principal import Principal
from service.kernel.roles import Role

_READERS = (Role.contributor, Role.screener, Role.auditor, Role.reviewer)

Contributor = Annotated[Principal, Depends(require(Role.contributor))]
ListingContributor = Annotated[Principal, Depends(
    require(Role.contributor, who="contributor of the listing organisation"))]
OtherContributor = Annotated[Principal, Depends(
    require(Role.contributor, who="contributor of an organisation other than the listing one"))]
RecognisingContributor = Annotated[Principal, Depends(
    require(Role.contributor, who="contributor of the recognising organisation"))]
Reader = Annotated[Principal, Depends(require(*_READERS))]
Screener = Annotated[Principal, Depends(require(Role.screener))]
OrganisationScreener = Annotated[Principal, Depends(
    require(Role.screener, who="screener of the same organisation"))]
ReceiptReader = Annotated[Principal, Depends(
    require(Role.screener, Role.auditor, who="screener of the same organisation, auditor"))]
Auditor = Annotated[Principal, Depends(require(Role.auditor))]
AuditReader = Annotated[Principal, Depends(
    require(Role.auditor, Role.admin, Role.contributor, Role.reviewer, Role.screener))]
Reviewer = Annotated[Principal, Depends(
    require(Role.reviewer, who="reviewer of the same organisation, not an author"))]
ReviewQueueReader = Annotated[Principal, Depends(
    require(Role.reviewer, Role.auditor, who="reviewer; auditor: every organisation"))]
ReviewReader = Annotated[Principal, Depends(
    require(Role.reviewer, Role.auditor, who="reviewer of the same organisation, auditor"))]
Operator = Annotated[Principal, Depends(require(Role.operator))]
Administrator = Annotated[Principal, Depends(
    require(Role.admin, Role.operator, who="admin of its organisation, operator"))]
ClientReader = Annotated[Principal, Depends(
    require(Role.admin, Role.operator, Role.auditor, who="admin: its organisation's; operator, auditor: all"))]
Anyone = Annotated[Principal, Depends(require(*Role))]

ANONYMOUS = Depends(Public("anonymous"))


def _declarations(dependant: Dependant) -> Iterator[RoleCheck | Public]:
    for sub in dependant.dependencies:
        # A dependency with its own access rule (e.g. /metrics' token or role) names the check it
        # falls back to as ``declaration``.
        call = getattr(sub.call, "declaration", sub.call)
        if isinstance(call, RoleCheck | Public):
            yield call
        yield from _declarations(sub)


def access_of(route: APIRoute) -> RoleCheck | Public | None:
    """The operation's declared callers: its one ``RoleCheck`` or ``Public``, None when it has none.
    Two different declarations on one operation are a mistake, refused here."""
    found = {id(declaration): declaration for declaration in _declarations(route.dependant)}
    if len(found) > 1:
        raise ValueError(f"{route.path} declares its callers {len(found)} times")
    return next(iter(found.values()), None)


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, also inside included routers (FastAPI >= 0.13x keeps an included router
    as one entry of ``app.routes``, holding the router it includes)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes)


def describe_access(app: FastAPI) -> None:
    """End each operation's summary with who may call it, e.g. "Screen bidders (screener)".

    Called once the routes are in place, before the first request or document (FastAPI copies
    an included route's summary when it first resolves the route); an operation without a
    declaration is an error, so a new route cannot ship without saying who may use it."""
    for route in api_routes(app.routes):
        declaration = access_of(route)
        if declaration is None:
            raise ValueError(f"{', '.join(sorted(route.methods or ()))} {route.path} does not declare who may call it")
        if route.summary and not route.summary.endswith(f"({declaration.who})"):
            route.summary = f"{route.summary} ({declaration.who})"
    app.openapi_schema = None


__all__ = [
    "ANONYMOUS",
    "Administrator",
    "Anyone",
    "AuditReader",
    "Auditor",
    "ClientReader",
    "Contributor",
    "ListingContributor",
    "Operator",
    "OrganisationScreener",
    "OtherContributor",
    "Reader",
    "ReceiptReader",
    "RecognisingContributor",
    "ReviewQueueReader",
    "ReviewReader",
    "Reviewer",
    "Screener",
    "access_of",
    "api_routes",
    "describe_access",
]
