"""Export: N customers to CSV through the export engine vs the database's own fastest dump.

The engine line is what the list's export button, the export job and ``guanxi export`` run
(guanxi/framework/exporting.py): ``restrict()`` as an administrator, the list's table with six
columns (linked name, phone, level label, city, owner, created), values formatted per column,
formula neutralisation, UTF-8 with BOM, records streamed with ``iterator(chunk_size=2000)``.
The baseline is the raw dump of the same columns: ``COPY (SELECT … JOIN users …) TO STDOUT
WITH CSV`` on PostgreSQL, a cursor loop into ``csv.writer`` on SQLite. Before timing, both files
are read back and must hold the same (name, phone) rows.

Memory: tracemalloc's peak while the engine writes N/10 and then N rows (a separate, untimed run:
tracing slows Python down); flat memory means the two peaks are about the same.
"""

from __future__ import annotations

import csv
import os
import tempfile
import tracemalloc
from pathlib import Path

from django.db import connection

from bench.common import Result, median_ms, pick
from bench.customer_data import load, make_org

COLUMNS = "name,phone,level,city,owner,created_at"

EPILOGUE = """
**Not yet at the 1M-in-60-s target.** Memory is flat (the same tracemalloc peak at 10,000 and
100,000 rows: one chunk of records at a time), but throughput is 1,700-3,400 rows/s on this run
(extrapolated: 5-10 minutes for a million rows) against a target of ≥ 17,000 rows/s. The run shared
the 2-core machine with three other benchmark and test sessions (load average 5-6), so both lines
are slower than on a quiet machine — a spot measurement of the same engine over the 2,000 demo
customers (SQLite, same day, less load) wrote 9,400 rows/s — but the ratio stands. The profile is
dominated by building three model instances per row (the customer and the list's `select_related`
owner and department, ~70 columns in all); the value planning, formatting and CSV writing are a few
µs a row. The next step is a values fast path: when every exported column needs only its value
(plain, masked, choice, custom-field and money columns; a linked name), read `values_list()` of
exactly those columns instead of model instances. Until then, exports above `EXPORT_DIRECT_MAX_ROWS`
run as background jobs, so a slow large export never holds a web worker.
"""


def _engine(admin, limit: int | None = None):
    from guanxi.framework.exporting import list_export, offline_request
    from guanxi.framework.views import entity_views_for

    export = list_export(entity_views_for("customers.customer"), offline_request(admin, f"columns={COLUMNS}"))
    if limit is not None:
        export.queryset = export.queryset[:limit]
    return export


def _raw_sql() -> str:
    from guanxi.customers.models import Customer
    from guanxi.users.models import User

    c = connection.ops.quote_name(Customer._meta.db_table)
    u = connection.ops.quote_name(User._meta.db_table)
    return (
        f"SELECT c.name, c.phone, c.level, c.city, u.name, c.created_at FROM {c} c "
        f"LEFT JOIN {u} u ON u.id = c.owner_id ORDER BY c.name"
    )


def _raw_dump(path: Path) -> None:
    sql = _raw_sql()
    with connection.cursor() as cursor, path.open("wb") as out:
        if connection.vendor == "postgresql":
            out.write("\ufeffName,Phone,Level,City,Owner,Created\n".encode())
            with cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV") as copy:
                for data in copy:
                    out.write(data)
            return
        text = open(out.fileno(), "w", encoding="utf-8", newline="", closefd=False)  # noqa: SIM115
        writer = csv.writer(text)
        text.write("\ufeff")
        writer.writerow(["Name", "Phone", "Level", "City", "Owner", "Created"])
        cursor.execute(sql)
        while rows := cursor.fetchmany(2000):
            writer.writerows(rows)
        text.flush()


def _pairs(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return sorted((row[0], row[1]) for row in list(csv.reader(f))[1:])


def run(scale: str) -> list[Result]:
    from guanxi.customers.models import Customer
    from guanxi.framework.context import Source, actor_context
    from guanxi.users.models import User

    n = pick(scale, 10_000, 100_000)
    repeat = pick(scale, 3, 3)
    if not Customer.objects.exists():
        _depts, users, _region = make_org("x")
        load(n, users)
    with actor_context(None, source=Source.COMMAND):
        admin, _ = User.objects.get_or_create(username="bench-export-admin", defaults={"is_superuser": True})
    total = Customer.objects.count()
    folder = Path(tempfile.mkdtemp(prefix="guanxi-bench-export-"))
    engine_file, raw_file = folder / "engine.csv", folder / "raw.csv"

    def engine() -> None:
        with engine_file.open("wb") as out:
            assert _engine(admin).write_csv(out) == total

    def raw() -> None:
        _raw_dump(raw_file)

    # Same rows, before timing: the engine's (name, phone) pairs are the raw dump's.
    engine()
    raw()
    assert _pairs(engine_file) == _pairs(raw_file), "the engine's rows differ from the raw dump"
    size_mb = engine_file.stat().st_size / 1e6

    def peak(limit: int) -> float:
        tracemalloc.start()
        with open(os.devnull, "wb") as out:
            _engine(admin, limit).write_csv(out)
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top / 1e6

    small_peak, large_peak = peak(max(1, total // 10)), peak(total)
    engine_ms = median_ms(engine, repeat=repeat, warmup=0)
    raw_ms = median_ms(raw, repeat=repeat, warmup=0)
    rate = total / (engine_ms / 1000)
    for path in (engine_file, raw_file):
        path.unlink()
    folder.rmdir()
    tenth = max(1, total // 10)
    baseline = (
        "COPY (SELECT … JOIN) TO STDOUT CSV"
        if connection.vendor == "postgresql"
        else "cursor loop + csv.writer"
    )
    return [
        Result(
            f"export {total:,} customers to CSV (engine, 6 columns)",
            baseline,
            engine_ms,
            raw_ms,
            total,
            f"{rate:,.0f} rows/s → 1M rows ≈ {1_000_000 / rate:.0f} s (extrapolated); {size_mb:.1f} MB; "
            f"tracemalloc peak {small_peak:.1f} MB at {tenth:,} rows, {large_peak:.1f} MB at {total:,}",
        )
    ]
