"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

from service import __version__
from service.apidocs.router import router as apidocs_router
from service.appeals.router import router as appeals_router
from service.audit.router import install as install_audit
from service.auth.access import describe_access
from service.auth.keys import load_signing_key
from service.auth.router import router as auth_router
from service.config import Settings, get_settings
from service.console.router import router as console_router
from service.entries.router import router as entries_router
from service.exchange.router import router as exchange_router
from service.exchange.service import ListHead
from service.health import router as health_router
from service.history.router import router as history_router
from service.idempotency.middleware import Idempotency
from service.kernel.db import make_engine, make_session_factory, read_only
from service.kernel.groupcommit import GroupCommit
from service.kernel.uow import Sessions
from service.limits.limiter import RateLimits
from service.limits.middleware import LimitsContext
from service.listview import Lists
from service.listview.warmup import save_if_behind, warm, warm_in_background
from service.middleware import AdmissionControl, RequestContext, hide_query_strings_in_access_log
from service.monitoring.router import router as monitoring_router
from service.monitoring.runner import MonitorLoop
from service.observability.logs import configure_logging
from service.observability.metrics import Gauges
from service.observability.middleware import RequestLog
from service.observability.router import install as install_observability
from service.openapi_doc import problem_only_openapi
from service.problems import install_handlers
from service.protocols.ocds.router import router as ocds_router
from service.protocols.reconcile.router import install as install_reconciliation
from service.protocols.yente.router import router as yente_router
from service.recognitions.router import router as recognitions_router
from service.reviews.router import router as reviews_router
from service.screening.router import router as screening_router
from service.webhooks.delivery import DeliveryLoop, Policy
from service.webhooks.router import install as install_webhooks

DESCRIPTION = """\
A shared list of enterprises debarred or flagged by participating States and international
organisations (trafficking in human beings, forced labour, fraud, corruption...), and the
screening of bidders against it during tender evaluation.

Every operation names the roles allowed to call it. Errors are RFC 9457 problem documents.
"""


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    engine = engine or make_engine(settings.database_url, settings.pool_limits())
    signing_key = load_signing_key(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in app.state.startup_hooks:
            hook(app)
        yield
        for hook in app.state.shutdown_hooks:
            hook(app)

    # /docs is served by service.apidocs (its assets from the package, no CDN); ReDoc is CDN-only: off.
    app = FastAPI(title="Debarlist", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  openapi_tags=[
                      {"name": "auth", "description": "Tokens and signing keys."},
                      {"name": "organisations", "description": "Participating States and organisations."},
                      {"name": "clients", "description": "API clients (service accounts)."},
                      {"name": "entries", "description": "The listed enterprises and persons."},
                      {"name": "screening", "description": "Screening bidders, and screening receipts."},
                      {"name": "audit", "description": "The tamper-evident audit log and its checkpoints."},
                      {"name": "reviews", "description": "Four-eyes publication of entries and changes."},
                      {"name": "appeals", "description": "Appeals against listings and their outcomes."},
                      {"name": "recognitions", "description": "Recognition of other organisations' entries."},
                      {"name": "exchange", "description": "FollowTheMoney export and the change feed for mirrors."},
                      {"name": "monitoring", "description": "Watched suppliers after award, alerts, decisions."},
                      {"name": "webhooks", "description": "Signed event delivery (Standard Webhooks), its log."},
                      {"name": "operations", "description": "Metrics for the service's operator."},
                      {"name": "yente", "description": "yente's match API (FtM entities), for yente clients."},
                      {"name": "reconciliation", "description": "The Reconciliation API 0.2, for OpenRefine."},
                  ])
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.sessions = Sessions(write=app.state.session_factory,
                                  read=make_session_factory(read_only(engine)),
                                  group=GroupCommit(app.state.session_factory) if settings.group_commit else None)
    app.state.list_head = ListHead(app.state.sessions.read)
    app.state.signing_key = signing_key
    app.state.lists = Lists()
    app.state.gauges = Gauges()  # scrape-time values; domains add theirs (service.observability)
    # The screening index is built from the database before the first request is served.
    app.state.startup_hooks = [_build_index]
    app.state.shutdown_hooks = [_save_index]
    app.state.monitoring = MonitorLoop(app.state.session_factory, app.state.lists,
                                       settings.monitoring_interval_seconds, app.state.sessions.read)
    app.state.startup_hooks.append(lambda app: app.state.monitoring.start())
    app.state.shutdown_hooks.insert(0, lambda app: app.state.monitoring.stop())
    app.state.webhook_delivery = DeliveryLoop(app.state.session_factory, Policy.of(settings),
                                              settings.webhook_interval_seconds, app.state.sessions.read)
    app.state.startup_hooks.append(lambda app: app.state.webhook_delivery.start())
    app.state.shutdown_hooks.insert(0, lambda app: app.state.webhook_delivery.stop())
    install_handlers(app)
    app.openapi = problem_only_openapi(app)  # type: ignore[method-assign]
    app.state.rate_limits = RateLimits(settings)
    app.add_middleware(LimitsContext, limits=app.state.rate_limits)  # the request's limits (service.limits)
    app.add_middleware(Idempotency)  # inside RequestContext: bodies are bounded and ids added first
    app.add_middleware(RequestContext, max_body_bytes=settings.max_body_bytes)
    # Added last, so it runs first: a request refused for overload costs nothing but its answer.
    app.add_middleware(AdmissionControl, limit=settings.max_concurrent_requests,
                       max_waiting=settings.max_waiting_requests, queue_timeout=settings.queue_timeout_seconds)
    # Outermost: every answer is logged and counted, overload refusals included.
    app.add_middleware(RequestLog, exempt=("/healthz", "/metrics"))
    app.include_router(health_router)
    app.include_router(apidocs_router)
    app.include_router(console_router)
    app.include_router(auth_router)
    app.include_router(entries_router)
    app.include_router(screening_router)
    app.include_router(monitoring_router)
    install_webhooks(app)  # its routes, and the outbox depth gauge
    app.include_router(history_router)
    app.include_router(reviews_router)
    app.include_router(appeals_router)
    app.include_router(recognitions_router)
    app.include_router(exchange_router)
    app.include_router(yente_router)
    app.include_router(ocds_router)
    install_reconciliation(app)  # its routes, and CORS on them alone
    install_audit(app)
    install_observability(app)
    hide_query_strings_in_access_log()
    describe_access(app)  # every summary ends with who may call it; a route without a declaration fails here
    return app


def _build_index(app: FastAPI) -> None:
    lists = app.state.lists
    if lists.ready.is_set():  # built before the workers forked (service.workers)
        return
    settings: Settings = app.state.settings
    if settings.index_warmup == "background":
        warm_in_background(lists, app.state.sessions, settings.index_snapshot_file)
    else:
        warm(lists, app.state.sessions, settings.index_snapshot_file, save_in_background=True)


def _save_index(app: FastAPI) -> None:
    save_if_behind(app.state.lists, app.state.sessions, app.state.settings.index_snapshot_file)
    app.state.lists.closed = True
