"""Turn ObjectChange rows into readable diffs: field labels, choice labels, names for ids — and
the changed record's label as the reader may read it (``label_changes``)."""

from __future__ import annotations

import decimal
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from guanxi.framework.customfields import display_value, fields_for
from guanxi.framework.fieldaccess import label as reader_label
from guanxi.framework.fieldaccess import stored_labels
from guanxi.framework.money import Money, UnknownCurrency, company_currency


def when(value: Any, field: models.Field) -> str:
    """A stored date or date-time (ISO text in the change log, UTC) as the reader reads dates:
    in their time zone and the one format of their language (``guanxi.formats``)."""
    from django.utils import formats, timezone
    from django.utils.dateparse import parse_date, parse_datetime

    text = str(value)
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(text)
        if moment is None:
            return text
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    day = parse_date(text[:10])
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else text


HIDDEN = {"id", "created_at", "created_by", "updated_at", "updated_by"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    name: str = ""


def _field(model: type[models.Model] | None, name: str) -> models.Field | models.ForeignObjectRel | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def label_changes(user: Any, changes: list[Any]) -> list[Any]:
    """Set ``reader_label`` on each of ``changes`` (a page of ObjectChange rows): the changed
    record's label as ``user`` may read it, never the stored ``object_repr`` when a rule of theirs
    masks or hides a part of it (``fieldaccess.stored_labels``: one query per type of record). A
    deleted record's label comes from its delete's kept values when that row is on the page."""
    kept = {
        (c.changed_object_type_id, c.changed_object_id): c.prechange_data
        for c in changes
        if c.action == "delete" and isinstance(c.prechange_data, dict)
    }
    labels = stored_labels(
        user,
        [(c.changed_object_type_id, c.changed_object_id, c.object_repr) for c in changes],
        snapshots=lambda keys: {key: kept[key] for key in keys if key in kept},
    )
    for change, text in zip(changes, labels, strict=True):
        change.reader_label = text
    return changes


def describe_changes(changes: list[Any], user: Any = None) -> dict[int, list[FieldChange]]:
    """{ObjectChange.id: [FieldChange, …]} for a page of changes, resolving ids in one query per model.

    With ``user``, that user's field rules apply: hidden fields are left out, masked ones masked.
    """
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for change in changes:
        model = change.changed_object_type.model_class()
        for data in (change.prechange_data or {}, change.postchange_data or {}):
            for name, value in data.items():
                field = _field(model, name)
                if (
                    field is not None
                    and field.is_relation
                    and field.many_to_one
                    and field.related_model is not None
                    and value is not None
                ):
                    wanted[field.related_model].add(value)
    names: dict[tuple[type[models.Model] | None, Any], str] = {}
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids):
            names[(related, obj.pk)] = reader_label(
                user, obj
            )  # a lead's company hidden from the reader: left out

    def show(model: type[models.Model] | None, name: str, value: Any) -> str:
        if value in (None, "", [], {}):
            return "—"
        field = _field(model, name)
        if field is None:
            return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        if field.is_relation and field.many_to_one:
            return names.get((field.related_model, value), f"#{value}")
        if field.many_to_many or isinstance(value, list):
            return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        if isinstance(field, models.Field) and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(field, models.DateTimeField | models.DateField):
            return when(value, field)
        return str(value)

    out: dict[int, list[FieldChange]] = {}
    cf_cache: dict[type[models.Model], dict[str, Any]] = {}
    for change in changes:
        model = change.changed_object_type.model_class()
        before, after = change.prechange_data or {}, change.postchange_data or {}
        keys = list(after) if change.action != "delete" else list(before)
        rows: list[FieldChange] = []
        # a field the model no longer captures (an approval request's copy of its document's
        # label) is not shown from the rows written before either
        excluded = set(getattr(model, "changelog_exclude", ())) if model is not None else set()
        for name in keys:
            if name in HIDDEN or name in excluded:
                continue
            if name == "custom_field_data":
                if model not in cf_cache:
                    cf_cache[model] = {cf.name: cf for cf in fields_for(model)} if model else {}
                old_cf, new_cf = before.get(name) or {}, after.get(name) or {}
                for key in sorted(set(old_cf) | set(new_cf)):
                    if old_cf.get(key) == new_cf.get(key):
                        continue
                    cf = cf_cache[model].get(key)
                    label = cf.display_label if cf else key
                    rows.append(
                        FieldChange(
                            label,
                            display_value(cf, old_cf.get(key)) if cf else str(old_cf.get(key)),
                            display_value(cf, new_cf.get(key)) if cf else str(new_cf.get(key)),
                            f"cf_{key}",
                        )
                    )
                continue
            field = _field(model, name)
            if field is not None and hasattr(field, "verbose_name"):
                label = str(field.verbose_name)
            elif field is not None and field.many_to_many:  # the reverse side, e.g. a user's roles
                label = str(field.related_model._meta.verbose_name_plural)
            else:
                label = _("Tags") if name == "tags" else name
            if change.action == "create" and after.get(name) in (None, "", [], {}):
                continue
            rows.append(
                FieldChange(
                    label,
                    show(model, name, before.get(name)) if change.action != "create" else "",
                    show(model, name, after.get(name)) if change.action != "delete" else "",
                    name,
                )
            )
        rows = _join_money(rows, model, before, after)
        rows = _format_phones(rows, user, model)
        out[change.pk] = _apply_field_rules(rows, user, model) if user is not None and model else rows
    return out


def _join_money(
    rows: list[FieldChange], model: type[models.Model] | None, before: dict[str, Any], after: dict[str, Any]
) -> list[FieldChange]:
    """A money field reads as one line, ``Amount: ¥100,000.00 → ¥120,000.00``, not as its three
    columns (amount, currency, amount in the company currency). An update logs only the columns
    that changed: an amount whose currency did not change shows as a grouped number
    (``100,000.00``); a currency changed alone keeps its own line; the company-currency amount,
    derived from the others, shows only when nothing else of the field changed (a new rate)."""
    from guanxi.framework.moneyfields import money_fields

    moneys = money_fields(model) if model is not None else ()
    if not moneys:
        return rows
    named = {row.name: row for row in rows}
    replaced: dict[str, FieldChange | None] = {}
    for money in moneys:
        amount, currency, base = money.amount_attname, money.currency_attname, money.base_attname
        if amount in named:
            replaced[amount] = FieldChange(
                str(money.verbose_name),
                _money_text(named[amount].old, before.get(amount), before.get(currency), money),
                _money_text(named[amount].new, after.get(amount), after.get(currency), money),
                amount,
            )
            replaced[currency] = replaced[base] = None
        elif currency in named:
            replaced[base] = None
        elif base in named:
            company = company_currency()
            replaced[base] = FieldChange(
                named[base].label,
                _money_text(named[base].old, before.get(base), company, money),
                _money_text(named[base].new, after.get(base), company, money),
                base,
            )
    out = []
    for row in rows:
        if row.name not in replaced:
            out.append(row)
        elif (joined := replaced[row.name]) is not None:
            out.append(joined)
    return out


def _money_text(shown: str, amount: Any, currency: Any, money: Any) -> str:
    """One side of a money line: ``shown`` as it was (blank or "—") when there is no amount."""
    if amount in (None, ""):
        return shown
    try:
        number = decimal.Decimal(str(amount))
        if currency:
            return Money(number, str(currency)).format()
        return f"{number:,.{money.decimal_places}f}"
    except (decimal.InvalidOperation, UnknownCurrency, ValueError):
        return shown


def _format_phones(rows: list[FieldChange], user: Any, model: type[models.Model] | None) -> list[FieldChange]:
    """Phone values read ``187 9706 4350`` as on pages and in tables (the change log keeps E.164);
    see ``fieldaccess.shows_as_phone``."""
    from guanxi.framework.customfields import format_phone
    from guanxi.framework.fieldaccess import shows_as_phone

    if model is None:
        return rows

    def shown(value: str) -> str:
        return value if value in ("", "—") else format_phone(value)

    return [
        FieldChange(row.label, shown(row.old), shown(row.new), row.name)
        if row.name and shows_as_phone(user, model, row.name)
        else row
        for row in rows
    ]


def _apply_field_rules(rows: list[FieldChange], user: Any, model: type[models.Model]) -> list[FieldChange]:
    from guanxi.framework.fieldaccess import HIDDEN, MASKED, masked_value, rules_for

    rules = rules_for(user, model)
    if not rules:
        return rows
    out = []
    for row in rows:
        rule = rules.get(row.name)
        if rule == HIDDEN:
            continue
        if rule == MASKED:
            row = FieldChange(
                row.label,
                masked_value(model, row.name, row.old) if row.old not in ("", "—") else row.old,
                masked_value(model, row.name, row.new) if row.new not in ("", "—") else row.new,
                row.name,
            )
        out.append(row)
    return out
