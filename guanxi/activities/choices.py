"""Choices of follow-ups and tasks (stored values are stable English slugs)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FollowUpKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", pgettext_lazy("follow-up kind", "Email")
    WECHAT = "wechat", _("WeChat")
    NOTE = "note", _("Note")


# Icons of the timeline and the kind chips (Tabler icon names).
KIND_ICONS = {
    "call": "phone",
    "visit": "map-pin",
    "meeting": "users",
    "email": "mail",
    "wechat": "brand-wechat",
    "note": "note",
}


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    INTERESTED = "interested", _("Interested")
    NOT_INTERESTED = "not_interested", _("Not interested")
    NEEDS_FOLLOW_UP = "needs_follow_up", _("Needs follow-up")
    QUOTE_SENT = "quote_sent", _("Quote sent")
    AGREED = "agreed", _("Agreed on next step")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_BADGES = {"low": "slate", "normal": "blue", "high": "orange", "urgent": "red"}


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")
    DONE = "done", pgettext_lazy("task status", "Done")
