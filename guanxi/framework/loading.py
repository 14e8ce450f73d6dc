"""Building model instances from rows without Django's general-purpose ``Model.__init__``.

A list page loads a hundred instances of models with thirty to forty columns; ``Model.__init__``
sends ``pre_init``/``post_init`` and goes through ``setattr`` — and for every foreign key a data
descriptor — once per column, about a fifth of the deal list's ORM time. For a row read from the
database none of that does anything that assigning the instance's ``__dict__`` does not: plain
columns are stored in ``__dict__`` by ``setattr`` anyway, and a foreign key's descriptor only
also clears a cached related object, which a new instance cannot have.

``instance_from_row`` takes that path only where it is provably the same: every loaded column's
class attribute is one of Django's own column descriptors, the model keeps Django's ``__init__``,
and nobody listens to ``pre_init``/``post_init`` for it. Anything else (a ``FileField``'s
descriptor, a model with its own ``__init__``, a signal receiver) gets Django's ``from_db``.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from django.db import models
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# Django's descriptors whose assignment on a new instance is exactly ``__dict__[attname] = value``
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


@cache
def _plain_attnames(model: type[models.Model]) -> frozenset[str] | None:
    """The model's column attnames if its instances may be built by assigning ``__dict__``."""
    if model.__init__ is not models.Model.__init__:
        return None
    attnames = set()
    for field in model._meta.concrete_fields:
        if type(getattr(model, field.attname, None)) not in _PLAIN_DESCRIPTORS:
            return None
        attnames.add(field.attname)
    return frozenset(attnames)


def instance_from_row(
    model: type[models.Model], db: str | None, loaded: dict[str, Any], fetch_mode: Any = None
) -> models.Model | None:
    """A saved instance of ``model`` holding the ``loaded`` columns (attname → value), or None
    when the model needs Django's own ``from_db`` (see the module's docstring)."""
    attnames = _plain_attnames(model)
    if attnames is None or not attnames.issuperset(loaded):
        return None
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return None
    instance = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = db
    if fetch_mode is not None:
        state.fetch_mode = fetch_mode
    instance.__dict__.update(loaded)
    instance._state = state
    return instance


def display_deferrals(model: type[models.Model], select_related: Any, prefix: str = "") -> list[str]:
    """The ``defer()`` paths that load each ``select_related`` record of ``model`` down to what
    a reference to it shows: its primary key, its ``display_fields`` and the keys of records
    joined through it. A related model without ``display_fields`` is loaded whole.

    ``select_related`` is Django's ``query.select_related``: a nested dict of the paths, or
    ``True`` for "every non-null foreign key", which this leaves alone."""
    if not isinstance(select_related, dict):
        return []
    deferred: list[str] = []
    for name, nested in select_related.items():
        related = cast(type[models.Model], model._meta.get_field(name).related_model)
        path = f"{prefix}{name}"
        shown = getattr(related, "display_fields", None)
        if shown is not None:
            keep = {related._meta.pk.name, *shown, *(nested if isinstance(nested, dict) else {})}
            deferred += [
                f"{path}__{field.name}" for field in related._meta.concrete_fields if field.name not in keep
            ]
        deferred += display_deferrals(related, nested, prefix=f"{path}__")
    return deferred
