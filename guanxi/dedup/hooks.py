"""Wiring into other modules: the data-quality page's duplicate-candidates count, and the
"possible duplicates" panel of the generic create/edit form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.urls import reverse

from guanxi.framework.dataquality import register_duplicate_counter
from guanxi.framework.views.objects import register_entry_check


@register_duplicate_counter
def count_candidates(user: Any, model: type[models.Model]) -> tuple[int, str] | None:
    """The candidates ``user`` would see in the queue for ``model``, and the queue's link; for
    reviewers by grant (``reviews_by_grant``: no role query on the report's every load)."""
    from guanxi.dedup.services.queue import candidate_count, reviews_by_grant
    from guanxi.dedup.services.rules import looked_for

    label = model._meta.label_lower
    if not looked_for(label) or not reviews_by_grant(user, model):
        return None
    return candidate_count(user, model), f"{reverse('dedup:queue')}?{urlencode({'entity': label})}"


@register_entry_check
def possible_duplicates_panel(
    user: Any, model: type[models.Model], obj: Any, form: Any
) -> dict[str, Any] | None:
    """The "possible duplicates" panel of the form of an entity declaring ``duplicates`` (customer,
    contact, lead), after the name field: it asks ``dedup:check`` as the rule fields are typed
    (htmx, debounced), for users who may, and at once on load when the form already holds values
    (an edited record, or a bound form re-shown after a validation error)."""
    from guanxi.dedup.services.entry import may_check
    from guanxi.dedup.services.rules import declared

    spec = declared(model)
    if spec is None or not may_check(user, model):
        return None
    query = {"type": model._meta.label_lower, **({"exclude": obj.pk} if obj.pk else {})}
    fields = [rule.field for rule in spec.rules]
    return {
        "template": "dedup/_entry_check.html",
        "after": spec.name_field,
        "url": f"{reverse('dedup:check')}?{urlencode(query)}",
        # one debounced trigger per rule field (a comma inside from: would split the list)
        "trigger": ", ".join(f"input changed delay:400ms from:#id_{name}" for name in fields),
        # an edited record or a form re-shown with the user's values: its duplicates show at once
        "on_load": bool(obj.pk or form.is_bound),
    }
