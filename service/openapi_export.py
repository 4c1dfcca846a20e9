"""The committed OpenAPI document (openapi/openapi.json), generated from the app.

Generated with fixed settings and an in-memory database so that the document depends on the
code alone, never on the machine or environment that produced it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from service.auth.keys import generate_pem

DOCUMENT = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
REGENERATE = "debarlist openapi --output openapi/openapi.json"


def build() -> dict[str, Any]:
    from service.app import create_app
    from service.config import Settings

    settings = Settings(env="development", database_url="sqlite://", signing_key=generate_pem(),
                        checkpoint_interval_seconds=0)
    app = create_app(settings)
    try:
        return app.openapi()
    finally:
        app.state.engine.dispose()


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
