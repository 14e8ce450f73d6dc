"""The one write path: every create, update and delete of an entity row goes through here.

Pages (``ObjectEditView``, bulk edit, delete), the API (single and bulk), the importer, services
and tasks call ``save_object`` / ``delete_object`` / ``delete_objects`` instead of
``Model.save()`` / ``delete()``, so the rules every write must obey live once:

* **defaults** — a new owned row without an owner belongs to its writer; the department of an
  owned row follows its owner (a new owner brings his department), and a department can differ
  from the owner's only when the writer sets both in the same write;
* **write guards** — callables registered per model (``register_write_guard``) that may refuse a
  write with a ``ValidationError``: the approval engine locks documents under approval this way;
* **only what changed is saved** — an update writes the fields whose value differs from the row
  as loaded (``update_fields``), so two people editing different fields of one record both keep
  their change; custom-field values are merged key by key into the stored ones under a row lock;
* **optimistic locking** — a caller that knows which version it edited (``expected_version``,
  from the edit form's hidden input or the API's ``If-Match``) gets ``StaleWrite`` (HTTP 409)
  when someone else saved the row in between;
* **the writer keeps sight of the row** — ``ensure_visible`` refuses (and, raised inside the
  transaction, rolls back) a write that would put the row outside what its writer may see;
* change capture, search keys and events follow from ``save()`` through the framework signals
  (``guanxi.framework.signals``), buffered in bulk mode (``guanxi.framework.changes.buffered``);
* **deletes keep a copy** — a registered deleter (``register_deleter``; the recycle bin,
  ``guanxi.recyclebin``) carries out every delete, so a deleted business record can be restored.

Validation (``full_clean``) is the caller's: forms and serializers run the model's ``clean()``
with their own error plumbing before they call ``save_object``; services that build rows
themselves pass ``validate=True``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.framework.models import ChangeLoggedModel, CustomFieldsMixin, OwnerMixin
from guanxi.framework.querysets import model_queryset, values_in

WriteGuard = Callable[[Any, Any, str], None]  # (the model instance, actor, action)
# (the instances, actor, action) -> {position in the list: the refusal}
BulkWriteGuard = Callable[[list[Any], Any, str], dict[int, ValidationError]]
_GUARDS: dict[type[models.Model], list[WriteGuard]] = {}
_BULK_GUARDS: dict[WriteGuard, BulkWriteGuard] = {}

OUTSIDE_SCOPE_MESSAGE = gettext_lazy(
    "This change would put the record outside what you are allowed to see, so it was not saved."
)


class OutsideScope(PermissionDenied):
    """The written row is no longer visible to its writer; the transaction is rolled back.

    ``field`` names the input that caused it when one did (``owner``: someone the writer may not
    give the row to), so a form shows the reason at that input."""

    def __init__(self, message: Any = None, field: str | None = None) -> None:
        super().__init__(str(message or OUTSIDE_SCOPE_MESSAGE))
        self.field = field


class StaleWrite(Exception):
    """The row changed since the writer loaded it (HTTP 409)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this record after you opened it. Reload it to see their "
                "changes, then make yours again."
            )
        )


class RecordLocked(ValidationError):
    """A write guard's refusal because the record is locked (an approval is pending): HTTP 409."""


REPOINT = "repoint"  # the guards' action for ``repoint_references`` (a merge)


def register_write_guard(
    model: type[models.Model], guard: WriteGuard, *, bulk: BulkWriteGuard | None = None
) -> WriteGuard:
    """Call ``guard(instance, actor, action)`` before every write of ``model``; it refuses with a
    ``ValidationError`` (``RecordLocked`` for a locked record: the API answers 409).

    ``action`` is ``create``, ``update``, ``delete``, ``transition`` (``statemachine.transition``)
    or ``repoint`` (``repoint_references``: only references to a merged record change, to the
    record kept; ``changed_fields()`` names them). A guard that freezes documents (an active
    contract) may let a re-point through; one that does not know the action refuses it, which is
    the safe default (the merge is refused as a whole).

    ``bulk(instances, actor, action)``, when given, stands in for ``guard`` in the bulk paths
    (``bulk_create_objects``, ``bulk_update_objects``, ``repoint_references``): it checks the whole
    list at once and returns ``{position: refusal}``. A guard that reads the database per row (the
    approval lock) then costs one query per batch, not per row; a guard whose rule sums over
    sibling rows (a cap on a contract's receipts) needs it to count the rows of the same batch,
    which are not in the database yet. It must apply the same rule as ``guard``; the simplest way
    is for ``guard`` to call it with one instance."""
    guards = _GUARDS.setdefault(model, [])
    if guard not in guards:
        guards.append(guard)
    if bulk is not None:
        _BULK_GUARDS[guard] = bulk
    return guard


def run_write_guards(instance: models.Model, actor: Any, action: str) -> None:
    for model, guards in _GUARDS.items():
        if isinstance(instance, model):
            for guard in guards:
                guard(instance, actor, action)


def run_write_guards_bulk(instances: list[Any], actor: Any, action: str) -> dict[int, ValidationError]:
    """Every write guard over ``instances``, the bulk variant where a guard has one:
    ``{position: the first refusal of that row}``."""
    refused: dict[int, ValidationError] = {}
    for model, guards in _GUARDS.items():
        rows = [(index, instance) for index, instance in enumerate(instances) if isinstance(instance, model)]
        for guard in guards if rows else ():
            bulk = _BULK_GUARDS.get(guard)
            if bulk is not None:
                for position, error in bulk([instance for _i, instance in rows], actor, action).items():
                    refused.setdefault(rows[position][0], error)
                continue
            for index, instance in rows:
                if index in refused:
                    continue
                try:
                    guard(instance, actor, action)
                except ValidationError as error:
                    refused[index] = error
    return refused


def _keyed(index: int, error: ValidationError) -> dict[str, list[str]]:
    """A row's refusal keyed ``"<row index>.<field>"``, as the bulk writes report them."""
    details = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return {f"{index}.{field}": list(messages) for field, messages in details.items()}


# -- versions -------------------------------------------------------------------------------------
def version_of(instance: models.Model) -> str:
    """The token of the row's current version: its ``updated_at`` in microseconds since the epoch."""
    stamp = getattr(instance, "updated_at", None)
    return str(int(stamp.timestamp() * 1_000_000)) if stamp else ""


def parse_version(token: str | None) -> datetime.datetime | int | None:
    """A version token as sent back by a client: ours (digits, optionally quoted as an ETag) or an
    ISO timestamp (the ``updated_at`` of the API representation). None when absent or unreadable."""
    if not token:
        return None
    token = token.strip().removeprefix("W/").strip('"')
    if token.isdigit():
        return int(token)
    try:
        parsed = parse_datetime(token)
    except ValueError:
        return None
    return parsed


def is_current(instance: models.Model, token: str | None) -> bool:
    """Whether ``instance`` (as loaded now) is still the version ``token`` names; True when the
    caller sent no (readable) version. Callers that lock several rows themselves (a merge) ask this."""
    expected = parse_version(token)
    return expected is None or _matches(expected, getattr(instance, "updated_at", None))


def _matches(expected: datetime.datetime | int, current: datetime.datetime | None) -> bool:
    if current is None:
        return False
    if isinstance(expected, int):
        return expected == int(current.timestamp() * 1_000_000)
    if expected.tzinfo is None:
        return False
    # An ISO text may carry fewer digits than the database (DRF prints microseconds; some clients
    # round to milliseconds): compare at the precision the client sent.
    delta = abs(expected - current)
    return (
        delta < datetime.timedelta(milliseconds=1)
        if expected.microsecond % 1000 == 0
        else delta.total_seconds() == 0
    )


# -- owners ---------------------------------------------------------------------------------------
OWNER_REFUSED_MESSAGE = gettext_lazy(
    "You may not give this record to %(user)s: you would no longer be allowed to see it."
)


def owner_choices(actor: Any, model: type[models.Model]) -> Any:
    """The active users ``actor`` may make the owner of a ``model`` row: those whose rows stay
    inside what the actor may view (the access policy's ``owner_condition``), among the users the
    actor may view and the actor. The one rule behind the owner pickers, the owner inputs' validation and the
    write path's message when a write leaves the writer's sight (``ensure_visible``)."""
    from guanxi.framework.access import get_policy

    people = model_queryset(get_user_model())
    # oneself counts as seen: a rep without a grant on users still owns their own rows
    users = (people.restrict(actor, "view") | people.filter(pk=getattr(actor, "pk", None))).filter(
        is_active=True
    )
    condition = get_policy().owner_condition(actor, model)
    return users if condition is None else users.filter(condition)


# -- the write's moment ---------------------------------------------------------------------------
_WRITE_TIME: ContextVar[datetime.datetime | None] = ContextVar("guanxi_write_time", default=None)


def write_time() -> datetime.datetime:
    """The moment of the current write, for the stamps a model's ``before_write`` sets (since when
    the owner owns a customer): one per bulk write call (``write_time_pinned``), so its rows share
    it as they share their inserts' ``created_at`` — and it is prepared for the database once —
    else now."""
    return _WRITE_TIME.get() or timezone.now()


@contextmanager
def write_time_pinned() -> Iterator[None]:
    """``write_time`` is one moment inside the block (a bulk write call); nested blocks keep the
    outer one."""
    if _WRITE_TIME.get() is not None:
        yield
        return
    token = _WRITE_TIME.set(timezone.now())
    try:
        yield
    finally:
        _WRITE_TIME.reset(token)


# -- defaults -------------------------------------------------------------------------------------
def apply_owner_rules(instance: models.Model, actor: Any) -> None:
    """Default owner and "the department follows the owner" (see the module docstring)."""
    if not isinstance(instance, OwnerMixin):
        return
    creating = instance._state.adding
    writer_owns = creating and instance.owner_defaults_to_writer and instance.owner_id is None
    if writer_owns and getattr(actor, "is_authenticated", False):
        instance.owner = actor
    if instance.owner_id is None:
        return
    _department_follows_owner(instance, creating, _department_of(instance))


def apply_owner_rules_bulk(instances: list[Any], actor: Any, *, creating: bool) -> dict[str, list[str]]:
    """``apply_owner_rules`` for many rows of one model (the bulk paths): the same defaults and
    the same refusal, with the owners' departments read in one query. Returns the refusals as
    ``{"<row index>.department": messages}`` (the bulk errors' keys); the other rows are filled."""
    if not instances or not isinstance(instances[0], OwnerMixin):
        return {}
    writer_owns = creating and getattr(type(instances[0]), "owner_defaults_to_writer", True)
    if writer_owns and getattr(actor, "is_authenticated", False):
        for instance in instances:
            if instance.owner_id is None:
                instance.owner_id = actor.pk
    owner_ids = {
        i.owner_id
        for i in instances
        if i.owner_id
        and (
            (creating and i.department_id is None) or (not creating and {"owner", "department"} & _changed(i))
        )
    }
    departments = (
        dict(get_user_model().objects.filter(pk__in=owner_ids).values_list("pk", "department_id"))
        if owner_ids
        else {}
    )
    errors: dict[str, list[str]] = {}
    for index, instance in enumerate(instances):
        if instance.owner_id is None or instance.owner_id not in owner_ids:
            continue
        try:
            _department_follows_owner(instance, creating, departments.get(instance.owner_id))
        except ValidationError as refused:
            errors[f"{index}.department"] = refused.message_dict["department"]
    return errors


def _changed(instance: models.Model) -> set[str]:
    return instance.changed_fields() if isinstance(instance, ChangeLoggedModel) else set()


def _department_follows_owner(instance: Any, creating: bool, owner_department: int | None) -> None:
    """The rule itself, for one owned row whose owner's department is ``owner_department``: a new
    owner brings his department (a new row keeps one its writer set), and a department can move
    away from the owner's only together with the owner. Raises ``ValidationError`` on
    ``department`` otherwise."""
    changed = set() if creating else _changed(instance)
    owner_changed = creating or "owner" in changed
    department_changed = "department" in changed
    if owner_changed and not department_changed:
        if not creating or instance.department_id is None:
            instance.department_id = owner_department
    elif department_changed and not owner_changed and instance.department_id != owner_department:
        raise ValidationError(
            {
                "department": _(
                    "The department follows the owner: change the owner to move this record to "
                    "another department, or change both together."
                )
            }
        )


def _department_of(instance: OwnerMixin) -> int | None:
    owner = instance.owner  # a cached relation when the writer set it, else one small query
    return getattr(owner, "department_id", None)


# -- visibility -----------------------------------------------------------------------------------
def ensure_visible(instances: models.Model | Iterable[models.Model], actor: Any) -> None:
    """Raise ``OutsideScope`` unless every row is still inside ``restrict(actor, "view")``."""
    rows = [instances] if isinstance(instances, models.Model) else list(instances)
    if not rows or actor is None:
        return
    model = type(rows[0])
    ids = {row.pk for row in rows}
    visible = model_queryset(model).restrict(actor, "view").filter(values_in(model, "pk", ids)).count()
    if visible != len(ids):
        owners = {getattr(row, "owner_id", None) for row in rows}
        owner_id = owners.pop() if len(owners) == 1 else None  # one new owner for all (bulk edit)
        if owner_id is not None and not owner_choices(actor, model).filter(pk=owner_id).exists():
            owner = get_user_model().objects.filter(pk=owner_id).first()
            raise OutsideScope(OWNER_REFUSED_MESSAGE % {"user": owner}, field="owner")
        raise OutsideScope


# -- the write ------------------------------------------------------------------------------------
def save_object[M: models.Model](
    instance: M,
    *,
    actor: Any,
    validate: bool = False,
    expected_version: str | None = None,
    check_visible: bool = True,
    tags: list[Any] | None = None,
) -> M:
    """Create or update one row through the write path; returns it saved.

    Raises ``ValidationError`` (field messages), ``OutsideScope`` or ``StaleWrite``; nothing is
    written then. ``tags`` (a list of ``Tag``) replaces the row's tags in the same transaction.
    """
    creating = instance._state.adding
    with transaction.atomic():
        apply_owner_rules(instance, actor)
        run_write_guards(instance, actor, "create" if creating else "update")
        if validate:
            instance.full_clean()
        if creating:
            instance.save()
        else:
            _save_changes(instance, expected_version)
        if tags is not None:
            from guanxi.framework.tags import set_tags

            set_tags(instance, tags)
        if check_visible:
            ensure_visible(instance, actor)
    return instance


def _save_changes(instance: models.Model, expected_version: str | None) -> None:
    """Lock the row, check its version, merge custom fields, save only the changed fields."""
    if not isinstance(instance, ChangeLoggedModel):
        instance.save()
        return
    model = type(instance)
    columns = ["updated_at"] + (["custom_field_data"] if isinstance(instance, CustomFieldsMixin) else [])
    current = model._default_manager.select_for_update().filter(pk=instance.pk).values(*columns).first()
    if current is None:  # deleted meanwhile
        raise StaleWrite
    expected = parse_version(expected_version)
    if expected is not None and not _matches(expected, current["updated_at"]):
        raise StaleWrite
    changed = instance.changed_fields()
    if "custom_field_data" in changed and isinstance(instance, CustomFieldsMixin):
        loaded = (
            (instance._loaded_values.get("custom_field_data") or {})
            if hasattr(instance, "_loaded_values")
            else {}
        )
        stored = current["custom_field_data"] or {}
        instance.custom_field_data = merge_custom_fields(loaded, instance.custom_field_data or {}, stored)
        instance._loaded_values["custom_field_data"] = stored  # the change log's "before"
        changed = instance.changed_fields()
    if not changed:
        return
    instance.save(update_fields=changed)


def merge_custom_fields(
    loaded: dict[str, Any], edited: dict[str, Any], stored: dict[str, Any]
) -> dict[str, Any]:
    """Apply what the writer changed (``loaded`` → ``edited``) to the values stored now.

    Keys the writer set or cleared win; keys someone else changed meanwhile are kept."""
    merged = dict(stored)
    for key in set(loaded) | set(edited):
        if key not in edited:
            merged.pop(key, None)
        elif loaded.get(key, _MISSING) != edited[key]:
            merged[key] = edited[key]
    return merged


_MISSING = object()


def bulk_create_objects[M: models.Model](
    model: type[M],
    instances: list[M],
    *,
    actor: Any,
    validate: bool = False,
    check_visible: bool = True,
    batch_size: int = 1000,
    keep_keys: bool = False,
    keep_stamps: bool = False,
) -> list[M]:
    """Create many rows through the write path in bulk mode: the same owner rules, write guards and
    model hooks (``before_write``) as ``save_object``, then one insert per batch — keys drawn
    ahead and ``fastinsert.create_with_copy`` where the model allows it (``copyable``), else
    ``bulk_create`` — with the change log and search keys buffered and flushed in chunks
    (``changes.buffered``).

    ``keep_keys``: the rows carry their primary key and are inserted with it (``bulk_create``):
    rows put back as they were (an undone import's order lines) keep the key their change log
    and anything naming them hold. Only keys the table's sequence drew before (of deleted rows):
    a key it has not reached yet would collide with a later insert.

    ``keep_stamps``: such rows also keep who created them and when (``created_by``,
    ``created_at`` as they carry them, from their change log); ``updated_*`` are this write's.

    All rows or none: raises ``ValidationError`` (``{"<row index>.<field>": messages}``) or
    ``OutsideScope`` and writes nothing. Imports, merges and nightly jobs create rows this way.
    """
    from guanxi.framework import changes, fastinsert

    errors: dict[str, Any] = apply_owner_rules_bulk(instances, actor, creating=True)
    for index, refusal in run_write_guards_bulk(instances, actor, "create").items():
        errors.update(_keyed(index, refusal))
    writer = actor if getattr(actor, "pk", None) else None
    with write_time_pinned():  # the hooks' stamps (a customer's owned_since): one moment a call
        for index, instance in enumerate(instances):
            if validate:
                try:
                    instance.full_clean()
                except ValidationError as exc:  # keyed "<row index>.<field>", like the bulk API's errors
                    errors.update(_keyed(index, exc))
            if isinstance(instance, ChangeLoggedModel):
                instance.before_write(set(), True)
                if not keep_stamps:
                    instance.created_by = writer
                instance.updated_by = writer
    if errors:
        raise ValidationError(errors)
    with changes.buffered(chunk_size=max(batch_size, 2000)) as buffer:
        for start in range(0, len(instances), batch_size):
            batch = instances[start : start + batch_size]
            kept = [getattr(instance, "created_at", None) for instance in batch] if keep_stamps else []
            if keep_keys:
                assert all(instance.pk is not None for instance in batch), "keep_keys: every row has its key"
                model._default_manager.bulk_create(batch)
            elif fastinsert.copyable(model):
                fastinsert.create_with_copy(model, batch)
            else:
                model._default_manager.bulk_create(batch)
            if keep_stamps:
                _put_back_created_at(model, batch, kept)
            changes.log_bulk_create(list(batch))
            for instance in batch:
                buffer.add_index(instance, True)
        if check_visible:
            for start in range(0, len(instances), 10_000):
                ensure_visible(instances[start : start + 10_000], actor)
    return instances


def _put_back_created_at(model: type[models.Model], rows: list[Any], kept: list[Any]) -> None:
    """The insert stamped ``rows`` now (``auto_now_add`` runs in every insert): their kept creation
    times are written back, one UPDATE per distinct time (a record's lines share one)."""
    by_time: dict[Any, list[Any]] = {}
    for instance, at in zip(rows, kept, strict=True):
        if at is not None:
            instance.created_at = at
            by_time.setdefault(at, []).append(instance.pk)
    for at, pks in by_time.items():
        model._base_manager.filter(pk__in=pks).update(created_at=at)


def bulk_update_objects[M: models.Model](
    model: type[M],
    instances: list[M],
    *,
    actor: Any,
    check_visible: bool = True,
    batch_size: int = 500,
) -> list[M]:
    """Save the changes of many loaded rows through the write path in bulk mode: the owner rules
    of ``save_object`` (a new owner brings his department; a department alone may not move away
    from the owner's: refused), write guards, model hooks (``before_write``), then ``bulk_update`` of the
    changed fields, with one "update" change-log entry per row holding the before values (so an
    import can be undone), events and search keys buffered (``changes.buffered``).

    The caller loads the rows (with ``select_for_update`` when others may write them) and sets the
    new values. Rows without a change are left alone. All rows or none: raises
    ``ValidationError`` (``{"<row index>.__all__": messages}`` for a guard's refusal,
    ``"<row index>.department"`` for the owner rule's) or ``OutsideScope``. Returns the rows that
    changed.
    """
    from guanxi.framework import changes
    from guanxi.framework.moneyfields import base_fields_to_save

    errors: dict[str, Any] = apply_owner_rules_bulk(instances, actor, creating=False)
    changed_rows: list[M] = []
    fields: set[str] = set()
    candidates: list[tuple[int, M]] = [
        (index, row)
        for index, row in enumerate(instances)
        if isinstance(row, ChangeLoggedModel) and row.changed_fields()
    ]
    refusals = run_write_guards_bulk([row for _i, row in candidates], actor, "update")
    with write_time_pinned():  # the hooks' stamps: one moment a call
        for position, (index, row) in enumerate(candidates):
            if position in refusals:
                errors[f"{index}.__all__"] = refusals[position].messages
                continue
            assert isinstance(row, ChangeLoggedModel)
            changed = row.changed_fields()
            row.before_write(changed, False)
            row.updated_by = actor if getattr(actor, "pk", None) else None
            fields |= row.changed_fields()
            changed_rows.append(row)
    if errors:
        raise ValidationError(errors)
    if not changed_rows:
        return []
    fields |= {"updated_at", "updated_by", *base_fields_to_save(model, fields)}
    concrete = [model._meta.get_field(name) for name in sorted(fields)]
    with changes.buffered(chunk_size=max(batch_size, 2000)) as buffer:
        for instance in changed_rows:
            for field in concrete:
                field.pre_save(instance, False)  # type: ignore[union-attr]  # auto_now, money base
        model._default_manager.bulk_update(changed_rows, [f.name for f in concrete], batch_size=batch_size)
        changes.log_bulk_save(changed_rows)
        for instance in changed_rows:
            buffer.add_index(instance, False)
        if check_visible:
            for start in range(0, len(changed_rows), 10_000):
                ensure_visible(changed_rows[start : start + 10_000], actor)
    return changed_rows


# -- re-pointing references (merges) ----------------------------------------------------------------
REPOINT_REFUSED_MESSAGE = gettext_lazy(
    "You may move related records only between records you are allowed to change; nothing was changed."
)


REPOINT_GUARD_MESSAGE = gettext_lazy("%(kind)s could not be moved to the record kept: %(reason)s")


def check_repoint_access(
    actor: Any,
    target: type[models.Model],
    from_pks: Iterable[Any],
    to_pk: Any,
    *,
    from_action: str = "change",
    message: Any = None,
) -> None:
    """Raise ``PermissionDenied`` unless ``restrict(actor, "change")`` holds the record ``to_pk``
    of ``target`` (rows are attached to it) and ``restrict(actor, from_action)`` holds every record
    of ``from_pks`` (rows are taken from them; a merge, which deletes them, asks ``delete``).
    ``message``: the refusal's text (a merge says it its own way)."""
    ids = set(from_pks) - {to_pk}
    qs = model_queryset(target)
    may_change = qs.restrict(actor, "change").filter(pk=to_pk).exists()
    may_take = not ids or qs.restrict(actor, from_action).filter(pk__in=ids).count() == len(ids)
    if not (may_change and may_take):
        raise PermissionDenied(str(message or REPOINT_REFUSED_MESSAGE))


_REPOINT_CHECKED: ContextVar[tuple[Any, ...] | None] = ContextVar("guanxi_repoint_checked", default=None)


def _repoint_key(
    actor: Any, target: type[models.Model], from_pks: Iterable[Any], to_pk: Any, from_action: str
) -> tuple[Any, ...]:
    return (getattr(actor, "pk", None), target._meta.label_lower, frozenset(from_pks), to_pk, from_action)


@contextmanager
def repoint_access_checked(
    actor: Any,
    target: type[models.Model],
    from_pks: Iterable[Any],
    to_pk: Any,
    *,
    from_action: str = "change",
    message: Any = None,
) -> Iterator[None]:
    """``check_repoint_access`` once, for every ``repoint_references`` of the block that moves
    rows between the same records for the same actor and action: a merge moves a dozen related
    models under one check (two queries) instead of repeating it for each model."""
    from_pks = list(from_pks)
    check_repoint_access(actor, target, from_pks, to_pk, from_action=from_action, message=message)
    token = _REPOINT_CHECKED.set(_repoint_key(actor, target, from_pks, to_pk, from_action))
    try:
        yield
    finally:
        _REPOINT_CHECKED.reset(token)


def _reference_columns(model: type[models.Model], name: str) -> tuple[str, str, str, Any]:
    """(field name, column attribute, content-type attribute or "", the field) of reference ``name`` of
    ``model``: a foreign key (``customer``), or a generic foreign key by its name (``target``) or
    its object-id column (``target_id``, ``object_id``)."""
    from django.contrib.contenttypes.fields import GenericForeignKey

    for private in model._meta.private_fields:
        if isinstance(private, GenericForeignKey) and name in (private.name, private.fk_field):
            ct = model._meta.get_field(private.ct_field)
            fk = model._meta.get_field(private.fk_field)
            return private.fk_field, fk.attname, ct.attname, private  # type: ignore[union-attr]
    field = model._meta.get_field(name)
    if not (field.many_to_one or field.one_to_one):
        raise ValueError(f"{model._meta.label}.{name} is not a reference")
    return field.name, field.attname, "", field  # type: ignore[union-attr]


def repoint_references[M: models.Model](
    model: type[M],
    rows: list[M],
    *,
    fields: Iterable[str],
    from_pks: Iterable[Any],
    to: models.Model,
    actor: Any,
    message: str = "",
    from_action: str = "change",
    batch_size: int = 500,
) -> list[M]:
    """Point the references ``fields`` of the loaded ``rows`` that name a record of ``from_pks``
    at ``to`` instead, set-based: the write path's "re-point" mode, which merges use.

    ``fields`` are foreign keys to ``type(to)`` or generic foreign keys (a generic reference
    moves only where its content type is ``to``'s). In one transaction:

    * access — ``check_repoint_access`` (once for a whole merge: ``repoint_access_checked``): the
      actor may change ``to`` and ``from_action`` the records the rows leave. A row's own owner
      does not change, and rows whose scope comes from their parent move to one the actor may
      change, so the writer keeps sight of what moved;
    * guards — every row's write guards with the action ``repoint`` (set-based where a guard
      offers it), the row showing the new references (``changed_fields()``); a refusal raises
      and nothing is written. This is the one difference from an update: a guard that freezes a
      document past draft can tell a re-point from an edit and let it through;
    * the write — one ``UPDATE`` per ``batch_size`` rows and set of moved columns, no per-row
      save and no model hooks (``before_write`` derives values from what a writer edits; only
      references change here), with the row version (``updated_at``, ``updated_by``) bumped on
      change-logged rows, so a client holding the old version gets ``StaleWrite``;
    * the story — one "update" change-log entry per row naming every reference that moved (with
      ``message``), its event, and the search keys, buffered like every bulk write
      (``changes.log_bulk_save``, ``changes.buffered``).

    Rows with no reference to ``from_pks`` are left alone. Returns the rows that moved.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from guanxi.framework import changes

    from_ids = set(from_pks)
    from_texts = {str(pk) for pk in from_ids}  # a generic object-id column may hold text
    target = type(to)
    with transaction.atomic():
        if _REPOINT_CHECKED.get() != _repoint_key(actor, target, from_ids, to.pk, from_action):
            check_repoint_access(actor, target, from_ids, to.pk, from_action=from_action)
        ct_id = ContentType.objects.get_for_model(target).pk
        columns = []  # (column attribute, content-type attribute, the new value as the column holds it)
        for name in dict.fromkeys(fields):
            _name, attname, ct_attname, reference = _reference_columns(model, name)
            column = cast(models.Field, model._meta.get_field(_name))
            columns.append((attname, ct_attname, column.to_python(to.pk), reference))
        moved: list[M] = []
        groups: dict[tuple[str, ...], list[M]] = {}
        for row in rows:
            names = []
            for attname, ct_attname, new_value, reference in columns:
                if ct_attname and getattr(row, ct_attname) != ct_id:
                    continue
                value = getattr(row, attname)
                if value is not None and (value in from_ids or str(value) in from_texts):
                    setattr(row, attname, new_value)
                    # the row names its new record without a query (its label, its search keys)
                    reference.set_cached_value(row, to)
                    names.append(attname)
            if names:
                moved.append(row)
                groups.setdefault(tuple(names), []).append(row)
        if not moved:
            return []
        refusals = run_write_guards_bulk(moved, actor, REPOINT)
        if refusals:
            refused = refusals[min(refusals)]
            if isinstance(refused, RecordLocked):
                raise refused  # names the locked document itself
            # "Only a draft … can be edited" alone would not say what the merge ran into
            reason = " ".join(refused.messages)
            kind = capfirst(str(model._meta.verbose_name_plural))
            raise ValidationError(
                {"__all__": [REPOINT_GUARD_MESSAGE % {"kind": kind, "reason": reason}]}
            ) from refused
        logged = issubclass(model, ChangeLoggedModel)
        stamps: dict[str, Any] = {}
        if logged:
            stamps = {
                "updated_at": timezone.now(),
                "updated_by": actor if getattr(actor, "pk", None) else None,
            }
            for row in moved:
                for name, value in stamps.items():
                    setattr(row, name, value)
        with changes.buffered(chunk_size=max(batch_size, 2000)) as buffer:
            for attnames, group in groups.items():
                values = {attname: getattr(group[0], attname) for attname in attnames}
                for start in range(0, len(group), batch_size):
                    pks = [row.pk for row in group[start : start + batch_size]]
                    model._base_manager.filter(pk__in=pks).update(**values, **stamps)
            if logged:
                changes.log_bulk_save(moved, message=message)
            for row in moved:
                buffer.add_index(row, False)
    return moved


# -- deletes --------------------------------------------------------------------------------------
Deleter = Callable[[list[Any], Any], None]  # (the rows, all of one model; actor)
_DELETER: list[Deleter] = []
_KEEPS: list[Callable[[type[models.Model]], int | None]] = []


def register_deleter(
    deleter: Deleter, *, keeps: Callable[[type[models.Model]], int | None] | None = None
) -> Deleter:
    """Let ``deleter(rows, actor)`` carry out every delete of the write path instead of
    ``Model.delete()`` (the recycle bin does: it snapshots what Django's deletion collector would
    remove, then deletes). ``keeps(model)``: for how many days a deleted row of ``model`` stays
    restorable (None: not kept), for the delete confirmations. One deleter at a time; registering
    again replaces it."""
    _DELETER[:] = [deleter]
    _KEEPS[:] = [keeps] if keeps is not None else []
    return deleter


def kept_days(model: type[models.Model]) -> int | None:
    """How many days a deleted ``model`` row stays restorable (the recycle bin), or None."""
    return _KEEPS[0](model) if _KEEPS else None


def delete_object(instance: models.Model, *, actor: Any) -> None:
    """Delete one row through the write path (guards, then the model's own delete rules)."""
    delete_objects([instance], actor=actor)


def delete_objects(instances: list[Any], *, actor: Any) -> None:
    """Delete rows of one model through the write path, all or none: every row's write guards,
    then the registered deleter (the recycle bin) or ``Model.delete()``. Raises what the model's
    delete rules raise (``ProtectedError``, ``RestrictedError``, a guard's ``ValidationError``)."""
    if not instances:
        return
    with transaction.atomic():
        for instance in instances:
            run_write_guards(instance, actor, "delete")
        if _DELETER:
            _DELETER[0](list(instances), actor)
        else:
            for instance in instances:
                instance.delete()
