"""The entry-time check: "possible duplicates" of a record being entered, by the scan's rules.

Index lookups only, never a scan: each enabled exact rule is one ``field = value``; a similar
name is looked for among the records whose stored key (the declaration's ``key_field``:
``name_key`` for customers, ``company_key`` for leads; the name itself for contacts) starts
like the new one's — with and without its region prefix — and scored as the scan scores it.
Only records the user may view are answered (a duplicate the user cannot see is for 撞单 to
refuse, which keeps its own policy, ``customers.services.conflicts``).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from guanxi.customers.matching import company_name_key
from guanxi.dedup import engine
from guanxi.dedup.normalize import company_compare_key, person_name_key
from guanxi.dedup.services.rules import model_for, rules_in_force, spec_for
from guanxi.framework import fieldaccess
from guanxi.framework.access import can
from guanxi.framework.duplicates import DuplicateSpec
from guanxi.framework.querysets import model_queryset
from guanxi.framework.search import matching_ids

LIMIT = 20


@dataclass
class PossibleDuplicate:
    """An existing record and why it looks like the one being entered."""

    obj: Any
    score: float
    reasons: list[dict[str, Any]] = field(default_factory=list)


def may_check(user: Any, model: Any) -> bool:
    """Who may ask: whoever enters or edits records of the type (``add``/``change``), and the
    queue's reviewers (``queue.may_review``). Answers hold only records the asker may view."""
    from guanxi.dedup.services.queue import may_review

    return can(user, "add", model) or can(user, "change", model) or may_review(user, model)


def normalized_values(label: str, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (a rule's field → what was typed) as the model stores them: an unsaved record
    gets them and its own ``clean()`` normalises (E.164 phones, lower-case email, upper-case
    credit code) — one rule in one place. A value ``clean()`` refuses is compared as typed."""
    model = model_for(label)
    fields = {rule.field for rule in spec_for(label).rules}
    record = model()
    for name in fields:
        if values.get(name):
            setattr(record, name, str(values[name]).strip())
    # an unrelated field's rule (gender on a company…) refuses after normalising: fine here
    with suppress(ValidationError):
        record.clean()
    return {name: getattr(record, name, "") or "" for name in fields}


def possible_duplicates(
    label: str, values: dict[str, Any], *, user: Any, exclude_pk: int | None = None
) -> list[PossibleDuplicate]:
    """Records of ``label`` visible to ``user`` that the rules match against ``values`` (normalised
    as the model's ``clean()`` leaves them), best first, at most ``LIMIT``."""
    spec = spec_for(label)
    model = model_for(label)
    rows = model_queryset(model).restrict(user, "view")
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    found: dict[int, PossibleDuplicate] = {}
    for rule in rules_in_force(label):
        # a field hidden from the asker is never compared with what they typed: a hit found by it
        # would answer "is there a record named X?" for a name they may not read
        if not rule.enabled or not fieldaccess.visible(user, model, rule.field):
            continue
        value = values.get(rule.field) or ""
        if rule.kind == "exact" and value:
            for obj in rows.filter(**{rule.field: value})[:LIMIT]:
                hit = found.setdefault(obj.pk, PossibleDuplicate(obj, 1.0))
                hit.score = 1.0
                hit.reasons.append({"rule": "exact", "field": rule.field})
        elif rule.kind == "fuzzy" and value:
            for obj, score in _similar_names(spec, rows, str(value), rule.threshold, user):
                hit = found.setdefault(obj.pk, PossibleDuplicate(obj, score))
                hit.score = max(hit.score, score)
                hit.reasons.append({"rule": "fuzzy", "field": rule.field, "score": round(score, 2)})
    return sorted(found.values(), key=lambda h: (-h.score, h.obj.pk))[:LIMIT]


def _similar_names(
    spec: DuplicateSpec, rows: Any, name: str, threshold: int, user: Any
) -> list[tuple[Any, float]]:
    if spec.name_kind == "company":
        key, stored = company_compare_key(name), company_name_key(name)
        if len(key) < 2:
            return []
        # The raw key's front (no region: 星河科技…), and any name holding the core's first
        # characters (上海星河科技…) through the search keys' fragment index.
        inside = matching_ids(rows.model, key[:4], user)
        prefix = f"{spec.key_field}__startswith"
        near = rows.filter(Q(**{prefix: key[:2]}) | Q(**{prefix: stored[:2]}) | Q(pk__in=inside))
        out = []
        for obj in near.order_by("pk")[:500]:
            score = engine.company_similarity(name, getattr(obj, spec.name_field))
            if score * 100 >= threshold:
                out.append((obj, score))
        return out
    key = person_name_key(name)
    if not key:
        return []
    near = rows.filter(**{f"{spec.name_field}__startswith": key[:1]})
    return [
        (obj, score)
        for obj in near.order_by("pk")[:500]
        if (score := engine.person_similarity(name, getattr(obj, spec.name_field))) * 100 >= threshold
    ]
