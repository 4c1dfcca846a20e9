"""Country names as the banks spell them -> ISO 3166-1 alpha-2.

pycountry knows the ISO short/official/common names; the lists use World Bank style inverted names
("Congo, Democratic Republic of"), long forms ("Kingdom of Saudi Arabia"), old names ("Turkey"),
missing apostrophes and a few typos.  The explicit table covers the spellings actually found in the
published files; a close-match fallback catches small typos.  Anything still unknown is *reported*
(``country_code`` returns None and the importer reports the row) rather than guessed.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

import pycountry

from service.common.text import fold

# Names that pycountry cannot resolve, keyed by the normalised form (see _key).
_TABLE: dict[str, str] = {
    "peoples republic of china": "CN",
    "china peoples republic of": "CN",
    "turkiye": "TR",
    "turkey": "TR",
    "kosovo": "XK",  # not in ISO 3166-1; XK is the code the EU, IMF and the banks use
    "republic of kosovo": "XK",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "congo democratic republic of": "CD",
    "congo dem rep": "CD",
    "congo republic of": "CG",
    "republic of the congo": "CG",
    "cote divoire": "CI",
    "russia": "RU",
    "kyrgyz republic": "KG",
    "hong kong sar china": "HK",
    "china hong kong special administrative region": "HK",
    "taiwan china": "TW",
    "taiwan republic of china": "TW",
    "egypt arab republic of": "EG",
    "venezuela republica bolivariana de": "VE",
    "bolivarian republic of venezuela": "VE",
    "iran islamic republic of": "IR",
    "st lucia": "LC",
    "st kitts and nevis": "KN",
    "st vincent and the grenadines": "VC",
    "british virgin islands": "VG",
    "usa": "US",
    "united states of america": "US",
    "uk": "GB",
    "republic of korea": "KR",
    "korea republic of": "KR",
    "south korea": "KR",
    "lao peoples democratic republic": "LA",
    "laos": "LA",
    "ecuatorial guinea": "GQ",  # Spanish spelling in the EBRD file
    "kingdom of saudi arabia": "SA",
    "state of kuwait": "KW",
    "republic of azerbaijan": "AZ",
    # "Iraq (Islamic Republic of)" in the EBRD file: the parenthesis is a copy/paste slip from Iran's
    # entry; the country named is Iraq.
    "iraq islamic republic of": "IQ",
}

# Values that are not a country at all (IDB uses "Regional" for multi-country projects).
NOT_A_COUNTRY = frozenset({"regional", "various", "multiple", "n a", "na", "unknown", "none"})

def _key(name: str) -> str:
    text = fold(name).replace("'", "").replace("’", "").replace("‘", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                index.setdefault(_key(value), country.alpha_2)
        index.setdefault(_key(country.alpha_3), country.alpha_2)
    index.update(_TABLE)
    return index


@lru_cache(maxsize=4096)
def _resolve(name: str) -> str | None:
    key = _key(name)
    if not key or key in NOT_A_COUNTRY:
        return None
    index = _index()
    if key in index:
        return index[key]
    if len(key) == 2 and key.upper() in {c.alpha_2 for c in pycountry.countries}:
        return key.upper()
    # Long forms: "Republic of X", "Kingdom of X", "X (Republic of)".
    stripped = re.sub(r"^(the )?(republic|kingdom|state|federal republic|islamic republic) of ", "", key)
    if stripped in index:
        return index[stripped]
    # Close match for typos ("Sri Lanca", "Kyrgz Republic"): only a single, very close candidate.
    close = difflib.get_close_matches(key, list(index), n=2, cutoff=0.88)
    if len(close) == 1 or (len(close) == 2 and index[close[0]] == index[close[1]]):
        return index[close[0]]
    return None


def country_code(name: str | None) -> str | None:
    """ISO alpha-2 for one country name, or None when unknown."""
    if name is None:
        return None
    name = re.sub(r"\s+", " ", name).strip()
    if not name:
        return None
    return _resolve(name)


def is_country_name(text: str) -> bool:
    """True when ``text`` is a country name (used to tell "(Kenya)" qualifiers from aliases)."""
    return _resolve(text) is not None


def split_countries(value: str | None) -> list[str]:
    """Split a cell naming several countries; keeps inverted names like "Korea, Republic of" whole."""
    if value is None:
        return []
    text = value.strip()
    if not text:
        return []
    if _resolve(re.sub(r"\s+", " ", text)) is not None:
        return [re.sub(r"\s+", " ", text)]
    parts = [p.strip() for p in re.split(r"[\n;|/]+", text) if p.strip()]
    out: list[str] = []
    for part in parts:
        part = re.sub(r"\s+", " ", part)
        if _resolve(part) is not None or "," not in part:
            out.append(part)
            continue
        # A comma list, unless the comma belongs to an inverted name: re-join "X, of-phrase" pieces.
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        i = 0
        while i < len(pieces):
            # Only an exact known inverted name joins ("Korea, Republic of"), never a fuzzy match.
            if i + 1 < len(pieces) and _key(f"{pieces[i]}, {pieces[i + 1]}") in _index():
                out.append(f"{pieces[i]}, {pieces[i + 1]}")
                i += 2
            else:
                out.append(pieces[i])
                i += 1
    # The same country repeated (EBRD "Indonesia\n\n\nIndonesia") counts once.
    unique: list[str] = []
    for part in out:
        if part.casefold() not in {u.casefold() for u in unique}:
            unique.append(part)
    return unique


def first_country(value: str | None) -> tuple[str | None, list[str]]:
    """(code of the first mappable country, names that could not be mapped)."""
    unmapped: list[str] = []
    code: str | None = None
    for name in split_countries(value):
        found = country_code(name)
        if found is None:
            if _key(name) not in NOT_A_COUNTRY:
                unmapped.append(name)
        elif code is None:
            code = found
    return code, unmapped
