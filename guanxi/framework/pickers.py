"""Pickers: searchable autocompletes instead of selects that list a whole table.

A form field that chooses among users, customers, contacts, leads, departments… gets the
``Picker`` widget (``PickerMultiple`` for many). The widget renders no options: it renders the
chosen rows and a combobox that asks ``/pick/<source>/?q=`` (``pick``) as the user types. The
endpoint answers with the platform search (pinyin, initials, phone digits: ``search.search``)
inside the source's queryset, 20 rows a page, each with an id, a label and a secondary line.

A **source** names one rule for "what may this user choose here", used for both the offered rows
and the form's validation (``use_picker`` sets the field's queryset from the same source, so a
crafted id outside it is refused at the field):

* ``<app_label>.<model>``: the rows of the model the user may view (``restrict(user, "view")``;
  active users only for users); ``<app_label>.<model>:change`` the rows they may change;
* ``<app_label>.<model>.<field>``: the choices of a relation of that model — the owner of an
  owned model is ``write.owner_choices`` (the people whose rows stay visible to the writer),
  any other relation the related model's viewable rows (all rows of reference data such as
  departments), narrowed by ``limit_choices_to``;
* a name registered with ``register_source`` for a form's own rule (``activities.colleagues``).

No inline script: the behaviour is the ``picker`` component of ``static/js/app.js`` (Alpine CSP
build). Django's own widget machinery, not a vendored select library: the markup and the ARIA
roles are ours, so the combobox matches the design system and the strict CSP with no theme or
eval to adapt, in about 200 lines of script.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from guanxi.framework import fieldaccess
from guanxi.framework.querysets import model_queryset

PAGE_SIZE = 20
MAX_PAGES = 10  # past 200 rows people type more letters
MAX_QUERY = 100

Source = Callable[[Any], models.QuerySet]
_SOURCES: dict[str, Source] = {}

# The second line of a picker's row per model: (fields read in order, related rows to join).
# A field hidden or masked for the reader is left out (the picker never tells what the record's
# own page would not).
SECONDARY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "users.user": (("department", "job_title"), ("department",)),
    "users.department": (("parent",), ("parent",)),
    "customers.customer": (("short_name", "city"), ()),
    "customers.contact": (("title", "email"), ()),
    "customers.lead": (("company", "city"), ()),
}
# Models whose choices are a picker wherever a form offers them (any searchable model counts too).
PICKED_MODELS = {"users.user", "users.department"}


def register_source(name: str, source: Source) -> Source:
    """Declare a named source: ``source(user)`` returns the rows ``user`` may choose."""
    _SOURCES[name] = source
    return source


def _viewable(model: type[models.Model], user: Any, action: str = "view") -> models.QuerySet:
    try:
        rows = model_queryset(model).restrict(user, action)
    except (AttributeError, ImproperlyConfigured) as exc:  # no restrict(), or nothing to scope by
        raise LookupError(model._meta.label) from exc
    if model is get_user_model():
        rows = rows.filter(is_active=True)
    return rows


def source_queryset(source: str, user: Any) -> models.QuerySet:
    """The rows ``user`` may choose from ``source``; ``LookupError`` for an unknown source."""
    if source in _SOURCES:
        return _SOURCES[source](user)
    source, _sep, action = source.partition(":")
    parts = source.split(".")
    if len(parts) not in (2, 3) or action not in ("", "change"):
        raise LookupError(source)
    try:
        model = apps.get_model(parts[0], parts[1])
    except (LookupError, ValueError) as exc:
        raise LookupError(source) from exc
    if len(parts) == 2:
        return _viewable(model, user, action or "view")
    try:
        field = model._meta.get_field(parts[2])
    except FieldDoesNotExist as exc:
        raise LookupError(source) from exc
    related = field.related_model
    if not (field.is_relation and isinstance(related, type)) or field.auto_created:
        raise LookupError(source)
    from guanxi.framework.models import OwnerMixin

    if field.name == "owner" and issubclass(model, OwnerMixin):
        from guanxi.framework.write import owner_choices

        return owner_choices(user, model)
    # Reference data (departments, pools…: ``access_reference_data``) is what a form of the model
    # refers to, whoever fills it in; anything else only as far as the user may view it.
    reference = getattr(related, "access_reference_data", False)
    rows = related._default_manager.all() if reference else _viewable(related, user)  # type: ignore[attr-defined]
    limit = getattr(field, "get_limit_choices_to", lambda: None)()
    return rows.complex_filter(limit) if limit else rows


def source_for(model: type[models.Model], field_name: str | None = None) -> str:
    label = f"{model._meta.app_label}.{model._meta.model_name}"
    return f"{label}.{field_name}" if field_name else label


def is_picked(model: type[models.Model] | None) -> bool:
    """Whether choices among ``model`` rows are a picker (people, departments, searchable records)."""
    if model is None:
        return False
    from guanxi.framework.search import registered_models

    return model._meta.label_lower in PICKED_MODELS or model in registered_models()


# -- the widgets ----------------------------------------------------------------------------------
class Picker(forms.Widget):
    """A combobox that searches ``source`` and submits the chosen row's id under the field's name."""

    template_name = "widgets/picker.html"
    allow_multiple_selected = False

    def __init__(self, source: str = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.source = source
        self.choices: Any = []  # ModelChoiceField sets its ModelChoiceIterator; never iterated here

    def format_value(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v.pk if isinstance(v, models.Model) else v) for v in values if v not in (None, "")]

    def selected(self, values: list[str]) -> list[tuple[str, str]]:
        """(id, label) of the chosen rows that are valid choices, in the order given: one query."""
        queryset = getattr(self.choices, "queryset", None)
        field = getattr(self.choices, "field", None)
        if queryset is None or not values:
            return []
        key = (field.to_field_name if field is not None else None) or "pk"
        try:
            rows = {str(getattr(row, key)): row for row in queryset.filter(**{f"{key}__in": values})}
        except (ValueError, TypeError):  # a crafted value that is no id at all
            return []
        label = field.label_from_instance if field is not None else str
        return [(value, str(label(rows[value]))) for value in values if value in rows]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        chosen = self.selected(self.format_value(value))
        widget["selected"] = chosen
        widget["selected_label"] = chosen[0][1] if chosen and not self.allow_multiple_selected else ""
        widget["selected_value"] = chosen[0][0] if chosen and not self.allow_multiple_selected else ""
        widget["multiple"] = self.allow_multiple_selected
        widget["url"] = reverse("pick", args=[self.source])
        widget["required"] = self.is_required
        attrs = widget["attrs"]
        attrs.pop("size", None)
        attrs["class"] = " ".join(c for c in attrs.get("class", "").split() if c != "select") or "input"
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.allow_multiple_selected:
            getter = getattr(data, "getlist", None)
            return getter(name) if getter else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False if self.allow_multiple_selected else name not in data

    def use_required_attribute(self, initial: Any) -> bool:
        return False  # the visible input holds a search text, not the value


class PickerMultiple(Picker):
    allow_multiple_selected = True


def use_picker(
    field: forms.Field, source: str, user: Any, *, keep: Any = None, queryset: Any = None
) -> forms.Field:
    """Make ``field`` (a model choice field) a picker on ``source``: its queryset becomes the
    source's rows (``queryset`` narrows them further), so what is offered is what validates, plus
    ``keep`` (the edited row's current value(s), valid even if no longer offered)."""
    assert isinstance(field, forms.ModelChoiceField)
    rows = source_queryset(source, user) if queryset is None else queryset
    keep_ids = [getattr(v, "pk", v) for v in (keep if isinstance(keep, list | tuple) else [keep])]
    keep_ids = [pk for pk in keep_ids if pk not in (None, "")]
    if keep_ids:
        rows = rows.model._default_manager.filter(
            models.Q(pk__in=rows.values("pk")) | models.Q(pk__in=keep_ids)
        )
    css = field.widget.attrs.get("class", "")
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    widget = (PickerMultiple if multiple else Picker)(source, attrs={"class": css} if css else None)
    widget.is_required = field.required
    if type(field).label_from_instance is forms.ModelChoiceField.label_from_instance:
        # the chosen row's label as this user may read it, like the rows the search offers
        field.label_from_instance = functools.partial(fieldaccess.label, user)  # type: ignore[method-assign]
    field.widget = widget
    field.queryset = rows  # sets widget.choices (the iterator the widget reads labels through)
    if multiple:
        field.error_messages["invalid_choice"] = _("%(value)s is not one of the choices you may make.")
    else:
        field.error_messages["invalid_choice"] = _("That is not one of the choices you may make.")
    return field


def use_pickers(form: forms.BaseForm, user: Any, model: type[models.Model] | None = None) -> None:
    """Every model choice input of ``form`` over a picked model becomes a picker: a relation of
    ``model`` (a ModelForm's) through its ``<app>.<model>.<field>`` source, any other through
    ``<app>.<model>`` — unless the form already made it one."""
    for name, field in form.fields.items():
        if not isinstance(field, forms.ModelChoiceField) or isinstance(field.widget, Picker):
            continue
        if isinstance(field.widget, forms.HiddenInput | forms.MultipleHiddenInput):
            continue
        queryset = field.queryset
        target = getattr(queryset, "model", None)
        if target is None or not is_picked(target):
            continue
        source = source_for(target)
        if model is not None:
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                model_field = None
            if model_field is not None and model_field.is_relation and model_field.related_model is target:
                source = source_for(model, name)
        if field.disabled:  # read-only: shows its value; Django keeps the stored one whatever is posted
            use_picker(field, source, user, queryset=field.queryset)
            continue
        instance = getattr(form, "instance", None)
        keep = None
        if instance is not None and instance.pk and model is not None:
            keep = form.initial.get(name)
        try:
            use_picker(field, source, user, keep=keep)
        except LookupError:  # a model the access machinery cannot scope: left as Django made it
            continue


# -- the endpoint ---------------------------------------------------------------------------------
def _secondary(obj: models.Model, fields: tuple[str, ...], unreadable: set[str]) -> str:
    parts = []
    for name in fields:
        if name in unreadable:
            continue
        value = getattr(obj, name, None)
        if value not in (None, ""):
            parts.append(str(value))
    return " · ".join(parts)


def rows_for(user: Any, source: str, query: str, page: int = 1) -> tuple[list[dict[str, Any]], bool]:
    """One page of a source's rows matching ``query`` (best first; by name when empty) and
    whether there are more."""
    from guanxi.framework.fieldaccess import unreadable
    from guanxi.framework.search import registered_models, search

    rows = source_queryset(source, user)
    model = rows.model
    fields, joins = SECONDARY.get(model._meta.label_lower, ((), ()))
    if joins:
        rows = rows.select_related(*joins)
    start, end = (page - 1) * PAGE_SIZE, page * PAGE_SIZE
    query = query.strip()[:MAX_QUERY]
    if query and model in registered_models():
        found = [hit.object for hit in search(user, query, within=rows, limit=end + 1)]
    elif query:
        names = [f.name for f in model._meta.fields if f.name in ("name", "title", "username")][:1]
        if not names:
            return [], False
        found = list(rows.filter(**{f"{names[0]}__icontains": query}).order_by(names[0], "pk")[: end + 1])
    else:
        order = ["name", "pk"] if any(f.name == "name" for f in model._meta.fields) else ["pk"]
        found = list(rows.order_by(*order)[: end + 1])
    hidden = set(unreadable(user, model)) if fields else set()
    page_rows = found[start:end]
    return (
        [
            {"id": obj.pk, "text": fieldaccess.label(user, obj), "secondary": _secondary(obj, fields, hidden)}
            for obj in page_rows
        ],
        len(found) > end,
    )


@login_required
@require_GET
def pick(request: HttpRequest, source: str) -> JsonResponse:
    """``/pick/<source>/?q=&page=``: ``{"results": [{id, text, secondary}], "more": bool}``."""
    try:
        page = min(max(int(request.GET.get("page") or 1), 1), MAX_PAGES)
    except ValueError:
        page = 1
    try:
        results, more = rows_for(request.user, source, request.GET.get("q", ""), page)
    except LookupError as exc:
        raise Http404(source) from exc
    return JsonResponse({"results": results, "more": more})
