"""Follow-ups (跟进记录): a call, visit, meeting, email, WeChat message or note about a record."""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from guanxi.activities.choices import OUTCOME_LIST, FollowUpKind, outcome_choices
from guanxi.core.choices import ChoiceListField
from guanxi.framework import fieldaccess
from guanxi.framework.models import PrimaryModel

# A follow-up records what happened; a little slack covers clocks that disagree.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


class FollowUp(PrimaryModel):
    """One contact with a customer, contact or lead, logged by its author (the owner).

    ``target`` is any model registered as *followable* (``guanxi.activities.registry``);
    ``customer`` is the customer the follow-up concerns (the target itself, a contact's customer,
    the customer a lead converted into), kept so a customer's timeline is one indexed query.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=FollowUpKind.choices, default=FollowUpKind.CALL)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    content = models.TextField(_("content"))
    outcome = ChoiceListField(
        _("outcome"), max_length=20, choices=outcome_choices, blank=True, list_name=OUTCOME_LIST
    )
    next_step = models.TextField(_("next step"), blank=True)
    next_follow_up_at = models.DateTimeField(_("next follow-up"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    # Visit check-in (签到): where the browser said the user was when logging the visit (WGS 84).
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    location_accuracy = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    target_id = models.PositiveBigIntegerField(_("record"), editable=False)
    target = GenericForeignKey("target_type", "target_id")
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        editable=False,
    )
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mentioned colleagues"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # A record's timeline and a customer's timeline: one range scan each (5M rows).
            models.Index(fields=["target_type", "target_id", "occurred_at"], name="followup_target_time"),
            models.Index(fields=["customer", "occurred_at"], name="followup_customer_time"),
            # The list's default order, and "my follow-ups" in own scope.
            models.Index(fields=["occurred_at"], name="followup_time"),
            models.Index(fields=["owner", "occurred_at"], name="followup_owner_time"),
        ]

    def label_parts(self) -> list[tuple[str, Any]]:
        """ "电话 · <content>": the kind leads the text; read through the reader's field rules
        (``fieldaccess.label``: content hidden from the reader is left out)."""
        return [("kind", self.get_kind_display()), ("content", Truncator(self.content).chars(40))]

    def __str__(self) -> str:
        return fieldaccess.label(None, self)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def map_url(self) -> str:
        """The check-in on a map (Amap, which takes WGS 84 coordinates with ``coordinate=wgs84``)."""
        if not self.has_location:
            return ""
        return (
            f"https://uri.amap.com/marker?position={self.longitude:.6f},{self.latitude:.6f}"
            "&coordinate=wgs84&callnative=0"
        )

    def location_errors(self) -> dict[str, str]:
        """Field messages for coordinates out of range or given only by half."""
        errors: dict[str, str] = {}
        if self.latitude is not None and not (-90 <= self.latitude <= 90 and math.isfinite(self.latitude)):
            errors["latitude"] = str(_("The latitude must be between -90 and 90 degrees."))
        if self.longitude is not None and not (
            -180 <= self.longitude <= 180 and math.isfinite(self.longitude)
        ):
            errors["longitude"] = str(_("The longitude must be between -180 and 180 degrees."))
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            errors.setdefault(missing, str(_("A location needs both latitude and longitude.")))
        if self.location_accuracy is not None and not self.has_location:
            errors.setdefault("location_accuracy", str(_("An accuracy needs a location.")))
        return errors

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        self.content = (self.content or "").strip()
        if not self.content:
            errors["content"] = str(_("Write down what was discussed."))
        if self.occurred_at and self.occurred_at > timezone.now() + FUTURE_TOLERANCE:
            errors["occurred_at"] = str(_("A follow-up records what already happened; pick a past time."))
        if self.next_follow_up_at and self.occurred_at and self.next_follow_up_at <= self.occurred_at:
            errors["next_follow_up_at"] = str(_("The next follow-up must come after this one."))
        if self.kind != FollowUpKind.VISIT:
            self.place = ""
            self.latitude = self.longitude = self.location_accuracy = None
        errors.update(self.location_errors())
        if errors:
            raise ValidationError(errors)
