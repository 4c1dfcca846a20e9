"""Obfuscated writing of a listed name (1.4): each kind is undone, and undoing it creates no false match."""

from __future__ import annotations

import pytest

from debarlist_match import DEFAULT_THRESHOLD, ListedRecord, Match, MatchIndex, Query
from debarlist_match.normalise import prepare
from tests.matching.conftest import company

LISTED = "Kirmizitepe Dorservis LLP"
FILLER = [
    company("f1", "Nurlan Stroy Services LLP", country="KZ"),
    company("f2", "Aksai Trans Services LLP", country="KZ"),
    company("f3", "Vostok Trans Stroy LLC", country="RU"),
    company("f4", "Granit Stroy Trading LLC", country="RU"),
    company("f5", "Orion Construction Group Ltd", country="GB"),
    company("f6", "Delta Logistics Services Ltd", country="GB"),
    company("f7", "Dorado Servis Trading LLP", country="KZ"),
    company("f8", "Kirov Tepe Construction LLC", country="TR"),
]


def build(*records: ListedRecord) -> MatchIndex:
    idx = MatchIndex()
    for r in (*records, *FILLER):
        idx.add(r)
    return idx


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return build(company("kd", LISTED, country="KZ"))


def best(index: MatchIndex, name: str, key: str) -> Match:
    hits = index.search(Query(name=name), threshold=0.0, limit=5)
    assert hits, name
    assert hits[0].key == key, (name, [(h.key, h.score) for h in hits])
    return hits[0]


def each_letter(text: str, mark: str) -> str:
    return "".join(c + mark if c.isalpha() else c for c in text)


def folded(hit: Match) -> list[str]:
    name = hit.explanation["name"]
    assert isinstance(name, dict)
    value = name["folded"]
    assert isinstance(value, list)
    return value


@pytest.mark.parametrize(
    ("variant", "kind"),
    [
        ("ᴋɪʀᴍɪᴢɪᴛᴇᴘᴇ ᴅᴏʀꜱᴇʀᴠɪꜱ LLP", "small_capitals"),
        (each_letter("Kirmizitepe Dorservis", "\u0336") + " LLP", "combining_marks"),  # long stroke overlay
        (each_letter("Kirmizitepe Dorservis", "\u0335") + " LLP", "combining_marks"),  # short stroke overlay
        (each_letter("Kirmizitepe Dorservis", "\u0338") + " LLP", "combining_marks"),  # long solidus overlay
        (each_letter("Kirmizitepe Dorservis", "\u20e5") + " LLP", "combining_marks"),  # reverse solidus overlay
        (each_letter("Kirmizitepe Dorservis", "\u20dd") + " LLP", "combining_marks"),  # enclosing circle
        (each_letter("Kirmizitepe Dorservis", "\u0332") + " LLP", "combining_marks"),  # low line
        ("K.i.r.m.i.z.i.t.e.p.e Dorservis LLP", "separated_letters"),
        ("K i r m i z i t e p e Dorservis LLP", "separated_letters"),
        ("K-i-r-m-i-z-i-t-e-p-e Dorservis LLP", "separated_letters"),
        ("Dorservis K i r m i z i t e p e", "separated_letters"),  # at the end: not eaten as "E.P.E."
        ("K1rm1z1tepe D0rserv1s LLP", "digit_for_letter"),
        ("K1rm1z1t3p3 D0r$3rv1$ LLP", "digit_for_letter"),
        ("K!rm!z!t3pe D0r5erv!5 LLP", "digit_for_letter"),
        ("Kirmizitеpе Dоrsеrvis LLP", "mixed_script"),  # Cyrillic е and о in Latin words
        ("Kιrmιzιtepe Dοrservιs LLP", "mixed_script"),  # Greek ι and ο
        ("Кirmiziтepe Dorservis LLP", "mixed_script"),  # Cyrillic К and a lower-case т for t
        ("ᏦᎥᏒᎷᎥᏃᎥᎢᎬᏢᎬ Dorservis LLP", "confusables"),  # Cherokee look-alikes
        ("𝐊𝐢𝐫𝐦𝐢𝐳𝐢𝐭𝐞𝐩𝐞 𝐃𝐨𝐫𝐬𝐞𝐫𝐯𝐢𝐬 LLP", "mathematical_alphanumerics"),
        ("𝒦𝒾𝓇𝓂𝒾𝓏𝒾𝓉ℯ𝓅ℯ 𝒟ℴ𝓇𝓈ℯ𝓇𝓋𝒾𝓈 LLP", "mathematical_alphanumerics"),
        ("Ｋｉｒｍｉｚｉｔｅｐｅ Ｄｏｒｓｅｒｖｉｓ LLP", "fullwidth"),
        ("ⓀⒾⓇⓂⒾⓏⒾⓉⒺⓅⒺ Dorservis LLP", "enclosed_letters"),
        ("🅚🅘🅡🅜🅘🅩🅘🅣🅔🅟🅔 Dorservis LLP", "enclosed_letters"),  # negative circled: no NFKC form
        ("🅺🅸🆁🅼🅸🆉🅸🆃🅴🅿🅴 Dorservis LLP", "enclosed_letters"),  # negative squared
        ("⒦⒤⒭⒨⒤⒵⒤⒯⒠⒫⒠ Dorservis LLP", "enclosed_letters"),  # parenthesized
        ("🇰🇮🇷🇲🇮🇿🇮🇹🇪🇵🇪 Dorservis LLP", "enclosed_letters"),  # regional indicators
        ("ᴷⁱʳᵐⁱᶻⁱᵗᵉᵖᵉ Dorservis LLP", "superscripts"),
        ("Kir\u200bmizi\u200ctepe Dor\u200dservis LLP", "hidden_characters"),  # zero-width space/non-joiner/joiner
        ("Kirmi\u00adzite\u2060pe Dorser\ufeffvis\u180e LLP", "hidden_characters"),  # soft hyphen, joiners, BOM
        ("\u202eKirmizitepe\u202c Dorservis LLP", "hidden_characters"),  # bidi override
        ("Kirmi\U000e0041zitepe Dor\ufe0fservis LLP", "hidden_characters"),  # tag and variation selector
    ],
)
def test_obfuscated_name_matches(index: MatchIndex, variant: str, kind: str) -> None:
    hit = best(index, variant, "kd")
    assert hit.score >= 0.95, (variant, hit.score)
    assert hit.score >= DEFAULT_THRESHOLD
    assert kind in folded(hit), (variant, folded(hit))


def test_clean_name_reports_nothing_folded(index: MatchIndex) -> None:
    hit = best(index, LISTED, "kd")
    assert hit.score == 1.0
    assert folded(hit) == []


def test_several_kinds_reported_together(index: MatchIndex) -> None:
    hit = best(index, "ᴋɪʀᴍɪᴢɪᴛᴇᴘᴇ D0rserv1s LLP", "kd")
    assert hit.score >= 0.95
    assert {"small_capitals", "digit_for_letter"} <= set(folded(hit))


def test_obfuscated_listing_meets_its_own_spelling() -> None:
    # Folding applies to listed names too: a listing written with digits is found as written and plain.
    idx = build(company("w", "Win7Pro Logistics LLC"))
    assert best(idx, "Win7Pro Logistics LLC", "w").score == 1.0
    assert best(idx, "Wintpro Logistics LLC", "w").score >= 0.95


# ----------------------------------------------------------------------------- no false matches


def score(listed: str, query: str) -> float:
    idx = build(company("x", listed))
    hits = [h for h in idx.search(Query(name=query), threshold=0.0, limit=10) if h.key == "x"]
    return hits[0].score if hits else 0.0


@pytest.mark.parametrize(
    ("listed", "query"),
    [
        ("Mostostroy-9 OAO", "Mostostroy-7 OAO"),  # numbers standing alone are numbers
        ("Avtobaza 13 LLC", "Avtobaza 12 LLC"),
        ("Mostostroy-9 OAO", "Mostostroy-7 0A0"),
        ("M.L.K. Logistics", "K.L.M. Logistics"),  # an acronym is one word, its letters in order
        ("Bast Trading", "B3st Trading"),  # 3 is e: Best, not Bast
    ],
)
def test_folding_creates_no_match(listed: str, query: str) -> None:
    assert score(listed, query) < DEFAULT_THRESHOLD, (listed, query)


def test_acronym_dotted_and_joined_match() -> None:
    assert score("KLM Logistics", "K.L.M. Logistics") == 1.0
    assert score("K.L.M. Logistics", "K. L. M. Logistics") == 1.0


@pytest.mark.parametrize(
    ("name", "folds"),
    [
        ("Avtobaza 12", ("avtobaza", "12")),
        ("Avtobaza12", ("avtobaza", "12")),  # digits closing a word: a number written on (1.5: its own token)
        ("Mostostroy-7", ("mostostroy", "7")),
        ("G4S Secure", ("g4s", "secure")),  # too few letters: a code
        ("Trans2000", ("trans", "2000")),
        ("Te1ecom Serv1ce", ("telecom", "service")),  # 1 is l between vowels, i elsewhere
        ("Строй", ("stroi",)),  # a Cyrillic word is Cyrillic, not look-alikes
        ("Стрoй", ("stroi",)),  # ... also with a Latin o typed in (й has no Latin twin)
        ("Сocнa", ("sosna",)),  # Latin o and a in a Cyrillic word: read as Cyrillic
        ("Алатау Stroy", ("alatau", "stroy")),  # a whole Cyrillic word inside a Latin name stays Cyrillic
        ("ΘΕΣΣΑΛΊΑ", ("thessalia",)),  # Greek stays Greek
        ("J. Smith", ("j", "smith")),  # initials are not collapsed
        ("J.R. Sinar Jaya", ("j", "r", "sinar", "jaya")),  # two letters stay apart (J.R.; P.T. is a legal form)
        ("上海宇通建设", ("上", "海", "宇", "通", "建", "设")),  # Han characters are not letters to collapse
        ("Müller Straße", ("muller", "strasse")),  # ordinary diacritics are not obfuscation
    ],
)
def test_genuine_names_keep_their_reading(name: str, folds: tuple[str, ...]) -> None:
    assert prepare(name).folds == folds


@pytest.mark.parametrize(
    ("name", "legal"),
    [
        ("Giordano Ristorazione S.r.l.", "llc"),
        ("Groot Jansen Beveiliging V.O.F.", "gp"),
        ("ΔΉΛΟΣ ΚΑΘΑΡΙΌΤΗΤΑ Ε.Π.Ε.", "llc"),
        ("Zielinski Budownictwo Sp. z o o", "llc"),
        ("Novotny Obchod spol s r o", "llc"),
    ],
)
def test_dotted_legal_forms_are_not_collapsed(name: str, legal: str) -> None:
    p = prepare(name)
    assert p.legal == legal, (name, p)
    assert all(len(f) > 1 for f in p.folds), p.folds
    assert "separated_letters" not in p.folded


def test_clean_names_fold_nothing() -> None:
    for name in (
        "ООО «Балтика Фарм Охрана»",
        "Kurt Güvenlik A.Ş.",
        "Shanghai Yutong Construction Co., Ltd.",
        "შპს იბერია",
    ):
        assert prepare(name).folded == (), name
