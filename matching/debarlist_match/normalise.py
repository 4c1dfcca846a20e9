"""Name normalisation: scripts, transliteration, legal forms, tokens and skeletons.

Every name becomes a sequence of tokens, each in two forms:

* ``fold``: the Latin-ASCII transliteration (rigour's ``maybe_ascii`` for
  Cyrillic/Greek/Georgian/Armenian; diacritics folded: ``ş`` -> ``s``).
* ``skel``: a phonetic "skeleton" that collapses the differences between the
  romanisation conventions of the same Cyrillic name (BGN/PCGN, ICAO, German,
  French, Polish, informal) and between written/folded/expanded diacritics.

Both forms are compared; the skeleton gives recall across conventions, the
fold keeps exact spellings slightly ahead.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from rigour.names import extract_org_types, remove_org_types
from rigour.text.translit import maybe_ascii

from debarlist_match.compound import split_compound
from debarlist_match.legal_forms import ABBREVIATIONS, HAN_FORMS, NATIVE_FORMS, edge_class, edge_table
from debarlist_match.memo import word_memo
from debarlist_match.numbers import normalise_numbers
from debarlist_match.obfuscation import SEPARATED, collapse_letter_runs, fold, homoglyph_table
from debarlist_match.places import place_skeletons
from debarlist_match.readings import WESTERN_ARMENIAN, latin_armenian, other_armenian_reading, second_readings

# Diacritics that conventions *expand* (German ü -> ue, Czech/Serbian č -> ch,
# Polish ż -> zh-like).  Used only for the skeleton; the fold form drops them.
_EXPAND = str.maketrans(
    {
        "č": "ch",
        "ć": "ch",
        "š": "sh",
        "ś": "s",
        "ž": "zh",
        "ż": "zh",
        "ź": "z",
        "ł": "l",
        "đ": "dj",
        "ş": "sh",
        "ș": "sh",
        "ţ": "ts",
        "ț": "ts",
        "ç": "ch",
        "ğ": "g",
        "ı": "i",
        "ü": "ue",
        "ö": "oe",
        "ä": "ae",
        "ø": "oe",
        "æ": "ae",
        "å": "aa",
        "ő": "oe",
        "ű": "ue",
        "ñ": "ny",
        "ß": "ss",
        "þ": "th",
        "ð": "d",
        "ё": "yo",
        "ə": "a",
    }
)
# Latin letters NFKD does not decompose.
_FOLD_EXTRA = str.maketrans(
    {"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "ß": "ss", "þ": "th", "ð": "d", "ı": "i", "ə": "a", "œ": "oe"}
)

# Ordered skeleton rewrite rules over lower-case ASCII.  Replacements are
# upper-case markers so later rules cannot re-match their output; the result is
# lower-cased at the end.  Longest / most specific patterns come first.
_SKELETON_RULES: tuple[tuple[str, str], ...] = (
    ("schtsch", "S"),
    ("chtch", "S"),
    ("shch", "S"),
    ("szcz", "S"),
    ("tsch", "H"),
    ("sch", "S"),
    ("tch", "H"),
    ("dzh", "S"),
    ("zh", "S"),
    ("kh", "H"),
    ("ch", "H"),
    ("cz", "H"),
    ("sh", "S"),
    ("sz", "S"),
    ("zs", "S"),
    ("ts", "C"),
    ("tz", "C"),
    ("ph", "F"),
    ("ck", "K"),
    ("gh", "H"),
    ("th", "T"),
    ("dj", "D"),
    ("iya", "A"),
    ("ija", "A"),
    ("iy", "I"),
    ("ij", "I"),
    ("yj", "I"),
    ("yi", "I"),
    ("ii", "I"),
    ("ya", "A"),
    ("ia", "A"),
    ("ja", "A"),
    ("yu", "U"),
    ("iu", "U"),
    ("ju", "U"),
    ("ye", "E"),
    ("ie", "E"),
    ("je", "E"),
    ("yo", "O"),
    ("io", "O"),
    ("jo", "O"),
    ("ue", "U"),
    ("oe", "O"),
    ("ae", "A"),
    ("ou", "U"),
    # j after a vowel is the glide й (Stroj = Stroi = Stroy), elsewhere it is a consonant.
    ("aj", "AI"),
    ("ej", "EI"),
    ("oj", "OI"),
    ("uj", "UI"),
    ("Aj", "AI"),
    ("Ej", "EI"),
    ("Oj", "OI"),
    ("Uj", "UI"),
    ("Ij", "I"),
    ("h", "H"),
    ("g", "H"),
    ("x", "KS"),
    ("c", "C"),
    ("w", "V"),
    ("q", "K"),
    ("y", "I"),
    ("i", "I"),
    ("j", "S"),
    ("z", "S"),
)

_APOSTROPHES = re.compile(r"['’ʼ`´ʹ‘ʻ]")
_NON_WORD = re.compile(r"[\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_FORMS = re.compile("|".join(re.escape(f) for f, _ in HAN_FORMS))
_HAN_CLASS = dict(HAN_FORMS)
# Scripts rigour transliterates (Greek, Cyrillic, Armenian, Georgian, Hangul); Latin goes our own way
# so the diacritic expansion (ü -> ue, č -> ch) can feed the skeleton.
_NON_LATIN = re.compile(
    r"[\u0370-\u03ff\u1f00-\u1fff\u0400-\u052f\u0530-\u058f\u10a0-\u10ff\u1c90-\u1cbf\uac00-\ud7af]"
)


_LATIN_LETTER = re.compile(r"[a-z]")
_DOTTED_LETTER = re.compile(r"(?<![^\W_])([^\W\d_])\.")
_CONNECTORS = frozenset({"the", "and", "mr", "mrs", "ms", "miss", "messrs", "mme"})
# Legal forms that open a name and are written with dots as often as without ("P.T. Sinar Jaya" = "PT Sinar
# Jaya", Indonesian PT and CV; Russian/Kazakh/Ukrainian forms in Latin letters).  Other dotted letters opening
# a name are the firm's initials ("D.A. Construction").
_LONE_ROMAN = {"i": "1", "v": "5", "x": "10"}
_DOTTED_PREFIX_FORMS = frozenset({"pt", "cv", "ooo", "zao", "oao", "pao", "too", "tov", "ip", "chp"})
# Cyrillic and Greek lower-case letters that look like Latin ones (the text is casefolded by then), from
# the UTS #39 confusables (ICU).  obfuscation.fold has already settled most mixed words by script
# majority; this is the fallback for a token still mixing scripts.
_HOMOGLYPHS = homoglyph_table()


@word_memo(200_000)
def skeleton(fold: str) -> str:
    """Phonetic key of one lower-case ASCII token (see module docstring)."""
    s = fold
    for pat, rep in _SKELETON_RULES:
        if pat in s:
            s = s.replace(pat, rep)
    s = s.lower()
    if len(s) > 1:
        # Double letters are spelling noise (Occhrana, Russo/Ruso, Kiyiv -> kiiv).
        out = [s[0]]
        for ch in s[1:]:
            if ch != out[-1]:
                out.append(ch)
        s = "".join(out)
    return sys.intern(s)


def _ascii_fold(text: str) -> str:
    text = text.translate(_FOLD_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and not unicodedata.combining(c))


@word_memo(200_000)
def token_forms(token: str) -> tuple[str, str]:
    """(fold, skel) for one casefolded token; cached because names repeat words heavily."""
    if _NON_LATIN.search(token) and _LATIN_LETTER.search(token):
        # Latin and Cyrillic/Greek letters in one word: look-alike letters typed on the other keyboard.
        token = token.translate(_HOMOGLYPHS)
    token = ABBREVIATIONS.get(token, token)
    native = NATIVE_FORMS.get(token)
    if native is not None:
        return native, skeleton(native)
    if token.isascii():
        fold = token
        expanded = token
    elif _HAN.search(token):
        # Han characters are kept as they are: matched exactly, script against script.
        return sys.intern(token), sys.intern(token)
    elif _NON_LATIN.search(token):
        latin = maybe_ascii(token)  # Cyrillic/Greek/Georgian/Armenian -> Latin
        fold = _ascii_fold(latin).lower()
        expanded = fold
    else:
        fold = _ascii_fold(token).lower()
        expanded = _ascii_fold(token.translate(_EXPAND)).lower()
        if not fold:
            fold = expanded = token
    fold = sys.intern(fold)
    return fold, skeleton(expanded or fold)


def _split_han(token: str) -> list[str]:
    if not _HAN.search(token):
        return [token]
    out: list[str] = []
    buf = ""
    for ch in token:
        if _HAN.match(ch):
            if buf:
                out.append(buf)
                buf = ""
            out.append(ch)
        else:
            buf += ch
    if buf:
        out.append(buf)
    return out


def raw_tokens(text: str) -> list[str]:
    """Casefolded word tokens; apostrophes join (T'ransi, Об'єднання), Han splits per character."""
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    out: list[str] = []
    for tok in _NON_WORD.split(text):
        if tok:
            out.extend(_split_han(tok))
    return out


@dataclass(frozen=True, slots=True)
class PreparedName:
    original: str
    folds: tuple[str, ...]
    skels: tuple[str, ...]
    legal: str | None  # coarse legal-form class, or None
    legal_text: str  # the legal-form words as found (for explanations)
    folded: tuple[str, ...] = ()  # obfuscations undone (obfuscation.py kinds), for explanations
    compound_of: str = ""  # the compound string this name is a part of ("X (formerly Y)"), see compound.py
    han: bool = False  # written in Han characters (the firm is Chinese: pinyin names compare by syllable)
    reading: str = ""  # the second romanisation this name is (readings.py), "" for the name as written


def places() -> frozenset[str]:
    """Skeletons of place and branch words (built on first use, ~1.5 s)."""
    return place_skeletons(raw_tokens, token_forms)


_EDGE: dict[tuple[str, ...], str] = edge_table(skeleton)
_EDGE_MAX = max(len(k) for k in _EDGE)


def _rigour_legal(text: str) -> tuple[str, str | None, str]:
    """Remove rigour-known legal forms; return (rest, class, matched text)."""
    found = extract_org_types(text, generic=True)
    if not found:
        specific = extract_org_types(text)
        if not specific:
            return text, None, ""
        found = specific
        # rigour's specific codes ("ab", "oü", "oy") are not classes: map them onto ours.
        code = _ascii_fold(found[0][1]).lower()
        found = [(found[0][0], edge_class(code) or edge_class(skeleton(code)) or found[0][1]), *found[1:]]
    rest = remove_org_types(text, replacement=" ")
    if not _NON_WORD.sub("", rest):
        return text, None, ""  # the legal form *is* the whole name; keep it as name
    return rest, found[0][1], " ".join(m for m, _ in found)


@lru_cache(maxsize=10_000)
def _legal_run(run: str, previous: str) -> bool:
    """A run of single letters that is (part of) a legal form: "s.r.l.", "v.o.f.", the "z o o" of "Sp. z o o"."""
    rest = remove_org_types(run, replacement=" ")
    if not any(c.isalpha() for c in rest):
        return True
    forms = [token_forms(c) for c in run if c.isalpha()]
    folds = tuple(f for f, _ in forms)
    skels = tuple(s for _, s in forms)
    if folds in _EDGE or skels in _EDGE:
        return True
    if previous:
        pf, ps = token_forms(previous)
        return (pf, *folds) in _EDGE or (ps, *skels) in _EDGE
    return False


def prepare(name: str) -> PreparedName:
    """Normalise a name into tokens (legal forms stripped) plus its legal-form class."""
    # Obfuscated writing (small capitals, overlays, look-alike letters, digits for letters) undone first.
    text, folded = fold(name)
    # casefold turns Turkish İ into i + combining dot; drop the dot so the word is not split.
    text = text.casefold().replace("i\u0307", "i")
    # "K.i.r.m.i.z.i", "K i r m i z i", "K.L.M.": one word (dotted legal forms are left to the tables).
    text, collapsed = collapse_letter_runs(text, _legal_run)
    if collapsed:
        folded = (*folded, SEPARATED)
    # Number words, ordinals and Roman numerals as digits, before the legal-form tables see "II".
    text = normalise_numbers(text)
    legal: str | None = None
    legal_words: list[str] = []
    if _HAN.search(text):
        m = _HAN_FORMS.search(text)
        if m and text[: m.start()].strip():
            legal = _HAN_CLASS[m.group(0)]
            legal_words.append(m.group(0))
            text = text[: m.start()] + " " + text[m.end() :]
    text, rcls, rtext = _rigour_legal(text)
    if rcls:
        legal = legal or rcls
        legal_words.append(rtext)
    forms = [token_forms(t) for t in raw_tokens(text)]
    if len(forms) > 1:
        # Articles and connectors come and go between spellings ("The", "and"/"&") and name nothing.
        kept = [f for f in forms if f[0] not in _CONNECTORS]
        forms = kept or forms
    folds = [f for f, _ in forms]
    skels = [s for _, s in forms]
    # Edge table: one phrase at the start, up to two at the end, never emptying the name.
    start = 0
    end = len(skels)
    # A place added after the legal form ("Lojistik A.S. (Istanbul)") must not hide the form from the edge
    # table: trailing place words are set aside and put back after it.
    place_set = places()
    while end > 1 and skels[end - 1] in place_set:
        end -= 1
    tail = end
    for _ in range(3):
        for n in range(min(_EDGE_MAX, end - start - 1), 0, -1):
            cls = _EDGE.get(tuple(skels[end - n : end]))
            if cls is None:
                cls = _EDGE.get(tuple(folds[end - n : end]))
            if cls is not None:
                legal = legal or cls or None
                legal_words.insert(0, " ".join(folds[end - n : end]))
                end -= n
                break
        else:
            break
    for n in range(min(_EDGE_MAX, end - start - 1), 0, -1):
        cls = None
        if all(len(f) == 1 for f in folds[start : start + n]):
            joined = "".join(folds[start : start + n])
            if joined not in _DOTTED_PREFIX_FORMS:
                # Dotted letters opening a name ("D.A. Construction") are the firm's initials far more often
                # than a legal form; prefix forms that are written so (Serbian а.д.) are rigour's, not ours.
                continue
            cls = _EDGE.get((joined,)) or _EDGE.get((skeleton(joined),)) or edge_class(joined) or joined
        if cls is None:
            cls = _EDGE.get(tuple(skels[start : start + n]))
        if cls is None:
            cls = _EDGE.get(tuple(folds[start : start + n]))
        if cls is not None:
            legal = legal or cls or None
            legal_words.insert(0, " ".join(folds[start : start + n]))
            start += n
            break
    folds = folds[start:end] + folds[tail:]
    skels = skels[start:end] + skels[tail:]
    dotted = set(_DOTTED_LETTER.findall(text))
    keep = [
        i
        for i, f in enumerate(folds)
        if not (0 < i < len(folds) - 1 and len(f) == 1 and f not in dotted and len(folds[i - 1]) > 1
                and len(folds[i + 1]) > 1 and f.isalpha())
    ]  # fmt: skip
    if len(keep) < len(folds):
        # A lone undotted letter between two words is a connector ("Construcciones y Servicios", "Novak i
        # Partneri"), not an initial: dropped like "and", so it cannot pair up with a word as an initial.
        folds = [folds[i] for i in keep]
        skels = [skels[i] for i in keep]
    if len(folds) > 1 and folds[-1] in _LONE_ROMAN and folds[-1] not in dotted and len(folds[-2]) > 1:
        # An undotted I, V or X closing a name is a Roman numeral ("Marwood Fund I", "Stroy V"); initials
        # stand before the surname or carry a dot.
        folds[-1] = skels[-1] = _LONE_ROMAN[folds[-1]]
    return PreparedName(
        original=name,
        folds=tuple(folds),
        skels=tuple(skels),
        legal=legal,
        legal_text=" ".join(legal_words),
        folded=folded,
        han=bool(_HAN.search(name)),
    )


def prepare_names(names: Iterable[str], country: str | None = None) -> list[PreparedName]:
    """Every name prepared, compound strings split into their parts (compound.py); parts that are only
    places, legal forms or organisational words ("(Istanbul)", "(Pvt)", "(Group)") are dropped, and so
    are parts that repeat a name.  A name written in a script with two romanisations is followed by its
    second reading (readings.py; the subject's ``country`` enables the readings of Latin spellings)."""
    from debarlist_match.scoring import generic_skeletons  # scoring imports this module

    out: list[PreparedName] = []
    seen: set[tuple[str, ...]] = set()
    place_set = places()
    generic = generic_skeletons()

    def keep(pn: PreparedName) -> None:
        seen.add(pn.skels)
        out.append(pn)
        others = [(kind, prepare(text)) for kind, text in second_readings(pn.original, country)]
        if latin_armenian(pn.original, country):
            forms = [token_forms(other_armenian_reading(f)) for f in pn.folds]
            respelt = replace(pn, folds=tuple(f for f, _ in forms), skels=tuple(s for _, s in forms))
            others.append((WESTERN_ARMENIAN, respelt))
        for kind, other in others:
            if other.skels and other.skels not in seen:
                seen.add(other.skels)
                out.append(replace(other, original=pn.original, compound_of=pn.compound_of, reading=kind))

    for name in names:
        if not name or not name.strip():
            continue
        parts, _ = split_compound(name)
        if parts == [name]:
            keep(prepare(name))
            continue
        for part in parts:
            pn = prepare(part)
            if part == name:
                keep(pn)
                continue
            if not pn.skels or pn.skels in seen or all(s in place_set or s in generic for s in pn.skels):
                continue
            keep(replace(pn, compound_of=name))
    return out
