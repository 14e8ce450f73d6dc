"""Field rules in every layer: hidden fields vanish, read-only fields cannot change, masked fields
show ``138****8000``.

The rules come from the access policy (``policy.field_rules(user, model)`` — role-based in
``guanxi.users.access``) and are applied by the base classes, never per view: ``EntityForm``
(hidden/masked inputs removed, read-only inputs disabled), ``EntityTable`` (columns hidden or
masked, so exports are too), the detail page, ``EntitySerializer`` (API reads and writes), the
History/timeline diffs, the change-log API and search results. Custom fields are named
``cf_<name>``. A user holding the ``reveal`` action may see one masked value at a time; each
reveal writes an audit event.

A money field (``MoneyField``: columns ``<name>_amount``, ``<name>_currency``, ``<name>_base``)
is ruled under its own name only (``amount``, ``grand_total``): ``rule_name`` maps a column to it,
``canonical_rules`` folds rules stored under a column name (before the role editor listed money
fields once) into it, and ``rules_for`` answers for the columns too, so a reader that meets a
column (a form input, a change-log row, a filter or sort key) gets the field's rule. Money of the
lines a total is summed from follows the total's rule (``RollUp``, declared on the line model as
``rolls_up_into``): adding up the lines would tell a masked total.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.text import capfirst

HIDDEN, READONLY, MASKED = "hidden", "readonly", "masked"
_NON_DIGIT = re.compile(r"\D")
# How strict a rule is: hidden tells nothing, masked a shape, read-only everything.
STRICTNESS = {READONLY: 1, MASKED: 2, HIDDEN: 3}


def stricter(*rules: str | None) -> str | None:
    """The strictest of ``rules`` (None for none)."""
    found = [rule for rule in rules if rule]
    return max(found, key=lambda rule: STRICTNESS.get(rule, 0)) if found else None


@dataclass(frozen=True)
class RollUp:
    """``rolls_up_into = RollUp("quote", "grand_total", ("unit_price", "total"))`` on a line model:
    its money ``fields`` add up to the ``total`` money field of the record its foreign key
    ``parent`` points to, so a reader reads them under the total's rule (stricter wins). With
    ``parent=""`` the total is on the same record (a quote's subtotal, discount and tax give its
    grand total). ``rolls_up_into`` may also be a tuple of them."""

    parent: str  # "" for a total on the same record (a quote's subtotal, tax … → grand total)
    total: str
    fields: tuple[str, ...]

    def parent_model(self, model: type[models.Model]) -> type[models.Model]:
        if not self.parent:
            return model
        return model._meta.get_field(self.parent).related_model  # type: ignore[return-value]


def rule_name(model: type[models.Model], name: str) -> str:
    """The name a rule on ``name`` is kept under: a money column's field (``amount_amount`` →
    ``amount``), any other name itself."""
    from guanxi.framework.moneyfields import money_fields

    for money in money_fields(model):
        if name in (money.amount_attname, money.currency_attname, money.base_attname):
            return money.name
    return name


def canonical_rules(model: type[models.Model], rules: Mapping[str, str]) -> dict[str, str]:
    """``rules`` of one role with money columns named by their field (the strictest of
    ``amount_amount``/``amount_currency``/``amount`` wins): the one place a rule stored under a
    column name still counts."""
    out: dict[str, str] = {}
    for name, rule in rules.items():
        key = rule_name(model, name)
        out[key] = stricter(out.get(key), rule) or rule
    return out


def rules_for(user: Any, model: type[models.Model]) -> dict[str, str]:
    """Field name → rule for ``user`` on ``model``, cached on the user object for the request.

    A money field's rule is also given under its columns, and a line model's rolled-up money
    (``RollUp``) carries its total's rule: every reader asks here, under whichever name it meets."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    from guanxi.framework.access import get_policy, kept_on

    cache = kept_on(user).setdefault("_guanxi_field_rules", {})
    if model not in cache:
        rules = canonical_rules(model, get_policy().field_rules(user, model))
        declared = getattr(model, "rolls_up_into", ())
        for roll_up in (declared,) if isinstance(declared, RollUp) else declared:
            own = rules if not roll_up.parent else rules_for(user, roll_up.parent_model(model))
            total_rule = own.get(roll_up.total)
            if total_rule in (HIDDEN, MASKED):  # read-only on a total does not stop reading lines
                for name in roll_up.fields:
                    rules[name] = stricter(rules.get(name), total_rule) or total_rule
        cache[model] = _with_money_columns(model, rules)
    return cache[model]


def _with_money_columns(model: type[models.Model], rules: dict[str, str]) -> dict[str, str]:
    from guanxi.framework.moneyfields import money_field

    out = dict(rules)
    for name, rule in rules.items():
        money = money_field(model, name)
        if money is not None:
            for column in (money.amount_attname, money.currency_attname, money.base_attname):
                out[column] = rule
    return out


def shows_as_phone(user: Any, model: type[models.Model], name: str) -> bool:
    """Whether ``user`` reads field ``name`` formatted as a phone (``187 9706 4350``): a phone
    column of the model itself under no field rule (masking works on the stored E.164 form)."""
    return (
        not name.startswith("cf_")
        and field_kind(model, name) == "phone"
        and name not in rules_for(user, model)
    )


def shows_as_email(user: Any, model: type[models.Model], name: str) -> bool:
    """Whether ``user`` reads field ``name`` as a clear email address (a ``mailto:`` link)."""
    return (
        not name.startswith("cf_")
        and field_kind(model, name) == "email"
        and rules_for(user, model).get(name) not in (HIDDEN, MASKED)
    )


def field_kind(model: type[models.Model], name: str) -> str:
    """How to mask a field: ``phone``, ``email``, ``id`` or plain ``text``."""
    if name.startswith("cf_"):
        from guanxi.framework.customfields import fields_for

        cf = next((c for c in fields_for(model) if f"cf_{c.name}" == name), None)
        return {"phone": "phone", "email": "email"}.get(cf.type if cf else "", "text")
    try:
        field = model._meta.get_field(name)
    except Exception:
        return "text"
    if isinstance(field, models.EmailField):
        return "email"
    lowered = name.lower()
    words = lowered.split("_")
    if "phone" in lowered or "mobile" in lowered or "tel" in words:
        return "phone"
    if any(k in lowered for k in ("id_card", "id_number", "credit_code", "passport")):
        return "id"
    return "text"


def mask(value: Any, kind: str = "text") -> str:
    """``138****8000``, ``z***@example.com``, ``110***********1234``, ``张***``."""
    if value in (None, ""):
        return ""
    text = str(value)
    if kind == "phone":
        digits = _NON_DIGIT.sub("", text)
        if text.startswith("+86") and len(digits) > 11:
            digits = digits[2:]
        if len(digits) >= 7:
            return f"{digits[:3]}{'*' * 4}{digits[-4:]}"
        return "*" * len(digits)
    if kind == "email" and "@" in text:
        local, _sep, domain = text.partition("@")
        return f"{local[:1]}***@{domain}"
    if kind == "id" and len(text) >= 8:
        return f"{text[:3]}{'*' * (len(text) - 7)}{text[-4:]}"
    if len(text) <= 2:
        return "*" * len(text)
    return f"{text[0]}***{text[-1]}" if kind != "text" or len(text) > 3 else f"{text[0]}**"


def masked_value(model: type[models.Model], name: str, value: Any) -> str:
    return mask(value, field_kind(model, name))


def visible(user: Any, model: type[models.Model], name: str) -> bool:
    return rules_for(user, model).get(name) != HIDDEN


class MaskedText(str):
    """A masked value that remembers which field it came from (the detail page offers "Show")."""

    is_masked = True
    field_name = ""


def display(user: Any, model: type[models.Model], name: str, value: Any) -> Any:
    """``value`` as this user may read it (masked where a rule says so)."""
    return ruled(rules_for(user, model).get(name), model, name, value)


def ruled(rule: str | None, model: type[models.Model], name: str, value: Any) -> Any:
    """``value`` of field ``name`` under ``rule`` (``display`` for a rule already looked up)."""
    if rule == MASKED:
        if value in (None, ""):
            return value
        text = MaskedText(masked_value(model, name, value))
        text.field_name = name
        return text
    if rule == HIDDEN:
        return None
    return value


def apply_to_values(
    values: Mapping[str, Any],
    rules: Mapping[str, str],
    model: type[models.Model],
    custom_keys: Sequence[str] = ("custom_fields", "custom_field_data"),
) -> dict[str, Any]:
    """A copy of ``values`` (a record's representation, an event's payload, a change's values) as
    read under ``rules``: hidden keys dropped, masked ones masked; custom fields (``cf_<name>``)
    inside whichever of ``custom_keys`` holds them (the API's ``custom_fields``, the change log's
    ``custom_field_data``). The one rule for dict-shaped reads: the API serializers and the event
    payloads call it."""
    out = dict(values)
    for name, rule in rules.items():
        if rule not in (HIDDEN, MASKED):
            continue
        if name.startswith("cf_"):
            for key in custom_keys:
                if isinstance(out.get(key), dict) and name[3:] in out[key]:
                    custom = dict(out[key])
                    if rule == HIDDEN:
                        custom.pop(name[3:])
                    else:
                        custom[name[3:]] = masked_value(model, name, custom[name[3:]])
                    out[key] = custom
        elif name in out:
            if rule == HIDDEN:
                out.pop(name)
            else:
                out[name] = masked_value(model, name, out[name])
    return out


LABEL_SEPARATOR = " · "


def label(user: Any, obj: models.Model) -> str:
    """``obj``'s label as ``user`` may read it — the one rule for every label a reader sees of a
    record (API ``display``, pickers, the duplicates queue, page titles).

    A model whose label joins several fields ("王磊 · 星河科技" for a lead) declares
    ``label_parts()``: (field name, value) pairs. Each value goes through ``display``, so a part
    masked for the reader is masked and a hidden one left out, joined by the model's
    ``label_separator`` (default " · "); ``__str__`` is the label read with no field rule
    (``label(None, self)``). A model whose label is another record's stored label (an approval
    request's "提交审批 · <document>") declares ``reader_labels(user, objs)`` instead, a classmethod
    labelling many at once (``stored_labels``). Any other model's label is ``str(obj)``."""
    many = getattr(obj.__class__, "reader_labels", None)
    if many is not None:
        return str(many(user, [obj])[0])
    parts = getattr(obj, "label_parts", None)
    if parts is None:
        return str(obj)
    model = obj.__class__
    shown = [display(user, model, name, value) for name, value in parts()]
    separator = getattr(model, "label_separator", LABEL_SEPARATOR)
    return separator.join(str(value) for value in shown if value not in (None, ""))


def label_fields(model: type[models.Model]) -> frozenset[str]:
    """The fields ``model``'s label reads: the names its ``label_parts()`` gives (none for a label
    that is ``str(obj)``). ``label_parts()`` names the same fields whatever the values, so a blank
    instance tells them."""
    if not hasattr(model, "label_parts"):
        return frozenset()
    if model not in _LABEL_FIELDS:
        _LABEL_FIELDS[model] = frozenset(name for name, _value in model().label_parts())  # type: ignore[attr-defined]
    return _LABEL_FIELDS[model]


_LABEL_FIELDS: dict[type[models.Model], frozenset[str]] = {}


def label_is_ruled(user: Any, model: type[models.Model]) -> bool:
    """Whether a field rule of ``user`` masks or hides a part of ``model``'s label: the text of
    that label stored under no rule (``object_repr``) is then not theirs to read."""
    return bool(label_fields(model) & unreadable(user, model))


def gone_label(model: type[models.Model], pk: Any) -> str:
    """ "线索 #12": the label of a record that is gone, carrying none of its fields."""
    return f"{capfirst(model._meta.verbose_name)} #{pk}"


StoredRef = tuple[int, Any, str]  # (content type id, record id, the label stored under no rule)


def stored_labels(
    user: Any,
    refs: Sequence[StoredRef],
    *,
    snapshots: Callable[[list[tuple[int, Any]]], Mapping[tuple[int, Any], Mapping[str, Any]]] | None = None,
) -> list[str]:
    """The labels ``user`` may read of rows that stored a record's label when they were written
    (the change log, the recycle bin, events, approval requests: ``object_repr``, written as
    ``str(obj)``, i.e. under no field rule) — one for each ``(content type id, record id, stored
    text)`` of ``refs``, in order. The stored column stays as it is (it is the audit record);
    this is the one place that decides what a reader sees of it.

    * A reader under no rule on the label's parts reads the stored text: the label as it was
      when the row was written, and no query (a model labelled by ``reader_labels`` is always
      loaded: whether a rule touches its label depends on the row).
    * Otherwise the label is ``label(user, obj)`` of the record — loaded in one query per type
      for the whole page — or, when it is gone, of its kept values (``snapshots(keys)`` →
      ``{(content type id, id): field values}``, say the recycle bin's copy of the row), or else
      ``gone_label``: the type and the id, nothing the reader may not see.
    """
    from django.contrib.contenttypes.models import ContentType

    ruled: dict[int, type[models.Model]] = {}
    wanted: dict[int, set[Any]] = {}
    for type_id, pk, _text in refs:
        if type_id not in ruled:
            model = ContentType.objects.get_for_id(type_id).model_class()
            if model is None or not (hasattr(model, "reader_labels") or label_is_ruled(user, model)):
                continue
            ruled[type_id] = model
        wanted.setdefault(type_id, set()).add(pk)
    if not ruled:
        return [text for _type_id, _pk, text in refs]
    labels: dict[tuple[int, Any], str] = {}
    for type_id, pks in wanted.items():
        model = ruled[type_id]
        objs = list(model._base_manager.filter(pk__in=pks))
        many = getattr(model, "reader_labels", None)
        texts = many(user, objs) if many is not None else [label(user, obj) for obj in objs]
        for obj, text in zip(objs, texts, strict=True):
            labels[type_id, obj.pk] = str(text)
    gone = [
        (type_id, pk)
        for type_id, pks in wanted.items()
        for pk in pks
        if (type_id, pk) not in labels and not hasattr(ruled[type_id], "reader_labels")
    ]
    if gone and snapshots is not None:
        for (type_id, pk), values in snapshots(gone).items():
            labels[type_id, pk] = label(user, _from_values(ruled[type_id], pk, values))
    out = []
    for type_id, pk, text in refs:
        if type_id not in ruled:
            out.append(text)
        else:
            out.append(labels.get((type_id, pk)) or gone_label(ruled[type_id], pk))
    return out


def _from_values(model: type[models.Model], pk: Any, values: Mapping[str, Any]) -> models.Model:
    """An unsaved ``model`` row holding the kept ``values`` of its label's fields (serialized by
    field name: a foreign key's value is the related id)."""
    obj = model(pk=pk)
    for name in label_fields(model):
        if name in values:
            field = model._meta.get_field(name)
            setattr(obj, getattr(field, "attname", name), values[name])
    return obj


def writable(user: Any, model: type[models.Model], name: str) -> bool:
    return name not in rules_for(user, model)


def unreadable(user: Any, model: type[models.Model]) -> set[str]:
    """Fields ``user`` may not read in clear on ``model`` (hidden or masked; ``cf_<name>`` for
    custom fields). Such a field can be neither searched, filtered, sorted nor compared by the
    user, through any channel: each of those answers "is the value X?" one guess at a time."""
    return {name for name, rule in rules_for(user, model).items() if rule in (HIDDEN, MASKED)}


def path_unreadable(user: Any, model: type[models.Model], path: str) -> bool:
    """Whether the lookup ``path`` (``phone``, ``customer__email``, ``custom_field_data__level``,
    ``cf_level``) reads a field ``user`` may not read in clear on any model along the way."""
    if not rules_for(user, model) and "__" not in path:
        return False
    parts = path.replace(".", "__").split("__")
    for index, part in enumerate(parts):
        hidden = unreadable(user, model)
        if part in hidden:
            return True
        if part == "custom_field_data":
            return index + 1 < len(parts) and f"cf_{parts[index + 1]}" in hidden
        try:
            field = model._meta.get_field(part)
        except Exception:  # a lookup (``icontains``) or an annotation: nothing more to follow
            return False
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model  # type: ignore[assignment]
    return False
