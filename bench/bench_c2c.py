"""Contract to cash: a department's sales dashboard and the aging report against raw SQL.

Data (``full``: 200,000 deals, 100,000 contracts, 300,000 installments, 250,000 receipts; ``small``:
a fiftieth; ``BENCH_C2C_FRACTION`` scales ``full`` down when it would not fit the machine) is written
through the write path's bulk mode (``write.bulk_create_objects``: owner rules, model hooks, change
log and search keys) over a company of 4 regions × 2 teams, 40 reps and 1 customer per 20 deals.
Deals stand in one pipeline (4 open stages, won, lost); contracts are signed this year and last,
each with a plan of 3 installments (some paid, some partial, some overdue) and confirmed receipts.

Timed on a fresh request each time:

* ``/dashboards/sales/`` for this year and one region (its subtree: 本部门及下属部门), as that
  region's 销售经理, every chart rendered, against the hand-written SQL of the same numbers (one
  GROUP BY per chart: funnel, win/loss per owner, time in stage, lost reasons, new deals, signed
  and 回款 by month, targets, aging buckets, top customers);
* ``/receivables/aging/`` by customer as a finance user who sees every contract (全部) — its first
  page of 100 customers, with the totals of them all — against the one hand-written GROUP BY of
  the same sums.

Before timing, each line checks a 200 and that the page's numbers equal the baseline's (signed,
回款, aging buckets and the funnel of the dashboard; every row and cell of the aging report).
Requirements (issue 11): dashboard < 1 s, aging report < 2 s.
"""

from __future__ import annotations

import datetime
import os
import random
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.common import Result, median_and_p95, pick
from guanxi.framework.context import Source, actor_context

EPILOGUE = """
Measured at the full scale on 2026-12-06 on PostgreSQL 15.20 under load 11.6-12.7 (see
docs/benchmarks.md "c2c at the full scale"): the dashboard for one region p50 777 ms / p95 850 ms
(2.1x raw SQL); the aging report, paged by 100 customers of 10,000, p50 907 ms / p95 1,715 ms
(1.06x). Writing the data took 25 minutes once the receipts' cap was checked set-based.
"""


def _sizes(scale: str) -> dict[str, int]:
    full = {"deals": 200_000, "contracts": 100_000, "receipts": 250_000}
    if scale == "small":
        return {k: v // 50 for k, v in full.items()}
    fraction = float(os.environ.get("BENCH_C2C_FRACTION", "1"))
    return {k: int(v * fraction) for k, v in full.items()}


def _grant(role: Any, models: list[Any], scope: str) -> None:
    from django.contrib.contenttypes.models import ContentType

    from guanxi.users.models import RoleGrant

    for model in models:
        RoleGrant.objects.create(
            role=role, content_type=ContentType.objects.get_for_model(model), actions=["view"], scope=scope
        )


def _setup(sizes: dict[str, int]) -> dict[str, Any]:
    from guanxi.contracts.models import Contract, ContractStatus
    from guanxi.customers.models import Customer
    from guanxi.framework.write import bulk_create_objects
    from guanxi.receivables.models import Installment, Receipt, ReceiptStatus
    from guanxi.sales.models import Deal, Pipeline, Stage
    from guanxi.targets.models import Target
    from guanxi.users.models import Department, Role, User

    rng = random.Random(11)
    today = timezone.localdate()
    year_start = datetime.date(today.year, 1, 1)
    span = (today - year_start).days + 365  # this year so far and all of last year
    now = timezone.now()
    with actor_context(None, source=Source.COMMAND):
        company = Department.objects.create(name="公司")
        regions = [Department.objects.create(name=f"大区{r}", parent=company) for r in range(4)]
        teams = [
            Department.objects.create(name=f"{r.name}组{t}", parent=r) for r in regions for t in range(2)
        ]
        manager = User.objects.create_user(username="c2c-manager", department=regions[0])
        finance = User.objects.create_user(username="c2c-finance", department=company)
        reps = [
            User.objects.create_user(
                username=f"c2c-rep{i}", department=teams[i % 8], manager=manager if i % 8 < 2 else None
            )
            for i in range(40)
        ]
        role = Role.objects.create(name="c2c 销售经理")
        _grant(role, [Deal, Customer, Contract, Receipt, Target], "department_tree")
        _grant(role, [Pipeline], "all")
        role.users.add(manager)
        money = Role.objects.create(name="c2c 财务")
        _grant(money, [Customer, Contract, Receipt], "all")
        money.users.add(finance)
        pipeline = Pipeline.objects.create(name="c2c 流程", is_default=True)
        kinds = ["open", "open", "open", "open", "won", "lost"]
        stages = [
            Stage.objects.create(pipeline=pipeline, name=f"阶段{o}", order=o, kind=k, probability=o * 20)
            for o, k in enumerate(kinds)
        ]
        customers = Customer.objects.bulk_create(
            [
                Customer(name=f"客户{i:06d}", owner=reps[i % 40], department=teams[i % 8])
                for i in range(max(1, sizes["deals"] // 20))
            ]
        )
        deals = []
        for i in range(sizes["deals"]):
            stage = stages[i % 6]
            closed = stage.kind != "open"
            deals.append(
                Deal(
                    name=f"商机{i:07d}",
                    customer=customers[i % len(customers)],
                    pipeline=pipeline,
                    stage=stage,
                    amount_amount=Decimal(rng.randint(1, 500) * 1000),
                    expected_close_date=today + datetime.timedelta(days=rng.randint(-200, 200)),
                    stage_entered_at=now - datetime.timedelta(minutes=rng.randint(0, 500_000)),
                    closed_at=now - datetime.timedelta(days=rng.randint(0, span)) if closed else None,
                    close_reason=("price" if i % 2 else "") if stage.kind == "lost" else "",
                    owner=reps[i % 40],
                )
            )
        for start in range(0, len(deals), 20_000):
            bulk_create_objects(Deal, deals[start : start + 20_000], actor=None, check_visible=False)
        del deals
        contracts = []
        for i in range(sizes["contracts"]):
            customer = customers[i % len(customers)]
            contracts.append(
                Contract(
                    number=f"BC-{i:07d}",
                    title=f"合同{i:07d}",
                    customer=customer,
                    amount_amount=Decimal(rng.randint(3, 300) * 1000),
                    signed_on=today - datetime.timedelta(days=rng.randint(0, span)),
                    status=ContractStatus.COMPLETED if i % 10 == 0 else ContractStatus.ACTIVE,
                    owner_id=customer.owner_id,
                )
            )
        for start in range(0, len(contracts), 20_000):
            bulk_create_objects(Contract, contracts[start : start + 20_000], actor=None, check_visible=False)
        installments = []
        for contract in contracts:
            whole = contract.amount_amount or Decimal(0)
            third = (whole / 3).quantize(Decimal("0.01"))
            for sequence, amount in enumerate((third, third, whole - 2 * third), start=1):
                due = contract.signed_on + datetime.timedelta(days=60 * sequence - 30)
                paid = rng.choice((Decimal(0), Decimal(0), amount, (amount / 2).quantize(Decimal("0.01"))))
                installments.append(
                    Installment(
                        contract=contract,
                        sequence=sequence,
                        due_on=due,
                        amount_amount=amount,
                        paid_amount=paid,
                    )
                )
        for start in range(0, len(installments), 30_000):
            bulk_create_objects(
                Installment, installments[start : start + 30_000], actor=None, check_visible=False
            )
        n_installments = len(installments)
        del installments
        receipts = []
        for i in range(sizes["receipts"]):
            contract = contracts[i % len(contracts)]
            receipts.append(
                Receipt(
                    number=f"BR-{i:07d}",
                    contract=contract,
                    # at most 30 % of the contract each: the write guard's cap (no overpayment) holds
                    amount_amount=(
                        (contract.amount_amount or Decimal(0)) * rng.randint(5, 30) / 100
                    ).quantize(Decimal("0.01")),
                    received_on=min(today, contract.signed_on + datetime.timedelta(days=rng.randint(0, 120))),
                    status=ReceiptStatus.CONFIRMED if i % 8 else ReceiptStatus.PENDING_APPROVAL,
                )
            )
        for start in range(0, len(receipts), 25_000):
            with transaction.atomic():  # the receipts' guard locks each contract (select_for_update)
                bulk_create_objects(
                    Receipt, receipts[start : start + 25_000], actor=None, check_visible=False
                )
        targets = [
            Target(
                measure="signed",
                user=rep,
                department=rep.department,
                year=today.year,
                period="year",
                amount=Decimal(1_000_000),
            )
            for rep in reps
        ]
        bulk_create_objects(Target, targets, actor=None, check_visible=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "manager": manager,
        "finance": finance,
        "region": regions[0],
        "pipeline": pipeline,
        "stages": stages,
        "counts": {**sizes, "installments": n_installments, "customers": len(customers)},
    }


def _cents(value: Any) -> Decimal:
    """A raw SQL sum as the ORM gives it: SQLite sums decimal columns as floats, so round to the
    columns' two places (exact on PostgreSQL, which sums numerics)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _month_sql(column: str) -> str:
    """The first day of ``column``'s month as text 'YYYY-MM' on both databases."""
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"strftime('%%Y-%%m', {column})"


def _dashboard_sql(ids: list[int], pipeline: Any, stages: list[Any], start: Any, end: Any) -> dict[str, Any]:
    """The dashboard's numbers for the departments ``ids`` and the period, written by hand: one
    GROUP BY per chart (what the page computes, without the ORM, the policy or the templates)."""
    from guanxi.contracts.models import SIGNED_STATUSES

    depts = ",".join(str(i) for i in ids)
    won = next(s.pk for s in stages if s.kind == "won")
    lost = next(s.pk for s in stages if s.kind == "lost")
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    signed = ",".join(f"'{s}'" for s in SIGNED_STATUSES)
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    if connection.vendor == "postgresql":
        cycle = "AVG(EXTRACT(EPOCH FROM closed_at - created_at))"
    else:
        cycle = "AVG((julianday(closed_at) - julianday(created_at)) * 86400)"
    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT stage_id, COUNT(*) FROM sales_deal WHERE department_id IN ({depts}) "
            f"AND pipeline_id = %s AND created_at >= %s AND created_at < %s AND stage_id <> %s "
            f"GROUP BY stage_id",
            [pipeline.pk, since, until, lost],
        )
        out["funnel"] = dict(cursor.fetchall())
        cursor.execute(
            f"SELECT owner_id, SUM(CASE WHEN stage_id = %s THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN stage_id = %s THEN 1 ELSE 0 END), {cycle} FROM sales_deal "
            f"WHERE department_id IN ({depts}) AND closed_at >= %s AND closed_at < %s "
            f"AND stage_id IN (%s, %s) GROUP BY owner_id",
            [won, lost, since, until, won, lost],
        )
        out["win_rate"] = cursor.fetchall()
        cursor.execute(
            f"SELECT sc.from_stage_id, AVG(sc.seconds_in_stage), COUNT(*) FROM sales_stagechange sc "
            f"JOIN sales_deal d ON d.id = sc.deal_id WHERE d.department_id IN ({depts}) "
            f"AND sc.changed_at >= %s AND sc.changed_at < %s AND sc.seconds_in_stage IS NOT NULL "
            f"GROUP BY sc.from_stage_id",
            [since, until],
        )
        out["time_in_stage"] = cursor.fetchall()
        cursor.execute(
            f"SELECT close_reason, COUNT(*), SUM(amount_base) FROM sales_deal "
            f"WHERE department_id IN ({depts}) AND stage_id = %s AND closed_at >= %s AND closed_at < %s "
            f"GROUP BY close_reason",
            [lost, since, until],
        )
        out["lost_reasons"] = cursor.fetchall()
        cursor.execute(
            f"SELECT {_month_sql('created_at')}, COUNT(*), SUM(amount_base) FROM sales_deal "
            f"WHERE department_id IN ({depts}) AND created_at >= %s AND created_at < %s GROUP BY 1",
            [since, until],
        )
        out["new_deals"] = cursor.fetchall()
        cursor.execute(
            f"SELECT {_month_sql('signed_on')}, SUM(amount_base) FROM contracts_contract "
            f"WHERE department_id IN ({depts}) AND status IN ({signed}) "
            f"AND signed_on BETWEEN %s AND %s GROUP BY 1",
            [start, end],
        )
        out["signed"] = {m: _cents(v) for m, v in cursor.fetchall()}
        cursor.execute(
            f"SELECT {_month_sql('received_on')}, SUM(amount_base) FROM receivables_receipt "
            f"WHERE department_id IN ({depts}) AND status = 'confirmed' AND received_on BETWEEN %s AND %s "
            f"GROUP BY 1",
            [start, end],
        )
        out["received"] = {m: _cents(v) for m, v in cursor.fetchall()}
        cursor.execute(
            f"SELECT user_id, department_id, year, period, amount FROM targets_target "
            f"WHERE measure = 'signed' AND year = %s AND department_id IN ({depts})",
            [start.year],
        )
        out["targets"] = cursor.fetchall()
        edges = [today, today - 30 * day, today - day, today - 60 * day, today - 31 * day, today - 90 * day]
        cursor.execute(
            f"SELECT SUM(CASE WHEN i.due_on >= %s THEN i.outstanding_base END), "
            f"SUM(CASE WHEN i.due_on BETWEEN %s AND %s THEN i.outstanding_base END), "
            f"SUM(CASE WHEN i.due_on BETWEEN %s AND %s THEN i.outstanding_base END), "
            f"SUM(CASE WHEN i.due_on BETWEEN %s AND %s THEN i.outstanding_base END), "
            f"SUM(CASE WHEN i.due_on <= %s THEN i.outstanding_base END) "
            f"FROM receivables_installment i JOIN contracts_contract c ON c.id = i.contract_id "
            f"WHERE c.department_id IN ({depts}) AND i.status IN ('pending', 'partial', 'overdue')",
            [today, edges[1], edges[2], edges[3], edges[4], edges[5], today - 61 * day, today - 91 * day],
        )
        out["aging"] = [_cents(v) for v in cursor.fetchone()]
        cursor.execute(
            f"SELECT r.customer_id, cu.name, SUM(r.amount_base) AS amount FROM receivables_receipt r "
            f"JOIN customers_customer cu ON cu.id = r.customer_id WHERE r.department_id IN ({depts}) "
            f"AND r.status = 'confirmed' AND r.received_on BETWEEN %s AND %s "
            f"GROUP BY r.customer_id, cu.name ORDER BY amount DESC, cu.name LIMIT 10",
            [start, end],
        )
        out["top_customers"] = [(name, _cents(v)) for _pk, name, v in cursor.fetchall()]
    return out


def _aging_sql() -> list[tuple[Any, ...]]:
    """The aging report by customer for every contract, written by hand (one GROUP BY)."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.customer_id, cu.name, "
            "SUM(CASE WHEN i.due_on >= %s THEN i.outstanding_base END), "
            "SUM(CASE WHEN i.due_on BETWEEN %s AND %s THEN i.outstanding_base END), "
            "SUM(CASE WHEN i.due_on BETWEEN %s AND %s THEN i.outstanding_base END), "
            "SUM(CASE WHEN i.due_on BETWEEN %s AND %s THEN i.outstanding_base END), "
            "SUM(CASE WHEN i.due_on <= %s THEN i.outstanding_base END), SUM(i.outstanding_base) AS total "
            "FROM receivables_installment i JOIN contracts_contract c ON c.id = i.contract_id "
            "JOIN customers_customer cu ON cu.id = c.customer_id "
            "WHERE i.status IN ('pending', 'partial', 'overdue') "
            "GROUP BY c.customer_id, cu.name ORDER BY total DESC, c.customer_id",
            [
                today,
                today - 30 * day,
                today - day,
                today - 60 * day,
                today - 31 * day,
                today - 90 * day,
                today - 61 * day,
                today - 91 * day,
            ],
        )
        return cursor.fetchall()


def _chart_values(charts: list[tuple[str, Any]], key: str, series: int = 0) -> list[Any]:
    chart = dict(charts)[key]
    return [cells[series][0] for _category, cells in chart.rows]


def _check_dashboard(manager: Any, url: str, raw: dict[str, Any]) -> None:
    """The page's numbers are the baseline's: signed and 回款 per month, aging buckets, top customers,
    the funnel's won bar."""
    from django.test import RequestFactory

    from guanxi.targets import dashboards

    request = RequestFactory().get(url)
    request.user = manager
    context = dashboards.context(request)
    charts = context["charts"]
    chart = dict(charts)["signed_received_target"]
    months = [category for category, _cells in chart.rows]
    signed = [raw["signed"].get(m, Decimal("0.00")) for m in months]
    received = [raw["received"].get(m, Decimal("0.00")) for m in months]
    assert _chart_values(charts, "signed_received_target", 0) == signed, "signed differs from raw SQL"
    assert _chart_values(charts, "signed_received_target", 1) == received, "回款 differs from raw SQL"
    assert _chart_values(charts, "receivables_aging") == raw["aging"], "aging buckets differ from raw SQL"
    top = dict(charts)["top_customers"]
    assert [(c, v[0][0]) for c, v in top.rows] == raw["top_customers"], "top customers differ"
    won = sum(n for pk, n in raw["funnel"].items() if pk in raw["won_ids"])
    assert _chart_values(charts, "funnel")[-1] == won, "the funnel's won deals differ from raw SQL"


def run(scale: str) -> list[Result]:
    started = time.perf_counter()
    data = _setup(_sizes(scale))
    return measure(data, time.perf_counter() - started, pick(scale, 7, 15))


def measure(data: dict[str, Any], setup_s: float, repeat: int) -> list[Result]:
    """Check, then time, the two pages over the data ``_setup`` wrote (a harness may pass the same
    dictionary for data it kept from an earlier run)."""
    from guanxi.receivables import aging
    from guanxi.users.models import Department

    manager, finance, region = data["manager"], data["finance"], data["region"]
    today = timezone.localdate()
    start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    ids = sorted(Department.objects.filter(path__startswith=region.path).values_list("pk", flat=True))
    dashboard_url = f"/dashboards/sales/?period=year&year={today.year}&number=0&department={region.pk}"

    def raw_dashboard() -> dict[str, Any]:
        return _dashboard_sql(ids, data["pipeline"], data["stages"], start, end)

    manager_client = Client()
    manager_client.force_login(manager)
    finance_client = Client()
    finance_client.force_login(finance)

    def dashboard_page() -> None:
        response = manager_client.get(dashboard_url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code

    def aging_page() -> None:
        response = finance_client.get("/receivables/aging/?by=customer", HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code

    raw = raw_dashboard()
    raw["won_ids"] = {s.pk for s in data["stages"] if s.kind == "won"}
    _check_dashboard(manager, dashboard_url, raw)
    dashboard_page()
    raw_rows = _aging_sql()
    report = aging.report(finance, by="customer", today=today)
    mine = [
        (row.key, row.label, *[money.amount for money, _url in row.cells], row.total and row.total.amount)
        for row in report.rows
    ]
    theirs = [(r[0], r[1], *[_cents(v) for v in r[2:]]) for r in raw_rows]
    assert mine == theirs, "the aging report differs from raw SQL"
    aging_page()

    raw_dash_ms, raw_dash_p95 = median_and_p95(raw_dashboard, repeat)
    dash_ms, dash_p95 = median_and_p95(dashboard_page, repeat)
    raw_aging_ms, raw_aging_p95 = median_and_p95(_aging_sql, repeat)
    aging_ms, aging_p95 = median_and_p95(aging_page, repeat)
    counts = data["counts"]
    scale_note = (
        f"{counts['deals']:,} deals, {counts['contracts']:,} contracts, "
        f"{counts['installments']:,} installments, {counts['receipts']:,} receipts; "
        f"data written in {setup_s:.0f} s"
    )
    return [
        Result(
            "sales dashboard, one region, this year (rendered page)", "raw SQL of the same numbers",
            dash_ms, raw_dash_ms, counts["deals"], f"target < 1 s; {scale_note}", dash_p95, raw_dash_p95,
        ),
        Result(
            "aging report by customer, all contracts (rendered page)", "raw SQL of the same rows",
            aging_ms, raw_aging_ms, len(raw_rows), f"{counts['installments']:,} installments; target < 2 s",
            aging_p95, raw_aging_p95,
        ),
    ]  # fmt: skip
