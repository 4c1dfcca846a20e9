"""``/docs``: Swagger UI from the packaged bundle (``swagger-ui-py``'s copy of swagger-ui-dist),
served by the app itself, so the page works offline and behind a firewall, and loads nothing
from a CDN. ReDoc (FastAPI's ``/redoc``) is off: it is fetched from a CDN only.

swagger-ui-py rather than swagger-ui-bundle: the latter's Swagger UI is 4.15, which cannot read
an OpenAPI 3.1 document; swagger-ui-py's is 5.x. Only its static files are used.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse

from service.auth.access import ANONYMOUS
from service.kernel.errors import NotFound

ASSETS = "/docs/assets"
# The files the page loads; nothing else of the package is served.
SERVED = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "favicon-32x32.png": "image/png", "favicon-16x16.png": "image/png", "LICENSE": "text/plain"}
CACHE = "public, max-age=86400"

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def assets_dir() -> Path:
    # Found without importing the package (its __init__ loads adapters for other frameworks).
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: pip install swagger-ui-py")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@router.get("/docs", dependencies=[ANONYMOUS])
def docs(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}", title=f"{request.app.title} - API docs",
        swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS}/favicon-32x32.png",
        oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
        # No badge fetched from validator.swagger.io: the page asks nothing of another host.
        swagger_ui_parameters={"validatorUrl": None})


@router.get("/docs/oauth2-redirect", dependencies=[ANONYMOUS])
def oauth2_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get(ASSETS + "/{name}", dependencies=[ANONYMOUS])
def asset(name: str) -> FileResponse:
    media_type = SERVED.get(name)
    if media_type is None:
        raise NotFound(f"no docs asset {name!r}")
    return FileResponse(assets_dir() / name, media_type=media_type, headers={"Cache-Control": CACHE})
