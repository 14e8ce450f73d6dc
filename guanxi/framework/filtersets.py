"""FilterSet base shared by list pages, the API and saved views (one definition, three uses).

``EntityFilterSet`` adds, for every entity, a free-text ``q`` over ``search_fields``, tag and
owner/department filters where the model has those features, created-at ranges, and one filter per
filterable custom field (``cf_<name>``; numbers and dates also get ``cf_<name>__gte`` / ``__lte``).
Custom-field filters are built per instance, so a field defined a second ago is filterable now.
"""

from __future__ import annotations

import copy
import decimal
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.forms.utils import ErrorDict, ErrorList
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from guanxi.framework.customfields import fields_for
from guanxi.framework.models import OwnerMixin, TagsMixin

BOOLEAN_CHOICES = (("true", _("Yes")), ("false", _("No")))


class CustomFieldFilter(django_filters.Filter):
    """Filter on one custom field's value inside ``custom_field_data`` (portable JSON lookups)."""

    def __init__(self, cf: Any, lookup: str = "exact", **kwargs: Any) -> None:
        self.cf = cf
        super().__init__(field_name=f"custom_field_data__{cf.name}", lookup_expr=lookup, **kwargs)

    def filter(self, qs: models.QuerySet, value: Any) -> models.QuerySet:
        if value in (None, "", []):
            return qs
        cf, lookup = self.cf, self.lookup_expr
        # Cast to text so the lookups below compare plain strings; on a bare key transform,
        # SQLite would treat the right-hand side as JSON.
        text = Cast(KT(f"custom_field_data__{cf.name}"), models.TextField())
        alias = f"_cf_{cf.name}"
        if cf.type in ("integer", "decimal"):
            target = (
                models.BigIntegerField()
                if cf.type == "integer"
                else models.DecimalField(max_digits=30, decimal_places=10)
            )
            try:
                number = int(value) if cf.type == "integer" else decimal.Decimal(str(value))
            except (ValueError, decimal.InvalidOperation):
                return qs.none()
            return qs.alias(**{alias: Cast(text, target)}).filter(**{f"{alias}__{lookup}": number})
        if cf.type in ("date", "datetime"):
            return qs.alias(**{alias: text}).filter(**{f"{alias}__{lookup}": str(value)})
        if cf.type == "boolean":
            flag = str(value).lower() in ("true", "1", "yes")
            return qs.filter(**{f"custom_field_data__{cf.name}": flag})
        if cf.type == "multiselect":
            values = value if isinstance(value, list) else [value]
            q = models.Q()
            for v in values:
                q |= models.Q(**{f"{alias}__contains": f'"{v}"'})
            return qs.alias(**{alias: text}).filter(q)
        if cf.type == "select":
            values = value if isinstance(value, list) else [value]
            q = models.Q()
            for v in values:
                q |= models.Q(**{f"custom_field_data__{cf.name}": str(v)})
            return qs.filter(q)
        if cf.type == "object":
            try:
                return qs.filter(**{f"custom_field_data__{cf.name}": int(value)})
            except (TypeError, ValueError):
                return qs.none()
        return qs.alias(**{alias: text}).filter(**{f"{alias}__icontains": str(value)})


def custom_field_filters(model: type[models.Model]) -> dict[str, django_filters.Filter]:
    out: dict[str, django_filters.Filter] = {}
    for cf in fields_for(model):
        if not cf.filterable:
            continue
        label = cf.display_label
        key = f"cf_{cf.name}"
        if cf.type in ("integer", "decimal", "date", "datetime"):
            out[key] = CustomFieldFilter(cf, "exact", label=label)
            out[f"{key}__gte"] = CustomFieldFilter(cf, "gte", label=_("%(label)s from") % {"label": label})
            out[f"{key}__lte"] = CustomFieldFilter(cf, "lte", label=_("%(label)s to") % {"label": label})
        elif cf.type == "money":
            from guanxi.framework.moneyfields import money_custom_field_filters

            out.update(money_custom_field_filters(cf, label))
        elif cf.type == "boolean":
            out[key] = CustomFieldFilter(
                cf,
                label=label,
                widget=django_filters.widgets.forms.Select(choices=[("", "—"), *BOOLEAN_CHOICES]),
            )
        elif cf.type in ("select", "multiselect"):
            custom = CustomFieldFilter(cf, label=label)
            custom.field_class = django_filters.MultipleChoiceFilter.field_class
            custom.extra["choices"] = cf.choice_pairs()
            out[key] = custom
        else:
            out[key] = CustomFieldFilter(cf, label=label)
    return out


def spans_many(model: type[models.Model], path: str) -> bool:
    """Whether the lookup ``path`` from ``model`` crosses a to-many relation (so may repeat rows);
    True when the path cannot be followed, to stay on the safe side."""
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return True
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model  # type: ignore[assignment]
    return False


class KnownKeysMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """A model multiple-choice field that checks the submitted keys against ``known_keys()`` (a
    set kept in the process, such as ``guanxi.framework.configcache``'s) instead of a query per
    request; it cleans to the keys as integers, with the same messages as Django's field.

    With ``known_choices`` (a callable giving ``(key, label)`` pairs in the queryset's order and
    the reader's language) the options a form shows and the labels of the active filters come
    from the same table; without it, from the queryset."""

    def __init__(self, *args: Any, known_keys: Any, known_choices: Any = None, **kwargs: Any) -> None:
        self.known_keys = known_keys
        self.known_choices = known_choices  # before Django's __init__, which reads the choices
        super().__init__(*args, **kwargs)

    def _get_choices(self) -> Any:
        if self.known_choices is None:
            return super()._get_choices()
        null_label = getattr(self, "null_label", None)  # django-filter's "no value" option
        head = [(self.null_value, null_label)] if null_label is not None else []
        return [*head, *self.known_choices()]

    choices = property(_get_choices, forms.ChoiceField.choices.fset)  # type: ignore[assignment,union-attr]

    def _check_values(self, value: Any) -> list[int]:  # type: ignore[override]
        try:
            submitted = frozenset(value)
        except TypeError:  # a list of lists is not hashable
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list") from None
        known = self.known_keys()
        keys = []
        for raw in submitted:
            self.validate_no_null_characters(raw)
            try:
                key = int(raw)
            except (TypeError, ValueError):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": raw}
                ) from None
            if key not in known:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": raw}
                )
            keys.append(key)
        return sorted(keys)


class KnownKeysMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """``ModelMultipleChoiceFilter`` for reference data kept in the process: give it
    ``known_keys=<callable returning the valid keys>`` (see ``KnownKeysMultipleChoiceField``)."""

    field_class = KnownKeysMultipleChoiceField


class AnyYesNoSelect(forms.NullBooleanSelect):
    """A yes/no filter: 不限 / 是 / 否 (Any / Yes / No) instead of Django's 未知 / 是 / 否."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]


def _copy_filter(filter_: django_filters.Filter) -> django_filters.Filter:
    """A filter of one filterset instance, copied from the class's declared one: its own options
    (``extra``, which the instance may change), its own form field (one built on the class-level
    filter — the API schema generator reads ``base_filters[...].field`` — was labelled in that
    request's language, or with the bare field name before the filter knew its model), and a
    ``method`` bound to the copy (the declared filter's resolves against its own parent)."""
    copied = copy.copy(filter_)
    copied.extra = dict(filter_.extra)
    copied.__dict__.pop("_field", None)
    if filter_.method is not None:
        copied.method = filter_.method
    return copied


class _FieldsOfOneForm(dict):
    """A filter form class's ``base_fields`` that its one form takes as they are.

    Django deep-copies a form class's fields into every form, because a class's fields are shared
    by all its forms. A filter set builds a new form class from fields made for it alone
    (``_copy_filter``: each filter builds its own field) and makes one form of it, so the copy
    protects nothing and cost a fifth of the filtering time (widgets, querysets, lazy labels)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return dict(self)


class EntityFilterSet(django_filters.FilterSet):
    """Base FilterSet: ``q`` text search, tags, owner, department, created range, custom fields."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Created from")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Created until")
    )

    search_fields: tuple[str, ...] = ("name",)

    def __init__(
        self, data: Any = None, queryset: Any = None, *, request: Any = None, prefix: str | None = None
    ) -> None:
        # django-filter's own __init__, except for how the declared filters are copied: it
        # deep-copies them all (their querysets, widgets and lazy labels) on every request, which
        # was a third of a list's filtering time; ``_copy_filter`` gives each instance its own
        # filter objects with nothing mutable shared.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _copy_filter(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
        model = self._meta.model
        if issubclass(model, TagsMixin):
            from guanxi.core.models import Tag

            self.filters["tag"] = django_filters.ModelMultipleChoiceFilter(
                field_name="tagged_items__tag__slug",
                to_field_name="slug",
                queryset=Tag.objects.all(),
                label=_("Tags"),
                distinct=True,
            )
        if issubclass(model, OwnerMixin):
            from django.contrib.auth import get_user_model

            from guanxi.users.models import Department

            # field_name: django-filter names only the filters declared on the class after their
            # attribute; without it ``?owner=1`` raised TypeError (a 500) in Q(**{None: user}).
            self.filters["owner"] = django_filters.ModelMultipleChoiceFilter(
                field_name="owner", queryset=get_user_model().objects.filter(is_active=True), label=_("Owner")
            )
            self.filters["department"] = django_filters.ModelMultipleChoiceFilter(
                field_name="department", queryset=Department.objects.all(), label=_("Department")
            )
            from guanxi.framework.pickers import PickerMultiple

            # searchable pickers, not a checkbox per employee; the sources offer what the
            # filters accept (active colleagues; departments)
            self.filters["owner"].extra["widget"] = PickerMultiple("users.colleagues")
            self.filters["department"].extra["widget"] = PickerMultiple("users.department")
        if hasattr(model, "custom_field_data"):
            self.filters.update(custom_field_filters(model))
        from guanxi.framework.moneyfields import money_filters

        self.filters.update(money_filters(model))  # <name>__gte / __lte on the base amount
        # django-filter puts DISTINCT on every multiple-choice filter, but only a path through a
        # to-many relation can repeat a row. On a plain column DISTINCT makes the database
        # de-duplicate every matching row, for the page and again for the pager's COUNT: seconds
        # at a million customers (docs/benchmarks.md "customers").
        for name, filter_ in self.filters.items():
            if isinstance(filter_, django_filters.MultipleChoiceFilter) and filter_.distinct:
                filter_.distinct = spans_many(model, filter_.field_name or name)
            # Django calls a yes/no field's empty choice "Unknown" (未知); in a filter bar it
            # means "do not filter on this".
            if isinstance(filter_, django_filters.BooleanFilter) and "widget" not in filter_.extra:
                filter_.extra["widget"] = AnyYesNoSelect
        self._refuse_unreadable_filters(model)

    # --- fields the user may not read in clear (hidden or masked) ------------------------------
    # A filter on such a field answers "is the value X?" one guess at a time, so it is not
    # offered (the list's filter panel leaves it out) and, when sent anyway, refused: the filter
    # set is invalid with a field message (the API's 400; the list shows no rows and the message).
    RANGE_SUFFIXES = ("", "_min", "_max", "_after", "_before", "_0", "_1")

    def _refuse_unreadable_filters(self, model: type[models.Model]) -> None:
        from guanxi.framework.fieldaccess import path_unreadable

        user = getattr(self.request, "user", None)
        self.refused_filters: dict[str, str] = {}  # name → label
        for name, filter_ in list(self.filters.items()):
            if name != "q" and path_unreadable(user, model, filter_.field_name or name):
                del self.filters[name]
                self.refused_filters[name] = str(filter_.label or name)

    def refused_params(self) -> dict[str, list[str]]:
        """``{parameter: [message]}`` for every filter on an unreadable field the request sent."""
        message = _("You may not filter on this field.")
        data = self.data or {}
        return {
            name: [str(message)]
            for name in self.refused_filters
            if any(data.get(f"{name}{suffix}") not in (None, "") for suffix in self.RANGE_SUFFIXES)
        }

    # --- the form that filters: only the filters the request sends ----------------------------
    # A list offers twenty-odd filters and a request uses two or three. Building and cleaning a
    # form field for every one of them was a fifth of the deal list's Python per request
    # (docs/benchmarks.md "deals"); a filter the request sends nothing for cleans to an empty
    # value, which ``filter_queryset`` skips anyway. So validating and filtering go through a form
    # of the sent filters alone (``filter_form``); ``form`` stays the whole form, built only where
    # the filter panel is drawn.

    def _sends(self, name: str, filter_: django_filters.Filter) -> bool:
        """Whether the request carries a value for ``filter_``: its own parameter, or one of its
        widget's parts (``amount_min``, ``date_after``, ``x_0``, ``x_lookup``: any ``<name>_…``,
        wider than ``views.lists.FILTER_KEY_SUFFIXES`` on purpose — a filter wrongly thought
        unsent would be silently dropped, one wrongly thought sent only costs its cleaning). A
        checkbox widget is always cleaned: unticked, it sends nothing and still means "no"."""
        widget = filter_.extra.get("widget") or filter_.field_class.widget
        if issubclass(widget if isinstance(widget, type) else type(widget), forms.CheckboxInput):
            return True
        key = f"{self.form_prefix}-{name}" if self.form_prefix else name
        return any(sent == key or sent.startswith(f"{key}_") for sent in self.data)

    @property
    def filter_form(self) -> forms.Form:
        """The bound form of the filters the request sends (the whole form once it is built)."""
        if not hasattr(self, "_filter_form"):
            sent = {name: f for name, f in self.filters.items() if self._sends(name, f)}
            if hasattr(self, "_form") or not self.is_bound or len(sent) == len(self.filters):
                self._filter_form = self.form
            else:
                form_class: type[forms.Form] = type(
                    f"{type(self).__name__}SentForm",
                    (self._meta.form,),
                    {name: filter_.field for name, filter_ in sent.items()},
                )
                form_class.base_fields = _FieldsOfOneForm(form_class.base_fields)
                self._filter_form = form_class(self.data, prefix=self.form_prefix)
        return self._filter_form

    @property
    def cleaned_data(self) -> dict[str, Any]:
        """The sent filters' cleaned values (what filter methods read of one another)."""
        return self.filter_form.cleaned_data

    def is_valid(self) -> bool:
        return self.is_bound and self.filter_form.is_valid() and not self.refused_params()

    @property
    def errors(self) -> Any:
        errors = self.filter_form.errors
        refused = self.refused_params()
        if not refused:
            return errors
        errors = ErrorDict(errors)  # the API's filter backend reads ``as_data()`` of each list
        for name, messages in refused.items():
            errors[name] = ErrorList([ValidationError(m, code="not_readable") for m in messages])
        return errors

    def get_form_class(self) -> type[forms.Form]:
        form_class = super().get_form_class()
        form_class.base_fields = _FieldsOfOneForm(form_class.base_fields)
        return form_class

    def filter_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """django-filter's loop over the cleaned values, minus the filters left empty (which leave
        the rows alone anyway). An empty model multiple-choice filter (tags, owner, department …)
        cleans to ``queryset.none()``, and django-filter asks it whether it is empty — compiling
        a query per unused filter on every list request."""
        for name, value in self.cleaned_data.items():
            if value in EMPTY_VALUES or (isinstance(value, models.QuerySet) and value.query.is_empty()):
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_q(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        value = value.strip()
        if not value:
            return queryset
        from guanxi.framework.fieldaccess import path_unreadable
        from guanxi.framework.search import indexed_fields, matching_ids

        user = getattr(self.request, "user", None)
        # Fields the search index keeps keys of are matched through those keys (prefix and
        # trigram indexes, pinyin, initials, phone digits); ICONTAINS on them would read the
        # whole table on every search (seconds at a million customers). Others as they are.
        indexed = indexed_fields(queryset.model)
        condition = models.Q()
        for field in self.search_fields:
            # a field hidden or masked for the reader is not searched (it would be an oracle)
            if (indexed is None or field not in indexed) and not path_unreadable(user, queryset.model, field):
                condition |= models.Q(**{f"{field}__icontains": value})
        if indexed is not None:
            condition |= models.Q(pk__in=matching_ids(queryset.model, value, user))
        return queryset.filter(condition) if condition else queryset.none()
