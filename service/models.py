"""Every table, imported in one place for Alembic and for metadata checks."""

from service.audit.models import AuditRecord, Checkpoint, Ledger
from service.auth.models import ApiClient, Organisation
from service.db import Base
from service.entries.models import Entry, EntryRevision
from service.screening.models import Screening

__all__ = ["ApiClient", "AuditRecord", "Base", "Checkpoint", "Entry", "EntryRevision", "Ledger",
           "Organisation", "Screening"]
