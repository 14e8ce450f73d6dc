"""Generic list view: filters, choosable and sortable columns, pagination, saved views, export.

The same URL answers the full page, or — for HTMX requests from the filter form, sort headers
and pager — only the ``results`` partial. A saved view (``?view=<id>``) is a condition tree plus
search text, columns, sort and page size (docs/conditions.md): its tree is compiled for the
viewer and applied after ``restrict()``; the filter panel shows the conditions it can express.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.forms.models import ModelChoiceIterator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from guanxi.framework.exporting import XLSX_CONTENT_TYPE
from guanxi.framework.http import AuthedRequest
from guanxi.framework.paginators import CappedPaginator
from guanxi.framework.views.base import EntityViewMixin

PER_PAGE_CHOICES = (25, 50, 100, 200)


def saved_views_for(user: Any, model: Any) -> Any:
    """The saved views of ``model``'s list ``user`` sees: own, shared with everyone, with one of
    their roles or with their department (or one above it)."""
    from guanxi.core.models import SavedView

    return SavedView.visible_to(user, model)


class SavedViewNotFound(Http404):
    """``?view=`` names no view this user sees on this list (the list answers a 404 page that says so)."""


def saved_view_or_404(user: Any, model: Any, raw: Any) -> Any:
    """The saved view ``raw`` names, if ``user`` sees it on ``model``'s list; a 404 for anything
    else (``abc``, an unknown id, another list's view, a view not shared with the user)."""
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        pk = 0
    saved = saved_views_for(user, model).filter(pk=pk).first() if pk > 0 else None
    if saved is None:
        raise SavedViewNotFound(_("This saved view does not exist or is not shared with you."))
    return saved


# What a list's query string carries besides filters.
LIST_KEYS = ("view", "columns", "sort", "per_page", "page", "export")


def _attrs(attrs: dict[str, Any]) -> str:
    """HTML attributes in their given order, escaped, as Django's ``attrs.html`` writes them."""
    return "".join(
        f" {escape(k)}" if v is True else f' {escape(k)}="{escape(v)}"'
        for k, v in attrs.items()
        if v is not False
    )


def choice_pairs(choices: Any) -> list[tuple[Any, Any]]:
    """The (value, label) options of a choice widget, as iterating ``choices`` gives them.

    A model choice field's options come from plain column values when its model says how its
    label reads (``choice_label_fields`` and ``choice_label``, e.g. ``User``) and the field keeps
    the default ``label_from_instance`` (``str``): the owner filter otherwise builds a model
    instance per active user on every list page. ``iter()`` elsewhere: ``len()`` on a
    ModelChoiceIterator would add a COUNT query.
    """
    if isinstance(choices, ModelChoiceIterator):
        field, model = choices.field, choices.queryset.model
        fields = getattr(model, "choice_label_fields", None)
        if fields and type(field).label_from_instance is forms.ModelChoiceField.label_from_instance:
            head: list[tuple[Any, Any]] = [("", field.empty_label)] if field.empty_label is not None else []
            null_label = getattr(field, "null_label", None)  # django-filter's "no value" option
            if null_label is not None:
                head.append((getattr(field, "null_value", None), null_label))
            rows = choices.queryset.values_list(field.to_field_name or "pk", *fields)
            return [*head, *((value, model.choice_label(*labels)) for value, *labels in rows)]
    return list(iter(choices))


class ChoiceChips(forms.CheckboxSelectMultiple):
    """Django's checkbox list markup, built with plain string joins.

    A list's owner filter has a checkbox per active user: at a few hundred users Django's
    per-option templates (and even ``format_html`` per option) were a large part of the customer
    list page's time (docs/benchmarks.md "customers"). Grouped choices fall back to Django.
    """

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        choices = choice_pairs(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        base_id = final.get("id")
        selected = set(self.format_value(value))
        name_html = escape(name)
        options = []
        # The attributes every option shares, escaped once: those before the per-option id and
        # those after it (``checked`` comes last, as in ``dict(final)`` + ``option["checked"]``).
        keys = list(final)
        cut = keys.index("id") if "id" in final else len(keys)
        before = _attrs({k: final[k] for k in keys[:cut]})
        after = _attrs({k: final[k] for k in keys[cut + 1 :]})
        shared = "checked" not in final and (bool(base_id) or "id" not in final)
        for index, (option_value, label) in enumerate(choices):
            text = "" if option_value is None else str(option_value)
            option_id = escape(f"{base_id}_{index}") if base_id else ""
            if shared:
                id_html = f' id="{option_id}"' if base_id else ""
                checked = " checked" if text in selected else ""
                option_html = f"{before}{id_html}{after}{checked}"
            else:  # an unusual attrs dict: build it as Django does
                option = dict(final)
                if text in selected:
                    option["checked"] = True
                if base_id:
                    option["id"] = f"{base_id}_{index}"
                option_html = _attrs(option)
            label_for = f' for="{option_id}"' if base_id else ""
            options.append(
                f'<div>\n    <label{label_for}><input type="checkbox" name="{name_html}" '
                f'value="{escape(text)}"{option_html}>\n {escape(label)}</label></div>'
            )
        outer = {k: final[k] for k in ("id", "class") if final.get(k)}
        return mark_safe(f"<div{_attrs(outer)}>{''.join(options)}\n</div>")  # noqa: S308  (all parts escaped)


def style_filter_form(form: Any) -> None:
    """Checkbox chips for multiple choices, date pickers for dates, design-system classes."""
    from guanxi.framework.forms import style_widgets

    for field in form.fields.values():
        if isinstance(field.widget, forms.SelectMultiple) and getattr(field, "choices", None):
            field.widget = ChoiceChips(choices=field.choices)
        elif isinstance(field, forms.DateField | forms.DateTimeField):
            field.widget = forms.DateInput(attrs={"type": "date"})
    style_widgets(form)


# The query keys of a filter besides its own name: ranges (``due_at_after``) and min/max pairs.
FILTER_KEY_SUFFIXES = ("after", "before", "min", "max", "0", "1", "start", "end")


def without_filter(params: QueryDict, name: str) -> str:
    """The query string of the list without filter ``name`` (and back on page one): a filter
    chip's "remove" link."""
    keys = {name, *(f"{name}_{suffix}" for suffix in FILTER_KEY_SUFFIXES)}
    rest = QueryDict(mutable=True)
    for key in params:
        if key not in keys and key != "page":
            rest.setlist(key, params.getlist(key))
    return rest.urlencode()


def active_filter_labels(filterset: Any) -> list[tuple[str, Any, str]]:
    """(name, label, readable value) of every filter that narrows the list: choice labels, record
    names and dates as people read them; empty selections are not filters."""
    out = []
    for name, value in filterset.cleaned_data.items():
        if name not in filterset.filters or value is None or value == "":
            continue
        values = list(value) if isinstance(value, list | tuple | models.QuerySet) else [value]
        if not values:
            continue
        if all(isinstance(v, bool) for v in values):
            # a yes/no filter: 是 / 否, not Python's True / False
            shown = [str(_("Yes") if v else _("No")) for v in values]
        elif all(isinstance(v, models.Model) for v in values):
            # a model choice (owner, department, tag): its label is str(row). Looking it up in the
            # field's choices would load every option to find none (their keys are primary keys).
            shown = [str(v) for v in values]
        else:
            choices = dict(getattr(filterset.filters[name].field, "choices", None) or [])
            shown = [str(choices.get(v, choices.get(str(v), v))) for v in values]
        out.append((name, filterset.filters[name].label, ", ".join(shown)))
    return out


def where_tree(text: str) -> Any:
    """The condition tree of a ``?where=`` parameter (a non-object fails validation with a message)."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def where_url(list_url: str, tree: dict[str, Any]) -> str:
    """``list_url`` narrowed to the rows of ``tree`` (what a counter links to)."""
    import json
    from urllib.parse import urlencode

    return f"{list_url}?{urlencode({'where': json.dumps(tree, ensure_ascii=False, separators=(',', ':'))})}"


class ObjectListView(EntityViewMixin, View):
    action = "view"

    def effective_params(self, request: AuthedRequest) -> tuple[QueryDict, Any, Any, QueryDict]:
        """The query string in force, the saved view (``?view=``), the condition tree applied on
        top of the filters, and the parameters whose filters select the rows.

        A saved view's tree is authoritative: as saved, the whole tree is applied and the panel
        shows the conditions it can express. Once the user edits the filter form (its fields are
        in the query), the form's filters replace those conditions and the rest of the tree stays.
        """
        view_id = request.GET.get("view")
        if view_id is None:
            # ``?where=<condition tree as JSON>``: a link that names its rows (a home-page counter)
            # narrows the list by that tree, on top of the filters, like a saved view.
            where = request.GET.get("where")
            return request.GET, None, (where_tree(where) if where else None), request.GET
        from guanxi.framework.conditions.filters import tree_to_params

        saved = saved_view_or_404(request.user, self.model, view_id)
        panel, rest = tree_to_params(self.model, saved.condition)
        filter_names = set(self.config.filterset(None, queryset=self.model._default_manager.none()).filters)
        edited = any(key in filter_names for key in request.GET)
        params = QueryDict(mutable=True)
        params["view"] = str(saved.pk)
        if not edited:
            for key, values in panel.items():
                params.setlist(key, values)
            if saved.search:
                params["q"] = saved.search
        if saved.columns:
            params.setlist("columns", saved.columns)
        if saved.ordering:
            params["sort"] = saved.ordering
        if saved.per_page:
            params["per_page"] = str(saved.per_page)
        # What the user changes on top of the saved view (sort, page, a filter) wins.
        for key in request.GET:
            if key != "view":
                params.setlist(key, request.GET.getlist(key))
        if edited:
            return params, saved, rest, params
        # The panel's parameters only show the tree, which selects the rows by itself.
        selecting = QueryDict(mutable=True)
        if params.get("q"):
            selecting.setlist("q", params.getlist("q"))
        return params, saved, saved.condition, selecting

    def filtered(self, request: AuthedRequest) -> tuple[Any, Any, QueryDict, Any]:
        """The rows the list's filters, search and saved view select (after restrict()), with the
        filterset, the parameters in force and the saved view — for the list and for other views
        of the same rows (a kanban board)."""
        params, saved, tree, selecting = self.effective_params(request)
        queryset = self.restricted()
        filterset = self.config.filterset(params, queryset=queryset, request=request)
        if selecting is params:
            rows = filterset.qs if filterset.is_valid() else queryset.none()
        else:
            selector = self.config.filterset(selecting, queryset=queryset, request=request)
            # The panel only shows the tree here: a value it cannot show (an option since
            # deactivated) must not empty the list the tree selects.
            rows = selector.qs if selector.is_valid() else queryset.none()
        if tree is not None:
            from guanxi.framework import conditions

            try:
                # Compiled for this viewer ($me, "last 30 days"), after restrict(), refusing
                # fields the viewer may not read in clear.
                rows = rows.filter(conditions.compile(tree, self.model, user=request.user))
            except ValidationError as error:
                rows = queryset.none()
                for problems in error.message_dict.values():
                    for problem in problems:
                        if saved is None:
                            message = _("This condition cannot be applied: %(problem)s")
                        else:
                            message = _("This saved view cannot be applied: %(problem)s")
                        messages.error(request, message % {"problem": problem})
        for name, errors in filterset.refused_params().items():  # hidden/masked: refused, not ignored
            messages.error(request, f"{filterset.refused_filters[name]}: {' '.join(errors)}")
        return rows, filterset, params, saved

    def build(self, request: AuthedRequest) -> dict[str, Any]:
        rows, filterset, params, saved = self.filtered(request)
        style_filter_form(filterset.form)
        columns = [c for v in params.getlist("columns") for c in v.split(",") if c]
        # No request here: django-tables2 would configure (and paginate, with an exact COUNT) the
        # table at construction; the RequestConfig below does it once, with the capped pager.
        table = self.config.table(
            rows.for_display(),  # related records loaded as far as their references show
            columns=columns or None,
            order_by_field="sort",
            user=request.user,
            selectable=not self.config.read_only,
        )
        try:
            per_page = int(params.get("per_page", self.config.per_page))
        except ValueError:
            per_page = self.config.per_page
        per_page = per_page if per_page in PER_PAGE_CHOICES else self.config.per_page
        # Capped COUNT: "10,000+" instead of counting a million rows for the pager (paginators.py).
        paginate = {"paginator_class": CappedPaginator, "per_page": per_page, "page": params.get("page", 1)}
        RequestConfig(request, paginate=paginate).configure(table)
        if params.get("sort"):
            table.order_by = params["sort"]
        active_filters = [
            (name, label, value, without_filter(params, name))
            for name, label, value in (active_filter_labels(filterset) if filterset.is_valid() else [])
        ]
        return {
            "filterset": filterset,
            "table": table,
            "saved_view": saved,
            "params": params,
            "per_page": per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "active_filters": active_filters,
            "saved_views": saved_views_for(request.user, self.model),
            **self.sharing_context(request, saved),
        }

    def sharing_context(self, request: AuthedRequest, saved: Any) -> dict[str, Any]:
        """Roles and departments a staff member may share a view with (others cannot share)."""
        if not (request.user.is_staff or request.user.is_superuser) or request.htmx:
            return {}
        from guanxi.framework.i18n import localized
        from guanxi.users.models import Department, Role

        # Both option lists in one query (a UNION): the list page's query budget is tight.
        def options(model: Any, kind: str) -> Any:
            rows = model.objects.order_by().annotate(kind=models.Value(kind))
            return rows.values_list("kind", "pk", "name", "name_en")

        found: dict[str, list[tuple[int, str]]] = {"role": [], "department": []}
        for kind, pk, name, name_en in options(Role, "role").union(
            options(Department, "department"), all=True
        ):
            found[kind].append((pk, localized(name, name_en)))
        own = saved is not None and saved.owner_id == request.user.pk
        return {
            "share_roles": sorted(found["role"], key=lambda option: option[1]),
            "share_departments": sorted(found["department"], key=lambda option: option[1]),
            "shared_role_ids": set(saved.shared_roles.values_list("pk", flat=True)) if own else set(),
            "shared_department_ids": set(saved.shared_departments.values_list("pk", flat=True))
            if own
            else set(),
        }

    def get(self, request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
        try:
            return self.respond(request)
        except SavedViewNotFound as missing:
            return render(request, "404.html", {"message": str(missing)}, status=404)

    def respond(self, request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
        if request.GET.get("export") in ("csv", "xlsx"):
            return self.export(request, request.GET["export"])
        context = {**self.base_context(), **self.build(request)}
        template = self.config.list_template
        if request.htmx and request.htmx.target == "list-results":
            template += "#results"
        elif hasattr(self.model, "custom_field_data"):
            from guanxi.framework.customfield_checks import warn_broken_definitions

            warn_broken_definitions(request, self.model)
        return render(request, template, context)

    def export(self, request: AuthedRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
        """The rows of this list as CSV or XLSX (guanxi/framework/exporting.py).

        Up to ``EXPORT_DIRECT_MAX_ROWS`` rows download at once (CSV streamed, XLSX through a
        temporary file); more run as a background job whose page offers the file. Every export
        needs the ``export`` verb and is audited with its filters and row count."""
        from guanxi.framework.exporting import (
            CSV_CONTENT_TYPE,
            content_disposition,
            direct_limit,
            filename_for,
            list_export,
        )

        export = list_export(self.config, request)  # checks the export verb
        limit = direct_limit()
        rows = export.queryset[: limit + 1].count()
        if rows > limit:
            return self.export_as_job(request, fmt, export)
        export.audit(request.user, fmt, source="web", rows=rows)
        filename = filename_for(self.model, fmt)
        response: HttpResponse | StreamingHttpResponse
        if fmt == "csv":
            response = StreamingHttpResponse(export.csv_chunks(), content_type=CSV_CONTENT_TYPE)
        else:
            out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it, which deletes it)
            export.write_xlsx(out)
            out.seek(0)
            response = FileResponse(out, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition(filename)
        return response

    def export_as_job(self, request: AuthedRequest, fmt: str, export: Any) -> HttpResponse:
        """Start the background export of a large list and go to its job page."""
        from django.utils.translation import get_language, gettext_noop

        from guanxi.framework.i18n import deferred
        from guanxi.framework.jobs import start_job
        from guanxi.framework.tasks import export_list

        query = request.GET.copy()
        for key in ("export", "page"):
            query.pop(key, None)
        job = start_job(
            deferred(gettext_noop("Export %(entity)s"), entity=self.model._meta.verbose_name_plural),
            export_list,
            user=request.user,
            params={
                "model": self.model._meta.label_lower,
                "query": query.urlencode(),
                "format": fmt,
                "language": get_language(),
            },
        )
        from guanxi.framework.exporting import direct_limit

        text = _(
            "More than %(limit)s rows: the export runs in the background. Download it here when it is ready."
        )
        messages.info(request, text % {"limit": f"{direct_limit():,}"})
        return HttpResponseRedirect(reverse("job_detail", args=[job.pk]))


class SavedViewSaveView(EntityViewMixin, View):
    """Store the current list query under a name, as a condition tree (docs/conditions.md).

    The filter parameters become a tree through the list's FilterSet; the conditions of the view
    the query started from that no filter can show are kept. Staff may share a view with
    everyone, with roles and with departments.
    """

    action = "view"

    def post(self, request: AuthedRequest) -> HttpResponse:
        from guanxi.core.models import SavedView
        from guanxi.framework import conditions
        from guanxi.framework.conditions.filters import params_to_tree, tree_to_params

        name = request.POST.get("name", "").strip()[:80]
        query = QueryDict(request.POST.get("query", ""))
        list_url = reverse(self.url_name("list"))
        if not name:
            messages.error(request, _("Give the view a name."))
            return HttpResponseRedirect(f"{list_url}?{query.urlencode()}")
        # Empty inputs of the filter form are not filters: store only what narrows the list.
        filters = {
            k: [v for v in query.getlist(k) if v]
            for k in query
            if k not in (*LIST_KEYS, "q") and any(query.getlist(k))
        }
        tree, attention = params_to_tree(self.model, filters)
        if query.get("view"):
            base = saved_view_or_404(request.user, self.model, query["view"])
            _panel, rest = tree_to_params(self.model, base.condition)
            tree["all"] += rest["all"]
        try:
            tree = conditions.validate(tree, self.model, request.user)
        except ValidationError as error:
            for problems in error.message_dict.values():
                for problem in problems:
                    messages.error(request, problem)
            return HttpResponseRedirect(f"{list_url}?{query.urlencode()}")
        per_page = query.get("per_page", "")
        values = {
            "condition": tree,
            "needs_attention": attention,
            "search": query.get("q", "").strip()[:200],
            "columns": [c for v in query.getlist("columns") for c in v.split(",") if c],
            "ordering": query.get("sort", "")[:100],
            "per_page": int(per_page) if per_page.isdigit() and int(per_page) in PER_PAGE_CHOICES else None,
        }
        ct = ContentType.objects.get_for_model(self.model)
        may_share = request.user.is_staff or request.user.is_superuser
        values["shared"] = may_share and request.POST.get("shared") == "on"
        try:
            with transaction.atomic():
                saved, _created = SavedView.objects.update_or_create(
                    content_type=ct, owner=request.user, name=name, defaults=values
                )
                if may_share:
                    self.share(saved, request)
        except IntegrityError:
            messages.error(request, _("A view with this name already exists."))
            return HttpResponseRedirect(list_url)
        messages.success(request, _("Saved view “%(name)s”.") % {"name": name})
        return HttpResponseRedirect(f"{list_url}?view={saved.pk}")

    def share(self, saved: Any, request: AuthedRequest) -> None:
        """Share with the roles and departments chosen (ids that do not exist are ignored)."""
        from guanxi.users.models import Department, Role

        def ids(key: str) -> list[int]:
            return [int(v) for v in request.POST.getlist(key) if v.isdigit()]

        saved.shared_roles.set(Role.objects.filter(pk__in=ids("shared_roles")))
        saved.shared_departments.set(Department.objects.filter(pk__in=ids("shared_departments")))


class SavedViewDeleteView(EntityViewMixin, View):
    action = "view"

    def post(self, request: AuthedRequest, view_id: int) -> HttpResponse:
        from guanxi.core.models import SavedView

        saved = get_object_or_404(
            SavedView,
            pk=view_id,
            owner=request.user,
            content_type__model=self.model._meta.model_name,
            content_type__app_label=self.model._meta.app_label,
        )
        saved.delete()
        messages.success(request, _("Deleted view “%(name)s”.") % {"name": saved.name})
        return HttpResponseRedirect(reverse(self.url_name("list")))
