"""Global search: a registry of per-model search indexes and a shared table of search keys.

A model opts in with a ``SearchIndex`` subclass registered by ``@register_search``. On every
save the indexed fields are written to ``core.SearchEntry`` as normalised keys: the lower-cased
text, and for Chinese text its pinyin (``zhangsan``) and pinyin initials (``zs``); phone-like
values also get their digits alone so a suffix such as ``8000`` finds them. The query side looks
keys up by prefix and substring, then passes every hit through ``restrict(user, "view")`` — search
never shows a row its reader may not see.

PostgreSQL gets a trigram GIN index on the key column (vendor-guarded migration); SQLite uses
its B-tree index for prefixes and scans for substrings, which is fine at embedded sizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from pypinyin import Style, lazy_pinyin

from guanxi.framework.querysets import model_queryset

_REGISTRY: dict[type[models.Model], type[SearchIndex]] = {}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NON_DIGIT = re.compile(r"\D")
MAX_KEY = 200


class SearchIndex:
    """Declare which fields of a model are searchable and how much a match on each weighs.

    >>> @register_search
    ... class TagIndex(SearchIndex):
    ...     model = Tag
    ...     fields = (("name", 100), ("description", 20))
    """

    model: type[models.Model]
    fields: tuple[tuple[str, int], ...] = ()
    # Custom fields with "searchable" on are added automatically for models that have them.
    include_custom_fields = True

    @classmethod
    def values(cls, instance: models.Model) -> list[tuple[str, str, int]]:
        out: list[tuple[str, str, int]] = []
        for name, weight in cls.fields:
            value = getattr(instance, name, None)
            if value not in (None, ""):
                out.append((name, str(value), weight))
        if cls.include_custom_fields and hasattr(instance, "custom_field_data"):
            from guanxi.framework.customfields import display_value, searchable_custom_fields

            for cf in searchable_custom_fields(type(instance)):
                value = (instance.custom_field_data or {}).get(cf.name)
                if value not in (None, "", []):  # index what people read: choice labels, not keys
                    out.append((f"cf_{cf.name}", display_value(cf, value), cf.search_weight))
        return out


def register_search(index: type[SearchIndex]) -> type[SearchIndex]:
    _REGISTRY[index.model] = index
    return index


def registered_models() -> list[type[models.Model]]:
    return list(_REGISTRY)


def keys_for(text: str) -> set[str]:
    """Normalised search keys of one value (text, pinyin, initials, digits)."""
    text = text.strip().lower()
    if not text:
        return set()
    keys = {text[:MAX_KEY]}
    if _CJK.search(text):
        syllables = [s for s in lazy_pinyin(text, errors="ignore") if s.strip()]
        if syllables:
            keys.add("".join(syllables)[:MAX_KEY])
            keys.add("".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore"))[:MAX_KEY])
    digits = _NON_DIGIT.sub("", text)
    if len(digits) >= 4 and len(digits) >= len(text.replace(" ", "")) * 0.6:
        keys.add(digits[:MAX_KEY])
    return keys


def entries_for(instance: models.Model) -> list[Any]:
    from guanxi.core.models import SearchEntry

    index = _REGISTRY.get(type(instance))
    if index is None:
        return []
    ct = ContentType.objects.get_for_model(type(instance))
    rows = []
    for field, value, weight in index.values(instance):
        for key in keys_for(value):
            rows.append(
                SearchEntry(
                    content_type=ct,
                    object_id=instance.pk,
                    field=field,
                    value=key,
                    display=value[:MAX_KEY],
                    weight=weight,
                )
            )
    return rows


def index_instance(instance: models.Model, *, created: bool = False) -> None:
    """Replace the search keys of one row (called after every save of a registered model)."""
    if type(instance) not in _REGISTRY:
        return
    if not created:  # a new row has no keys yet: skip the DELETE
        remove_instance(instance)
    from guanxi.core.models import SearchEntry

    SearchEntry.objects.bulk_create(entries_for(instance))


def remove_instance(instance: models.Model) -> None:
    if type(instance) not in _REGISTRY:
        return
    from guanxi.core.models import SearchEntry

    ct = ContentType.objects.get_for_model(type(instance))
    SearchEntry.objects.filter(content_type=ct, object_id=instance.pk).delete()


def reindex(model: type[models.Model], batch_size: int = 2000) -> int:
    """Rebuild the keys of every row of ``model``; returns the number of rows indexed."""
    from guanxi.core.models import SearchEntry

    ct = ContentType.objects.get_for_model(model)
    SearchEntry.objects.filter(content_type=ct).delete()
    count = 0
    batch: list[Any] = []
    for instance in model._default_manager.iterator(chunk_size=batch_size):
        batch.extend(entries_for(instance))
        count += 1
        if len(batch) >= batch_size:
            SearchEntry.objects.bulk_create(batch)
            batch = []
    SearchEntry.objects.bulk_create(batch)
    return count


@dataclass
class SearchHit:
    """One row found, with the text that matched."""

    object: models.Model
    field: str
    matched: str
    weight: int

    @property
    def model_label(self) -> str:
        return str(self.object._meta.verbose_name)


def search(
    user: Any, query: str, *, models_: list[type[models.Model]] | None = None, limit: int = 20
) -> list[SearchHit]:
    """Rows ``user`` may view whose keys match ``query``, best first."""
    from guanxi.core.models import SearchEntry

    query = query.strip().lower()
    if not query:
        return []
    digits = _NON_DIGIT.sub("", query)
    wanted = models_ or registered_models()
    cts = ContentType.objects.get_for_models(*wanted)
    condition = models.Q(value__startswith=query) | models.Q(value__contains=query)
    if len(digits) >= 4 and digits != query:
        condition |= models.Q(value__contains=digits)
    entries = (
        SearchEntry.objects.filter(condition, content_type__in=cts.values())
        .order_by("-weight", "display")
        .values_list("content_type_id", "object_id", "field", "display", "weight")[: limit * 5]
    )
    best: dict[tuple[int, int], tuple[str, str, int]] = {}
    for ct_id, obj_id, field, display, weight in entries:
        best.setdefault((ct_id, obj_id), (field, display, weight))
    hits: list[SearchHit] = []
    for model, ct in cts.items():
        ids = [obj_id for (ct_id, obj_id) in best if ct_id == ct.id]
        if not ids:
            continue
        from guanxi.framework.fieldaccess import HIDDEN, MASKED, masked_value, rules_for

        rules = rules_for(user, model)
        for obj in model_queryset(model).restrict(user, "view").filter(pk__in=ids):
            field, display, weight = best[(ct.id, obj.pk)]
            rule = rules.get(field)
            if rule == HIDDEN:
                continue  # found through a field the reader may not see: not a hit for them
            hits.append(
                SearchHit(
                    obj, field, masked_value(model, field, display) if rule == MASKED else display, weight
                )
            )
    hits.sort(key=lambda h: (-h.weight, str(h.object)))
    return hits[:limit]


def index_many(instances: list[models.Model], *, batch_size: int = 2000) -> int:
    """Write the search keys of new rows saved with ``bulk_create`` (no DELETE: they have none yet).

    Returns the number of keys written.
    """
    from guanxi.core.models import SearchEntry

    rows: list[Any] = []
    for instance in instances:
        rows.extend(entries_for(instance))
    SearchEntry.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def matching_ids(model: type[models.Model], query: str) -> Any:
    """A subquery of the ids of ``model`` rows whose search keys match ``query`` (as ``search``
    matches them: pinyin ``zhangsan``, initials ``zs``, digits ``8000``). Not restricted: the
    caller filters a queryset that already is. Used by the lists' ``q`` filter."""
    from guanxi.core.models import SearchEntry

    query = query.strip().lower()
    digits = _NON_DIGIT.sub("", query)
    condition = models.Q(value__contains=query)
    if len(digits) >= 4 and digits != query:
        condition |= models.Q(value__contains=digits)
    ct = ContentType.objects.get_for_model(model)
    return SearchEntry.objects.filter(condition, content_type=ct).values("object_id")
