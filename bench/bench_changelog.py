"""Change capture: what recording every write in the change log costs.

Creates N tags through the ORM (each save writes the row, an ObjectChange with the full row,
and its search keys) and compares with inserting the same rows by raw SQL, and with the same ORM
saves with the capture receivers disconnected. All inside one transaction per run, so the
numbers show CPU and statement cost rather than the disk's fsync.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from bench.common import Result, median_ms, pick
from guanxi.core.models import ObjectChange, SearchEntry, Tag
from guanxi.framework.context import Source, actor_context
from guanxi.framework.signals import _on_save


def _names(n: int, run: list[int]) -> list[str]:
    run[0] += 1
    return [f"bench-{run[0]}-{i}" for i in range(n)]


def _cleanup() -> None:
    with connection.cursor() as cursor:
        for model in (SearchEntry, ObjectChange, Tag):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def run(scale: str) -> list[Result]:
    n = pick(scale, 200, 5000)
    repeat = pick(scale, 7, 9)
    run_no = [0]

    def orm_create() -> None:
        with actor_context(None, source=Source.COMMAND), transaction.atomic():
            for name in _names(n, run_no):
                Tag(name=name, slug=name, color="blue").save()

    table = connection.ops.quote_name(Tag._meta.db_table)
    columns = ["name", "slug", "color", "description", "custom_field_data", "created_at", "updated_at"]
    sql = (
        f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )

    def raw_insert() -> None:
        now = timezone.now()
        rows = [(name, name, "blue", "", "{}", now, now) for name in _names(n, run_no)]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def orm_without_capture() -> None:
        post_save.disconnect(dispatch_uid="guanxi_capture_save")
        try:
            orm_create()
        finally:
            post_save.connect(_on_save, dispatch_uid="guanxi_capture_save")

    orm = median_ms(orm_create, repeat=repeat, teardown=_cleanup)
    raw = median_ms(raw_insert, repeat=repeat, teardown=_cleanup)
    bare = median_ms(orm_without_capture, repeat=repeat, teardown=_cleanup)
    return [
        Result(
            "create N tags: ORM save + change log + search keys",
            "raw SQL INSERT (executemany)",
            orm,
            raw,
            n,
            "one transaction per run",
        ),
        Result(
            "create N tags: ORM save + change log + search keys",
            "ORM save, capture disconnected",
            orm,
            bare,
            n,
            "the change log's and search index's own share",
        ),
    ]
