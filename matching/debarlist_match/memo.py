"""A memo for the per-word functions, kind to forked workers.

``functools.lru_cache`` keeps its entries on a linked list that every hit relinks: in a server
that builds the index and forks workers (service/workers.py), each hit on a word cached by the
parent writes to the parent's pages, so the worker copies them (copy-on-write) and, over a few
thousand screenings, holds its own copy of most of the cache. A plain dict is only read on a hit.
When full it is emptied (the next words fill it again): a bound without per-hit bookkeeping.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

T = TypeVar("T")


def word_memo(maxsize: int) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    def decorate(function: Callable[[str], T]) -> Callable[[str], T]:
        memo: dict[str, T] = {}

        @wraps(function)
        def cached(word: str) -> T:
            try:
                return memo[word]
            except KeyError:
                pass
            value = function(word)
            if len(memo) >= maxsize:
                memo.clear()
            memo[word] = value
            return value

        return cached

    return decorate
