"""Legal-form (company type) detection and classification.

Legal forms are weak evidence: they are removed from the name before the name
comparison and reduced to a coarse class ("llc", "jsc", ...) that is compared
separately. Detection runs in two layers:

1. rigour's ISO 20275-derived table (Rust Aho-Corasick, fast) on the casefolded
   original text: it knows most native-script and spelled-out forms (ООО, ТОВ,
   Sp. z o.o., Gesellschaft mit beschränkter Haftung, ...).
2. Our own edge table, matched on *skeleton* tokens at the start or end of the
   name only.  It covers what rigour misses on the benchmark (A.Ş., KhKhK,
   ОсОО, PrAT, ТОО written in Latin, I/S, HB, S.N.C., Armenian/Georgian
   romanisations, ...) and, because it compares skeletons, it also matches the
   transliteration variants of spelled-out Russian/Ukrainian forms that rigour
   only knows in one spelling.  Restricting it to the edges keeps short codes
   such as "as" or "ad" from eating real name words in the middle of a name.
"""

from __future__ import annotations

# Coarse classes. Distinctions finer than these are not reliable evidence
# across jurisdictions (an English-language list writes "LLC" for a Kazakh
# ТОО, which is legally an LLP).
COMPATIBLE: dict[str, str] = {
    "llc": "limited",
    "llp": "limited",
    "jsc": "stock",
    "plc": "stock",
    "lp": "partnership",
    "gp": "partnership",
    "sp": "sole",
    "coop": "coop",
}


def coarse(cls: str) -> str:
    return COMPATIBLE.get(cls, cls)


# (phrase in plain lower-case ASCII, class).  Phrases are skeletonised at import
# so every transliteration convention of the same words is covered.
_EDGE_FORMS: tuple[tuple[str, str], ...] = (
    # English long and short forms
    ("limited liability company", "llc"),
    ("limited liability partnership", "llp"),
    ("limited partnership", "lp"),
    ("general partnership", "gp"),
    ("joint stock company", "jsc"),
    ("open joint stock company", "jsc"),
    ("closed joint stock company", "jsc"),
    ("public joint stock company", "jsc"),
    ("private joint stock company", "jsc"),
    ("public limited company", "plc"),
    ("individual entrepreneur", "sp"),
    ("private entrepreneur", "sp"),
    ("sole proprietorship", "sp"),
    ("sole proprietor", "sp"),
    ("private enterprise", "sp"),
    ("company limited", "llc"),
    ("co ltd", "llc"),
    ("llc", "llc"),
    ("ltd", "llc"),
    ("limited", "llc"),
    ("llp", "llp"),
    ("lp", "lp"),
    ("inc", "llc"),
    ("incorporated", "llc"),
    ("corp", "llc"),
    ("corporation", "llc"),
    ("co", "llc"),
    ("company", "llc"),
    ("plc", "plc"),
    ("jsc", "jsc"),
    ("ojsc", "jsc"),
    ("cjsc", "jsc"),
    ("pjsc", "jsc"),
    ("pisc", "jsc"),
    ("ie", "sp"),
    ("pe", "sp"),
    # Russian / Belarusian / Kazakh / Kyrgyz (romanised)
    ("ooo", "llc"),
    ("oao", "jsc"),
    ("zao", "jsc"),
    ("pao", "jsc"),
    ("ao", "jsc"),
    ("nao", "jsc"),
    ("too", "llp"),
    ("ip", "sp"),
    ("chp", "sp"),
    ("up", "sp"),
    ("chup", "sp"),
    ("odo", "llc"),
    ("osoo", "llc"),
    ("aak", "jsc"),
    ("zhshs", "llp"),
    ("jshs", "llp"),
    ("aq", "jsc"),
    ("taa", "llc"),
    ("aat", "jsc"),
    ("zaat", "jsc"),
    ("obshchestvo s ogranichennoy otvetstvennostyu", "llc"),
    ("obshchestvo s ogranichennoi otvetstvennostiu", "llc"),
    ("otkrytoe aktsionernoe obshchestvo", "jsc"),
    ("zakrytoe aktsionernoe obshchestvo", "jsc"),
    ("publichnoe aktsionernoe obshchestvo", "jsc"),
    ("aktsionernoe obshchestvo", "jsc"),
    ("tovarishchestvo s ogranichennoy otvetstvennostyu", "llp"),
    ("individualnyy predprinimatel", "sp"),
    # Ukrainian
    ("tov", "llc"),
    ("pat", "jsc"),
    ("prat", "jsc"),
    ("vat", "jsc"),
    ("zat", "jsc"),
    ("at", "jsc"),
    ("pp", "sp"),
    ("fop", "sp"),
    ("dp", "sp"),
    ("tovarystvo z obmezhenoyu vidpovidalnistyu", "llc"),
    ("pryvatne aktsionerne tovarystvo", "jsc"),
    ("pryvatne pidpryiemstvo", "sp"),
    # Bulgarian, Serbian, Macedonian, other ex-Yugoslav
    ("eood", "llc"),
    ("ood", "llc"),
    ("ead", "jsc"),
    ("ad", "jsc"),
    ("et", "sp"),
    ("doo", "llc"),
    ("d o o", "llc"),
    ("a d", "jsc"),
    ("dooel", "llc"),
    ("sp", "sp"),
    # Mongolian
    ("khkhk", "llc"),
    ("hhk", "llc"),
    ("xxk", "llc"),
    ("khk", "jsc"),
    ("hk", "jsc"),
    # Armenian, Georgian, Azerbaijani
    ("spy", "llc"),
    ("spe", "llc"),
    ("sp y", "llc"),
    ("pby", "jsc"),
    ("bby", "jsc"),
    ("aby", "jsc"),
    ("shps", "llc"),
    ("ss", "jsc"),
    ("mmc", "llc"),
    ("asc", "jsc"),
    ("qsc", "jsc"),
    # Greek
    ("epe", "llc"),
    ("e p e", "llc"),
    ("ae", "jsc"),
    ("a e", "jsc"),
    ("ike", "llc"),
    ("i k e", "llc"),
    ("oe", "gp"),
    ("o e", "gp"),
    ("ee", "lp"),
    ("e e", "lp"),
    # Turkish
    ("a s", "jsc"),
    ("as", "jsc"),
    ("ltd sti", "llc"),
    ("sti", "llc"),
    ("san ve tic ltd sti", "llc"),
    ("san ve tic as", "jsc"),
    ("sanayi ve ticaret limited sirketi", "llc"),
    ("limited sirketi", "llc"),
    ("anonim sirketi", "jsc"),
    # Central / Northern / Western Europe
    ("gmbh", "llc"),
    ("ag", "jsc"),
    ("kg", "lp"),
    ("ohg", "gp"),
    ("ek", "sp"),
    ("e k", "sp"),
    ("ug", "llc"),
    ("gmbh co kg", "lp"),
    ("se", "jsc"),
    ("sp z o o", "llc"),
    ("sp zoo", "llc"),
    ("sp j", "gp"),
    ("sp k", "lp"),
    ("s a", "jsc"),
    ("sa", "jsc"),
    ("s r o", "llc"),
    ("sro", "llc"),
    ("spol s r o", "llc"),
    ("a s", "jsc"),
    ("kft", "llc"),
    ("bt", "lp"),
    ("nyrt", "jsc"),
    ("zrt", "jsc"),
    ("rt", "jsc"),
    ("srl", "llc"),
    ("s r l", "llc"),
    ("spa", "jsc"),
    ("s p a", "jsc"),
    ("snc", "gp"),
    ("s n c", "gp"),
    ("sas", "lp"),
    ("s a s", "lp"),
    ("sarl", "llc"),
    ("eurl", "llc"),
    ("sl", "llc"),
    ("s l", "llc"),
    ("bv", "llc"),
    ("b v", "llc"),
    ("nv", "jsc"),
    ("n v", "jsc"),
    ("vof", "gp"),
    ("cv", "lp"),
    ("aps", "llc"),
    ("asa", "jsc"),
    ("i s", "gp"),
    ("is", "gp"),
    ("ks", "lp"),
    ("da", "gp"),
    ("ans", "gp"),
    ("ab", "jsc"),
    ("hb", "gp"),
    ("kb", "lp"),
    ("oy", "llc"),
    ("oyj", "jsc"),
    ("ky", "lp"),
    ("ay", "gp"),
    ("ou", "llc"),
    ("tu", "gp"),
    ("uab", "llc"),
    ("ab", "jsc"),
    ("mb", "llc"),
    ("ii", "sp"),
    ("sia", "llc"),
    ("as", "jsc"),
    ("ik", "sp"),
    ("d d", "jsc"),
    ("dd", "jsc"),
    ("d o o e l", "llc"),
    # Gaps found after 1.0: Belarusian unitary enterprises, Ukrainian PrJSC, US P.C., Armenian forms as
    # rigour transliterates them (Ը -> a), Tajik, Czech/Slovak v.o.s., Icelandic, Albanian, Croatian,
    # Portuguese, Belgian.
    ("pue", "sp"),
    ("private unitary enterprise", "sp"),
    ("unitary enterprise", "sp"),
    ("chtup", "sp"),
    ("chuptp", "sp"),
    ("prjsc", "jsc"),
    ("slu", "llc"),
    ("sau", "jsc"),
    ("sl u", "llc"),
    ("pc", "llc"),
    ("pba", "jsc"),
    ("pbe", "jsc"),
    ("bba", "jsc"),
    ("jdmm", "llc"),
    ("chdmm", "llc"),
    ("jsk", "jsc"),
    ("vos", "gp"),
    ("ehf", "llc"),
    ("hf", "jsc"),
    ("shpk", "llc"),
    ("sh p k", "llc"),
    ("sha", "jsc"),
    ("sh a", "jsc"),
    ("jdoo", "llc"),
    ("j d o o", "llc"),
    ("lda", "llc"),
    ("bvba", "llc"),
    ("sprl", "llc"),
    ("mchj", "llc"),
    ("ooo", "llc"),
    ("tov", "llc"),
    # Spelled-out forms as written without their diacritics.  rigour knows most of them only with the
    # accents ("société par actions simplifiée"), so a bidder typing "Societe par Actions Simplifiee"
    # kept four words the listed side had lost.  Edge tokens are compared folded, so these folded
    # spellings strip the accented and the plain form alike.
    ("societe anonyme", "jsc"),
    ("societe par actions simplifiee", "llc"),
    ("societe par actions simplifiee unipersonnelle", "llc"),
    ("societe a responsabilite limitee", "llc"),
    ("entreprise unipersonnelle a responsabilite limitee", "llc"),
    ("societe en nom collectif", "gp"),
    ("societe en commandite simple", "lp"),
    ("societe civile immobiliere", "gp"),
    ("compania anonima", "jsc"),
    ("compania limitada", "llc"),
    ("sociedade anonima", "jsc"),
    ("gesellschaft mit beschrankter haftung", "llc"),
    ("gesellschaft mit beschraenkter haftung", "llc"),
    ("anonim sirketi", "jsc"),
    ("spolecnost s rucenim omezenym", "llc"),
    ("akciova spolecnost", "jsc"),
    ("verejna obchodni spolecnost", "gp"),
    ("komanditni spolecnost", "lp"),
    ("spolocnost s rucenim obmedzenym", "llc"),
    ("akciova spolocnost", "jsc"),
    ("spolka z ograniczona odpowiedzialnoscia", "llc"),
    ("spolka akcyjna", "jsc"),
    ("spolka z o o", "llc"),
    ("spolka jawna", "gp"),
    ("spolka komandytowa", "lp"),
    ("zartkoruen mukodo reszvenytarsasag", "jsc"),
    ("nyilvanosan mukodo reszvenytarsasag", "jsc"),
    ("reszvenytarsasag", "jsc"),
    ("beteti tarsasag", "lp"),
    ("korlatolt felelossegu tarsasag", "llc"),
    ("societate cu raspundere limitata", "llc"),
    ("societate pe actiuni", "jsc"),
    ("dionicko drustvo", "jsc"),
    ("akcionarsko drustvo", "jsc"),
    ("drustvo s ogranicenom odgovornoscu", "llc"),
    ("drustvo sa ogranicenom odgovornoscu", "llc"),
    ("druzba z omejeno odgovornostjo", "llc"),
    ("osakeyhtio", "llc"),
    ("osauhing", "llc"),
    ("sabiedriba ar ierobezotu atbildibu", "llc"),
    ("akciju sabiedriba", "jsc"),
    ("uzdaroji akcine bendrove", "llc"),
    ("akcine bendrove", "jsc"),
    ("einkahlutafelag", "llc"),
    ("hlutafelag", "jsc"),
    ("societa a responsabilita limitata", "llc"),
    ("societa per azioni", "jsc"),
    ("aktiebolag", "jsc"),
    ("allmennaksjeselskap", "jsc"),
    ("aksjeselskap", "llc"),
    ("mahdud masuliyyatli camiyyati", "llc"),
    ("mahdud mesuliyyetli cemiyyeti", "llc"),
    ("sahmdar camiyyati", "jsc"),
    ("cong ty trach nhiem huu han", "llc"),
    ("cong ty co phan", "jsc"),
    # South Asian private companies ("Shailung Construction Co. Pvt. Ltd.").
    ("pvt ltd", "llc"),
    ("private limited", "llc"),
    ("pvt", "llc"),
    # Generic qualifiers that travel with a legal form ("Sanayi ve Ticaret" = industry and trade):
    # stripped with it, no class of their own.
    ("san ve tic", ""),
    ("sanayi ve ticaret", ""),
    ("san tic", ""),
    ("ve tic", ""),
)


# Abbreviations written either way by publishers and bidders; every token is read in its long form so
# "Intl"/"International" or "Bros"/"Brothers" are the same word (for retrieval, weights and alignment).
ABBREVIATIONS: dict[str, str] = {
    "intl": "international",
    "int'l": "international",
    "co": "company",
    "corp": "corporation",
    "bros": "brothers",
    # 1.5: the abbreviations of English firm names (registries, the World Bank and IDB lists, US/UK
    # company-name conventions).  Only unambiguous ones: "Con", "Cons", "Dev", "Inv", "Tech", "Tel",
    # "Assoc", "Ent" stand for several words.
    "svcs": "services",
    "svc": "services",
    "srvcs": "services",
    "servs": "services",
    "mfg": "manufacturing",
    "mfrs": "manufacturers",
    "mfr": "manufacturer",
    "mgmt": "management",
    "mgt": "management",
    "engg": "engineering",
    "engrs": "engineers",
    "natl": "national",
    "assn": "association",
    "hldgs": "holdings",
    "hldg": "holding",
    "grp": "group",
    "inds": "industries",
    "indus": "industries",
    "constr": "construction",
    "cnstr": "construction",
    "distr": "distribution",
    "equip": "equipment",
    "trdg": "trading",
    "transp": "transport",
    "sys": "systems",
    "solns": "solutions",
    "telecomm": "telecommunications",
    "env": "environmental",
    "mktg": "marketing",
    "pharm": "pharmaceuticals",
    "chem": "chemicals",
    "elec": "electric",
    "bldg": "building",
    "bldrs": "builders",
    "contrs": "contractors",
    "consult": "consulting",
    "coop": "cooperative",
}


def edge_table(skel: object) -> dict[tuple[str, ...], str]:
    """Build {skeleton token tuple: class}; `skel` is the skeleton function (passed in to avoid a cycle)."""
    from collections.abc import Callable
    from typing import cast

    fn = cast(Callable[[str], str], skel)
    table: dict[tuple[str, ...], str] = {}

    def put(words: list[str], cls: str) -> None:
        table.setdefault(tuple(words), cls)  # the plain spelling always counts
        key = tuple(fn(t) for t in words)
        # A skeleton that collapses to one letter ("zhshs" -> "s", "ooo" -> "o") would strip initials
        # and single-letter words from names; such codes only match as spelled.
        if len(key) > 1 or len(key[0]) > 1:
            table.setdefault(key, cls)

    for phrase, cls in _EDGE_FORMS:
        words = [ABBREVIATIONS.get(w, w) for w in phrase.split()]
        put(words, cls)
        # Short codes are also written with dots (V.O.F., S.N.C.): the tokenizer splits those into letters.
        if len(words) == 1 and 2 <= len(words[0]) <= 4:
            put(list(words[0]), cls)
    return table


def edge_class(code: str) -> str | None:
    """Our class for a single-word legal-form code (maps rigour's specific codes such as "ab", "oü")."""
    for phrase, cls in _EDGE_FORMS:
        if phrase == code and cls:
            return cls
    return None


# Native-script legal forms whose transliteration collides with another country's form (Armenian ՍՊԸ
# comes out of rigour as "spa", the Italian S.p.A.): mapped to their own romanisation first.
NATIVE_FORMS: dict[str, str] = {"սպը": "spy", "փբը": "pby", "բբը": "bby", "աբը": "aby"}


# Chinese legal-form suffixes (Han script is not tokenised into words).
HAN_FORMS: tuple[tuple[str, str], ...] = (
    ("股份有限公司", "jsc"),
    ("有限责任公司", "llc"),
    ("有限責任公司", "llc"),
    ("有限公司", "llc"),
    ("公司", "llc"),
)
