"""Every table, imported in one place for Alembic and for metadata checks."""

from service.appeals.models import Appeal
from service.audit.models import Checkpoint
from service.auth.models import ApiClient, Organisation
from service.console.models import Person, PersonSession
from service.decisions.models import MatchDecision
from service.entries.models import Entry, EntryRevision, Review
from service.idempotency.models import IdempotencyKey
from service.kernel.db import Base
from service.kernel.ledger import AuditRecord, Ledger
from service.monitoring.models import Alert, MonitoringCursor, WatchedSupplier
from service.recognitions.models import Recognition
from service.screening.models import Screening
from service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = ["Alert", "ApiClient", "Appeal", "AuditRecord", "Base", "Checkpoint", "Entry", "EntryRevision",
           "IdempotencyKey", "Ledger", "MatchDecision", "MonitoringCursor", "Organisation", "Person", "PersonSession",
           "Recognition", "Review",
           "Screening", "WatchedSupplier", "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint", "WebhookEvent"]
