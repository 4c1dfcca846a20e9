"""Numbers in names: digits, number words, ordinals and Roman numerals read as one digit string.

"1st Construction Branch", "First Construction Branch" and "Первый строительный филиал" all carry the
number 1; "Avtobaza 12" and "Avtobaza Twelve" carry 12; "Fund II" carries 2.  Names are compared on
the digits, so the spelling of the number does not matter while the number itself does: a different
number in a series ("Mostostroy-7" / "Mostostroy-9", "2nd" / "3rd Construction Branch") is a
different entity (see scoring.NUMBER_PENALTY).

Number words are listed for English, Russian, Ukrainian and Kazakh (the region's main languages),
cardinals and ordinals in their common forms (1 to 20 and the tens); that is cheap and covers the
names seen on the lists.  rigour has no number-word table, and babel's spelled-out numbers go the other
way (number to words) and are a dependency for a few dozen words, so the table is our own.

Applied to casefolded text before tokenising, so the legal-form tables never see a Roman numeral ("II"
is a Spanish/Italian legal-form abbreviation to rigour).
"""

from __future__ import annotations

import re


def _words(text: str) -> list[str]:
    return text.split()


_EN_CARDINAL = _words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
)
_EN_ORDINAL = _words(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
)
_EN_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_EN_TENS_ORD = {"thirtieth": 30, "fortieth": 40, "fiftieth": 50}

# Russian cardinals (with the gendered forms of 1 and 2) and ordinals in the nominative of each gender
# (ый/ий/ой, ая, ое) plus the genitive -ого that "... имени 1-го мая" style names use.
_RU_CARDINAL = {
    "один": 1, "одна": 1, "одно": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6,
    "семь": 7, "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
    "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17,
    "восемнадцать": 18, "девятнадцать": 19, "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50,
}  # fmt: skip
_RU_ORDINAL_STEMS = {
    "перв": 1, "втор": 2, "трет": 3, "четверт": 4, "пят": 5, "шест": 6, "седьм": 7, "восьм": 8,
    "девят": 9, "десят": 10, "одиннадцат": 11, "двенадцат": 12, "двадцат": 20,
}  # fmt: skip
_RU_ENDINGS = ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ья", "ье", "ого", "его", "ьего")
# Ukrainian ordinals (перший, друга, третє ...) and cardinals that differ from Russian.
_UK = {
    "перший": 1, "перша": 1, "перше": 1, "другий": 2, "друга": 2, "друге": 2, "третій": 3, "третя": 3,
    "третє": 3, "четвертий": 4, "четверта": 4, "п'ятий": 5, "пятий": 5, "один": 1, "дві": 2, "чотири": 4,
    "шість": 6, "сім": 7, "вісім": 8, "дев'ять": 9, "десять": 10,
}  # fmt: skip
# Kazakh cardinals and ordinals (-ншы/-нші, -ыншы/-інші).
_KK = {
    "бір": 1, "екі": 2, "үш": 3, "төрт": 4, "бес": 5, "алты": 6, "жеті": 7, "сегіз": 8, "тоғыз": 9, "он": 10,
    "бірінші": 1, "екінші": 2, "үшінші": 3, "төртінші": 4, "бесінші": 5, "алтыншы": 6, "жетінші": 7,
    "сегізінші": 8, "тоғызыншы": 9, "оныншы": 10,
}  # fmt: skip


def _build_words() -> dict[str, int]:
    words: dict[str, int] = {}
    for n, w in enumerate(_EN_CARDINAL):
        words[w] = n
    for n, w in enumerate(_EN_ORDINAL):
        words[w] = n
    words.update(_EN_TENS)
    words.update(_EN_TENS_ORD)
    words.update(_RU_CARDINAL)
    for stem, n in _RU_ORDINAL_STEMS.items():
        for end in _RU_ENDINGS:
            words[stem + end] = n
    words.update(_UK)
    words.update(_KK)
    # "zero" names no series; Kazakh "он" (10) is also the Russian pronoun "he".
    del words["zero"], words["zeroth"], words["он"]
    # "second" is also a plain English word, but in a firm's name ("Second Avenue Holdings") it is the
    # number all the same.
    return words


NUMBER_WORDS: dict[str, int] = _build_words()
_ALTERNATIVES = "|".join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True))
_WORD_RE = re.compile(r"(?<![\w'])(" + _ALTERNATIVES + r")(?![\w'])")
# A digit run followed by an ordinal ending: 1st 2nd 3rd 4th, Russian/Ukrainian 1-й 2-я 3-е 5-го, Kazakh 1-ші.
_ORDINAL_RE = re.compile(r"(?<!\w)(\d+)\s?(?:st|nd|rd|th|-?(?:й|я|е|ый|ий|ой|ая|ое|го|ого|му|ші|шы|ыншы|інші))(?!\w)")
# Roman numerals II..XXXIX as separate words ("Fund II", "Stroy-III"); a lone "I", "V" or "X" is an initial.
_ROMAN_RE = re.compile(r"(?<![\w'])(?=[ivx]{2})(x{0,3})(ix|iv|v?i{0,3})(?![\w'])")
_DIGIT = re.compile(r"\d")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "": 0}
# A word glued to a number closing it ("Avtobaza12", "Mostostroy7") is the word and the number; codes with
# fewer letters or digits inside ("G4S", "3M", "A1") are one token.
_GLUED_RE = re.compile(r"(?<!\w)([^\W\d_]{3,})(\d+)(?!\w)")
# A tens word and a unit word next to each other ("twenty one", "twenty-one", "двадцать пять").
_TENS_UNITS_RE = re.compile(r"(?<!\d)([2-9]0)[\s-]+([1-9])(?!\d)")


def _roman(m: re.Match[str]) -> str:
    text = m.group(0)
    if text == "xi":  # "Xi" is far more often the Chinese surname than 11
        return text
    return str(10 * len(m.group(1)) + _ROMAN[m.group(2)])


def normalise_numbers(text: str) -> str:
    """Casefolded ``text`` with every number written as its digits (see module docstring)."""
    if _DIGIT.search(text) is None:
        out = text
    else:
        out = _ORDINAL_RE.sub(r"\1", text)
        out = _GLUED_RE.sub(r"\1 \2", out)
        out = _ORDINAL_RE.sub(r"\1", out)
    out = _ROMAN_RE.sub(_roman, out)
    if _WORD_RE.search(out):
        out = _WORD_RE.sub(lambda m: str(NUMBER_WORDS[m.group(1)]), out)
        out = _TENS_UNITS_RE.sub(lambda m: str(int(m.group(1)) + int(m.group(2))), out)
    return out


def is_number(token: str) -> bool:
    return token.isdigit()


__all__ = ["NUMBER_WORDS", "is_number", "normalise_numbers"]
