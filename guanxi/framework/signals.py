"""Connects change capture and search indexing to Django's model signals (framework machinery only)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from guanxi.framework import changes, search
from guanxi.framework.models import ChangeLoggedModel


@receiver(post_save, dispatch_uid="guanxi_capture_save")
def _on_save(sender: type, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    changes.capture_save(instance, created)
    search.index_instance(instance, created=created)


@receiver(m2m_changed, dispatch_uid="guanxi_capture_m2m")
def _on_m2m(
    sender: type, instance: Any, action: str, reverse: bool, model: type, pk_set: Any, **kwargs: Any
) -> None:
    """Log membership changes (a user's roles, a role's users) on the row whose set changed."""
    if action not in ("pre_add", "pre_remove", "pre_clear", "post_add", "post_remove", "post_clear"):
        return
    if not isinstance(instance, ChangeLoggedModel):
        return
    accessor = _m2m_accessor(type(instance), sender, reverse)
    if accessor is None:
        return
    if action.startswith("pre_"):
        instance._m2m_before = sorted(str(o) for o in getattr(instance, accessor).all())
        return
    before = getattr(instance, "_m2m_before", [])
    after = sorted(str(o) for o in getattr(instance, accessor).all())
    changes.record_m2m_like_change(instance, accessor, before, after)


def _m2m_accessor(model: type[models.Model], through: type, reverse: bool) -> str | None:
    for field in model._meta.get_fields():
        if isinstance(field, models.ManyToManyRel):  # the reverse side of another model's m2m
            if field.through is through:
                return field.get_accessor_name()
        elif isinstance(field, models.ManyToManyField) and field.remote_field.through is through:
            return field.name
    return None


@receiver(post_delete, dispatch_uid="guanxi_capture_delete")
def _on_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if not isinstance(instance, ChangeLoggedModel):
        return
    changes.capture_delete(instance)
    search.remove_instance(instance)
