"""Choices of follow-ups and tasks (stored values are stable English slugs).

A follow-up's outcome is a configurable list (Settings → Choice lists, ``OUTCOME_LIST``); the
others are fixed: code depends on every value.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.choices import ChoiceList, Option, active_choices, choices, register_choice_list

OUTCOME_LIST = "activities.followup.outcome"


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


class Outcome:
    """Outcome codes of the shipped list (labels and further outcomes are configured)."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    INTERESTED = "interested"
    NOT_INTERESTED = "not_interested"
    NEEDS_FOLLOW_UP = "needs_follow_up"
    QUOTE_SENT = "quote_sent"
    AGREED = "agreed"
    values = (REACHED, NO_ANSWER, INTERESTED, NOT_INTERESTED, NEEDS_FOLLOW_UP, QUOTE_SENT, AGREED)


register_choice_list(
    ChoiceList(
        OUTCOME_LIST,
        _("Follow-up outcome"),
        [
            Option("reached", "已接通", "Reached"),
            Option("no_answer", "未接通", "No answer"),
            Option("interested", "有意向", "Interested"),
            Option("not_interested", "无意向", "Not interested"),
            Option("needs_follow_up", "需再跟进", "Needs follow-up"),
            Option("quote_sent", "已报价", "Quote sent"),
            Option("agreed", "已约定下一步", "Agreed on next step"),
        ],
        model="activities.FollowUp",
        field="outcome",
    )
)


def outcome_choices() -> list[tuple[str, str]]:
    """``FollowUp.outcome``'s choices: every configured outcome (inactive ones too, for display)."""
    return choices(OUTCOME_LIST)


def active_outcome_choices() -> list[tuple[str, str]]:
    """The outcomes offered when logging a follow-up."""
    return active_choices(OUTCOME_LIST)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_BADGES = {"low": "slate", "normal": "blue", "high": "orange", "urgent": "red"}


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "Open")
    DONE = "done", pgettext_lazy("task status", "Done")
