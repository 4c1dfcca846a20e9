"""Identifier schemes: normalise formatting and check digits where the scheme has them.

python-stdnum carries the published algorithms (LEI ISO 17442 mod-97, EU and other VAT
numbers, Russian INN, Ukrainian EDRPOU); schemes without a public checksum are checked for
format only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum

from stdnum import lei, vatin
from stdnum.br import cnpj
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError
from stdnum.ru import inn
from stdnum.ua import edrpou


class Scheme(StrEnum):
    vat = "vat"
    lei = "lei"
    duns = "duns"
    uei = "uei"
    registration = "registration"
    tax_id = "tax_id"
    inn = "inn"
    bin = "bin"
    edrpou = "edrpou"
    national_id = "national_id"
    cn_uscc = "cn_uscc"
    br_cnpj = "br_cnpj"


_SEPARATORS = re.compile(r"[\s.\-/_]+")


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value).upper()


def _stdnum(module_validate: Callable[[str], str], label: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        try:
            return module_validate(value)
        except ValidationError as exc:
            raise ValueError(f"invalid {label}: {exc}") from exc

    return check


def _digits(count: int, label: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        compact = _compact(value)
        if not (compact.isdigit() and len(compact) == count):
            raise ValueError(f"invalid {label}: expected {count} digits")
        return compact

    return check


def _uei(value: str) -> str:
    compact = _compact(value)
    if not re.fullmatch(r"[A-Z0-9]{12}", compact):
        raise ValueError("invalid UEI: expected 12 letters or digits")
    return compact


def _free_form(value: str) -> str:
    # Registers format numbers freely ("16-00009045/4516/(F/1)"); only letters and digits
    # carry identity, so everything else is dropped.
    compact = "".join(ch for ch in value if ch.isalnum()).upper()
    if not 0 < len(compact) <= 64:
        raise ValueError("identifier must have 1 to 64 letters or digits")
    return compact


_VALIDATORS: dict[Scheme, Callable[[str], str]] = {
    Scheme.lei: _stdnum(lei.validate, "LEI"),
    Scheme.vat: _stdnum(vatin.validate, "VAT number (give it with its ISO country prefix)"),
    Scheme.inn: _stdnum(inn.validate, "INN"),
    Scheme.edrpou: _stdnum(edrpou.validate, "EDRPOU code"),
    # Kazakhstan's BIN: stdnum has no module for it; the format is 12 digits.
    Scheme.bin: _digits(12, "BIN"),
    Scheme.duns: _digits(9, "DUNS number"),
    Scheme.uei: _uei,
    Scheme.cn_uscc: _stdnum(uscc.validate, "Chinese unified social credit code"),
    Scheme.br_cnpj: _stdnum(cnpj.validate, "Brazilian CNPJ"),
    Scheme.registration: _free_form,
    Scheme.national_id: _free_form,
    Scheme.tax_id: _free_form,
}


# What each scheme's value must be, for the OpenAPI document: a pattern where the format is all
# (separators " . - / _" are dropped before the check), a named format where a published check
# digit is verified too (a generator or client needs the algorithm, named in the description).
_SEP = r"[\s./_-]*"
VALUE_SCHEMAS: dict[Scheme, dict[str, str]] = {
    Scheme.lei: {"format": "lei",
                 "description": "ISO 17442 LEI: 20 characters, ISO 7064 mod 97-10 check digits."},
    Scheme.vat: {"format": "vat", "description": "EU or other VAT number with its ISO country prefix and the "
                                                 "country's check digits (python-stdnum vatin)."},
    Scheme.inn: {"format": "ru-inn",
                 "description": "Russian INN: 10 or 12 digits with check digits."},
    Scheme.edrpou: {"format": "ua-edrpou",
                    "description": "Ukrainian EDRPOU code: 8 digits with a check digit."},
    Scheme.bin: {"pattern": f"^{_SEP}([0-9]{_SEP}){{12}}$", "description": "Kazakh BIN: 12 digits."},
    Scheme.duns: {"pattern": f"^{_SEP}([0-9]{_SEP}){{9}}$", "description": "DUNS number: 9 digits."},
    Scheme.uei: {"pattern": f"^{_SEP}([0-9A-Za-z]{_SEP}){{12}}$", "description": "SAM UEI: 12 letters or digits."},
    Scheme.cn_uscc: {"format": "cn-uscc", "description": "Chinese unified social credit code: 18 characters "
                                                         "with a check character (GB 32100-2015)."},
    Scheme.br_cnpj: {"format": "br-cnpj",
                     "description": "Brazilian CNPJ: 14 digits with two check digits."},
    **{scheme: {"format": "register-number",
                "description": "As the register writes it; 1 to 64 letters or digits once other characters "
                               "are dropped."}
       for scheme in (Scheme.registration, Scheme.national_id, Scheme.tax_id)},
}


def normalise_identifier(scheme: Scheme, value: str) -> str:
    """Return the canonical form of ``value`` or raise ValueError naming what is wrong."""
    return _VALIDATORS[scheme](value)
