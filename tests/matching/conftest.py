from __future__ import annotations

import pytest

from debarlist_match import Identifier, ListedRecord, MatchIndex


def company(
    key: str, name: str, *aliases: str, country: str | None = None, ids: tuple[Identifier, ...] = ()
) -> ListedRecord:
    return ListedRecord(key=key, kind="company", name=name, aliases=aliases, country=country, identifiers=ids)


# A small list with realistic token frequencies: generic words ("Stroy", "Trans", "Services") repeat,
# distinctive words do not - the index learns their weights from this list itself.
LIST = [
    company("alatau", "Alatau Stroy LLP", country="KZ"),
    company(
        "baltika",
        "ООО «Балтика Фарм Охрана»",
        "Baltika Farm Okhrana LLC",
        country="RU",
        ids=(Identifier("registration", "1027700132195"),),
    ),
    company("huber", "Huber Transport KG", country="AT", ids=(Identifier("vat", "AT U518222254"),)),
    company("kyiv", "ТОВ «Київ Техно»", "Kyiv Tekhno LLC", country="UA"),
    company("zhiguli", "Zhiguli Vostok Treyd JSC", country="RU"),
    company("shchelkovo", "Shchelkovo Svyaz Torg LLP", country="KZ"),
    company("yuzhny", "Yuzhny Khimprom OJSC", country="RU"),
    company("thessalia", "ΘΕΣΣΑΛΊΑ ΚΑΤΑΣΚΕΥΑΣΤΙΚΉ Ε.Π.Ε.", country="GR"),
    company("iberia", "შპს „იბერია დაცვა“", country="GE"),
    company("gyumri", "«Գյումրի Սերվիս» ՓԲԸ", country="AM"),
    company("cacak", "Čačak Obezbeđenje d.o.o.", country="RS"),
    company("kurt", "Kurt Güvenlik A.Ş.", country="TR"),
    company("sibir", "Sibirstroy Montazh OOO", country="RU"),
    company("mueller", "Müller Sicherheit GmbH", country="DE"),
    company("lei", "Nordic Freight Holding AB", country="SE", ids=(Identifier("lei", "529900T8BM49AURSDO55"),)),
    company("shanghai", "Shanghai Yutong Construction Co., Ltd.", "上海宇通建设有限公司", country="CN"),
    company("fill1", "Nurlan Stroy Services LLP", country="KZ"),
    company("fill2", "Aksai Trans Services LLP", country="KZ"),
    company("fill3", "Vostok Trans Stroy LLC", country="RU"),
    company("fill4", "Granit Stroy Trading LLC", country="RU"),
    company("fill5", "Orion Construction Group Ltd", country="GB"),
    company("fill6", "Delta Transport Services Ltd", country="GB"),
]


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    idx = MatchIndex()
    for r in LIST:
        idx.add(r)
    return idx
