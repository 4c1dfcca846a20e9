"""Change-feed shapes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.entries.schemas import EntryOut


class ChangeItem(BaseModel):
    revision: int = Field(description="The list revision of this change; items come in this order.",
                          examples=[1042])
    entry_id: str = Field(description="The changed entry.", examples=["3f1b9c1e-7d2a-4c1e-9a51-0f3e2b7a9d10"])
    version: int = Field(description="The entry's version after the change.", examples=[3])
    action: str = Field(description="What happened, as in the audit log.", examples=["entry.update"])
    removed: bool = Field(description="True for a tombstone: the caller may no longer see the entry "
                                      "(its visibility changed); a mirror deletes it.", examples=[False])
    entry: EntryOut | None = Field(description="The entry as of this change, as the caller may see it; "
                                               "null on a tombstone.", examples=[None])


class ChangePage(BaseModel):
    items: list[ChangeItem] = Field(description="Changes after `since`, in revision order.")
    next_since: int = Field(description="Pass as `since` for the next call; every change up to it "
                                        "has been delivered.", examples=[1042])
    head: int = Field(description="The list revision now; the mirror is up to date when next_since "
                                  "equals it.", examples=[1050])
