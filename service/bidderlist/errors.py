"""The one error a bidder-list run ends with: a sentence saying what went wrong and what to do."""

from __future__ import annotations


class BidderListError(Exception):
    """Shown to the person as one line (``error: ...``), never as a traceback."""
