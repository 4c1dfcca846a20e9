"""Reconciliation 0.2 queries as the service takes them (the spec's JSON schemas, made strict:
a misnamed key is refused, not ignored). Answers are plain JSON checked against the spec's own
schemas in the tests."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(max_length=500)]


class EntityValue(BaseModel):
    """A property value that is itself a reconciled entity."""

    model_config = ConfigDict(extra="forbid")

    id: Text = Field(description="Its identifier.", examples=["5493001KJTIIGC8Y1R12"])
    name: Text | None = Field(default=None, description="Its name.", examples=["Alatau Stroy LLP"])


Value = Text | float | bool | EntityValue


class PropertyConstraint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pid: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="A property id from suggest/property (FtM names: country, registrationNumber, leiCode...).",
        examples=["country"])
    v: Value | Annotated[list[Value], Field(max_length=20)] = Field(
        description="A value or values.", examples=["kz"])


class ReconQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: Text | None = Field(default=None, description="The name to reconcile.", examples=["Alatau Stroy LLP"])
    type: Annotated[str, StringConstraints(max_length=64)] | Annotated[list[Text], Field(max_length=10)] | None = (
        Field(default=None, description="Company, Person or LegalEntity.", examples=["Company"]))
    limit: Annotated[int, Field(ge=1, le=50)] = Field(default=5, description="Candidates at most.", examples=[5])
    properties: list[PropertyConstraint] | None = Field(default=None, max_length=30,
                                                        description="Further properties of the row.",
                                                        examples=[[{"pid": "country", "v": "kz"}]])
    type_strict: Literal["any", "should", "all"] | None = Field(default=None, description="Ignored (one type each).",
                                                                examples=["any"])

    @model_validator(mode="after")
    def _something_to_match(self) -> ReconQuery:
        if (self.query is None or not self.query.strip()) and not self.properties:
            raise ValueError("a query needs a query string or at least one property")
        return self


class QueryBatch(RootModel[dict[Annotated[str, StringConstraints(min_length=1, max_length=200)], ReconQuery]]):
    """Queries keyed by the caller."""


class ExtendProperty(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="A property from propose_properties.", examples=["grounds"])
    settings: dict[str, str | int | float | bool] = Field(default_factory=dict, max_length=10,
                                                          description="Ignored.", examples=[{}])


class ExtendQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        max_length=1000, description="Entry ids from reconciliation.",
        examples=[["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"]])
    properties: list[ExtendProperty] = Field(max_length=30, description="The properties to fetch.",
                                             examples=[[{"id": "grounds"}]])
