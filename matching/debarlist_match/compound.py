"""Compound names: one string that carries several names of one subject.

Procurement systems and the published lists write "X (formerly Y)", "X formerly known as Y", "X (also
known as Y)", "X doing business as Y", "X (Y)", "Mr. A (also know as Mr. B)".  Compared whole, such a
string matches neither of its names well; each part is screened as an alias of the subject instead, and
the match names the part that matched (``explanation.name.compound_of``).

The alias markers are rigour's (``rigour._core.name_split_phrases_list``: a.k.a., f/k/a, d/b/a, formerly
known as, trading as ...) plus what it lacks and the real lists write: "also know as" (sic, IDB),
"aka"/"fka" without dots, "t/a", "now known as", "previously", a person's role in a firm ("X, owner
of Y"), Russian "ранее"/"бывш."/"прежнее
наименование", Spanish "anteriormente", French "anciennement".  A bracket without a marker
("X (Y)") gives X, Y and the whole string (the bracket may be a qualifier: "(Istanbul)", "(Pvt)"); parts
that are only places or legal forms are dropped by the index.
"""

from __future__ import annotations

import re
from functools import lru_cache

_OURS = (
    "also know as", "also known as", "aka", "fka", "t/a", "now known as", "previously", "formerly called",
    "ранее", "бывш", "бывшее", "бывший", "прежнее наименование", "anteriormente", "anciennement",
)  # fmt: skip
# A person named with the firm they own or run ("Muminjon Yuldashev, Founder and Owner of Quvasoy Tamir
# Qurilish LLC", "Semih Sagocak President of the Board and Shareholder of Akin Project LLC", as the EBRD list
# writes them): the subject is the person; the firm is context, not an alias (it has its own row).
_ROLES = re.compile(
    r"[\s,;]+(?:the\s+)?(?:(?:co-?)?founder|owner|director|general\s+director|managing\s+director|ceo|"
    r"(?:sole\s+)?proprietor|chairman|president|shareholder|manager|partner)\b.*\bof\b.*$",
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_EDGE_PUNCT = " \t,;:-–—/"


@lru_cache(maxsize=1)
def _marker_re() -> re.Pattern[str]:
    try:
        from rigour._core import name_split_phrases_list

        phrases = [p.lower() for p in name_split_phrases_list()]
    except ImportError:  # pragma: no cover - rigour without its Rust core
        phrases = []
    # "former"/"formerly" are rigour's; their dotted and slashed forms need no word boundary inside.
    words = sorted({*phrases, *_OURS}, key=len, reverse=True)
    alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(rf"(?<![\w/.])(?:{alt})(?![\w/])\.?", re.IGNORECASE)


def split_compound(name: str) -> tuple[list[str], str | None]:
    """The names ``name`` carries (without the whole string when a marker says they are aliases), and the
    first marker found (None for brackets only).  A plain name gives ``([name], None)``."""
    role = _ROLES.search(name)
    if role is not None and role.start() > 0 and any(c.isalpha() for c in name[: role.start()]):
        return [name[: role.start()].strip(_EDGE_PUNCT)], "role"
    marker_re = _marker_re()
    has_bracket = "(" in name or "[" in name
    first = marker_re.search(name)
    if first is None and not has_bracket:
        return [name], None
    marker = first.group(0).strip().lower() if first else None
    pieces: list[str] = []
    outer = name
    if has_bracket:
        inner = [m.group(1) for m in _BRACKETS.finditer(name)]
        outer = _BRACKETS.sub(" ", name)
        pieces.extend(inner)
        if marker is None:
            # Brackets only: the whole string and each bracket.  The name without its bracket is not one:
            # the bracket may qualify it ("Gezhouba Water (Yueyang)" is not "Gezhouba Water (Qiyang)").
            outer = ""
    pieces.insert(0, outer)
    parts: list[str] = []
    for k, piece in enumerate(pieces):
        split = marker_re.split(piece)
        if k == 0 and outer and not split[0].strip(_EDGE_PUNCT):
            # A marker opening the name is a word of it ("Former Yugoslav Trading"), not an alias marker.
            split = [piece]
        for part in split:
            part = re.sub(r"\s+", " ", part).strip(_EDGE_PUNCT)
            if part and any(c.isalnum() for c in part) and part not in parts:
                parts.append(part)
    if marker is None:
        # Brackets only: the bracket may qualify the name rather than alias it; keep the whole string too.
        if name not in parts:
            parts.insert(0, name)
        return (parts, None) if len(parts) > 1 else ([name], None)
    return (parts, marker) if parts and parts != [name] else ([name], None)


__all__ = ["split_compound"]
