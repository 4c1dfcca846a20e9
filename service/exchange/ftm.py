"""Entries as FollowTheMoney entities, and back.

Produced by our own code (the ``followthemoney`` package is only used by the tests to check
the output). One entry becomes:

* a ``Company`` or ``Person`` (the subject) with its names, country, addresses, identifier
  properties and the ``debarment`` topic;
* a ``Sanction`` (listing ``debarred``) or ``Risk`` (listing ``flagged``) pointing at it, with
  authority, program, reason, start and end dates, source URL and status;
* one ``Identification`` per identifier (the scheme survives as its ``type``: FtM's own
  properties cannot tell a BIN from an EDRPOU number);
* one ``Document`` per piece of evidence, referenced as ``proof``.

What FtM has no property for (visibility, a flagged entry's decision reference, the
originating institution of a cross-debarment, the source row) travels in a ``debarlist``
object beside ``properties``, which FtM keeps as entity context.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from service.entries.schemas import EntryOut

SUBJECT_SCHEMATA = {"company": "Company", "person": "Person"}
TOPIC = "debarment"
CONTEXT_KEY = "debarlist"

# Identifier schemes with an FtM property of their own, for consumers that read properties only.
SCHEME_PROPERTIES = {
    "lei": "leiCode", "vat": "vatCode", "duns": "dunsCode", "inn": "innCode", "uei": "uniqueEntityId",
    "cn_uscc": "uscCode", "tax_id": "taxNumber", "national_id": "idNumber", "registration": "registrationNumber",
    "bin": "registrationNumber", "edrpou": "registrationNumber", "br_cnpj": "registrationNumber",
}


def ground_label(ground: str) -> str:
    """``forced_labour`` -> ``Forced labour`` (FtM ``reason`` is free text for people)."""
    return ground.replace("_", " ").capitalize()


def ground_code(label: str) -> str:
    return "_".join(label.strip().lower().split())


def subject_id(entry_id: str) -> str:
    return f"debarlist-{entry_id}"


def _put(props: dict[str, list[str]], name: str, *values: str | None) -> None:
    kept = [value for value in values if value]
    if kept:
        props.setdefault(name, [])
        props[name].extend(value for value in kept if value not in props[name])


def entities(entry: EntryOut, authority: str) -> list[dict[str, Any]]:
    """The FtM entities of one entry, subject first."""
    sid = subject_id(entry.id)
    subject: dict[str, list[str]] = {}
    _put(subject, "name", entry.name)
    _put(subject, "alias", *entry.aliases)
    _put(subject, "country", entry.country.lower() if entry.country else None)
    _put(subject, "address", *entry.addresses)
    _put(subject, "topics", TOPIC)
    out: list[dict[str, Any]] = [{"id": sid, "schema": SUBJECT_SCHEMATA[entry.kind.value], "properties": subject}]

    for index, identifier in enumerate(entry.identifiers):
        _put(subject, SCHEME_PROPERTIES[identifier.scheme.value], identifier.value)
        ident: dict[str, list[str]] = {"holder": [sid], "number": [identifier.value],
                                        "type": [identifier.scheme.value]}
        out.append({"id": f"{sid}-id-{index}", "schema": "Identification", "properties": ident})

    proofs: list[str] = []
    for index, evidence in enumerate(entry.evidence):
        doc_id = f"{sid}-evidence-{index}"
        url = evidence.get("url")
        doc: dict[str, list[str]] = {"title": [str(evidence["title"])],
                                     "fileName": [_file_name(url) or str(evidence["title"])]}
        _put(doc, "sourceUrl", url)
        out.append({"id": doc_id, "schema": "Document", "properties": doc})
        proofs.append(doc_id)

    debarred = entry.listing.value == "debarred"
    source = entry.source or {}
    listing: dict[str, list[str]] = {"entity": [sid]}
    _put(listing, "authority", authority)
    if debarred:
        _put(listing, "authorityId", entry.decision_ref)
    _put(listing, "program", source.get("list"))
    _put(listing, "publisher", source.get("publisher"))
    _put(listing, "sourceUrl", source.get("url"))
    _put(listing, "reason", *(ground_label(g.value) for g in entry.grounds))
    _put(listing, "description", entry.legal_basis)
    _put(listing, "date", entry.decided_on.isoformat() if entry.decided_on else None)
    _put(listing, "startDate", entry.starts_on.isoformat())
    _put(listing, "endDate", entry.ends_on.isoformat() if entry.ends_on else None)
    _put(listing, "recordId", entry.external_ref)
    _put(listing, "status", entry.status.value)
    _put(listing, "proof", *proofs)
    if not debarred:
        _put(listing, "topics", TOPIC)
    context = {"entry_id": entry.id, "organisation": entry.organisation, "version": entry.version,
               "revision": entry.revision, "visibility": entry.visibility.value, "listing": entry.listing.value,
               "decision_ref": entry.decision_ref,
               "originating_institution": source.get("originating_institution"), "source_row": source.get("row")}
    out.append({"id": f"{sid}-{'sanction' if debarred else 'risk'}", "schema": "Sanction" if debarred else "Risk",
                "properties": listing, CONTEXT_KEY: context})
    return out


def _file_name(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    name = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return name or None
