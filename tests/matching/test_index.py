"""Identifiers, countries, index mutations, filters and explanations."""

from __future__ import annotations

import json
import threading

from debarlist_match import ALGORITHM, DEFAULT_THRESHOLD, Identifier, ListedRecord, MatchIndex, Query
from debarlist_match.identifiers import identifier_key

from .conftest import LIST, company


def test_public_constants() -> None:
    assert ALGORITHM.startswith("debarlist-match/")
    assert 0.0 < DEFAULT_THRESHOLD < 1.0


def test_identifier_normalisation() -> None:
    a = identifier_key(Identifier("vat", "AT518222254"))
    b = identifier_key(Identifier("registration", "518 222-254"))
    assert a is not None and b is not None and a[:2] == b[:2]
    assert (
        identifier_key(Identifier("registration", "02786838"))[1]
        == identifier_key(  # type: ignore[index]
            Identifier("registration", "2786838")
        )[1]
    )  # type: ignore[index]
    assert identifier_key(Identifier("lei", "5299 00t8bm49aursdo55")) == ("lei", "529900T8BM49AURSDO55", None)
    assert identifier_key(Identifier("registration", "12")) is None  # too short to be evidence


def test_identifier_only_match_despite_renamed_firm(index: MatchIndex) -> None:
    hits = index.search(Query(name="Totally Renamed Freight AG", identifiers=(Identifier("vat", "AT 518 222 254"),)))
    assert hits and hits[0].key == "huber" and hits[0].score >= DEFAULT_THRESHOLD
    ident = hits[0].explanation["identifier"]
    assert isinstance(ident, dict) and ident["result"] == "match" and ident["value"] == "518222254"
    lei = index.search(Query(name="", identifiers=(Identifier("lei", "529900t8bm49aursdo55"),)))
    assert lei and lei[0].key == "lei" and lei[0].query_name == ""


def test_national_identifier_needs_same_country(index: MatchIndex) -> None:
    hits = index.search(Query(name="Other", country="PL", identifiers=(Identifier("registration", "1027700132195"),)))
    assert all(h.key != "baltika" for h in hits)


def test_identifier_conflict_is_weak_negative(index: MatchIndex) -> None:
    plain = index.search(Query(name="Huber Transport KG", country="AT"), threshold=0.0)[0]
    conflict = index.search(
        Query(name="Huber Transport KG", country="AT", identifiers=(Identifier("vat", "AT999999999"),)),
        threshold=0.0,
    )[0]
    assert conflict.key == plain.key == "huber"
    assert plain.score - 0.1 < conflict.score < plain.score
    assert conflict.score >= DEFAULT_THRESHOLD
    assert conflict.explanation["identifier"]["result"] == "conflict"  # type: ignore[index]


def test_country_conflict_lowers_and_missing_does_not(index: MatchIndex) -> None:
    missing = index.search(Query(name="Huber Transport KG"), threshold=0.0)[0]
    same = index.search(Query(name="Huber Transport KG", country="AT"), threshold=0.0)[0]
    other = index.search(Query(name="Huber Transport KG", country="FR"), threshold=0.0)[0]
    assert other.score < missing.score <= same.score
    assert missing.score >= DEFAULT_THRESHOLD
    assert other.explanation["country"]["result"] == "conflict"  # type: ignore[index]
    assert missing.explanation["country"]["result"] == "missing"  # type: ignore[index]


def test_add_replace_remove() -> None:
    idx = MatchIndex()
    for r in LIST:
        idx.add(r)
    n = len(idx)
    assert "kyiv" in idx and "nope" not in idx
    idx.add(company("kyiv", "Zaporizhzhia Metal LLC", country="UA"))  # replace: old names gone
    assert len(idx) == n
    assert all(h.key != "kyiv" for h in idx.search(Query(name="Kyiv Tekhno LLC")))
    assert idx.search(Query(name="Zaporizhzhia Metal"))[0].key == "kyiv"
    idx.remove("kyiv")
    idx.remove("kyiv")  # absent: no error
    assert "kyiv" not in idx and len(idx) == n - 1
    assert idx.search(Query(name="Zaporizhzhia Metal")) == []


def test_remove_many_compacts() -> None:
    idx = MatchIndex()
    for i in range(3000):
        idx.add(company(f"k{i}", f"Firm{i} Alpha Trading LLC"))
    for i in range(2500):
        idx.remove(f"k{i}")
    assert len(idx) == 500
    assert idx.search(Query(name="Firm2999 Alpha Trading"))[0].key == "k2999"


def test_accept_filter_and_limit() -> None:
    idx = MatchIndex()
    for i in range(8):
        idx.add(company(f"k{i}", "Granit Baltika Stroy LLC", country="RU"))
    q = Query(name="Granit Baltika Stroy")
    assert len(idx.search(q, limit=3)) == 3
    assert len(idx.search(q, limit=20)) == 8
    kept = idx.search(q, limit=3, accept=lambda k: k in {"k5", "k7"})
    assert [m.key for m in kept] == ["k5", "k7"]


def test_explanation_and_score_range(index: MatchIndex) -> None:
    for q in ["Baltika Farm Okhrana", "ТОВ Київ Техно", "Huber", "Nurly Stroy"]:
        for m in index.search(Query(name=q, country="RU"), threshold=0.0, limit=5):
            assert 0.0 <= m.score <= 1.0 and m.score == round(m.score, 4)
            json.dumps(m.explanation)
    m = index.search(Query(name="Baltika Farm Okhrana LLC", country="RU"))[0]
    e = m.explanation
    assert e["algorithm"] == ALGORITHM
    assert {"name", "identifier", "country", "legal_form", "formula"} <= set(e)
    assert e["name"]["similarity"] > 0.9  # type: ignore[index]
    assert m.query_name == "Baltika Farm Okhrana LLC" and m.matched_name == "Baltika Farm Okhrana LLC"


def test_aliases_on_query_and_kind() -> None:
    idx = MatchIndex()
    idx.add(ListedRecord(key="p", kind="person", name="Ivan Petrov", country="RU"))
    idx.add(company("c", "Sever Trans LLC", country="RU"))
    hits = idx.search(Query(name="Unknown Name", aliases=("Sever Trans",)))
    assert hits[0].key == "c" and hits[0].query_name == "Sever Trans"
    person = idx.search(Query(name="Ivan Petrov", kind="person"), threshold=0.0)[0]
    as_company = idx.search(Query(name="Ivan Petrov", kind="company"), threshold=0.0)[0]
    assert person.score > as_company.score


def test_concurrent_reads_and_writes() -> None:
    idx = MatchIndex()
    for r in LIST:
        idx.add(r)
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(200):
                idx.search(Query(name="Baltika Farm Okhrana"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(300):
        idx.add(company(f"w{i}", f"Writer{i} Trans LLC"))
        if i % 3 == 0:
            idx.remove(f"w{i}")
    for t in threads:
        t.join()
    assert not errors


def test_warm_up_builds_the_first_use_tables_and_changes_nothing() -> None:
    # A server that forks workers calls warm_up before the fork so the tables are shared (service/workers.py).
    from debarlist_match import scoring, warm_up

    scoring._GIVEN = scoring._GENERIC = frozenset()  # as in a process that has not screened yet
    index = MatchIndex()
    index.add(ListedRecord(key="a", kind="company", name="Alatau Stroy LLP", country="KZ"))
    before = [(h.key, h.score) for h in index.search(Query(name="Alatau Stroy"), limit=3)]
    warm_up(index)
    assert scoring._GIVEN and scoring._GENERIC and scoring._PLACES
    assert [(h.key, h.score) for h in index.search(Query(name="Alatau Stroy"), limit=3)] == before
