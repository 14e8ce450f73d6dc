"""The fields a user may import into, and which column feeds which field.

``importable_fields(model, user)`` reads the model: its editable concrete fields, less the
bookkeeping ones, the state fields (only ``transition()`` moves those), and the fields the user's
field rules hide or make read-only. Each field knows its titles in English and Chinese (verbose
names in both languages plus the entity's declared synonyms, ``guanxi.imports.declarations``), so
a header in either language matches whatever language the importer reads the page in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from guanxi.imports.declarations import spec_for

BOOKKEEPING = {
    "id",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "department",
    "custom_field_data",
}
LANGUAGES = ("en", "zh-hans")


def header_key(text: Any) -> str:
    """A column title reduced for comparison: NFKC, lower case, no spaces or punctuation, no "*"."""
    folded = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"[\s_\-*:：()（）\[\]【】/\\.。]+", "", folded)


@dataclass(frozen=True)
class FieldInfo:
    """One importable field: how its cells are read and the titles that name it."""

    name: str  # the model field's name ("owner", "list_price_amount") or "id"
    attname: str
    label: str  # in the active language
    kind: str  # text, choice, bool, int, decimal, date, datetime, user, fk, id
    required: bool
    aliases: frozenset[str] = field(default_factory=frozenset)
    choices: tuple[tuple[str, frozenset[str]], ...] = ()  # (key, its names in both languages)
    related: Any = None  # the related model of a foreign key
    noun: str = ""  # the label as written inside a sentence ("Same phone as row 2.")

    def choice_labels(self) -> list[str]:
        return [key for key, _names in self.choices]


def _kind(model_field: models.Field) -> str:
    if isinstance(model_field, models.ForeignKey):
        return "user" if model_field.related_model is get_user_model() else "fk"
    if model_field.choices:
        return "choice"
    if isinstance(model_field, models.BooleanField):
        return "bool"
    if isinstance(model_field, models.DateTimeField):
        return "datetime"
    if isinstance(model_field, models.DateField):
        return "date"
    if isinstance(model_field, models.DecimalField | models.FloatField):
        return "decimal"
    if isinstance(model_field, models.IntegerField):
        return "int"
    return "text"


def _choices(model_field: models.Field) -> tuple[tuple[str, frozenset[str]], ...]:
    out = []
    for key, label in model_field.choices or ():
        if isinstance(label, list | tuple):  # optgroups
            continue
        names = {header_key(key)}
        for language in LANGUAGES:
            with translation.override(language):
                names.add(header_key(str(label)))
        out.append((str(key), frozenset(n for n in names if n)))
    return tuple(out)


def importable_fields(model: type[models.Model], user: Any) -> list[FieldInfo]:
    """The fields of ``model`` ``user`` may import into, in model order, "id" first."""
    from guanxi.framework.fieldaccess import HIDDEN, READONLY, rules_for
    from guanxi.framework.statemachine import owned_fields

    spec = spec_for(model)
    rules = rules_for(user, model)
    state_fields = owned_fields(model)
    out = [
        FieldInfo(
            "id", "id", "ID", "id", False, frozenset({"id", header_key(_("ID")), "编号", "记录id"}), noun="ID"
        )
    ]
    for model_field in model._meta.concrete_fields:
        name = model_field.name
        if (
            (not model_field.editable and name not in spec.extra)
            or name in spec.exclude
            or model_field.primary_key
            or name in BOOKKEEPING
            or name in state_fields
            or rules.get(name) in (HIDDEN, READONLY)
        ):
            continue
        aliases = {header_key(name), header_key(model_field.attname)}
        for language in LANGUAGES:
            with translation.override(language):
                aliases.add(header_key(str(model_field.verbose_name)))
        aliases |= {header_key(word) for word in spec.synonyms.get(name, ())}
        required = not model_field.blank and not model_field.has_default()
        out.append(
            FieldInfo(
                name=name,
                attname=model_field.attname,
                label=capfirst(str(model_field.verbose_name)),
                noun=str(model_field.verbose_name),
                kind=_kind(model_field),
                required=required,
                aliases=frozenset(a for a in aliases if a),
                choices=_choices(model_field) if model_field.choices else (),
                related=model_field.related_model if isinstance(model_field, models.ForeignKey) else None,
            )
        )
    if spec.lines is not None:
        out.extend(_line_fields(spec.lines))
    return out


def _line_fields(lines: Any) -> list[FieldInfo]:
    """The columns of a record's lines (``declarations.LineSpec``): not the model's fields, read
    by the engine and handed to the entity's service (``guanxi.imports.lines``)."""
    from django.apps import apps

    out = []
    for line in lines.fields:
        aliases = {header_key(line.name), *(header_key(w) for w in line.synonyms)}
        for language in LANGUAGES:
            with translation.override(language):
                aliases.add(header_key(str(line.label)))
        out.append(
            FieldInfo(
                name=line.name,
                attname=line.name,
                label=capfirst(str(line.label)),
                noun=str(line.label),
                kind=line.kind,
                required=False,
                aliases=frozenset(a for a in aliases if a),
                related=apps.get_model(line.related) if line.related else None,
            )
        )
    return out


def guess_mapping(header: list[str], fields: list[FieldInfo]) -> dict[str, str]:
    """``{"<column index>": "<field>"}`` for the titles that name a field; each field used once.
    An exact field name or label wins over a synonym (``电话`` vs ``手机`` both naming phone)."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, title in enumerate(header):
        key = header_key(title)
        if not key:
            continue
        match = next((f for f in fields if key in f.aliases and f.name not in used), None)
        if match is not None:
            mapping[str(index)] = match.name
            used.add(match.name)
    return mapping


def check_mapping(
    mapping: dict[str, str], fields: list[FieldInfo], *, mode: str, match_key: str
) -> list[str]:
    """What is wrong with a mapping, as messages (empty when it can run)."""
    known = {f.name: f for f in fields}
    chosen = [name for name in mapping.values() if name]
    problems = []
    unknown = sorted({n for n in chosen if n not in known})
    if unknown:
        problems.append(_("These fields cannot be imported: %(fields)s.") % {"fields": "、".join(unknown)})
    if not chosen:
        problems.append(_("Match at least one column to a field."))
    doubled = sorted({known[n].label for n in chosen if chosen.count(n) > 1 and n in known})
    if doubled:
        problems.append(
            _("Each field can take one column only: %(fields)s.") % {"fields": "、".join(doubled)}
        )
    if mode in ("create", "upsert"):
        missing = [f.label for f in fields if f.required and f.name not in chosen]
        if missing:
            problems.append(
                _("These required fields have no column: %(fields)s.") % {"fields": "、".join(missing)}
            )
    if mode in ("update", "upsert") and not match_key:
        problems.append(_("Choose the field that finds the record to update."))
    if match_key and match_key not in chosen:
        label = known[match_key].label if match_key in known else match_key
        problems.append(_("No column holds the field to match on (%(field)s).") % {"field": label})
    return problems
