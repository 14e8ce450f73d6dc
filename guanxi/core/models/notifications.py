from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import BaseModel


class Notification(BaseModel):
    """An in-app message to one user (bell + unread count); created by ``framework.notify``."""

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        SUCCESS = "success", _("Success")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # {"title": <message>, "body": <message>} (``guanxi.framework.i18n.deferred``): translated for
    # the reader when shown; ``title`` / ``body`` hold the text as rendered for the recipient then.
    message = models.JSONField(_("message id and parameters"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the reader's (active) language."""
        from guanxi.framework.i18n import render_message

        return render_message((self.message or {}).get("title"), self.title)

    @property
    def display_body(self) -> str:
        from guanxi.framework.i18n import render_message

        return render_message((self.message or {}).get("body"), self.body)
