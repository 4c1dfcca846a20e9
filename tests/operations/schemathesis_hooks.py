"""Schemathesis hooks for the conformance run (tests/operations/test_conformance.py): the
generated requests behave as a real client does with values only the server hands out.

- ``Idempotency-Key``: a client sends a new key with each new request (the header's
  description says so); the generator would reuse the documented example for unrelated
  requests, which the service rightly refuses (422, key reused with another request).
- ``cursor``, ``checkpoint``: tokens the service issued (a page position, a signed checkpoint); a
  positive case never invents one (the service refuses an unknown one, as it should). Negative
  cases keep theirs.
- identifier formats (``lei``, ``vat``, ``ru-inn``...): the document names the check-digit
  algorithm of each scheme; these strategies compute valid check digits with python-stdnum,
  the library the service checks them with.
- ``webhook-url``: an https URL on a public address, as the service takes (it resolves the host
  and refuses private ones; the run has no DNS, so the strategy uses public address literals).
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from stdnum.br import cnpj
from stdnum.iso7064 import mod_11_10, mod_97_10
from stdnum.ru import inn
from stdnum.ua import edrpou

DIGITS = "0123456789"


def _digits(count: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=DIGITS, min_size=count, max_size=count)


schemathesis.openapi.format("lei", st.text(alphabet=DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=18, max_size=18)
                            .map(lambda base: base + mod_97_10.calc_check_digits(base)))
schemathesis.openapi.format("ru-inn", _digits(9).map(lambda base: base + inn.calc_company_check_digit(base)))
schemathesis.openapi.format("ua-edrpou", _digits(7).map(lambda base: base + edrpou.calc_check_digit(base)))
schemathesis.openapi.format("br-cnpj", _digits(12).map(lambda base: base + cnpj.calc_check_digits(base)))
schemathesis.openapi.format("vat", st.tuples(st.sampled_from("123456789"), _digits(7)).map(
    lambda parts: "DE" + parts[0] + parts[1] + mod_11_10.calc_check_digit(parts[0] + parts[1])))
schemathesis.openapi.format("cn-uscc", st.sampled_from(["91110000600037341L"]))
schemathesis.openapi.format("register-number", st.from_regex(r"\A[A-Z0-9]{1,64}\Z"))
# A webhook receiver: https on a public address (a literal, so that no DNS is needed to check it).
schemathesis.openapi.format("webhook-url", st.tuples(st.integers(1, 254), st.from_regex(r"\A[a-z0-9/]{0,40}\Z"))
                            .map(lambda parts: f"https://93.184.215.{parts[0]}/{parts[1]}"))


def _valid_key(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 200 and all(" " <= ch <= "~" for ch in value)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and _valid_key(headers[name]):
            headers[name] = str(uuid.uuid4())
    generation = getattr(getattr(case, "meta", None), "generation", None)
    positive = getattr(generation, "mode", None) is GenerationMode.POSITIVE
    for issued in ("cursor", "checkpoint"):  # a page cursor, a checkpoint JWS: only the service makes them
        if positive and case.query and issued in case.query:
            case.query.pop(issued)
