"""Place words: country and region names (pycountry, several languages) and branch words.

Publishers and bidders add where a firm sits ("Almaty", "(Ukraine)", "Branch") or leave it out; such a
word says little about *which* firm is meant, so scoring treats it as weak evidence, like a legal form
(see scoring.PLACE_WEIGHT).  The set holds token skeletons, built once on first use.

Only one-word names naming places in at most two countries are kept: words shared by many place names
("oblast", "republic", "saint") are generic, not places.  Regions are taken for the OSCE
participating states only (the lists we screen against); countries for the whole world.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from functools import lru_cache

import pycountry

# Country names in the languages of the region's lists and bidders.
_LANGS = (
    "ru", "uk", "be", "kk", "ky", "uz", "tg", "az", "ka", "hy", "mn", "tr", "el", "bg", "sr", "mk", "hr",
    "sl", "bs", "sq", "ro", "hu", "cs", "sk", "pl", "lt", "lv", "et", "fi", "sv", "da", "nb", "is", "de",
    "nl", "fr", "it", "es", "pt", "ca", "ga", "mt",
)  # fmt: skip
_OSCE = frozenset((
    "AL", "AD", "AM", "AT", "AZ", "BY", "BE", "BA", "BG", "CA", "HR", "CY", "CZ", "DK", "EE", "FI", "FR",
    "GE", "DE", "GR", "VA", "HU", "IS", "IE", "IT", "KZ", "KG", "LV", "LI", "LT", "LU", "MT", "MD", "MC",
    "MN", "ME", "NL", "MK", "NO", "PL", "PT", "RO", "RU", "SM", "RS", "SK", "SI", "ES", "SE", "CH", "TJ",
    "TR", "TM", "UA", "GB", "US", "UZ",
))  # fmt: skip
# Words naming an establishment of a firm rather than the firm (weak for the same reason).
_BRANCH_WORDS = ("branch", "filial", "filiale", "filiala", "sucursal", "succursale", "oddzial", "pobocka",
                 "fiok", "филиал", "філія", "філіал", "представительство", "представництво")  # fmt: skip
_MAX_PLACES = 2  # a word naming more places than this is a generic part of place names
_PARTS = re.compile(r"\s*[,;(/)]\s*")
_MIN_LEN = 4  # shorter words are too often something else ("Ada", "Bar", "Ain")


def _translations(domain: str) -> list[Callable[[str], str]]:
    out: list[Callable[[str], str]] = []
    for lang in _LANGS:
        path = gettext.find(domain, pycountry.LOCALES_DIR, languages=[lang])
        if path is None:
            continue
        # Read directly, not through gettext.translation(): its global cache would keep every catalogue.
        with open(path, "rb") as fh:
            out.append(gettext.GNUTranslations(fh).gettext)
    return out


def _place_names() -> dict[str, set[str]]:
    """place code -> its names (English/local and translated)."""
    names: dict[str, set[str]] = {}
    countries = _translations("iso3166-1")
    for c in pycountry.countries:
        base = {c.name, getattr(c, "official_name", c.name), getattr(c, "common_name", c.name)}
        names[c.alpha_2] = base | {t(n) for t in countries for n in base}
    regions = _translations("iso3166-2")
    for s in pycountry.subdivisions:
        if s.country_code in _OSCE:
            names[s.code] = {s.name} | {t(s.name) for t in regions}
    return names


@lru_cache(maxsize=1)
def place_skeletons(tokenise: Callable[[str], list[str]], forms: Callable[[str], tuple[str, str]]) -> frozenset[str]:
    """Skeletons of place words, built from the caller's own tokeniser and forms (one spelling rule)."""
    places_of: dict[str, set[str]] = {}
    for code, names in _place_names().items():
        for name in names:
            for part in _PARTS.split(name):
                # Only one-word names (or name parts: "Praha, Hlavni mesto") are taken: the words of longer
                # names ("Prince Edward Island", "Grand Est") and of compounds ("Bayan-Olgii") are often
                # ordinary words and given names.
                toks = tokenise(part)
                if len(toks) != 1 or "-" in part:
                    continue
                fold, skel = forms(toks[0])
                if len(fold) >= _MIN_LEN and not fold.isdigit():
                    # Counted per country: "Kazakhstan" in the names of five Kazakh regions is one place.
                    places_of.setdefault(skel, set()).add(code.split("-")[0])
    words = {s for s, codes in places_of.items() if len(codes) <= _MAX_PLACES}
    words.update(forms(w)[1] for w in _BRANCH_WORDS)
    return frozenset(words)
