from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import BaseModel


class ObjectChange(BaseModel):
    """One create, update or delete of a change-logged row: who, when, from where, before/after.

    Updates keep only the changed fields. ``related_object`` points at a parent record (a
    contact's customer) so the parent's History tab shows its children's changes too.
    """

    # A merged record's history stays under its own id (guanxi.framework.merging).
    merge_moves = False

    # Not granted in the roles editor (INTERNAL_MODELS), but a grant given by migration (系统管理员:
    # the change-log page) covers every row: reference data for that grant's holders.
    access_reference_data = True

    class ActionChoices(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), db_index=True)
    source = models.CharField(_("source"), max_length=20)
    action = models.CharField(_("action"), max_length=10, choices=ActionChoices.choices)
    changed_object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    changed_object_id = models.BigIntegerField()
    changed_object = GenericForeignKey("changed_object_type", "changed_object_id")
    object_repr = models.CharField(_("object"), max_length=200)
    related_object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_object_id = models.BigIntegerField(null=True, blank=True)
    prechange_data = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    postchange_data = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("change log")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(
                fields=["changed_object_type", "changed_object_id", "-time"], name="objchange_object"
            ),
            models.Index(
                fields=["related_object_type", "related_object_id", "-time"], name="objchange_related"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    @classmethod
    def reader_labels(cls, user: Any, changes: list[ObjectChange]) -> list[str]:
        """ "Updated 王磊 · 星***司": the changed record's label as ``user`` may read it
        (``history.label_changes``), not the stored ``object_repr`` (written under no rule)."""
        from guanxi.framework.history import label_changes

        label_changes(user, changes)
        return [f"{c.get_action_display()} {c.reader_label}" for c in changes]  # type: ignore[attr-defined]


class AuditEvent(BaseModel):
    """A security-relevant event that is not a row change: logins, lockouts, tokens, exports."""

    # As ObjectChange: only the administrators' migration grant reaches it, and then every row.
    access_reference_data = True

    class EventChoices(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        EXPORT = "export", _("Exported data")
        REVEAL = "reveal", _("Revealed a masked value")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    event = models.CharField(_("event"), max_length=20, choices=EventChoices.choices, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.username}"
