"""Customers at scale: the filtered customer list and the global search on N customers, 2N contacts.

N customers (Chinese company names with pinyin keys, phones, levels, stages, provinces; owners
among 200 users in the 65-department tree of bench_scopes), 2N contacts each linked to its
customer, and the ``core.SearchEntry`` keys the framework would write (see
``bench/customer_data.py``), loaded by COPY / multi-row INSERT. Two ordinary users read them: a
sales manager with a 本部门及下属部门 role on one region (about a quarter of the rows) and an
administrator with a 全部 role. Timed, run by run in turns, after warm-up: the list page as the
browser gets it (Django test client through all middleware: filters, sort, pager COUNT, table,
layout) and the global search (full page and the htmx dropdown) for pinyin initials, a Chinese
name fragment and a phone suffix. Each is set against the raw SQL for the same rows (the page of
50 plus its COUNT; the search table's matching keys plus the hit rows) measured in the same
process. Targets (issue 4): list and search p95 < 150 ms on PostgreSQL and within 3× of raw SQL.
The 360° page with 2,000 follow-ups is measured once ``guanxi.activities`` is installed.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import connection
from django.test import Client

from bench.common import Result, percentile, pick
from bench.customer_data import check_composed_keys, load, make_org
from guanxi.framework.context import Source, actor_context

TARGET_MS = 150
TARGET_RATIO = 3.0
HOST = {"HTTP_HOST": "127.0.0.1"}


def note(text: str) -> None:
    print(f"    bench_customers: {text}", file=sys.stderr, flush=True)


def _give(user: Any, scope: str) -> None:
    from django.contrib.contenttypes.models import ContentType

    from guanxi.customers.models import Contact, Customer
    from guanxi.users.models import Role, RoleGrant

    with actor_context(None, source=Source.COMMAND):
        role = Role.objects.create(name=f"bench-customers-{scope}")
        for model in (Customer, Contact):
            RoleGrant.objects.create(
                role=role,
                content_type=ContentType.objects.get_for_model(model),
                actions=["view"],
                scope=scope,
            )
        role.users.add(user)


def timed_turns(fns: dict[str, Callable[[], Any]], repeat: int, warmup: int = 3) -> dict[str, list[float]]:
    """Milliseconds of each function over ``repeat`` runs, taking turns (fair under load)."""
    times: dict[str, list[float]] = {key: [] for key in fns}
    for i in range(warmup + repeat):
        for key, fn in fns.items():
            start = time.perf_counter()
            fn()
            if i >= warmup:
                times[key].append((time.perf_counter() - start) * 1000)
    return times


def result(name: str, baseline: str, t: list[float], b: list[float], rows: int, notes: str = "") -> Result:
    p95 = percentile(t, 95)
    ratio = statistics.median(t) / statistics.median(b)
    verdict = (
        f"p95 {'<' if p95 < TARGET_MS else '≥'} {TARGET_MS} ms, "
        f"ratio {'≤' if ratio <= TARGET_RATIO else '>'} {TARGET_RATIO:g}"
    )
    return Result(
        name,
        baseline,
        statistics.median(t),
        statistics.median(b),
        rows,
        f"{verdict}; {notes}".rstrip("; "),
        p95_ms=p95,
        baseline_p95_ms=percentile(b, 95),
    )


def raw(sql: str, params: list, expect: int | None = None) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if expect is not None:
        assert len(rows) == expect, (len(rows), expect)
    return rows


def plan(sql: str, params: list) -> str:
    """EXPLAIN ANALYZE on PostgreSQL (plan shape and real time), EXPLAIN QUERY PLAN on SQLite."""
    import re

    prefix = "EXPLAIN (ANALYZE, COSTS OFF) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    lines = [" ".join(str(c) for c in row) for row in raw(prefix + sql, params)]
    text = " / ".join(re.sub(r"^\d+ \d+ \d+ ", "", line).strip() for line in lines if "Planning" not in line)
    return text[:260].replace("|", "¦")


# --- follow-ups and the 360° page (filled in when guanxi.activities is merged) -------------------
def load_follow_ups(n: int) -> bool:
    """Load ``n`` follow-ups (2,000 on one customer); False with a note while activities is absent."""
    if not apps.is_installed("guanxi.activities"):
        note(f"guanxi.activities is not installed: the {n:,} follow-ups are not loaded")
        return False
    raise NotImplementedError("follow-up loader: to be written against the merged FollowUp model")


def measure_customer_page(repeat: int) -> list[Result]:
    """The 360° page of the customer with 2,000 timeline entries; empty until activities exists."""
    if not apps.is_installed("guanxi.activities"):
        note("guanxi.activities is not installed: the 360° page is not measured")
        return []
    raise NotImplementedError("360° page measurement: to be written with the follow-up loader")


# --- the run ------------------------------------------------------------------------------------
def run(scale: str) -> list[Result]:
    from guanxi.users.models import Department

    # BENCH_CUSTOMERS / BENCH_REPEAT: a quick trial of the harness itself, not for the report
    n = int(os.environ.get("BENCH_CUSTOMERS") or pick(scale, 20_000, 1_000_000))
    repeat = int(os.environ.get("BENCH_REPEAT") or pick(scale, 30, 40))
    started = time.perf_counter()
    _depts, users, region = make_org("c")
    counts = load(n, users)
    load_s = time.perf_counter() - started
    note(f"loaded {counts} in {load_s:.0f} s")
    manager = next(u for u in users if u.department_id == region.pk)
    admin = users[-1]
    _give(manager, "department_tree")
    _give(admin, "all")
    subtree = list(Department.objects.filter(path__startswith=region.path).values_list("pk", flat=True))
    mismatched = check_composed_keys()
    results = [
        Result(
            f"load {counts['customers']:,} customers, {counts['contacts']:,} contacts, "
            f"{counts['links']:,} links, {counts['entries']:,} search keys",
            "–",
            load_s * 1000,
            0,
            sum(counts[k] for k in ("customers", "contacts", "links", "entries")),
            "COPY/INSERT + index rebuild + ANALYZE; "
            f"composed keys ≠ keys_for on {mismatched}/300 sampled names",
        )
    ]
    clients = {}
    for who, user in (("manager", manager), ("admin", admin)):
        clients[who] = Client()
        clients[who].force_login(user)
    labels = {"manager": "本部门及下属部门", "admin": "全部"}
    people = {"manager": manager, "admin": admin}
    results += measure_lists(clients, people, labels, subtree, repeat, n)
    results += measure_search(clients, people, labels, repeat, n)
    if load_follow_ups(pick(scale, 100_000, 5_000_000)):
        results += measure_customer_page(repeat)
    return results


def measure_lists(
    clients: dict, users: dict, labels: dict, subtree: list[int], repeat: int, n: int
) -> list[Result]:
    from django.http import QueryDict

    from guanxi.customers.models import Customer
    from guanxi.customers.views import CustomerFilterSet
    from guanxi.framework.paginators import CappedPaginator
    from guanxi.users.models import User

    table = connection.ops.quote_name(Customer._meta.db_table)
    marks = ", ".join(["%s"] * len(subtree))
    cases = [
        # (label, url, WHERE, params, ORDER BY, the ORM's order)
        ("level A, 广东, newest first", "/customers/?level=A&province=广东&sort=-created_at",
         "level = %s AND province = %s", ["A", "广东"], "created_at DESC", "-created_at"),
        ("no filter, by name", "/customers/", "", [], "name", "name"),
    ]  # fmt: skip
    out = []
    for label, url, where, params, order, orm_order in cases:
        fns: dict[str, Callable[[], Any]] = {}
        bases: dict[str, Callable[[], Any]] = {}
        for who in ("manager", "admin"):
            conds = [c for c in (where, f"department_id IN ({marks})" if who == "manager" else "") if c]
            p = [*params, *(subtree if who == "manager" else [])]
            clause = f" WHERE {' AND '.join(conds)}" if conds else ""
            page_sql = f"SELECT * FROM {table}{clause} ORDER BY {order} LIMIT 50"
            count_sql = f"SELECT COUNT(*) FROM {table}{clause}"

            def get(w: str = who, u: str = url) -> None:
                response = clients[w].get(u, **HOST)
                assert response.status_code == 200, response.status_code

            def base(s: str = page_sql, c: str = count_sql, q: list = p) -> None:
                raw(s, q, expect=50)
                raw(c, q)

            def orm(w: str = who, u: str = url, o: str = orm_order) -> None:
                """What the view asks the database: restrict(), the filters, the page, the pager."""
                reader = User.objects.get(pk=users[w].pk)  # a fresh user: no cached grants
                query = QueryDict(u.partition("?")[2])
                rows = CustomerFilterSet(query, queryset=Customer.objects.restrict(reader, "view")).qs
                pager = CappedPaginator(rows.order_by(o), 50)
                assert len(list(pager.page(1).object_list)) == 50
                assert pager.count

            fns[who], bases[who] = get, base
            fns[f"{who}-orm"] = orm
            fns[f"{who}-raw"] = base
        times = timed_turns(fns, repeat)
        for who in ("manager", "admin"):
            conds = [c for c in (where, f"department_id IN ({marks})" if who == "manager" else "") if c]
            p = [*params, *(subtree if who == "manager" else [])]
            clause = f" WHERE {' AND '.join(conds)}" if conds else ""
            visible = raw(f"SELECT COUNT(*) FROM {table}{clause}", p)[0][0]
            out.append(
                result(
                    f"ORM for the list ({label}) as {labels[who]}",
                    "raw SQL page of 50 + COUNT",
                    times[f"{who}-orm"],
                    times[f"{who}-raw"],
                    n,
                    "restrict() + filterset + page of 50 + capped COUNT, model instances",
                )
            )
            out.append(
                result(
                    f"GET customer list ({label}) as {labels[who]}",
                    "raw SQL page of 50 + COUNT",
                    times[who],
                    times[f"{who}-raw"],
                    n,
                    f"{visible:,} rows match; raw COUNT plan: "
                    + plan(f"SELECT COUNT(*) FROM {table}{clause}", p),
                )
            )
    return out


def search_baseline(query: str, limit: int) -> Callable[[], None]:
    """Raw SQL for the same hits: the keys starting with the query (then containing it), in key
    order, capped at the hit limit; then the names of the rows they belong to."""
    from guanxi.core.models import SearchEntry
    from guanxi.customers.models import Contact, Customer

    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    key = 'value COLLATE "C"' if connection.vendor == "postgresql" else "value"
    prefix = (
        f"SELECT content_type_id, object_id, field, display, weight FROM {table} "
        f"WHERE {key} >= %s AND {key} < %s ORDER BY {key}, weight DESC LIMIT %s"
    )
    contains = (
        f"SELECT content_type_id, object_id, field, display, weight FROM {table} WHERE value LIKE %s LIMIT %s"
    )
    names = {
        model: f"SELECT id, name FROM {connection.ops.quote_name(model._meta.db_table)} WHERE id IN "
        for model in (Customer, Contact)
    }

    def run() -> None:
        rows = raw(prefix, [query, query + "\U0010ffff", limit])
        if len(rows) < limit and len(query) >= 3:
            rows += raw(contains, [f"%{query}%", limit - len(rows)])
        ids = sorted({r[1] for r in rows})
        for sql in names.values():
            if ids:
                raw(sql + "(" + ", ".join(["%s"] * len(ids)) + ")", ids)

    return run


def measure_search(clients: dict, users: dict, labels: dict, repeat: int, n: int) -> list[Result]:
    from guanxi.framework.search import search
    from guanxi.users.models import User
    from guanxi.users.views import SEARCH_DROPDOWN_LIMIT, SEARCH_PAGE_LIMIT

    out = []
    for query, what in (("zs", "pinyin initials"), ("华信", "name fragment"), ("8000", "phone suffix")):
        for dropdown in (False, True):
            limit = SEARCH_DROPDOWN_LIMIT if dropdown else SEARCH_PAGE_LIMIT
            headers = {**HOST, **({"HTTP_HX_REQUEST": "true"} if dropdown else {})}
            fns: dict[str, Callable[[], Any]] = {}
            for who in ("manager", "admin"):

                def get(w: str = who, h: dict = headers, q: str = query) -> None:
                    response = clients[w].get("/search/", {"q": q}, **h)
                    assert response.status_code == 200, response.status_code

                def framework(w: str = who, q: str = query, n_: int = limit) -> None:
                    search(User.objects.get(pk=users[w].pk), q, limit=n_)

                fns[who] = get
                fns[f"{who}-orm"] = framework
            fns["raw"] = search_baseline(query, limit)
            times = timed_turns(fns, repeat)
            for who in ("manager", "admin"):
                hits = search(users[who], query, limit=limit)
                if not dropdown:
                    out.append(
                        result(
                            f"search() “{query}” ({what}), {limit} hits max, as {labels[who]}",
                            f"raw SQL: matching keys (≤ {limit}) + hit rows",
                            times[f"{who}-orm"],
                            times["raw"],
                            n,
                            "framework function: candidate keys, restrict() by id, ranking",
                        )
                    )
                out.append(
                    result(
                        f"GET search {'dropdown' if dropdown else 'page'} “{query}” ({what}) "
                        f"as {labels[who]}",
                        f"raw SQL: matching keys (≤ {limit}) + hit rows",
                        times[who],
                        times["raw"],
                        n,
                        f"{len(hits)} hits",
                    )
                )
    return out
