"""Names as published -> primary name, aliases, identifiers, scope notes and a person signal.

The lists pack a lot into the name (and the World Bank's "Additional Firm Info") cell:
"X (formerly known as Y)", "X aka Y", "X f/k/a Y", "X (d/b/a Y)", "X (ACRONYM)", "X (“Short”)",
"X MMC/X LLC", Chinese-script names, "(Reg. No.: 123)", "(but only for its operations in ...)".
``parse_name`` takes those apart; anything it is not sure about stays in the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stdnum import lei
from stdnum.br import cnpj
from stdnum.cn import uscc

from .common import clean, fold, strip_quotes
from .countries import is_country_name

# "also known as", "f/k/a", "d/b/a"... longest first so "also d/b/a" wins over "d/b/a".
_MARKER_WORDS = [
    r"(?:also|formerly|previously|now|currently)\s+(?:known|know)\s+as",
    r"known\s+as",
    r"(?:formerly\s+|also\s+|currently\s+)?operating\s+as\s*:?",
    r"(?:also\s+|currently\s+)?doing\s+business\s+(?:as|under)",
    r"(?:also\s+|currently\s+)?d\s*/\s*b\s*/\s*a",
    r"(?:also\s+)?d\.\s*b\.\s*a\.?",
    r"dba",
    r"a\.\s*k\.\s*a\.?",
    r"aka",
    r"f\s*/\s*k\s*/\s*a",
    r"f\.\s*k\.\s*a\.?",
    r"fka",
    r"formerly",
    r"previously",
]
_MARKER = r"(?:" + "|".join(_MARKER_WORDS) + r")"
# A marker inside a parenthesis / at the start of a fragment.
_LEADING_MARKER = re.compile(r"^\s*(?:,\s*)?" + _MARKER + r"(?![\w/])\s*:?\s*", re.IGNORECASE)
# A marker in running text: after a space/comma (not inside a word), e.g. "Ecograph LLC aka Ecography".
_INLINE_MARKER = re.compile(r"(?:\s*,\s*|\s+|^)" + _MARKER + r"(?![\w/])\s*:?\s*", re.IGNORECASE)
# ", also MR. X" (World Bank "Additional Firm Info")
_COMMA_ALSO = re.compile(r"^\s*,?\s*also\s+", re.IGNORECASE)
_DOING_BUSINESS = re.compile(r"doing\s+business", re.IGNORECASE)

# Scope limitations and relations: they qualify the debarment, they are not names.
_NOTE = re.compile(
    r"^(?:but\s+only\b|and\s+all\s+entities\b|with\s+.*\bproprietor\b|as\s+a\s+successor\b|"
    r"and\s+any\s+entity\b|including\b|excluding\b|except\b)",
    re.IGNORECASE,
)
_INLINE_NOTE = re.compile(
    r"\s+(?:and\s+any\s+entity\s+controlled\b.*|as\s+a\s+successor\s+or\s+assign\b.*)$", re.IGNORECASE
)
_REPRESENTATIVE = re.compile(
    r"\s+(?:authori[sz]ed\s*/\s*)?legal\s+re\w*sentative\s+of\s+(?P<firm>.+)$", re.IGNORECASE
)
_CARE_OF = re.compile(r"\s+c/o\s+(?P<addr>.+)$", re.IGNORECASE)

# Identifier labels -> scheme.  Values are validated where python-stdnum can (USCC, LEI, CNPJ).
_ID_LABELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^cnpj\b", re.I), "br_cnpj"),
    (re.compile(r"^(?:tax\s+registration|tax\s+id|tin)\b", re.I), "tax_id"),
    (re.compile(r"^(?:national\s+id|id\s+no)\b", re.I), "national_id"),
    (
        re.compile(r"^(?:reg(?:istration)?\.?\s*[,.]?\s*(?:no|number|#)|registration\s*#|lic\.)", re.I),
        "registration",
    ),
    (re.compile(r"^id\b", re.I), "registration"),
)
_ID_VALUE = re.compile(
    r"^(?:cnpj|tax\s+registration\s+no|tax\s+id(?:\s+no)?|tin(?:\s+no)?|national\s+id|id\s+no|"
    r"reg(?:istration)?\.?\s*[,.]?\s*(?:no|number)|registration\s*#|reg\s*#|id)\.?\s*[:;#.]?\s*",
    re.IGNORECASE,
)
# Bare 18-character Chinese unified social credit codes in World Bank brackets: "(91653200MA77HXFG5T)".
_BARE_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_INLINE_ID = re.compile(r"(?:registration\s*#\s*|tax\s+id\s+no\.?\s*)(?P<value>[\w./-]+)", re.IGNORECASE)

# Words that make a trailing bracket a qualifier of the name, not another name: "(PVT)", "(Group)".
_QUALIFIER_WORDS = frozenset(
    [
        "pvt",
        "private",
        "pty",
        "pte",
        "ltd",
        "limited",
        "llc",
        "inc",
        "co",
        "company",
        "group",
        "branch",
        "subsidiary",
        "holdings",
        "holding",
        "partnership",
        "limited-partnership",
        "smc",
        "smc-private",
        "m",
        "sdn",
        "bhd",
        "plc",
        "jsc",
        "ojsc",
        "cjsc",
        "sa",
        "s",
        "a",
        "the",
        "of",
    ]
)
_LEGAL_FORM_END = re.compile(
    r"(?:\b(?:mmc|llc|ltd|limited|inc|co|corp|s\.?a|s\.?a\.?s|gmbh|jsc|plc|ltda|sarl|s\.?r\.?l|b\.?v)\.?)$",
    re.IGNORECASE,
)
_STOPWORDS = frozenset(
    [
        "de",
        "del",
        "la",
        "las",
        "los",
        "el",
        "et",
        "e",
        "y",
        "and",
        "of",
        "the",
        "for",
        "du",
        "des",
        "da",
        "do",
        "dos",
        "di",
        "für",
        "und",
    ]
)

# Titles in front of a name.  "M/S" (Messrs) marks a firm in South Asia; the others a person.
_PERSON_TITLE = re.compile(
    r"^(?:mr|mrs|ms|miss|dr|mme|mlle|sr|sra|ir)\.?(?:\s+|(?<=\.)(?=\w))", re.IGNORECASE
)
_FIRM_TITLE = re.compile(r"^m\s*/\s*s\.?\s+", re.IGNORECASE)
# "DŨNG, Đoàn Anh": surname in capitals, comma, given names - the EBRD's way of writing a person.
_SURNAME_FIRST = re.compile(r"^[^\W\d_a-z]{2,},\s+[^\W\d_]+(?:\s+[^\W\d_]+){0,3}$")
_ORG_WORDS = re.compile(
    r"\b(?:ltd|limited|llc|llp|inc|co|corp|corporation|company|group|s\.?a|ltda|sarl|gmbh|jsc|plc|pvt|"
    r"enterprises?|construction|constructora|construtora|engineering|consult\w*|services?|trading|"
    r"industr\w*|associates?|international|holdings?|partners|firm|bureau|agency|agencies|"
    r"organi[sz]ation|foundation|institute|society|cooperative|association|mmc|ooo|zao|oao|pt|cv|bhd|"
    r"sdn|ag|nv|bv|eireli|me|srl|sas|sac|spa|ong|ngo|trust|technolog\w*|solutions?|systems?)\b",
    re.IGNORECASE,
)
_NON_LATIN = re.compile(r"[^\x00-\u024F\u1E00-\u1EFF\u2000-\u206F\u20A0-\u20CF\s\d\W]")
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


@dataclass
class NameParts:
    name: str
    aliases: list[str] = field(default_factory=list)
    identifiers: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    person_signal: bool = False
    firm_signal: bool = False


# --------------------------------------------------------------------------- brackets


def _groups(text: str) -> list[tuple[int, int]]:
    """Spans of top-level (...) groups, including full-width （）; unbalanced ones run to the end."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for i, char in enumerate(text):
        if char in "(（":
            if depth == 0:
                start = i
            depth += 1
        elif char in ")）" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    if depth:
        spans.append((start, len(text)))
    return spans


_MAX_GROUPS = 32


def _inner(group: str) -> str:
    inner = group[1:]
    if inner and inner[-1] in ")）":
        inner = inner[:-1]
    return clean(inner)


def is_non_latin(text: str) -> bool:
    return bool(_NON_LATIN.search(text))


def clean_script_name(text: str) -> str:
    """Chinese names are published with stray spaces ("阿克苏地矿建设工程有 限公司"): remove them."""
    return _CJK_SPACE.sub("", clean(text))


# --------------------------------------------------------------------------- identifiers


def identifier_from(text: str) -> dict[str, str] | None:
    """ "Reg. No.: 0305350288" / "TIN No. 304332224" / "CNPJ: ..." / a bare USCC -> identifier."""
    text = clean(text).strip(" .,;")
    if _BARE_USCC.match(text):
        return {"scheme": "cn_uscc" if uscc.is_valid(text) else "registration", "value": text}
    for label, scheme in _ID_LABELS:
        if label.match(text):
            value = _ID_VALUE.sub("", text, count=1).strip(" .,;:")
            if not value or not re.search(r"\d", value):
                return None
            return _classify_id(scheme, value)
    return None


def _classify_id(scheme: str, value: str) -> dict[str, str]:
    compact = re.sub(r"[\s./-]", "", value)
    if scheme == "br_cnpj" or (cnpj.is_valid(compact) and len(compact) == 14):
        return {"scheme": "br_cnpj", "value": compact}
    if uscc.is_valid(compact):
        return {"scheme": "cn_uscc", "value": compact}
    if lei.is_valid(compact):
        return {"scheme": "lei", "value": compact}
    return {"scheme": scheme, "value": value}


# --------------------------------------------------------------------------- alias lists


def _split_alias_text(text: str, marker: str) -> list[str]:
    """Text after an alias marker -> names ("X; also d.b.a. Y", "X or Y")."""
    parts = [p for p in re.split(r"\s*;\s*", text) if p.strip()]
    out: list[str] = []
    for part in parts:
        pieces = _INLINE_MARKER.split(part)
        for piece in pieces:
            if piece is None or not piece.strip():
                continue
            if _DOING_BUSINESS.search(marker):
                # "also doing business under X or Y", "... as X and Y": lists of trade names.
                out.extend(p for p in re.split(r"\s+(?:or|and)\s+", piece) if p.strip())
            else:
                out.append(piece)
    return [a for a in (_tidy(x) for x in out) if a]


def _tidy(text: str) -> str:
    text = strip_quotes(clean_script_name(text))
    text = re.sub(r"^[\s,;:.\-–(\[]+|[\s,;:\-–(\[]+$", "", text)
    text = re.sub(r"\s*\*\s*\d+$", "", text)  # trailing World Bank "*189" marker glued to an alias
    # Unbalanced trailing ")" left by a truncated cell.
    if text.endswith(")") and text.count("(") < text.count(")"):
        text = text[:-1].rstrip()
    text = re.sub(r"\s+\.$", "", text.strip("[] "))  # "[Shaanxi ... Ltd.]", "APEC ."
    return strip_title(text)[0].strip()


def strip_title(text: str) -> tuple[str, str | None]:
    """("MR. RUFAT MAJIDOV") -> ("RUFAT MAJIDOV", "person"); M/S -> "company"."""
    match = _PERSON_TITLE.match(text)
    if match and len(text) > match.end():
        return text[match.end() :].strip(), "person"
    match = _FIRM_TITLE.match(text)
    if match and len(text) > match.end():
        return text[match.end() :].strip(), "company"
    return text, None


def _initials(words: list[str]) -> tuple[str, str]:
    letters = [w for w in (re.sub(r"[^\w]", "", w) for w in words) if w]
    every = "".join(w[0] for w in letters).upper()
    content = "".join(w[0] for w in letters if w.casefold() not in _STOPWORDS).upper()
    return every, content


def _is_acronym_of(acronym: str, before: str) -> bool:
    letters = re.sub(r"[^\w]", "", acronym).upper()
    if len(letters) < 2 or not letters.isalpha():
        return False
    words = before.split()
    every, content = _initials(words)
    return every.endswith(letters) or content.endswith(letters)


def _is_qualifier(content: str, address: str) -> bool:
    words = [w for w in re.split(r"[\s,./-]+", content.casefold()) if w]
    if words and all(w in _QUALIFIER_WORDS for w in words):
        return True
    if is_country_name(content) or content.casefold() in {"u.k.", "uk", "hk", "usa", "u.s.a."}:
        return True
    # A place name that is also in the firm's address: "UralKotloService PKF ZAO (Tambov)".
    key = fold(content)
    return bool(key) and len(key) >= 3 and f" {key} " in f" {fold(address)} "


# --------------------------------------------------------------------------- main entry points


def parse_name(raw: str, *, address: str = "") -> NameParts:
    """Split a published name cell into primary name, aliases, identifiers, notes."""
    parts = NameParts(name="")
    text = clean(raw)
    if not text:
        return parts

    # Person working for a firm: "Zhang Zhike Authorized/Legal Reprsentative of Henan ... Co. Ltd."
    match = _REPRESENTATIVE.search(text)
    if match:
        parts.notes.append(clean(match.group(0)))
        parts.person_signal = True
        text = text[: match.start()]
    match = _CARE_OF.search(text)
    if match:
        parts.addresses.append(f"c/o {clean(match.group('addr'))}")
        text = text[: match.start()]
    match = _INLINE_NOTE.search(text)
    if match:
        parts.notes.append(clean(match.group(0)))
        text = text[: match.start()]

    text = _take_groups(text, parts, address=address, in_name=True)

    # "A.K.A. INDRALAL GUNATHILAKE": the row itself is the alias spelling.
    text = _LEADING_MARKER.sub("", text, count=1) if re.match(r"^\s*a\.\s*k\.\s*a", text, re.I) else text

    # Inline markers: "X Formerly known as Y", "X aka Y", "X, f/k/a Y", "X Also known as Y".
    match = _INLINE_MARKER.search(text)
    if match and match.start() > 0:
        marker = match.group(0)
        parts.aliases.extend(_split_alias_text(text[match.end() :], marker))
        text = text[: match.start()]

    text = _split_slash_names(text, parts)

    name = _tidy_name(text)
    name, title = strip_title(name)
    if title == "person":
        parts.person_signal = True
    elif title == "company":
        parts.firm_signal = True
    parts.name = name
    parts.aliases = [a for a in parts.aliases if _keep_alias(a)]
    return parts


def parse_extra_info(raw: str, parts: NameParts, *, address: str = "") -> list[str]:
    """World Bank "Additional Firm Info" -> aliases/identifiers/notes/addresses on ``parts``.

    Returns the "*NNN" markers, which number the sanctions case an entry belongs to (the firms and
    individuals debarred together share one).
    """
    text = clean(raw)
    if not text:
        return []
    markers = [m.replace(" ", "") for m in re.findall(r"\*\s*\d+(?:\s*(?:,|and)\s*\*?\s*\d+)*", text)]
    text = re.sub(r"\*\s*\d+(?:\s*(?:,|and)\s*\*?\s*\d+)*", " ", text)
    if re.fullmatch(r"\d+", text):  # "342" - a marker without its asterisk
        return [f"*{text}"]
    match = re.search(r"physical\s+address\s*:\s*(?P<addr>.+)$", text, re.IGNORECASE)
    if match:
        parts.addresses.append(clean(match.group("addr")))
        text = text[: match.start()]
    for m in list(_INLINE_ID.finditer(text)):
        ident = _classify_id(
            "tax_id" if m.group(0).casefold().startswith("tax") else "registration", m.group("value")
        )
        parts.identifiers.append(ident)
    text = _INLINE_ID.sub(" ", text)
    match = re.search(r"\bas\s+a\s+successor\s+or\s+assign\b.*$", text, re.IGNORECASE)
    if match:
        parts.notes.append(clean(match.group(0)))
        text = text[: match.start()]

    text = _take_groups(text, parts, address=address, in_name=False)
    text = clean(text)
    if not text:
        return _clean_markers(markers)

    # What is left is free text: "AKA X", "f/k/a X", ", also MR. X", ", d/b/a X, Y", or a bare name.
    lead = _LEADING_MARKER.match(text) or _COMMA_ALSO.match(text)
    if lead:
        rest = text[lead.end() :]
        if re.search(r"d\s*/\s*b\s*/\s*a", lead.group(0), re.I) and "," in rest:
            # ", d/b/a Groupe Systèmes..., ESS Group, Enterprise Systems and Solutions Group"
            parts.aliases.extend(a for a in (_tidy(x) for x in rest.split(",")) if a)
        else:
            parts.aliases.extend(_split_alias_text(rest, lead.group(0)))
    else:
        match = _INLINE_MARKER.search(text)
        if match and match.start() > 0:
            parts.aliases.append(_tidy(text[: match.start()]))
            parts.aliases.extend(_split_alias_text(text[match.end() :], match.group(0)))
        elif _NOTE.match(text):
            parts.notes.append(text)
        elif re.search(r"[^\W\d_]", text):
            parts.aliases.append(_tidy(text))
    parts.aliases = [a for a in parts.aliases if _keep_alias(a)]
    return _clean_markers(markers)


def _clean_markers(markers: list[str]) -> list[str]:
    out: list[str] = []
    for marker in markers:
        for number in re.findall(r"\d+", marker):
            if f"*{number}" not in out:
                out.append(f"*{number}")
    return out


def _take_groups(text: str, parts: NameParts, *, address: str, in_name: bool) -> str:
    """Handle each top-level bracket group; return the text with the consumed groups removed.

    Each group looks at all the text around it, so only the first ``_MAX_GROUPS`` are taken apart
    (names have a handful; a cell of thousands would take seconds); the rest stays in the name.
    """
    spans = _groups(text)[:_MAX_GROUPS]
    keep: list[str] = []
    last = 0
    for start, end in spans:
        keep.append(text[last:start])
        last = end
        group = text[start:end]
        content = _inner(group)
        before = clean("".join(keep))
        after = clean(text[end:])
        if _handle_group(content, parts, before=before, after=after, address=address, in_name=in_name):
            keep.append(" ")
        else:
            keep.append(group)
    keep.append(text[last:])
    return clean("".join(keep))


def _handle_group(
    content: str, parts: NameParts, *, before: str, after: str, address: str, in_name: bool
) -> bool:
    """True when the group was consumed (alias/identifier/note), False to keep it in the name."""
    if not content.strip(" .,;"):
        return True  # "Africa Railways Logistics Limited (" - a cut-off cell
    quoted = bool(re.match(r"^[\"“”„'‘]", content))
    lead = _LEADING_MARKER.match(content)
    if lead:
        parts.aliases.extend(_split_alias_text(content[lead.end() :], lead.group(0)))
        return True
    if _NOTE.match(content):
        parts.notes.append(content)
        return True
    ident = identifier_from(content)
    if ident:
        parts.identifiers.append(ident)
        return True
    if is_non_latin(content):
        for piece in re.split(r"\s*[,，、;]\s*", content):
            alias = clean_script_name(piece)
            if alias:
                parts.aliases.append(alias)
        return True
    if not in_name:
        # In the extra-info column every other bracket is another name: "(MUE Group)", "(VIWASEEN.7)".
        if _INLINE_MARKER.search(content):
            match = _INLINE_MARKER.search(content)
            assert match is not None
            parts.aliases.append(_tidy(content[: match.start()]))
            parts.aliases.extend(_split_alias_text(content[match.end() :], match.group(0)))
        else:
            parts.aliases.append(_tidy(content))
        return True
    if quoted:
        parts.aliases.append(_tidy(content))  # defined short name: (“Computech”)
        return True
    trailing = not after or re.fullmatch(r"[\s,.;]*", after) is not None
    if _is_acronym_of(content, before):
        parts.aliases.append(_tidy(content))
        return True
    if trailing and before and not _is_qualifier(content, address):
        # "(SBD SOLUTION)", "(Mr. Brandao)", "(Dung, Doan Anh)", "(Gul Prime)": another name.
        parts.aliases.append(_tidy(content))
        return True
    return False


def _split_slash_names(text: str, parts: NameParts) -> str:
    """ "Modern Servis MMC/Modern Serviz MMC", "Groupe DEC S.A. / DEC Group Inc." -> two names.

    Only when the slash is spaced or follows a legal form: "Emmyways Engineering/Construction
    Limited" is one name.
    """
    pieces = re.split(r"\s+/\s+|(?<=\S)/(?=\S)", text)
    if len(pieces) < 2:
        return text
    first = pieces[0]
    spaced = bool(re.search(r"\s/\s", text))
    if not spaced and not _LEGAL_FORM_END.search(first.strip()):
        return text
    if any(len(p.strip()) < 2 for p in pieces):
        return text
    parts.aliases.extend(a for a in (_tidy(p) for p in pieces[1:]) if a)
    return first


def _tidy_name(text: str) -> str:
    text = strip_quotes(clean_script_name(text))
    text = re.sub(r"^[\s,;:\-–]+|[\s,;:\-–(]+$", "", text)
    text = re.sub(r"\s+\.$", "", text)  # "Jean Charles and Co./APEC ." -> trailing lone dot
    if text.count("(") > text.count(")"):
        text = text + ")"  # "... CO., LTD. (ALSO KNOWN AS" cut at 80 characters is handled above
    return clean(text)


def _keep_alias(alias: str) -> bool:
    """Drop fragments too short to screen on (two Latin letters like "PE" or "SS" only add noise)."""
    if not alias:
        return False
    if is_non_latin(alias):
        return len(alias.replace(" ", "")) >= 2
    return len(re.sub(r"[\W_]", "", alias)) >= 3


def looks_like_person(parts: NameParts, raw: str) -> bool:
    """Conservative: a person only with a clear sign (title, "SURNAME, Given", representative of)."""
    if parts.firm_signal:
        return False
    name = parts.name
    if _ORG_WORDS.search(name):
        return False
    if parts.person_signal:
        return True
    return bool(_SURNAME_FIRST.match(clean(raw).split(" (")[0]))


def finish_aliases(kind: str, name: str, aliases: list[str]) -> list[str]:
    """Final alias list: no duplicates of the name, and for people no bare surname.

    IDB defines short forms like (“Mr. Salazar”); a lone surname would match every Salazar.
    """
    out = [a for a in aliases if _keep_alias(a)]
    if kind == "person":
        out = [a for a in out if is_non_latin(a) or len(re.findall(r"[^\W\d_]+", a)) >= 2]
    return out


def dedupe_identifiers(identifiers: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, str]] = []
    for ident in identifiers:
        key = (ident["scheme"], ident["value"])
        if key not in seen:
            seen.add(key)
            out.append(ident)
    return out
