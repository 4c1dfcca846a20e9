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


def normalise_identifier(scheme: Scheme, value: str) -> str:
    """Return the canonical form of ``value`` or raise ValueError naming what is wrong."""
    return _VALIDATORS[scheme](value)
