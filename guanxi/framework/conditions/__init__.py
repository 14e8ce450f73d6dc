"""One condition language: a versioned JSON tree over an entity's field catalogue.

>>> tree = {"version": 1, "all": [
...     {"field": "level", "op": "in", "value": ["A", "B"]},
...     {"any": [{"field": "owner", "op": "in", "value": ["$my_team"]},
...              {"field": "last_contacted_at", "op": "within_last",
...               "value": {"amount": 30, "unit": "day"}}]},
...     {"not": {"field": "tags", "op": "in", "value": ["vip"]}},
... ]}
>>> Customer.objects.restrict(user, "view").filter(compile(tree, Customer, user=user))

``validate`` checks a tree against the catalogue the user may use (``catalogue_for``) and gives
field-level messages; ``compile`` validates and returns a ``Q`` — always applied *after*
``restrict()``, which it never replaces. Saved views use it today; segments, reports,
dashboards, workflow rules and approval conditions are meant to store the same trees (evaluate
one against a single record with ``matches``). See docs/conditions.md.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from guanxi.framework.conditions.catalogue import OPS, CatalogueField, catalogue, catalogue_for
from guanxi.framework.conditions.compiler import Compiler
from guanxi.framework.conditions.tree import VERSION, empty_tree, person_tokens, validate

__all__ = [
    "OPS",
    "VERSION",
    "CatalogueField",
    "catalogue",
    "catalogue_for",
    "compile",
    "empty_tree",
    "is_empty",
    "matches",
    "matching",
    "validate",
]


def compile(
    tree: Any,
    model: type[models.Model],
    *,
    user: Any = None,
    now: datetime.datetime | None = None,
    fields: dict[str, CatalogueField] | None = None,
) -> models.Q:
    """The ``Q`` of ``tree`` for ``user`` (tokens and relative dates resolved now); a
    ``ValidationError`` when the tree is malformed or names a field the user may not read.
    ``user=None`` is the system (no field rules, no tokens). ``fields``: ``catalogue_for(model,
    user)``, passed by a caller that compiles many trees for one user (the data-quality report
    compiles ~20 per entity), so the catalogue and its field checks are worked out once."""
    clean = validate(tree, model, user, fields=fields)
    tokens = person_tokens(clean) if user is None else []
    if tokens:
        message = _("“%(token)s” needs a signed-in user.") % {"token": tokens[0]}
        raise ValidationError({"condition": [message]})
    return Compiler(model, user, now, fields=fields).node({k: v for k, v in clean.items() if k != "version"})


def matching(tree: Any, model: type[models.Model], user: Any, action: str = "view") -> models.QuerySet:
    """The rows of ``model`` that ``user`` may ``action`` and that match ``tree``."""
    return model.objects.restrict(user, action).filter(compile(tree, model, user=user))  # type: ignore[attr-defined]


def matches(tree: Any, obj: models.Model, *, user: Any = None) -> bool:
    """Whether one record matches ``tree`` (for rules and approvals evaluated per record)."""
    return type(obj)._base_manager.filter(compile(tree, type(obj), user=user), pk=obj.pk).exists()


def is_empty(tree: Any) -> bool:
    """Whether ``tree`` has no condition at all (matches every row)."""
    body = {k: v for k, v in (tree or {}).items() if k != "version"}
    return not body or body in ({"all": []}, {"any": []})
