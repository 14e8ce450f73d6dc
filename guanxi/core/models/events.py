"""The event outbox: one row per create/update/delete and per typed domain event.

Rows are written in the same transaction as the data they describe (so a rolled-back write
leaves no event, and a committed one always has its event) and delivered at least once by the
worker's dispatcher (``guanxi.framework.events``). ``EventDelivery`` records each subscriber that
has handled an event, so a retried event skips the subscribers already done.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import BaseModel


class Event(BaseModel):
    """Something that happened to one record: ``created``, ``updated``, ``deleted`` or a dotted
    typed kind (``lead.disqualified``), with who did it, the fields that changed and a payload."""

    # Not granted to roles: a reader sees the events of the records they may view (core.api.events).
    access_grantable = False
    # What happened to a merged record stays its own (guanxi.framework.merging).
    merge_moves = False

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERING = "delivering", _("Delivering")
        DONE = "done", _("Delivered")
        FAILED = "failed", _("Failed")

    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    entity_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField(_("record id"))
    entity = GenericForeignKey("entity_type", "object_id")
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    #: a typed event's own arguments (``{"reason": "no budget"}``); empty for created/updated/deleted
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    # --- delivery (the dispatcher's bookkeeping) ---------------------------------------------------
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # the dispatcher's claim: due rows of an undelivered status, oldest first
            models.Index(fields=["status", "next_attempt_at", "id"], name="event_claim"),
            # the API: one entity type (and record) by time
            models.Index(fields=["entity_type", "object_id", "-occurred_at"], name="event_object"),
            models.Index(fields=["entity_type", "-occurred_at"], name="event_type_time"),
            models.Index(fields=["-occurred_at", "-id"], name="event_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_repr}"

    @classmethod
    def reader_labels(cls, user: Any, events: list[Event]) -> list[str]:
        """The event's label with its record's label as ``user`` may read it
        (``fieldaccess.stored_labels``), not the stored ``object_repr`` (written under no rule)."""
        from guanxi.framework.fieldaccess import stored_labels

        labels = stored_labels(user, [(e.entity_type_id, e.object_id, e.object_repr) for e in events])
        return [f"{e.kind} {text}" for e, text in zip(events, labels, strict=True)]


class EventDelivery(models.Model):
    """One subscriber has handled one event (written in the subscriber's transaction, so a
    retry skips it and a subscriber's database effects happen once)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(_("subscriber"), max_length=200)
    delivered_at = models.DateTimeField(_("delivered at"), default=timezone.now)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="eventdelivery_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscriber}"
