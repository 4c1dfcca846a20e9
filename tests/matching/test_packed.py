"""An index brought back from its buffers (snapshot.index_state / index_from_state) answers as the
index it was taken from, before and after the changes that follow a start: records added,
replaced and removed, a compaction, and a second snapshot of the result."""

from __future__ import annotations

from array import array
from typing import Any

import pytest

from debarlist_match import Identifier, ListedRecord, MatchIndex, Query
from debarlist_match.packed import PackedRows, Postings, ids_view, offsets_view
from debarlist_match.snapshot import index_from_state, index_state

from .conftest import LIST, company

QUERIES = [
    Query(name="Alatau Stroy", country="KZ"),
    Query(name="Baltika Farm Okhrana", identifiers=(Identifier("registration", "1027700132195"),)),
    Query(name="Renamed Freight", identifiers=(Identifier("vat", "AT518222254"),)),
    Query(name="Shanghai Yutong Construction"),
    Query(name="上海宇通建设"),
    Query(name="Vostok Trans Stroy", country="RU"),
    Query(name="Kyiv Tekhno"),
    Query(name="Granit Stroy Trading"),
    Query(name="Delta Transport"),
    Query(name="Completely Unknown Holdings"),
]


def _answers(index: MatchIndex) -> list[list[tuple[str, float, str]]]:
    return [[(m.key, m.score, m.matched_name) for m in index.search(q, threshold=0.3, limit=10)] for q in QUERIES]


def _reloaded(index: MatchIndex) -> MatchIndex:
    """The index as a start brings it back: its buffers copied into one read-only memory block."""
    state, buffers = index_state(index)
    block = bytearray()
    places: dict[str, tuple[int, int]] = {}
    for name, buffer in buffers.items():
        block += bytes(-len(block) % 8)
        raw = memoryview(buffer).cast("B")
        places[name] = (len(block), raw.nbytes)
        block += raw
    view = memoryview(bytes(block))
    return index_from_state(state, {name: view[start:start + length] for name, (start, length) in places.items()})


def _built(records: list[ListedRecord]) -> MatchIndex:
    index = MatchIndex()
    for record in records:
        index.add(record)
    return index


def test_a_reloaded_index_answers_as_the_one_it_was_taken_from() -> None:
    built = _built(LIST)
    loaded = _reloaded(built)
    assert len(loaded) == len(built)
    assert _answers(loaded) == _answers(built)
    assert any(_answers(built))  # the queries do find things


def _changes(index: MatchIndex) -> None:
    index.add(company("late", "Alatau Stroy Montazh LLP", country="KZ"))  # new, sharing packed keys
    index.add(company("huber", "Huber Spedition KG", country="AT", ids=(Identifier("vat", "AT U518222254"),)))
    index.add(company("kurt", "Kurt Güvenlik A.Ş.", country="TR", ids=(Identifier("lei", "5493001KJTIIGC8Y1R12"),)))
    index.remove("fill6")
    index.remove("baltika")


def test_changes_after_a_start_answer_as_on_an_index_built_with_them() -> None:
    built = _built(LIST)
    _changes(built)
    loaded = _reloaded(_built(LIST))
    _changes(loaded)
    assert _answers(loaded) == _answers(built)
    assert "fill6" not in loaded and "late" in loaded
    assert [m.key for m in loaded.search(Query(name="Baltika Farm Okhrana"))] == []
    again = _reloaded(loaded)  # a snapshot of a loaded and changed index
    assert _answers(again) == _answers(built)
    assert again.words_of("huber") == built.words_of("huber")


def test_a_compaction_after_a_start_keeps_every_live_record() -> None:
    many = [company(f"k{i}", f"Filler {i} Stroy Trading LLP", country="KZ") for i in range(2200)]
    loaded = _reloaded(_built([*LIST, *many]))
    for record in many:
        loaded.remove(record.key)  # past half dead: compacted
    assert len(loaded) == len(LIST)
    assert _answers(loaded) == _answers(_built(LIST))


def test_buffers_that_do_not_fit_are_refused() -> None:
    state, buffers = index_state(_built(LIST))
    with pytest.raises(ValueError, match="lacks buffer"):
        index_from_state(state, {k: v for k, v in buffers.items() if k != "names.rows"})
    short: dict[str, Any] = {**buffers, "names.rows": memoryview(buffers["names.rows"])[:10]}
    with pytest.raises(ValueError, match="offsets do not fit"):
        index_from_state(state, short)
    with pytest.raises(ValueError, match="does not fit this engine"):
        index_from_state({**state, "_extra": 1}, buffers)


def test_packed_rows_read_replace_and_append() -> None:
    rows = PackedRows(lambda raw: bytes(raw).decode())
    for word in ("alpha", "beta", "gamma"):
        rows.append(word)
    blob, offsets = rows.packed(str.encode)
    loaded = PackedRows(lambda raw: bytes(raw).decode(), bytes(blob), offsets_view(memoryview(offsets).cast("B")))
    loaded[1] = "BETA"
    loaded.append("delta")
    assert list(loaded) == ["alpha", "BETA", "gamma", "delta"]
    with pytest.raises(IndexError):
        loaded[4]
    with pytest.raises(IndexError):
        loaded[-1]


def test_postings_join_packed_ids_with_those_added_since() -> None:
    fresh: Postings[str] = Postings()
    for key, rid in (("a", 1), ("b", 2), ("a", 3)):
        fresh.add(key, rid)
    slots, offsets, ids = fresh.packed()
    loaded = Postings(slots, offsets_view(memoryview(offsets).cast("B")), ids_view(memoryview(ids).cast("B")))
    loaded.add("a", 7)
    loaded.add("c", 8)
    loaded.discard("a", 1)  # packed ids stay (tombstones); only those added since go
    loaded.discard("a", 7)
    found = loaded.get("a")
    assert found is not None and list(found) == [1, 3] and len(found) == 2
    loaded.add("a", 9)
    joined = loaded.get("a")
    assert joined is not None and list(joined) == [1, 3, 9] and len(joined) == 3
    assert loaded.get("missing") is None and len(loaded) == 3
    assert list(Postings(*loaded.packed()).get("a") or ()) == [1, 3, 9]
    assert isinstance(loaded.packed()[2], array)
