"""Bulk loader of the customers benchmark: an org chart, N customers, 2N contacts, links, search keys.

Rows go in by COPY on PostgreSQL and by multi-row INSERTs in one transaction on SQLite, without
change capture (what an import at this size would do). Secondary indexes of the loaded tables are
dropped before the load and rebuilt after it — building an index once is several times cheaper
than maintaining it row by row. Every concrete column the loader does not set itself (fields other
modules add to Customer or Contact) gets the model's default, so the loader keeps working when
columns are added.

Search keys are the ``core.SearchEntry`` rows ``guanxi.framework.search.entries_for`` would
write. ``keys_for`` costs ~150 µs per Chinese value (pypinyin), too slow for 3M names, so company
names are built from parts and their keys composed from the parts' keys (text, pinyin and initials
concatenate); ``check_composed_keys`` compares the composition with ``keys_for`` on a sample.
"""

from __future__ import annotations

import datetime
import functools
import json
import random
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction

from guanxi.framework.context import Source, actor_context

UNUSABLE_PASSWORD = "!"  # noqa: S105  (bench users never sign in with a password)

CITIES = (
    ("广东", "广州"), ("广东", "深圳"), ("广东", "东莞"), ("上海", "上海"), ("北京", "北京"),
    ("浙江", "杭州"), ("浙江", "宁波"), ("江苏", "南京"), ("江苏", "苏州"), ("四川", "成都"),
    ("湖北", "武汉"), ("山东", "济南"), ("山东", "青岛"), ("福建", "厦门"), ("河南", "郑州"),
    ("湖南", "长沙"), ("陕西", "西安"), ("天津", "天津"), ("重庆", "重庆"), ("辽宁", "沈阳"),
    ("安徽", "合肥"), ("云南", "昆明"), ("江西", "南昌"), ("河北", "石家庄"), ("广西", "南宁"),
)  # fmt: skip
BRAND_FIRST = "华星腾鑫宏恒东金中博天瑞盛德新永嘉万富泰隆安远志通达信诚佳凯明光海"
BRAND_SECOND = "信河达源图通方科远辉昌盛泰德华康力航宇辰创智联锦峰祥和兴邦丰晟"
INDUSTRIES = (
    "科技", "贸易", "实业", "电子", "机械", "信息技术", "医药", "物流", "建设", "食品",
    "能源", "教育科技", "文化传媒", "新材料", "汽车配件", "服装", "化工", "环保", "软件", "咨询",
)  # fmt: skip
SUFFIXES = ("有限公司", "股份有限公司", "有限责任公司", "集团有限公司")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰志建华红玉萍飞鹏辉宇浩凯健俊帆波斌晨欣怡婷雪琳晶"
TITLES = ("总经理", "采购经理", "财务总监", "技术负责人", "销售总监", "行政主管", "项目经理", "")


def make_org(prefix: str) -> tuple[list, list, Any]:
    """Departments (总部 → 4 regions → 3 branches → 4 teams, 65 nodes) and 200 users with managers,
    as in bench_scopes (own usernames, so both benchmarks can share a database)."""
    from guanxi.users.models import Department, User

    with actor_context(None, source=Source.COMMAND):
        root = Department.objects.create(name=f"{prefix}总部")
        depts, teams = [root], []
        for r in range(4):
            region = Department.objects.create(name=f"{prefix}大区{r + 1}", parent=root)
            depts.append(region)
            for b in range(3):
                branch = Department.objects.create(name=f"{prefix}分公司{r + 1}-{b + 1}", parent=region)
                depts.append(branch)
                for t in range(4):
                    team = Department.objects.create(
                        name=f"{prefix}销售组{r + 1}-{b + 1}-{t + 1}", parent=branch
                    )
                    depts.append(team)
                    teams.append(team)
        users = User.objects.bulk_create(
            [
                User(
                    username=f"{prefix}{i:03d}",
                    password=UNUSABLE_PASSWORD,
                    name=f"销售{i:03d}",
                    department=depts[i] if i < len(depts) else teams[i % len(teams)],
                )
                for i in range(200)
            ]
        )
        head = {u.department_id: u for u in users[: len(depts)]}
        parent = {d.pk: d.parent_id for d in depts}
        for user in users:
            boss = head[user.department_id]
            user.manager = boss if boss is not user else head.get(parent[user.department_id])
        User.objects.bulk_update(users, ["manager"])
    return depts, users, depts[1]


# --- search keys --------------------------------------------------------------------------------
@functools.cache
def part_keys(text: str) -> tuple[str, str, str]:
    """(text, pinyin, initials) of one Chinese part, through the framework's own ``keys_for``."""
    from pypinyin import Style, lazy_pinyin

    return (
        text,
        "".join(lazy_pinyin(text, errors="ignore")),
        "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")),
    )


def composed_keys(parts: Iterable[str]) -> set[str]:
    pieces = [part_keys(p) for p in parts]
    return {"".join(p[i] for p in pieces)[:200] for i in range(3)}


@functools.cache
def person_keys(name: str) -> frozenset[str]:
    from guanxi.framework.search import keys_for

    return frozenset(keys_for(name))


def phone_keys(phone: str) -> set[str]:
    return {phone, phone.lstrip("+")}


def check_composed_keys(sample: int = 300) -> int:
    """How many of ``sample`` random company names get other keys from ``keys_for`` than composed."""
    from guanxi.framework.search import keys_for

    rng = random.Random(7)
    bad = 0
    for _ in range(sample):
        parts = company_parts(rng)
        bad += keys_for("".join(parts)) != composed_keys(parts)
    return bad


def company_parts(rng: random.Random) -> tuple[str, str, str, str]:
    _province, city = CITIES[rng.randrange(len(CITIES))]
    brand = BRAND_FIRST[rng.randrange(len(BRAND_FIRST))] + BRAND_SECOND[rng.randrange(len(BRAND_SECOND))]
    return city, brand, INDUSTRIES[rng.randrange(len(INDUSTRIES))], SUFFIXES[rng.randrange(len(SUFFIXES))]


def mobile(rng: random.Random) -> str:
    return f"+861{rng.choice('3456789')}{rng.randrange(10**9):09d}"


# --- generic loading ----------------------------------------------------------------------------
def _db_default(field: Any) -> Any:
    value = field.get_default()
    if isinstance(value, dict | list):
        return json.dumps(value)
    if value is None and not field.null:  # a NOT NULL column without a default: its type's zero
        return {"BooleanField": False, "CharField": "", "TextField": ""}.get(field.get_internal_type(), 0)
    return field.get_db_prep_save(value, connection) if value is not None else None


def columns_of(model: Any, given: tuple[str, ...]) -> tuple[list[str], tuple]:
    """All concrete columns of ``model``: ``given`` first, then the rest with their defaults."""
    extra = [f for f in model._meta.concrete_fields if f.column not in given and not f.primary_key]
    return [*given, *(f.column for f in extra)], tuple(_db_default(f) for f in extra)


def secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of every index of ``tables`` not backing a constraint."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = ANY(%s) AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [tables],
            )
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks})",
                tables,
            )
        return list(cursor.fetchall())


def insert_rows(model: Any, given: tuple[str, ...], rows: Iterator[tuple]) -> int:
    """Write ``rows`` (values of ``given`` columns) into ``model``'s table; returns the count."""
    columns, defaults = columns_of(model, given)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    width = len(columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + defaults)
                    count += 1
            return count
        chunk = 30_000 // width  # rows per INSERT, under SQLite's limit of bound variables
        one = "(" + ", ".join(["%s"] * width) + ")"
        sql = f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * chunk)
        batch: list = []
        for row in rows:
            batch.extend(row + defaults)
            count += 1
            if len(batch) == chunk * width:
                cursor.execute(sql, batch)
                batch = []
        if batch:
            part = len(batch) // width
            cursor.execute(f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * part), batch)
    return count


# --- the data -----------------------------------------------------------------------------------
CUSTOMER_COLUMNS = (
    "id", "created_at", "updated_at", "custom_field_data", "owner_id", "department_id", "kind",
    "name", "short_name", "industry", "scale", "province", "city", "phone", "source", "level",
    "stage", "status", "name_key", "owned_since",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "created_at", "updated_at", "custom_field_data", "owner_id", "department_id",
    "name", "title", "phone",
)  # fmt: skip
LINK_COLUMNS = ("id", "created_at", "updated_at", "customer_id", "contact_id", "role", "is_primary")
CHUNK = 50_000
ENTRY_COLUMNS = ("content_type_id", "object_id", "field", "value", "display", "weight")


def load(n_customers: int, users: list, *, seed: int = 42) -> dict[str, Any]:
    """Load N customers (2 contacts each, linked) and their search keys; returns facts for the
    measurements (ids, a visible customer, the values used in queries)."""
    from django.contrib.contenttypes.models import ContentType

    from guanxi.core.choices import active_values
    from guanxi.core.models import SearchEntry
    from guanxi.customers.choices import LEVEL_LIST, STAGE_LIST
    from guanxi.customers.models import Contact, Customer, CustomerContact
    from guanxi.framework.entities import entity_for

    rng = random.Random(seed)
    customer_fields = entity_for(Customer).search_index.fields
    contact_fields = entity_for(Contact).search_index.fields
    weights = {**dict(customer_fields), **{f"c_{k}": w for k, w in contact_fields}}
    ct_customer = ContentType.objects.get_for_model(Customer).pk
    ct_contact = ContentType.objects.get_for_model(Contact).pk
    start = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)
    pairs = [(u.pk, u.department_id) for u in users]
    first_customer = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first_contact = (Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first_link = (CustomerContact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    entries: list[tuple] = []  # flushed into SearchEntry after the rows
    owners: list[tuple[int, int]] = []
    kinds = [k.value for k in Customer.Kind]
    # the shipped codes (the lists themselves are configurable: customers.choices)
    industries, scales = list(Customer.Industry.values), list(Customer.Scale.values)
    sources = list(Customer.Source.values)
    # the configured levels and stages (Settings → Choice lists), active ones only
    levels, stages = sorted(active_values(LEVEL_LIST)), sorted(active_values(STAGE_LIST))

    def customer(i: int) -> tuple:
        pk = first_customer + i
        owner, dept = pairs[rng.randrange(len(pairs))]
        owners.append((owner, dept))
        parts = company_parts(rng)
        name = "".join(parts)
        short = parts[1] + parts[2] if rng.random() < 0.4 else ""
        phone = mobile(rng) if rng.random() < 0.8 else ""
        stamp = start + datetime.timedelta(seconds=i * 90 + rng.randrange(90))
        province = next(p for p, c in CITIES if c == parts[0])
        for key in composed_keys(parts):
            entries.append((ct_customer, pk, "name", key, name, weights["name"]))
        if short:
            for key in composed_keys(parts[1:3]):
                entries.append((ct_customer, pk, "short_name", key, short, weights["short_name"]))
        if phone:
            for key in phone_keys(phone):
                entries.append((ct_customer, pk, "phone", key, phone, weights["phone"]))
        return (
            pk, stamp, stamp, "{}", owner, dept, kinds[0 if i % 20 else 1], name, short,
            industries[rng.randrange(len(industries))],
            scales[rng.randrange(len(scales))], province, parts[0], phone,
            sources[rng.randrange(len(sources))], levels[rng.randrange(len(levels))],
            stages[rng.randrange(len(stages))], "active", "".join(parts[:3]), stamp,
        )  # fmt: skip

    def contact(i: int) -> tuple:
        pk = first_contact + i
        owner, dept = owners[i // 2]
        given = "".join(GIVEN[rng.randrange(len(GIVEN))] for _ in range(1 + (rng.random() < 0.6)))
        name = SURNAMES[rng.randrange(len(SURNAMES))] + given
        phone = mobile(rng) if rng.random() < 0.9 else ""
        stamp = start + datetime.timedelta(seconds=i * 45)
        for key in person_keys(name):
            entries.append((ct_contact, pk, "name", key, name, weights["c_name"]))
        if phone:
            for key in phone_keys(phone):
                entries.append((ct_contact, pk, "phone", key, phone, weights["c_phone"]))
        return (pk, stamp, stamp, "{}", owner, dept, name, TITLES[rng.randrange(len(TITLES))], phone)

    def link(i: int) -> tuple:
        stamp = start + datetime.timedelta(seconds=i * 45)
        role = "decision_maker" if i % 2 == 0 else "user"
        return (first_link + i, stamp, stamp, first_customer + i // 2, first_contact + i, role, i % 2 == 0)

    counts = {"customers": 0, "contacts": 0, "links": 0, "entries": 0}

    def phase(model: Any, columns: tuple[str, ...], make: Any, n: int, key: str) -> None:
        """Rows in chunks, each followed by the search keys it produced (one COPY at a time)."""
        for lo in range(0, n, CHUNK):
            counts[key] += insert_rows(model, columns, (make(i) for i in range(lo, min(n, lo + CHUNK))))
            if entries:
                counts["entries"] += insert_rows(SearchEntry, ENTRY_COLUMNS, iter(entries))
                entries.clear()

    tables = [m._meta.db_table for m in (Customer, Contact, CustomerContact, SearchEntry)]
    indexes = secondary_indexes(tables)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # no FK trigger per row: the loader's ids are consistent
            cursor.execute("SET LOCAL session_replication_role = replica")
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        phase(Customer, CUSTOMER_COLUMNS, customer, n_customers, "customers")
        phase(Contact, CONTACT_COLUMNS, contact, 2 * n_customers, "contacts")
        phase(CustomerContact, LINK_COLUMNS, link, 2 * n_customers, "links")
        for _name, sql in indexes:
            cursor.execute(sql)
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Customer, Contact, CustomerContact]):
            cursor.execute(sql)
        # What autovacuum would have done by the time anyone reads: statistics, and on PostgreSQL
        # the visibility map, without which no index-only scan (the pager's COUNT) is possible.
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
    return {**counts, "first_customer": first_customer}
