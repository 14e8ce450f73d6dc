"""The full duplicate scan of one entity type: exact groups in SQL, fuzzy names in blocks.

1. For each enabled exact rule, ``GROUP BY`` the column ``HAVING COUNT(*) > 1`` and read the
   members of those groups only (one index-backed query per rule).
2. For the fuzzy name rule, stream ``(id, name)`` once, compute the comparison key and score the
   blocks (``engine.similar_company_pairs``; people: ``engine.PersonMatcher`` over the name and
   the fields the spec lists).
3. Drop the dismissed pairs, and replace the type's candidates with the new set in one
   transaction (``fastinsert.insert_many``: COPY on PostgreSQL), so the queue never shows half a
   scan.

Progress goes to the job (``tasks.run_scan``); a re-run is safe (the replace is wholesale).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Count
from django.utils import timezone

from guanxi.dedup import engine
from guanxi.dedup.models import DismissedPair, DuplicateCandidate
from guanxi.dedup.normalize import company_compare_key
from guanxi.dedup.services.rules import model_for, rules_in_force, spec_for
from guanxi.framework.duplicates import DuplicateSpec
from guanxi.framework.fastinsert import insert_many, new_instance

Progress = Callable[[int, str], None]
STREAM_CHUNK = 20_000


@dataclass
class ScanResult:
    """What one scan found: candidates stored, pairs left out as dismissed, rows read."""

    entity: str
    records: int
    candidates: int
    dismissed: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _exact_pairs(model: type[models.Model], field: str) -> dict[tuple[int, int], None]:
    rows = model._default_manager.exclude(**{field: ""}).exclude(**{f"{field}__isnull": True})
    shared = rows.values(field).annotate(n=Count("pk")).filter(n__gt=1).values(field)
    groups: dict[Any, list[int]] = {}
    for value, pk in rows.filter(**{f"{field}__in": shared}).values_list(field, "pk").iterator(STREAM_CHUNK):
        groups.setdefault(value, []).append(pk)
    pairs: dict[tuple[int, int], None] = {}
    for ids in groups.values():
        pairs.update(dict.fromkeys(engine.group_pairs(ids)))
    return pairs


def _company_pairs(
    model: type[models.Model], name_field: str, threshold: int
) -> dict[tuple[int, int], float]:
    keys = {
        pk: company_compare_key(name)
        for pk, name in model._default_manager.values_list("pk", name_field).iterator(STREAM_CHUNK)
    }
    return engine.similar_company_pairs(keys, threshold)


def _person_pairs(
    model: type[models.Model], spec: DuplicateSpec, threshold: int
) -> dict[tuple[int, int], float]:
    names = [name for name, _kind, _weight in spec.person_fields]
    records = {row["pk"]: row for row in model._default_manager.values("pk", *names).iterator(STREAM_CHUNK)}
    matcher = engine.PersonMatcher(
        fields=spec.person_fields,
        # the whole name's pinyin (张伟, 張偉 and 张玮 meet; a 4-letter prefix put every 张 in one
        # block), and each identifying field (a birthday or WeChat ID shared under two spellings)
        blocking=[
            engine.name_pinyin_block(spec.name_field, 64),
            *(engine.value_block(name) for name, kind, _weight in spec.person_fields if kind == "exact"),
        ],
        threshold=threshold / 100,
        min_fields=2,
    )
    return {pair: score for pair, (score, _parts) in matcher.matches(records).items()}


def scan_entity(label: str, *, progress: Progress | None = None) -> ScanResult:
    """Scan every record of ``label`` and replace its candidates (see the module docstring)."""
    import time

    started = time.perf_counter()
    report = progress or (lambda percent, message: None)
    spec = spec_for(label)
    model = model_for(label)
    rules = [r for r in rules_in_force(label) if r.enabled]
    reasons: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for step, rule in enumerate(rules):
        report(5 + 70 * step // max(len(rules), 1), rule.field)
        if rule.kind == "exact":
            for pair in _exact_pairs(model, rule.field):
                reasons.setdefault(pair, []).append({"rule": "exact", "field": rule.field})
        elif spec.name_kind == "company":
            for pair, score in _company_pairs(model, rule.field, rule.threshold).items():
                reasons.setdefault(pair, []).append(
                    {"rule": "fuzzy", "field": rule.field, "score": round(score, 2)}
                )
        else:
            for pair, score in _person_pairs(model, spec, rule.threshold).items():
                reasons.setdefault(pair, []).append(
                    {"rule": "fuzzy", "field": rule.field, "score": round(score, 2)}
                )
    report(80, "store")
    content_type = ContentType.objects.get_for_model(model)
    dismissed = set(
        DismissedPair.objects.filter(content_type=content_type).values_list("left_id", "right_id")
    )
    now = timezone.now()
    rows = []
    left_out = 0
    for (left, right), why in reasons.items():
        if (left, right) in dismissed:
            left_out += 1
            continue
        exact = any(r["rule"] == "exact" for r in why)
        score = 1.0 if exact else max(r["score"] for r in why)
        rows.append(
            new_instance(
                DuplicateCandidate,
                {
                    "content_type_id": content_type.pk,
                    "left_id": left,
                    "right_id": right,
                    "score": score,
                    "reasons": why,
                    "exact": exact,
                    "found_at": now,
                },
            )
        )
    with transaction.atomic():
        DuplicateCandidate.objects.filter(content_type=content_type).delete()
        insert_many(DuplicateCandidate, rows, batch_size=5000)
    report(100, "done")
    records = model._default_manager.count()
    return ScanResult(label, records, len(rows), left_out, round(time.perf_counter() - started, 2))
