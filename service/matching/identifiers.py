"""Identifier normalisation and comparison.

Formatting is noise (spaces, dots, dashes, case, a VAT-style country prefix,
leading zeros lost in spreadsheets); the value is what counts.  National
numbers travel under many scheme names (an INN is a tax id, a Kazakh BIN is
both registration and tax number, an EDRPOU is the Ukrainian registration
code), so they are compared within one "national" family and qualified by
country instead of by scheme name.
"""

from __future__ import annotations

import re

from service.matching.types import Identifier

# Schemes that identify an entity globally on their own.
GLOBAL_SCHEMES = frozenset({"lei", "duns", "uei", "imo", "swift", "bic"})
_SCHEME_ALIASES = {
    "vat": "national", "registration": "national", "inn": "national", "bin": "national",
    "edrpou": "national", "tax_id": "national", "ogrn": "national", "okpo": "national",
    "kpp": "national", "iin": "national", "company_number": "national", "registration_number": "national",
    "tin": "national", "unp": "national", "eik": "national", "pib": "national", "mb": "national",
}
# ISO alpha-2 codes plus "EL" (Greek VAT prefix): a leading pair of these letters followed by
# digits is a country prefix, not part of the number.
_COUNTRIES = frozenset(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT "
    "BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH "
    "EL ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR "
    "HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR "
    "LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG "
    "NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE "
    "SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA "
    "UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW".split()
)
_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
MIN_LENGTH = 5  # shorter values collide by chance


def scheme_family(scheme: str) -> str:
    s = scheme.strip().lower()
    if s in GLOBAL_SCHEMES:
        return s
    return _SCHEME_ALIASES.get(s, s)


def normalise_value(scheme: str, value: str) -> tuple[str, str | None]:
    """Return (normalised value, country taken from a prefix or None)."""
    v = _NON_ALNUM.sub("", value.upper())
    country: str | None = None
    if scheme_family(scheme) not in GLOBAL_SCHEMES and len(v) > 4 and v[:2] in _COUNTRIES and v[2:].isdigit():
        country = "GR" if v[:2] == "EL" else v[:2]
        v = v[2:]
    if v.isdigit():
        # Spreadsheets drop leading zeros; "02786838" and "2786838" are the same number.
        v = v.lstrip("0") or "0"
    return v, country


def identifier_key(ident: Identifier) -> tuple[str, str, str | None] | None:
    """(family, normalised value, prefix country) or None when too short to be evidence."""
    family = scheme_family(ident.scheme)
    value, country = normalise_value(ident.scheme, ident.value)
    if len(value) < MIN_LENGTH:
        return None
    return family, value, country
