from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.framework.models import ChangeLoggedModel
from guanxi.framework.querysets import RestrictedQuerySet


class UserManager(DjangoUserManager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    """Django's user manager with ``restrict()``."""


class User(AbstractUser, ChangeLoggedModel):
    """A person who signs in: department, direct manager, title, phone, language and time zone.

    Deactivating (``is_active = False``) keeps every record the user owns and all history.
    """

    name = models.CharField(
        pgettext_lazy("person", "name"),
        max_length=100,
        blank=True,
        help_text=_("Full name as colleagues see it."),
    )
    department = models.ForeignKey(
        "users.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("direct manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: follow the browser."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=50, blank=True, help_text=_("Empty: the company default.")
    )

    objects: ClassVar[UserManager] = UserManager()

    changelog_exclude = ("updated_at", "updated_by", "password", "last_login")
    # A user "owns" their own row: 本人 sees oneself, 本人及下属 one's reports, 本部门 one's colleagues.
    access_owner_field = "pk"
    access_department_field = "department_id"

    class Meta(AbstractUser.Meta):
        # django-stubs types AbstractUser.Meta's names as str; Django takes lazy strings here.
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]
        ordering = ["username"]

    # A list's owner filter shows every active user: its chips read these columns and build the
    # label with choice_label instead of a User instance per option (framework/views/lists.py).
    choice_label_fields = ("name", "first_name", "last_name", "username")

    @staticmethod
    def choice_label(name: str, first_name: str, last_name: str, username: str) -> str:
        """What ``str(user)`` reads, from plain column values (``get_full_name`` inlined)."""
        return name or f"{first_name} {last_name}".strip() or username

    def __str__(self) -> str:
        return self.choice_label(self.name, self.first_name, self.last_name, self.username)

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def initials(self) -> str:
        text = self.display_name.strip()
        if not text:
            return "?"
        if text[0] > "\u2e80":  # CJK: the given name's last character reads naturally in an avatar
            return text[-2:] if len(text) >= 3 else text[-1]
        parts = text.split()
        return "".join(p[0] for p in parts[:2]).upper()
