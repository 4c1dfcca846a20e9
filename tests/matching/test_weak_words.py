"""Weak evidence inside names (1.3): place suffixes, initials and name order, inflected sector words."""

from __future__ import annotations

import pytest

from debarlist_match import DEFAULT_THRESHOLD, ListedRecord, MatchIndex, Query
from debarlist_match.normalise import places, prepare, token_forms


def rec(key: str, name: str, kind: str = "company", country: str | None = None) -> ListedRecord:
    return ListedRecord(key=key, kind=kind, name=name, country=country)


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    idx = MatchIndex()
    for r in [
        rec("fortuna", "Fortuna Energo LLP", country="KZ"),
        rec("fortuna-almaty", "Fortuna Energo Almaty LLP", country="KZ"),
        rec("sich", "Sich Tekstyl LLC", country="UA"),
        rec("almaty-stroy", "Almaty Stroy LLP", country="KZ"),
        rec("nurly", "Nurly Stroy LLP", country="KZ"),
        rec("ivan", "Ivan Petrov", "person"),
        rec("anna", "Anna Petrov", "person"),
        rec("sergei", "Sergei Kovalenko", "person"),
        rec("merubia", "CONSTRUCCIONES Y SERVICIOS MERUBIA", country="BO"),
        # Other firms carrying the same sector words, so the list knows them as frequent words.
        rec("andes", "Construcciones Andes S.A.", country="BO"),
        rec("illimani", "Construcciones y Servicios Illimani", country="BO"),
        rec("pacha", "Servicios Pacha SRL", country="BO"),
        rec("tupac", "Constructora Tupac", country="BO"),
        rec("illampu", "Constructora Illampu", country="BO"),
        rec("sajama", "Constructora Sajama y Servicios", country="BO"),
    ]:
        idx.add(r)
    return idx


def best(index: MatchIndex, name: str, **kw: object) -> tuple[str | None, float]:
    hits = index.search(Query(name=name, **kw), threshold=0.0, limit=1)  # type: ignore[arg-type]
    return (hits[0].key, hits[0].score) if hits else (None, 0.0)


def test_place_words_are_countries_regions_and_branches_not_ordinary_words() -> None:
    skel = {w: token_forms(w)[1] for w in ("almaty", "kazakhstan", "ukraine", "tbilisi", "branch", "филиал")}
    assert set(skel.values()) <= places()
    # Generic parts of place names and the words of multi-word or hyphenated region names are not places.
    for word in ("stroy", "republic", "new", "saint", "edward", "bayan"):
        assert token_forms(word)[1] not in places(), word


@pytest.mark.parametrize(
    "variant",
    ["Sich Tekstyl LLC (Ukraine)", "Sich Tekstyl Kyiv LLC", "Sich Tekstyl LLC Branch", "Sich Tekstyl Ukraine"],
)
def test_added_place_suffix_costs_little(index: MatchIndex, variant: str) -> None:
    key, score = best(index, variant, country="UA")
    assert key == "sich" and score >= DEFAULT_THRESHOLD + 0.1, (key, score)


def test_place_after_the_legal_form_does_not_hide_it() -> None:
    with_place = prepare("Yıldırım Lojistik San. ve Tic. A.Ş. (Istanbul)")
    assert with_place.folds == ("yildirim", "lojistik", "istanbul")
    assert with_place.legal == prepare("Yıldırım Lojistik A.Ş.").legal is not None


def test_different_places_are_different_words(index: MatchIndex) -> None:
    # Both sides keep an unmatched place: it counts in full, like any replaced word (the same name without
    # a place still matches: there the place is only added).
    hits = {h.key: h.score for h in index.search(Query(name="Fortuna Energo Tbilisi LLP"), threshold=0.0)}
    assert hits["fortuna"] >= DEFAULT_THRESHOLD
    assert hits.get("fortuna-almaty", 0.0) < DEFAULT_THRESHOLD


def test_place_opening_a_name_is_the_name(index: MatchIndex) -> None:
    # "Almaty Stroy" is not "Nurly Stroy" or a bare "Stroy": a leading place keeps its full weight.
    key, score = best(index, "Stroy LLP", country="KZ")
    assert score < DEFAULT_THRESHOLD, (key, score)


def test_exact_twin_ranks_before_the_same_name_with_a_place(index: MatchIndex) -> None:
    hits = index.search(Query(name="Fortuna Energo LLP", country="KZ"), limit=2)
    assert [h.key for h in hits] == ["fortuna", "fortuna-almaty"]


@pytest.mark.parametrize(("variant", "key"), [("I. Petrov", "ivan"), ("A. Petrov", "anna"), ("S Kovalenko", "sergei")])
def test_initial_stands_for_a_given_name(index: MatchIndex, variant: str, key: str) -> None:
    got, score = best(index, variant, kind="person")
    assert got == key and score >= DEFAULT_THRESHOLD, (got, score)


@pytest.mark.parametrize("variant", ["PETROV Ivan", "Petrov I.", "KOVALENKO Sergei"])
def test_family_name_first(index: MatchIndex, variant: str) -> None:
    got, score = best(index, variant, kind="person")
    assert got in {"ivan", "sergei"} and score >= DEFAULT_THRESHOLD, (got, score)


@pytest.mark.parametrize("decoy", ["O. Petrov", "Olga Petrov", "PETROV Olga", "B. Kovalenko"])
def test_other_initial_or_given_name_is_another_person(index: MatchIndex, decoy: str) -> None:
    assert index.search(Query(name=decoy, kind="person")) == []


def test_lone_letter_between_words_is_a_connector_not_an_initial() -> None:
    assert prepare("Constructora y Servicios Merubia").folds == ("constructora", "servicios", "merubia")
    assert prepare("Novak i Partneri").folds == ("novak", "partneri")
    assert prepare("John F. Kennedy").folds == ("john", "f", "kennedy")  # dotted: an initial
    assert prepare("J. Smith").folds == ("j", "smith")


def test_inflected_sector_word_is_a_weak_match(index: MatchIndex) -> None:
    hit = index.search(Query(name="Constructora y Servicios Merubia", country="BO"), limit=1)
    assert hit and hit[0].key == "merubia", hit
    aligned = hit[0].explanation["name"]["aligned"]  # type: ignore[index]
    assert ["constructora", "construcciones", 0.3] in aligned


def test_inflected_word_alone_does_not_make_a_match(index: MatchIndex) -> None:
    # A stem-matched sector word plus one shared name word is not the firm whose other name word differs.
    assert index.search(Query(name="Constructora Illimani Pacha", country="BO")) == []
    assert index.search(Query(name="Constructora Merubia Pacha", country="BO")) == []
