"""Event payloads: what is stored (the serializer output, rules not applied) and what a reader
or receiver gets (the same, with that user's field rules applied: hidden removed, masked masked).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import models

logger = logging.getLogger(__name__)

_serializers: dict[type[models.Model], Any] | None = None


def serializer_for(model: type[models.Model]) -> Any | None:
    """The API serializer class of ``model`` (from the registered viewsets), or None."""
    global _serializers
    if _serializers is None:
        import guanxi.api_urls  # noqa: F401  (importing it mounts every app's router)
        from guanxi.framework.api.routers import APP_ROUTERS

        found: dict[type[models.Model], Any] = {}
        for router in APP_ROUTERS.values():
            for _prefix, viewset, _basename in router.registry:
                queryset = getattr(viewset, "queryset", None)
                serializer_class = getattr(viewset, "serializer_class", None)
                if queryset is not None and serializer_class is not None:
                    found.setdefault(queryset.model, serializer_class)
        _serializers = found
    return _serializers.get(model)


def record_payload(instance: models.Model) -> dict[str, Any]:
    """The record as the API shows it to a reader under no field rule (no request in the context,
    so ``url`` is a path); the change-log snapshot for models without an API serializer."""
    from guanxi.framework.changes import normalize, serialize_instance

    serializer_class = serializer_for(type(instance))
    if serializer_class is None:
        return serialize_instance(instance)
    try:
        data = serializer_class(instance, context={}).data
    except Exception:
        # A payload must never fail the write it describes; the snapshot still says what changed.
        logger.exception("Serializing %r for its event failed; storing the change-log snapshot", instance)
        return serialize_instance(instance)
    return {key: _plain(value, normalize) for key, value in data.items()}


def _plain(value: Any, normalize: Any) -> Any:
    """DRF's ReturnDict/OrderedDict/lazy strings → JSON-ready plain values."""
    if isinstance(value, dict):
        return {str(k): _plain(v, normalize) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, normalize) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    value = normalize(value)
    return value if isinstance(value, bool | int | float | str) or value is None else str(value)


def for_reader(user: Any, model: type[models.Model] | None, values: Any) -> Any:
    """``values`` (a payload, or a dict of changed values) with ``user``'s field rules on ``model``
    applied: hidden fields removed, masked ones masked — custom fields too, in the API form
    (``custom_fields``) or the change-log form (``custom_field_data``)."""
    from guanxi.framework.fieldaccess import apply_to_values, rules_for

    if model is None or not isinstance(values, dict):
        return values
    rules = rules_for(user, model)
    if not rules:
        return values
    return apply_to_values(values, rules, model)


def changed_for_reader(user: Any, model: type[models.Model] | None, names: list[str]) -> list[str]:
    """The changed field names ``user`` may know about (a hidden field's change is not shown)."""
    from guanxi.framework.fieldaccess import HIDDEN, rules_for

    if model is None:
        return names
    rules = rules_for(user, model)
    return [n for n in names if rules.get(n) != HIDDEN]
