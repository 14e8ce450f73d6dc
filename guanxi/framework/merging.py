"""Merge records (合并): two or more rows of one entity type become one, nothing lost.

``merge(survivor, others, actor=…, choices=…)`` keeps ``survivor`` and, in one transaction:

1. locks every row (``SELECT … FOR UPDATE``), checks the versions the caller saw (``StaleWrite``,
   409), the actor's verbs — ``change`` on the survivor, ``delete`` on the others, through
   ``restrict()`` — and every row's write guards (a record locked by a pending approval refuses);
2. moves every related row to the survivor. Relations are discovered from ``_meta``, so a module
   added later is merged without editing this file: reverse foreign keys (contacts' links, deals,
   quotes, contracts, orders, 回款, follow-ups, tasks, pool history …), many-to-many tables, and
   every model with a ``GenericForeignKey`` (tags, attachments, shares/team members, follow-up and
   task targets). Rows move through the write path's re-point mode (``write.repoint_references``:
   set-based, one change-log entry and event per row, versions bumped, every row's guards asked
   with the action ``repoint`` — a refusal rolls the merge back). A row that would break a unique constraint
   because the survivor already has its twin (the same tag, the same team member, the same contact
   link) is a duplicate: the twin stays, absorbs it (``merge_duplicate(duplicate)`` on the related
   model, when it declares one: a "can edit" share wins over "can view") and the duplicate is
   deleted through the write path. A related model may also log what the survivor gained
   (``merge_moved(survivor, rows, actor=)``: tags show on the survivor's history);
3. deletes the others through the write path (``write.delete_objects``): they go to the recycle
   bin, restorable like any deleted record, with their own change log kept under their ids. Their
   related rows are on the survivor by then, so nothing of them is lost — what moved is recorded;
4. saves the survivor with the chosen values (``choices``: field → the pk of the record whose value
   wins; default per field: the most recent non-empty value by the records' ``updated_at``; custom
   fields by key as ``cf_<name>``) through ``write.save_object`` (validated; change log "Merged
   from …"), and records the typed event ``<model>.merged`` with who was merged and the exact
   counts of what moved; the survivor's timeline shows it (``merge_timeline_source``).

History that belongs to the merged record itself stays with it (its change log, its events, its
approval requests): such models say ``merge_moves = False``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.framework.timeline import TimelineEntry, register_timeline_source

MERGED = "merged"  # the typed event: "<model_name>.merged"
MAX_RECORDS = 10  # a survivor and at most nine others per merge (a page shows them side by side)

NOT_ALLOWED_MESSAGE = gettext_lazy(
    "You may merge only records you may change (the one kept) and delete (the others); nothing was changed."
)


# -- relations ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Relation:
    """One way rows of ``model`` point at the merged entity: the foreign key ``field`` (``kind``
    ``fk``, many-to-many tables included) or a generic relation (``kind`` ``generic``: ``field``
    is the object-id column, ``ct_field`` the content-type one)."""

    model: type[models.Model]
    field: str
    kind: str = "fk"
    ct_field: str = ""

    @property
    def key(self) -> str:
        """``app_label.model.field``: how counts name the relation."""
        return f"{self.model._meta.label_lower}.{self.field}"

    def link_columns(self) -> set[str]:
        """The columns that say which record a row belongs to."""
        return {self.field, self.ct_field} - {""}

    def rows(self, target: type[models.Model], ids: Iterable[Any]) -> models.QuerySet:
        """The related rows of records ``ids`` (of model ``target``), all of them (no scope)."""
        manager = self.model._base_manager
        if self.kind == "generic":
            ct = ContentType.objects.get_for_model(target)
            return manager.filter(**{self.ct_field: ct, f"{self.field}__in": list(ids)})
        return manager.filter(**{f"{self.field}__in": list(ids)})

    def unique_sets(self) -> list[tuple[str, ...]]:
        """The other columns of each unconditional unique constraint that includes the link: two
        rows equal on them would collide once they point at the same record."""
        meta = self.model._meta
        sets: list[tuple[str, ...]] = [tuple(fields) for fields in meta.unique_together]
        sets += [
            tuple(c.fields)
            for c in meta.constraints
            if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
        ]
        link = self.link_columns()
        out = []
        for fields in sets:
            names = {meta.get_field(f).name for f in fields}
            if link <= names:
                out.append(tuple(sorted(names - link)))
        if self.kind == "fk" and getattr(meta.get_field(self.field), "unique", False):  # one-to-one
            out.append(())
        return out


def _moves(model: type[models.Model]) -> bool:
    return getattr(model, "merge_moves", True)


def relations(model: type[models.Model]) -> list[Relation]:
    """Every relation pointing at ``model`` whose rows move on a merge (see the module docstring)."""
    found: list[Relation] = []
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.is_relation):
            continue
        if isinstance(rel, models.ManyToManyRel):
            # another model's many-to-many to this one: its table's column pointing here (a
            # declared ``through`` model shows up as a plain reverse foreign key instead)
            through = cast(type[models.Model], rel.through)
            if through._meta.auto_created:
                found.append(Relation(through, rel.field.m2m_reverse_field_name()))
            continue
        related = cast(type[models.Model], rel.related_model)
        if isinstance(rel, models.ForeignObjectRel) and _moves(related):
            found.append(Relation(related, rel.field.name))
    for m2m in model._meta.many_to_many:  # the record's own many-to-many values
        table = cast(type[models.Model], m2m.remote_field.through)
        if table._meta.auto_created:
            found.append(Relation(table, m2m.m2m_field_name()))
    for other in apps.get_models():
        if not _moves(other):
            continue
        for private in other._meta.private_fields:
            if isinstance(private, GenericForeignKey):
                found.append(Relation(other, private.fk_field, "generic", private.ct_field))
    unique: dict[str, Relation] = {}
    for relation in found:
        unique.setdefault(relation.key, relation)
    return list(unique.values())


# -- values ---------------------------------------------------------------------------------------
_STAMPS = {"created_at", "updated_at", "created_by", "updated_by", "custom_field_data", "department"}


def mergeable_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields whose surviving value is chosen: editable columns (the department follows the
    owner; stamps and derived columns are the survivor's)."""
    exclude = set(getattr(model, "merge_exclude", ())) | _STAMPS
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in exclude and not f.auto_created
    ]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def value_of(record: models.Model, name: str) -> Any:
    """The value of field ``name`` (``cf_<name>``: a custom field's) on ``record``."""
    if name.startswith("cf_"):
        return (getattr(record, "custom_field_data", None) or {}).get(name[3:])
    return getattr(record, _attname(type(record), name))


def _attname(model: type[models.Model], name: str) -> str:
    """The column attribute of field ``name`` (``customer`` → ``customer_id``)."""
    return getattr(model._meta.get_field(name), "attname", name)


def field_names(records: list[models.Model]) -> list[str]:
    """Field names (``cf_<name>`` for custom-field keys any of the records holds) to choose among."""
    model = type(records[0])
    names = [f.name for f in mergeable_fields(model)]
    if any(f.name == "custom_field_data" for f in model._meta.concrete_fields):
        keys = sorted({k for r in records for k in (getattr(r, "custom_field_data", None) or {})})
        names += [f"cf_{key}" for key in keys]
    return names


def default_choices(records: list[models.Model]) -> dict[str, Any]:
    """Field → pk of the record whose value wins by default: the most recently updated record with
    a non-empty value (the first record, the survivor, when all are empty)."""
    newest = sorted(
        records,
        key=lambda r: getattr(r, "updated_at", None) or datetime.datetime.min.replace(tzinfo=datetime.UTC),
        reverse=True,
    )
    out = {}
    for name in field_names(records):
        winner = next((r for r in newest if not _empty(value_of(r, name))), records[0])
        out[name] = winner.pk
    return out


def choosable(user: Any, model: type[models.Model], name: str) -> bool:
    """Whether ``user`` may pick the value of field ``name``: not when a field rule hides it or
    makes it read-only for them (a masked value may be picked: it shows masked)."""
    from guanxi.framework.fieldaccess import HIDDEN, READONLY, rules_for

    return rules_for(user, model).get(name) not in (HIDDEN, READONLY)


def resolve_choices(
    records: list[models.Model], choices: Mapping[str, Any] | None, *, actor: Any
) -> dict[str, Any]:
    """The defaults overridden by ``choices``; ``ValidationError`` keyed by field for an unknown
    field, a pk that is none of the merged records', or a field the actor may not choose."""
    model = type(records[0])
    resolved = default_choices(records)
    ids = {str(r.pk): r.pk for r in records}
    errors: dict[str, list[str]] = {}
    for name, pk in (choices or {}).items():
        if name not in resolved:
            errors[name] = [_("This field cannot be chosen in a merge.")]
        elif str(pk) not in ids:
            errors[name] = [_("Choose the value of one of the merged records (give its id).")]
        elif ids[str(pk)] != resolved[name] and not choosable(actor, model, name):
            errors[name] = [_("You may not choose the value of this field.")]
        else:
            resolved[name] = ids[str(pk)]
    if errors:
        raise ValidationError(errors)
    return resolved


# -- preview --------------------------------------------------------------------------------------
@dataclass
class MergePlan:
    """What a merge will move: per related model (``app_label.model``), the rows that move and
    the duplicates that are absorbed by the survivor's twin."""

    moving: dict[Relation, list[models.Model]] = field(default_factory=dict)
    duplicates: dict[Relation, list[tuple[models.Model, models.Model]]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Distinct related rows moved per related model (a follow-up pointing at the merged
        record twice, by customer and by target, counts once)."""
        rows: dict[str, set[Any]] = defaultdict(set)
        for relation, moved in self.moving.items():
            rows[relation.model._meta.label_lower].update(r.pk for r in moved)
        return {label: len(pks) for label, pks in sorted(rows.items()) if pks}

    def moved_ids(self, model: type[models.Model]) -> set[Any]:
        """The pks of ``model``'s rows that moved to the survivor."""
        return {r.pk for rel, rows in self.moving.items() if rel.model is model for r in rows}

    def duplicate_counts(self) -> dict[str, int]:
        rows: dict[str, set[Any]] = defaultdict(set)
        for relation, pairs in self.duplicates.items():
            rows[relation.model._meta.label_lower].update(d.pk for d, _twin in pairs)
        return {label: len(pks) for label, pks in sorted(rows.items()) if pks}


def plan(survivor: models.Model, others: list[models.Model]) -> MergePlan:
    """Work out what moves (and what is a duplicate of a survivor's row), reading only."""
    model = type(survivor)
    other_ids = [o.pk for o in others]
    result = MergePlan()
    for relation in relations(model):
        # the non-null foreign keys joined: the change log names each row (a contact link reads
        # "李雷 @ 华信"), which would otherwise cost a query per row
        joined = [
            f.name
            for f in relation.model._meta.concrete_fields
            if f.many_to_one and not f.null and f.name != "content_type"
        ]
        rows = relation.rows(model, other_ids)
        moving = list((rows.select_related(*joined) if joined else rows).order_by("pk"))
        if relation.model is model:  # a record pointing at another (a parent): not the merged ones
            moving = [r for r in moving if r.pk != survivor.pk and r.pk not in other_ids]
        if not moving:
            continue
        duplicates: list[tuple[models.Model, models.Model]] = []
        for columns in relation.unique_sets():
            attnames = [_attname(relation.model, c) for c in columns]

            def key(row: models.Model, attnames: list[str] = attnames) -> tuple[Any, ...]:
                return tuple(getattr(row, name) for name in attnames)

            taken = {key(row): row for row in relation.rows(model, [survivor.pk])}
            kept = []
            for row in moving:
                twin = taken.get(key(row))
                if twin is not None:
                    duplicates.append((row, twin))
                else:
                    taken[key(row)] = row
                    kept.append(row)
            moving = kept
        result.moving[relation] = moving
        if duplicates:
            result.duplicates[relation] = duplicates
    return result


def describe_counts(counts: Mapping[str, int]) -> str:
    """ "跟进记录 3、任务 2" in the active language, from ``{"activities.followup": 3, …}``."""
    parts = []
    for label, count in counts.items():
        try:
            name = apps.get_model(label)._meta.verbose_name_plural
        except LookupError:
            name = label
        parts.append(_("%(kind)s: %(count)d") % {"kind": name, "count": count})
    return _(", ").join(parts) if parts else _("nothing")


# -- the merge ------------------------------------------------------------------------------------
@dataclass
class MergeResult:
    survivor: models.Model
    merged: list[tuple[Any, str]]  # (pk, name) of the records merged into the survivor
    moved: dict[str, int]
    deduplicated: dict[str, int]


def merge(
    survivor: models.Model,
    others: list[models.Model],
    *,
    actor: Any,
    choices: Mapping[str, Any] | None = None,
    versions: Mapping[Any, str | None] | None = None,
) -> MergeResult:
    """Merge ``others`` into ``survivor`` (see the module docstring), all or nothing.

    ``choices``: field name (``cf_<name>`` for a custom field) → pk of the record whose value the
    survivor keeps. ``versions``: pk → the version token the caller saw (``write.version_of``).
    Raises ``ValidationError`` (field messages; a locked record's ``RecordLocked``),
    ``PermissionDenied`` or ``StaleWrite``; nothing changes then.
    """
    from guanxi.framework import changes, write
    from guanxi.framework.entities import entity_for
    from guanxi.framework.events import emit

    model = type(survivor)
    other_ids = list(dict.fromkeys(o.pk for o in others))
    if not other_ids or survivor.pk in other_ids:
        raise ValidationError({"others": [_("Choose at least one other record to merge into this one.")]})
    if len(other_ids) + 1 > MAX_RECORDS:
        raise ValidationError({"others": [_("Merge at most %(n)d records at once.") % {"n": MAX_RECORDS}]})
    with transaction.atomic():
        locked = model._base_manager.select_for_update().in_bulk([survivor.pk, *other_ids])
        if len(locked) != len(other_ids) + 1:
            raise write.StaleWrite  # one of them was deleted meanwhile
        for pk, token in (versions or {}).items():
            row = locked.get(pk) or locked.get(_as_pk(model, pk))
            if row is not None and not write.is_current(row, token):
                raise write.StaleWrite
        survivor = locked[survivor.pk]
        merged = [locked[pk] for pk in other_ids]
        # the write path's re-point rule: change the one kept, and here delete the others;
        # checked once for every related model the merge moves
        with write.repoint_access_checked(
            actor, model, other_ids, survivor.pk, from_action="delete", message=NOT_ALLOWED_MESSAGE
        ):
            write.run_write_guards(survivor, actor, "update")
            for other in merged:
                write.run_write_guards(other, actor, "delete")
            records = [survivor, *merged]
            values = {name: value_of(next(r for r in records if r.pk == pk), name)
                      for name, pk in resolve_choices(records, choices, actor=actor).items()}  # fmt: skip
            work = plan(survivor, merged)
            moved, deduplicated = work.counts(), work.duplicate_counts()  # before deletes clear pks
            label = str(survivor)
            with changes.buffered():
                _move(
                    work,
                    survivor,
                    merged,
                    actor=actor,
                    message=_("Merged into %(record)s") % {"record": label},
                )
        names = [(o.pk, str(o)) for o in merged]  # before the delete clears their pks
        write.delete_objects(merged, actor=actor)
        spec = getattr(entity_for(model), "merge", None)
        if spec is not None and spec.after is not None:
            spec.after(survivor, merged, actor=actor, plan=work)
        for name, value in values.items():
            if name.startswith("cf_"):
                data = dict(survivor.custom_field_data or {})  # type: ignore[attr-defined]
                if _empty(value):
                    data.pop(name[3:], None)
                else:
                    data[name[3:]] = value
                survivor.custom_field_data = data  # type: ignore[attr-defined]
            else:
                setattr(survivor, _attname(model, name), value)
        survivor._change_message = _("Merged from %(records)s") % {  # type: ignore[attr-defined]
            "records": _(", ").join(n for _pk, n in names)
        }
        write.save_object(survivor, actor=actor, validate=True)
        result = MergeResult(survivor, names, moved, deduplicated)
        emit(
            f"{model._meta.model_name}.{MERGED}",
            survivor,
            merged=[{"id": pk, "name": n} for pk, n in names],
            moved=result.moved,
            deduplicated=result.deduplicated,
        )
    return result


def _as_pk(model: type[models.Model], pk: Any) -> Any:
    try:
        return model._meta.pk.to_python(pk)  # type: ignore[union-attr]
    except ValidationError:
        return None


def _move(
    work: MergePlan, survivor: models.Model, others: list[models.Model], *, actor: Any, message: str
) -> None:
    """Point every planned row at the survivor through the write path's re-point mode
    (``write.repoint_references``: set-based, guarded with the action ``repoint``, change-logged
    with ``message``), one call per related model naming every reference of it that moves (a
    follow-up's customer and target: one entry), then let each duplicate be absorbed by its twin
    and delete it."""
    from guanxi.framework import write

    other_ids = [o.pk for o in others]
    by_model: dict[type[models.Model], dict[Any, models.Model]] = defaultdict(dict)
    fields: dict[type[models.Model], list[str]] = defaultdict(list)
    for relation, rows in work.moving.items():
        if not rows:
            continue
        for row in rows:
            by_model[relation.model].setdefault(row.pk, row)
        if relation.field not in fields[relation.model]:
            fields[relation.model].append(relation.field)
    for model, rows_by_pk in by_model.items():
        rows = write.repoint_references(
            model,
            list(rows_by_pk.values()),
            fields=fields[model],
            from_pks=other_ids,
            to=survivor,
            actor=actor,
            message=message,
            from_action="delete",
        )
        moved_hook = getattr(model, "merge_moved", None)
        if moved_hook is not None and rows:  # the related model logs what the survivor gained (its tags)
            moved_hook(survivor, rows, actor=actor)
    for pairs in work.duplicates.values():
        for duplicate, twin in pairs:
            absorb = getattr(twin, "merge_duplicate", None)
            if absorb is not None:
                absorb(duplicate, actor=actor)
        write.delete_objects([d for d, _twin in pairs], actor=actor)


# -- timeline -------------------------------------------------------------------------------------
@register_timeline_source
def merge_timeline_source(
    obj: Any, user: Any, before: datetime.datetime | None, limit: int
) -> list[TimelineEntry]:
    """ "Merged from 华信科技 (no. 12), 华信 (no. 13)" with what moved, on the survivor's timeline."""
    from guanxi.core.models import Event

    if not isinstance(obj, models.Model) or obj.pk is None:
        return []
    rows = Event.objects.filter(
        entity_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        kind=f"{obj._meta.model_name}.{MERGED}",
    )
    if before is not None:
        rows = rows.filter(occurred_at__lt=before)
    entries = []
    for event in rows.select_related("actor").order_by("-occurred_at", "-pk")[:limit]:
        data = event.data or {}
        merged = _(", ").join(
            _("%(name)s (no. %(id)s)") % {"name": m.get("name", ""), "id": m.get("id", "")}
            for m in data.get("merged", [])
        )
        body = _("Moved: %(what)s") % {"what": describe_counts(data.get("moved", {}))}
        if data.get("deduplicated"):
            body += " · " + _("already there: %(what)s") % {"what": describe_counts(data["deduplicated"])}
        entries.append(
            TimelineEntry(
                time=event.occurred_at,
                kind="merge",
                icon="arrow-merge",
                title=_("Merged from %(records)s") % {"records": merged},
                actor=event.actor,
                body=body,
            )
        )
    return entries
