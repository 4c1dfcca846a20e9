"""FollowTheMoney entities (JSON lines) -> entries.

Every ``Company``, ``Organization``, ``LegalEntity`` or ``Person`` becomes one entry; the
``Sanction`` (listing ``debarred``) or ``Risk`` (listing ``flagged``) whose ``entity`` points at
it gives the listing's dates, grounds and source, ``Identification`` entities give typed
identifiers and ``Document`` proofs give the evidence.  Our own export (service/exchange/ftm.py)
loads back unchanged; files from elsewhere load with the defaults of the JSONL importer
(visibility public, grounds ``other`` when no reason is one of ours).  The file is read whole:
FtM does not promise that a sanction comes after its subject (its size and lines are bounded by
the import limits).  An entity repeated verbatim is reported as a duplicate; an id reused by a
different entity rejects the later line.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from .common import GROUNDS, ParsedRow, RowError, clean, dedupe, take_row
from .jsonl import json_lines, load_line
from .limits import Budget

SUBJECTS = {"Company": "company", "Organization": "company", "LegalEntity": "company", "Person": "person"}
LISTINGS = {"Sanction": "debarred", "Risk": "flagged"}
PROPERTY_SCHEMES = {
    "leiCode": "lei", "vatCode": "vat", "dunsCode": "duns", "innCode": "inn", "uniqueEntityId": "uei",
    "uscCode": "cn_uscc", "taxNumber": "tax_id", "idNumber": "national_id", "registrationNumber": "registration",
}
CONTEXT_KEY = "debarlist"


def parse_ftm(path: str | Path, budget: Budget | None = None) -> Iterator[ParsedRow]:
    budget = budget or Budget()
    entities: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, line in json_lines(path, budget):
        try:
            data = _entity(load_line(line, budget))
        except RowError as exc:
            yield ParsedRow(number, None, str(exc))
            continue
        seen = entities.get(data["id"])
        if seen is None:
            entities[data["id"]] = (number, data)
        elif seen[1] == data:
            yield ParsedRow(number, None, None, duplicate_of=seen[0])
        else:
            yield ParsedRow(number, None, f"entity id {data['id']!r} is already used on line {seen[0]} by a "
                                          "different entity; ids must be unique within a file (the first is kept)")
    listings: dict[str, dict[str, Any]] = {}
    identifications: dict[str, list[dict[str, Any]]] = {}
    for number, data in entities.values():
        budget.check_time(number)
        props = data["properties"]
        target = _first(props, "entity") if data["schema"] in LISTINGS else _first(props, "holder")
        if data["schema"] in LISTINGS:
            if target not in entities:
                yield ParsedRow(number, None, f"{data['schema']} {data['id']!r} names no subject in the file")
            else:
                listings.setdefault(target, data)
        elif data["schema"] == "Identification" and target:
            identifications.setdefault(target, []).append(data)
    for number, data in entities.values():
        if data["schema"] not in SUBJECTS:
            continue
        budget.check_time(number)
        yield take_row(number, _entry, data, listings.get(data["id"]), identifications.get(data["id"], []),
                       entities)


def _entity(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise RowError("expected an FtM entity: an object with an 'id'")
    if not isinstance(data.get("schema"), str) or not isinstance(data.get("properties", {}), dict):
        raise RowError(f"entity {data['id']!r} needs a 'schema' name and a 'properties' object")
    props = data.setdefault("properties", {})
    for key, values in props.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise RowError(f"entity {data['id']!r}: property {key!r} must be a list of strings")
    return data


def _first(props: dict[str, list[str]], key: str) -> str | None:
    values = props.get(key) or []
    return values[0] if values else None


def _all(props: dict[str, list[str]], key: str) -> list[str]:
    return [clean(v) for v in props.get(key) or [] if clean(v)]


def _entry(subject: dict[str, Any], listing: dict[str, Any] | None, idents: list[dict[str, Any]],
           entities: dict[str, tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    props: dict[str, list[str]] = subject["properties"]
    names = _all(props, "name")
    if not names:
        raise RowError(f"{subject['schema']} {subject['id']!r} has no name")
    lprops: dict[str, list[str]] = listing["properties"] if listing else {}
    context = listing.get(CONTEXT_KEY) if listing else None
    context = context if isinstance(context, dict) else {}
    status = _first(lprops, "status")
    if status == "withdrawn":
        raise RowError(f"{subject['id']!r} is a withdrawn listing; withdrawn entries are not imported")
    country = (_first(props, "country") or _first(props, "jurisdiction") or _first(props, "nationality"))
    grounds = [code for code in GROUNDS if code in {_ground(r) for r in _all(lprops, "reason")}]
    ref = _first(lprops, "recordId") or f"ftm:{subject['id']}"
    source = {"publisher": _first(lprops, "publisher"), "list": _first(lprops, "program"),
              "originating_institution": context.get("originating_institution"),
              "url": _first(lprops, "sourceUrl"), "row": context.get("source_row")}
    return {
        "kind": SUBJECTS[subject["schema"]],
        "name": names[0],
        "aliases": dedupe(names[1:] + _all(props, "alias"), exclude=[names[0]]),
        "country": country.upper() if country else None,
        "addresses": dedupe(_all(props, "address")),
        "identifiers": _identifiers(props, idents),
        "listing": LISTINGS[listing["schema"]] if listing else "debarred",
        "grounds": grounds or ["other"],
        "legal_basis": _first(lprops, "description"),
        "decision_ref": _first(lprops, "authorityId") or context.get("decision_ref"),
        "decided_on": _date(_first(lprops, "date"), "date"),
        "evidence": _evidence(lprops, entities),
        "source": source if any(v is not None for v in source.values()) else None,
        "starts_on": _date(_first(lprops, "startDate"), "startDate"),
        "ends_on": _date(_first(lprops, "endDate"), "endDate"),
        "visibility": context.get("visibility") or "public",
        "external_ref": ref[:200],
    }


def _ground(reason: str) -> str:
    return "_".join(reason.strip().lower().split())


def _identifiers(props: dict[str, list[str]], idents: list[dict[str, Any]]) -> list[dict[str, str]]:
    # Typed Identification entities win: the properties alone lose the scheme of e.g. a BIN.
    if idents:
        return [{"scheme": _first(i["properties"], "type") or "registration",
                 "value": _first(i["properties"], "number") or ""} for i in idents]
    found: list[dict[str, str]] = []
    for prop, scheme in PROPERTY_SCHEMES.items():
        found.extend({"scheme": scheme, "value": value} for value in _all(props, prop))
    return found


def _evidence(lprops: dict[str, list[str]], entities: dict[str, tuple[int, dict[str, Any]]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for doc_id in lprops.get("proof") or []:
        doc = entities.get(doc_id)
        if doc is None:
            continue
        dprops = doc[1]["properties"]
        title = _first(dprops, "title") or _first(dprops, "fileName") or doc_id
        item = {"title": title}
        url = _first(dprops, "sourceUrl")
        if url:
            item["url"] = url
        out.append(item)
    return out


def _date(value: str | None, key: str) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat() if len(value) >= 10 else _partial(value, key)
    except ValueError:
        raise RowError(f"{key} {value!r} is not a date") from None


def _partial(value: str, key: str) -> str:
    raise RowError(f"{key} {value!r} is a partial date; a full YYYY-MM-DD date is needed")
