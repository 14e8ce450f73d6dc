"""Deals: the kanban's first screen and the filtered, sorted deal list against raw SQL.

N deals (200,000 at ``full``, 4,000 at ``small``) are written through the write path's bulk mode
(``write.bulk_create_objects``: owner rules, change log and search keys flushed in chunks) over
two pipelines of 6 stages, owned by 20 reps of one department. The "board" pipeline holds 5,000
open deals at ``full`` (1,000 at ``small``; ``BENCH_DEALS_FRACTION`` scales the 200,000 down, not
the board's 5,000) spread over its four open stages; the rest sit in the other pipeline or are
closed. The customers table holds 1,000,000 rows at ``full`` (the issue's volume;
``BENCH_DEALS_CUSTOMERS`` overrides it), the deals naming the first 200,000. The issue's 1M line
items are there too: quotes on the first deals, 10 lines each (``BENCH_DEALS_LINES``; 20,000 at
``small``), written by ``COPY`` beside the timed pages. Timed, as a
销售经理 (本部门及下属部门) on a fresh request each time:

* the board's first screen (``/sales/pipelines/<id>/board/``, rendered: the column aggregate and
  the first 20 cards of each of 6 columns; the won and lost columns hold the deals closed in the
  last 30 days, the board's default) against the same SQL written by hand (one GROUP BY and six
  ``… ORDER BY stage_entered_at DESC LIMIT 21``);
* the deal list filtered by pipeline and open stages and sorted by expected close date (the
  ``restrict()``-ed filterset's first page of 50, for a user object built afresh each time so
  its access policy is looked up as in a new request; the user's own row, which the session
  middleware reads for any page, is not part of it) against the hand-written SQL of the same
  page, and the same list as the rendered page.

Before timing, the board's columns, the ORM page and the rendered list are checked against the
raw SQL's rows (``_check_same_rows``): a 200 alone could be an empty or wrong page.

Requirements (issue 10): board first screen p95 < 300 ms; list p95 < 150 ms and within 3× of raw
SQL. Both are quoted as p95 and as ratios against the baseline measured in the same run.
"""

from __future__ import annotations

import datetime
import os
import random
import re
from decimal import Decimal
from pathlib import Path

from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.common import Result, median_and_p95, pick
from guanxi.framework.context import Source, actor_context

# What the runs found and what changed (docs/benchmarks.md prints it after the table)
EPILOGUE = (Path(__file__).parent / "bench_deals.md").read_text()

PAGE = 20
LINES_PER_QUOTE = 10


def _quotes(deals: list, n_lines: int, rng: random.Random) -> None:
    """The issue's line items: quotes on the first deals, ``LINES_PER_QUOTE`` lines each, until
    ``n_lines`` lines. Written by ``COPY`` (``fastinsert``) as bench data beside the timed pages,
    without change log: nothing here times writing them."""
    from guanxi.framework.fastinsert import create_with_copy, insert_many
    from guanxi.quotes.models import Quote, QuoteLine

    today = timezone.localdate()
    n_quotes = min(len(deals), -(-n_lines // LINES_PER_QUOTE))
    lines_left = n_lines
    for start in range(0, n_quotes, 10_000):
        quotes = []
        for i in range(start, min(n_quotes, start + 10_000)):
            deal = deals[i]
            total = Decimal(rng.randint(1, 500) * 100)
            quotes.append(
                Quote(
                    number=f"Q-BENCH-{i:07d}", deal_id=deal.pk, customer_id=deal.customer_id,
                    owner_id=deal.owner_id, department_id=deal.department_id, currency="CNY",
                    valid_until=today + datetime.timedelta(days=30), status="draft",
                    subtotal_amount=total, subtotal_currency="CNY", subtotal_base=total,
                    discount_total_amount=Decimal(0), discount_total_currency="CNY",
                    discount_total_base=Decimal(0),
                    tax_total_amount=Decimal(0), tax_total_currency="CNY", tax_total_base=Decimal(0),
                    grand_total_amount=total, grand_total_currency="CNY", grand_total_base=total,
                )
            )  # fmt: skip
        create_with_copy(Quote, quotes)
        lines = []
        for quote in quotes:
            count = min(LINES_PER_QUOTE, lines_left)
            lines_left -= count
            for position in range(count):
                price = Decimal(rng.randint(1, 500))
                money = {
                    f"{name}_{part}": value
                    for name in ("unit_price", "gross", "discount", "tax", "total")
                    for part, value in (("amount", price), ("currency", "CNY"), ("base", price))
                }
                lines.append(
                    QuoteLine(
                        quote_id=quote.pk,
                        position=position,
                        description=f"产品{position}",
                        quantity=1,
                        **money,
                    )
                )
        insert_many(QuoteLine, lines, batch_size=5_000)


def _setup(n: int, open_on_board: int, n_customers: int, n_lines: int = 0):
    from guanxi.customers.models import Customer
    from guanxi.framework.write import bulk_create_objects
    from guanxi.sales.models import Deal, Pipeline, Stage
    from guanxi.users.models import Department, Role, RoleGrant, User

    rng = random.Random(10)
    with actor_context(None, source=Source.COMMAND):
        dept = Department.objects.create(name="华东销售一部")
        manager = User.objects.create_user(username="bench-manager", department=dept)
        reps = [
            User.objects.create_user(username=f"bench-rep{i}", department=dept, manager=manager)
            for i in range(20)
        ]
        role = Role.objects.create(name="bench 销售经理")
        from django.contrib.contenttypes.models import ContentType

        for model in (Deal, Customer, Pipeline):
            RoleGrant.objects.create(
                role=role,
                content_type=ContentType.objects.get_for_model(model),
                actions=["view"],
                scope="department_tree" if model is not Pipeline else "all",
            )
        role.users.add(manager)
        pipelines = []
        for p in range(2):
            pipeline = Pipeline.objects.create(name=f"流程{p}", is_default=p == 0)
            kinds = ["open", "open", "open", "open", "won", "lost"]
            for order, kind in enumerate(kinds):
                Stage.objects.create(
                    pipeline=pipeline, name=f"阶段{order}", order=order, kind=kind, probability=order * 20
                )
            pipelines.append((pipeline, list(pipeline.stages.order_by("order"))))
        customer_ids: list[int] = []  # ids only: a million instances would not fit in memory
        for start in range(0, n_customers, 50_000):
            created = Customer.objects.bulk_create(
                [
                    Customer(name=f"客户{i:07d}", owner=reps[i % 20], department=dept)
                    for i in range(start, min(n_customers, start + 50_000))
                ],
                batch_size=5_000,
            )
            customer_ids += [c.pk for c in created]
        now = timezone.now()
        board, board_stages = pipelines[0]
        other, other_stages = pipelines[1]
        deals = []
        for i in range(n):
            entered = now - datetime.timedelta(minutes=rng.randint(0, 500_000))
            if i < open_on_board:
                pipeline, stage = board, board_stages[i % 4]
            elif i % 3 == 0:
                pipeline, stage = board, board_stages[4 + i % 2]
            else:
                pipeline, stage = other, other_stages[i % 6]
            deals.append(
                Deal(
                    name=f"商机{i:07d}",
                    customer_id=customer_ids[i % len(customer_ids)],
                    pipeline=pipeline,
                    stage=stage,
                    amount_amount=Decimal(rng.randint(1, 500) * 1000),
                    expected_close_date=(now + datetime.timedelta(days=rng.randint(-200, 200))).date(),
                    stage_entered_at=entered,
                    # a closed deal closed when it entered its stage: over the last ~347 days,
                    # so the board's 30-day won/lost columns hold about a twelfth of them
                    closed_at=entered if stage.kind != "open" else None,
                    owner=reps[i % 20],
                )
            )
        for start in range(0, len(deals), 20_000):
            bulk_create_objects(Deal, deals[start : start + 20_000], actor=None, check_visible=False)
        _quotes(deals, n_lines, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return manager, dept, board, board_stages


def run(scale: str) -> list[Result]:

    # BENCH_DEALS_FRACTION scales the full run's 200,000 deals down (the board keeps its 5,000
    # open deals) when writing them all would not fit a loaded machine's time
    n = pick(scale, 4_000, int(200_000 * float(os.environ.get("BENCH_DEALS_FRACTION", "1"))))
    open_on_board = pick(scale, 1_000, 5_000)
    repeat = pick(scale, 15, 41)
    # the 1M customers at full scale (the deals point at the first n of them)
    n_customers = int(os.environ.get("BENCH_DEALS_CUSTOMERS") or pick(scale, max(1, n // 20), 1_000_000))
    # the 1M line items (quote lines) at full scale; BENCH_DEALS_LINES overrides
    n_lines = int(os.environ.get("BENCH_DEALS_LINES") or pick(scale, 20_000, 1_000_000))
    manager, dept, board, stages = _setup(n, open_on_board, n_customers, n_lines)
    return measure(manager, dept, board, stages, n=n, open_on_board=open_on_board, repeat=repeat)


def measure(manager, dept, board, stages, *, n: int, open_on_board: int, repeat: int) -> list[Result]:
    """The timed lines over data ``_setup`` wrote (callable again on a kept bench database)."""
    from guanxi.sales.models import Deal
    from guanxi.users.models import User

    table = connection.ops.quote_name(Deal._meta.db_table)
    users = connection.ops.quote_name(User._meta.db_table)
    customers = connection.ops.quote_name("customers_customer")
    visible = f"d.department_id = {dept.pk}"
    closed_ids = ",".join(str(s.pk) for s in stages if s.kind != "open")

    def raw_board() -> None:
        since = closed_since()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT stage_id, COUNT(id), SUM(amount_base) FROM {table} d WHERE {visible} "
                f"AND pipeline_id = %s AND (stage_id NOT IN ({closed_ids}) OR closed_at >= %s) "
                f"GROUP BY stage_id",
                [board.pk, since],
            )
            cursor.fetchall()
            for stage in stages:
                period, args = ("", []) if stage.kind == "open" else (" AND d.closed_at >= %s", [since])
                cursor.execute(
                    f"SELECT d.*, c.name, u.username FROM {table} d "
                    f"JOIN {customers} c ON c.id = d.customer_id "
                    f"LEFT JOIN {users} u ON u.id = d.owner_id WHERE {visible} AND d.pipeline_id = %s "
                    f"AND d.stage_id = %s{period} "
                    f"ORDER BY d.stage_entered_at DESC, d.id DESC LIMIT {PAGE + 1}",
                    [board.pk, stage.pk, *args],
                )
                cursor.fetchall()

    client = Client()
    client.force_login(manager)
    board_url = f"/sales/pipelines/{board.pk}/board/"

    def board_page() -> None:
        response = client.get(board_url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code

    open_ids = [s.pk for s in stages if s.kind == "open"]

    def raw_list() -> None:
        with connection.cursor() as cursor:
            marks = ",".join(["%s"] * len(open_ids))
            cursor.execute(
                f"SELECT d.*, c.name FROM {table} d JOIN {customers} c ON c.id = d.customer_id "
                f"WHERE {visible} AND d.pipeline_id = %s AND d.stage_id IN ({marks}) "
                f"ORDER BY d.expected_close_date ASC, d.id ASC LIMIT 50",
                [board.pk, *open_ids],
            )
            assert len(cursor.fetchall()) == 50

    user_columns = [f.attname for f in User._meta.concrete_fields]
    user_row = [getattr(manager, name) for name in user_columns]

    def page_of(user: User) -> object:
        """The deal list's first page as the list builds it, unevaluated."""
        from django.http import QueryDict

        from guanxi.sales.filtersets import DealFilterSet

        params = QueryDict(mutable=True)
        params["pipeline"] = str(board.pk)
        params.setlist("stage_kind", ["open"])
        rows = DealFilterSet(params, queryset=Deal.objects.restrict(user, "view")).qs
        # the customer as far as the list shows it (its name), as the list view loads it
        return rows.select_related("customer").for_display().order_by("expected_close_date", "pk")[:50]

    def orm_list() -> None:
        # A fresh request's user, built from the row the session middleware would have read (that
        # read is the request's, not the list's): its policy is looked up afresh, as in a request.
        # Inside an actor context, as the request middleware runs a view.
        user = User.from_db("default", user_columns, user_row)
        with actor_context(user, source=Source.WEB):
            page = list(page_of(user))  # type: ignore[call-overload]
        assert len(page) == 50

    def orm_sql() -> tuple[str, tuple]:
        """The statement the ORM page sends (as the timed ORM line builds it)."""
        user = User.from_db("default", user_columns, user_row)
        with actor_context(user, source=Source.WEB):
            return page_of(user).query.sql_with_params()  # type: ignore[attr-defined]

    sent_sql, sent_params = orm_sql()
    with connection.cursor() as cursor:  # the statement finds the raw SQL's rows (id comes first)
        cursor.execute(sent_sql, sent_params)
        sent_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT d.id FROM {table} d WHERE {visible} AND d.pipeline_id = %s AND d.stage_id IN "
            f"({','.join(['%s'] * len(open_ids))}) ORDER BY d.expected_close_date ASC, d.id ASC LIMIT 50",
            [board.pk, *open_ids],
        )
        assert sent_ids == [row[0] for row in cursor.fetchall()], "the ORM's statement differs from raw SQL"

    def sent_query() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sent_sql, sent_params)
            assert len(cursor.fetchall()) == 50

    list_url = f"/sales/deals/?pipeline={board.pk}&stage_kind=open&sort=expected_close_date"

    def list_page() -> None:
        response = client.get(list_url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code

    _check_same_rows(client, board_url, list_url, stages, board, table, customers, users, visible, open_ids)
    raw_board_ms, raw_board_p95 = median_and_p95(raw_board, repeat)
    board_ms, board_p95 = median_and_p95(board_page, repeat)
    raw_list_ms, raw_list_p95 = median_and_p95(raw_list, repeat)
    orm_ms, orm_p95 = median_and_p95(orm_list, repeat)
    sent_ms, sent_p95 = median_and_p95(sent_query, repeat)
    page_ms, page_p95 = median_and_p95(list_page, repeat)
    same_page = "raw SQL of the same page"
    return [
        Result(
            "kanban first screen (rendered page)", "raw SQL of the same columns", board_ms, raw_board_ms, n,
            f"{open_on_board} open deals on the board; target p95 < 300 ms", board_p95, raw_board_p95,
        ),
        Result(
            "deal list filtered + sorted: restrict()+filterset page of 50", same_page, orm_ms, raw_list_ms, n,
            "target ≤ 3× raw SQL, p95 < 150 ms", orm_p95, raw_list_p95,
        ),
        Result(
            "deal list: the SQL the restrict()+filterset page sends, run as is", same_page, sent_ms,
            raw_list_ms, n, "the query's own cost; the ORM line minus this is Python",
            sent_p95, raw_list_p95,
        ),
        Result(
            "deal list filtered + sorted (rendered page)", same_page, page_ms, raw_list_ms, n,
            "whole page: filters, table, pager", page_p95, raw_list_p95,
        ),
    ]  # fmt: skip


def closed_since() -> datetime.datetime:
    """Where the board's won and lost columns start by default (its last 30 days)."""
    from guanxi.sales.board import DEFAULT_CLOSED_WITHIN

    return timezone.now() - datetime.timedelta(days=int(DEFAULT_CLOSED_WITHIN))


def _check_same_rows(
    client: Client,
    board_url: str,
    list_url: str,
    stages: list,
    board: object,
    table: str,
    customers: str,
    users: str,
    visible: str,
    open_ids: list[int],
) -> None:
    """Before timing: the board shows each column's first cards as the raw SQL orders them, and
    the list page and the ORM page hold the raw SQL's 50 rows (a 200 alone could be an empty page)."""
    from django.http import QueryDict

    from guanxi.sales.filtersets import DealFilterSet
    from guanxi.sales.models import Deal
    from guanxi.users.models import User

    page = client.get(board_url, HTTP_HOST="127.0.0.1")
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    since = closed_since()
    with connection.cursor() as cursor:
        for stage in stages:
            period, args = ("", []) if stage.kind == "open" else (" AND d.closed_at >= %s", [since])
            cursor.execute(
                f"SELECT d.id FROM {table} d WHERE {visible} AND d.pipeline_id = %s AND d.stage_id = %s"
                f"{period} ORDER BY d.stage_entered_at DESC, d.id DESC LIMIT {PAGE}",
                [board.pk, stage.pk, *args],  # type: ignore[attr-defined]
            )
            ids = [row[0] for row in cursor.fetchall()]
            column = html[html.index(f'id="stage-{stage.pk}"') :]
            shown = [int(pk) for pk in re.findall(r'id="deal-(\d+)"', column)][: len(ids)]
            assert ids and shown == ids, f"the board's column {stage.pk} differs from raw SQL"
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} d WHERE {visible} AND d.pipeline_id = %s AND d.stage_id = %s"
                f"{period}",
                [board.pk, stage.pk, *args],  # type: ignore[attr-defined]
            )
            count = cursor.fetchone()[0]
            assert f"data-count>{count}</span>" in column[: column.index("</h2>")], (
                f"the board's column {stage.pk} counts other deals than raw SQL"
            )
        marks = ",".join(["%s"] * len(open_ids))
        cursor.execute(
            f"SELECT d.id, c.name FROM {table} d JOIN {customers} c ON c.id = d.customer_id "
            f"WHERE {visible} AND d.pipeline_id = %s AND d.stage_id IN ({marks}) "
            f"ORDER BY d.expected_close_date ASC, d.id ASC LIMIT 50",
            [board.pk, *open_ids],  # type: ignore[attr-defined]
        )
        raw_rows = cursor.fetchall()
        raw_ids = [row[0] for row in raw_rows]
    params = QueryDict(mutable=True)
    params["pipeline"] = str(board.pk)  # type: ignore[attr-defined]
    params.setlist("stage_kind", ["open"])
    manager = User.objects.get(username="bench-manager")
    rows = DealFilterSet(params, queryset=Deal.objects.restrict(manager, "view")).qs
    # as the timed ORM line loads it: the deals with their customers as far as the list shows them
    page = rows.select_related("customer").for_display().order_by("expected_close_date", "pk")[:50]
    orm_rows = [(deal.pk, deal.customer.name) for deal in page]
    assert orm_rows == [tuple(row) for row in raw_rows], "the ORM page differs from raw SQL"
    listed = client.get(list_url, HTTP_HOST="127.0.0.1")
    assert listed.status_code == 200, listed.status_code
    body = listed.content.decode()
    # the page's order: by close date, then by key, as the list view breaks ties
    shown = list(dict.fromkeys(int(pk) for pk in re.findall(r'/sales/deals/(\d+)/"', body)))
    assert shown == raw_ids, "the list page's rows differ from raw SQL"
