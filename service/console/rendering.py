"""Templates (Jinja2, autoescaped) and the receipt PDF (WeasyPrint, from the same HTML).

WeasyPrint rather than a drawing library: the PDF is the receipt page's own template printed,
so the page in the tender file and the PDF cannot disagree; it lays out Cyrillic and any other
script with the system's fonts (pango), and is maintained by CourtBouillon with regular releases.
It is given no way to fetch anything: every style is inline and its URL fetcher refuses all.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.observability.metrics import score_band

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",)),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["band"] = score_band
    env.filters["pct"] = lambda score: f"{float(score):.2f}"
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the receipt PDF fetches nothing ({url[:80]!r})")


def pdf(html: str) -> bytes:
    from weasyprint import HTML

    document: bytes = HTML(string=html, url_fetcher=_refuse).write_pdf()
    return document
