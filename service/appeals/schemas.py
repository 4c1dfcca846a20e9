"""Request and response bodies of appeals."""

from __future__ import annotations

from datetime import date, datetime
from datetime import date as Day  # the step's field is called "date"
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from service.entries.schemas import Evidence, Ground

Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Step(StrEnum):
    under_review = "under_review"
    upheld = "upheld"
    overturned = "overturned"
    varied = "varied"


OUTCOMES = frozenset({Step.upheld, Step.overturned, Step.varied})


class AppealLodge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lodged_on: date = Field(examples=["2026-04-02"])
    reference: Ref | None = Field(default=None, description="The appeal body's case reference.",
                                  examples=["PAB-2026/33"])
    documents: list[Evidence] = Field(default_factory=list, max_length=50)


class AppealStep(BaseModel):
    """One step. An outcome needs a decision reference; ``varied`` needs at least one of the new
    period's dates or the new grounds."""

    model_config = ConfigDict(extra="forbid")

    step: Step
    date: Day = Field(examples=["2026-06-15"])
    decision_ref: Ref | None = Field(default=None, examples=["PAB-2026/33-D"])
    documents: list[Evidence] = Field(default_factory=list, max_length=50)
    starts_on: Day | None = Field(default=None, description="varied: the new first day in force.")
    ends_on: Day | None = Field(default=None, description="varied: the new last day in force.")
    grounds: list[Ground] | None = Field(default=None, min_length=1, max_length=10,
                                         description="varied: the new grounds.")

    @model_validator(mode="after")
    def _rules(self) -> AppealStep:
        if self.step in OUTCOMES and self.decision_ref is None:
            raise ValueError(f"a {self.step.value} decision needs its decision_ref")
        varies = self.starts_on is not None or self.ends_on is not None or self.grounds is not None
        if self.step is Step.varied and not varies:
            raise ValueError("a varied decision gives starts_on, ends_on or grounds")
        if self.step is not Step.varied and varies:
            raise ValueError("starts_on, ends_on and grounds are only given for a varied decision")
        return self


class AppealOut(BaseModel):
    id: str
    entry_id: str
    organisation: str
    status: str = Field(examples=["under_review"])
    reference: str | None
    lodged_on: date
    decided_on: date | None
    decision_ref: str | None
    documents: list[dict[str, Any]]
    steps: list[dict[str, Any]] = Field(description="Every step in order, each with its date, decision "
                                                    "reference and documents.")
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None
