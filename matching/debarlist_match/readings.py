"""Second readings: one native spelling, two established romanisations.

Some scripts and alphabets are romanised two ways that differ in letters, not in style, so a name written
the other way is two or three edits off in a short word, which the typo model rightly refuses:

* **Armenian** has an Eastern and a Western reading.  The Western one swaps voiced and voiceless stops
  and affricates (բ/պ, գ/կ, դ/տ, ձ/ծ, ջ/ճ): Վանաձոր is Vanadzor in the East and Vanatsor in the West,
  Պահնորդ is Pahnord and Bahnort, Գյումրի is Gyumri and Kyumri.  rigour transliterates the Eastern
  reading; the Western one is the same transliteration of the letters swapped.
* **Mongolian** Cyrillic ө and ү have no Latin letter: registries write ö/ü, English writers o/u
  ("Мөнх" = Mönh = Monkh = Munkh, "Үйлчилгээ" = Üilchilgee = Uilchilgee).  rigour reads them o/u; the
  second reading is u for both, the English usage for the names the lists carry (Munkh, Tumur, Uul).
* **Azerbaijani** ə is written a (passports, "Mammadov") or e (Turkish keyboards, "Memmedov").  The fold
  reads a; the second reading is e.

Armenian and Mongolian firms also write their names in Latin letters in either convention, so a Latin
name of a firm of Armenia (AM) gets the other reading of its letters (dz/ts, ch/j, b/p, d/t, g/k swapped),
and one of Mongolia (MN) reads ö and ü as u.  The country must be known for that: Latin letters alone do
not say the name is Armenian.

A listed name carrying any of these letters gets its second reading as one more name of the same subject
(``PreparedName.reading`` says which), so a query written in either convention meets one of them in
full.  A query gets one only when it is itself written in these scripts (the index compares a Latin query
as written: the listed side carries both readings, and a second reading per query name would double the
comparisons).  One reading per name: a name that mixes the two conventions is still missed.  Names
without the letters pay one set test.
"""

from __future__ import annotations

import re

_ARMENIAN = re.compile(r"[\u0531-\u0587]")
_WESTERN_ARMENIAN = str.maketrans(
    "բպգկդտձծջճԲՊԳԿԴՏՁԾՋՃ",
    "պբկգտդծձճջՊԲԿԳՏԴԾՁՃՋ",
)
_MONGOLIAN_VOWELS = re.compile(r"[өүӨҮ]")
_MONGOLIAN_U = str.maketrans("өүӨҮ", "ууУУ")
_SCHWA = re.compile(r"[əƏ]")
_SCHWA_E = str.maketrans("əƏ", "eE")

WESTERN_ARMENIAN = "western_armenian"
MONGOLIAN_U = "mongolian_u"
AZERBAIJANI_E = "azerbaijani_e"


_LATIN_ARMENIAN_STOPS = re.compile(r"dz|ts|ch|[jbpdtgk]", re.IGNORECASE)
_LATIN_ARMENIAN_SWAP = {"dz": "ts", "ts": "dz", "ch": "j", "j": "ch", "b": "p", "p": "b", "d": "t", "t": "d",
                        "g": "k", "k": "g"}  # fmt: skip
_LATIN_MONGOLIAN_VOWELS = re.compile(r"[öüÖÜ]")
_LATIN_MONGOLIAN_U = str.maketrans("öüÖÜ", "uuUU")


def _swap_latin_stops(match: re.Match[str]) -> str:
    found = match.group(0)
    other = _LATIN_ARMENIAN_SWAP[found.lower()]
    return other.capitalize() if found[0].isupper() else other


def other_armenian_reading(fold: str) -> str:
    """The other reading of one folded Latin word of an Armenian name (applied to the prepared words, so
    the legal form, already taken off, is not respelt: "CJSC" stays a legal form)."""
    return _LATIN_ARMENIAN_STOPS.sub(_swap_latin_stops, fold)


def latin_armenian(name: str, country: str | None) -> bool:
    """Whether ``name`` is the Latin spelling of a firm of Armenia (its words get other_armenian_reading)."""
    return country == "AM" and name.isascii()


def second_readings(name: str, country: str | None = None) -> list[tuple[str, str]]:
    """(reading kind, the name spelt so that the transliteration gives the other reading) per convention
    the name is written in; empty for most names.  ``country`` (ISO alpha-2) enables the Mongolian Latin
    reading (the Armenian one is per word: other_armenian_reading)."""
    out: list[tuple[str, str]] = []
    if _ARMENIAN.search(name):
        out.append((WESTERN_ARMENIAN, name.translate(_WESTERN_ARMENIAN)))
    if _MONGOLIAN_VOWELS.search(name):
        out.append((MONGOLIAN_U, name.translate(_MONGOLIAN_U)))
    elif country == "MN" and _LATIN_MONGOLIAN_VOWELS.search(name):
        out.append((MONGOLIAN_U, name.translate(_LATIN_MONGOLIAN_U)))
    if _SCHWA.search(name):
        out.append((AZERBAIJANI_E, name.translate(_SCHWA_E)))
    return out
