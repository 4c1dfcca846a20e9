"""The change feed for mirrors, and the FollowTheMoney export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from service.auth.access import Reader
from service.auth.deps import TxDep
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.common.streams import started
from service.exchange import service
from service.exchange.schemas import ChangePage

router = APIRouter(route_class=StrictJSONRoute, tags=["exchange"])

MAX_WAIT_SECONDS = 25


@router.get("/v1/changes", response_model=ChangePage, operation_id="listChanges",
            summary="Entry changes after a list revision, in order, for mirrors "
                    "(contributor, screener, auditor, reviewer)",
            description="Start from `since=0` and pass back `next_since` each time: applying the items "
                        "in order (upsert `entry`, delete on `removed`) leaves the mirror with exactly the "
                        "entries the caller may see. With `wait`, an up-to-date caller is answered as soon "
                        "as the list changes, or empty after `wait` seconds (long poll).",
            responses=PROBLEMS)
async def list_changes(
    request: Request, tx: TxDep, principal: Reader,
    since: Annotated[int, Query(ge=0, description="The last revision the mirror applied (0 to start).",
                                examples=[0])] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Revisions to scan at most.")] = 100,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT_SECONDS,
                                 description="Seconds to wait for a change when there is none yet.")] = 0,
) -> ChangePage:
    # Async so that a waiting long poll holds neither a worker thread nor a database connection:
    # the reads run on the thread pool, the wait is a shared watch of the list head.
    page = await run_in_threadpool(service.changes, tx.session, principal, since, limit)
    if page.items or page.next_since > since or wait <= 0:
        return page
    await run_in_threadpool(tx.release)
    await request.app.state.list_head.wait_past(since, wait)
    return await run_in_threadpool(service.changes, tx.session, principal, since, limit)


@router.get("/v1/export/ftm", operation_id="exportFtm",
            summary="Stream the entries the caller may see as FollowTheMoney entities "
                    "(contributor, screener, auditor, reviewer)",
            description="JSON lines, one FtM entity each: per entry a `Company` or `Person`, its `Sanction` "
                        "(debarred) or `Risk` (flagged) with authority, program, reason, dates, source URL, "
                        "`Identification` and `Document` (evidence) entities, and the `debarment` topic. "
                        "Loads back with `debarlist import FILE --format ftm`.",
            responses={**PROBLEMS, 200: {"content": {"application/x-ndjson": {}},
                                         "description": "FtM entities, one per line."}})
def export_ftm(
    request: Request, tx: TxDep, principal: Reader,
    include_withdrawn: Annotated[bool, Query(description="Also export withdrawn entries "
                                                         "(their Sanction status is `withdrawn`).")] = False,
) -> StreamingResponse:
    # The stream outlives the request's unit of work and reads through its own short sessions.
    tx.release()
    lines = started(service.iter_ftm_lines(request.app.state.sessions.read, principal,
                                           include_withdrawn=include_withdrawn))
    return StreamingResponse(lines, media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="debarlist-ftm.jsonl"'})
