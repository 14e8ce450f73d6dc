"""Shared plumbing of the generic views: access checks and the per-entity view configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.views import View

from guanxi.framework.access import can
from guanxi.framework.bulkactions import bulk_actions_for
from guanxi.framework.querysets import RestrictedQuerySet
from guanxi.framework.write import kept_days

if TYPE_CHECKING:
    from guanxi.framework.http import AuthedRequest


def refusal_message(model: type[models.Model], action: str) -> str:
    """Why a verb is refused, naming it: "You may not export customers." (one sentence per verb,
    word order differs between languages)."""
    names = {"name": model._meta.verbose_name_plural}
    messages = {
        "export": _("You may not export %(name)s."),
        "import": _("You may not import %(name)s."),
        "add": _("You may not create %(name)s."),
        "change": _("You may not change %(name)s."),
        "delete": _("You may not delete %(name)s."),
        "assign": _("You may not transfer %(name)s to another owner."),
        "claim": _("You may not claim %(name)s."),
    }
    return messages.get(action, _("You do not have permission to do this.")) % names


class EntityViewMixin(LoginRequiredMixin, View):
    """Every generic view: signed in, model-level permission for ``action``, rows via restrict()."""

    config: Any = None  # the EntityViews subclass this view serves
    action = "view"
    if TYPE_CHECKING:
        request: AuthedRequest  # View.setup() sets it; LoginRequiredMixin admits only signed-in users

    @property
    def model(self) -> type[models.Model]:
        return self.config.model

    # Verbs a view needs besides ``action`` (the import page needs "import" and "add").
    extra_actions: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            for action in (self.action, *self.extra_actions):
                if not can(request.user, action, self.model):
                    raise PermissionDenied(refusal_message(self.model, action))
        return super().dispatch(request, *args, **kwargs)

    def restricted(self, action: str | None = None) -> RestrictedQuerySet:
        return self.config.get_queryset().restrict(self.request.user, action or self.action)

    def url_name(self, suffix: str = "") -> str:
        meta = self.model._meta
        return f"{meta.app_label}:{meta.model_name}{'_' + suffix if suffix else ''}"

    def base_context(self) -> dict[str, Any]:
        meta = self.model._meta
        user = self.request.user
        return {
            "config": self.config,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "app_label": meta.app_label,
            "model_name": meta.model_name,
            "can_add": not self.config.read_only and can(user, "add", self.model),
            "can_change": not self.config.read_only and can(user, "change", self.model),
            "can_delete": not self.config.read_only and can(user, "delete", self.model),
            "can_export": can(user, "export", self.model),
            "can_import": not self.config.read_only
            and can(user, "import", self.model)
            and (can(user, "add", self.model) or can(user, "change", self.model)),
            "bulk_actions": [] if self.config.read_only else bulk_actions_for(user, self.model),
            "list_url_name": self.url_name("list"),
            "add_url_name": self.url_name("add"),
            "kept_days": kept_days(self.model),  # deletes go to the recycle bin for as many days
        }
