"""/docs works offline: the page and every asset it loads come from the app itself."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.support import live_server


def test_docs_and_their_assets_load_from_the_app_with_no_external_url(harness: Any) -> None:
    with live_server(harness.app) as url:
        page = httpx.get(f"{url}/docs")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        html = page.text
        assert not re.findall(r"https?://", html), re.findall(r"https?://[^\"' ]+", html)
        assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
        assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"} <= set(assets)
        assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
        for path in assets:
            loaded = httpx.get(url + path)
            assert loaded.status_code == 200 and len(loaded.content) > 500, path
        assert "SwaggerUIBundle" in httpx.get(f"{url}/docs/assets/swagger-ui-bundle.js").text
        # Swagger UI 5 reads the OpenAPI 3.1 document the app serves.
        assert httpx.get(f"{url}/openapi.json").json()["openapi"].startswith("3.1")
        assert httpx.get(f"{url}/docs/oauth2-redirect").status_code == 200
        # Only the page's own files are served, nothing else of the package or the disk.
        for name in ("swagger-editor-bundle.js", "..%2F__init__.py", "index.html"):
            missing = httpx.get(f"{url}/docs/assets/{name}")
            assert missing.status_code == 404
            assert missing.headers["content-type"] == "application/problem+json"
        assert httpx.get(f"{url}/redoc").status_code == 404
