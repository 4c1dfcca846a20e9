"""The facts store: facts encoded into its buffer come back equal, every dated field included, and
facts changed after a start are read as changed."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime

from service.listview.facts import ListedFacts, RecognitionFact
from service.listview.factstore import _DAYS, _INSTANTS, FactsStore


def _facts(entry_id: str, **changes: object) -> ListedFacts:
    values: dict[str, object] = dict(
        entry_id=entry_id, organisation="KZ", organisation_id=7, name="Alatau Stroy LLP", kind="company",
        listing="debarred", grounds=("fraud", "forced_labour"), visibility="members", starts_on=date(2026, 3, 15),
        ends_on=date(2029, 3, 14), withdrawn=False, appeal_status="lodged", legal_basis="Act, art. 12",
        decision_ref="MF-2026/117", decided_on=date(2026, 3, 2),
        source={"list": "national", "fetched": "2026-03-01", "rows": [1, 2.5, None, True], "nested": {"a": "b"}},
        version=3, publication="published", appeal_lodged_on=date(2026, 4, 1), appeal_decided_on=None,
        appeal_decision_ref=None,
        recognitions=(RecognitionFact(organisation="UA", decision_ref="R-1", legal_basis="Law 5",
                                      starts_on=date(2026, 5, 1), ends_on=None,
                                      created_at=datetime(2026, 5, 1, 9, 30, tzinfo=UTC), created_revision=12,
                                      withdrawn_at=datetime(2026, 6, 1, 0, 0, 1, 5, tzinfo=UTC),
                                      withdrawn_revision=40, recognition_id="r-1"),))
    values.update(changes)
    return ListedFacts(**values)  # type: ignore[arg-type]


def test_every_dated_field_is_converted() -> None:
    for cls in (ListedFacts, RecognitionFact):
        for field in fields(cls):
            kind = str(field.type)
            if "datetime" in kind:
                assert field.name in _INSTANTS, field.name
            elif "date" in kind:
                assert field.name in _DAYS, field.name


def test_facts_come_back_equal_from_the_buffer_and_changes_win() -> None:
    store = FactsStore()
    store["a"] = _facts("a")
    store["b"] = _facts("b", ends_on=None, decided_on=None, recognitions=(), source=None)
    loaded = FactsStore.from_buffers(*store.buffers())
    assert loaded["a"] == _facts("a") and loaded.get("b") == store["b"]
    assert loaded.get("missing") is None and "a" in loaded and len(loaded) == 2
    loaded["a"] = _facts("a", version=4)
    loaded["c"] = _facts("c")
    again = FactsStore.from_buffers(*loaded.buffers())
    assert again["a"].version == 4 and again["c"] == _facts("c") and list(again) == ["a", "b", "c"]
