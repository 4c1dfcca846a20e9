"""``GET /metrics``: the Prometheus exposition.

Who may read it: the scraper with the static bearer token ``DEBARLIST_METRICS_TOKEN`` (what
Prometheus' ``authorization: credentials_file`` sends; an OAuth token would expire between
scrapes), or a client holding the ``operator`` role; anyone when ``DEBARLIST_METRICS_PUBLIC``
is true (a scrape network the operator controls). The figures are service-wide (every
organisation's traffic), so an organisation's own roles do not see them.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import select

from service.auth.deps import TxDep, get_principal, oauth2_scheme, require
from service.common.responses import PROBLEMS
from service.kernel.ledger import Ledger
from service.kernel.roles import Role
from service.observability.metrics import Gauges, render

router = APIRouter(tags=["operations"])

class MetricsReader:
    """The scrape's access rule: the bearer ``DEBARLIST_METRICS_TOKEN`` (for a Prometheus that holds
    no client credentials), else a token of a client with the operator role; anyone when
    ``DEBARLIST_METRICS_PUBLIC``. ``declaration`` is the role check, so the route table, the
    summary and the role matrix state it (service.auth.access)."""

    def __init__(self) -> None:
        self.declaration = require(Role.operator, who="operator, or the metrics token")

    def __call__(self, request: Request, tx: TxDep,
                 authorization: Annotated[str | None, Depends(oauth2_scheme)]) -> None:
        settings = request.app.state.settings
        if settings.metrics_public:
            return
        token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
        scheme, _, presented = (authorization or "").partition(" ")
        if token and scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode()):
            return
        self.declaration(request, tx, get_principal(request, tx, authorization))


metrics_reader = MetricsReader()


@router.get("/metrics", operation_id="metrics", dependencies=[Depends(metrics_reader)],
            summary="Prometheus metrics: requests, latency, screenings, index and audit head",
            description="Readable with the bearer token `DEBARLIST_METRICS_TOKEN`, by the `operator` role, "
                        "or by anyone when `DEBARLIST_METRICS_PUBLIC=true`.",
            response_class=Response,
            responses={**PROBLEMS, 200: {"description": "Prometheus text exposition format 0.0.4.",
                                         "content": {"text/plain": {"schema": {"type": "string"}}}}})
def metrics(request: Request) -> Response:
    return Response(render(request.app.state.gauges), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    """Mount /metrics and register the gauges this service knows about."""
    gauges: Gauges = app.state.gauges
    state = app.state

    def ledger() -> tuple[int, int]:
        with state.sessions.read() as session:
            row = session.execute(select(Ledger.list_revision, Ledger.audit_seq).where(Ledger.id == 1)).one()
        return int(row[0]), int(row[1])

    def index_revision() -> float:
        return float(state.lists.live_index.revision)

    gauges.add("debarlist_list_revision", "The list revision of the last committed change.",
               lambda: ledger()[0])
    gauges.add("debarlist_index_revision", "The list revision this process's screening index has applied.",
               index_revision)
    gauges.add("debarlist_index_lag_revisions",
               "List revisions committed but not yet in this process's index (it catches up before each screening).",
               lambda: max(0, ledger()[0] - index_revision()))
    gauges.add("debarlist_audit_head_seq", "Sequence number of the newest audit record.", lambda: ledger()[1])
    app.include_router(router)
