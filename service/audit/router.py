"""The audit log: read, export, verify, and signed checkpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request, status
from fastapi.responses import StreamingResponse

from service.audit import checkpoints, service
from service.audit.schemas import AuditPage, CheckpointOut, ExportFormat, Order, VerifyReport
from service.audit.verify import Anchor, verify_chain
from service.auth.access import Auditor, AuditReader
from service.auth.deps import TxDep
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.common.streams import started
from service.common.strict import UtcInstant

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/audit", tags=["audit"])



READ_SCOPE = ("auditor: every record; contributor, reviewer, admin: their organisation's records; "
              "screener: its own screenings")


def _filters(
    actor: Annotated[str | None, Query(max_length=64, description="Client id of the caller.")] = None,
    organisation: Annotated[str | None, Query(max_length=16, description="The caller's organisation code.")]
    = None,
    action: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_]+(\.[a-z_]+)*(\.\*)?$",
                                        description="Exact action, or a family such as `entry.*`.")] = None,
    target_type: Annotated[str | None, Query(max_length=32, examples=["entry"])] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    tender_ref: Annotated[str | None, Query(max_length=200, description="Tender reference of screenings.")]
    = None,
    since: Annotated[UtcInstant | None, Query(description="Recorded at or after (ISO 8601; no offset = UTC).")]
    = None,
    until: Annotated[UtcInstant | None, Query(description="Recorded before (ISO 8601; no offset = UTC).")] = None,
) -> service.AuditFilters:
    return service.AuditFilters(actor=actor, organisation=organisation, action=action,
                                target_type=target_type, target_id=target_id, tender_ref=tender_ref,
                                since=since, until=until)


Filters = Annotated[service.AuditFilters, Depends(_filters)]


@router.get("", response_model=AuditPage, operation_id="listAuditRecords",
            summary="Audit records, filtered, paged by seq",
            description=f"Visibility: {READ_SCOPE}.", responses=PROBLEMS)
def list_records(tx: TxDep, principal: AuditReader, filters: Filters, order: Order = Order.asc,
                 cursor: Annotated[str | None, Query(max_length=500)] = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> AuditPage:
    records, next_cursor = service.list_records(tx.session, principal, filters, order, cursor, limit)
    return AuditPage(items=[service.to_out(record) for record in records], next_cursor=next_cursor)


@router.get("/export", operation_id="exportAuditRecords",
            summary="Stream every matching record as JSON lines or CSV (auditor, admin, contributor, "
                    "reviewer, screener)",
            description=f"Same filters and visibility as `GET /v1/audit` ({READ_SCOPE}), in seq order. "
                        "CSV cells starting with = + - @ are prefixed with ' against formula injection; "
                        "verify hashes from the JSON lines form.",
            responses={**PROBLEMS, 200: {"content": {"application/x-ndjson": {}, "text/csv": {}},
                                         "description": "The records."}})
def export_records(request: Request, tx: TxDep, principal: AuditReader, filters: Filters,
                   format_: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.jsonl
                   ) -> StreamingResponse:
    tx.release()  # the chain is read through short sessions of its own
    # The stream outlives the request's unit of work, so it reads through its own sessions.
    records = started(service.iter_records(request.app.state.sessions.read, principal, filters))
    if format_ is ExportFormat.csv:
        return StreamingResponse(service.csv_lines(records), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    return StreamingResponse(service.jsonl_lines(records), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="audit.jsonl"'})


@router.get("/verify", response_model=VerifyReport, operation_id="verifyAuditChain",
            summary="Walk the hash chain and report the first broken record",
            description="With `checkpoint` (a JWS issued by this service), also check that the chain "
                        "still passes through that checkpoint's seq and hash.", responses=PROBLEMS)
def verify(request: Request, tx: TxDep, _: Auditor,
           checkpoint: Annotated[str | None, Query(max_length=4000, description="A kept checkpoint JWS.")]
           = None) -> VerifyReport:
    tx.release()  # the chain is read through short sessions of its own
    state = request.app.state
    anchor = None
    if checkpoint:
        claims = checkpoints.read(checkpoint, state.signing_key, state.settings.issuer)
        anchor = Anchor(claims.seq, claims.head_hash)
    report = verify_chain(state.sessions.read, checkpoint=anchor)
    return VerifyReport(**report.as_dict())


@router.post("/checkpoints", response_model=CheckpointOut, status_code=status.HTTP_201_CREATED,
             operation_id="issueAuditCheckpoint",
             summary="Verify the chain since the last checkpoint and sign its head now",
             responses=PROBLEMS)
def issue_checkpoint(request: Request, tx: TxDep, _: Auditor) -> CheckpointOut:
    state = request.app.state
    issued = checkpoints.issue(state.session_factory, state.signing_key, state.settings.issuer)
    assert issued is not None  # only_if_moved=False always issues or raises
    return CheckpointOut.model_validate(issued)


@router.get("/checkpoints", response_model=list[CheckpointOut], operation_id="listAuditCheckpoints",
            summary="Issued checkpoints, newest first", responses=PROBLEMS)
def list_checkpoints(tx: TxDep, _: Auditor,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[CheckpointOut]:
    return [CheckpointOut.model_validate(c) for c in checkpoints.list_checkpoints(tx.session, limit)]


def install(app: FastAPI) -> None:
    """Mount the routes and, when configured, the periodic checkpoint thread."""
    app.include_router(router)
    settings = app.state.settings
    if settings.checkpoint_interval_seconds <= 0:
        return
    periodic = checkpoints.PeriodicCheckpoints(app.state.session_factory, app.state.signing_key,
                                               settings.issuer, settings.checkpoint_interval_seconds)
    app.state.startup_hooks.append(lambda _app: periodic.start())
    app.state.shutdown_hooks.append(lambda _app: periodic.stop())
