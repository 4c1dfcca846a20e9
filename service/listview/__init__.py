"""The list as screening sees it: one mapping from an entry (or a stored version of it) to what
a match needs, and the indexes that search it now (``live``) and as it was (``versions``)."""

from service.listview.lists import Lists

__all__ = ["Lists"]
