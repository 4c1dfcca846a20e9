"""Checks an FtM export with the ``followthemoney`` package itself."""

from __future__ import annotations

from typing import Any

from followthemoney import model


def assert_valid_ftm(entities: list[dict[str, Any]]) -> None:
    """Every entity: a concrete schema, known properties, values the FtM type keeps as they are,
    required properties present, and entity references resolving to an entity of the right schema."""
    by_id = {entity["id"]: entity for entity in entities}
    assert len(by_id) == len(entities), "entity ids repeat"
    for entity in entities:
        schema = model.get(entity["schema"])
        assert schema is not None and not schema.abstract, entity["schema"]
        proxy = model.get_proxy(entity, cleaned=False)  # FtM cleans every value it is given
        assert proxy.to_dict()["properties"] == entity["properties"], entity["id"]
        for name in schema.required:
            assert entity["properties"].get(name), f"{entity['id']}: required {name} missing"
        for name, values in entity["properties"].items():
            prop = schema.get(name)
            assert prop is not None, f"{entity['schema']} has no property {name}"
            for value in values:
                assert prop.type.clean(value) == value, (entity["id"], name, value)
                if prop.range is not None and prop.type.name == "entity":
                    target = by_id.get(value)
                    assert target is not None, f"{entity['id']}.{name} points at missing {value}"
                    assert model.get(target["schema"]).is_a(prop.range), (entity["id"], name)
