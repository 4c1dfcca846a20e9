"""``POST /v1/screen/ocds``: screen the tenderers and suppliers of an OCDS release as published."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from service.auth.access import Screener
from service.auth.deps import TxDep
from service.common.responses import PROBLEMS
from service.common.routing import StrictJSONRoute
from service.protocols.ocds import service

router = APIRouter(route_class=StrictJSONRoute, tags=["screening"])

ANSWER: dict[int | str, dict[str, Any]] = {200: {
    "description": "Per tender (`ocid`): its screenings' receipts and per party id its matches, as /v1/screen "
                   "gives them.", "content": {"application/json": {}}}}


# Left out of the OpenAPI document: its body's contract is the OCDS release schema (draft-04,
# 120 KB, validated in service.py), which the document cannot carry; a generator that knows only
# "an object" would call every document it makes a valid request.
@router.post("/v1/screen/ocds", operation_id="screenOcds", responses={**PROBLEMS, **ANSWER}, include_in_schema=False,
             summary="Screen the parties of an OCDS release, release package or record package",
             description="The document is validated against the OCDS 1.2-dev release schema (an invalid one is "
                         "422, each error naming its JSON pointer). Parties whose `roles` include one of `roles` "
                         "(default tenderer and supplier; `all` for every party) are screened by name, "
                         "`identifier` and `additionalIdentifiers` (org-id schemes such as KZ-BIN, GB-COH, UA-EDR "
                         "mapped to the service's) and address country, one screening per `ocid` (at most 1,000 "
                         "parties each) with the ocid as `tender_ref`.")
def screen_ocds(
    request: Request, tx: TxDep, principal: Screener,
    document: Annotated[dict[str, Any], Body(description="An OCDS release, release package or record package.",
                                             examples=[{"version": "1.1", "releases": []}])],
    roles: Annotated[list[Annotated[str, Query(max_length=64)]] | None, Query(
        max_length=30, description="Party roles to screen (partyRole codes), or `all` "
                                   "(default tenderer, supplier).")] = None,
    limit: Annotated[int, Query(ge=1, le=50, description="Matches per party at most.")] = 5,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0, description="Minimum score; default the "
                                                                          "calibrated one.")] = None,
) -> dict[str, Any]:
    return service.screen_ocds(tx, principal, request.app.state.lists, document,
                               roles=tuple(roles or service.DEFAULT_ROLES), limit=limit,
                               threshold=threshold)
