"""yente's match API over the screening service: a ``/match`` is a ``/v1/screen``.

Each query becomes a screening subject and the batch one ``screening.service.screen`` call, so
the visibility rule, the receipt and the audit record are the ones of ``/v1/screen``. The answer
is reshaped into yente's: every result is the entry as a FollowTheMoney entity (the export's
``exchange.ftm.entities``), its sanction or risk nested under ``sanctions``/``risks`` as yente
nests adjacent entities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from debarlist_match import ALGORITHM, ALGORITHMS, DEFAULT_THRESHOLD
from service.entries.models import Entry
from service.entries.schemas import validate_country
from service.entries.service import describe_validation_error, get_visible, to_out
from service.exchange import ftm
from service.kernel.clock import today
from service.kernel.errors import NotFound, ServiceError, Unprocessable
from service.kernel.principal import Principal
from service.kernel.uow import Tx
from service.listview import Lists
from service.protocols import catalog
from service.protocols.yente.schemas import (
    Algorithm,
    AlgorithmDocs,
    AlgorithmResponse,
    CatalogDataset,
    DataCatalogModel,
    EntityExample,
    EntityMatches,
    EntityMatchQuery,
    EntityMatchResponse,
    EntityResponse,
    FeatureDoc,
    FeatureResult,
    ScoredEntityResponse,
    TotalSpec,
)
from service.screening import service as screening
from service.screening.schemas import ScreenMatch, ScreenRequest, Subject, SubjectIdentifier

# FtM schemata a debarment list can answer, and the engine's kind for each (None: either).
SCHEMA_KINDS: dict[str, str | None] = {
    "Thing": None, "LegalEntity": None, "Person": "person",
    "Company": "company", "Organization": "company", "PublicBody": "company",
}
NAME_PROPERTIES = ("name", "alias", "previousName", "weakAlias", "abbreviation")
COUNTRY_PROPERTIES = ("country", "jurisdiction", "mainCountry", "nationality", "citizenship")
# FtM identifier properties -> the service's schemes (the inverse of exchange.ftm.SCHEME_PROPERTIES;
# the engine compares national numbers as one family qualified by country, so "registration"
# meets a listed BIN, EDRPOU or CNPJ).
IDENTIFIER_PROPERTIES = {
    "registrationNumber": "registration", "innCode": "inn", "leiCode": "lei", "taxNumber": "tax_id",
    "vatCode": "vat", "dunsCode": "duns", "uniqueEntityId": "uei", "idNumber": "national_id",
    "uscCode": "cn_uscc", "ogrnCode": "ogrn", "okpoCode": "okpo", "swiftBic": "swift",
}
ALGORITHM_NAMES = frozenset({"best", "default", *ALGORITHMS, *(name.split("/")[0] for name in ALGORITHMS)})
ALGORITHM_PATTERN = "^(" + "|".join(re.escape(name) for name in sorted(ALGORITHM_NAMES)) + ")$"
MATCH_TOPIC = ftm.TOPIC
MAX_LIMIT = 50  # the screening's own bound per subject
MAX_NAMES, MAX_IDENTIFIERS, MAX_IDENTIFIER = 21, 20, 100  # a screening subject's bounds (name + 20 aliases)


@dataclass(frozen=True)
class MatchOptions:
    """yente's query parameters of ``/match/{dataset}``."""

    limit: int = 5
    threshold: float | None = None
    cutoff: float | None = None
    algorithm: str = "best"
    topics: tuple[str, ...] = ()
    exclude_entity_ids: frozenset[str] = frozenset()
    changed_since: datetime | None = None
    include_dataset: tuple[str, ...] = ()
    exclude_dataset: tuple[str, ...] = ()
    exclude_schema: tuple[str, ...] = ()
    tender_ref: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def filters_results(self) -> bool:
        return bool(self.topics or self.exclude_entity_ids or self.changed_since or self.include_dataset
                    or self.exclude_dataset or self.exclude_schema)


def check_algorithm(name: str) -> str:
    if name.strip().lower() not in {n.lower() for n in ALGORITHM_NAMES}:
        raise ServiceError(f"Invalid algorithm: {name}")  # yente's 400 and words
    return str(ALGORITHM)


def _values(properties: dict[str, str | list[str]], name: str) -> list[str]:
    raw = properties.get(name, [])
    values = [raw] if isinstance(raw, str) else raw
    return [value.strip() for value in values if value.strip()]


def subject_of(ref: str, example: EntityExample) -> tuple[Subject | None, EntityExample]:
    """The screening subject of one query (None when it has no name: nothing to match by), and
    the query as it was read: the values used, as yente echoes the cleaned query."""
    used: dict[str, list[str]] = {}
    names: list[str] = []
    for prop in NAME_PROPERTIES:
        for value in _values(example.properties, prop):
            if value not in names and len(names) < MAX_NAMES:
                names.append(value)
                used.setdefault(prop, []).append(value)
    country = None
    for prop in COUNTRY_PROPERTIES:
        for value in _values(example.properties, prop):
            try:
                code = validate_country(value)
            except ValueError:
                continue  # yente drops values its types cannot clean
            used.setdefault(prop, []).append(value.lower())
            country = country or code
    identifiers: list[SubjectIdentifier] = []
    for prop, scheme in IDENTIFIER_PROPERTIES.items():
        for value in _values(example.properties, prop):
            if len(value) <= MAX_IDENTIFIER and len(identifiers) < MAX_IDENTIFIERS:
                used.setdefault(prop, []).append(value)
                identifiers.append(SubjectIdentifier(scheme=scheme, value=value))
    echoed = EntityExample.model_validate({"id": example.id, "schema": example.schema_, "properties": used})
    if not names:
        return None, echoed
    try:
        subject = Subject(ref=ref, name=names[0], aliases=names[1:], country=country, identifiers=identifiers,
                          kind=SCHEMA_KINDS[example.schema_])
    except ValidationError as exc:
        raise ServiceError(f"Cannot parse example entity {ref!r}: {describe_validation_error(exc)}") from exc
    return subject, echoed


def match(tx: Tx, principal: Principal, lists: Lists, *, dataset: str, body: EntityMatchQuery,
          options: MatchOptions) -> EntityMatchResponse:
    """Screen every query as ``/v1/screen`` does and answer in yente's shape."""
    with tx.read() as session:
        organisation = catalog.resolve(session, dataset)
    algorithm = check_algorithm(options.algorithm)
    threshold = DEFAULT_THRESHOLD if options.threshold is None else options.threshold
    # yente returns results down to the cutoff and flags those at the threshold as matches.
    cutoff = threshold if options.cutoff is None else min(options.cutoff, threshold)
    read = [(ref, *subject_of(ref, example)) for ref, example in body.queries.items()]
    subjects = [subject for _, subject, _ in read if subject is not None]
    if not subjects:  # nothing to match by: nothing screened, no receipt
        return EntityMatchResponse(
            responses={ref: EntityMatches(results=[], total=TotalSpec(value=0), query=echoed)
                       for ref, _, echoed in read},
            limit=options.limit, screening_id=None, list_revision=None, algorithm=algorithm)
    narrowed = organisation is not None or options.filters_results()
    try:
        request = ScreenRequest(subjects=subjects, threshold=cutoff, limit=MAX_LIMIT if narrowed else options.limit,
                                tender_ref=options.tender_ref)
    except ValidationError as exc:
        raise Unprocessable(describe_validation_error(exc)) from exc
    screened = screening.screen(tx, principal, lists, request)
    by_ref = {result.ref: result for result in screened.results}
    entries = _entries(tx.session, {m.entry_id for r in screened.results for m in r.matches})
    on = screened.as_of
    responses = {}
    for ref, subject, echoed in read:
        found = by_ref[ref].matches if subject is not None else []
        kept = [m for m in found if _kept(m, entries[m.entry_id], organisation, options)][:options.limit]
        scored = [_scored(m, entries[m.entry_id], on, threshold, screened.screening_id) for m in kept]
        responses[ref] = EntityMatches(results=scored, total=TotalSpec(value=len(scored)), query=echoed)
    return EntityMatchResponse(responses=responses, limit=options.limit, screening_id=screened.screening_id,
                               list_revision=screened.list_revision, algorithm=algorithm)


def _entries(session: Session, ids: Iterable[str]) -> dict[str, Entry]:
    wanted = sorted(ids)
    found: dict[str, Entry] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(select(Entry).where(Entry.id.in_(wanted[start:start + 500]))).scalars()
        found.update({entry.id: entry for entry in rows})
    return found


def _kept(m: ScreenMatch, entry: Entry, organisation: str | None, options: MatchOptions) -> bool:
    org = entry.organisation.code
    if organisation is not None and org != organisation:
        return False
    if options.topics and MATCH_TOPIC not in options.topics:
        return False
    if {m.entry_id, ftm.subject_id(m.entry_id)} & options.exclude_entity_ids:
        return False
    if options.changed_since is not None and entry.updated_at < options.changed_since:
        return False
    name = catalog.dataset_name(org)
    if options.include_dataset and not {name, catalog.WHOLE_LIST} & set(options.include_dataset):
        return False
    if name in options.exclude_dataset:
        return False
    return ftm.SUBJECT_SCHEMATA[entry.kind] not in options.exclude_schema


def entity_of(entry: Entry, on: Any, *, nested: bool = True) -> EntityResponse:
    """An entry as yente shows an entity: the FtM subject, its sanction or risk and
    identifications nested, and what FtM cannot say in ``debarlist``."""
    out = to_out(entry, on)
    entities = ftm.entities(out, entry.organisation.name)
    subject, others = entities[0], entities[1:]
    properties: dict[str, list[Any]] = {name: list(values) for name, values in subject["properties"].items()}
    context: dict[str, Any] = {}
    for other in others:
        if other["schema"] in ("Sanction", "Risk"):
            context = other.get(ftm.CONTEXT_KEY, {})
        if not nested or other["schema"] == "Document":
            continue
        prop = {"Sanction": "sanctions", "Risk": "risks", "Identification": "identification"}[other["schema"]]
        # Nested entities leave out their reference back to the subject, as yente's do.
        props = {k: v for k, v in other["properties"].items() if k not in ("entity", "holder")}
        caption = (props.get("number") or props.get("authority") or [other["schema"]])[0]
        properties.setdefault(prop, []).append(
            {"id": other["id"], "caption": caption, "schema": other["schema"], "properties": props,
             "datasets": [catalog.dataset_name(entry.organisation.code)]})
    return EntityResponse.model_validate(dict(
        id=subject["id"], caption=entry.name, schema=subject["schema"], properties=properties,
        datasets=[catalog.dataset_name(entry.organisation.code)], first_seen=entry.created_at,
        last_change=entry.updated_at,
        debarlist={**context, "organisation": entry.organisation.code, "grounds": [g.value for g in out.grounds],
                   "starts_on": out.starts_on.isoformat(), "ends_on": out.ends_on.isoformat() if out.ends_on else None,
                   "status": out.status.value, "appeal_status": out.appeal_status,
                   "source": out.source}))


def _scored(m: ScreenMatch, entry: Entry, on: Any, threshold: float, screening_id: str) -> ScoredEntityResponse:
    base = entity_of(entry, on)
    features = explanations(m)
    context = {**base.debarlist, **m.entry.model_dump(mode="json"), "entry_id": m.entry_id,
               "matched_name": m.matched_name, "query_name": m.query_name, "screening_id": screening_id}
    return ScoredEntityResponse(
        **base.model_dump(by_alias=True, exclude={"debarlist"}), debarlist=context, score=m.score,
        match=m.score >= threshold, explanations=features,
        features={name: result.score for name, result in features.items()}, explanation=m.explanation)


def explanations(m: ScreenMatch) -> dict[str, FeatureResult]:
    """The engine's explanation as yente's features: which values met, what each added."""
    e = m.explanation
    out: dict[str, FeatureResult] = {}
    name = e.get("name") or {}
    if name.get("similarity"):
        out["name_match"] = FeatureResult(detail=str(name.get("method")), score=float(name["similarity"]),
                                          query=m.query_name or None, candidate=m.matched_name or None)
    ident = e.get("identifier")
    if isinstance(ident, dict):
        hit = ident.get("result") == "match"
        out["identifier_match" if hit else "identifier_conflict"] = FeatureResult(
            detail=f"{ident.get('scheme')} {'matches' if hit else 'differs'}", score=1.0 if hit else 0.0,
            query=str(ident.get("value") or ident.get("query_value")),
            candidate=str(ident.get("value") or ident.get("listed_value")))
    for key, feature in (("country", "country_match"), ("legal_form", "legal_form_match"), ("kind", "kind_match")):
        part = e.get(key) or {}
        adjustment = float(part.get("adjustment") or 0.0)
        if adjustment:
            out[feature] = FeatureResult(detail=str(part.get("result", key)), score=adjustment,
                                         query=_text(part.get("query")), candidate=_text(part.get("listed")))
    return out


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


FEATURES = {
    "name_match": "Similarity of the best-aligned query name and listed name or alias, words weighed by rarity.",
    "identifier_match": "A strong identifier (LEI, or a national number of one country) met: a match whatever "
                        "the name.",
    "identifier_conflict": "An identifier of the same scheme and country differs.",
    "country_match": "Country agreement (added) or disagreement (subtracted).",
    "legal_form_match": "Legal forms compared apart from the name, as weak evidence.",
    "kind_match": "A person asked for and a company listed, or the reverse.",
}


def algorithms() -> AlgorithmResponse:
    features = {name: FeatureDoc(description=text, coefficient=1.0, url="docs/matching.md")
                for name, text in FEATURES.items()}
    description = ("Transliterates every script, reduces words to keys that absorb transliteration "
                   "conventions, strips legal forms, weighs words by rarity and aligns them order-free; a "
                   "strong identifier match is a match whatever the name.")
    algos = [Algorithm(name=name, description=description, features=features,
                       docs=AlgorithmDocs(name=name, description=description, config={}, features=features))
             for name in sorted(ALGORITHMS)]
    return AlgorithmResponse(algorithms=algos, default=ALGORITHM, best=ALGORITHM)


def data_catalog(session: Session, principal: Principal) -> DataCatalogModel:
    revision, found = catalog.datasets(session, principal)
    version = f"r{revision}"
    children = [d.name for d in found if d.organisation is not None]
    out = [CatalogDataset(
        name=d.name, title=d.title, version=version, index_version=version, entity_count=d.entity_count,
        updated_at=d.updated_at, children=children if d.organisation is None else [],
        summary=("Every entry the caller may see." if d.organisation is None
                 else f"The entries listed by {d.organisation} that the caller may see."),
        publisher={"name": d.title, "acronym": d.organisation} if d.organisation else None,
        tags=["list.debarment"]) for d in found]
    return DataCatalogModel(datasets=out, current=[d.name for d in out])


def get_entity(session: Session, principal: Principal, entity_id: str, *, nested: bool) -> EntityResponse:
    entry_id = entity_id.removeprefix("debarlist-")
    try:
        entry = get_visible(session, principal, entry_id)
    except NotFound:
        raise NotFound("No such entity!") from None  # yente's words; hidden and absent alike
    return entity_of(entry, today(), nested=nested)
