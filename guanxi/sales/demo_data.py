"""Demo step: two pipelines (标准销售流程, the default, and 项目型销售 for 华东) and ~800 deals in
every stage, with stage histories spread over the last year, won deals stamping their customers'
``last_won_at`` and lifecycle stage.

Idempotent: nothing is created when pipelines exist. Deals and their histories go in with
``bulk_create`` and their change-log entries in bulk (as the activities step does).
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from guanxi.demo.generator import DemoContext, register_demo_step

DEAL_COUNT = 800
STANDARD = [
    # zh, en, probability, kind, stale days, required fields
    ("初步接洽", "Qualification", 10, "open", 14, []),
    ("需求确认", "Needs analysis", 30, "open", 21, []),
    ("方案报价", "Proposal", 60, "open", 21, ["amount_amount", "expected_close_date"]),
    ("商务谈判", "Negotiation", 80, "open", 14, ["amount_amount", "expected_close_date", "next_step"]),
    ("赢单", "Won", 100, "won", None, []),
    ("输单", "Lost", 0, "lost", None, []),
]
PROJECTS = [
    ("立项", "Project initiation", 10, "open", 30, []),
    ("招投标", "Tender", 40, "open", 30, ["amount_amount"]),
    ("中标", "Awarded", 90, "open", 30, ["amount_amount", "expected_close_date"]),
    ("签约", "Signed", 100, "won", None, []),
    ("失标", "Lost tender", 0, "lost", None, []),
]
PRODUCTS = ("ERP 系统", "CRM 云服务", "智能仓储方案", "数据分析平台", "工业物联网网关", "MES 生产管理")
COMPETITORS = ("用友", "金蝶", "SAP", "Salesforce", "纷享销客", "")
NEXT_STEPS = ("发送正式报价", "安排技术交流会", "申请特价审批", "约客户总经理见面", "准备投标文件", "")
REASONS_WON = ("price", "product_fit", "relationship", "service")
REASONS_LOST = ("price", "competitor", "no_budget", "no_decision")


def _pipeline(name: str, name_en: str, stages: list[tuple[Any, ...]], *, default: bool, order: int) -> Any:
    from guanxi.sales.models import Pipeline, Stage

    pipeline = Pipeline.objects.create(name=name, name_en=name_en, is_default=default, order=order)
    for index, (zh, en, probability, kind, stale, required) in enumerate(stages):
        Stage.objects.create(
            pipeline=pipeline,
            name=zh,
            name_en=en,
            order=index,
            probability=probability,
            kind=kind,
            stale_after_days=stale,
            required_fields=required,
        )
    return pipeline


def load_deals(ctx: DemoContext) -> int:
    from guanxi.customers.models import Customer
    from guanxi.framework.changes import log_bulk_create
    from guanxi.sales.choices import ForecastCategory, default_forecast_category
    from guanxi.sales.models import Deal, Pipeline, StageChange

    if Pipeline.objects.exists():
        return 0
    rng = ctx.rng
    standard = _pipeline("标准销售流程", "Standard sales", STANDARD, default=True, order=0)
    projects = _pipeline("项目型销售", "Project sales", PROJECTS, default=False, order=1)
    east = ctx.departments.get("east1")
    if east is not None:
        projects.departments.set([east])
    customers = list(Customer.objects.exclude(owner=None).select_related("owner")[:400])
    if not customers:
        return 2
    now = timezone.now()
    deals: list[Any] = []
    paths: list[list[tuple[Any, datetime.datetime]]] = []
    stage_lists: dict[int, list[Any]] = {}
    for _n in range(DEAL_COUNT):
        customer = rng.choice(customers)
        pipeline = (
            projects
            if (east is not None and customer.department_id == east.pk and rng.random() < 0.3)
            else standard
        )
        stages = stage_lists.setdefault(pipeline.pk, list(pipeline.stages.order_by("order")))
        open_stages = [s for s in stages if s.kind == "open"]
        won = next(s for s in stages if s.kind == "won")
        lost = next(s for s in stages if s.kind == "lost")
        created = now - datetime.timedelta(days=rng.randint(5, 360), hours=rng.randint(0, 23))
        # walk forward through the open stages, then maybe close
        depth = rng.randint(1, len(open_stages))
        route = open_stages[:depth]
        ending = rng.random()
        if ending < 0.25:
            route.append(won)
        elif ending < 0.4:
            route.append(lost)
        span = (now - created).total_seconds()
        times = sorted(created + datetime.timedelta(seconds=rng.uniform(0, span * 0.9)) for _ in route[1:])
        path = list(zip(route, [created, *times], strict=True))
        last_stage, entered = path[-1]
        amount = Decimal(rng.choice((3, 5, 8, 12, 20, 35, 60, 120, 250))) * 10000
        category = default_forecast_category(last_stage.kind, last_stage.probability)
        if category == ForecastCategory.BEST_CASE and len(deals) % 5 == 0:
            category = ForecastCategory.COMMIT  # the rep is surer than the stage (no rng: stable data)
        deals.append(
            Deal(
                name=f"{customer.short_name or customer.name[:8]} · {rng.choice(PRODUCTS)}",
                customer=customer,
                pipeline=pipeline,
                stage=last_stage,
                amount_amount=amount,
                expected_close_date=(entered + datetime.timedelta(days=rng.randint(10, 90))).date(),
                source=rng.choice(("2026 工博会", "官网表单", "老客户推荐", "电话拓客", "")),
                competitors=rng.choice(COMPETITORS),
                next_step=rng.choice(NEXT_STEPS) if last_stage.kind == "open" else "",
                close_reason=rng.choice(REASONS_WON if last_stage.kind == "won" else REASONS_LOST)
                if last_stage.kind != "open"
                else "",
                stage_entered_at=entered,
                closed_at=entered if last_stage.kind != "open" else None,
                forecast_category=category,
                owner=customer.owner,
                department_id=customer.department_id,
                created_at=created,
            )
        )
        paths.append(path)
    deals = Deal.objects.bulk_create(deals, batch_size=500)
    # created_at is auto_now_add: the histories start a year back, so the rows say so too.
    changes: list[Any] = []
    for deal, path in zip(deals, paths, strict=True):
        Deal.objects.filter(pk=deal.pk).update(created_at=path[0][1])
        for (previous, since), (stage, at) in itertools.pairwise(path):
            changes.append(
                StageChange(
                    deal=deal,
                    from_stage=previous,
                    to_stage=stage,
                    changed_at=at,
                    changed_by=deal.owner,
                    seconds_in_stage=int((at - since).total_seconds()),
                )
            )
    StageChange.objects.bulk_create(changes, batch_size=1000)
    log_bulk_create(deals, batch_size=500)
    wins = (
        Deal.objects.filter(stage__kind="won")
        .values("customer")
        .annotate(last=Max("closed_at"), n=Count("pk"))
    )
    for row in wins:
        Customer.objects.filter(pk=row["customer"]).update(
            last_won_at=row["last"], stage="repeat" if row["n"] > 1 else "won"
        )
    return len(deals) + len(changes)


register_demo_step("deals", load_deals, order=42)
