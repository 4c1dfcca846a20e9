"""yente's request and response shapes (``yente.data.common`` of yente 5.5), as Debarlist answers them.

Field names and nesting follow yente's pydantic models so that its clients (``yente-client``)
read the answers unchanged; what yente has no field for (the receipt, appeal status and
provenance) travels in extra keys, which those clients ignore.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

PropertyValues = Annotated[list[Annotated[str, StringConstraints(max_length=500)]], Field(max_length=20)]
# The FtM schemata a debarment list can answer (yente refuses the others with 400; a typed field
# says so in the document).
MatchableSchema = Literal["Thing", "LegalEntity", "Person", "Company", "Organization", "PublicBody"]


class EntityExample(BaseModel):
    """One query: an FtM-style entity (yente's ``EntityExample``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str | None = Field(default=None, max_length=200, examples=["bid-17"],
                           description="The caller's id, echoed back.")
    schema_: MatchableSchema = Field(alias="schema", examples=["Company"],
                                     description="FtM schema: Company, Organization, PublicBody, LegalEntity, "
                                                 "Person or Thing.")
    properties: dict[Annotated[str, StringConstraints(max_length=64)], str | PropertyValues] = Field(
        max_length=64,
        description="FtM properties; used: name, alias, previousName, weakAlias, abbreviation, country, "
                    "jurisdiction, mainCountry, nationality, registrationNumber, innCode, leiCode, taxNumber, "
                    "vatCode, dunsCode, uniqueEntityId, idNumber, uscCode, ogrnCode, okpoCode, swiftBic.",
        examples=[{"name": ["Alatau Stroy LLP"], "country": ["kz"], "registrationNumber": ["123456789012"]}])


class EntityMatchQuery(BaseModel):
    """The body of ``POST /match/{dataset}`` (yente's ``EntityMatchQuery``)."""

    model_config = ConfigDict(extra="forbid")

    weights: dict[str, float] = Field(default_factory=dict, max_length=0, examples=[{}],
                                      description="Feature weights: this engine's are calibrated, so none are taken.")
    config: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, max_length=0, examples=[{}],
        description="Algorithm configuration: the engine has no parameters, so none are taken.")
    queries: dict[Annotated[str, StringConstraints(min_length=1, max_length=200)], EntityExample] = Field(
        min_length=1, max_length=1000, description="1 to 1,000 entities keyed by the caller's names.",
        examples=[{"bid-17": {"schema": "Company", "properties": {"name": ["Alatau Stroy LLP"], "country": ["kz"]}}}])


class FeatureResult(BaseModel):
    """One feature of a score (nomenklatura's ``FeatureResult``)."""

    detail: str | None = Field(description="What the feature found.", examples=["name similarity 0.93"])
    score: float = Field(description="The feature's contribution.", examples=[0.93])
    query: str | None = Field(default=None, description="The query value used.", examples=["Alatau Stroy LLP"])
    candidate: str | None = Field(default=None, description="The listed value met.", examples=["ТОО «Алатау Строй»"])


class EntityResponse(BaseModel):
    """An FtM entity (yente's ``EntityResponse``), nested entities in ``properties``."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(examples=["debarlist-3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"], description="Entity id.")
    caption: str = Field(examples=["ТОО «Алатау Строй»"], description="The entity's display name.")
    schema_: str = Field(alias="schema", examples=["Company"], description="FtM schema.")
    properties: dict[str, list[Any]] = Field(
        description="FtM properties; `sanctions`, `risks` and `identification` hold nested entities.",
        examples=[{"name": ["ТОО «Алатау Строй»"], "topics": ["debarment"]}])
    datasets: list[str] = Field(default_factory=list, examples=[["wbg"]],
                                description="The listing organisation's dataset.")
    referents: list[str] = Field(default_factory=list, examples=[[]], description="Always empty.")
    target: bool = Field(default=True, description="Listed entities are targets.", examples=[True])
    first_seen: datetime | None = Field(default=None, description="When the entry was created.",
                                        examples=["2026-03-02T10:00:00Z"])
    last_seen: datetime | None = Field(default=None, description="Not kept: always null.", examples=[None])
    last_change: datetime | None = Field(default=None, description="When the entry last changed.",
                                         examples=["2026-04-02T10:00:00Z"])
    debarlist: dict[str, Any] = Field(
        default_factory=dict, examples=[{"entry_id": "3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10", "organisation": "KZ",
                                         "listing": "debarred", "appeal_status": "none"}],
        description="What FtM has no property for: the entry, its organisation, listing, grounds, period, "
                    "status, appeal status and dates, provenance, recognitions.")


class ScoredEntityResponse(EntityResponse):
    score: float = Field(ge=0.0, le=1.0, examples=[0.93], description="Match score from 0 to 1.")
    match: bool = Field(description="Whether the score is at or above `threshold`.", examples=[True])
    explanations: dict[str, FeatureResult] = Field(
        description="The score's features.",
        examples=[{"name_match": {"detail": "token alignment", "score": 0.93, "query": "Alatau Stroy LLP",
                                  "candidate": "ТОО «Алатау Строй»"}}])
    features: dict[str, float] = Field(description="The features' scores (yente's older field).",
                                       examples=[{"name_match": 0.93}])
    explanation: dict[str, Any] = Field(description="The engine's own explanation, as /v1/screen gives it.",
                                        examples=[{"formula": "clip(name + country + legal_form, 0, 1)"}])


class TotalSpec(BaseModel):
    value: int = Field(examples=[1], description="Number of results.")
    relation: str = Field(default="eq", examples=["eq"], description="Always eq.")


class EntityMatches(BaseModel):
    status: int = Field(default=200, examples=[200], description="Always 200.")
    results: list[ScoredEntityResponse] = Field(description="Results at or above the cutoff, best first.")
    total: TotalSpec
    query: EntityExample = Field(description="The query as it was read (properties that were used).")


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches] = Field(description="One answer per query key.", examples=[{}])
    limit: int = Field(examples=[5], description="Results per query at most.")
    screening_id: str | None = Field(
        description="The screening's receipt: GET /v1/screenings/{screening_id} (null when no query had a name, "
                    "so nothing was screened).", examples=["e4d3c2b1-a098-4f76-8e54-3210fedcba98"])
    list_revision: int | None = Field(examples=[1042], description="The list revision the screening read.")
    algorithm: str = Field(examples=["debarlist-match/1.6"], description="The algorithm and version used.")


FEATURE_EXAMPLE = {"name_match": {"description": "Name similarity.", "coefficient": 1.0, "url": "docs/matching.md"}}


class FeatureDoc(BaseModel):
    description: str | None = Field(description="What the feature measures.", examples=["Name similarity."])
    coefficient: float = Field(description="Its weight (1.0: added as it is).", examples=[1.0])
    url: str = Field(description="Where it is documented.", examples=["docs/matching.md"])


class ConfigVar(BaseModel):
    type: str = Field(description="string, integer, float or boolean.", examples=["float"])
    description: str | None = Field(default=None, description="What it configures.", examples=[None])
    default: str | int | float | bool | None = Field(default=None, description="Its default.", examples=[None])


class AlgorithmDocs(BaseModel):
    name: str = Field(examples=["debarlist-match/1.6"], description="The algorithm's name.")
    description: str | None = Field(description="How it scores.", examples=["Transliterates every script..."])
    config: dict[str, ConfigVar] = Field(description="Its parameters (none).", examples=[{}])
    features: dict[str, FeatureDoc] = Field(description="Its features.", examples=[FEATURE_EXAMPLE])


class Algorithm(BaseModel):
    name: str = Field(examples=["debarlist-match/1.6"], description="The algorithm's name.")
    description: str | None = Field(description="How it scores.", examples=["Transliterates every script..."])
    features: dict[str, FeatureDoc] = Field(description="Deprecated in yente: use `docs`.",
                                            examples=[FEATURE_EXAMPLE])
    docs: AlgorithmDocs


class AlgorithmResponse(BaseModel):
    algorithms: list[Algorithm] = Field(description="The algorithms enabled.", examples=[[]])
    default: str = Field(examples=["debarlist-match/1.6"], description="The algorithm used when none is named.")
    best: str = Field(examples=["debarlist-match/1.6"], description="The algorithm `best` names.")


class CatalogDataset(BaseModel):
    """One dataset of ``GET /catalog`` (a subset of yente's ``YenteDatasetModel``)."""

    name: str = Field(examples=["default"], description="The name /match/{dataset} takes.")
    title: str = Field(examples=["Debarlist"], description="Title.")
    summary: str | None = Field(default=None, description="What it holds.",
                                examples=["Every entry the caller may see."])
    version: str = Field(examples=["r1042"], description="The list revision it was read at.")
    entity_count: int = Field(examples=[3612], description="Entries in it the caller may see (not withdrawn).")
    updated_at: datetime | None = Field(default=None, description="Its latest change.",
                                        examples=["2026-04-02T10:00:00Z"])
    load: bool = Field(default=True, description="Always true: every dataset is searchable.", examples=[True])
    index_version: str = Field(examples=["r1042"], description="The version the index holds.")
    index_current: bool = Field(default=True, description="Always true: the index catches up before a match.",
                                examples=[True])
    children: list[str] = Field(default_factory=list, description="The organisations' datasets of a collection.",
                                examples=[["ebrd", "idb", "wbg"]])
    publisher: dict[str, Any] | None = Field(default=None, description="The listing organisation.",
                                             examples=[{"name": "World Bank Group", "acronym": "WBG"}])
    tags: list[str] = Field(default_factory=list, examples=[["list.debarment"]], description="Tags.")


class DataCatalogModel(BaseModel):
    datasets: list[CatalogDataset] = Field(description="The whole visible list first, then one per organisation.",
                                           examples=[[]])
    current: list[str] = Field(description="Datasets whose index is current: all of them.",
                               examples=[["default", "wbg"]])
    outdated: list[str] = Field(default_factory=list, description="Always empty.", examples=[[]])
    index_stale: bool = Field(default=False, description="Always false.", examples=[False])
