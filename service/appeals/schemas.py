"""Request and response bodies of appeals."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from service.common.stamps import CreatedAt, CreatedBy, UpdatedAt, UpdatedBy
from service.common.strict import Day
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

    lodged_on: Day = Field(description="Date the appeal was lodged.", examples=["2026-04-02"])
    reference: Ref | None = Field(default=None, description="The appeal body's case reference.",
                                  examples=["PAB-2026/33"])
    documents: list[Evidence] = Field(
        description="The appeal's documents.",
        examples=[[{"title": "Decision of the Procurement Appeals Board",
                    "url": "https://example.gov/decisions/2026-117.pdf"}]],
        default_factory=list, max_length=50)


def _step_rules(schema: dict[str, Any]) -> None:
    """The document states the validator's rules: an outcome names its decision; a varied one
    gives a new period or grounds, and only a varied one does."""
    present = {"starts_on": "string", "ends_on": "string", "grounds": "array"}
    schema["allOf"] = [
        {"if": {"properties": {"step": {"enum": sorted(step.value for step in OUTCOMES)}}, "required": ["step"]},
         "then": {"required": ["decision_ref"], "properties": {"decision_ref": {"type": "string"}}}},
        {"if": {"properties": {"step": {"const": Step.varied.value}}, "required": ["step"]},
         "then": {"anyOf": [{"required": [name], "properties": {name: {"type": kind}}}
                            for name, kind in present.items()]},
         "else": {"properties": {name: {"type": "null"} for name in present}}},
    ]
    schema["examples"] = [
        {"step": "under_review", "date": "2026-05-02"},
        {"step": "upheld", "date": "2026-06-15", "decision_ref": "PAB-2026/33-D"},
        {"step": "varied", "date": "2026-06-15", "decision_ref": "PAB-2026/33-D", "ends_on": "2028-06-30",
         "grounds": ["fraud"]},
    ]


class AppealStep(BaseModel):
    """One step. An outcome needs a decision reference; ``varied`` needs at least one of the new
    period's dates or the new grounds."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=lambda schema: _step_rules(schema))

    step: Step = Field(description="under_review, upheld, overturned or varied.")
    date: Day = Field(description="Date of the step.", examples=["2026-06-15"])
    decision_ref: Ref | None = Field(
        description="The appeal body's decision reference; required for an outcome.",
        default=None, examples=["PAB-2026/33-D"])
    documents: list[Evidence] = Field(
        description="The step's documents.",
        examples=[[{"title": "Decision of the Procurement Appeals Board",
                    "url": "https://example.gov/decisions/2026-117.pdf"}]],
        default_factory=list, max_length=50)
    starts_on: Day | None = Field(examples=["2026-07-01"], default=None,
                                  description="varied: the new first day in force.")
    ends_on: Day | None = Field(examples=["2028-06-30"], default=None, description="varied: the new last day in force.")
    grounds: list[Ground] | None = Field(examples=[["fraud"]], default=None, min_length=1, max_length=10,
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
    id: str = Field(description="The appeal's id.", examples=["8a2d4e6f-1b3c-4d5e-8f90-a1b2c3d4e5f6"])
    entry_id: str = Field(description="The entry appealed against.", examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    organisation: str = Field(description="Code of the organisation that listed the entry.", examples=["KZ"])
    status: str = Field(description="lodged, under_review, upheld, overturned or varied.", examples=["under_review"])
    reference: str | None = Field(description="The appeal body's case reference.", examples=["PAB-2026/33"])
    lodged_on: Day = Field(description="Date the appeal was lodged.", examples=["2026-04-02"])
    decided_on: date | None = Field(description="Date of the outcome; null while pending.", examples=["2026-06-15"])
    decision_ref: str | None = Field(description="The outcome's decision reference.", examples=["PAB-2026/33-D"])
    documents: list[dict[str, Any]] = Field(
        description="The appeal's documents.",
        examples=[[{"title": "Decision of the Procurement Appeals Board",
                    "url": "https://example.gov/decisions/2026-117.pdf"}]])
    steps: list[dict[str, Any]] = Field(
        examples=[[{"step": "upheld", "date": "2026-06-15", "decision_ref": "PAB-2026/33-D", "documents": []}]],
        description="Every step in order, each with its date, decision reference and documents.")
    created_at: CreatedAt
    created_by: CreatedBy
    updated_at: UpdatedAt
    updated_by: UpdatedBy
