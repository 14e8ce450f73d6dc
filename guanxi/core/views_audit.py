"""The global change log and the security audit trail: read-only lists for administrators.

Both go through ``restrict()`` like every list: by default only system administrators hold
``view`` on them (migration ``users.0004``). Change values obey the reader's field rules.
"""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from guanxi.core.models import AuditEvent, ObjectChange
from guanxi.framework.fieldaccess import label_is_ruled
from guanxi.framework.filtersets import EntityFilterSet
from guanxi.framework.history import describe_changes, label_changes
from guanxi.framework.tables import DateTimeColumn, EntityTable
from guanxi.framework.views import EntityViews
from guanxi.framework.views.objects import ObjectDetailView


def _logged_types() -> Any:
    from django.apps import apps

    from guanxi.framework.models import ChangeLoggedModel

    models = [m for m in apps.get_models() if issubclass(m, ChangeLoggedModel)]
    ids = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


class ObjectChangeFilterSet(EntityFilterSet):
    action = django_filters.MultipleChoiceFilter(
        choices=ObjectChange.ActionChoices.choices, label=_("Action")
    )
    changed_object_type = django_filters.ModelChoiceFilter(
        queryset=lambda request: _logged_types(), label=_("Type")
    )
    user = django_filters.CharFilter(field_name="user_name", lookup_expr="iexact", label=_("User"))
    source = django_filters.CharFilter(label=_("Source"))
    search_fields = ("object_repr", "user_name")

    class Meta:
        model = ObjectChange
        fields = ["action", "changed_object_type", "source"]

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        """The stored label is searched only on rows whose label the reader reads as stored: a
        search for "星河" must not find the changes of leads whose company is hidden from them
        (``fieldaccess.label_is_ruled``; an approval request's label holds its document's)."""
        value = value.strip()
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        types = list(_logged_types())
        ruled = [ct.pk for ct in types if (m := ct.model_class()) is not None and label_is_ruled(user, m)]
        if ruled:
            ruled += [ct.pk for ct in types if hasattr(ct.model_class(), "reader_labels")]
        as_stored = Q(object_repr__icontains=value) & ~Q(changed_object_type_id__in=ruled)
        return queryset.filter(as_stored | Q(user_name__icontains=value))


class ObjectChangeTable(EntityTable):
    time = DateTimeColumn(verbose_name=_("Time"), format="SHORT_DATETIME_FORMAT", linkify=True)
    # The record's name as it was when written (data, not interface text: not translated).
    object_repr = tables.Column(verbose_name=_("Record"), attrs={"td": {"translate": "no"}})
    changed_object_type = tables.Column(verbose_name=_("Type"), order_by=("changed_object_type__model",))

    class Meta(EntityTable.Meta):
        model = ObjectChange
        fields = ("time", "user_name", "action", "changed_object_type", "object_repr", "source", "request_id")
        default_columns = ("time", "user_name", "action", "changed_object_type", "object_repr", "source")

    def render_action(self, value: Any, record: ObjectChange) -> str:
        color = {"create": "green", "delete": "red"}.get(record.action, "blue")
        return format_html('<span class="badge badge-{}">{}</span>', color, value)

    def render_changed_object_type(self, value: ContentType) -> str:
        model = value.model_class()
        return str(model._meta.verbose_name).capitalize() if model else value.model

    def render_object_repr(self, value: str, record: ObjectChange) -> str:
        """The record's label as the reader may read it (``history.label_changes``, for the whole
        page at once): not the stored text when a rule of theirs masks a part of it."""
        return self.value_object_repr(value, record)

    def value_object_repr(self, value: str, record: ObjectChange) -> str:
        if not hasattr(record, "reader_label"):
            label_changes(self.user, [row.record for row in self.paginated_rows])
        return getattr(record, "reader_label", value)

    def render_source(self, value: str) -> str:
        """The stored code ("web", "test") in the reader's words, like the history page."""
        return pgettext("change source", value)


class ObjectChangeViews(EntityViews):
    model = ObjectChange
    queryset = ObjectChange.objects.select_related("changed_object_type", "user")
    filterset = ObjectChangeFilterSet
    form = None
    table = ObjectChangeTable
    read_only = True
    url_prefix = "settings/change-log"
    detail_template = "core/objectchange_detail.html"


class ObjectChangeDetailView(ObjectDetailView):
    """One change with its readable before → after (masked per the reader's field rules)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        change = get_object_or_404(self.restricted(), pk=pk)
        label_changes(request.user, [change])
        diffs = describe_changes([change], request.user).get(change.pk, [])
        target = change.changed_object if change.action != "delete" else None
        return render(
            request,
            self.config.detail_template,
            {**self.base_context(), "object": change, "diffs": diffs, "target": target},
        )


class AuditEventFilterSet(EntityFilterSet):
    event = django_filters.MultipleChoiceFilter(choices=AuditEvent.EventChoices.choices, label=_("Event"))
    created_after = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label=_("From"))
    created_before = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label=_("Until"))
    search_fields = ("username", "ip_address")

    class Meta:
        model = AuditEvent
        fields = ["event"]


class AuditEventTable(EntityTable):
    time = DateTimeColumn(verbose_name=_("Time"), format="SHORT_DATETIME_FORMAT")
    detail = tables.JSONColumn(verbose_name=_("Detail"), orderable=False)

    class Meta(EntityTable.Meta):
        model = AuditEvent
        fields = ("time", "username", "event", "ip_address", "user_agent", "detail")
        default_columns = ("time", "username", "event", "ip_address", "detail")


class AuditEventViews(EntityViews):
    model = AuditEvent
    filterset = AuditEventFilterSet
    form = None
    table = AuditEventTable
    read_only = True
    url_prefix = "settings/audit"
