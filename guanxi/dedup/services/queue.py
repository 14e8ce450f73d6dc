"""The candidates queue: who may review it, which pairs a viewer sees, reasons as they see them,
and dismissing pairs as "not a duplicate" (remembered: no scan proposes them again)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guanxi.dedup.models import DismissedPair, DuplicateCandidate
from guanxi.framework import fieldaccess
from guanxi.framework.access import can
from guanxi.framework.customfields import format_phone
from guanxi.framework.querysets import model_queryset
from guanxi.framework.write import bulk_create_objects
from guanxi.recyclebin.access import is_administrator

REVIEW_VERB = "dedup"


def reviews_by_grant(user: Any, model: type[models.Model]) -> bool:
    """A superuser or a holder of the ``dedup`` action on the type: read from the cached access
    snapshot alone (no query), for what every page draws (the menu, the data-quality count)."""
    return bool(getattr(user, "is_superuser", False)) or can(user, REVIEW_VERB, model)


def may_review(user: Any, model: type[models.Model]) -> bool:
    """``reviews_by_grant``, or a member of the administrator role (one query, kept for the request)."""
    return reviews_by_grant(user, model) or is_administrator(user)


def visible_candidates(user: Any, model: type[models.Model]) -> QuerySet[DuplicateCandidate]:
    """The candidates of ``model`` whose *both* records ``user`` may view (none without review),
    and which hold a reason ``user`` may read: a pair matched only on a field their field rules
    hide is not listed (nor counted) — listed with no reason, it would still tell that the two
    hidden values are the same or alike."""
    if not may_review(user, model):
        return DuplicateCandidate.objects.none()
    content_type = ContentType.objects.get_for_model(model)
    rows = DuplicateCandidate.objects.filter(content_type=content_type)
    hidden = hidden_reasons(user, model)
    if hidden:
        readable = Q(pk__in=[])
        for field in sorted(reason_fields(model) - hidden):
            readable |= _on_reason(field)
        rows = rows.filter(readable)
    if getattr(user, "is_superuser", False):  # sees every row: no subquery over the whole table
        return rows
    seen = model_queryset(model).restrict(user, "view").values("pk")
    return rows.filter(left_id__in=seen, right_id__in=seen)


def reason_fields(model: type[models.Model]) -> set[str]:
    """The fields a candidate's reasons may name: the fields of the type's declared rules."""
    from guanxi.dedup.services.rules import declared

    spec = declared(model)
    return {rule.field for rule in spec.rules} if spec is not None else set()


def hidden_reasons(user: Any, model: type[models.Model]) -> set[str]:
    """The reason fields ``user``'s field rules hide on ``model`` (``fieldaccess.visible``): no
    reason on them is shown, filtered on or counted for ``user``."""
    return {field for field in reason_fields(model) if not fieldaccess.visible(user, model, field)}


def _on_reason(field: str) -> Q:
    """Candidates with a reason on ``field``: the JSON as text on both databases (SQLite has no
    JSON containment)."""
    return Q(reasons__icontains=f'"field": "{field}"')


def filter_candidates(
    rows: QuerySet[DuplicateCandidate],
    *,
    reason: str = "",
    min_score: float | None = None,
    user: Any = None,
    model: type[models.Model] | None = None,
) -> QuerySet[DuplicateCandidate]:
    """Narrow by a reason's field (``phone``; ``name`` for the similar-name rule) and a least score.
    With the viewer (``user``, ``model``), a reason on a field hidden from them selects nothing:
    the pairs it found would tell which hidden values are alike."""
    if reason and user is not None and model is not None and reason in hidden_reasons(user, model):
        return rows.none()
    if reason:
        rows = rows.filter(_on_reason(reason))
    if min_score is not None:
        rows = rows.filter(score__gte=min_score)
    return rows


@dataclass
class Row:
    """One candidate as the viewer reads it: both records and the reasons in their words."""

    candidate: DuplicateCandidate
    left: Any
    right: Any
    reasons: list[str]
    merge_url: str = ""  # the entity's merge page for this pair ("" when the entity has none)
    left_label: str = ""  # the records' labels as the viewer reads them (``fieldaccess.label``)
    right_label: str = ""


def merge_url_for(model: type[models.Model]) -> str:
    """The merge page of ``model`` (``customers:customer_merge``), or "" when it declares no merge."""
    from django.urls import NoReverseMatch, reverse

    from guanxi.framework.entities import entity_for

    entity = entity_for(model)
    if entity is None or entity.merge is None:
        return ""
    meta = model._meta
    try:
        return reverse(f"{meta.app_label}:{meta.model_name}_merge")
    except NoReverseMatch:
        return ""


def field_label(model: type[models.Model], name: str) -> str:
    """A field's verbose name in the active language (the name itself when there is none)."""
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def reason_text(user: Any, model: type[models.Model], reason: dict[str, Any], record: Any) -> str:
    """ "same mobile 138 0013 8000" / "name similarity 0.93", the value as ``user`` reads it on the
    record's page: masked (``138****8000``) or left out (hidden) by the user's field rules, a
    phone in clear formatted as people read it (``customfields.format_phone``), never E.164."""
    name = reason.get("field", "")
    label = field_label(model, name)
    if reason.get("rule") == "fuzzy":
        return _("%(field)s similarity %(score).2f") % {"field": label, "score": reason.get("score", 0)}
    value = fieldaccess.display(user, model, name, getattr(record, name, ""))
    # only a phone under no field rule: a masked one is already ``138****8000``
    if value not in (None, "") and fieldaccess.shows_as_phone(user, model, name):
        value = format_phone(value)
    if value in (None, ""):
        return _("same %(field)s") % {"field": label}
    return _("same %(field)s %(value)s") % {"field": label, "value": value}


def reason_texts(
    user: Any, model: type[models.Model], reasons: list[dict[str, Any]], record: Any
) -> list[str]:
    """``reason_text`` of each reason whose field ``user`` may read: a reason on a field their
    field rules hide is left out — "name similarity 0.93" would tell how close a name they may
    not see is to another (the pair is still listed by its other reasons)."""
    return [
        reason_text(user, model, r, record)
        for r in reasons
        if fieldaccess.visible(user, model, r.get("field", ""))
    ]


def region_notes(
    user: Any, model: type[models.Model], reasons: list[dict[str, Any]], left: Any, right: Any
) -> list[str]:
    """The note "different regions: 深圳 / 杭州" when two company names met by similarity carry regions
    that share nothing: the comparison key drops regions on purpose (北京星河 is 星河's branch as
    often as not), so the reviewer reads it before merging. Display only: the score is the same.

    The regions are read off the names as ``user`` reads them (``fieldaccess.display``): a name
    their field rules mask or hide yields no region, so the note never tells what the field hides."""
    from guanxi.dedup.normalize import different_regions
    from guanxi.dedup.services.rules import declared

    spec = declared(model)
    if spec is None or spec.name_kind != "company":
        return []
    if not any(r.get("rule") == "fuzzy" and r.get("field") == spec.name_field for r in reasons):
        return []
    name = spec.name_field
    found = different_regions(
        fieldaccess.display(user, model, name, getattr(left, name, "")) or "",
        fieldaccess.display(user, model, name, getattr(right, name, "")) or "",
    )
    if found is None:
        return []
    return [
        _("different regions: %(left)s / %(right)s") % {"left": "".join(found[0]), "right": "".join(found[1])}
    ]


def rows_for(user: Any, model: type[models.Model], candidates: Iterable[DuplicateCandidate]) -> list[Row]:
    """The page's candidates with their records (one query for all of them) and reasons."""
    candidates = list(candidates)
    ids = {c.left_id for c in candidates} | {c.right_id for c in candidates}
    records = model_queryset(model).restrict(user, "view").in_bulk(ids)
    merge_page = merge_url_for(model)
    out = []
    for candidate in candidates:
        left, right = records.get(candidate.left_id), records.get(candidate.right_id)
        if left is None or right is None:  # deleted since the scan
            continue
        texts = reason_texts(user, model, candidate.reasons, left)
        texts += region_notes(user, model, candidate.reasons, left, right)
        # the older record first: the merge page keeps the first one by default
        pair = f"?ids={min(left.pk, right.pk)}&ids={max(left.pk, right.pk)}"
        out.append(
            Row(
                candidate,
                left,
                right,
                texts,
                merge_page + pair if merge_page else "",
                fieldaccess.label(user, left),
                fieldaccess.label(user, right),
            )
        )
    return out


def dismiss_candidates(model: type[models.Model], ids: Iterable[int], *, actor: Any) -> int:
    """Mark the candidates ``ids`` (of those ``actor`` sees) as not duplicates; returns how many.

    All or nothing: an id the actor does not see refuses the whole request (404-like
    ``ValidationError`` on ``ids``) before anything is written."""
    if not may_review(actor, model):
        raise PermissionDenied(_("You may not review duplicates."))
    wanted = {int(i) for i in ids}
    if not wanted:
        raise ValidationError({"ids": _("Choose at least one pair.")})
    with transaction.atomic():
        found = list(visible_candidates(actor, model).filter(pk__in=wanted).select_for_update())
        if len(found) != len(wanted):
            raise ValidationError({"ids": _("Some of these pairs do not exist or are not yours to review.")})
        already = set(
            DismissedPair.objects.filter(
                content_type_id=found[0].content_type_id, left_id__in=[c.left_id for c in found]
            ).values_list("left_id", "right_id")
        )
        pairs = [
            DismissedPair(
                content_type_id=c.content_type_id, left_id=c.left_id, right_id=c.right_id, dismissed_by=actor
            )
            for c in found
            if (c.left_id, c.right_id) not in already
        ]
        bulk_create_objects(DismissedPair, pairs, actor=actor, check_visible=False)
        DuplicateCandidate.objects.filter(pk__in=[c.pk for c in found]).delete()
    return len(found)


def candidate_count(user: Any, model: type[models.Model]) -> int:
    return visible_candidates(user, model).count()
