"""Insert many model instances with one parameterised statement run over all of them.

``QuerySet.bulk_create`` builds one large multi-row statement per batch and prepares every value
of every row through the SQL compiler; for the bookkeeping rows a bulk operation writes beside its
data (change-log entries, events) that preparation costs more than the insert itself. Here plain
columns pass as they are and only the columns that need it (dates, JSON, UUIDs…) go through their
field's ``get_db_prep_save``; ``insert_rows`` sends them (``COPY`` on PostgreSQL, ``executemany``
on SQLite). Values are always bound parameters; table and column names come from
the model.

The instances get no primary keys back: use it for rows nobody reads again in the same
operation. Django's ``bulk_create`` stays the tool for everything else.
"""

from __future__ import annotations

import functools
import inspect
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from typing import Any

from django.db import connection, models
from django.db.models.base import ModelState
from django.utils import timezone

# Columns whose Python value the database drivers take as it is.
_PLAIN = {
    "CharField",
    "TextField",
    "SlugField",
    "EmailField",
    "URLField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
    "ForeignKey",
    "AutoField",
    "BigAutoField",
}


def _converter(field: models.Field, now: Any) -> Callable[[models.Model], Any]:
    """How one column's database value is read off an instance (once per column per call).

    The same values as ``field.get_db_prep_save(field.pre_save(obj, True), connection)``, computed
    with less work where that is safe: plain columns as they are; JSON as its text (what Django
    stores on SQLite; COPY's text format parses it on PostgreSQL), one dump per value; timestamps
    set on save (``auto_now``/``auto_now_add``) are one ``now`` per call, set on the instance as
    ``pre_save`` would; UUIDs and other dates are prepared once per distinct value."""
    attname = field.attname
    if field.get_internal_type() in _PLAIN:
        return operator.attrgetter(attname)
    if isinstance(field, models.JSONField):
        dumps = _json_dumps(field.encoder)  # type: ignore[arg-type]  # an encoder class is hashable

        def json_value(obj: models.Model) -> Any:
            value = getattr(obj, attname)
            if value is None:
                return None
            if not value and type(value) in _EMPTY_JSON:  # {} and [] (an event's data, no messages)
                return _EMPTY_JSON[type(value)]
            shared = _shared_dumps.get()
            if shared is None:
                return dumps(value)
            hit = shared.get(id(value))
            if hit is not None and hit[0] is value:
                return hit[1]
            text = dumps(value)
            shared[id(value)] = (value, text)
            return text

        return json_value
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        stamp = now
        prepared = field.get_db_prep_save(stamp, connection)

        def stamped(obj: models.Model) -> Any:
            setattr(obj, attname, stamp)
            return prepared

        return stamped
    auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if isinstance(field, models.UUIDField | models.DateTimeField | models.DateField) and not auto:
        convert = value_converter(field)  # prepared once per distinct value

        return lambda obj: convert(getattr(obj, attname))
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


_EMPTY_JSON: dict[type, str] = {dict: "{}", list: "[]"}
_shared_dumps: ContextVar[dict[int, tuple[Any, str]] | None] = ContextVar("guanxi_shared_dumps", default=None)


@contextmanager
def shared_dumps() -> Iterator[None]:
    """Inside the block, a JSON value written twice (the same object: a change-log row's values and
    its event's payload) is dumped once. The block keeps each dumped object alive, so an ``id`` is
    never reused for another object while it lasts; nothing may change a value in between."""
    token = _shared_dumps.set({})
    try:
        yield
    finally:
        _shared_dumps.reset(token)


@lru_cache(maxsize=16)
def _json_dumps(encoder: type[json.JSONEncoder] | None) -> Callable[[Any], str]:
    """``json.dumps(value, cls=encoder)`` as Django's JSONField writes it, with the C encoder
    doing the work and ``encoder`` consulted only for values plain JSON does not know."""
    if encoder is None:
        return json.dumps
    return functools.partial(json.dumps, default=encoder().default)


def insert_many(
    model: type[models.Model], instances: Sequence[models.Model], *, batch_size: int = 1000
) -> int:
    """INSERT ``instances`` of ``model`` (defaults and ``auto_now_add`` applied as by ``save``);
    returns how many rows were written."""
    if not instances:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    ordered, row_of = _rows(model, fields, timezone.now())
    columns = [quote(str(f.column)) for f in ordered]
    rows = [row_of(obj) for obj in instances]
    insert_rows(table, columns, rows, batch_size=batch_size)
    return len(rows)


def _rows(
    model: type[models.Model], fields: Sequence[models.Field], now: Any
) -> tuple[list[models.Field], Callable[[models.Model], tuple[Any, ...]]]:
    """How a row's database values are read off an instance: ``(fields in the row's column
    order, instance → tuple)``. The plain columns held where Django's own descriptors keep them
    (the instance's ``__dict__``) come first, read by one ``itemgetter`` call — a Python call
    per column cost more than the insert of the value (a foreign key's id goes through its
    descriptor's ``__get__``) — then the others through their ``_converter``. A column missing
    from ``__dict__`` (deferred on a loaded row) is read through its descriptor, which loads it."""
    stored = stored_attnames(model)
    plain = [f for f in fields if f.get_internal_type() in _PLAIN and f.attname in stored]
    other = [f for f in fields if not (f.get_internal_type() in _PLAIN and f.attname in stored)]
    convert = [_converter(f, now) for f in other]
    names = [f.attname for f in plain]
    if len(names) > 1:
        pick: Callable[[dict[str, Any]], tuple[Any, ...]] = operator.itemgetter(*names)
    else:  # itemgetter of one name gives the value itself, of none nothing
        pick = (lambda data: (data[names[0]],)) if names else (lambda data: ())

    def row_of(obj: models.Model) -> tuple[Any, ...]:
        try:
            head = pick(obj.__dict__)
        except KeyError:
            head = tuple([getattr(obj, name) for name in names])
        return head + tuple([c(obj) for c in convert])

    return [*plain, *other], row_of


@cache
def stored_attnames(model: type[models.Model]) -> frozenset[str]:
    """The columns whose class attribute is Django's own descriptor of a column or of a foreign
    key's id, which reads and writes the instance's ``__dict__[attname]`` and nothing else (a
    model's own property or descriptor is left to ``getattr``/``setattr``)."""
    from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
    from django.db.models.query_utils import DeferredAttribute

    django_own = (DeferredAttribute, ForeignKeyDeferredAttribute)
    return frozenset(
        f.attname
        for f in model._meta.concrete_fields
        if type(inspect.getattr_static(model, f.attname, None)) in django_own
    )


def value_converter(field: models.Field) -> Callable[[Any], Any]:
    """How one column's Python value becomes its database value, as ``insert_many`` prepares it
    off an instance (``_converter``), for rows built as tuples: plain columns as they are, JSON
    as its text (``json_text``), UUIDs and dates prepared once per distinct value (one converter
    per call). Not for ``auto_now`` columns: the caller gives their value."""
    if field.get_internal_type() in _PLAIN:
        return _as_is
    if isinstance(field, models.JSONField):
        return json_text(field)
    if isinstance(field, models.UUIDField | models.DateTimeField | models.DateField):
        memo: dict[Any, Any] = {}

        def memoised(value: Any) -> Any:
            try:
                return memo[value]
            except KeyError:
                prepared = memo[value] = field.get_db_prep_save(value, connection)
                return prepared

        return memoised
    return lambda value: field.get_db_prep_save(value, connection)


def _as_is(value: Any) -> Any:
    return value


def json_text(field: models.JSONField) -> Callable[[Any], Any]:
    """A JSON column's stored text of a value, as ``insert_many`` writes it (None stays NULL)."""
    dumps = _json_dumps(field.encoder)  # type: ignore[arg-type]  # an encoder class is hashable

    def text(value: Any) -> Any:
        if value is None:
            return None
        if not value and type(value) in _EMPTY_JSON:
            return _EMPTY_JSON[type(value)]
        return dumps(value)

    return text


def insert_tuples(model: type[models.Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> int:
    """INSERT ``rows``, tuples of database-ready values (``value_converter``) of ``model``'s
    columns ``names`` (attnames), every other column of the row at its default as
    ``new_instance`` + ``insert_many`` would store it (a callable default is called once per call,
    not once a row; ``auto_now`` columns get this call's time). The bulk mode's change-log rows
    and events are built so: no instance, no per-row attribute reads. Returns the rows written."""
    if not rows:
        return 0
    now = timezone.now()
    given = set(names)
    quote = connection.ops.quote_name
    static, dynamic = _defaults(model)
    callables = dict(dynamic)
    rest_fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in given]
    rest: list[Any] = []
    for field in rest_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            rest.append(field.get_db_prep_save(now, connection))
            continue
        value = callables[field.attname]() if field.attname in callables else static[field.attname]
        rest.append(value_converter(field)(value))
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = [quote(str(by_attname[n].column)) for n in names] + [quote(str(f.column)) for f in rest_fields]
    if rest:
        tail = tuple(rest)
        rows = [row + tail for row in rows]
    insert_rows(quote(model._meta.db_table), columns, rows)
    return len(rows)


def column_values(fields: Sequence[models.Field], instances: Sequence[models.Model]) -> list[list[Any]]:
    """Each of ``fields``' database-ready values over ``instances``, a list per field (columns,
    not rows), prepared as ``insert_many`` prepares them — for statements that write a few
    columns of many rows (``imports.engine.save_outcome``)."""
    now = timezone.now()
    return [[convert(obj) for obj in instances] for convert in (_converter(f, now) for f in fields)]


def new_instance[M: models.Model](model: type[M], values: dict[str, Any]) -> M:
    """An unsaved ``model`` instance holding ``values`` (by attname, or by a foreign key's name
    with the related object), every other field at its default — as ``model(**values)`` builds
    it, without the constructor's per-field work (bulk paths build one per written row).

    For rows written with ``insert_many``: no ``pre_init``/``post_init`` signals are sent."""
    obj = model.__new__(model)
    obj._state = ModelState()
    data = obj.__dict__
    static, dynamic = _defaults(model)
    data.update(static)
    for attname, default in dynamic:
        if attname not in values:  # a given value replaces it below: no ``timezone.now()`` for nothing
            data[attname] = default()
    # the values in one ``dict.update``, then the related objects among them (given by a foreign
    # key's name, never a column's) moved to their key, the object cached as the descriptor would
    data.update(values)
    cache = None
    for name, related_attname in _relations(model).items():
        if name in data:
            value = data.pop(name)
            data[related_attname] = None if value is None else value.pk
            if cache is None:
                cache = obj._state.fields_cache
            cache[name] = value
    return obj


@cache
def _defaults(model: type[models.Model]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """The model's defaults: ``({attname: value}, ((attname, callable), …))`` — the plain values
    copied in one ``dict.update``, the callables (``dict``, ``timezone.now``) called per row."""
    static: dict[str, Any] = {}
    dynamic = []
    for field in model._meta.concrete_fields:
        if field.has_default():
            default = field.default
        elif field.primary_key or field.null:
            default = None
        else:
            default = field.get_default()  # "" for text, None otherwise
        if callable(default):
            dynamic.append((field.attname, default))
        else:
            static[field.attname] = default
    return static, tuple(dynamic)


@cache
def _relations(model: type[models.Model]) -> dict[str, str]:
    return {f.name: f.attname for f in model._meta.concrete_fields if f.is_relation}


def insert_rows(
    table: str, columns: list[str], rows: list[tuple[Any, ...]], *, batch_size: int = 1000
) -> None:
    """INSERT ``rows`` (tuples of database-ready values) into ``table``'s quoted ``columns``.

    PostgreSQL gets one ``COPY … FROM STDIN`` (psycopg's ``Cursor.copy``: each value goes through
    its type's dumper and the COPY text escaping — tabs, newlines, backslashes, NULL as ``\\N`` —
    so no value is ever part of the SQL, and there is no statement to build or parse: a multi-row
    ``VALUES`` of thousands of parameters spent most of its time in the driver's query parsing).
    SQLite runs one prepared statement over every row (``executemany`` loops in C)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_rows(cursor, table, columns, rows)
            return
        one = "({})".format(", ".join(["%s"] * len(columns)))
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608  (names from models)
        for start in range(0, len(rows), batch_size):
            cursor.executemany(head + one, rows[start : start + batch_size])


def copy_rows(cursor: Any, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """``COPY table (columns) FROM STDIN`` the ``rows`` through a Django cursor on PostgreSQL
    (psycopg 3). Table and column names are quoted names from the models, never user input."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    # Django's CursorWrapper hands attribute access to the psycopg cursor, outside Django's error
    # translation: wrap it, so a refused value raises django.db's DataError/IntegrityError as an
    # INSERT would
    with cursor.db.wrap_database_errors, cursor.copy(sql) as copy:
        write = copy.write_row
        for row in rows:
            write(row)


def copyable(model: type[models.Model]) -> bool:
    """Whether ``create_with_copy`` can write ``model``'s rows: PostgreSQL or SQLite (the two
    databases whose keys ``reserve_keys`` draws ahead), a single table (no multi-table
    inheritance), an integer key from a sequence, and no column the database computes
    (``db_default``, generated columns), which ``bulk_create`` would have to read back."""
    if connection.vendor == "sqlite":  # keys drawn from sqlite_sequence: only AUTOINCREMENT keeps it
        return _copyable(model) and _autoincrement(model._meta.db_table)
    return connection.vendor == "postgresql" and _copyable(model)


@cache
def _autoincrement(table: str) -> bool:
    """Whether SQLite ``table``'s key is ``AUTOINCREMENT`` (Django creates integer keys so): only
    then do its own inserts respect the ``sqlite_sequence`` counter that ``reserve_keys`` moves."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
        found = cursor.fetchone()
    return found is not None and "AUTOINCREMENT" in (found[0] or "").upper()


@cache
def _copyable(model: type[models.Model]) -> bool:
    pk = model._meta.pk
    if model._meta.parents or pk is None or not isinstance(pk, models.AutoField | models.BigAutoField):
        return False
    for field in model._meta.concrete_fields:
        read_back = getattr(field, "db_returning", False) and not field.primary_key
        if getattr(field, "generated", False) or read_back:
            return False
        if field.db_default is not models.NOT_PROVIDED:
            return False
    return True


def reserve_keys(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of a ``copyable`` model's table, drawn as its own inserts draw
    them, so rows written with them never collide with rows others insert meanwhile.

    PostgreSQL: ``nextval`` of the table's sequence over ``generate_series``, one query. SQLite:
    Django's integer keys are ``AUTOINCREMENT`` (a new key is above the ``sqlite_sequence``
    counter, and an explicit key raises it), so ``UPDATE sqlite_sequence … RETURNING`` moves the
    counter past the block in one statement; it is a write, so the connection holds the
    database's write lock from here to its commit and no other writer draws from the same block.
    A table that never had a row has no counter yet: it starts from the largest key."""
    pk = model._meta.pk
    assert pk is not None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s RETURNING seq", [count, table]
        )
        found = cursor.fetchone()
        if found is None:
            quoted, column = connection.ops.quote_name(table), connection.ops.quote_name(str(pk.column))
            cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {quoted}")  # noqa: S608  (model names)
            last = cursor.fetchone()[0] + count
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last])
        else:
            last = found[0]
    return list(range(last - count + 1, last + 1))


def create_with_copy(model: type[models.Model], instances: Sequence[models.Model]) -> None:
    """Save new ``instances`` of a ``copyable`` model as ``bulk_create`` would (keys assigned,
    ``auto_now`` stamps set, instances marked saved; no signals), by one ``COPY`` (PostgreSQL) or
    one prepared ``INSERT`` run over every row (SQLite, ``insert_rows``).

    The keys come first (``reserve_keys``), so the rows go in with them and nothing has to be
    read back; no statement is compiled per batch and no value goes through the SQL compiler —
    for a bulk import the largest client-side cost after the bookkeeping rows moved here too."""
    if not instances:
        return
    relations = _cached_relations(model)
    for obj in instances:
        if not _related_in_place(obj, relations):
            obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    keys = reserve_keys(model, len(instances))
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    for obj, key in zip(instances, keys, strict=True):
        obj.pk = key
    ordered, row_of = _rows(model, list(model._meta.concrete_fields), timezone.now())
    columns = [quote(str(f.column)) for f in ordered]
    # Every value is prepared before the COPY starts: a field's preparation may read the database
    # (a money field's exchange rate), and a query on the connection in the middle of a COPY
    # waits for the COPY, which waits for the rows — a hang, not an error.
    rows = [row_of(obj) for obj in instances]
    insert_rows(table, columns, rows)
    for obj in instances:
        obj._state.adding = False
        obj._state.db = connection.alias


@cache
def _cached_relations(model: type[models.Model]) -> dict[str, Any]:
    """The model's concrete relation fields by the name they cache their object under."""
    return {f.cache_name: f for f in model._meta.concrete_fields if f.is_relation}  # type: ignore[attr-defined]


def _related_in_place(obj: models.Model, relations: dict[str, Any]) -> bool:
    """Whether Django's ``_prepare_related_fields_for_save`` has nothing to do for ``obj``: each
    related object it holds (its ``fields_cache``) is None, or saved with its key already in
    the row's column. That method walks every field of the model to find the few cached ones (the
    writer set as ``created_by`` and ``updated_by``); anything else (an unsaved object, a key to
    copy or refresh, a generic relation) goes to it, which acts or refuses as it always did."""
    for name, related in obj._state.fields_cache.items():
        field = relations.get(name)
        if field is None:
            return False
        if not related:
            continue
        value = obj.__dict__.get(field.attname)
        if value is None or value in field.empty_values or not related._is_pk_set():
            return False
        if getattr(related, field.target_field.attname) != value:
            return False
    return True
