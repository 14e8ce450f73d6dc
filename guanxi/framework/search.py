"""Global search: a registry of per-model search indexes and a shared table of search keys.

An entity opts in by declaring ``search=((field, weight), …)`` (or a ``SearchIndex`` subclass) in
its ``EntityType`` (``guanxi.framework.entities``). On every
save the indexed fields are written to ``core.SearchEntry`` as normalised keys: the lower-cased
text, and for Chinese text its pinyin (``zhangsan``) and pinyin initials (``zs``); phone-like
values also get their digits alone so a suffix such as ``8000`` finds them. The query side looks
keys up by prefix, Chinese fragment and substring, then passes every hit through
``restrict(user, "view")`` — search never shows a row its reader may not see.

Prefixes are byte-wise key ranges served in order by a B-tree (``COLLATE "C"`` expression index
on PostgreSQL, the plain index on SQLite), so a search reads a bounded batch of keys however many
match. Any two or more consecutive characters of the Chinese text of a name-like field (weight
``FRAGMENT_WEIGHT`` and up: 华信 inside 北京华信网络科技有限公司) find it: on PostgreSQL through a
GIN index of the key's two-character pieces (core migration 0015; pg_trgm cannot serve a
two-character pattern), on SQLite by a scan of the keys, which is fine at embedded sizes. No extra
key rows are written for it. Substrings of 3+ characters of any key are the last tier; PostgreSQL
serves them by a trigram GIN index (core migration 0005). See docs/search-and-lists.md and
docs/benchmarks.md "customers" for the numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate
from pypinyin import lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.core import Pinyin

from guanxi.framework import fieldaccess
from guanxi.framework.querysets import model_queryset

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NON_DIGIT = re.compile(r"\D")
MAX_KEY = 200
SHORT_COLUMN = 254
# Fields weighing this much are the ones a record is known by (names, short names, companies,
# titles): any two or more consecutive Chinese characters of them find the record. The weight is
# also the predicate of the fragment index (core migration 0015): change both together.
FRAGMENT_WEIGHT = 80
# The PostgreSQL side of a fragment lookup, word for word the partial GIN index's predicate plus
# its expression: the planner uses a partial index only when the query implies its predicate.
_FRAGMENT_SQL = "weight >= 80 AND value ~ '[一-鿿]' AND guanxi_bigrams(value) @> %s::text[]"
# A list's ``?q=`` reads the matching ids first when the keys found are at most this many, and
# filters the page by that literal list (see ``matching_ids``).
FEW_KEYS = 5000


class SearchIndex:
    """Declare which fields of a model are searchable and how much a match on each weighs.

    Usually built from an entity's ``search=(("name", 100), ("description", 20))``; subclass it
    (and pass the class as ``search=``) to index derived values.
    """

    model: type[models.Model]
    fields: tuple[tuple[str, int], ...] = ()
    # Custom fields with "searchable" on are added automatically for models that have them.
    include_custom_fields = True
    # Found by the top bar's global search (False: only by pickers and lists that name the model).
    in_global_search = True
    # Write the keys of existing rows after ``migrate`` when the model has rows but no keys yet.
    backfill = False

    @classmethod
    def values(cls, instance: models.Model, custom: list[Any] | None = None) -> list[tuple[str, str, int]]:
        """(field, text, weight) of each indexed value of ``instance``; ``custom``: the model's
        searchable custom-field definitions when the caller has them (a batch reads them once)."""
        out: list[tuple[str, str, int]] = []
        for name, weight in cls.fields:
            value = getattr(instance, name, None)
            if value not in (None, ""):
                out.append((name, str(value), weight))
        if cls.include_custom_fields and hasattr(instance, "custom_field_data"):
            from guanxi.framework.customfields import display_value, searchable_custom_fields

            for cf in searchable_custom_fields(type(instance)) if custom is None else custom:
                value = (instance.custom_field_data or {}).get(cf.name)
                if value not in (None, "", []):  # index what people read: choice labels, not keys
                    out.append((f"cf_{cf.name}", display_value(cf, value), cf.search_weight))
        return out


def _index_for(model: type[models.Model]) -> type[SearchIndex] | None:
    """The search index an entity declares (``EntityType.search``), or None."""
    from guanxi.framework.entities import _SEARCH_INDEXES

    return _SEARCH_INDEXES.get(model)


def _indexes() -> dict[type[models.Model], type[SearchIndex]]:
    from guanxi.framework.entities import search_indexes

    return search_indexes()


def registered_models() -> list[type[models.Model]]:
    from guanxi.framework.entities import search_indexes

    return list(search_indexes())


def global_models() -> list[type[models.Model]]:
    """The models the global search looks through when not told which."""
    return [model for model, index in _indexes().items() if index.in_global_search]


def backfill_keys(**_kwargs: Any) -> None:
    """After ``migrate``: write the keys of indexes declared ``backfill`` whose rows have none (an
    index added to a populated database). Two cheap queries per such model otherwise."""
    from guanxi.core.models import SearchEntry

    for model, index in _indexes().items():
        if not index.backfill or not model._default_manager.exists():
            continue
        ct = ContentType.objects.get_for_model(model)
        if not SearchEntry.objects.filter(content_type=ct).exists():
            reindex(model)


def indexed_fields(model: type[models.Model]) -> set[str] | None:
    """Fields of ``model`` whose whole value is a search key: short text columns (a key keeps
    ``MAX_KEY`` characters, so long text such as a follow-up's content is not among them).
    None when the model has no search index."""
    index = _index_for(model)
    if index is None:
        return None
    short = set()
    for name, _weight in index.fields:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        # up to an email address's 254: a key keeps the first 200 characters, and no real
        # address or name is longer than that
        if isinstance(field, models.CharField) and (field.max_length or SHORT_COLUMN + 1) <= SHORT_COLUMN:
            short.add(name)
    return short


_PINYIN = Pinyin()


@lru_cache(maxsize=65_536)
def _word_syllables(word: str) -> tuple[str, ...]:
    return tuple(s for s in lazy_pinyin(word, errors="ignore") if s.strip())


# a run of the characters pypinyin reads (its own ``RE_HANS``, which is anchored: ``^(?:[…])+$``)
_HAN_RUN = re.compile(RE_HANS.pattern.removeprefix("^").removesuffix("$"))


@lru_cache(maxsize=65_536)
def _run_syllables(run: str) -> tuple[str, ...]:
    return tuple(s for word in _PINYIN.seg(run) for s in _word_syllables(word))


def pinyin_syllables(text: str) -> list[str]:
    """``lazy_pinyin(text, errors="ignore")``, run of Chinese characters by run, each run through
    pypinyin's own segmenter with its reading memoised, and each word's too. pypinyin splits a
    text into such runs first (``simple_seg``, a regular-expression match per character) and
    segments each run alone, and other characters have no reading (``errors="ignore"`` drops
    them), so the runs' readings in order are the text's: names repeat their runs (上海宏达科技,
    有限公司) around numbers and Latin letters, and per-character splitting and segmentation
    are where pypinyin spends its time (bulk imports index every name)."""
    return [s for run in _HAN_RUN.findall(text) for s in _run_syllables(run)]


def keys_for(text: str) -> set[str]:
    """Normalised search keys of one value (text, pinyin, initials, digits)."""
    text = text.strip().lower()
    if not text:
        return set()
    keys = {text[:MAX_KEY]}
    if _CJK.search(text):
        # one pypinyin pass (its phrase segmentation is the cost): the initials are the first
        # letters of the syllables it returns (errors="ignore" keeps syllables only)
        syllables = pinyin_syllables(text)
        if syllables:
            keys.add("".join(syllables)[:MAX_KEY])
            keys.add("".join(s[0] for s in syllables)[:MAX_KEY])
    digits = _NON_DIGIT.sub("", text)
    if len(digits) >= 4 and len(digits) >= len(text.replace(" ", "")) * 0.6:
        keys.add(digits[:MAX_KEY])
    return keys


def entries_for(instance: models.Model) -> list[Any]:
    from guanxi.core.models import SearchEntry

    index = _index_for(type(instance))
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
    """Replace the search keys of one row (called after every save of a registered model);
    in bulk mode (``changes.buffered``) the refresh waits for the buffer's flush."""
    if _index_for(type(instance)) is None:
        return
    from guanxi.framework.changes import current_buffer

    buffer = current_buffer()
    if buffer is not None:
        buffer.add_index(instance, created)
        return
    if not created:  # a new row has no keys yet: skip the DELETE
        remove_instance(instance)
    from guanxi.core.models import SearchEntry

    SearchEntry.objects.bulk_create(entries_for(instance))


def index_batch(rows: list[tuple[models.Model, bool]], *, batch_size: int = 2000) -> int:
    """Refresh the keys of many rows at once: one DELETE per model for the rows that had keys,
    then one bulk INSERT. ``rows`` holds (instance, created); returns the number of keys written."""
    from guanxi.core.models import SearchEntry
    from guanxi.framework.customfields import searchable_custom_fields

    stale: dict[type[models.Model], list[Any]] = {}
    entries: list[tuple[Any, ...]] = []
    # per model, once per batch: its index, content type and searchable custom fields (a cache read)
    known: dict[type[models.Model], tuple[type[SearchIndex], int, list[Any] | None] | None] = {}
    for instance, created in rows:
        model = type(instance)
        if model not in known:
            index = _index_for(model)
            known[model] = (
                None
                if index is None
                else (
                    index,
                    ContentType.objects.get_for_model(model).pk,
                    searchable_custom_fields(model) if index.include_custom_fields else None,
                )
            )
        spec = known[model]
        if spec is None:
            continue
        index, ct_id, custom = spec
        if not created:
            stale.setdefault(model, []).append(instance.pk)
        pk = instance.pk
        for field, value, weight in index.values(instance, custom):
            display = value[:MAX_KEY]
            entries.extend((ct_id, pk, field, key, display, weight) for key in keys_for(value))
    for model, pks in stale.items():
        ct = ContentType.objects.get_for_model(model)
        for start in range(0, len(pks), batch_size):
            chunk = pks[start : start + batch_size]
            SearchEntry.objects.filter(content_type=ct, object_id__in=chunk).delete()
    # Tuples, not model instances: instances and the ORM's per-value preparation cost more than
    # the insert itself at import sizes (these columns need no adaptation).
    from guanxi.framework.fastinsert import insert_rows

    names = ("content_type", "object_id", "field", "value", "display", "weight")
    columns = [connection.ops.quote_name(_column(SearchEntry, name)) for name in names]
    insert_rows(
        connection.ops.quote_name(SearchEntry._meta.db_table), columns, entries, batch_size=batch_size
    )
    return len(entries)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # a concrete column of the model
    return str(field.column)


def remove_instance(instance: models.Model) -> None:
    if _index_for(type(instance)) is None:
        return
    from guanxi.framework.changes import current_buffer

    buffer = current_buffer()
    if buffer is not None:  # a refresh waiting in bulk mode must not bring the keys back
        buffer.to_index.pop((type(instance), instance.pk), None)
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


# Candidate keys fetched per hit wanted: a reader who sees a quarter of the rows still fills the
# page from one round; narrower readers take up to MAX_ROUNDS rounds before settling for fewer.
CANDIDATES_PER_HIT = 4
MAX_ROUNDS = 4
MIN_SUBSTRING = 3
_TOP = "\U0010ffff"  # the highest code point: every key starting with q sorts below q + _TOP


def _substring_ok(text: str) -> bool:
    """Substrings of any key are looked for from 3 characters.

    A trigram index cannot serve a shorter pattern, so ``%zs%`` or ``%网络%`` would read every
    key: on a million-customer table that is seconds (for ``zs``, for hits inside "lzs" nobody
    meant). Two Chinese characters are served by the fragment tier instead (``_fragment_ok``).
    """
    return len(text) >= MIN_SUBSTRING


def _fragment_ok(text: str) -> bool:
    """A query with a Chinese character and 2+ characters is looked for inside name-like keys."""
    return len(text) >= 2 and bool(_CJK.search(text))


def bigrams(text: str) -> list[str]:
    """The distinct two-character pieces of ``text``, sorted: the pieces the PostgreSQL function
    ``guanxi_bigrams`` (core migration 0015) gives a key, once each. A key holding ``text`` holds
    every one of them, which is what the fragment index looks up."""
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


def _fragment(text: str) -> models.Q:
    """Keys of name-like fields (weight ``FRAGMENT_WEIGHT`` and up) that contain ``text``.

    On PostgreSQL the two-character pieces of ``text`` are looked up in the fragment GIN index
    (all of them must be in the key), then ``LIKE`` keeps the keys holding them in this order; on
    SQLite the ``LIKE`` alone, a scan of the keys.
    """
    from django.db import connection

    condition = models.Q(weight__gte=FRAGMENT_WEIGHT, value__contains=text)
    if connection.vendor == "postgresql":
        # a constant SQL text (the index predicate); the pieces go as a parameter
        fragment = RawSQL(_FRAGMENT_SQL, (bigrams(text),), output_field=models.BooleanField())  # noqa: S611
        condition &= models.Q(fragment)
    return condition


def _key() -> Any:
    """The key column compared byte-wise, so a prefix is a range an index serves in order.

    SQLite's default BINARY collation already compares bytes; PostgreSQL's database collation
    may be linguistic (en_US…), under which a range is not a prefix: compare ``COLLATE "C"``,
    matched by the expression index of core migration 0004.
    """
    from django.db import connection

    return Collate("value", "C") if connection.vendor == "postgresql" else F("value")


def _candidates(
    tier: str,
    text: str,
    ct_ids: list[int] | None,
    offset: int,
    size: int,
    after: int = 0,
    unreadable: models.Q | None = None,
) -> list[tuple]:
    """One bounded batch of (content type, object id, field, display, weight, key, entry id).

    ``prefix`` walks the key index from ``text`` in key order (exact key first, then the shortest
    continuations), heaviest field first among equal keys, and stops after ``size`` rows.
    ``fragment`` finds the name-like keys holding a Chinese fragment (``_fragment``), ``contains``
    is the substring fallback (trigram GIN on PostgreSQL for 3+ characters): neither has an
    ORDER BY, so the database stops at the first ``size`` matches instead of sorting them all.
    Without those indexes (SQLite) such a round scans the key table; there the next round
    resumes after the last entry read (``after``, rowid order: the order of that scan anyway)
    instead of scanning the skipped rows again for an OFFSET — the narrow reader's dropdown took
    two to four scans. ``ct_ids`` None: every registered model, no content-type test per key.
    ``unreadable``: the keys of fields the reader may not read in clear, left out in the query
    itself (a hit through them would tell the hidden value one guess at a time).
    """
    from django.db import connection

    from guanxi.core.models import SearchEntry

    rows = (
        SearchEntry.objects.all()
        if ct_ids is None
        else SearchEntry.objects.filter(content_type_id__in=ct_ids)
    )
    if unreadable is not None:
        rows = rows.exclude(unreadable)
    if tier == "prefix":
        rows = (
            rows.annotate(key=_key())
            .filter(key__gte=text, key__lt=text + _TOP)
            .order_by("key", "-weight", "object_id")
        )
    else:
        rows = rows.filter(_fragment(text) if tier == "fragment" else models.Q(value__contains=text))
        if connection.vendor == "postgresql":
            rows = rows.order_by()
        else:
            rows, offset = rows.filter(pk__gt=after).order_by("pk"), 0
    fields = ("content_type_id", "object_id", "field", "display", "weight", "value", "pk")
    return list(rows.values_list(*fields)[offset : offset + size])


def search(
    user: Any,
    query: str,
    *,
    models_: list[type[models.Model]] | None = None,
    limit: int = 20,
    within: models.QuerySet | None = None,
) -> list[SearchHit]:
    """Rows ``user`` may view whose keys match ``query``, best first, at most ``limit``.

    Keys starting with the query come first (an exact key before longer ones, then by field
    weight), then name-like keys holding it as a Chinese fragment (queries of 2+ characters with
    a Chinese one, ``_fragment_ok``), then any key containing it (3+ characters,
    ``_substring_ok``); the later tiers only while the page is not full. Each round reads a
    bounded batch of candidate keys, then asks ``restrict(user, "view")`` about just those ids —
    one primary-key lookup per model instead of joining the scope to every matching key, which is
    what keeps search fast at millions of keys whatever the reader's scope.

    ``within``: a queryset (already restricted by the caller) that replaces
    ``restrict(user, "view")`` for its model, the only model searched — a picker's choices.
    """

    query = query.strip().lower()
    if not query:
        return []
    digits = _NON_DIGIT.sub("", query)
    if within is not None:
        models_ = [within.model]
    wanted = models_ or global_models()
    cts = ContentType.objects.get_for_models(*wanted)
    by_ct = {ct.id: model for model, ct in cts.items()}
    texts = [query, *([digits] if len(digits) >= 4 and digits != query else [])]
    tiers = [
        *(("prefix", t) for t in texts),
        *([("fragment", query)] if _fragment_ok(query) else []),
        *(("contains", t) for t in texts if _substring_ok(t)),
    ]
    size = limit * CANDIDATES_PER_HIT
    seen: set[tuple[int, int]] = set()
    hidden = unreadable_keys(user, by_ct)
    ranked: list[tuple[tuple, SearchHit]] = []
    # Keys are written only for registered models: searching all of them needs no type test.
    ct_ids = None if not models_ and len(wanted) == len(_indexes()) else list(by_ct)
    for rank, (tier, text) in enumerate(tiers):
        after = 0
        for round_ in range(MAX_ROUNDS):
            if len(ranked) >= limit:
                break
            batch = _candidates(tier, text, ct_ids, round_ * size, size, after, hidden)
            after = batch[-1][-1] if batch else after
            best: dict[tuple[int, int], tuple] = {}
            for ct_id, obj_id, field, display, weight, key, _entry in batch:
                if (ct_id, obj_id) not in seen:
                    best.setdefault((ct_id, obj_id), (field, display, weight, key))
            seen.update(best)
            for ct_id, model in by_ct.items():
                ids = [obj_id for (c, obj_id) in best if c == ct_id]
                if not ids:
                    continue
                rows = within if within is not None else model_queryset(model).restrict(user, "view")
                for obj in rows.filter(pk__in=ids):
                    field, display, weight, key = best[(ct_id, obj.pk)]
                    # ties by the label the user reads (a part hidden from them never orders)
                    order = (rank if key != text else -1, -weight, fieldaccess.label(user, obj))
                    ranked.append((order, SearchHit(obj, field, display, weight)))
            if len(batch) < size:
                break
    ranked.sort(key=lambda pair: pair[0])
    return [hit for _order, hit in ranked[:limit]]


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


def unreadable_keys(user: Any, by_ct: dict[int, type[models.Model]]) -> models.Q | None:
    """The search keys ``user`` must not match through: those of fields hidden or masked for them
    (``SearchEntry.field`` names the field each key came from; ``cf_<name>`` for custom fields).
    None when there are none."""
    from guanxi.framework.fieldaccess import unreadable

    condition = models.Q()
    for ct_id, model in by_ct.items():
        fields = unreadable(user, model)
        if fields:
            condition |= models.Q(content_type_id=ct_id, field__in=sorted(fields))
    return condition or None


def matching_ids(model: type[models.Model], query: str, user: Any = None) -> Any:
    """The ids of ``model`` rows whose search keys match ``query`` as ``search`` matches them
    (pinyin ``zhangsan``, initials ``zs``, digits ``8000``, a Chinese fragment ``华信``): keys
    starting with the query — a range of the key index — and keys containing it: from 2
    characters with a Chinese one inside name-like fields (fragment index on PostgreSQL), from 3
    characters inside any key (trigram index). Not restricted: the caller filters a queryset that
    already is. Keys of fields hidden or masked for ``user`` do not match. Used by the lists'
    ``q`` filter.

    When at most ``FEW_KEYS`` keys match (one company looked up by its name or pinyin), their ids
    are read at once and returned as a list: ``id IN (3 ids) ORDER BY name LIMIT 50`` reads 3
    rows, while the same page over ``id IN (subquery)`` was planned as a walk of the whole name
    index probing the key table once per row (seconds at a million customers). Otherwise the
    subquery, which the planner hashes once. One query either way before the page's own."""
    from guanxi.core.models import SearchEntry

    query = query.strip().lower()
    digits = _NON_DIGIT.sub("", query)
    condition = models.Q()
    for text in [query, *([digits] if len(digits) >= 4 and digits != query else [])]:
        condition |= models.Q(key__gte=text, key__lt=text + _TOP)
        if _substring_ok(text):  # 3+ characters: contains covers the fragments too
            condition |= models.Q(value__contains=text)
        elif _fragment_ok(text):
            condition |= _fragment(text)
    ct = ContentType.objects.get_for_model(model)
    rows = SearchEntry.objects.annotate(key=_key()).filter(condition, content_type=ct)
    hidden = unreadable_keys(user, {ct.id: model})
    rows = (rows.exclude(hidden) if hidden is not None else rows).order_by()
    found = list(rows.values_list("object_id", flat=True)[: FEW_KEYS + 1])
    if len(found) <= FEW_KEYS:
        return sorted(set(found))
    return rows.values("object_id")
