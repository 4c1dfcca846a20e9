"""yente's match API: ``POST /match/{dataset}``, ``GET /algorithms``, ``GET /catalog``, ``GET /entities/{id}``.

Paths, parameters and shapes are yente's, so yente clients point at Debarlist unchanged. Errors
are problem documents, whose ``detail`` string is yente's ``ErrorResponse``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from service.auth.access import Reader, Screener
from service.auth.deps import TxDep
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.common.streams import started
from service.exchange import service as exchange
from service.kernel.errors import Unprocessable
from service.observability.metrics import observe_screening
from service.protocols.yente import mirror, service
from service.protocols.yente.schemas import (
    AlgorithmResponse,
    DataCatalogModel,
    EntityMatchQuery,
    EntityMatchResponse,
    EntityResponse,
)

router = APIRouter(route_class=StrictJSONRoute, tags=["yente"])

# yente's changed_since pattern, with the ranges of months, days, hours, minutes and seconds.
# (months' lengths too; a 29 February of a common year is the one date the calendar check refuses).
DAY = r"((0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-9])|(0[13-9]|1[0-2])-30|(0[13578]|1[02])-31)"
TS_PATTERN = rf"^[1-9]\d{{3}}-{DAY}(T([01]\d|2[0-3])(:[0-5]\d(:[0-5]\d)?)?)?$"
Ids = Annotated[list[Annotated[str, Query(max_length=200)]], Query(max_length=50)]
Names = Annotated[list[Annotated[str, Query(max_length=64)]], Query(max_length=50)]


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError as exc:  # 2026-02-31 fits the pattern, not the calendar
        raise Unprocessable(f"changed_since: {exc}") from exc


@router.post("/match/{dataset}", response_model=EntityMatchResponse, operation_id="yenteMatch",
             summary="Match FollowTheMoney entities by example, as yente does",
             description="yente's query-by-example matcher over the caller's visible list (`default`) or one "
                         "organisation's (its code in lower case). Each query is screened as `POST /v1/screen` "
                         "screens a subject: the batch is one screening with a receipt (`screening_id`) and an "
                         "audit record. Results at or above `cutoff` (default: `threshold`) are returned; "
                         "`match` is true at or above `threshold` (default: the engine's calibrated 0.72).",
             responses=PROBLEMS)
def match(
    body: EntityMatchQuery, request: Request, tx: TxDep, principal: Screener,
    dataset: Annotated[str, Path(max_length=64, description="`default` (the caller's visible list) or an "
                                                           "organisation's code.", examples=["default"])],
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT, description="Results per query at most.")] = 5,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0, description="Score from which a result is a "
                                                                          "match.")] = None,
    cutoff: Annotated[float | None, Query(ge=0.0, le=1.0, deprecated=True,
                                          description="Score below which results are dropped (yente: "
                                                      "deprecated, at most `threshold`).")] = None,
    algorithm: Annotated[str, Query(pattern=service.ALGORITHM_PATTERN, description="`best`, `default` or a "
                                                                                  "name from /algorithms.")] = "best",
    topics: Names = [],  # noqa: B006 - FastAPI copies query defaults
    exclude_entity_ids: Ids = [],  # noqa: B006
    changed_since: Annotated[str | None, Query(pattern=TS_PATTERN, description="Only entries changed since "
                                                                               "(UTC).")] = None,
    include_dataset: Names = [],  # noqa: B006
    exclude_dataset: Names = [],  # noqa: B006
    exclude_schema: Names = [],  # noqa: B006
    tender_ref: Annotated[str | None, Query(min_length=1, max_length=200,
                                            description="The tender, kept in the receipt and audit log.")] = None,
) -> EntityMatchResponse:
    since = _instant(changed_since) if changed_since else None
    options = service.MatchOptions(
        limit=limit, threshold=threshold, cutoff=cutoff, algorithm=algorithm, topics=tuple(topics),
        exclude_entity_ids=frozenset(exclude_entity_ids), changed_since=since, include_dataset=tuple(include_dataset),
        exclude_dataset=tuple(exclude_dataset), exclude_schema=tuple(exclude_schema), tender_ref=tender_ref)
    response = service.match(tx, principal, request.app.state.lists, dataset=dataset, body=body, options=options)
    observe_screening(len(response.responses),
                      (r.score for matches in response.responses.values() for r in matches.results))
    return response


@router.get("/algorithms", response_model=AlgorithmResponse, operation_id="yenteAlgorithms",
            summary="The matching algorithms /match takes, as yente lists them", responses=PROBLEMS)
def algorithms(principal: Reader) -> AlgorithmResponse:
    return service.algorithms()


@router.get("/catalog", response_model=DataCatalogModel, operation_id="yenteCatalog",
            summary="The datasets /match takes: the caller's visible list and one per organisation",
            responses=PROBLEMS)
def data_catalog(tx: TxDep, principal: Reader) -> DataCatalogModel:
    return service.data_catalog(tx.session, principal)


@router.get("/entities/{entity_id}", response_model=EntityResponse, operation_id="yenteEntity",
            summary="One entry as a FollowTheMoney entity, as yente shows an entity", responses=PROBLEMS)
def get_entity(
    entity_id: Annotated[str, Path(max_length=200, description="`debarlist-<entry id>` or the entry id.")],
    tx: TxDep, principal: Reader,
    nested: Annotated[bool, Query(description="Nest its sanction or risk and identifications.")] = True,
) -> EntityResponse:
    return service.get_entity(tx.session, principal, entity_id, nested=nested)


# A yente-format data catalog (yente's YENTE_MANIFEST points a dataset at index.json).

def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/catalog/index.json", operation_id="yenteCatalogIndex", responses=PROBLEMS,
            summary="The caller's visible list as a yente-format dataset index, for mirrors")
def catalog_index(request: Request, tx: TxDep, principal: Reader) -> dict[str, Any]:
    return mirror.index(tx.session, principal, _base(request))


@router.get("/catalog/entities.ftm.json", operation_id="yenteCatalogEntities",
            responses={**PROBLEMS, 200: {"content": {"application/json+ftm": {}},
                                         "description": "FtM entities, one per line."}},
            summary="Every entry the caller may see as FtM entities (the dataset's entities resource)")
def catalog_entities(request: Request, tx: TxDep, principal: Reader) -> StreamingResponse:
    tx.release()  # the stream reads through its own short sessions, as /v1/export/ftm does
    return StreamingResponse(started(exchange.iter_ftm_lines(request.app.state.sessions.read, principal)),
                             media_type="application/json+ftm")


@router.get("/catalog/delta.json", operation_id="yenteCatalogDeltas", responses=PROBLEMS,
            summary="The dataset's delta versions (one per list revision), for yente's delta updates")
def catalog_deltas(request: Request, tx: TxDep, principal: Reader) -> dict[str, Any]:
    return mirror.delta_index(tx.session, principal, _base(request))


@router.get("/catalog/entities.delta.json", operation_id="yenteCatalogDelta",
            responses={**PROBLEMS, 200: {"content": {"application/json+ftm": {}},
                                         "description": "ADD, MOD and DEL operations, one per line."}},
            summary="One delta version's entity operations (ADD, MOD, DEL)")
def catalog_delta(tx: TxDep, principal: Reader,
                  version: Annotated[str, Query(pattern=r"^\d{1,12}$", description="A version from delta.json.")]
                  ) -> StreamingResponse:
    return StreamingResponse(mirror.delta_lines(tx.session, principal, version), media_type="application/json+ftm")
