"""Follow-ups for the customers benchmark: N rows, 2,000 of them on one customer (the 360° page).

Loaded like the rest of ``bench/customer_data.py`` (COPY / multi-row INSERT, secondary indexes
rebuilt after, model defaults for columns the loader does not set), with the search keys the
framework writes for ``FollowUpIndex`` (content drawn from a pool of phrases, keys cached).
"""

from __future__ import annotations

import datetime
import functools
import random
from typing import Any

from django.db import connection, transaction

from bench.customer_data import CHUNK, ENTRY_COLUMNS, insert_rows, secondary_indexes

HOT_ENTRIES = 2_000
PHRASES = (
    "电话沟通采购计划，客户预计下季度扩大订单", "上门拜访，演示新版系统，对方技术负责人很感兴趣",
    "发送报价单，等待财务审批", "微信确认合同条款，下周签约", "客户反馈交付延迟，已协调物流",
    "参加客户年会，结识采购总监", "电话未接通，明天再联系", "沟通售后服务，客户满意",
    "讨论续约事宜，对方希望价格下调百分之五", "邮件发送产品资料和案例", "面谈项目预算和时间表",
    "客户提出定制需求，转交技术部评估", "确认样品已收到，试用两周", "拜访新任总经理，介绍合作历史",
)  # fmt: skip
COLUMNS = (
    "id", "created_at", "updated_at", "custom_field_data", "owner_id", "department_id", "kind",
    "occurred_at", "content", "outcome", "target_type_id", "target_id", "customer_id",
)  # fmt: skip


@functools.cache
def phrase_keys(text: str) -> frozenset[str]:
    from guanxi.framework.search import keys_for

    return frozenset(keys_for(text))


def load_follow_ups(
    n: int, first_customer: int, n_customers: int, hot: int, *, with_keys: bool = True, seed: int = 5
) -> int:
    """``n`` follow-ups: ``HOT_ENTRIES`` on customer ``hot``, the rest on random customers (owned
    by the customer's owner); returns the number of search keys written (none without
    ``with_keys``: the 360° page does not read them, and rebuilding the key indexes over twice
    the keys is most of the load time)."""
    from django.contrib.contenttypes.models import ContentType
    from guanxi.activities.search import FollowUpIndex

    from guanxi.activities.choices import FollowUpKind, Outcome
    from guanxi.activities.models import FollowUp
    from guanxi.core.models import SearchEntry
    from guanxi.customers.models import Customer

    rng = random.Random(seed)
    ct_customer = ContentType.objects.get_for_model(Customer).pk
    ct_follow_up = ContentType.objects.get_for_model(FollowUp).pk
    weight = dict(FollowUpIndex.fields)["content"]
    owners = {
        pk: (o, d)
        for pk, o, d in Customer.objects.values_list("pk", "owner_id", "department_id").iterator(10_000)
    }
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    first = (FollowUp.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    kinds, outcomes = [k.value for k in FollowUpKind], [o.value for o in Outcome]
    entries: list[tuple] = []

    def row(i: int) -> tuple:
        customer = hot if i < HOT_ENTRIES else first_customer + rng.randrange(n_customers)
        owner, dept = owners[customer]
        when = start + datetime.timedelta(seconds=rng.randrange(700 * 86_400))
        content = PHRASES[rng.randrange(len(PHRASES))]
        for key in phrase_keys(content) if with_keys else ():
            entries.append((ct_follow_up, first + i, "content", key, content, weight))
        return (
            first + i, when, when, "{}", owner, dept, kinds[rng.randrange(len(kinds))], when, content,
            outcomes[rng.randrange(len(outcomes))], ct_customer, customer, customer,
        )  # fmt: skip

    keys = 0
    tables = [FollowUp._meta.db_table, *([SearchEntry._meta.db_table] if with_keys else [])]
    indexes = secondary_indexes(tables)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        for lo in range(0, n, CHUNK):
            insert_rows(FollowUp, COLUMNS, (row(i) for i in range(lo, min(n, lo + CHUNK))))
            if entries:
                keys += insert_rows(SearchEntry, ENTRY_COLUMNS, iter(entries))
                entries.clear()
        for _name, sql in indexes:
            cursor.execute(sql)
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [FollowUp]):
            cursor.execute(sql)
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
    return keys


def hot_customer(subtree: list[int]) -> Any:
    """A customer the manager sees (in the region's subtree): the 360° page's subject."""
    from guanxi.customers.models import Customer

    return Customer.objects.filter(department_id__in=subtree).order_by("pk").first()
