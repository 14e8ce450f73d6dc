"""Transfer records to another owner (转移 / 离职交接): one action, many kinds, logged and notified.

An entity declares that its rows change hands, and what "all of a user's X" means, in its
``EntityType`` (``guanxi.framework.entities``)::

    transfer=Transfer(_("customers"))
    transfer=Transfer(_("tasks"), open_filter=Q(status="open"))  # open tasks only

``transfer_records`` then moves either the given ``records`` or every transferable row of
``from_user`` to ``to_user``. Per model it is one ``restrict(actor, "assign")``-checked
``UPDATE`` (owner and department follow the new owner) — not one ``save()`` per row, so moving a
leaving rep's 2,000 customers takes a few statements — and still one change-log entry per row
(``log_bulk_update``: a bulk INSERT). The trade-off: ``save()`` overrides and ``post_save``
receivers do not run for transferred rows; a model with columns that must follow the owner says
so with ``extra_fields`` (the customer's ``owned_since``). Search keys do not include the owner.

Every transfer writes one ``core.OwnershipTransfer`` (from, to, reason, counts) with one item per
row, shown on each record's timeline ("Transferred from 王芳 to 刘洋: 离职交接"), and one
notification to the new owner, in their language, after commit. Ownership-conflict (撞单) rules
do not apply: a transfer hands over what the company already owns.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.framework.querysets import model_queryset
from guanxi.framework.timeline import TimelineEntry, register_timeline_source


@dataclass(frozen=True)
class Transferable:
    """A model whose rows can be transferred; ``label`` is its plural ("customers")."""

    model: type[models.Model]
    label: Any
    open_filter: models.Q | None = None
    extra_fields: Callable[[], dict[str, Any]] | None = None

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


def _registry() -> dict[str, Transferable]:
    """Every entity declaring ``transfer=Transfer(...)`` (``guanxi.framework.entities``)."""
    from guanxi.framework.entities import entity_types

    out: dict[str, Transferable] = {}
    for entity in entity_types():
        if entity.transfer is not None:
            spec = entity.transfer
            item = Transferable(entity.model, spec.label, spec.open_filter, spec.extra_fields)
            out[item.key] = item
    return out


def transferables(kinds: Iterable[str] | None = None) -> list[Transferable]:
    """The transferable kinds (``app_label.model``), all of them when ``kinds`` is None."""
    registry = _registry()
    if kinds is None:
        return list(registry.values())
    wanted = set(kinds)
    return [t for t in registry.values() if t.key in wanted]


@dataclass
class TransferResult:
    """What a transfer moved: the summary row (None when nothing needed moving) and the number
    of rows per kind (``app.model``)."""

    transfer: Any
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _owned_rows(actor: Any, item: Transferable, from_user: Any) -> models.QuerySet:
    qs = model_queryset(item.model).restrict(actor, "assign").filter(owner=from_user)
    return qs.filter(item.open_filter) if item.open_filter is not None else qs


def transfer_counts(
    *, actor: Any, from_user: Any, kinds: Iterable[str] | None = None
) -> list[tuple[Any, int]]:
    """(kind, number of ``from_user``'s rows ``actor`` may transfer) for each registered kind."""
    return [(t, _owned_rows(actor, t, from_user).count()) for t in transferables(kinds)]


def summary(counts: dict[str, int]) -> str:
    """ "12 customers, 30 contacts" in the active language."""
    parts = []
    for key, count in counts.items():
        item = _registry().get(key)
        if item is not None and count:
            parts.append(_("%(count)d %(kind)s") % {"count": count, "kind": item.label})
    return _(", ").join(parts) if parts else _("nothing")


def validate_transfer(*, actor: Any, to_user: Any, reason: str, from_user: Any = None) -> None:
    """Field messages for a bad target or a missing reason (``ValidationError`` keyed by field)."""
    errors: dict[str, list[str]] = {}
    if to_user is None:
        errors["to_user"] = [_("Choose the colleague who takes the records over.")]
    elif not to_user.is_active:
        errors["to_user"] = [_("%(user)s is no longer active and cannot own records.") % {"user": to_user}]
    elif to_user.pk == getattr(actor, "pk", None):
        errors["to_user"] = [_("You cannot transfer records to yourself.")]
    elif from_user is not None and to_user.pk == from_user.pk:
        errors["to_user"] = [_("Choose someone other than the current owner.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the records change hands (e.g. 离职交接).")]
    if errors:
        raise ValidationError(errors)


def transfer_records(
    *,
    actor: Any,
    to_user: Any,
    reason: str,
    records: Iterable[models.Model] | None = None,
    from_user: Any = None,
    kinds: Iterable[str] | None = None,
) -> TransferResult:
    """Move ``records`` (or every transferable row of ``from_user``) to ``to_user``, atomically.

    ``records`` may mix kinds; each must be one the actor may ``assign``, else ``PermissionDenied``
    and nothing changes. With ``from_user`` instead, the rows of each kind (``kinds``, default
    all) that the actor may assign are moved; the others stay. Rows ``to_user`` already owns are
    left alone. Raises ``ValidationError`` (fields ``to_user``, ``reason``) for a bad request.
    """
    from guanxi.core.models import OwnershipTransfer, OwnershipTransferItem
    from guanxi.framework.changes import log_bulk_update

    validate_transfer(actor=actor, to_user=to_user, reason=reason, from_user=from_user)
    if records is None and from_user is None:
        raise ValueError("transfer_records needs records or from_user")
    reason = reason.strip()
    now = timezone.now()
    with transaction.atomic():
        selected: list[tuple[Transferable, Any]] = []
        if records is not None:
            registry = _registry()
            by_key: dict[str, list[int]] = {}
            for record in records:
                key = record._meta.label_lower
                if key not in registry:
                    raise ValueError(f"{key} is not registered as transferable")
                by_key.setdefault(key, []).append(record.pk)
            for key, ids in by_key.items():
                item = registry[key]
                qs = model_queryset(item.model).restrict(actor, "assign").filter(pk__in=ids)
                if qs.count() != len(set(ids)):
                    raise PermissionDenied(
                        _("You may not transfer some of these records; nothing was changed.")
                    )
                selected.append((item, qs))
        else:
            selected = [(t, _owned_rows(actor, t, from_user)) for t in transferables(kinds)]
        # Rows the new owner already has stay as they are; nothing to move, nothing recorded.
        moving = [
            (item, rows) for item, qs in selected if (rows := list(qs.exclude(owner=to_user).order_by("pk")))
        ]
        if not moving:
            return TransferResult(None, {})
        counts = {item.key: len(rows) for item, rows in moving}
        transfer = OwnershipTransfer.objects.create(
            actor=actor, from_user=from_user, to_user=to_user, reason=reason[:200], counts=counts
        )
        items: list[Any] = []
        for item, rows in moving:
            ids = [row.pk for row in rows]
            after: dict[str, Any] = {"owner": to_user.pk, "department": to_user.department_id}
            before = {row.pk: {"owner": row.owner_id, "department": row.department_id} for row in rows}
            extra = item.extra_fields() if item.extra_fields else {}
            stamps = {"updated_at": now} if _has_field(item.model, "updated_at") else {}
            if _has_field(item.model, "updated_by"):
                stamps["updated_by"] = actor
            model_queryset(item.model).filter(pk__in=ids).update(
                owner=to_user, department_id=to_user.department_id, **extra, **stamps
            )
            log_bulk_update(rows, before, after, message=_("Transferred: %(reason)s") % {"reason": reason})
            ct = ContentType.objects.get_for_model(item.model)
            items.extend(
                OwnershipTransferItem(
                    transfer=transfer, content_type=ct, object_id=row.pk, previous_owner_id=row.owner_id
                )
                for row in rows
            )
        OwnershipTransferItem.objects.bulk_create(items, batch_size=1000)
        single = moving[0][1][0] if len(moving) == 1 and len(moving[0][1]) == 1 else None
        url = single.get_absolute_url() if single is not None and hasattr(single, "get_absolute_url") else ""
        transaction.on_commit(lambda: _notify(transfer, actor, url))
    return TransferResult(transfer, counts)


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def _notify(transfer: Any, actor: Any, url: str = "") -> None:
    from guanxi.framework.notify import in_language_of, notify

    recipient = transfer.to_user
    with in_language_of(recipient):
        total = transfer.total
        title = ngettext(
            "%(count)d record was transferred to you",
            "%(count)d records were transferred to you",
            total,
        ) % {"count": total}
        body = _("%(what)s from %(from)s. Reason: %(reason)s") % {
            "what": summary(transfer.counts),
            "from": transfer.from_user or actor or _("a colleague"),
            "reason": transfer.reason,
        }
        notify(recipient, title, body=body, url=url, level="info", actor=actor)


@register_timeline_source
def transfer_timeline_source(
    obj: Any, user: Any, before: datetime.datetime | None, limit: int
) -> list[TimelineEntry]:
    """ "Transferred from 王芳 to 刘洋: 离职交接" on each transferred record."""
    from guanxi.core.models import OwnershipTransferItem

    if not isinstance(obj, models.Model) or obj._meta.label_lower not in _registry():
        return []
    ct = ContentType.objects.get_for_model(type(obj))
    rows = OwnershipTransferItem.objects.filter(content_type=ct, object_id=obj.pk).select_related(
        "transfer__to_user", "transfer__actor", "previous_owner"
    )
    if before is not None:
        rows = rows.filter(transfer__time__lt=before)
    entries = []
    for row in rows.order_by("-transfer__time", "-pk")[:limit]:
        transfer = row.transfer
        entries.append(
            TimelineEntry(
                time=transfer.time,
                kind="transfer",
                icon="arrows-exchange",
                title=_("Transferred from %(from)s to %(to)s: %(reason)s")
                % {"from": row.previous_owner or "—", "to": transfer.to_user, "reason": transfer.reason},
                actor=transfer.actor,
            )
        )
    return entries
