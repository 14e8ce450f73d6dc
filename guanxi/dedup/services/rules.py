"""The match rules in force for an entity type: the shipped defaults (the entity's
``EntityType.duplicates`` in the registry), overridden by stored rows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from guanxi.dedup.models import MatchRule
from guanxi.framework.duplicates import DuplicateRule, DuplicateSpec
from guanxi.framework.entities import EntityType, entity_for, entity_types
from guanxi.framework.write import save_object


def entity_labels() -> list[str]:
    """The entity types duplicates are looked for in (``app_label.model_name``), in registry order."""
    return [entity.label for entity in entity_types() if entity.duplicates is not None]


def declared(model: type[models.Model] | str) -> DuplicateSpec | None:
    """The duplicates declaration of a model or an ``app_label.model`` label, or None."""
    entity = entity_for(model)
    return entity.duplicates if entity is not None else None


def looked_for(label: str) -> bool:
    """Whether duplicates are looked for in ``label`` (it declares ``duplicates``)."""
    return declared(str(label)) is not None


def _entity(label: str) -> EntityType:
    entity = entity_for(str(label))
    if entity is None or entity.duplicates is None:
        raise ValidationError({"entity": _("Duplicates are not looked for in this type.")})
    return entity


def spec_for(label: str) -> DuplicateSpec:
    """The declaration of ``label``; ``ValidationError`` for a type that has none."""
    spec = _entity(label).duplicates
    assert spec is not None  # _entity refuses a type without one
    return spec


def model_for(label: str) -> type[models.Model]:
    return _entity(label).model


def rules_in_force(label: str) -> list[DuplicateRule]:
    """The spec's rules with each stored ``MatchRule`` applied (enabled flag and threshold)."""
    stored = {r.field: r for r in MatchRule.objects.filter(entity=label)}
    out = []
    for rule in spec_for(label).rules:
        row = stored.get(rule.field)
        if row is not None:
            rule = DuplicateRule(rule.field, rule.kind, threshold=row.threshold, enabled=row.enabled)
        out.append(rule)
    return out


def set_rule(label: str, field: str, *, enabled: bool, threshold: int, actor: Any) -> MatchRule:
    """An administrator switches a rule on or off or moves its threshold (stored, change-logged);
    ``PermissionDenied`` for anyone else, ``ValidationError`` for an unknown field or a threshold
    outside 50–100."""
    from guanxi.recyclebin.access import is_administrator

    spec_for(label)
    if not is_administrator(actor):
        raise PermissionDenied(_("You may not change the duplicate rules."))
    shipped = {r.field: r for r in spec_for(label).rules}
    if field not in shipped:
        raise ValidationError({"field": _("There is no duplicate rule for this field.")})
    with transaction.atomic():
        row = MatchRule.objects.select_for_update().filter(entity=label, field=field).first()
        if row is None:
            row = MatchRule(entity=label, field=field, kind=shipped[field].kind)
        row.enabled, row.threshold = enabled, threshold
        return save_object(row, actor=actor, validate=True, check_visible=False)


def save_rules(label: str, values: dict[str, tuple[bool, int]], *, actor: Any) -> list[MatchRule]:
    """``set_rule`` for several fields at once: all saved, or none (the first refusal wins)."""
    with transaction.atomic():
        return [
            set_rule(label, field, enabled=enabled, threshold=threshold, actor=actor)
            for field, (enabled, threshold) in values.items()
        ]
