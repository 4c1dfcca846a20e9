"""Webhook endpoint requests and answers. No read answer has a field for the signing secret:
it appears in the create and rotate answers alone."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from service.common.strict import Flag

EventType = Literal["alert.raised", "match.decided", "match.decision_reversed"]
EVENT_TYPES: tuple[str, ...] = ("alert.raised", "match.decided", "match.decision_reversed")
# The document says what the service takes: an https URL (format "webhook-url") whose host is,
# or resolves only to, public addresses; the service checks the addresses (service.webhooks.urls).
# (DEBARLIST_WEBHOOK_ALLOW_HTTP admits http:// too, for tests: so the pattern is the document's only.)
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
                WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 2000, "pattern": "^https://",
                                "format": "webhook-url"})]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
DeliveryState = Literal["pending", "delivered", "dead"]
# Constraints on the list type itself, so that the document states them (minItems, maxItems,
# uniqueItems) on the optional field of a change too.
EventTypes = Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES),
                                              json_schema_extra={"uniqueItems": True})]


def _unique(types: list[EventType] | None) -> list[EventType] | None:
    if types is not None and len(set(types)) != len(types):
        raise ValueError("each event type may be named once")
    return types


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url = Field(description="Where events are POSTed: https, a public address.",
                     examples=["https://93.184.215.14/hooks/debarlist"])
    event_types: EventTypes = Field(description="The events sent to this endpoint.",
                                    examples=[["alert.raised", "match.decided"]])
    description: Description | None = Field(default=None, description="What the endpoint is for.",
                                            examples=["Contract management system"])

    _unique_types = field_validator("event_types")(_unique)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    # Absent means unchanged; null is refused (SkipJsonSchema keeps null out of the document).
    url: Url | SkipJsonSchema[None] = Field(default=None, description="A new URL (validated as on create).",
                                            examples=["https://93.184.215.14/hooks/debarlist-v2"])
    event_types: EventTypes | SkipJsonSchema[None] = Field(default=None, description="The events sent from now on.",
                                                           examples=[["alert.raised"]])
    description: Description | None = Field(default=None, description="What the endpoint is for.",
                                            examples=["Contract management system"])
    enabled: Flag | SkipJsonSchema[None] = Field(default=None, examples=[False],
                                                 description="false pauses delivery (events still queue).")

    _unique_types = field_validator("event_types")(_unique)

    @model_validator(mode="before")
    @classmethod
    def _something(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if not data:
                raise ValueError("name at least one of url, event_types, description, enabled")
            for name in ("url", "event_types", "enabled"):
                if name in data and data[name] is None:
                    raise ValueError(f"{name} may not be null")
        return data


class WebhookOut(BaseModel):
    id: str = Field(description="The endpoint's id.", examples=["3f6c1a2e-8b7d-4c5e-9f0a-1b2c3d4e5f60"])
    url: str = Field(description="Where events are POSTed.", examples=["https://93.184.215.14/hooks/debarlist"])
    event_types: list[str] = Field(description="The events sent to it.", examples=[["alert.raised"]])
    description: str | None = Field(description="What the endpoint is for.", examples=["Contract management"])
    enabled: bool = Field(description="Whether events are delivered to it.", examples=[True])
    created_at: datetime = Field(description="When it was registered.", examples=["2026-12-03T08:00:00Z"])
    updated_at: datetime = Field(description="When it last changed.", examples=["2026-12-03T08:05:00Z"])


class WebhookCreated(WebhookOut):
    secret: str = Field(description="The Standard Webhooks signing secret. Shown once: keep it now.",
                        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])


class WebhookSecret(BaseModel):
    secret: str = Field(description="The new signing secret, shown once.",
                        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
    previous_valid_until: datetime = Field(description="Until when deliveries are also signed with the "
                                           "previous secret (both signatures in webhook-signature).",
                                               examples=["2026-12-04T08:00:00Z"])


class WebhookList(BaseModel):
    items: list[WebhookOut] = Field(description="The organisation's endpoints, oldest first.")


class AttemptOut(BaseModel):
    attempted_at: datetime = Field(description="When the POST was sent.", examples=["2026-12-03T08:00:01Z"])
    status_code: int | None = Field(description="The receiver's HTTP status; null when none came.",
                                    examples=[503])
    error: str | None = Field(description="Why the attempt failed, when it did.", examples=["timed out"])
    duration_ms: int = Field(description="Time to the answer (or the failure).", examples=[42])


class DeliveryOut(BaseModel):
    id: str = Field(description="The delivery's id; `msg_<id>` is the webhook-id of all its attempts.",
                    examples=["0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"])
    webhook_id: str = Field(description="The webhook-id header the receiver sees (the same on every attempt).",
                            examples=["msg_0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"])
    event_id: str = Field(description="The event's id.", examples=["7c6d5e4f-3a2b-4c1d-8e9f-0a1b2c3d4e5f"])
    event_type: str = Field(description="The event's type.", examples=["alert.raised"])
    state: DeliveryState = Field(description="pending (queued or being retried), delivered, or dead "
                                 "(given up after DEBARLIST_WEBHOOK_GIVE_UP_SECONDS).", examples=["pending"])
    attempts: int = Field(description="POSTs made so far.", examples=[2])
    next_attempt_at: datetime | None = Field(description="When the next attempt is due (pending only).",
        examples=["2026-12-03T08:00:06Z"])
    last_status: int | None = Field(description="The last attempt's HTTP status.", examples=[503])
    last_error: str | None = Field(description="The last attempt's failure.", examples=["HTTP 503"])
    created_at: datetime = Field(description="When the event was queued for this endpoint.",
        examples=["2026-12-03T08:00:00Z"])
    delivered_at: datetime | None = Field(description="When a 2xx answer came.", examples=["2026-12-03T08:00:01Z"])
    recent_attempts: list[AttemptOut] = Field(description="The last attempts, newest first (at most 20).")


class DeliveryPage(BaseModel):
    items: list[DeliveryOut] = Field(description="Deliveries, newest first.")
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end.", examples=["MTIz"])
