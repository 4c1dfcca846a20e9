"""The Reconciliation API 0.2's own JSON schemas (../shared/specs/reconciliation-0.2), resolved
locally: ``manifest.json`` refers to Swagger 2.0's schema, which the folder carries as ``openapi.json``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "reconciliation-0.2"


@cache
def _registry() -> Registry:
    resources = []
    for path in (SPEC / "schemas").glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"].rstrip("#"), Resource.from_contents(schema, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


def validator(name: str) -> Draft7Validator:
    schema = json.loads((SPEC / "schemas" / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=_registry())


def assert_valid(name: str, document: Any) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(document)]
    assert not errors, errors


def examples(kind: str, validity: str) -> list[tuple[str, Any]]:
    return [(p.name, json.loads(p.read_text(encoding="utf-8")))
            for p in sorted((SPEC / "examples" / kind / validity).glob("*.json"))]
