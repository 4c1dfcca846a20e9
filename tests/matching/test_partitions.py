"""Partitions: records a search may not show never change what it finds or how it scores."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from debarlist_match import ListedRecord, MatchIndex, Query

REAL = ListedRecord(key="real", kind="company", name="Kirmizitepe Dorservis LLP", country="UZ")
DECOY_PARTITIONS = ("unpublished", "org:B", "withdrawn:shared", "withdrawn:org:B")


def _index(decoys: dict[str, int], inactive_shared: int, real_first: bool) -> MatchIndex:
    index = MatchIndex()
    if real_first:
        index.add(REAL)
    for partition, n in decoys.items():
        for i in range(n):
            index.add(ListedRecord(key=f"{partition}-{i}", kind="company", name=REAL.name, country="UZ",
                                   partition=partition))
    for i in range(inactive_shared):  # visible but not in force (expired): refused by accept
        index.add(ListedRecord(key=f"expired-{i}", kind="company", name=REAL.name, country="UZ"))
    if not real_first:
        index.add(REAL)
    return index


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decoys=st.fixed_dictionaries({p: st.integers(0, 2500) for p in DECOY_PARTITIONS}),
       inactive_shared=st.integers(0, 1000), real_first=st.booleans(),
       query=st.sampled_from(["Kirmizitepe Dorservis LLP", "KIRMIZITEPE DORSERVIS", "Kirmizitepe Dorserviss"]))
def test_decoys_of_every_kind_never_hide_the_real_entry(decoys: dict[str, int], inactive_shared: int,
                                                        real_first: bool, query: str) -> None:
    index = _index(decoys, inactive_shared, real_first)
    found = index.search(Query(name=query, country="UZ"), limit=1, accept=lambda key: key == "real",
                         partitions=(None, "org:C"))
    assert [m.key for m in found] == ["real"]
    # Hidden records do not make the real name's words look common: the score is what it is alone.
    alone = _index({}, 0, True).search(Query(name=query, country="UZ"), limit=1)
    if inactive_shared == 0:
        assert found[0].score == alone[0].score


def test_ten_thousand_decoys() -> None:
    index = _index({p: 2500 for p in DECOY_PARTITIONS}, 0, False)
    found = index.search(Query(name=REAL.name), limit=1, accept=lambda key: key == "real", partitions=(None,))
    assert [m.key for m in found] == ["real"] and found[0].score >= 0.95


def test_a_partition_is_searched_only_when_named() -> None:
    index = MatchIndex()
    index.add(ListedRecord(key="own", kind="company", name="Zarafshon Qurilish LLC", partition="org:A"))
    assert index.search(Query(name="Zarafshon Qurilish LLC")) == []
    assert [m.key for m in index.search(Query(name="Zarafshon Qurilish LLC"), partitions=(None, "org:A"))] == ["own"]
    index.remove("own")
    assert index.search(Query(name="Zarafshon Qurilish LLC"), partitions=(None, "org:A")) == []


def test_algorithms_are_registered_by_name_and_version() -> None:
    from debarlist_match import ALGORITHM, get_algorithm

    index = get_algorithm(ALGORITHM)()
    index.add(ListedRecord(key="k", kind="company", name="Alatau Stroy LLP", country="KZ"))
    assert [m.key for m in index.search(Query(name="ТОО «Алатау Строй»", country="KZ"))] == ["k"]
    with pytest.raises(KeyError, match="unknown algorithm"):
        get_algorithm("debarlist-match/0.1")
