"""The data-quality report: how complete and how clean each entity's records are, for one viewer.

For every registered entity with an owner and a list in the menu (customers, contacts, leads,
deals …) that the viewer may see, one aggregate query over ``restrict(user, "view")`` counts:

* **completeness** — per field of the condition catalogue the viewer may read (model fields one
  hop deep, custom fields): how many rows have it filled (``is_not_empty``);
* **invalid values** — phones, emails and credit codes not in their stored format
  (``invalid_format``, a regex the database evaluates: guanxi/framework/conditions/formats.py);
* **stale records** — no contact (``last_contacted_at``, else no update) for ``stale_days``
  days, and created before that;
* **records without an owner**;
* **duplicate candidates** — through ``register_duplicate_counter`` once a duplicate engine
  exists (none does yet: the report says so).

Every number is a condition tree: the count is ``COUNT(*) FILTER (WHERE <tree>)`` and its link is
the entity's list narrowed by the same tree (``?where=``), so the number and the list it opens
cannot disagree. A field the viewer may not read in clear is not in their catalogue, so it is
neither counted nor linked (the masked phone of a colleague's customer is not "checked").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext as _

from guanxi.framework.models import OwnerMixin

DEFAULT_STALE_DAYS = 90
# Bookkeeping columns whose completeness says nothing about the data.
NOT_MEASURED = {"created_at", "updated_at", "created_by", "updated_by", "owned_since", "department"}
COMPLETENESS_KINDS = (
    "text",
    "choice",
    "integer",
    "decimal",
    "date",
    "datetime",
    "user",
    "relation",
    "multichoice",
)
PHONE_NAMES = ("phone", "mobile", "telephone", "tel")
ACTIVITY_FIELDS = ("last_contacted_at", "last_activity_at", "last_followed_at")
CF_FORMATS = {"phone": "phone", "email": "email"}

# The duplicate engine's hook: (user, model) -> (count, list URL) or None when it does not cover model.
DuplicateCounter = Callable[[Any, type[models.Model]], "tuple[int, str] | None"]
_DUPLICATE_COUNTER: list[DuplicateCounter] = []


def register_duplicate_counter(counter: DuplicateCounter) -> DuplicateCounter:
    """Hook for the duplicate engine (not built yet): the report shows its count and link."""
    _DUPLICATE_COUNTER[:] = [counter]
    return counter


@dataclass
class Measure:
    """One number of the report and the list behind it."""

    key: str
    label: str
    count: int
    url: str
    percent: float | None = None  # completeness: share of the rows filled in
    empty_url: str = ""  # completeness: the rows where it is empty (to fix them)
    empty: int = 0  # completeness: how many rows are empty
    tone: str = "blue"


@dataclass
class EntityReport:
    model: type[models.Model]
    label: str
    total: int
    list_url: str
    completeness: list[Measure] = field(default_factory=list)
    checks: list[Measure] = field(default_factory=list)
    duplicates: Measure | None = None

    @property
    def key(self) -> str:
        """``customers-customer``: the section's id on the page."""
        return self.model._meta.label_lower.replace(".", "-")


def tree(*leaves: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "all": list(leaves)}


def field_format(model: type[models.Model], entry: Any) -> str | None:
    """The stored format a catalogue field should follow (phone, email, credit code), if any."""
    from guanxi.framework.conditions.formats import FORMATS

    if entry.custom_field is not None:
        return CF_FORMATS.get(getattr(entry.custom_field, "type", ""))
    try:
        model_field = model._meta.get_field(entry.name)
    except Exception:
        return None
    if isinstance(model_field, models.EmailField):
        return "email"
    for fmt in FORMATS.values():
        if fmt.validate is not None and fmt.validate in getattr(model_field, "validators", ()):
            return fmt.name
    validators = getattr(model_field, "validators", ())
    if entry.name in PHONE_NAMES or any(getattr(v, "__name__", "") == "validate_phone" for v in validators):
        return "phone"
    return None


def report_models(user: Any) -> list[Any]:
    """The registered entities with an owner and a list in the menu that ``user`` may view."""
    from guanxi.framework.access import can
    from guanxi.framework.entities import entity_types

    out = []
    for entity in entity_types():
        views = entity.views
        if views is None or entity.menu is None or getattr(views, "read_only", False):
            continue  # not a list people work in (settings tables, test entities)
        if not issubclass(entity.model, OwnerMixin):
            continue
        if can(user, "view", entity.model):
            out.append(entity)
    return out


def entity_report(user: Any, entity: Any, *, stale_days: int = DEFAULT_STALE_DAYS) -> EntityReport | None:
    """The report of one entity for ``user``: one aggregate query (plus the catalogue's cache)."""
    from django.urls import reverse

    from guanxi.framework import conditions
    from guanxi.framework.dashboard import where_link

    model = entity.model
    list_name = entity.list_url_name()
    try:
        list_url = reverse(list_name)
    except Exception:
        return None
    fields = conditions.catalogue_for(model, user)
    measures: list[tuple[str, str, dict[str, Any], str]] = []  # (kind, key, tree, label)
    for name, entry in fields.items():
        if "." in name and not name.startswith("cf."):
            continue
        if name in NOT_MEASURED or entry.kind not in COMPLETENESS_KINDS:
            continue
        measures.append(("filled", name, tree({"field": name, "op": "is_not_empty"}), str(entry.label)))
    for name, entry in fields.items():
        if ("." in name and not name.startswith("cf.")) or entry.kind != "text":
            continue
        fmt = field_format(model, entry)
        if fmt is None:
            continue
        from guanxi.framework.conditions.formats import FORMATS

        label = _("Invalid %(format)s: %(field)s") % {"format": FORMATS[fmt].label, "field": entry.label}
        measures.append(
            ("check", f"invalid_{name}", tree({"field": name, "op": "invalid_format", "value": fmt}), label)
        )
    activity = next((f for f in ACTIVITY_FIELDS if f in fields), None)
    older = {"amount": stale_days, "unit": "day"}
    if activity is not None:
        stale = tree(
            {
                "any": [
                    {"field": activity, "op": "older_than", "value": older},
                    {"field": activity, "op": "is_empty"},
                ]
            },
            {"field": "created_at", "op": "older_than", "value": older},
        )
        stale_label = _("No contact in %(days)d days") % {"days": stale_days}
        measures.append(("check", "stale", stale, stale_label))
    elif "updated_at" in fields:
        stale = tree({"field": "updated_at", "op": "older_than", "value": older})
        measures.append(("check", "stale", stale, _("Not updated in %(days)d days") % {"days": stale_days}))
    if "owner" in fields:
        measures.append(
            ("check", "no_owner", tree({"field": "owner", "op": "is_empty"}), _("Without an owner"))
        )

    aggregates: dict[str, Any] = {"total": Count("pk")}
    kept = []
    for index, (kind, key, condition, label) in enumerate(measures):
        try:
            q = conditions.compile(condition, model, user=user, fields=fields)
        except ValidationError:
            continue  # a field this viewer may not filter on: not measured for them
        aggregates[f"m{index}"] = Count("pk", filter=q)
        kept.append((index, kind, key, condition, label))
    rows = model.objects.restrict(user, "view")  # type: ignore[attr-defined]
    counts = rows.order_by().aggregate(**aggregates)
    total = counts["total"] or 0
    report = EntityReport(
        model=model, label=str(model._meta.verbose_name_plural), total=total, list_url=list_url
    )
    for index, kind, key, condition, label in kept:
        count = counts[f"m{index}"] or 0
        if kind == "filled":
            empty = tree({"not": condition["all"][0]})
            report.completeness.append(
                Measure(
                    key=key,
                    label=label,
                    count=count,
                    url=where_link(list_name, condition),
                    percent=round(100 * count / total, 1) if total else None,
                    empty_url=where_link(list_name, empty),
                    empty=total - count,
                    tone="green" if total and count == total else "amber",
                )
            )
        else:
            report.checks.append(
                Measure(
                    key=key,
                    label=label,
                    count=count,
                    url=where_link(list_name, condition),
                    tone="red" if count else "green",
                )
            )
    for counter in _DUPLICATE_COUNTER:
        found = counter(user, model)
        if found is not None:
            report.duplicates = Measure(
                "duplicates", _("Duplicate candidates"), found[0], found[1], tone="amber"
            )
    return report


def may_see_report(user: Any) -> bool:
    """Administrators and people who manage a team (managers, directors)."""
    from guanxi.framework.dashboard import manages_team

    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.is_staff or manages_team(user))
