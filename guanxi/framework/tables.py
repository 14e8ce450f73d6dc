"""Table base (django-tables2): selection checkbox, linked name, tags, owner and custom-field columns.

Columns the user may choose are every declared column plus one per custom field; which are
shown comes from ``?columns=`` (or a saved view), else ``Meta.default_columns``. Exports reuse the
same table (guanxi/framework/exporting.py) so what you see is what you export.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
from django.template.base import Template, render_value_in_context
from django.template.context import Context
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tables2.columns.base import library

from guanxi.framework.customfields import display_value, fields_for
from guanxi.framework.models import BaseModel, ChangeLoggedModel, CustomFieldsMixin, OwnerMixin, TagsMixin

ROW_ACTIONS = "row_actions"
CARD_FIELDS_DEFAULT = 3
# The fields a record's "Call" button dials, first found first.
PHONE_FIELDS = ("phone", "mobile")


def tel_target(value: Any) -> str:
    """What a ``tel:`` URL dials: the stored number without spaces (E.164 when stored so)."""
    return "".join(str(value).split())


def tel_link(value: Any) -> str:
    """A phone number as people read it (``187 9706 4350``), linked to dial it; "" when empty."""
    from guanxi.framework.customfields import format_phone

    if value in (None, ""):
        return ""
    return format_html('<a class="tel-link" href="tel:{}">{}</a>', tel_target(value), format_phone(value))


def mailto_link(value: Any) -> str:
    """An email address linked to write to it; "" when empty."""
    if value in (None, ""):
        return ""
    return format_html('<a class="mailto-link" href="mailto:{}">{}</a>', value, value)


@functools.lru_cache(maxsize=256)
def _compiled_template(template_code: str) -> Template:
    return Template(template_code)


class _CompiledOnce:
    """A django-tables2 template column whose template is compiled once per process: its own
    ``render`` compiles ``Template(template_code)`` for every cell (a date column of a 50-row
    page: 50 compilations, about a tenth of the deal list's rendering). Same context and output."""

    template_code: str | None

    def render(self, record: Any, table: Any, value: Any, bound_column: Any, **kwargs: Any) -> Any:
        if not self.template_code:
            return super().render(  # type: ignore[misc]
                record=record, table=table, value=value, bound_column=bound_column, **kwargs
            )
        parent_context = getattr(table, "context", Context())
        context = self.get_context_data(  # type: ignore[attr-defined]
            record=record, table=table, value=value, bound_column=bound_column, **kwargs
        )
        with parent_context.update(context):
            parent_context["request"] = getattr(table, "request", None)
            return _compiled_template(self.template_code).render(parent_context)


# Registered after django-tables2's own, so the columns built for model fields are these.
@library.register
class DateColumn(_CompiledOnce, tables.DateColumn):
    """django-tables2's ``DateColumn``, compiled once (``_CompiledOnce``)."""


@library.register
class DateTimeColumn(_CompiledOnce, tables.DateTimeColumn):
    """django-tables2's ``DateTimeColumn``, compiled once (``_CompiledOnce``)."""


@dataclass(frozen=True)
class RowAction:
    """A button on a row's card: a link (``href``), or a submit button of the form ``form_id``."""

    label: Any
    href: str = ""
    icon: str = ""
    css: str = ""
    form_id: str = ""
    primary: bool = False


RowActionProvider = Callable[["EntityTable", Any], "RowAction | None"]
_ROW_ACTIONS: list[RowActionProvider] = []


def register_row_action(provider: RowActionProvider) -> RowActionProvider:
    """Decorator: ``provider(table, record)`` returns a ``RowAction`` for the row's card, or None.

    Providers answer for any table (check ``table._meta.model``); a permission is asked once per
    table with ``table.cached(key, compute)``, never once per row."""
    if provider not in _ROW_ACTIONS:
        _ROW_ACTIONS.append(provider)
    return provider


class RowActionsColumn(tables.Column):
    """The buttons of a row's card (shown at phone width only; never exported)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            accessor="pk", orderable=False, exclude_from_export=True, verbose_name=_("Actions"), **kwargs
        )

    def render(self, record: Any, table: Any) -> str:
        from guanxi.framework.templatetags.ui import render_icon

        parts = []
        for action in table.row_actions(record):
            css = f"btn btn-sm {'btn-primary' if action.primary else 'btn-secondary'} {action.css}".strip()
            icon = render_icon(action.icon) if action.icon else ""
            if action.form_id:
                parts.append(
                    format_html(
                        '<button type="submit" class="{}" form="{}">{} {}</button>',
                        css,
                        action.form_id,
                        icon,
                        action.label,
                    )
                )
            else:
                parts.append(
                    format_html('<a class="{}" href="{}">{} {}</a>', css, action.href, icon, action.label)
                )
        return mark_safe("".join(parts))  # noqa: S308  (each part built with format_html)

    def value(self, record: Any) -> str:
        return ""


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


class TitleColumn(tables.Column):
    """A record's own title (not its label) linked to its page: a list that shows the number in a
    column of its own shows the title beside it, not "Q-0001 v1 <title>" again. An empty title still
    links the row, as "(no title)"; an export writes the bare title ("" when empty)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_values", ())  # render an empty title too (a link to the record)
        super().__init__(*args, **kwargs)

    def render(self, value: Any, record: Any) -> Any:
        if value in (None, ""):
            value = format_html('<span class="muted">{}</span>', NO_TITLE)
        return linkify_name(value, record)

    def value(self, value: Any) -> Any:
        return value


NO_TITLE = pgettext_lazy("list title", "(no title)")


def list_label(table: Any, record: Any) -> tuple[str, ...]:
    """What identifies ``record``'s row in the list of ``table`` (a table class or instance; None for
    a model without a table) and in its export: the texts the row shows, each in one of its cells.

    ``Meta.list_label`` says it: field names (``("number", "title")``: each value's text) or a
    callable ``record -> str | iterable of str``. Undeclared, it is the record's label,
    ``str(record)`` — right for a list whose linked name column is the label. The generic suites
    (``guanxi.framework.testing``) look for these texts in one row of the list page and of the CSV
    export, so a declaration that is not what the list shows fails there."""
    spec = getattr(getattr(table, "Meta", None), "list_label", None) if table is not None else None
    if spec is None:
        return (str(record),)
    if callable(spec):
        found = spec(record)
        parts = (found,) if isinstance(found, str) else tuple(found)
    else:
        parts = tuple(getattr(record, name) for name in spec)
    return tuple(str(part) for part in parts if part not in (None, ""))


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
        # Below ~640 px each row is a card: the title column (``card_title``, else ``name``,
        # else the first shown column) and these 2-4 fields, whether or not they are shown as
        # columns, then the row's actions (``row_actions``).
        card_fields: tuple[str, ...] = ()
        card_title: str | None = None
        # True: the row actions are a column on wide screens too (else cards only).
        row_actions_wide: bool = False
        # What identifies a row in the list and its export (``list_label``): field names or a
        # callable; None: ``str(record)``. Declare it when the list shows a record's label in
        # parts (number and title in columns of their own) rather than as one linked name.
        list_label: tuple[str, ...] | Callable[[Any], Any] | None = None

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
                    extra.append((name, DateTimeColumn(verbose_name=label, format="SHORT_DATETIME_FORMAT")))
        self.custom_fields = fields_for(model) if issubclass(model, CustomFieldsMixin) else []
        for cf in self.custom_fields:
            extra.append((f"cf_{cf.name}", CustomFieldColumn(cf)))
        from guanxi.framework import fieldaccess

        rules = fieldaccess.rules_for(user, model)
        forbidden = {name for name, rule in rules.items() if rule == fieldaccess.HIDDEN}
        extra.append((ROW_ACTIONS, RowActionsColumn()))
        names = [n for n in [*self.base_columns, *(name for name, _c in extra)] if n not in forbidden]
        default = [
            *getattr(self.Meta, "default_columns", ()),
            *(f"cf_{cf.name}" for cf in self.custom_fields if cf.show_in_table),
        ]
        chosen = [c for c in (columns or ()) if c in names and c != "pk"] or [
            c for c in default if c in names
        ]
        declared = getattr(self.Meta, "card_fields", ())
        card_fields = [c for c in declared if c in names]
        # Card fields not chosen as columns still render, in cells only the card layout shows.
        self.card_only = {c for c in card_fields if c not in chosen}
        if not getattr(self.Meta, "row_actions_wide", False):
            self.card_only.add(ROW_ACTIONS)
        self.card_fields = card_fields
        hidden = [
            n for n in names if n not in chosen and n not in ("pk", ROW_ACTIONS) and n not in self.card_only
        ]
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
        title = getattr(self.Meta, "card_title", None)
        shown = [n for n in chosen if n not in self.card_only]
        self.card_title = title if title in chosen else ("name" if "name" in chosen else (shown or [""])[0])
        if not declared:
            # A table that declares no card fields still makes a useful card: its next three columns.
            self.card_fields = [n for n in shown if n not in (self.card_title, "tags")][:CARD_FIELDS_DEFAULT]
        self.user = user
        self._action_cache: dict[str, Any] = {}
        for name, rule in rules.items():
            if rule == fieldaccess.MASKED and name in self.columns.names():
                self._mask_column(self.columns[name], model, name)
        for name in self.columns.names():
            if fieldaccess.shows_as_phone(user, model, name):
                self._format_phone_column(self.columns[name])
            elif fieldaccess.shows_as_email(user, model, name):
                self._format_email_column(self.columns[name])
        # A column whose sort key is hidden or masked for the user is not sortable: the order of
        # the rows would tell the values (``?sort=`` on it is ignored by django-tables2).
        for bound in self.columns.iterall():
            keys = [str(key).lstrip("-") for key in bound.order_by] if bound.orderable else []
            if any(fieldaccess.path_unreadable(user, model, key) for key in keys):
                bound.column.orderable = False

    @staticmethod
    def _format_phone_column(bound_column: Any) -> None:
        """Phone cells read ``187 9706 4350`` as a ``tel:`` link; exports keep the stored E.164 value."""

        def formatted(value: Any) -> str:
            return tel_link(value)

        bound_column.render = formatted

    @staticmethod
    def _format_email_column(bound_column: Any) -> None:
        """Email cells are ``mailto:`` links; exports keep the address."""

        def linked(value: Any) -> str:
            return mailto_link(value)

        bound_column.render = linked

    # -- cards (phone width) -------------------------------------------------------------------

    def row_actions(self, record: Any) -> list[RowAction]:
        """The buttons of a row's card: call / email when the record has a number or address
        the user reads in clear, then what modules register (``register_row_action``)."""
        from guanxi.framework import fieldaccess

        model = self._meta.model
        actions: list[RowAction] = []
        for name in PHONE_FIELDS:
            value = getattr(record, name, "") if hasattr(model, name) else ""
            if value and self._cached(
                f"phone:{name}", functools.partial(fieldaccess.shows_as_phone, self.user, model, name)
            ):
                actions.append(RowAction(_("Call"), f"tel:{tel_target(value)}", "phone", "row-call"))
                break
        for provider in _ROW_ACTIONS:
            found = provider(self, record)
            if found is not None:
                actions.append(found)
        return actions

    def _cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """A per-table answer (a permission, a field rule): asked once per page, not once per row."""
        if key not in self._action_cache:
            self._action_cache[key] = compute()
        return self._action_cache[key]

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """Public form of ``_cached`` for row-action providers."""
        return self._cached(key, compute)

    def header_cells(self) -> Iterator[tuple[Any, str]]:
        """Each shown column with the class of its ``<th>`` (card-only columns are hidden on wide screens)."""
        for bound_column in self.columns:
            yield bound_column, self._cell_class(bound_column.name)

    def _cell_class(self, name: str) -> str:
        classes = []
        if name == "pk":
            classes.append("col-select")
        elif name == ROW_ACTIONS:
            classes.append("row-actions")
        elif name == self.card_title:
            classes.append("cell-title")
        elif name in self.card_fields:
            classes.append("cell-card")
        else:
            classes.append("cell-extra")
        if name in self.card_only:
            classes.append("card-only")
        return " ".join(classes)

    @staticmethod
    def _mask_column(bound_column: Any, model: Any, name: str) -> None:
        """Cells (and exports) of a masked column show only the masked text."""
        from guanxi.framework.fieldaccess import masked_value

        def masked(value: Any) -> str:
            return masked_value(model, name, value)

        bound_column.render = masked
        bound_column.value = masked

    def rendered_rows(self) -> Iterator[SafeString]:
        for _row, cells in self._rows_and_cells():
            yield cells

    def _rows_and_cells(self) -> Iterator[tuple[Any, SafeString]]:
        """The ``<td>`` cells of each row on the page, as the list template wrote them with
        ``{% for column, cell in row.items %}<td>{{ cell }}</td>{% endfor %}``.

        Same values, renderers and escaping as django-tables2's ``BoundRow.items`` and the
        template, but each column's ``render`` and its signature are looked up once per page,
        not once per cell: django-tables2 runs ``inspect.signature`` for every cell, and the
        template engine resolves and escapes every cell through its variable machinery — together
        about a third of the customer list page (bench/bench_customers.md).
        """
        from django_tables2.utils import AttributeDict, signature

        context = Context()  # use_tz / use_l10n unset, as in the page's RequestContext
        plans: list[tuple[Any, str, Callable[..., Any], tuple[str, ...], str | None]] = []
        for bound_column in self.columns:
            render = bound_column.render
            args, catch_all = signature(render)
            css = self._cell_class(bound_column.name)
            # A column's own fixed ``<td>`` attributes (``lang``, ``translate``) beside the card class.
            fixed = {
                name: value
                for name, value in (bound_column.column.attrs.get("td") or {}).items()
                if name != "class" and isinstance(value, str)
            }
            extra = AttributeDict(fixed).as_html()
            if bound_column.name in self.card_fields:
                opening: str = format_html(
                    '<td class="{}" data-label="{}"{}{}>',
                    css,
                    # a card's label starts a line: "Amount", not the model's "amount"
                    capfirst(str(bound_column.header)),
                    " " if extra else "",
                    extra,
                )
            else:
                opening = format_html('<td class="{}"{}{}>', css, " " if extra else "", extra)
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
            yield row, mark_safe("".join(cells))  # noqa: S308  (every cell went through the template's escaping)

    def rendered_trs(self) -> Iterator[SafeString]:
        """Whole ``<tr>`` rows (with ``Meta.row_attrs``) around ``rendered_rows``' cells."""
        from django_tables2.utils import AttributeDict, computed_values

        for row, cells in self._rows_and_cells():
            attrs = AttributeDict(
                computed_values(self.row_attrs, kwargs={"table": self, "record": row.record})
            )
            yield format_html("<tr{}{}>{}</tr>", " " if attrs else "", attrs.as_html(), cells)

    def choosable_columns(self) -> list[tuple[str, str, bool]]:
        """(name, header, shown) of every column a user may switch on or off."""
        return [
            (c.name, str(c.header), c.name in self.chosen_columns)
            for c in self.columns.iterall()
            if c.name not in ("pk", ROW_ACTIONS)
        ]


def linkify_name(value: Any, record: BaseModel) -> str:
    """The value linked to the record's page; the bare value in an export (no URL to build)."""
    from guanxi.framework.exporting import EXPORTING

    if EXPORTING.get():
        return value
    return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)
