"""Python client for the Debarlist API."""

from debarlist_client._core import RetryPolicy
from debarlist_client.aio import AsyncClient
from debarlist_client.client import Client
from debarlist_client.errors import (
    ApiError,
    BadRequest,
    Conflict,
    DebarlistError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    TransportError,
    Unauthorized,
    ValidationFailed,
)
from debarlist_client.models import (
    AuditRecord,
    BulkResult,
    Change,
    ChangePage,
    Entry,
    Problem,
    Revision,
    ScreeningReceipt,
    ScreenResponse,
    Subject,
    VerifyReport,
)

__version__ = "0.1.0"

__all__ = [
    "ApiError", "AsyncClient", "AuditRecord", "BadRequest", "BulkResult", "Change", "ChangePage", "Client",
    "Conflict", "DebarlistError", "Entry", "Forbidden", "NotFound", "PreconditionFailed", "PreconditionRequired",
    "Problem", "RateLimited", "RetryPolicy", "Revision", "ScreenResponse", "ScreeningReceipt", "ServerError",
    "ServiceUnavailable", "Subject", "TransportError", "Unauthorized", "ValidationFailed", "VerifyReport",
]
