"""Table base (django-tables2): selection checkbox, linked name, tags, owner and custom-field columns.

Columns the user may choose are every declared column plus one per custom field; which are
shown comes from ``?columns=`` (or a saved view), else ``Meta.default_columns``. Exports reuse the
same table so what you see is what you export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html import unescape
from typing import Any

import django_tables2 as tables
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.framework.customfields import display_value, fields_for
from guanxi.framework.models import BaseModel, ChangeLoggedModel, CustomFieldsMixin, OwnerMixin, TagsMixin


class TagsColumn(tables.Column):
    """Coloured tag badges; needs ``prefetch_related("tagged_items__tag")`` on the queryset."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(accessor="pk", orderable=False, verbose_name=_("Tags"), **kwargs)

    def render(self, record: Any) -> str:
        return format_html_join(
            " ", '<span class="badge badge-{}">{}</span>', ((t.color, t.name) for t in record.tag_list)
        )

    def value(self, record: Any) -> str:
        return ", ".join(t.name for t in record.tag_list)


class CustomFieldColumn(tables.Column):
    def __init__(self, cf: Any, **kwargs: Any) -> None:
        self.cf = cf
        super().__init__(
            accessor=f"custom_field_data__{cf.name}",
            verbose_name=cf.display_label,
            orderable=True,
            order_by=(f"custom_field_data__{cf.name}",),
            default="",
            **kwargs,
        )

    def render(self, value: Any) -> str:
        return display_value(self.cf, value)

    def value(self, value: Any) -> str:
        return display_value(self.cf, value)


class EntityTable(tables.Table):
    """Base table; subclasses declare columns and ``Meta.default_columns``."""

    pk = tables.CheckBoxColumn(
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        attrs={
            "th__input": {"data-select-all": "", "aria-label": _("Select all")},
            "td__input": {"name": "pk", "aria-label": _("Select")},
        },
    )

    class Meta:
        attrs = {"class": "table"}
        default_columns: tuple[str, ...] = ()

    def __init__(
        self,
        data: Any,
        *args: Any,
        columns: list[str] | None = None,
        selectable: bool = True,
        user: Any = None,
        **kwargs: Any,
    ) -> None:
        model = self._meta.model
        extra: list[tuple[str, tables.Column]] = []
        if issubclass(model, TagsMixin) and "tags" not in self.base_columns:
            extra.append(("tags", TagsColumn()))
        if issubclass(model, OwnerMixin):
            if "owner" not in self.base_columns:
                extra.append(("owner", tables.Column(verbose_name=_("Owner"), order_by=("owner__username",))))
            if "department" not in self.base_columns:
                extra.append(
                    (
                        "department",
                        tables.Column(verbose_name=_("Department"), order_by=("department__path",)),
                    )
                )
        if issubclass(model, ChangeLoggedModel):
            # a context keeps these column headers apart from the change-log actions "Created"/"Updated"
            stamps = (
                ("created_at", pgettext_lazy("column", "Created")),
                ("updated_at", pgettext_lazy("column", "Updated")),
            )
            for name, label in stamps:
                if name not in self.base_columns:
                    extra.append(
                        (name, tables.DateTimeColumn(verbose_name=label, format="SHORT_DATETIME_FORMAT"))
                    )
        self.custom_fields = fields_for(model) if issubclass(model, CustomFieldsMixin) else []
        for cf in self.custom_fields:
            extra.append((f"cf_{cf.name}", CustomFieldColumn(cf)))
        from guanxi.framework import fieldaccess

        rules = fieldaccess.rules_for(user, model)
        forbidden = {name for name, rule in rules.items() if rule == fieldaccess.HIDDEN}
        names = [n for n in [*self.base_columns, *(name for name, _c in extra)] if n not in forbidden]
        default = [
            *getattr(self.Meta, "default_columns", ()),
            *(f"cf_{cf.name}" for cf in self.custom_fields if cf.show_in_table),
        ]
        chosen = [c for c in (columns or ()) if c in names and c != "pk"] or [
            c for c in default if c in names
        ]
        hidden = [n for n in names if n not in chosen and n != "pk"]
        if not selectable:
            hidden.append("pk")
        super().__init__(
            data,
            *args,
            extra_columns=extra,
            sequence=["pk", *chosen, "..."],
            exclude=sorted(forbidden),
            **kwargs,
        )
        for name in hidden:
            self.columns.hide(name)
        self.chosen_columns = chosen
        for name, rule in rules.items():
            if rule == fieldaccess.MASKED and name in self.columns.names():
                self._mask_column(self.columns[name], model, name)
        for name in self.columns.names():
            if fieldaccess.shows_as_phone(user, model, name):
                self._format_phone_column(self.columns[name])
        # A column whose sort key is hidden or masked for the user is not sortable: the order of
        # the rows would tell the values (``?sort=`` on it is ignored by django-tables2).
        for bound in self.columns.iterall():
            keys = [str(key).lstrip("-") for key in bound.order_by] if bound.orderable else []
            if any(fieldaccess.path_unreadable(user, model, key) for key in keys):
                bound.column.orderable = False

    @staticmethod
    def _format_phone_column(bound_column: Any) -> None:
        """Phone cells read ``187 9706 4350``; exports keep the stored E.164 value."""
        from guanxi.framework.customfields import format_phone

        def formatted(value: Any) -> str:
            return format_phone(value)

        bound_column.render = formatted

    @staticmethod
    def _mask_column(bound_column: Any, model: Any, name: str) -> None:
        """Cells (and exports) of a masked column show only the masked text."""
        from guanxi.framework.fieldaccess import masked_value

        def masked(value: Any) -> str:
            return masked_value(model, name, value)

        bound_column.render = masked
        bound_column.value = masked

    def rendered_rows(self) -> Iterator[SafeString]:
        """The ``<td>`` cells of each row on the page, as the list template wrote them with
        ``{% for column, cell in row.items %}<td>{{ cell }}</td>{% endfor %}``.

        Same values, renderers and escaping as django-tables2's ``BoundRow.items`` and the
        template, but each column's ``render`` and its signature are looked up once per page,
        not once per cell: django-tables2 runs ``inspect.signature`` for every cell, and the
        template engine resolves and escapes every cell through its variable machinery — together
        about a third of the customer list page (bench/bench_customers.md).
        """
        from django_tables2.utils import signature

        context = Context()  # use_tz / use_l10n unset, as in the page's RequestContext
        plans: list[tuple[Any, str, Callable[..., Any], tuple[str, ...], str | None]] = []
        for bound_column in self.columns:
            render = bound_column.render
            args, catch_all = signature(render)
            opening = '<td class="col-select">' if bound_column.name == "pk" else "<td>"
            plans.append((bound_column, opening, render, args, catch_all))
        for row in self.paginated_rows:
            cells = []
            for bound_column, opening, render, args, catch_all in plans:

                def call(
                    bc: Any,
                    value: Any = None,
                    *,
                    render: Any = render,
                    args: Any = args,
                    catch_all: Any = catch_all,
                ) -> Any:
                    kwargs = row._optional_cell_arguments(bc, value)  # noqa: B023  (called right away)
                    # django_tables2.utils.call_with_appropriate, with the signature known
                    if catch_all:
                        content = render(**kwargs)
                    elif all(arg in kwargs for arg in args):
                        content = render(**{arg: kwargs[arg] for arg in args})
                    else:
                        content = None
                    return bc.link(content, **kwargs) if bc.link else content

                value = row._get_and_render_with(bound_column, render_func=call, default=bound_column.default)
                bound_column.current_value, bound_column.current_record = value, row.record
                cells.append(f"{opening}{render_value_in_context(value, context)}</td>")
            yield mark_safe("".join(cells))  # noqa: S308  (every cell went through the template's escaping)

    def choosable_columns(self) -> list[tuple[str, str, bool]]:
        """(name, header, shown) of every column a user may switch on or off."""
        return [
            (c.name, str(c.header), c.name in self.chosen_columns)
            for c in self.columns.iterall()
            if c.name != "pk"
        ]


def export_rows(table: EntityTable) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the visible, exportable columns (values, not HTML)."""
    columns = [c for c in table.columns if c.name != "pk" and not c.column.exclude_from_export]
    header = []
    for c in columns:
        header.append(str(c.header))
        if getattr(c.column, "export_currency", False):  # MoneyColumn: amount, then its currency
            header.append(f"{c.header} ({_('currency')})")
    rows = []
    for row in table.rows:
        values = []
        for c in columns:
            value = row.get_cell_value(c.name)
            # render_* methods may return HTML (links, badges); exports carry the text only.
            values.append(unescape(strip_tags(value)) if isinstance(value, str) else value)
            if getattr(c.column, "export_currency", False):
                values.append(c.column.currency_of(row.record))
        rows.append(values)
    return header, rows


def linkify_name(value: Any, record: BaseModel) -> str:
    return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)
