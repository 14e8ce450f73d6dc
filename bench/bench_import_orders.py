"""The staged import of orders with their lines: N lines (5 a order) from one CSV, one row per line.

The engine side is the whole pipeline a user's import runs (``guanxi.imports.engine`` handing over
to ``guanxi.imports.lines``): staging, the Chinese titles mapped, every row parsed (customer by
name, product by SKU, dates, numbers), the rows grouped by 订单编号, each order checked by the
model's rules and its lines by the contracts service (``build_order_lines``: price from the
product when the cell is empty, the total computed), then orders and lines written in chunks
through the write path's bulk mode with the change log, events and search keys. The baseline
reads the same file into a bare table (the csv module and one ``executemany``).

Before timing, the line checks what it measures: N / 5 orders with 5 lines each, every order's
total equal to the sum of its lines computed here from the file, one "create" change-log row per
order and per line.
"""

from __future__ import annotations

import csv
import decimal
import os
import random
import tempfile
import time
from pathlib import Path

from django.db import connection, transaction

from bench.common import Result, pick
from guanxi.framework.context import Source, actor_context

LINES_PER_ORDER = 5


def _write_file(path: Path, n: int, seed: int) -> dict[str, decimal.Decimal]:
    """The CSV of ``n`` lines; returns each order's expected total."""
    rng = random.Random(seed)
    totals: dict[str, decimal.Decimal] = {}
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["订单编号", "客户名称", "订单日期", "负责人", "产品编码", "数量", "单价", "折扣"])
        for i in range(n):
            number = f"SO-B{i // LINES_PER_ORDER:06d}"
            first = i % LINES_PER_ORDER == 0
            quantity = rng.randint(1, 20)
            price = decimal.Decimal(rng.randint(100, 99_999)) / 100
            discount = rng.choice((0, 5, 10))
            gross = (quantity * price).quantize(decimal.Decimal("0.01"), decimal.ROUND_HALF_UP)
            cut = (gross * discount / 100).quantize(decimal.Decimal("0.01"), decimal.ROUND_HALF_UP)
            totals[number] = totals.get(number, decimal.Decimal(0)) + gross - cut
            writer.writerow(
                [
                    number,
                    f"基准客户{(i // LINES_PER_ORDER) % 100:03d}" if first else "",
                    f"2026-{1 + (i // LINES_PER_ORDER) % 12:02d}-15" if first else "",
                    "导入员" if first else "",
                    f"BP-{rng.randrange(200):03d}",
                    quantity,
                    f"{price}",
                    discount,
                ]
            )
    return totals


def _setup() -> object:
    from guanxi.customers.models import Customer
    from guanxi.products.models import Product
    from guanxi.users.models import Department, User

    with actor_context(None, source=Source.COMMAND):
        dept, _ = Department.objects.get_or_create(name="导入部")
        user, _ = User.objects.get_or_create(
            username="bench-orders", defaults={"name": "导入员", "department": dept, "is_superuser": True}
        )
        for i in range(100):
            Customer.objects.get_or_create(name=f"基准客户{i:03d}")
        for i in range(200):
            Product.objects.get_or_create(sku=f"BP-{i:03d}", defaults={"name": f"基准产品{i:03d}"})
    return user


def _cleanup() -> None:
    from guanxi.contracts.models import Order, OrderLine
    from guanxi.core.models import Event, ObjectChange, SearchEntry
    from guanxi.imports.models import ImportBatch

    ImportBatch.objects.all().delete()
    with connection.cursor() as cursor:
        for model in (SearchEntry, Event, ObjectChange, OrderLine, Order):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def _bare_load(path: Path) -> float:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_orders_bare")
        cursor.execute(f"CREATE TABLE bench_orders_bare ({', '.join(f'c{i} text' for i in range(8))})")
    started = time.perf_counter()
    with (
        path.open(encoding="utf-8-sig", newline="") as data,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        reader = csv.reader(data)
        next(reader)
        cursor.executemany(
            f"INSERT INTO bench_orders_bare VALUES ({', '.join(['%s'] * 8)})",
            list(reader),
        )
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_orders_bare")
    return elapsed


def _check(batch: object, totals: dict[str, decimal.Decimal], n: int) -> None:
    from django.contrib.contenttypes.models import ContentType

    from guanxi.contracts.models import Order, OrderLine
    from guanxi.core.models import ObjectChange

    got = dict(Order.objects.values_list("number", "total_amount"))
    if got != totals:
        wrong = [k for k in totals if got.get(k) != totals[k]][:3]
        raise AssertionError(f"{len(got)} orders for {len(totals)}; wrong totals {wrong}; {batch.summary()}")  # type: ignore[attr-defined]
    if OrderLine.objects.count() != n:
        raise AssertionError(f"{OrderLine.objects.count()} lines for {n}")
    for model, expected in ((Order, len(totals)), (OrderLine, n)):
        logged = ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(model), action="create"
        ).count()
        if logged != expected:
            raise AssertionError(f"{logged} change-log rows for {expected} {model._meta.model_name}s")


def run(scale: str) -> list[Result]:
    from guanxi.contracts.models import Order
    from guanxi.imports import engine

    n = int(os.environ.get("BENCH_IMPORT_LINES") or pick(scale, 2_000, 10_000))
    user = _setup()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "订单导入.csv"
        totals = _write_file(path, n, seed=7)
        _cleanup()
        baseline = _bare_load(path)
        started = time.perf_counter()
        batch = engine.create_batch(user, Order, str(path), path.name)
        engine.run(batch)
        seconds = time.perf_counter() - started
        batch.refresh_from_db()
        _check(batch, totals, n)
        timings = batch.timings
        _cleanup()
    return [
        Result(
            f"import N order lines ({n // LINES_PER_ORDER:,} orders × {LINES_PER_ORDER} lines) from a CSV: "
            "stage, validate, group by order number, lines and totals by the contracts service, "
            "commit with change log + events + search keys",
            "raw load of the same file into a bare table: csv module + executemany",
            seconds * 1000,
            baseline * 1000,
            n,
            f"{n / seconds:,.0f} lines/s ({len(totals) / seconds:,.0f} orders/s); phases stage "
            f"{timings.get('stage', 0):.1f} s, validate {timings.get('validate', 0):.1f} s, "
            f"commit {timings.get('commit', 0):.1f} s; one run",
        )
    ]
