"""Connects change capture and search indexing to Django's model signals (framework machinery only)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from guanxi.framework import changes, search
from guanxi.framework.models import ChangeLoggedModel


@receiver(post_save, dispatch_uid="guanxi_capture_save")
def _on_save(sender: type, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    changes.capture_save(instance, created)
    search.index_instance(instance)


@receiver(post_delete, dispatch_uid="guanxi_capture_delete")
def _on_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if not isinstance(instance, ChangeLoggedModel):
        return
    changes.capture_delete(instance)
    search.remove_instance(instance)
