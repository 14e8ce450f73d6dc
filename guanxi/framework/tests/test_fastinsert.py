"""fastinsert: the bookkeeping rows of bulk mode go in by COPY on PostgreSQL and executemany on
SQLite, and come back exactly as Django's own ``save()`` writes them, whatever the text holds."""

import datetime
import decimal
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from guanxi.core.models import Event, ObjectChange, SearchEntry, Tag
from guanxi.framework import fastinsert
from guanxi.framework.changes import change_row
from guanxi.framework.context import Source, actor_context
from guanxi.framework.events import build_event

# Text COPY's own syntax (tab between columns, newline between rows, backslash escapes, \N for
# NULL, \. for the end of data) and text that looks like SQL or JSON: all must arrive unchanged.
AWKWARD = [
    "tab\there",
    "line\nbreak\r\nand carriage\rreturn",
    "back\\slash \\N \\. \\t",
    "\\",
    "\\N",
    "'; DROP TABLE core_searchentry; --",
    '{"not": "json"} "quotes"',
    "张三 有限公司 ☃ 𝄞 emoji 🎉",
    "",
    " leading and trailing ",
]


def _values(model, queryset, names):
    return list(queryset.order_by("pk").values_list(*names))


def _columns(model):
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


@pytest.mark.django_db
def test_awkward_text_json_and_nulls_round_trip_like_save(admin_user):
    """The same rows through ``save()`` and through ``insert_many``: identical when read back."""
    payloads = [
        {"text": text, "nested": {"list": [text, None, 1, 2.5, True]}, "none": None} for text in AWKWARD
    ]
    payloads.append({"decimal": decimal.Decimal("12.50"), "when": datetime.date(2026, 12, 6)})  # encoder
    start = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with actor_context(admin_user, source=Source.COMMAND):
        rows = []
        for i, payload in enumerate(payloads):
            text = AWKWARD[i % len(AWKWARD)]
            rows.append(
                change_row(Tag, i + 1, text, "update", None if i % 2 else payload, payload, message=text)
            )
        for row in rows:  # Django's own path first
            saved = ObjectChange(**{f: getattr(row, f) for f in _columns(ObjectChange)})
            saved.save()
        cut = ObjectChange.objects.order_by("-pk").first().pk
        assert fastinsert.insert_many(ObjectChange, rows) == len(rows)
    names = [n for n in _columns(ObjectChange) if n != "time"]
    by_save = _values(ObjectChange, ObjectChange.objects.filter(pk__gt=start, pk__lte=cut), names)
    by_insert = _values(ObjectChange, ObjectChange.objects.filter(pk__gt=cut), names)
    assert by_insert == by_save
    assert len(by_insert) == len(payloads)
    # NULL stays NULL (not JSON null), JSON null inside a document stays null
    assert ObjectChange.objects.filter(pk__gt=cut, prechange_data__isnull=True).count() == len(payloads) // 2
    first = ObjectChange.objects.filter(pk__gt=cut).order_by("pk").first()
    assert first.postchange_data["none"] is None
    assert first.postchange_data["nested"]["list"] == [AWKWARD[0], None, 1, 2.5, True]


@pytest.mark.django_db
def test_events_round_trip_with_defaults_and_uuid(admin_user):
    with actor_context(admin_user, source=Source.COMMAND) as ctx:
        events = [
            build_event((Tag, i + 1), "created", payload={"name": text}, object_repr=text, changed=["name"])
            for i, text in enumerate(AWKWARD)
        ]
        fastinsert.insert_many(Event, events)
    stored = list(Event.objects.filter(entity_type=ContentType.objects.get_for_model(Tag)).order_by("pk"))
    assert [e.object_repr for e in stored] == AWKWARD
    assert [e.payload for e in stored] == [{"name": text} for text in AWKWARD]
    assert {(e.status, e.attempts, e.claimed_by, str(e.data), e.actor_id) for e in stored} == {
        ("pending", 0, "", "{}", admin_user.pk)
    }
    assert {e.request_id for e in stored} == {ctx.request_id}
    assert all(e.claimed_at is None and e.delivered_at is None for e in stored)


@pytest.mark.django_db
def test_insert_rows_tuples_with_awkward_keys():
    ct = ContentType.objects.get_for_model(Tag).pk
    quote = connection.ops.quote_name
    columns = [quote(c) for c in ("content_type_id", "object_id", "field", "value", "display", "weight")]
    rows = [(ct, i, "name", text, text, 50 + i) for i, text in enumerate(AWKWARD)]
    fastinsert.insert_rows(quote(SearchEntry._meta.db_table), columns, rows)
    assert list(SearchEntry.objects.order_by("object_id").values_list("object_id", "value", "display")) == [
        (i, text, text) for i, text in enumerate(AWKWARD)
    ]


@pytest.mark.django_db
def test_postgresql_copies_and_sqlite_falls_back_to_executemany(monkeypatch):
    """One path per database: COPY on PostgreSQL, executemany on SQLite (no COPY there)."""
    copied = []
    real_copy = fastinsert.copy_rows

    def spy(cursor, table, columns, rows):
        copied.append(table)
        real_copy(cursor, table, columns, rows)

    monkeypatch.setattr(fastinsert, "copy_rows", spy)
    ct = ContentType.objects.get_for_model(Tag).pk
    quote = connection.ops.quote_name
    columns = [quote(c) for c in ("content_type_id", "object_id", "field", "value", "display", "weight")]
    fastinsert.insert_rows(quote(SearchEntry._meta.db_table), columns, [(ct, 1, "name", "a\tb", "a\tb", 1)])
    assert SearchEntry.objects.get().value == "a\tb"
    if connection.vendor == "postgresql":
        assert copied == [quote(SearchEntry._meta.db_table)]
    else:
        assert connection.vendor == "sqlite"
        assert copied == []


@pytest.mark.django_db
def test_a_rejected_row_fails_the_whole_copy(admin_user):
    """A value the column refuses (text too long) raises Django's DataError, as the INSERT did:
    nothing half-written."""
    from django.db import DataError, transaction

    ct = ContentType.objects.get_for_model(Tag).pk
    quote = connection.ops.quote_name
    columns = [quote(c) for c in ("content_type_id", "object_id", "field", "value", "display", "weight")]
    rows = [(ct, 1, "name", "ok", "ok", 1), (ct, 2, "x" * 100, "too long a field name", "", 1)]
    if connection.vendor == "postgresql":
        with pytest.raises(DataError), transaction.atomic():
            fastinsert.insert_rows(quote(SearchEntry._meta.db_table), columns, rows)
        assert not SearchEntry.objects.filter(content_type_id=ct).exists()
    else:  # SQLite does not enforce varchar lengths: both rows are stored, as by the ORM
        fastinsert.insert_rows(quote(SearchEntry._meta.db_table), columns, rows)
        assert SearchEntry.objects.filter(content_type_id=ct).count() == 2  # (users have keys too)


def test_new_instance_matches_the_constructor():
    actor_pk = uuid.uuid4()  # any value: the constructor does not check it either
    values = {
        "changed_object_id": 7,
        "object_repr": "x",
        "action": "create",
        "request_id": actor_pk,
        "postchange_data": {"a": 1},
    }
    built, constructed = fastinsert.new_instance(ObjectChange, values), ObjectChange(**values)
    for field in ObjectChange._meta.concrete_fields:
        assert getattr(built, field.attname) == getattr(constructed, field.attname), field.name
    assert built._state.adding and built.pk is None
    event, plain = fastinsert.new_instance(Event, {"kind": "created"}), Event(kind="created")
    for field in Event._meta.concrete_fields:
        if field.name not in ("occurred_at", "next_attempt_at"):  # timezone.now() each
            assert getattr(event, field.attname) == getattr(plain, field.attname), field.name
    assert event.payload == {} and event.payload is not fastinsert.new_instance(Event, {}).payload


@pytest.mark.django_db
def test_create_with_copy_writes_what_bulk_create_writes(admin_user):
    """Customers through ``create_with_copy`` and through ``bulk_create``: the same columns, keys
    from the table's sequence (a later ``save`` gets the next one), instances marked saved."""
    from guanxi.customers.models import Customer

    assert fastinsert.copyable(Customer)  # both databases draw keys ahead (reserve_keys)

    def rows(suffix):
        out = []
        for n, text in enumerate(AWKWARD):
            row = Customer(name=f"{text}{suffix}{n}", phone=f"1380013{n:04d}", owner=admin_user)
            row.department_id = admin_user.department_id
            row.before_write(set(), True)
            out.append(row)
        return out

    copied, bulk = rows("c"), rows("b")
    with actor_context(admin_user, source=Source.COMMAND):
        fastinsert.create_with_copy(Customer, copied)
        Customer.objects.bulk_create(bulk)
    assert all(c.pk and not c._state.adding and c._state.db == "default" for c in copied)
    names = [
        f.attname
        for f in Customer._meta.concrete_fields
        if f.attname not in ("id", "name", "name_key", "created_at", "updated_at", "owned_since")
    ]
    by_copy = _values(Customer, Customer.objects.filter(pk__in=[c.pk for c in copied]), names)
    by_bulk = _values(Customer, Customer.objects.filter(pk__in=[c.pk for c in bulk]), names)
    assert by_copy == by_bulk
    stored = dict(Customer.objects.filter(pk__in=[c.pk for c in copied]).values_list("pk", "name"))
    assert stored == {c.pk: c.name for c in copied}
    with actor_context(admin_user, source=Source.COMMAND):
        later = Customer.objects.create(name="之后", owner=admin_user)
    assert later.pk > max(c.pk for c in copied + bulk)


@pytest.mark.django_db(transaction=True)
def test_reserved_keys_are_never_drawn_again(admin_user):
    """Blocks of keys drawn ahead are disjoint, start above the rows already there (also for a
    table whose counter does not exist yet: SQLite creates ``sqlite_sequence`` rows lazily), and
    an ordinary insert afterwards gets a key above every block."""
    from guanxi.customers.models import Customer

    with actor_context(admin_user, source=Source.COMMAND):
        first = Customer.objects.create(name="已有", owner=admin_user)
    if connection.vendor == "sqlite":
        # a key that is not AUTOINCREMENT ignores the counter: such a table keeps bulk_create
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS test_plain_key")
            cursor.execute("CREATE TABLE test_plain_key (id integer PRIMARY KEY, name text)")
        try:
            assert not fastinsert._autoincrement("test_plain_key")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE test_plain_key")
        assert fastinsert._autoincrement(Customer._meta.db_table)
    if connection.vendor == "sqlite":  # the counter as a table without one has it
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [Customer._meta.db_table])
    one = fastinsert.reserve_keys(Customer, 3)
    two = fastinsert.reserve_keys(Customer, 2)
    assert len(one) == 3 and len(two) == 2
    assert min(one) > first.pk and min(two) > max(one)
    with actor_context(admin_user, source=Source.COMMAND):
        later = Customer.objects.create(name="之后", owner=admin_user)
    assert later.pk > max(two)


@pytest.mark.django_db
def test_a_value_shared_by_two_rows_is_dumped_once_inside_shared_dumps(admin_user, monkeypatch):
    """A bulk event's payload is its change-log row's values: written in one ``shared_dumps``
    block the dict is dumped once, and both rows hold it; empty ``{}``/``[]`` need no dump."""
    import json

    dumped = []
    real_dumps = json.dumps

    def counting(value, *args, **kwargs):
        dumped.append(value)
        return real_dumps(value, *args, **kwargs)

    fastinsert._json_dumps.cache_clear()
    monkeypatch.setattr(json, "dumps", counting)
    try:
        values = {"name": "飞海科技", "level": "A"}
        with actor_context(admin_user, source=Source.COMMAND), fastinsert.shared_dumps():
            changes = [change_row(Tag, 1, "飞海科技", "create", None, values)]
            fastinsert.insert_many(ObjectChange, changes)
            events = [build_event((Tag, 1), "created", payload=values, changed=[])]
            fastinsert.insert_many(Event, events)
    finally:
        fastinsert._json_dumps.cache_clear()
    assert [v for v in dumped if v == values] == [values]
    assert {} not in dumped and [] not in dumped  # the event's data and changed fields
    tag = ContentType.objects.get_for_model(Tag)
    assert ObjectChange.objects.get(changed_object_type=tag).postchange_data == values
    event = Event.objects.get(entity_type=tag)
    assert (event.payload, event.data, event.changed_fields) == (values, {}, [])


def _raw(model, after_pk, skip):
    """The stored rows of ``model`` after ``after_pk`` as the database gives them back (JSON as
    its stored text), without the key and the ``skip`` columns."""
    names = [f.column for f in model._meta.concrete_fields if not f.primary_key and f.column not in skip]
    quote = connection.ops.quote_name
    cast = "::text" if connection.vendor == "postgresql" else ""
    columns = ", ".join(f"{quote(n)}{cast}" for n in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE id > %s ORDER BY id",  # noqa: S608
            [after_pk],
        )
        return cursor.fetchall()


def _last_pk(model):
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.django_db
def test_bulk_mode_writes_the_rows_instances_would(admin_user):
    """Bulk mode builds its change-log rows and events as tuples (``changes._write_entries``,
    ``events.capture_entries``): every column of what it stores — the JSON text byte for byte —
    is what the ObjectChange and Event instances written by ``insert_many`` and
    ``events.capture`` (the previous representation) store, for creates, updates with a message
    and encoder values, deletes and a child's change with its parent."""
    from guanxi.framework import changes
    from guanxi.framework.events import capture

    tags = [Tag(pk=100 + i, name=text) for i, text in enumerate(AWKWARD)]
    before = {tag.pk: {"name": f"old {tag.name}"} for tag in tags}
    after = {"name": "新名字\t\\N", "amount": decimal.Decimal("12.50"), "when": datetime.date(2026, 12, 6)}
    tag_type = ContentType.objects.get_for_model(Tag)

    def built():  # the same changes as ObjectChange instances (the previous representation)
        rows = changes._change_rows([(t, None, changes.created_snapshot(t)) for t in tags], "create")
        rows += changes._change_rows(
            [(t, *changes.diff(before[t.pk], after)) for t in tags], "update", "合并 \t 'x'"
        )
        rows.append(change_row(Tag, 7, "gone", "delete", {"name": "gone", "n": None}, None))
        rows.append(change_row(Tag, 8, "child", "update", {"a": 1}, {"a": 2}, related=(tag_type, 5)))
        rows.append(change_row(Tag, 9, "empty", "delete", None, None))
        return rows

    with actor_context(admin_user, source=Source.TASK):
        start_changes, start_events = _last_pk(ObjectChange), _last_pk(Event)
        rows = built()
        with fastinsert.shared_dumps():
            fastinsert.insert_many(ObjectChange, rows)
            capture(rows, [])
        cut_changes, cut_events = _last_pk(ObjectChange), _last_pk(Event)
        with changes.buffered():
            changes.log_bulk_create(tags)
            changes.log_bulk_update(tags, before, after, message="合并 \t 'x'")
            changes.write_changes(built()[-3:])
    old_changes = _raw(ObjectChange, start_changes, {"time"})[: len(rows)]
    old_events = _raw(Event, start_events, {"occurred_at", "next_attempt_at"})[: len(rows)]
    assert len(old_changes) == len(old_events) == len(rows) == 2 * len(AWKWARD) + 3
    assert _raw(ObjectChange, cut_changes, {"time"}) == old_changes
    assert _raw(Event, cut_events, {"occurred_at", "next_attempt_at"}) == old_events
    # each event happened when its change-log row says
    new = ObjectChange.objects.filter(pk__gt=cut_changes).order_by("pk")
    assert list(new.values_list("time", flat=True)) == list(
        Event.objects.filter(pk__gt=cut_events).order_by("pk").values_list("occurred_at", flat=True)
    )


@pytest.mark.django_db
def test_create_with_copy_checks_related_objects_as_bulk_create(make_user):
    """Related objects held by the rows: an unsaved one is refused with Django's own error, one
    saved after it was assigned gives the row its key — the writer held as ``created_by`` passes
    without Django's walk over every field (``fastinsert._related_in_place``)."""
    from guanxi.customers.models import Customer

    user = make_user("copy_rel")
    User = type(user)
    refused = Customer(name="甲公司", owner=User(username="nobody_yet"))
    with pytest.raises(ValueError, match="unsaved related object 'owner'"):
        fastinsert.create_with_copy(Customer, [refused])
    later = User(username="saved_later")
    late = Customer(name="乙公司", owner=later, created_by=user)
    with actor_context(user, source=Source.COMMAND):
        later.save()
    plain = Customer(name="丙公司", owner=user, created_by=user, updated_by=None)
    assert not fastinsert._related_in_place(late, fastinsert._cached_relations(Customer))
    assert fastinsert._related_in_place(plain, fastinsert._cached_relations(Customer))
    fastinsert.create_with_copy(Customer, [late, plain])
    stored = dict(Customer.objects.filter(name__in=["乙公司", "丙公司"]).values_list("name", "owner_id"))
    assert stored == {"乙公司": later.pk, "丙公司": user.pk}
