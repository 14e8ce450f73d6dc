"""The merge page (合并) of an entity declaring ``merge=Merge()``: ``<prefix>/merge/?ids=1&ids=2``.

Side by side, one column per record: which record is kept (the oldest unless the user picks
another: a link per column reloads the page with ``survivor=``, so the preview stays exact), one
radio per field whose values differ (default: the most recent non-empty value), masked values
shown masked, fields hidden from or read-only for the user not choosable (the default applies),
and the number of related records
of each kind that will move. Confirming calls ``guanxi.framework.merging.merge`` and opens the
kept record's page with a message. The list's bulk action posts the selection here (``pk``): it is
turned into the page's address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.framework import fieldaccess, merging
from guanxi.framework.http import AuthedRequest
from guanxi.framework.views.base import EntityViewMixin
from guanxi.framework.write import RecordLocked, StaleWrite, version_of


@dataclass
class Cell:
    """One record's value of one field as the user may read it."""

    pk: Any
    text: Any
    hidden: bool = False
    record: str = ""  # whose value it is, named above the value on a phone (no columns there)


@dataclass
class FieldRow:
    name: str
    label: str
    cells: list[Cell]
    chosen: Any
    choosable: bool
    differs: bool


class MergeView(EntityViewMixin):
    """GET: the comparison; POST ``pk`` (the list's selection): redirect to it; POST
    ``_confirm``: merge."""

    action = "delete"  # the others are deleted; the kept record needs "change" (checked per row)
    extra_actions = ("change",)

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self.page(request, request.GET.getlist("ids"), request.GET.get("survivor"))

    def post(self, request: AuthedRequest) -> HttpResponse:
        if "_confirm" not in request.POST:  # the list's bulk action: its selection becomes the address
            ids = request.POST.getlist("pk")
            if len(set(ids)) < 2:
                messages.warning(request, _("Select at least two records to merge."))
                return HttpResponseRedirect(reverse(self.url_name("list")))
            return HttpResponseRedirect(f"{request.path}?{urlencode([('ids', pk) for pk in ids])}")
        return self.page(request, request.POST.getlist("ids"), request.POST.get("survivor"), confirm=True)

    # -- helpers ---------------------------------------------------------------------------------
    def records(self, ids: list[str]) -> list[Any]:
        """The named records in the order given; 404 for one the user may not see."""
        try:
            wanted = list(dict.fromkeys(int(pk) for pk in ids))
        except ValueError:
            raise Http404 from None
        found = self.restricted("view").in_bulk(wanted)
        if len(found) != len(wanted):
            raise Http404
        return [found[pk] for pk in wanted]

    def rows(self, records: list[Any], defaults: dict[str, Any]) -> list[FieldRow]:
        user, model = self.request.user, self.model
        labels = {f.name: str(f.verbose_name) for f in model._meta.concrete_fields}
        custom = {f"cf_{cf.name}": cf for cf in self.config.custom_fields()}
        names = {r.pk: _("%(name)s (no. %(id)s)") % {"name": r, "id": r.pk} for r in records}
        out = []
        for name in merging.field_names(records):
            if name.startswith("cf_") and name not in custom:
                continue  # a key no custom field defines any more: kept as the default says
            hidden = not fieldaccess.visible(user, model, name)
            cells = [
                Cell(r.pk, None if hidden else self.text(r, name, custom), hidden, names[r.pk])
                for r in records
            ]
            raw = {repr(merging.value_of(r, name)) for r in records}
            if all(not c.text and not c.hidden for c in cells):
                continue  # empty everywhere: nothing to choose
            label = custom[name].label if name in custom else labels.get(name, name)
            out.append(
                FieldRow(
                    name=name,
                    label=str(label),
                    cells=cells,
                    chosen=defaults[name],
                    choosable=merging.choosable(user, model, name) and not hidden,
                    differs=len(raw) > 1,
                )
            )
        return out

    def text(self, record: Any, name: str, custom: dict[str, Any]) -> Any:
        from guanxi.framework.customfields import display_value

        if name in custom:
            value: Any = display_value(custom[name], merging.value_of(record, name))
        else:
            display = getattr(record, f"get_{name}_display", None)
            value = display() if callable(display) else getattr(record, name)
        return fieldaccess.display(self.request.user, self.model, name, value)

    def page(
        self, request: AuthedRequest, ids: list[str], survivor_id: Any, *, confirm: bool = False
    ) -> HttpResponse:
        list_url = reverse(self.url_name("list"))
        records = self.records(ids)
        if len(records) < 2:
            messages.warning(request, _("Select at least two records to merge."))
            return HttpResponseRedirect(list_url)
        if len(records) > merging.MAX_RECORDS:
            messages.warning(request, _("Merge at most %(n)d records at once.") % {"n": merging.MAX_RECORDS})
            return HttpResponseRedirect(list_url)
        # the one asked for, else the oldest record (the original the others duplicated)
        oldest = min(records, key=lambda r: (getattr(r, "created_at", None) is None, r.created_at, r.pk))
        survivor = next((r for r in records if str(r.pk) == str(survivor_id)), oldest)
        others = [r for r in records if r.pk != survivor.pk]
        ordered = [survivor, *others]
        errors: dict[str, list[str]] = {}
        refusal, status = "", 200
        if confirm:
            choices = {
                key.removeprefix("field_"): request.POST.get(key, "")
                for key in request.POST
                if key.startswith("field_")
            }
            versions = {r.pk: request.POST.get(f"version_{r.pk}") for r in records}
            try:
                result = merging.merge(
                    survivor, others, actor=request.user, choices=choices, versions=versions
                )
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                refusal, status = " ".join(errors.pop("__all__", [])), 422
                if isinstance(exc, RecordLocked):
                    status = 409
            except PermissionDenied as exc:
                refusal, status = str(exc), 403
            except StaleWrite as exc:
                refusal, status = str(exc), 409
            else:
                messages.success(
                    request,
                    ngettext(
                        "Merged %(count)d record into “%(name)s”. Moved: %(what)s.",
                        "Merged %(count)d records into “%(name)s”. Moved: %(what)s.",
                        len(result.merged),
                    )
                    % {
                        "count": len(result.merged),
                        "name": result.survivor,
                        "what": merging.describe_counts(result.moved),
                    },
                )
                kept: Any = result.survivor
                return HttpResponseRedirect(kept.get_absolute_url())
        defaults = merging.default_choices(ordered)
        if confirm:  # keep what the user picked
            picked = {k.removeprefix("field_"): request.POST.get(k, "") for k in request.POST}
            defaults.update({k: int(v) for k, v in picked.items() if k in defaults and v.isdigit()})
        work = merging.plan(survivor, others)
        preview = [
            (self.kind_label(label), count, work.duplicate_counts().get(label, 0))
            for label, count in {**dict.fromkeys(work.duplicate_counts(), 0), **work.counts()}.items()
        ]
        base = [("ids", r.pk) for r in records]
        context = {
            **self.base_context(),
            "records": ordered,
            "survivor": survivor,
            "others": others,
            "columns": [
                (r, version_of(r), f"{request.path}?{urlencode([*base, ('survivor', r.pk)])}")
                for r in ordered
            ],
            "field_rows": self.rows(ordered, defaults),
            "preview": preview,
            "errors": errors,
            "refusal": refusal,
        }
        return render(request, "generic/merge.html", context, status=status)

    @staticmethod
    def kind_label(label: str) -> str:
        try:
            return str(apps.get_model(label)._meta.verbose_name_plural)
        except LookupError:
            return label
