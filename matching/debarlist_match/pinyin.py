"""Chinese names in pinyin: a word made of pinyin syllables is compared syllable by syllable.

One letter changes one syllable into another and the word into another name: Qingyuan / Pingyuan,
Changzhou / Guangzhou, Hunan / Henan are different cities, "Li Wei-ming" is not "Li Wei-min".  Where both
words read as two or more pinyin syllables the typo model does not apply: they are the same word or
different ones.  A word of another language that happens to read as pinyin keeps its typo tolerance
against any word that does not.

The syllables are the initials and finals of Hanyu Pinyin combined under its main rules (j/q/x only before
i and ü finals, zh/ch/sh/r/z/c/s/g/k/h never before them, and so on); the table slightly over-generates
(a few combinations no Mandarin word uses), which only makes more words count as pinyin.
"""

from __future__ import annotations

from functools import lru_cache

_INITIALS = ("b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
             "zh", "ch", "sh", "r", "z", "c", "s", "y", "w", "")  # fmt: skip
_PLAIN = ("a", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ong", "u", "ua", "uo", "uai",
          "ui", "uan", "un", "uang")  # fmt: skip
_I_FINALS = ("i", "ia", "ie", "iao", "iu", "ian", "in", "iang", "ing", "iong")
_U_FINALS = ("u", "ue", "uan", "un")  # ü written u after j, q, x, y


def _syllables() -> frozenset[str]:
    out: set[str] = set()
    for ini in _INITIALS:
        if ini in ("j", "q", "x"):
            out.update(ini + f for f in (*_I_FINALS, *_U_FINALS))
        elif ini in ("zh", "ch", "sh", "r", "z", "c", "s"):
            out.update(ini + f for f in (*_PLAIN, "i"))
        elif ini in ("g", "k", "h"):
            out.update(ini + f for f in _PLAIN)
        elif ini == "y":
            out.update(("ya", "yo", "ye", "yao", "you", "yan", "yin", "yang", "ying", "yong", "yi", "yu", "yue",
                        "yuan", "yun"))  # fmt: skip
        elif ini == "w":
            out.update(("wa", "wo", "wai", "wei", "wan", "wen", "wang", "weng", "wu"))
        elif ini == "":
            out.update(("a", "o", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "er"))
        else:  # b p m f d t n l
            out.update(ini + f for f in (*_PLAIN, *_I_FINALS) if not (ini in "bpmf" and f.startswith("u")
                       and f != "u"))  # fmt: skip
            if ini in ("n", "l"):
                out.update((ini + "ue", ini + "v", ini + "ve"))
    out.update(("bo", "po", "mo", "fo", "lo"))  # o stands alone after labials only
    out -= {"ra", "rai", "rei", "rua", "ruai", "ruang", "kei", "tei", "sei", "cei", "zhei"}
    # u-finals with a medial (ua, uai, uang) follow only g, k, h, zh, ch, sh
    out -= {i + f for i in ("d", "t", "n", "l", "z", "c", "s", "r") for f in ("ua", "uai", "uang")}
    return frozenset(out)


SYLLABLES = _syllables()
_LONGEST = max(map(len, SYLLABLES))


@lru_cache(maxsize=100_000)
def pinyin_syllables(word: str) -> int:
    """How many pinyin syllables ``word`` (lower-case ASCII) reads as (fewest), 0 when it is not pinyin."""
    n = len(word)
    best = [0] + [-1] * n  # best[k]: fewest syllables covering word[:k], -1 when it cannot be covered
    for end in range(1, n + 1):
        for start in range(max(0, end - _LONGEST), end):
            if best[start] >= 0 and word[start:end] in SYLLABLES:
                count = best[start] + 1
                if best[end] < 0 or count < best[end]:
                    best[end] = count
    return max(best[n], 0)


def both_pinyin(a: str, b: str) -> bool:
    """Both words read as two or more pinyin syllables (then only the same word is the same name)."""
    return len(a) >= 4 and len(b) >= 4 and pinyin_syllables(a) >= 2 and pinyin_syllables(b) >= 2


__all__ = ["SYLLABLES", "both_pinyin", "pinyin_syllables"]
