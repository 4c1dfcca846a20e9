"""Templates (Jinja2, autoescaped) and the receipt PDF (WeasyPrint, from the same HTML).

WeasyPrint rather than a drawing library: the PDF is the receipt page's own template printed,
so the page in the tender file and the PDF cannot disagree; it lays out Cyrillic and any other
script with the system's fonts (pango), and is maintained by CourtBouillon with regular releases.
It is given no way to fetch anything: every style is inline and its URL fetcher refuses all.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader, select_autoescape

from service.observability.metrics import score_band

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
LOCALES = HERE / "locale"
# English is the templates' own text; Russian, a working language of many participating States,
# from locale/ru/LC_MESSAGES/messages.po. Refresh the catalogue after changing a template:
#   pybabel extract -F service/console/babel.cfg -k _ -o /tmp/messages.pot service/console
#   pybabel update -i /tmp/messages.pot -d service/console/locale
LANGUAGES = ("en", "ru")


def _translations(language: str) -> gettext.NullTranslations:
    """The catalogue compiled in memory from its .po file (no compiled .mo kept in the tree)."""
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def choose_language(chosen: str | None, accept_language: str | None) -> str:
    """The switch's choice (a cookie) if any, else the browser's first supported language."""
    if chosen in LANGUAGES:
        return chosen
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    return next((tag for _, _, tag in sorted(ranked) if tag in LANGUAGES), "en")


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str = "en") -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",)),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(_translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = language
    env.filters["band"] = score_band
    env.filters["pct"] = lambda score: f"{float(score):.2f}"
    return env


def render(name: str, language: str = "en", **context: Any) -> str:
    return environment(language).get_template(name).render(**context)


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the receipt PDF fetches nothing ({url[:80]!r})")


def pdf(html: str) -> bytes:
    from weasyprint import HTML

    document: bytes = HTML(string=html, url_fetcher=_refuse).write_pdf()
    return document
