"""Streamed answers that fail before their first byte, not in the middle.

Once a streaming response has sent its status line, an error can only cut the body short (an
incomplete chunked body the client may take for the whole). ``started`` runs an iterator to
its first item while the request can still be answered with a problem document: parameters
the database refuses, or a first query that fails, become a 4xx/5xx answer instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")


def started(items: Iterator[T]) -> Iterator[T]:
    """``items`` with its first item already produced (so its first query already ran)."""
    first = list(itertools.islice(items, 1))
    return itertools.chain(first, items)
