"""Replay of a stored screening."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from service.screening.schemas import SubjectResult


class ReplayRun(BaseModel):
    as_of: date = Field(description="Valid time read.")
    known_at: datetime | None = Field(description="Record time read, when it was an instant.")
    list_revision: int = Field(description="The list revision read.")
    results: list[SubjectResult]


class ScoreChange(BaseModel):
    entry_id: str
    score_then: float
    score_now: float
    status_then: str
    status_now: str
    appeal_status_then: str
    appeal_status_now: str


class SubjectChanges(BaseModel):
    ref: str
    added: list[str] = Field(description="Entries that match now and did not then.")
    removed: list[str] = Field(description="Entries that matched then and do not now.")
    changed: list[ScoreChange] = Field(description="Entries matching both times whose score, status or "
                                                   "appeal status differ.")


class ReplayResponse(BaseModel):
    screening_id: str
    screened_at: datetime
    replayed_at: datetime
    algorithm: str = Field(description="The algorithm of the replay (the stored one may be older).")
    threshold: float = Field(description="The stored screening's threshold, used for both runs.")
    then: ReplayRun = Field(description="The stored request against the list as it was when screened.")
    now: ReplayRun = Field(description="The stored request against the list as it is now, read for today.")
    changes: list[SubjectChanges]
