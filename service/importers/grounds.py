"""Published grounds text -> the service's fixed grounds vocabulary."""

from __future__ import annotations

import re

# Words for the five sanctionable practices the development banks share (2006 Uniform Framework),
# in the spellings the three lists use: "Fraudulent Practice", "Fraud", "Corrupt/Collusive"...
_WORDS: tuple[tuple[str, str], ...] = (
    (r"fraud", "fraud"),
    (r"corrupt", "corruption"),
    (r"collusi", "collusion"),
    (r"coerci", "coercion"),
    # IDB writes "Extortion" once; extortion is obtaining by threat, i.e. a coercive practice.
    (r"extortion", "coercion"),
    (r"obstructi", "obstruction"),
    (r"forced\s+labou?r", "forced_labour"),
    (r"child\s+labou?r", "child_labour"),
    (r"trafficking", "trafficking_in_human_beings"),
)

# In every edition of the World Bank Procurement Guidelines (paras 1.14/1.15/1.16), Consultant
# Guidelines (1.22/1.23/1.25) and the 2016 Procurement Regulations (Annex IV 2.2(a)), sub-paragraph
# (a) lists the practices in the same order: (i) corrupt, (ii) fraudulent, (iii) collusive,
# (iv) coercive, (v) obstructive.  Only these paragraphs are mapped; "Sanctions Procedures 9.04",
# "Consultant Guidelines, 1.25" (no sub-paragraph) etc. stay "other".
_ROMAN = {"i": "corruption", "ii": "fraud", "iii": "collusion", "iv": "coercion", "v": "obstruction"}
_PARAGRAPH = re.compile(r"(?:1\.(?:14|15|16|22|23|25)\s*\(?a\)?|2\.2\s*\(?a\)?)", re.IGNORECASE)
_ROMAN_TOKEN = re.compile(r"(?<![a-z])(v|iv|iii|ii|i)(?![a-z])", re.IGNORECASE)
_NEXT_PARAGRAPH = re.compile(r"\d\.\d|;|\b(?:19|20)\d\d\b|\b(?:of|annex|guidelines|para|paras)\b")


def map_grounds(*texts: str | None) -> list[str]:
    """All vocabulary grounds named in the texts; ["other"] when none can be read reliably."""
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        # "IFC Anti-Corruption Guidelines" names a document, not the practice found.
        low = re.sub(r"anti[-\s]?corruption", " ", text.casefold())
        for pattern, ground in _WORDS:
            if re.search(pattern, low) and ground not in found:
                found.append(ground)
        for ground in _guideline_grounds(low):
            if ground not in found:
                found.append(ground)
    return found or ["other"]


def _guideline_grounds(text: str) -> list[str]:
    out: list[str] = []
    for match in _PARAGRAPH.finditer(text):
        tail = text[match.end() :]
        # Read the sub-paragraph numerals up to the next paragraph number / year / ";".
        stop = _NEXT_PARAGRAPH.search(tail)
        segment = tail[: stop.start()] if stop else tail
        # "(v)(bb)" is a sub-item of (v); drop the letters in "(bb)" before reading numerals.
        segment = re.sub(r"\((?![ivx]+\))[a-z]+\)", " ", segment)
        for token in _ROMAN_TOKEN.findall(segment):
            ground = _ROMAN[token.lower()]
            if ground not in out:
                out.append(ground)
    return out
