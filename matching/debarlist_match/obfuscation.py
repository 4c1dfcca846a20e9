"""Undoing obfuscated writing of a name before it is normalised (algorithm 1.4).

A bidder who wants to slip past screening can write a listed name so that it looks the same to a
person but not to a string comparison: small capitals, a combining overlay after every letter,
letters of another script that look alike, digits for letters, letters spread apart.  ``fold``
undoes the character-level tricks on the raw name and says which ones it undid; the spread-out
letters are collapsed by ``collapse_letter_runs`` on the casefolded text, because telling them from
dotted legal forms (S.r.l., Ε.Π.Ε.) needs the legal-form tables of ``normalise``.

Tables, all from maintained Unicode data rather than written by hand (see docs/matching.md):

* ICU (PyICU, already installed through rigour -> normality): UTS #39 confusable skeletons
  (``SpoofChecker``: Cyrillic/Greek/Cherokee/Lisu... look-alikes of Latin letters), the CLDR
  ``Latin-ASCII`` transform (small capitals and other Latin letters NFKD leaves alone), the
  ``Default_Ignorable_Code_Point`` property (zero-width and other invisible characters) and the
  script of each character.
* Python's ``unicodedata``: NFKC (fullwidth, mathematical alphanumerics, circled and squared
  letters, superscripts), decomposition tags (to name what NFKC undid), canonical combining class 1
  (the overlays) and the character names of the enclosed letters NFKC does not decompose
  (negative circled/squared, parenthesized, regional indicators).

Every fold is also applied to listed names, so an exact listed spelling still meets itself.
"""

from __future__ import annotations

import re
import string
import threading
import unicodedata
from collections.abc import Callable

import icu

HIDDEN = "hidden_characters"
ENCLOSED = "enclosed_letters"
FULLWIDTH = "fullwidth"
MATH = "mathematical_alphanumerics"
SUPERSCRIPT = "superscripts"
SMALL_CAPITALS = "small_capitals"
COMBINING = "combining_marks"
MIXED_SCRIPT = "mixed_script"
CONFUSABLES = "confusables"
DIGITS = "digit_for_letter"
SEPARATED = "separated_letters"

_SPOOF = icu.SpoofChecker()
_LATIN_ASCII = icu.Transliterator.createInstance("Latin-ASCII")
_IGNORABLE = icu.UnicodeSet("[:Default_Ignorable_Code_Point:]")
_IGNORABLE.freeze()

# Latin letters normalise.py folds itself, with the expansion its skeleton needs (đ -> dj, ø -> oe).
_NATIVE_LATIN = frozenset("łŁđĐøØæÆßẞþÞðÐıəƏœŒ")
# Decomposition tags of the NFKC folds worth naming in an explanation.
_TAG_KIND = {
    "<wide>": FULLWIDTH,
    "<font>": MATH,
    "<super>": SUPERSCRIPT,
    "<sub>": SUPERSCRIPT,
    "<circle>": ENCLOSED,
    "<square>": ENCLOSED,
}
# Whole words in these scripts are read as Latin look-alikes when every letter has one: no listed
# name is written in them, while Cherokee and Lisu are full of Latin capitals' twins.
_LOOKALIKE_SCRIPTS = frozenset({"Cher", "Lisu", "Cans", "Copt"})
# Scripts whose letters are spelled out one by one in a name ("С Т Р О Й"); not Han, Kana or Hangul,
# whose single characters are whole syllables or words.
_ALPHABETS = frozenset({"Latn", "Cyrl", "Grek", "Armn", "Geor"})
# Preferred letters when a Latin letter is mapped back into the word's own script (basic blocks first).
_SCRIPT_BLOCKS = {
    "Cyrl": (range(0x0410, 0x0450), range(0x0400, 0x0410), range(0x0450, 0x0530)),
    "Grek": (range(0x0391, 0x03CA), range(0x0370, 0x0391), range(0x03CA, 0x0400)),
}

_WORD = re.compile(r"[^\W\d_]+")
# Digits and signs written for letters, only inside a word that is otherwise alphabetic.
# "1" is i or l by its neighbours (see _digit_letter).
_SUBST = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i"}
_SUBST_WORD = re.compile(r"(?:[^\W_]|[@$!])+")
_SUBST_HINT = re.compile(r"[^\W\d_][0-9@$!]|[0-9@$!][^\W\d_]")
_VOWELS = frozenset("aeiouyAEIOUY")
_REGIONAL_RUN = re.compile("[\U0001f1e6-\U0001f1ff]{3,}")


_SCRIPTS: dict[str, str] = {}
_PRE: dict[str, tuple[str, str | None]] = {}
_VARIANTS: dict[str, tuple[str, str | None] | None] = {}
_LATIN_STRICT: dict[str, str | None] = {}
_LATIN_LOOSE: dict[str, str | None] = {}
# ICU transliterators are not to be shared between threads unguarded; they only run on a cache miss.
_TRANSLIT_LOCK = threading.Lock()


def _script(ch: str) -> str:
    """ISO 15924 code of a character's script (Zyyy common, Zinh inherited)."""
    s = _SCRIPTS.get(ch)
    if s is None:
        s = _SCRIPTS[ch] = icu.Script.getScript(ch).getShortName()
    return s


def _build_enclosed() -> dict[str, str]:
    """Enclosed letters by their Unicode names (NFKC leaves the negative, parenthesized and regional ones)."""
    out: dict[str, str] = {}
    pattern = re.compile(r"(?:LATIN (CAPITAL|SMALL) LETTER|REGIONAL INDICATOR SYMBOL LETTER) ([A-Z])$")
    for cp in (*range(0x2460, 0x2500), *range(0x1F100, 0x1F200)):
        m = pattern.search(unicodedata.name(chr(cp), ""))
        if m:
            out[chr(cp)] = m.group(2).lower() if m.group(1) == "SMALL" else m.group(2)
    return out


_ENCLOSED = _build_enclosed()


def _pre(ch: str) -> tuple[str, str | None]:
    """(replacement, kind) for one non-ASCII character of the raw name, before NFKC."""
    got = _PRE.get(ch)
    if got is not None:
        return got
    if _IGNORABLE.contains(ch):
        got = ("", HIDDEN)
    elif ch in _ENCLOSED and not ("\U0001f1e6" <= ch <= "\U0001f1ff"):
        got = (_ENCLOSED[ch], ENCLOSED)
    else:
        tag = unicodedata.decomposition(ch).split(" ", 1)[0]
        kind = _TAG_KIND.get(tag)
        if kind is not None and not any(c.isalpha() for c in unicodedata.normalize("NFKC", ch)):
            kind = None  # ① or ＄ are not letters in disguise
        got = (ch, kind)
    _PRE[ch] = got
    return got


def _latin_variant(ch: str) -> tuple[str, str | None] | None:
    """A Latin letter NFKD leaves non-ASCII (small capital, hooked letter) -> its CLDR Latin-ASCII form."""
    if ch in _VARIANTS:
        return _VARIANTS[ch]
    got: tuple[str, str | None] | None = None
    if ch.isalpha() and ch not in _NATIVE_LATIN and _script(ch) == "Latn":
        base = unicodedata.normalize("NFKD", ch)
        if not any(c.isascii() for c in base):
            with _TRANSLIT_LOCK:
                ascii_ = _LATIN_ASCII.transliterate(ch)
            if ascii_ != ch and ascii_.isascii() and ascii_.isalpha():
                name = unicodedata.name(ch, "")
                got = (ascii_.lower(), SMALL_CAPITALS if "SMALL CAPITAL" in name else None)
    _VARIANTS[ch] = got
    return got


# UTS #39 prototypes of the ASCII letters ("l" is the prototype of both l and I, "rn" of m).
_PROTO: dict[str, list[str]] = {}
for _c in string.ascii_letters:
    _PROTO.setdefault(_SPOOF.getSkeleton(0, _c), []).append(_c)


def _from_proto(proto: str, upper: bool) -> str | None:
    letters = _PROTO.get(proto)
    if not letters:
        return None
    for c in letters:
        if c.isupper() == upper:
            return c
    return letters[0].upper() if upper else letters[0].lower()


def to_latin(ch: str, loose: bool = True) -> str | None:
    """The ASCII letter a non-Latin letter is confusable with (UTS #39 skeleton), or None.

    ``loose`` also lets a lower-case letter stand for its capital's twin (н for H, т for T, в for B):
    right for a letter inside a Latin word, too generous to decide which script a word is in.
    """
    cache = _LATIN_LOOSE if loose else _LATIN_STRICT
    if ch in cache:
        return cache[ch]
    got: str | None = None
    if ch.isalpha() and not ch.isascii() and _script(ch) not in ("Latn", "Zyyy", "Zinh"):
        got = _from_proto(_SPOOF.getSkeleton(0, ch), ch.isupper())
        if got is None and loose and ch.islower() and len(ch.upper()) == 1:
            hit = _from_proto(_SPOOF.getSkeleton(0, ch.upper()), True)
            got = hit.lower() if hit else None
    cache[ch] = got
    return got


def _build_reverse(script: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for block in _SCRIPT_BLOCKS[script]:
        for cp in block:
            ch = chr(cp)
            lat = to_latin(ch, loose=False) if ch.isalpha() and _script(ch) == script else None
            if lat is not None:
                out.setdefault(lat, ch)
    return out


# Latin letter -> the look-alike letter of the script (for Latin letters typed into a Cyrillic word).
_REVERSE = {s: _build_reverse(s) for s in _SCRIPT_BLOCKS}


def homoglyph_table() -> dict[int, str]:
    """str.translate table: lower-case Cyrillic/Greek letters -> their Latin look-alikes."""
    out: dict[int, str] = {}
    for blocks in _SCRIPT_BLOCKS.values():
        for block in blocks:
            for cp in block:
                ch = chr(cp)
                if ch.islower():
                    lat = to_latin(ch)
                    if lat is not None:
                        out[cp] = lat.lower()
    return out


def _resolve_word(word: str, name_latin: int, name_other: dict[str, int]) -> tuple[str, str | None]:
    """One word mixing scripts, read in one script; a word in a look-alike script as Latin.

    A word that reads wholly in only one of its scripts is read in that one ("Стрoй" stays Cyrillic:
    й has no Latin twin; "Kirmizitеpе" is Latin).  If it reads in both, the name's majority script
    decides; if in neither, the word's majority, mapping what has a twin.
    """
    scripts = [_script(c) for c in word]
    n_latin = scripts.count("Latn")
    others: dict[str, int] = {}
    for s in scripts:
        if s not in ("Latn", "Zyyy", "Zinh"):
            others[s] = others.get(s, 0) + 1
    if not others:
        return word, None
    if n_latin == 0:
        if len(others) == 1 and next(iter(others)) in _LOOKALIKE_SCRIPTS:
            mapped = [to_latin(c) for c in word]
            if all(mapped):
                return "".join(m or "" for m in mapped), CONFUSABLES
        return word, None
    main = max(others, key=lambda s: others[s])
    pairs = list(zip(word, scripts, strict=True))
    latin_ok = all(s in ("Latn", "Zyyy", "Zinh") or to_latin(c, loose=False) for c, s in pairs)
    reverse = _REVERSE.get(main)
    native_ok = reverse is not None and len(others) == 1 and all(c in reverse for c, s in pairs if s == "Latn")
    if latin_ok and native_ok:
        latin = name_latin > name_other.get(main, 0) or (
            name_latin == name_other.get(main, 0) and n_latin >= others[main]
        )
    elif latin_ok or native_ok:
        latin = latin_ok
    else:
        latin = n_latin >= others[main] or reverse is None
    if latin:
        out = "".join(c if s in ("Latn", "Zyyy", "Zinh") else (to_latin(c) or c) for c, s in pairs)
    else:
        assert reverse is not None
        out = "".join(reverse.get(c, c) if s == "Latn" else c for c, s in pairs)
    return out, (MIXED_SCRIPT if out != word else None)


def _digit_letter(word: str, i: int) -> str:
    """1 is l between vowels or next to one at the edge (Te1ecom, Capita1), otherwise i (K1rm1z1tepe)."""
    near = [word[j] for j in (i - 1, i + 1) if 0 <= j < len(word) and word[j].isalpha()]
    return "l" if near and all(c in _VOWELS for c in near) else "i"


def _fold_digits(word: str) -> str | None:
    """Digits and signs for letters in a word that is otherwise alphabetic, or None to keep it."""
    letters = sum(1 for c in word if c.isalpha())
    subs = [i for i, c in enumerate(word) if c in _SUBST]
    if not subs or letters < 3 or len(subs) > letters + 1 or len(subs) + letters != len(word):
        return None  # genuine numbers and codes (Avtobaza12, G4S, 2000) keep their digits
    interior = False
    run = 0
    for i, c in enumerate(word):
        if c in _SUBST:
            run += 1
            if run > 2:
                return None
        else:
            if run and i - run > 0 and word[i - run - 1].isalpha():
                interior = True
            run = 0
    if not interior:
        return None  # digits only at an edge are a number written on (Mostostroy7, 3M, 7Eleven)
    out = [(_digit_letter(word, i) if c == "1" else _SUBST[c]) if c in _SUBST else c for i, c in enumerate(word)]
    return "".join(out)


def _char_set(pattern: str, extra: str = "") -> frozenset[str]:
    """The characters of an ICU UnicodeSet pattern (plus ``extra``); set tests beat big regex classes."""
    chars = {chr(cp) for a, b in icu.UnicodeSet(pattern).ranges() for cp in range(ord(a), ord(b) + 1)}
    return frozenset(chars | set(extra))


# Cheap tests that send a name down the slower per-character paths only when they can change it.
_PRE_SUSPECT = _char_set(
    "[[:Default_Ignorable_Code_Point:][:dt=Wide:][:dt=Font:][:dt=Super:][:dt=Sub:][:dt=Circle:][:dt=Square:]]",
    "".join(_ENCLOSED),
)
_LATIN_LETTERS = _char_set("[[:Latin:]&[:L:]]")
_MARK_OR_VARIANT = _char_set("[[:Mn:][:Me:]]", "".join(c for c in _LATIN_LETTERS if _latin_variant(c) is not None))
# Letters of the scripts a word may be confusably mixed from (Han, Kana, Arabic ... are left alone).
_MIXABLE_SCRIPTS = frozenset({"Cyrl", "Grek", "Armn", "Geor"}) | _LOOKALIKE_SCRIPTS
_MIXABLE_LETTERS = _char_set(
    "[[:L:]&[[:Cyrillic:][:Greek:][:Armenian:][:Georgian:][:Cherokee:][:Lisu:][:Canadian_Aboriginal:][:Coptic:]]]"
)
_LOOKALIKE_LETTERS = _char_set("[[:L:]&[[:Cherokee:][:Lisu:][:Canadian_Aboriginal:][:Coptic:]]]")
_SUBST_CHARS = frozenset(_SUBST)


def _fold_chars(text: str, kinds: list[str]) -> str:
    """Drop decorative combining marks; Latin letters NFKD leaves alone (small capitals) to ASCII."""
    buf: list[str] = []
    latin_base = False
    for ch in text:
        if ch.isascii():
            buf.append(ch)
            latin_base = ch.isalpha()
            continue
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me"):
            # Overlays (class 1: U+0334-U+0338, U+20D2 ...), enclosing marks and marks for symbols are
            # never spelling; any mark NFKC could not compose onto a Latin letter is decoration too.
            if latin_base or cat == "Me" or unicodedata.combining(ch) == 1 or "\u20d0" <= ch <= "\u20ff":
                if COMBINING not in kinds:
                    kinds.append(COMBINING)
                continue
            buf.append(ch)
            continue
        variant = _latin_variant(ch)
        if variant is not None:
            buf.append(variant[0])
            if variant[1] is not None and variant[1] not in kinds:
                kinds.append(variant[1])
            latin_base = True
            continue
        latin_base = ch.isalpha() and _script(ch) == "Latn"
        buf.append(ch)
    return "".join(buf)


def _fold_words(text: str, kinds: list[str]) -> str:
    """Words mixing Latin with Cyrillic/Greek/... letters read in one script; look-alike-script words as Latin."""
    name_latin = 0
    name_other: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            sc = "Latn" if ch.isascii() else _script(ch)
            if sc == "Latn":
                name_latin += 1
            else:
                name_other[sc] = name_other.get(sc, 0) + 1

    def sub(m: re.Match[str]) -> str:
        word = m.group(0)
        if word.isascii() or _MIXABLE_LETTERS.isdisjoint(word):
            return word
        if _LOOKALIKE_LETTERS.isdisjoint(word) and _LATIN_LETTERS.isdisjoint(word):
            return word  # one script only (a Cyrillic word): nothing is mixed
        if any(_script(c) not in _MIXABLE_SCRIPTS and _script(c) not in ("Latn", "Zyyy", "Zinh") for c in word):
            return word
        new, kind = _resolve_word(word, name_latin, name_other)
        if kind is not None and kind not in kinds:
            kinds.append(kind)
        return new

    return _WORD.sub(sub, text)


def fold(name: str) -> tuple[str, tuple[str, ...]]:
    """NFKC text of a raw name with character-level obfuscations undone, and the kinds undone."""
    kinds: list[str] = []
    text = name
    if not text.isascii():
        if _REGIONAL_RUN.search(text):
            # Regional indicators spell letters in a run of three or more; a pair alone is a flag.
            text = _REGIONAL_RUN.sub(lambda m: "".join(_ENCLOSED[c] for c in m.group(0)), text)
            kinds.append(ENCLOSED)
        if not _PRE_SUSPECT.isdisjoint(text):
            buf: list[str] = []
            for ch in text:
                if ch.isascii():
                    buf.append(ch)
                    continue
                rep, kind = _pre(ch)
                buf.append(rep)
                if kind is not None and kind not in kinds:
                    kinds.append(kind)
            text = "".join(buf)
        text = unicodedata.normalize("NFKC", text)
        if not text.isascii():
            if not _MARK_OR_VARIANT.isdisjoint(text):
                text = _fold_chars(text, kinds)
            if not _MIXABLE_LETTERS.isdisjoint(text) and (
                not _LATIN_LETTERS.isdisjoint(text) or not _LOOKALIKE_LETTERS.isdisjoint(text)
            ):
                text = _fold_words(text, kinds)
    if not _SUBST_CHARS.isdisjoint(text) and _SUBST_HINT.search(text):
        changed = False

        def sub(m: re.Match[str]) -> str:
            nonlocal changed
            new = _fold_digits(m.group(0))
            if new is None:
                return m.group(0)
            changed = True
            return new

        text = _SUBST_WORD.sub(sub, text)
        if changed:
            kinds.append(DIGITS)
    return text, tuple(kinds)


_SEPARATED = re.compile(r"(?<![^\W_])([^\W\d_])(\.\s?|\s|-|_|·|•)[^\W\d_](?:\2[^\W\d_])+(?![^\W_])(?:\.(?![^\W_]))?")


_LAST_WORD = re.compile(r"([^\W_]+)[\W_]*$")


def collapse_letter_runs(text: str, keep: Callable[[str, str], bool]) -> tuple[str, bool]:
    """Runs of three or more single letters with one separator ("K.i.r.m.i", "K i r m", "K-L-M") -> one word.

    ``keep(run, previous_word)`` says a run is (part of) a legal form to leave to the legal-form tables
    (S.r.l., Ε.Π.Ε., the "z o o" of "Sp. z o o").  Two-letter runs stay as
    they are: initials ("J.R. Smith") and legal forms ("P.T.", "z o.o.").  Returns the text and whether
    anything was collapsed.
    """
    if not _SEPARATED.search(text):
        return text, False
    changed = False

    def sub(m: re.Match[str]) -> str:
        nonlocal changed
        run = m.group(0)
        letters = [c for c in run if c.isalpha()]
        prev = _LAST_WORD.search(text, max(0, m.start() - 24), m.start())
        if any(_script(c) not in _ALPHABETS for c in letters) or keep(run, prev.group(1) if prev else ""):
            return run
        changed = True
        return "".join(letters)

    return _SEPARATED.sub(sub, text), changed
