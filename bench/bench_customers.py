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
Then 5N follow-ups (2,000 on one customer the manager sees) and that customer's 360° page: the
detail page with its first timeline page, and an older timeline page (target p95 < 200 ms).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection
from django.test import Client

from bench.common import Result, percentile, pick
from bench.customer_data import check_composed_keys, load, make_org
from guanxi.framework.context import Source, actor_context

# Printed under the results table by bench/run.py: what the first runs found and what changed.
EPILOGUE = (Path(__file__).parent / "bench_customers.md").read_text()

TARGET_MS = 150
PAGE_TARGET_MS = 200  # the 360° page
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


def result(
    name: str,
    baseline: str,
    t: list[float],
    b: list[float],
    rows: int,
    notes: str = "",
    target: int = TARGET_MS,
) -> Result:
    p95 = percentile(t, 95)
    ratio = statistics.median(t) / statistics.median(b)
    verdict = (
        f"p95 {'<' if p95 < target else '≥'} {target} ms, "
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


# --- follow-ups and the 360° page (needs guanxi.activities) -------------------------------------
def load_follow_ups(n: int, facts: dict, subtree: list[int]) -> Any:
    """Load ``n`` follow-ups, 2,000 on one customer the manager sees; returns that customer, or
    None with a note while guanxi.activities is not installed."""
    if not apps.is_installed("guanxi.activities"):
        note(f"guanxi.activities is not installed: the {n:,} follow-ups are not loaded")
        return None
    from bench.followup_data import hot_customer
    from bench.followup_data import load_follow_ups as load

    hot = hot_customer(subtree)
    started = time.perf_counter()
    with_keys = os.environ.get("BENCH_FOLLOWUP_KEYS", "1") == "1"
    keys = load(n, facts["first_customer"], facts["customers"], hot.pk, with_keys=with_keys)
    facts["follow_ups_s"] = time.perf_counter() - started
    facts["follow_up_keys"] = keys
    note(f"loaded {n:,} follow-ups ({keys:,} search keys) in {facts['follow_ups_s']:.0f} s")
    return hot


def measure_customer_page(clients: dict, labels: dict, hot: Any, repeat: int, n: int) -> list[Result]:
    """The 360° page of ``hot`` (2,000 follow-ups): the detail page and its first timeline page
    (htmx, as the browser loads it), then an older timeline page, against the raw SQL reading the
    same rows (customer, contacts, a page of follow-ups and of change-log entries)."""
    if hot is None:
        note("guanxi.activities is not installed: the 360° page is not measured")
        return []
    from guanxi.activities.models import FollowUp
    from guanxi.core.models import ObjectChange
    from guanxi.customers.models import CustomerContact

    q = connection.ops.quote_name
    customer_t, link_t = q(type(hot)._meta.db_table), q(CustomerContact._meta.db_table)
    follow_t, change_t = q(FollowUp._meta.db_table), q(ObjectChange._meta.db_table)
    older = (
        FollowUp.objects.filter(customer=hot)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)[1000]
    )
    detail, tab = f"/customers/{hot.pk}/", f"/customers/{hot.pk}/timeline/"
    htmx = {**HOST, "HTTP_HX_REQUEST": "true"}

    def base(before: Any = None) -> None:
        raw(f"SELECT * FROM {customer_t} WHERE id = %s", [hot.pk], expect=1)
        raw(f"SELECT * FROM {link_t} WHERE customer_id = %s", [hot.pk])
        cond, params = ("AND occurred_at < %s", [hot.pk, before]) if before else ("", [hot.pk])
        order = "ORDER BY occurred_at DESC, id DESC LIMIT 21"
        raw(f"SELECT * FROM {follow_t} WHERE customer_id = %s {cond} {order}", params, expect=21)
        raw(f"SELECT * FROM {change_t} WHERE changed_object_id = %s ORDER BY time DESC LIMIT 21", [hot.pk])

    fns: dict[str, Callable[[], Any]] = {}
    for who in ("manager", "admin"):

        def page(w: str = who) -> None:
            for url, headers in ((detail, HOST), (tab, htmx)):
                response = clients[w].get(url, **headers)
                assert response.status_code == 200, (url, response.status_code)

        def older_page(w: str = who) -> None:
            response = clients[w].get(tab, {"before": older.isoformat()}, **htmx)
            assert response.status_code == 200, response.status_code

        fns[who], fns[f"{who}-older"] = page, older_page
    fns["raw"], fns["raw-older"] = base, lambda: base(older)
    times = timed_turns(fns, repeat)
    out = []
    for who in ("manager", "admin"):
        out.append(
            result(
                f"GET 360° page (detail + first timeline page) as {labels[who]}",
                "raw SQL: customer, contacts, 21 follow-ups, 21 changes",
                times[who],
                times["raw"],
                n,
                "customer with 2,000 follow-ups",
                target=PAGE_TARGET_MS,
            )
        )
        out.append(
            result(
                f"GET older timeline page (entry 1,000 of 2,000) as {labels[who]}",
                "raw SQL: same rows before the cursor",
                times[f"{who}-older"],
                times["raw-older"],
                n,
                "cursor pagination: one bounded query per source",
                target=PAGE_TARGET_MS,
            )
        )
    return out


# --- the run ------------------------------------------------------------------------------------
def run(scale: str) -> list[Result]:
    """Load (or, with BENCH_REUSE=1, find the rows an earlier run left), then measure the parts
    named in BENCH_PARTS (default ``lists,search,qlists,page``)."""
    from guanxi.customers.models import Customer
    from guanxi.users.models import Department, User

    # BENCH_CUSTOMERS / BENCH_REPEAT: a quick trial of the harness itself, not for the report
    n = int(os.environ.get("BENCH_CUSTOMERS") or pick(scale, 20_000, 1_000_000))
    repeat = int(os.environ.get("BENCH_REPEAT") or pick(scale, 30, 40))
    parts = os.environ.get("BENCH_PARTS", "lists,search,qlists,page").split(",")
    results: list[Result] = []
    if os.environ.get("BENCH_REUSE") == "1" and Customer.objects.exists():
        # the database of an earlier run (run.py --child on the same DATABASE_URL): measure again
        users = list(User.objects.filter(username__regex=r"^c[0-9]{3}$").order_by("username"))
        region = Department.objects.get(name="c大区1")
        first = Customer.objects.order_by("pk").values_list("pk", flat=True)[0]
        counts = {"customers": Customer.objects.count(), "first_customer": first}
        n = counts["customers"]
        manager = next(u for u in users if u.department_id == region.pk)
        admin = users[-1]
    else:
        started = time.perf_counter()
        _depts, users, region = make_org("c")
        counts = load(n, users)
        load_s = time.perf_counter() - started
        note(f"loaded {counts} in {load_s:.0f} s")
        manager = next(u for u in users if u.department_id == region.pk)
        admin = users[-1]
        _give(manager, "department_tree")
        _give(admin, "all")
        mismatched = check_composed_keys()
        results.append(
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
        )
    subtree = list(Department.objects.filter(path__startswith=region.path).values_list("pk", flat=True))
    clients = {}
    for who, user in (("manager", manager), ("admin", admin)):
        clients[who] = Client()
        clients[who].force_login(user)
    labels = {"manager": "本部门及下属部门", "admin": "全部"}
    people = {"manager": manager, "admin": admin}
    if "lists" in parts:
        results += measure_lists(clients, people, labels, subtree, repeat, n)
    if "search" in parts:
        results += measure_search(clients, people, labels, repeat, n)
    if "qlists" in parts:
        results += measure_search_lists(clients, people, labels, subtree, repeat, n)
    if "page" not in parts:
        return results
    follow_ups = int(os.environ.get("BENCH_FOLLOW_UPS") or pick(scale, 100_000, 5_000_000))
    hot = load_follow_ups(follow_ups, counts, subtree)
    if hot is not None:
        results.append(
            Result(
                f"load {follow_ups:,} follow-ups, {counts['follow_up_keys']:,} search keys",
                "–",
                counts["follow_ups_s"] * 1000,
                0,
                follow_ups,
                "COPY/INSERT + index rebuild + ANALYZE"
                + ("" if counts["follow_up_keys"] else "; without their search keys (BENCH_FOLLOWUP_KEYS=0)"),
            )
        )
    results += measure_customer_page(clients, labels, hot, repeat, n)
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


def fragment_where(query: str) -> tuple[str, list]:
    """The raw WHERE of "name-like keys containing this Chinese fragment": on PostgreSQL the
    fragment index's predicate and expression (core migration 0015) and a LIKE recheck."""
    from guanxi.framework.search import FRAGMENT_WEIGHT, bigrams

    if connection.vendor == "postgresql":
        return (
            "weight >= 80 AND value ~ '[一-鿿]' AND guanxi_bigrams(value) @> %s::text[] AND value LIKE %s",
            [bigrams(query), f"%{query}%"],
        )
    return "weight >= %s AND value LIKE %s", [FRAGMENT_WEIGHT, f"%{query}%"]


def search_baseline(query: str, limit: int) -> Callable[[], None]:
    """Raw SQL for the same hits: the keys starting with the query (then containing it), in key
    order, capped at the hit limit; then the names of the rows they belong to."""
    from guanxi.core.models import SearchEntry
    from guanxi.customers.models import Contact, Customer
    from guanxi.framework.search import _fragment_ok, _substring_ok

    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    key = 'value COLLATE "C"' if connection.vendor == "postgresql" else "value"
    columns = "content_type_id, object_id, field, display, weight"
    prefix = (
        f"SELECT {columns} FROM {table} WHERE {key} >= %s AND {key} < %s ORDER BY {key}, weight DESC LIMIT %s"
    )
    contains = f"SELECT {columns} FROM {table} WHERE value LIKE %s LIMIT %s"
    fragment_sql, fragment_params = fragment_where(query)
    names = {
        model: f"SELECT id, name FROM {connection.ops.quote_name(model._meta.db_table)} WHERE id IN "
        for model in (Customer, Contact)
    }

    def run() -> None:
        rows = raw(prefix, [query, query + "\U0010ffff", limit])
        if len(rows) < limit and _fragment_ok(query):
            sql = f"SELECT {columns} FROM {table} WHERE {fragment_sql} LIMIT %s"
            rows += raw(sql, [*fragment_params, limit - len(rows)])
        if len(rows) < limit and _substring_ok(query):
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
    queries = (
        ("zs", "pinyin initials"),
        ("华信", "2-character fragment, few names"),
        ("技有", "2-character fragment, many names"),
        ("科技有限", "4-character fragment"),
        ("8000", "phone suffix"),
    )
    for query, what in queries:
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


def measure_search_lists(
    clients: dict, users: dict, labels: dict, subtree: list[int], repeat: int, n: int
) -> list[Result]:
    """The list's search box (``/customers/?q=…``): Chinese fragments in the middle of names, and
    one company by its full name or its pinyin (1–3 hits). Each page is checked first: 200 and
    the same 50 ids, in the same order, as the raw SQL it is timed against."""
    import re
    from functools import partial
    from urllib.parse import urlencode

    from django.contrib.contenttypes.models import ContentType

    from guanxi.core.models import SearchEntry
    from guanxi.customers.models import Customer
    from guanxi.framework.search import FEW_KEYS, keys_for

    table = connection.ops.quote_name(Customer._meta.db_table)
    keys = connection.ops.quote_name(SearchEntry._meta.db_table)
    ct = ContentType.objects.get_for_model(Customer).pk
    key = 'value COLLATE "C"' if connection.vendor == "postgresql" else "value"
    marks = ", ".join(["%s"] * len(subtree))
    visible = Customer.objects.filter(department_id__in=subtree).order_by("pk")
    one = visible[visible.count() // 2]  # a company the manager sees too
    pinyin = max(keys_for(one.name) - {one.name.lower()}, key=len)
    cases = [
        ("华信", "2-character fragment, few names"),
        ("技有", "2-character fragment, many names"),
        ("科技有限", "4-character fragment"),
        (one.name, "one company by its full name"),
        (pinyin, "one company by its pinyin"),
    ]
    out = []
    for query, what in cases:
        match = f"({key} >= %s AND {key} < %s)"
        params: list = [query.lower(), query.lower() + "\U0010ffff"]
        if len(query) >= 3:
            match += " OR value LIKE %s"
            params.append(f"%{query.lower()}%")
        else:
            fragment_sql, fragment_params = fragment_where(query)
            match += f" OR ({fragment_sql})"
            params += fragment_params
        ids_sql = f"SELECT object_id FROM {keys} WHERE content_type_id = %s AND ({match})"
        fns: dict[str, Callable[[], Any]] = {}
        expected: dict[str, list[int]] = {}
        for who in ("manager", "admin"):
            scope = f" AND department_id IN ({marks})" if who == "manager" else ""
            scope_params = subtree if who == "manager" else []
            p = [ct, *params, *scope_params]
            found = {r[0] for r in raw(ids_sql, [ct, *params])}
            # by hand: few matches are read first and the page filters by their ids; many stay
            # a subquery, which the database hashes once
            few = len(found) <= FEW_KEYS
            where = f"id IN ({', '.join(str(i) for i in sorted(found))})" if few else f"id IN ({ids_sql})"
            if few:
                p = [*scope_params]
            page_sql = f"SELECT id FROM {table} WHERE {where}{scope} ORDER BY name, id LIMIT 50"
            count_sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {where}{scope} LIMIT 10001) AS t"
            expected[who] = [r[0] for r in raw(page_sql, p)]
            url = "/customers/?" + urlencode({"q": query})

            def get(w: str = who, u: str = url) -> str:
                response = clients[w].get(u, **HOST)
                assert response.status_code == 200, response.status_code
                return response.content.decode()

            page_ids = [int(i) for i in re.findall(r'name="pk" value="(\d+)"', get())]
            if page_ids != expected[who]:
                raise AssertionError(f"?q={query} as {who}: {page_ids[:5]}… ≠ raw {expected[who][:5]}…")

            def base(s: str = page_sql, c: str = count_sql, q: list = p, first: tuple | None = None) -> None:
                if first is not None:  # the ids first, as by hand
                    raw(*first)
                raw(s, q)
                raw(c, q)

            fns[who] = get
            fns[f"{who}-raw"] = partial(base, first=(ids_sql, [ct, *params]) if few else None)
        times = timed_turns(fns, repeat)
        for who in ("manager", "admin"):
            out.append(
                result(
                    f"GET customer list ?q={query} ({what}) as {labels[who]}",
                    "raw SQL page of 50 + capped COUNT, same rows",
                    times[who],
                    times[f"{who}-raw"],
                    n,
                    f"{len(expected[who])} rows on the page (checked: same ids, same order)",
                )
            )
    return out
