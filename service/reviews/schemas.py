"""Request and response bodies of four-eyes reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from service.common.strict import Reason


class ReviewOut(BaseModel):
    id: str = Field(description="The review's id.", examples=["5b7f4d1e-9d2a-4c3e-8e1d-7a1c0b7e9f3a"])
    entry_id: str = Field(description="The entry under review.", examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    organisation: str = Field(description="Code of the entry's organisation.", examples=["KZ"])
    kind: Literal["publish", "change"] = Field(
        examples=["publish"],
        description="publish: a new entry; change: a change to a "
                                                           "published entry.")
    status: Literal["pending", "approved", "rejected"] = Field(
        description="pending, approved or rejected.",
        examples=["pending"])
    proposed: dict[str, Any] | None = Field(
        examples=[{"name": "ТОО «Алатау Строй»", "ends_on": "2029-03-14"}],
        description="For a change: the entry's content after it.")
    base_version: int | None = Field(
        examples=[2],
        description="For a change: the entry version it was proposed against.")
    authors: list[str] = Field(
        examples=[["dl_4f1c2a9e0b7d6c5a3e21"]],
        description="Clients that wrote the content; none of them may decide.")
    batch_ref: str | None = Field(
        description="The bulk request or import it came from, if any.",
        examples=["import-4c3e1d7a-5b7f-4d1e-9d2a-1c0b7e9f3a21"])
    reason: str | None = Field(
        examples=["Decision reference does not match the ministry's register"],
        description="Why it was rejected.")
    created_at: datetime = Field(description="When it was opened (UTC).", examples=["2026-03-15T09:30:00Z"])
    decided_at: datetime | None = Field(
        description="When it was decided; null while pending.",
        examples=["2026-03-16T14:05:00Z"])
    decided_by: str | None = Field(
        description="Client id of the reviewer who decided.",
        examples=["dl_9a8b7c6d5e4f3a2b1c0d"])


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(
        description="Why the content is rejected; shown to its authors.",
        examples=["Decision reference does not match the ministry's register"])


def _exactly_one_of_ids_or_batch_ref(schema: dict[str, Any]) -> None:
    # The document says what the validator checks: one of the two keys, never both, never null.
    for name in ("ids", "batch_ref"):
        prop = schema["properties"][name]
        branches = [branch for branch in prop.pop("anyOf", []) if branch.get("type") != "null"]
        prop.pop("default", None)
        prop.update(branches[0] if branches else {})
    schema["oneOf"] = [{"required": ["ids"], "not": {"required": ["batch_ref"]}},
                       {"required": ["batch_ref"], "not": {"required": ["ids"]}}]
    schema["examples"] = [{"ids": ["5b7f4d1e-9d2a-4c3e-8e1d-7a1c0b7e9f3a"]},
                          {"batch_ref": "import-4c3e1d7a-5b7f-4d1e-9d2a-1c0b7e9f3a21"}]


class BatchApproval(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_exactly_one_of_ids_or_batch_ref)

    ids: list[Annotated[str, StringConstraints(min_length=1, max_length=36)]] | None = Field(
        examples=[["5b7f4d1e-9d2a-4c3e-8e1d-7a1c0b7e9f3a"]],
        default=None, min_length=1, max_length=10_000, description="Review ids.")
    batch_ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = (
        Field(default=None, description="Every pending review of this bulk request or import.",
              examples=["import-4c3e1d7a-5b7f-4d1e-9d2a-1c0b7e9f3a21"]))

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(data.get(name, "") is None for name in ("ids", "batch_ref")):
            raise ValueError("leave ids or batch_ref out rather than sending null")
        return data

    @model_validator(mode="after")
    def _one_of(self) -> BatchApproval:
        if (self.ids is None) == (self.batch_ref is None):
            raise ValueError("give exactly one of ids or batch_ref")
        return self


class BatchResult(BaseModel):
    approved: int = Field(description="Reviews approved.", examples=[2])
    ids: list[str] = Field(
        description="Ids of the approved reviews.",
        examples=[["5b7f4d1e-9d2a-4c3e-8e1d-7a1c0b7e9f3a"]])
