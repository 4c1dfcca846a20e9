"""Variant kinds the shared benchmark does not contain, applied to its entries and decoys.

Each kind rewrites a listed name the way another publisher or a bidder might (abbreviations, "The",
a city or country added, another script or romanisation, national letters written another way,
initials, hyphens).  Positives are rewritten entries (found = expected entry among the first 3 at or
above the threshold); negatives are the shared decoys rewritten by the same rule (a false alarm =
anything at or above it).  Kinds whose words rarely occur in the shared names (abbreviations, "The",
person names) add derived listed entries built from the shared stems, so every kind has a sample.
Prints per-kind recall and false alarms for the engine and a rapidfuzz WRatio scan.

    .venv/bin/python bench/variants.py [--per-kind 150] [--seed 5]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from debarlist_match import DEFAULT_THRESHOLD, Identifier, ListedRecord, MatchIndex, Query

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "screening"
Rng = random.Random

_CYR = re.compile(r"[\u0400-\u04ff]")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_GEO = re.compile(r"[\u10a0-\u10ff]")
_ARM = re.compile(r"[\u0530-\u058f]")
_NONLATIN = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff\u0400-\u052f\u0530-\u058f\u10a0-\u10ff]")
_QUOTES = re.compile(r"[«»„“”\"]")

PLACES = {
    "KZ": ("Almaty", "Kazakhstan"), "RU": ("Moscow", "Russia"), "BY": ("Minsk", "Belarus"),
    "KG": ("Bishkek", "Kyrgyzstan"), "UA": ("Kyiv", "Ukraine"), "RS": ("Belgrade", "Serbia"),
    "MN": ("Ulaanbaatar", "Mongolia"), "US": ("New York", "USA"), "BG": ("Sofia", "Bulgaria"),
    "AT": ("Wien", "Austria"), "ES": ("Madrid", "Spain"), "IT": ("Milano", "Italy"), "DE": ("Berlin", "Germany"),
    "AZ": ("Baku", "Azerbaijan"), "PL": ("Warszawa", "Poland"), "GB": ("London", "UK"), "NO": ("Oslo", "Norway"),
    "TR": ("Istanbul", "Turkey"), "RO": ("Bucuresti", "Romania"), "DK": ("Aarhus", "Denmark"),
    "NL": ("Rotterdam", "Netherlands"), "CZ": ("Praha", "Czech Republic"), "FI": ("Helsinki", "Finland"),
    "HU": ("Budapest", "Hungary"), "FR": ("Lyon", "France"), "EE": ("Tallinn", "Estonia"),
    "LT": ("Vilnius", "Lithuania"), "AM": ("Yerevan", "Armenia"), "GE": ("Tbilisi", "Georgia"),
    "SE": ("Goteborg", "Sweden"), "CY": ("Limassol", "Cyprus"), "GR": ("Athens", "Greece"), "LV": ("Riga", "Latvia"),
}  # fmt: skip

LEGAL_TAIL = re.compile(
    r"\s+(LLC|LLP|JSC|OJSC|CJSC|PJSC|Ltd\.?|Limited|Inc\.?|GmbH|AG|KG|e\.K\.|S\.A\.|SA|S\.r\.l\.|SRL|"
    r"Sp\. z o\.o\.|s\.r\.o\.|a\.s\.|Kft\.|Zrt\.|AB|AS|ASA|ApS|A/S|Oy|Oyj|OÜ|AS|UAB|SIA|B\.V\.|N\.V\.|"
    r"A\.Ş\.|Ltd\. Şti\.|d\.o\.o\.|a\.d\.|EOOD|OOD|AD|EAD|S\.L\.|SAS|SARL|S\.p\.A\.|plc|PLC|IE|PE|"
    r"OOO|TOO|TOV|ХХК|Ε\.Π\.Ε\.|Α\.Ε\.|MMC|ASC|SPY|CJSC|Corp\.?|Co\.)$"
)


def latin_name(e: dict[str, Any]) -> str | None:
    """The entry's Latin spelling (its name, or its first Latin alias)."""
    for n in (e["name"], *(e.get("aliases") or ())):
        if not _NONLATIN.search(n):
            return str(n)
    return None


def split_legal(name: str) -> tuple[str, str]:
    m = LEGAL_TAIL.search(name)
    return (name[: m.start()], name[m.start() :]) if m else (name, "")


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def _translit(text: str, table: dict[str, str]) -> str:
    """Longest-match transliteration, keeping the case of the first letter."""
    keys = sorted(table, key=len, reverse=True)
    out = []
    i = 0
    while i < len(text):
        for k in keys:
            if text[i : i + len(k)].lower() == k:
                rep = table[k]
                out.append(rep.capitalize() if text[i].isupper() and rep else rep)
                i += len(k)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


LAT2CYR = {
    "shch": "щ", "sch": "ш", "zh": "ж", "kh": "х", "ts": "ц", "tz": "ц", "ch": "ч", "sh": "ш", "yu": "ю",
    "ya": "я", "yo": "ё", "ph": "ф", "th": "т", "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е",
    "z": "з", "i": "и", "y": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р",
    "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "c": "к", "w": "в", "x": "кс", "q": "к", "j": "дж",
}  # fmt: skip
# Cyrillic typed under the scholarly ISO 9 convention (diacritics instead of digraphs).
CYR2ISO9 = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g̀", "д": "d", "е": "e", "ё": "ë", "є": "ê", "ж": "ž",
    "з": "z", "и": "i", "і": "ì", "ї": "ï", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "č", "ш": "š",
    "щ": "ŝ", "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "è", "ю": "û", "я": "â", "ү": "ù", "ө": "ô", "ң": "ṇ",
    "ә": "ä", "қ": "ķ", "ғ": "ġ", "ұ": "ū", "һ": "h", "ђ": "đ", "ј": "ǰ", "љ": "l̂", "њ": "n̂", "ћ": "ć",
    "џ": "d̂", "ў": "ŭ",
}  # fmt: skip
HOMOGLYPHS = {"a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "A": "А", "B": "В",
              "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р", "T": "Т", "X": "Х"}  # fmt: skip

GREEK_ELOT = {
    "γγ": "ng", "γκ": "gk", "γξ": "nx", "γχ": "nch", "μπ": "mp", "ντ": "nt", "ου": "ou", "αυ": "av", "ευ": "ev",
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k",
    "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
    "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip
GREEK_PHONETIC = {
    "γγ": "ng", "γκ": "g", "μπ": "b", "ντ": "d", "ου": "u", "αι": "e", "ει": "i", "οι": "i", "υι": "i",
    "αυ": "af", "ευ": "ef", "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "ks", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
    "ς": "s", "τ": "t", "υ": "i", "φ": "f", "χ": "h", "ψ": "ps", "ω": "o",
}  # fmt: skip
_GEO_BASE = {"ა": "a", "ბ": "b", "გ": "g", "დ": "d", "ე": "e", "ვ": "v", "ზ": "z", "ი": "i", "ლ": "l",
             "მ": "m", "ნ": "n", "ო": "o", "რ": "r", "ს": "s", "უ": "u", "ჰ": "h"}  # fmt: skip
GEO_NATIONAL = _GEO_BASE | {
    "თ": "t", "კ": "k", "ჟ": "zh", "პ": "p", "ტ": "t", "ფ": "p", "ქ": "k", "ღ": "gh", "ყ": "q", "შ": "sh",
    "ჩ": "ch", "ც": "ts", "ძ": "dz", "წ": "ts", "ჭ": "ch", "ხ": "kh", "ჯ": "j",
}  # fmt: skip
GEO_ISO9984 = _GEO_BASE | {
    "თ": "t'", "კ": "k", "ჟ": "ž", "პ": "p", "ტ": "t", "ფ": "p'", "ქ": "k'", "ღ": "ġ", "ყ": "q", "შ": "š",
    "ჩ": "č'", "ც": "c'", "ძ": "ʒ", "წ": "c", "ჭ": "č", "ხ": "x", "ჯ": "ǰ",
}  # fmt: skip
GEO_BGN1981 = _GEO_BASE | {
    "თ": "t'", "კ": "k", "ჟ": "zh", "პ": "p", "ტ": "t", "ფ": "p'", "ქ": "k'", "ღ": "gh", "ყ": "q", "შ": "sh",
    "ჩ": "ch'", "ც": "ts'", "ძ": "dz", "წ": "ts", "ჭ": "ch", "ხ": "kh", "ჯ": "j",
}  # fmt: skip
_ARM_BASE = {"ա": "a", "բ": "b", "գ": "g", "դ": "d", "զ": "z", "ի": "i", "լ": "l", "կ": "k", "հ": "h",
             "մ": "m", "յ": "y", "ն": "n", "պ": "p", "ս": "s", "վ": "v", "տ": "t", "ր": "r", "ֆ": "f"}  # fmt: skip
ARM_BGN = _ARM_BASE | {
    "ու": "u", "և": "ev", "ե": "e", "է": "e", "ը": "y", "թ": "t'", "ժ": "zh", "խ": "kh", "ծ": "ts", "ձ": "dz",
    "ղ": "gh", "ճ": "ch", "շ": "sh", "ո": "o", "չ": "ch'", "ջ": "j", "ռ": "rr", "ց": "ts'", "ւ": "v",
    "փ": "p'", "ք": "k'", "օ": "o",
}  # fmt: skip
ARM_HM = _ARM_BASE | {
    "ու": "u", "և": "ew", "ե": "e", "է": "ē", "ը": "ə", "թ": "tʻ", "ժ": "ž", "խ": "x", "ծ": "c", "ձ": "j",
    "ղ": "ł", "ճ": "č", "շ": "š", "ո": "o", "չ": "čʻ", "ջ": "ǰ", "ռ": "ṙ", "ց": "cʻ", "ւ": "w", "փ": "pʻ",
    "ք": "kʻ", "օ": "ō",
}  # fmt: skip

GIVEN = ["Ivan", "Sergei", "Olena", "Dmitri", "Anna", "Nurlan", "Aigerim", "Giorgi", "Nino", "Aram", "Milan",
         "Jelena", "Hans", "Katarzyna", "Mehmet", "Andrei", "Bogdan", "Svetlana", "Tamar", "Arman"]  # fmt: skip
FAMILY = ["Petrov", "Kovalenko", "Abenov", "Beridze", "Sargsyan", "Jovanovic", "Nowak", "Yilmaz", "Popescu",
          "Ivanova", "Shevchenko", "Tokayev", "Gelashvili", "Hakobyan", "Markovic", "Kowalski", "Demir",
          "Ionescu", "Bondarenko", "Dzhaksybekov", "Lomidze", "Avetisyan", "Nikolic", "Wisniewski"]  # fmt: skip
ABBREV = [("International", "Intl"), ("Company", "Co."), ("Corporation", "Corp."), ("and", "&"),
          ("Brothers", "Bros")]  # fmt: skip


def _first_word_swap(name: str, pairs: dict[str, str]) -> str | None:
    out = name
    for a, b in pairs.items():
        out = out.replace(a, b)
    return out if out != name else None


# ---------------------------------------------------------------- kinds: (entry/decoy name, rng) -> query
def v_the(name: str, rng: Rng) -> str | None:
    if name.lower().startswith("the "):
        return name[4:]
    return "The " + name if not _NONLATIN.search(name) else None


def v_place(name: str, rng: Rng, country: str | None = None) -> str | None:
    if not country or country not in PLACES or _NONLATIN.search(name):
        return None
    place = rng.choice(PLACES[country])
    stem, legal = split_legal(name)
    return f"{stem} {place}{legal}" if rng.random() < 0.5 else f"{stem}{legal} ({place})"


def v_lat2cyr(name: str, rng: Rng) -> str | None:
    if _NONLATIN.search(name):
        return None
    stem, legal = split_legal(name)
    return _translit(strip_accents(stem), LAT2CYR) + legal


def v_homoglyph(name: str, rng: Rng) -> str | None:
    if _NONLATIN.search(name) or not any(c in HOMOGLYPHS for c in name):
        return None
    return "".join(HOMOGLYPHS.get(c, c) if rng.random() < 0.5 else c for c in name)


def v_cyr_iso9(name: str, rng: Rng) -> str | None:
    return _translit(_QUOTES.sub("", name), CYR2ISO9) if _CYR.search(name) else None


def v_german(name: str, rng: Rng) -> str | None:
    return _first_word_swap(name, {"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def v_turkish(name: str, rng: Rng) -> str | None:
    if not re.search("[ıİğşĞŞ]", name) and not re.search("(?i)a\\.ş", name):
        return None
    upper = name.replace("i", "İ").replace("ı", "I").upper()
    return upper if rng.random() < 0.5 else name.replace("ı", "i").replace("İ", "I")


def v_polish(name: str, rng: Rng) -> str | None:
    return _first_word_swap(name, {"ł": "l", "Ł": "L"})


def v_romanian(name: str, rng: Rng) -> str | None:
    table = (
        {"ș": "ş", "ț": "ţ", "Ș": "Ş", "Ț": "Ţ"}
        if rng.random() < 0.5
        else {"ș": "s", "ț": "t", "ş": "s", "ţ": "t", "Ș": "S", "Ț": "T", "ă": "a", "â": "a", "î": "i"}
    )
    return _first_word_swap(name, table)


def v_greek_elot(name: str, rng: Rng) -> str | None:
    return _translit(strip_accents(_QUOTES.sub("", name)).lower(), GREEK_ELOT).title() if _GREEK.search(name) else None


def v_greek_phonetic(name: str, rng: Rng) -> str | None:
    if not _GREEK.search(name):
        return None
    return _translit(strip_accents(_QUOTES.sub("", name)).lower(), GREEK_PHONETIC).title()


def v_georgian(name: str, rng: Rng) -> str | None:
    if not _GEO.search(name):
        return None
    table = rng.choice([GEO_NATIONAL, GEO_ISO9984, GEO_BGN1981])
    return _translit(_QUOTES.sub("", name), table).title()


def v_armenian(name: str, rng: Rng) -> str | None:
    if not _ARM.search(name):
        return None
    return _translit(_QUOTES.sub("", name).lower(), rng.choice([ARM_BGN, ARM_HM])).title()


def v_hyphen(name: str, rng: Rng) -> str | None:
    if "-" in name:
        return name.replace("-", " ")
    stem, legal = split_legal(name)
    words = stem.split()
    if len(words) < 2 or _NONLATIN.search(stem):
        return None
    i = rng.randrange(len(words) - 1)
    return " ".join([*words[:i], words[i] + "-" + words[i + 1], *words[i + 2 :]]) + legal


KINDS: dict[str, Callable[..., str | None]] = {
    "the": v_the, "place_suffix": v_place, "latin_in_cyrillic": v_lat2cyr, "homoglyphs": v_homoglyph,
    "cyrillic_iso9": v_cyr_iso9, "german_ss_ae": v_german, "turkish_i": v_turkish, "polish_l": v_polish,
    "romanian_s_t": v_romanian, "greek_elot743": v_greek_elot, "greek_phonetic": v_greek_phonetic,
    "georgian_romanisations": v_georgian, "armenian_romanisations": v_armenian, "hyphen_space": v_hyphen,
}  # fmt: skip


def derived_entries(entries: list[dict[str, Any]], rng: Rng) -> list[dict[str, Any]]:
    """Listed names carrying abbreviable words and person names (rare in the shared list)."""
    latin = [e for e in entries if latin_name(e)]
    out: list[dict[str, Any]] = []
    for k in range(200):
        e = rng.choice(latin)
        stem, legal = split_legal(latin_name(e) or "")
        long_, _ = rng.choice(ABBREV)
        words = stem.split()
        if long_ == "and":
            other = split_legal(latin_name(rng.choice(latin)) or "")[0].split()[0]
            name = f"{words[0]} and {other} {' '.join(words[1:])}".strip() + legal
        elif long_ == "Brothers":
            name = f"{words[0]} Brothers {' '.join(words[1:])}".strip() + legal
        else:
            name = f"{stem} {long_}{legal}"
        out.append({"ref": f"A{k}", "kind": "company", "name": name, "aliases": [], "country": e["country"]})
    for k in range(150):
        g, f = rng.choice(GIVEN), rng.choice(FAMILY)
        out.append({"ref": f"P{k}", "kind": "person", "name": f"{g} {f}", "aliases": [], "country": None})
    return out


def abbrev_variant(name: str, rng: Rng) -> str | None:
    for long_, short in ABBREV:
        pat = re.compile(rf"\b{re.escape(long_)}\b")
        if pat.search(name):
            return pat.sub(short, name)
    return None


def person_variant(name: str, rng: Rng) -> str:
    given, family = name.split()
    return f"{given[0]}. {family}" if rng.random() < 0.5 else f"{family.upper()} {given}"


def person_decoy(name: str, rng: Rng) -> str:
    given, family = name.split()
    other = rng.choice([g for g in GIVEN if g[0] != given[0]])
    return f"{other} {family}" if rng.random() < 0.5 else f"{family.upper()} {other}"


def build_queries(
    entries: list[dict[str, Any]], decoys: list[dict[str, Any]], extra: list[dict[str, Any]], per_kind: int, rng: Rng
) -> list[dict[str, Any]]:
    qs: list[dict[str, Any]] = []

    def add(kind: str, name: str | None, country: str | None, expect: str | None, qkind: str | None = None) -> None:
        if name and name.strip():
            qs.append({"kind": kind, "name": name, "country": country, "expect": expect, "qkind": qkind})

    for kind, fn in KINDS.items():
        pos = neg = 0
        for e in rng.sample(entries, len(entries)):
            if pos >= per_kind:
                break
            for src in (e["name"], *(e.get("aliases") or ())):
                v = fn(src, rng, e["country"]) if fn is v_place else fn(src, rng)
                if v and v != src:
                    add(kind, v, e["country"], e["ref"])
                    pos += 1
                    break
        for d in rng.sample(decoys, len(decoys)):
            if neg >= per_kind:
                break
            v = fn(d["name"], rng, d.get("country")) if fn is v_place else fn(d["name"], rng)
            if v and v != d["name"]:
                add(kind, v, d.get("country"), None)
                neg += 1
    shared_latin = [d for d in decoys if not _NONLATIN.search(d["name"])]
    for e in extra:
        if e["kind"] == "company":
            add("abbreviations", abbrev_variant(e["name"], rng), e["country"], e["ref"])
        else:
            add("person_initials_order", person_variant(e["name"], rng), None, e["ref"], "person")
    for d in rng.sample(shared_latin, min(per_kind, len(shared_latin))):
        stem, legal = split_legal(d["name"])
        add("abbreviations", abbrev_variant(f"{stem} International{legal}", rng), d.get("country"), None)
    listed_people = {e["name"] for e in extra if e["kind"] == "person"}
    for e in [x for x in extra if x["kind"] == "person"][:per_kind]:
        decoy = person_decoy(e["name"], rng)
        if " ".join(reversed(decoy.title().split())) not in listed_people and decoy not in listed_people:
            add("person_initials_order", decoy, None, None, "person")
    return qs


def evaluate(results: list[tuple[dict[str, Any], list[str]]]) -> dict[str, tuple[int, int, int, int]]:
    """kind -> (found, positives, false alarms, negatives)."""
    out: dict[str, list[int]] = {}
    for q, keys in results:
        row = out.setdefault(q["kind"], [0, 0, 0, 0])
        if q["expect"] is None:
            row[2] += int(bool(keys))
            row[3] += 1
        else:
            row[0] += int(q["expect"] in keys[:3])
            row[1] += 1
    return {k: (v[0], v[1], v[2], v[3]) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--per-kind", type=int, default=150)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--show", help="print the misses and false alarms of this kind")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    entries = [json.loads(line) for line in (args.data / "entries.jsonl").open(encoding="utf-8")]
    decoys = [
        q
        for q in (json.loads(line) for line in (args.data / "queries.jsonl").open(encoding="utf-8"))
        if q["expect"] is None
    ]
    extra = derived_entries(entries, rng)
    listed = entries + extra
    queries = build_queries(entries, decoys, extra, args.per_kind, rng)
    idx = MatchIndex()
    for e in listed:
        idx.add(
            ListedRecord(
                key=e["ref"],
                kind=e["kind"],
                name=e["name"],
                aliases=tuple(e.get("aliases") or ()),
                country=e.get("country"),
                identifiers=tuple(Identifier(i["scheme"], i["value"]) for i in e.get("identifiers") or ()),
            )
        )
    ours = []
    for q in queries:
        hits = idx.search(Query(name=q["name"], country=q["country"], kind=q["qkind"]), threshold=DEFAULT_THRESHOLD)
        ours.append((q, [h.key for h in hits[:3]]))
        keys = [h.key for h in hits[:3]]
        wrong = keys if q["expect"] is None else q["expect"] not in keys
        if args.show == q["kind"] and wrong:
            top = idx.search(Query(name=q["name"], country=q["country"], kind=q["qkind"]), threshold=0.0, limit=1)
            target = next((e["name"] for e in listed if e["ref"] == q["expect"]), None)
            print(f"  {q['name']!r} expect={target!r} top={[(t.matched_name, t.score) for t in top]}")
    cols = {"ours": evaluate(ours)}
    if not args.no_baseline:
        from rapidfuzz import fuzz, process
        from rapidfuzz.utils import default_process

        choices, owner = [], []
        for e in listed:
            for n in (e["name"], *(e.get("aliases") or ())):
                choices.append(default_process(n))
                owner.append(e["ref"])
        for t in (85, 86):
            res = []
            for q in queries:
                hits = process.extract(
                    default_process(q["name"]), choices, scorer=fuzz.WRatio, processor=None, limit=10, score_cutoff=t
                )
                keys = list(dict.fromkeys(owner[i] for _, _, i in hits))
                res.append((q, keys[:3]))
            cols[f"WRatio@{t}"] = evaluate(res)
    kinds = sorted(cols["ours"])
    head = "kind".ljust(24) + "".join(f"{c + ' recall':>18}{c + ' FA':>14}" for c in cols)
    print(f"threshold {DEFAULT_THRESHOLD}; {len(queries)} queries over {len(listed)} listed names")
    print(head)
    tot = {c: [0, 0, 0, 0] for c in cols}
    for k in kinds:
        line = k.ljust(24)
        for c, m in cols.items():
            f, p, fa, n = m.get(k, (0, 0, 0, 0))
            for i, v in enumerate((f, p, fa, n)):
                tot[c][i] += v
            line += f"{f / p if p else 0:>18.3f}{fa / n if n else 0:>14.3f}"
        print(line + f"   (n={p}/{n})")
    line = "all".ljust(24)
    for c in cols:
        f, p, fa, n = tot[c]
        line += f"{f / p:>18.3f}{fa / n:>14.3f}"
    print(line)


if __name__ == "__main__":
    main()
