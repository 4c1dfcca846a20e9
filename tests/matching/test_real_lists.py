"""Regressions found by screening one real published debarment list against another (bench/crosslist.py)."""

from __future__ import annotations

from service.matching import DEFAULT_THRESHOLD, MatchIndex, Query

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
