"""Replay of a stored screening."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from service.screening.schemas import SubjectResult


class ReplayRun(BaseModel):
    as_of: date = Field(examples=["2026-11-26"], description="Valid time read.")
    known_at: datetime | None = Field(
        examples=["2026-05-01T12:00:00Z"],
        description="Record time read, when it was an instant.")
    list_revision: int = Field(examples=[1042], description="The list revision read.")
    results: list[SubjectResult] = Field(description="One result per subject, in request order.")


class ScoreChange(BaseModel):
    entry_id: str = Field(
        description="The entry matched both times.",
        examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    score_then: float = Field(description="Score when screened.", examples=[0.91])
    score_now: float = Field(description="Score on replay.", examples=[0.93])
    status_then: str = Field(description="Entry status when screened.", examples=["active"])
    status_now: str = Field(description="Entry status now.", examples=["expired"])
    appeal_status_then: str = Field(description="Appeal status when screened.", examples=["none"])
    appeal_status_now: str = Field(description="Appeal status now.", examples=["upheld"])


class SubjectChanges(BaseModel):
    ref: str = Field(description="The subject's ref from the stored request.", examples=["bid-17"])
    added: list[str] = Field(
        examples=[["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"]],
        description="Entries that match now and did not then.")
    removed: list[str] = Field(
        examples=[["0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f"]],
        description="Entries that matched then and do not now.")
    changed: list[ScoreChange] = Field(description="Entries matching both times whose score, status or "
                                                   "appeal status differ.")


class ReplayResponse(BaseModel):
    screening_id: str = Field(
        description="The stored screening replayed.",
        examples=["e4d3c2b1-a098-4f76-8e54-3210fedcba98"])
    screened_at: datetime = Field(description="When it originally ran (UTC).", examples=["2026-03-15T09:30:00Z"])
    replayed_at: datetime = Field(description="When the replay ran (UTC).", examples=["2026-12-01T08:00:00Z"])
    algorithm: str = Field(
        examples=["debarlist-match/1.0"],
        description="The algorithm of the replay (the stored one may be older).")
    threshold: float = Field(examples=[0.85], description="The stored screening's threshold, used for both runs.")
    then: ReplayRun = Field(description="The stored request against the list as it was when screened.")
    now: ReplayRun = Field(description="The stored request against the list as it is now, read for today.")
    changes: list[SubjectChanges] = Field(description="What differs, per subject.")
