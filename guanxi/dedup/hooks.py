"""Wiring into other modules: the data-quality page's duplicate-candidates count."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.urls import reverse

from guanxi.framework.dataquality import register_duplicate_counter


@register_duplicate_counter
def count_candidates(user: Any, model: type[models.Model]) -> tuple[int, str] | None:
    """The candidates ``user`` would see in the queue for ``model``, and the queue's link; for
    reviewers by grant (``reviews_by_grant``: no role query on the report's every load)."""
    from guanxi.dedup.engine import SPECS
    from guanxi.dedup.services.queue import candidate_count, reviews_by_grant

    label = model._meta.label_lower
    if label not in SPECS or not reviews_by_grant(user, model):
        return None
    return candidate_count(user, model), f"{reverse('dedup:queue')}?{urlencode({'entity': label})}"
