"""Regressions found by screening one real published debarment list against another (bench/crosslist.py)."""

from __future__ import annotations

from debarlist_match import DEFAULT_THRESHOLD, MatchIndex, Query
from debarlist_match.normalise import prepare

from .conftest import company


def test_every_query_alias_retrieves_its_own_candidates() -> None:
    # Many listed "... Consultants" firms: pooled retrieval let the alias's common word fill the
    # shortlist and the short name's exact twin was never scored.
    idx = MatchIndex()
    for n in range(80):
        idx.add(company(f"c{n}", f"Firm{n:02d} Consultants Limited", country="NG"))
    idx.add(company("njs", "NJS CO., LTD.", country="JP"))
    alone = idx.search(Query(name="NJS Co., Ltd.", country="JP"))
    with_alias = idx.search(Query(name="NJS Co., Ltd.", aliases=("NJS Consultants Co., Ltd.",), country="JP"))
    assert alone and alone[0].key == "njs"
    assert with_alias and with_alias[0].key == "njs"
    assert with_alias[0].score == alone[0].score
    assert with_alias[0].query_name == "NJS Co., Ltd."
    # The alias alone is scored as well: the best (query name, listed name) pair wins.
    only_alias = idx.search(Query(name="Totally Other Name", aliases=("NJS Co., Ltd.",), country="JP"))
    assert only_alias and only_alias[0].key == "njs" and only_alias[0].score >= DEFAULT_THRESHOLD


def test_legal_forms_without_diacritics_are_stripped_like_the_accented_ones() -> None:
    idx = MatchIndex()
    idx.add(company("flowbird", "FLOWBIRD SOCIÉTÉ PAR ACTIONS SIMPLIFIÉE", country="FR"))
    idx.add(company("other", "FLOWBIRD TRANSPORT LIMITED", country="GB"))
    hits = idx.search(Query(name="Flowbird Societe par Actions Simplifiee", country="FR"))
    assert hits and hits[0].key == "flowbird" and hits[0].score >= 0.95
    assert hits[0].explanation["name"]["unmatched_query"] == []  # type: ignore[index]
    forms = ("société anonyme", "spółka akcyjna", "společnost s ručením omezeným", "osakeyhtiö", "részvénytársaság")
    for form in forms:
        plain = form.translate(str.maketrans("éóąęłčěřžšíöőüáú", "eoaelcerzsioouau"))
        accented, folded = prepare(f"Zenobia {form}"), prepare(f"Zenobia {plain}")
        assert accented.folds == folded.folds == ("zenobia",), (form, accented.folds, folded.folds)


def test_initials_opening_a_name_are_not_a_legal_form() -> None:
    idx = MatchIndex()
    for n in range(60):
        idx.add(company(f"c{n}", f"Builder{n:02d} Construction Limited", country="NG"))
    idx.add(company("da", "D.A. CONSTRUCTION LIMITED", country="NG"))
    idx.add(company("shailung", "SHAILUNG CONSTRUCTION CO. PVT. LTD.", country="NP"))
    hits = idx.search(Query(name="D.A. Construction Limited", country="NG"))
    assert hits and hits[0].key == "da" and hits[0].score >= 0.95
    pvt = idx.search(Query(name="Shailung Construction Company Pvt. Ltd.", country="NP"))
    assert pvt and pvt[0].key == "shailung" and pvt[0].score >= 0.95


def test_abbreviations_articles_and_lookalike_letters_are_the_same_name() -> None:
    idx = MatchIndex()
    for n in range(30):
        idx.add(company(f"c{n}", f"Firm{n:02d} Security LLC", country="US"))
    idx.add(company("miller", "Miller Brothers Security International LLC", country="US"))
    idx.add(company("plain", "Miller Security LLC", country="US"))
    idx.add(company("orion", "Orion Cargo Trade LLC", country="KZ"))
    for query in ("Miller Bros Security Intl LLC", "The Miller Brothers & Security International LLC"):
        hits = idx.search(Query(name=query, country="US"))
        assert hits and hits[0].key == "miller" and hits[0].score >= 0.95, (query, hits)
    # "Orion" typed with Cyrillic О and С among the Latin letters.
    mixed = idx.search(Query(name="\u041erion \u0421argo Trade LLC", country="KZ"))
    assert mixed and mixed[0].key == "orion" and mixed[0].score >= 0.95
