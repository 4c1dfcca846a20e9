"""Synthetic debarment-list generator for speed benchmarks (generated on the fly, never committed).

Names mimic the shape of real lists: a Zipf-like mix of distinctive stems (places, brands, surnames,
plus random pronounceable stems so the vocabulary keeps growing with list size), generic sector words,
legal forms in Latin and native scripts, Cyrillic/Greek/Georgian/Armenian spellings, aliases and
identifiers.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from debarlist_match import Identifier, ListedRecord

_STEMS = [
    "Volga",
    "Neva",
    "Baikal",
    "Altai",
    "Sibir",
    "Ural",
    "Don",
    "Ladoga",
    "Zhiguli",
    "Vostok",
    "Zenit",
    "Rubin",
    "Granit",
    "Vega",
    "Orion",
    "Saturn",
    "Taiga",
    "Yenisei",
    "Amur",
    "Kama",
    "Oka",
    "Kuban",
    "Tavria",
    "Dnipro",
    "Hoverla",
    "Karpaty",
    "Sich",
    "Bogatyr",
    "Derzhava",
    "Alatau",
    "Atyrau",
    "Turan",
    "Altyn",
    "Nurly",
    "Erdene",
    "Bayan",
    "Khentii",
    "Iberia",
    "Kartli",
    "Rustavi",
    "Masis",
    "Hayastan",
    "Ararat",
    "Sevan",
    "Drina",
    "Morava",
    "Sredets",
    "Balkan",
    "Pirin",
    "Vardar",
    "Ohrid",
    "Dunav",
    "Tisza",
    "Visla",
    "Baltika",
    "Daugava",
    "Nemunas",
    "Petersen",
    "Hansen",
    "Huber",
    "Kowalski",
    "Nowak",
    "Horvat",
    "Novak",
    "Ivanov",
    "Petrov",
    "Smirnov",
    "Kuznetsov",
    "Shevchenko",
    "Bondarenko",
    "Kovalenko",
    "Popescu",
    "Yilmaz",
    "Kaya",
    "Demir",
    "Papadopoulos",
    "Georgiou",
    "Beridze",
    "Kapanadze",
    "Sargsyan",
    "Hakobyan",
    "Aliyev",
    "Mammadov",
    "Nazarbayev",
]
_SECTORS = [
    "Stroy",
    "Stroi",
    "Trans",
    "Transport",
    "Logistik",
    "Invest",
    "Agro",
    "Energo",
    "Tekhno",
    "Servis",
    "Service",
    "Services",
    "Trading",
    "Torg",
    "Group",
    "Holding",
    "Prom",
    "Snab",
    "Konsalt",
    "Montazh",
    "Klining",
    "Okhrana",
    "Security",
    "Farm",
    "Med",
    "Avto",
    "Neft",
    "Gaz",
    "Metall",
    "Les",
    "Tekstil",
    "Construction",
    "Logistics",
    "Partners",
    "Solutions",
    "Industries",
    "Engineering",
    "Development",
    "Capital",
]
_FORMS_LATIN = [
    "LLC",
    "LLP",
    "JSC",
    "OJSC",
    "CJSC",
    "PJSC",
    "Ltd",
    "GmbH",
    "AG",
    "Sp.z.o.o.",
    "S.A.",
    "S.R.L.",
    "d.o.o.",
    "A.Ş.",
    "Kft.",
    "OÜ",
    "SIA",
    "UAB",
]
_CYR = str.maketrans(
    {
        "a": "а",
        "b": "б",
        "v": "в",
        "g": "г",
        "d": "д",
        "e": "е",
        "z": "з",
        "i": "и",
        "k": "к",
        "l": "л",
        "m": "м",
        "n": "н",
        "o": "о",
        "p": "п",
        "r": "р",
        "s": "с",
        "t": "т",
        "u": "у",
        "f": "ф",
        "h": "х",
        "c": "ц",
        "y": "ы",
        "j": "й",
        "w": "в",
        "x": "кс",
        "q": "к",
    }
)
_CYR_FORMS = ("ООО", "ТОО", "АО", "ТОВ", "ОАО", "ЗАО", "ПАО", "ОсОО", "ЕООД", "ХХК")
_GREEK = str.maketrans(
    {
        "a": "α",
        "b": "β",
        "g": "γ",
        "d": "δ",
        "e": "ε",
        "z": "ζ",
        "i": "ι",
        "k": "κ",
        "l": "λ",
        "m": "μ",
        "n": "ν",
        "o": "ο",
        "p": "π",
        "r": "ρ",
        "s": "σ",
        "t": "τ",
        "u": "υ",
        "f": "φ",
        "h": "χ",
        "v": "β",
    }
)
_SYLL = [c + v for c in "bdgklmnprstvzh" for v in "aeiou"]
_COUNTRIES = [
    "RU",
    "KZ",
    "UA",
    "BY",
    "KG",
    "RS",
    "BG",
    "MN",
    "GE",
    "AM",
    "AZ",
    "TR",
    "PL",
    "DE",
    "AT",
    "GB",
    "US",
    "GR",
    "RO",
    "IT",
]


def _zipf_choice(rng: random.Random, items: list[str], s: float = 1.1) -> str:
    # Inverse-CDF of a truncated power law: a few very common items, a long tail.
    n = len(items)
    u = rng.random()
    idx = int((n ** (1 - 1 / s * 0.5)) * u ** (1 / (1 - 0.5 / s)) * n / n ** (1 - 0.5 / s))
    return items[min(n - 1, max(0, idx))]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words = list(_STEMS)
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(_SYLL) for _ in range(rng.randint(2, 4))).capitalize()
        if w not in seen:
            seen.add(w)
            words.append(w)
    rng.shuffle(words)
    return words


def generate(n: int, seed: int = 7) -> Iterator[ListedRecord]:
    rng = random.Random(seed)
    vocab = _vocabulary(rng, max(2000, n // 4))
    for i in range(n):
        k = rng.choice((1, 2, 2, 2, 3))
        distinct = [_zipf_choice(rng, vocab) for _ in range(k)]
        sectors = [rng.choice(_SECTORS) for _ in range(rng.choice((0, 1, 1, 2)))]
        words = distinct + sectors
        country = rng.choice(_COUNTRIES)
        r = rng.random()
        aliases: tuple[str, ...] = ()
        latin = " ".join(words) + " " + rng.choice(_FORMS_LATIN)
        if r < 0.3:
            native = " ".join(w.lower().translate(_CYR).capitalize() for w in words)
            name = f"{rng.choice(_CYR_FORMS)} «{native}»"
            aliases = (latin,)
        elif r < 0.35:
            name = " ".join(w.lower().translate(_GREEK).upper() for w in words) + " Α.Ε."
            aliases = (latin,)
        else:
            name = latin
        idents = [Identifier("registration", f"{country}{rng.randrange(10**8, 10**9)}")] if rng.random() < 0.7 else []
        if rng.random() < 0.2:
            idents.append(
                Identifier("lei", "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(20)))
            )
        yield ListedRecord(
            key=f"S{i}",
            kind="company",
            name=name,
            aliases=aliases,
            country=country,
            identifiers=tuple(idents),
        )


def perturb(rec: ListedRecord, rng: random.Random) -> str:
    """A query-like variant of a listed name: case, a typo, a dropped legal form or reordered words."""
    base = rec.aliases[0] if rec.aliases and rng.random() < 0.7 else rec.name
    words = base.split()
    op = rng.random()
    if op < 0.25 and len(words) > 2:
        words = words[:-1]
    elif op < 0.5:
        w = rng.randrange(len(words))
        t = words[w]
        if len(t) > 4:
            p = rng.randrange(1, len(t) - 1)
            words[w] = t[:p] + t[p + 1 :]
    elif op < 0.65:
        rng.shuffle(words)
    return " ".join(words).upper() if rng.random() < 0.2 else " ".join(words)
