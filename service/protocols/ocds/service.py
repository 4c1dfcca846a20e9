"""An OCDS release (or release or record package), as published, screened party by party.

The input is validated against the OCDS 1.2-dev release schema (shipped in ``schema/``); the
parties with the asked roles (tenderers and suppliers by default) become screening subjects
(name, ``identifier`` and ``additionalIdentifiers`` mapped from org-id schemes, country from
the address or the scheme), and each tender (``ocid``) is screened by ``screening.service.screen``
with the ocid as ``tender_ref``: receipts and audit records as for ``/v1/screen``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
from jsonschema_rs import Draft4Validator, Registry
from pydantic import ValidationError

from service.entries.schemas import validate_country
from service.entries.service import describe_validation_error
from service.kernel.errors import FieldError, Unprocessable
from service.kernel.principal import Principal
from service.kernel.uow import Tx
from service.listview import Lists
from service.screening import service as screening
from service.screening.schemas import ScreenRequest, Subject, SubjectIdentifier

SCHEMA_DIR = Path(__file__).parent / "schema"
DEFAULT_ROLES = ("tenderer", "supplier")
BATCH = 1000  # subjects per screening (ScreenRequest's bound)
MAX_ERRORS = 20
# org-id.guide schemes -> the service's identifier schemes (the engine compares national numbers
# as one family qualified by country, so an unknown national register maps to "registration").
ORG_ID_SCHEMES = {
    "KZ-BIN": "bin", "UA-EDR": "edrpou", "XI-LEI": "lei", "RU-INN": "inn", "BR-CNPJ": "br_cnpj",
    "US-DUNS": "duns", "XI-DUNS": "duns", "US-EIN": "tax_id", "CN-USCC": "cn_uscc", "US-UEI": "uei",
}
EU_VAT = "EU-VAT"


@cache
def _validators() -> tuple[Draft4Validator, Draft4Validator]:
    # jsonschema-rs rather than jsonschema: the release schema's uniqueItems on parties is
    # quadratic in the pure-Python validator (10,000 parties: about 100 s; here 5 ms).
    schemas = {name: json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))
               for name in ("release-schema", "release-package-schema")}
    registry = Registry([(schema["id"], schema) for schema in schemas.values()])
    return (Draft4Validator(schemas["release-schema"], registry=registry),
            Draft4Validator(schemas["release-package-schema"], registry=registry))


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path) if path else ""


def _check(validator: Draft4Validator, document: Any, at: str) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.instance_path)))[:MAX_ERRORS]
    if errors:
        found = [FieldError(field=at + _pointer(e.instance_path) or "/", message=e.message[:300]) for e in errors]
        raise Unprocessable(f"not valid OCDS: {found[0].field}: {found[0].message}", errors=found)


def releases_of(document: Any) -> list[dict[str, Any]]:
    """The releases of a release, release package or record package, each validated."""
    release_validator, package_validator = _validators()
    if not isinstance(document, dict):
        raise Unprocessable("not valid OCDS: expected a release, a release package or a record package",
                            errors=[FieldError(field="/", message="not an object")])
    if "records" in document:
        records = document["records"]
        if not isinstance(records, list):
            raise Unprocessable("not valid OCDS: /records must be an array",
                                errors=[FieldError(field="/records", message="not an array")])
        found = []
        for index, record in enumerate(records):
            compiled = record.get("compiledRelease") if isinstance(record, dict) else None
            if compiled is None:
                raise Unprocessable(f"not valid OCDS: /records/{index} has no compiledRelease to screen",
                                    errors=[FieldError(field=f"/records/{index}/compiledRelease",
                                                       message="required")])
            _check(release_validator, compiled, f"/records/{index}/compiledRelease")
            found.append(compiled)
        return found
    if "releases" in document:
        _check(package_validator, document, "")
        return list(document["releases"])
    _check(release_validator, document, "")
    return [document]


def _country(party: dict[str, Any]) -> str | None:
    address = party.get("address") or {}
    for value in (address.get("country"), address.get("countryName")):
        if not value:
            continue
        try:
            return validate_country(value)
        except ValueError:
            pass
        try:
            return str(pycountry.countries.lookup(value).alpha_2)
        except LookupError:
            pass
    scheme = str((party.get("identifier") or {}).get("scheme") or "")
    prefix = scheme.split("-")[0]
    if len(prefix) == 2 and prefix not in ("XI", "XM", "EU"):
        try:
            return validate_country(prefix)
        except ValueError:
            return None
    return None


def _identifiers(party: dict[str, Any]) -> list[SubjectIdentifier]:
    out = []
    for ident in [party.get("identifier"), *(party.get("additionalIdentifiers") or [])]:
        if not isinstance(ident, dict) or not ident.get("id") or not ident.get("scheme"):
            continue
        scheme = str(ident["scheme"]).upper()
        ours = ORG_ID_SCHEMES.get(scheme) or ("vat" if scheme == EU_VAT else "registration")
        out.append(SubjectIdentifier(scheme=ours, value=str(ident["id"])[:100]))
    return out[:20]


def _subject(party: dict[str, Any], ref: str) -> Subject | None:
    names = [n for n in [party.get("name"), (party.get("identifier") or {}).get("legalName")] if n]
    if not names:
        return None
    aliases = [n for n in dict.fromkeys(names[1:]) if n != names[0]]
    try:
        return Subject(ref=ref, name=str(names[0])[:500], aliases=aliases, country=_country(party),
                       identifiers=_identifiers(party), kind="company")
    except ValidationError as exc:
        raise Unprocessable(f"party {ref!r}: {describe_validation_error(exc)}") from exc


def screen_ocds(tx: Tx, principal: Principal, lists: Lists, document: Any, *, roles: tuple[str, ...],
                limit: int, threshold: float | None) -> dict[str, Any]:
    releases = releases_of(document)
    every_role = "all" in roles
    by_ocid: dict[str, dict[str, tuple[dict[str, Any], Subject | None]]] = {}
    for release in releases:
        parties = by_ocid.setdefault(str(release["ocid"]), {})
        for party in release.get("parties") or []:
            party_id = str(party.get("id") or party.get("name") or "")
            party_roles = set(party.get("roles") or [])
            if not party_id or party_id in parties or not (every_role or party_roles & set(roles)):
                continue
            parties[party_id] = (party, _subject(party, party_id[:200]))
    tenders = []
    for ocid, parties in by_ocid.items():
        subjects = [s for _, s in parties.values() if s is not None]
        matches: dict[str, Any] = {}
        receipts = []
        for start in range(0, len(subjects), BATCH):
            try:
                request = ScreenRequest(subjects=subjects[start:start + BATCH], tender_ref=ocid[:200], limit=limit,
                                        threshold=threshold)
            except ValidationError as exc:
                raise Unprocessable(describe_validation_error(exc)) from exc
            screened = screening.screen(tx, principal, lists, request)
            receipts.append(screened.screening_id)
            for result in screened.results:
                matches[result.ref] = ([m.model_dump(mode="json") for m in result.matches], screened.screening_id)
        tenders.append({"ocid": ocid, "screening_ids": receipts, "parties": [
            {"party_id": party_id, "name": party.get("name"), "roles": party.get("roles") or [],
             "screened": subject is not None,
             "screening_id": matches.get(party_id, (None, None))[1],
             "matches": matches.get(party_id, ([], None))[0]}
            for party_id, (party, subject) in parties.items()]})
    return {"tenders": tenders}  # a package of no releases screens nothing
