"""Tags on any ``TagsMixin`` model: resolve user input to tags, replace a row's tags, log the change.

Tags live in ``core.TaggedItem`` rather than on the row, so a change of tags is not a field change
the post-save capture can see; ``set_tags`` logs it on the tagged row itself (``tags`` before and
after, by name) so the row's History tab shows it like any other edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models, transaction
from django.utils.translation import gettext as _

from guanxi.framework.changes import Action, record_m2m_like_change
from guanxi.framework.context import require_context

if TYPE_CHECKING:
    from guanxi.framework.models import TagsMixin


def resolve_tags(values: Iterable[Any], *, field: str = "tags") -> list[Any]:
    """Tags named by slug or id (``["vip", 3]``); unknown ones raise one ValidationError listing all.

    Order and duplicates of the input do not matter: the result is the distinct tags, by name.
    """
    from guanxi.core.models import Tag

    ids: set[int] = set()
    slugs: set[str] = set()
    for value in values:
        if isinstance(value, bool):
            raise ValidationError({field: _("Give tags as slugs or ids.")})
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, str) and "\x00" in value:  # PostgreSQL refuses NUL, even in a lookup
            raise ValidationError({field: ProhibitNullCharactersValidator.message})
        elif isinstance(value, str) and value.strip():
            text = value.strip()
            if text.isdigit():
                ids.add(int(text))
            else:
                slugs.add(text)
        else:
            raise ValidationError({field: _("Give tags as slugs or ids.")})
    if not ids and not slugs:
        return []
    found = list(Tag.objects.filter(models.Q(pk__in=ids) | models.Q(slug__in=slugs)))
    missing = sorted({str(i) for i in ids - {t.pk for t in found}} | (slugs - {t.slug for t in found}))
    if missing:
        raise ValidationError({field: _("Unknown tags: %(tags)s.") % {"tags": ", ".join(missing)}})
    return sorted(found, key=lambda t: t.name)


def get_tags(obj: TagsMixin) -> list[Any]:
    """The row's tags by name; uses ``prefetch_related("tagged_items__tag")`` when present."""
    return sorted((item.tag for item in obj.tagged_items.all()), key=lambda t: t.name)


@transaction.atomic
def set_tags(obj: models.Model, tags: Iterable[Any]) -> None:
    """Make ``tags`` exactly the tags of ``obj`` and log the difference on ``obj``.

    Must run inside an actor context (the change log needs it). When ``obj`` was created in the
    same context, the change is folded into that creation's log entry instead of adding a second
    "updated" entry, so creating a tagged record reads as one change.
    """
    from guanxi.core.models import ObjectChange, TaggedItem

    wanted = {t.pk: t for t in tags}
    ct = ContentType.objects.get_for_model(type(obj))
    current = {
        item.tag_id: item
        for item in TaggedItem.objects.filter(content_type=ct, object_id=obj.pk).select_related("tag")
    }
    old_names = sorted(item.tag.name for item in current.values())
    new_names = sorted(t.name for t in wanted.values())
    removed = [pk for pk in current if pk not in wanted]
    if removed:
        TaggedItem.objects.filter(content_type=ct, object_id=obj.pk, tag_id__in=removed).delete()
    added = [
        TaggedItem(tag=t, content_type=ct, object_id=obj.pk) for pk, t in wanted.items() if pk not in current
    ]
    if added:
        TaggedItem.objects.bulk_create(added)
    # A prefetched ``tagged_items`` would now be stale.
    getattr(obj, "_prefetched_objects_cache", {}).pop("tagged_items", None)
    if old_names == new_names:
        return
    ctx = require_context()
    creation = (
        (
            ObjectChange.objects.filter(
                request_id=ctx.request_id,
                action=Action.CREATE,
                changed_object_type=ct,
                changed_object_id=obj.pk,
            )
            .order_by("-pk")
            .first()
        )
        if not old_names
        else None
    )
    if creation is not None:
        creation.postchange_data = {**(creation.postchange_data or {}), "tags": new_names}
        creation.save(update_fields=["postchange_data"])
    else:
        record_m2m_like_change(obj, "tags", old_names, new_names)
