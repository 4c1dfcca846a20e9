"""Watchlist requests and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from service.common.strict import Day
from service.screening.schemas import (
    MAX_SCREEN_CHARACTERS,
    MAX_SCREEN_NAMES,
    ScreenMatch,
    Subject,
    SubjectIdentifier,
)

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MAX_BULK = 1000


class WatchedSupplierIn(Subject):
    """A supplier to watch: the screening subject shape, plus the contract it is watched for."""

    model_config = ConfigDict(extra="forbid")

    contract_ref: Short | None = Field(default=None, description="The contract the supplier holds.",
                                       examples=["KZ-2026-0042/C1"])
    watch_until: Day | None = Field(default=None, description="Last day to watch (e.g. the contract's end); "
                                    "null = until removed.", examples=["2029-12-31"])


class WatchBulk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    suppliers: list[WatchedSupplierIn] = Field(min_length=1, max_length=MAX_BULK,
                                               description="1 to 1,000 suppliers.")

    @model_validator(mode="after")
    def _within_cost_bound(self) -> WatchBulk:
        # Adding screens at once: the same bound as one screening, for the same reason.
        names = sum(1 + len(s.aliases) for s in self.suppliers)
        characters = sum(len(s.name) + sum(map(len, s.aliases)) for s in self.suppliers)
        if names > MAX_SCREEN_NAMES or characters > MAX_SCREEN_CHARACTERS:
            raise ValueError(f"at most {MAX_SCREEN_NAMES:,} names and {MAX_SCREEN_CHARACTERS:,} characters "
                             "of names in one bulk add: split the suppliers over several requests")
        refs = [s.ref for s in self.suppliers]
        if len(set(refs)) != len(refs):
            raise ValueError("each supplier's ref must be unique within the request")
        return self


class WatchedSupplierOut(BaseModel):
    id: str = Field(description="The watch's id.", examples=["9a1c2b3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"])
    ref: str = Field(description="The caller's reference for the supplier.", examples=["sup-17"])
    name: str = Field(description="The supplier's name.", examples=["Alatau Stroy LLP"])
    aliases: list[str] = Field(description="Other names.", examples=[["ТОО «Алатау Строй»"]])
    country: str | None = Field(description="ISO 3166-1 alpha-2.", examples=["KZ"])
    identifiers: list[SubjectIdentifier] = Field(description="The supplier's identifiers.")
    kind: str | None = Field(description="company, person or null.", examples=["company"])
    contract_ref: str | None = Field(description="The contract.", examples=["KZ-2026-0042/C1"])
    watch_until: date | None = Field(description="Last day watched.", examples=["2029-12-31"])
    list_revision: int = Field(description="The list revision of the last screening.", examples=[1042])
    matches: list[ScreenMatch] = Field(description="The last screening's matches, best first.")
    created_at: datetime = Field(description="When it was added (UTC).", examples=["2026-12-02T09:30:00Z"])
    updated_at: datetime = Field(description="When it last changed (UTC).", examples=["2026-12-02T09:30:00Z"])


class WatchBulkResult(BaseModel):
    results: list[WatchedSupplierOut] = Field(description="One per supplier, in request order.")


class WatchPage(BaseModel):
    items: list[WatchedSupplierOut] = Field(description="Watched suppliers, oldest first.")
    next_cursor: str | None = Field(examples=["eyJwIjo0Mn0"],
                                    description="Pass as `cursor` for the next page; null on the last.")



class AlertOut(BaseModel):
    id: str = Field(description="The alert's id.", examples=["5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"])
    watch_id: str = Field(description="The watched supplier.", examples=["9a1c2b3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"])
    ref: str = Field(description="The supplier's ref.", examples=["sup-17"])
    entry_id: str = Field(description="The entry.", examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    reason: str = Field(description="match_appeared, match_disappeared or match_changed.",
                        examples=["match_appeared"])
    changes: list[str] = Field(description="For match_changed: score_band, listing, starts_on, ends_on, status, "
                               "appeal_status.", examples=[["appeal_status"]])
    match: ScreenMatch = Field(description="The match as it stands (as it last stood, if it disappeared), "
                               "with the entry's provenance and appeal status and the explanation.")
    list_revision: int = Field(description="The list revision that raised it.", examples=[1043])
    status: str = Field(description="new or acknowledged.", examples=["new"])
    created_at: datetime = Field(description="When it was raised (UTC).", examples=["2026-12-02T09:30:00Z"])
    acknowledged_at: datetime | None = Field(description="When it was acknowledged.", examples=[None])


class AlertPage(BaseModel):
    items: list[AlertOut] = Field(description="Alerts, oldest first.")
    next_cursor: str | None = Field(examples=["eyJwIjo0Mn0"],
                                    description="Pass as `cursor` for the next page; null on the last.")


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirmed", "false_positive"] = Field(description="confirmed or false_positive.",
                                                             examples=["false_positive"])
    note: Text | None = Field(default=None, description="For confirmed: what was checked; for false_positive: "
                              "the reason (required).", examples=["Different firm: other BIN, other city"])
    action: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = Field(
        default=None, description="For confirmed: the action taken.", examples=["Contract suspended"])

    @model_validator(mode="after")
    def _reasoned(self) -> DecisionIn:
        if self.decision == "false_positive" and self.note is None:
            raise ValueError("a false_positive needs its reason in note")
        if self.decision == "false_positive" and self.action is not None:
            raise ValueError("action is for confirmed matches")
        return self


class ScreeningDecisionIn(DecisionIn):
    ref: Short = Field(description="The subject's ref in the screening.", examples=["bid-17"])
    entry_id: Short = Field(description="The matched entry.", examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])


class DecisionOut(BaseModel):
    id: str = Field(description="The decision's id.", examples=["7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f"])
    ref: str = Field(description="The supplier's ref.", examples=["sup-17"])
    entry_id: str = Field(description="The entry.", examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    entry_revision: int = Field(description="The entry's list revision when decided.", examples=[1042])
    decision: str = Field(description="confirmed or false_positive.", examples=["false_positive"])
    note: str | None = Field(description="Note or reason.", examples=["Different firm"])
    action: str | None = Field(description="Action taken.", examples=[None])
    source: str = Field(description="alert or screening.", examples=["alert"])
    source_id: str = Field(description="The alert or screening decided on.", examples=["5b6c7d8e"])
    decided_by: str = Field(description="Client id.", examples=["dl_4f1c2a9e0b7d6c5a3e21"])
    decided_at: datetime = Field(description="When (UTC).", examples=["2026-12-02T09:30:00Z"])
    reversed_at: datetime | None = Field(description="When reversed, if it was.", examples=[None])
    reversed_by: str | None = Field(description="Who reversed it.", examples=[None])
