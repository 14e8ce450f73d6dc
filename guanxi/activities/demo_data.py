"""Demo step: follow-ups over the last 90 days for every demo customer, and open and done tasks
around today, so "My day" looks alive for rep1 and manager1.

Idempotent: nothing is created when follow-ups exist. Rows go in with ``bulk_create`` (thousands
of them would take seconds one by one); their change-log entries are written in bulk too, so the
history shows them as demo rows and ``guanxi demo --delete`` finds them. Search keys are rebuilt
by the demo runner afterwards, and ``last_contacted_at`` is set in one UPDATE.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from guanxi.demo.generator import DemoContext, register_demo_step

PRODUCTS = ("ERP 系统", "CRM 云服务", "智能仓储方案", "数据分析平台", "工业物联网网关")
CONTENT = {
    "call": (
        "电话沟通报价，客户希望月底前确定采购数量",
        "电话回访，了解{product}的使用情况，反馈良好",
        "电话确认合同条款，对方法务还在审核",
        "电话未接通，已发短信说明来意",
    ),
    "visit": (
        "上门拜访演示{product}，客户 IT 主管和采购经理参加",
        "上门拜访，参观生产线并梳理仓储管理需求",
        "拜访客户总经理，介绍{product}的成功案例",
    ),
    "meeting": ("线上会议讨论{product}实施方案和上线时间", "与采购部开会沟通年度框架协议"),
    "email": ("邮件发送报价单和{product}白皮书", "邮件跟进合同修改意见"),
    "wechat": ("微信发送{product}产品资料，客户已读", "微信沟通发货时间和开票信息"),
    "note": ("客户预算下季度才批，先保持联系", "竞争对手报价低 15%，需要申请特价"),
}
OUTCOMES = {
    "call": ("reached", "no_answer", "interested", "needs_follow_up"),
    "visit": ("interested", "agreed", "needs_follow_up"),
    "meeting": ("agreed", "interested", "needs_follow_up"),
    "email": ("quote_sent", "needs_follow_up", ""),
    "wechat": ("reached", "interested", ""),
    "note": ("", "not_interested"),
}
NEXT_STEPS = ("下周二前发正式报价", "安排技术交流会", "申请特价审批", "寄送样品", "约客户总经理见面", "")
TASK_TITLES = ("发送报价单给{name}", "准备{name}的合同", "回访{name}", "整理{name}的需求清单")
KIND_WEIGHTS = {"call": 5, "wechat": 3, "visit": 2, "meeting": 1, "email": 2, "note": 1}
BUSINESS_HOURS = (9, 10, 11, 14, 15, 16, 17)
# days since the last follow-up of a customer running late: inside or just past the demo pool
# rules' warning windows (C/D 15 days warned 2 before, B 20 warned 3, A 30 warned 5)
LATE_DAYS = (13, 13, 14, 14, 17, 18, 19, 26, 27, 28, 31)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _days_ago(rng: Any, count: int, *, late_share: float) -> list[int]:
    """How long ago a customer's ``count`` follow-ups were, latest first: the latest is recent for
    most customers (the reps keep to the pool rules' 15–30 day rhythm) and 13–31 days ago for
    ``late_share`` of them (in a rule's warning window or just past it); the older ones fall
    between it and 90 days ago."""
    latest = rng.choice(LATE_DAYS) if rng.random() < late_share else rng.randint(1, 12)
    return [latest, *sorted(rng.randint(latest, 90) for _ in range(count - 1))]


def load_follow_ups(ctx: DemoContext) -> int:
    """A few follow-ups per customer (by its owner), follow-up tasks and plain tasks around today."""
    from guanxi.activities.models import FollowUp, Task
    from guanxi.customers.models import Customer

    if FollowUp.objects.exists():
        return 0
    rng = ctx.rng
    today = timezone.localdate()
    customer_type = ContentType.objects.get_for_model(Customer)
    customers = list(Customer.objects.select_related("owner").filter(owner__isnull=False).order_by("pk"))
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    follow_ups: list[FollowUp] = []
    # rep1 and manager1 (the personas a visitor signs in as) get a few more customers running late
    focus = {ctx.users[name].pk for name in ("rep1", "manager1") if name in ctx.users}
    for customer in customers:
        late_share = 0.1 if customer.owner_id in focus else 0.05
        for days_ago in _days_ago(rng, rng.randint(1, 4), late_share=late_share):
            kind = rng.choices(kinds, weights)[0]
            day = today - datetime.timedelta(days=days_ago)
            follow_ups.append(
                FollowUp(
                    kind=kind,
                    occurred_at=_at(day, rng.choice(BUSINESS_HOURS), rng.choice((0, 15, 30, 45))),
                    content=rng.choice(CONTENT[kind]).format(product=rng.choice(PRODUCTS)),
                    outcome=rng.choice(OUTCOMES[kind]),
                    next_step=rng.choice(NEXT_STEPS),
                    place=customer.address if kind == "visit" else "",
                    target_type=customer_type,
                    target_id=customer.pk,
                    customer=customer,
                    owner=customer.owner,
                    department_id=customer.department_id,
                )
            )
    follow_ups = FollowUp.objects.bulk_create(follow_ups, batch_size=500)
    latest: dict[int, FollowUp] = {}
    for follow_up in follow_ups:
        current = latest.get(follow_up.customer_id or 0)
        if current is None or follow_up.occurred_at > current.occurred_at:
            latest[follow_up.customer_id or 0] = follow_up

    tasks: list[Task] = []
    for customer in customers:
        owner = customer.owner
        assert owner is not None
        share = 0.6 if owner.pk in focus else 0.25
        if rng.random() < share:  # the follow-up task of the latest follow-up
            source = latest.get(customer.pk)
            due = _at(today + datetime.timedelta(days=rng.randint(-3, 5)), rng.choice(BUSINESS_HOURS))
            tasks.append(
                _task(f"跟进 {customer.name}", due, customer, customer_type, source, owner, rng, done=False)
            )
        if rng.random() < share / 2:
            due = _at(today + datetime.timedelta(days=rng.randint(-20, 3)), rng.choice(BUSINESS_HOURS))
            title = rng.choice(TASK_TITLES).format(name=customer.short_name or customer.name)
            tasks.append(
                _task(title, due, customer, customer_type, None, owner, rng, done=due.date() < today)
            )
    for username in ("rep1", "manager1"):  # every demo morning starts with something due today
        user = ctx.users.get(username)
        mine = [c for c in customers if user is not None and c.owner_id == user.pk][:3]
        for hour, customer in zip((10, 14, 16), mine, strict=False):
            tasks.append(
                _task(
                    f"回访{customer.name}",
                    _at(today, hour),
                    customer,
                    customer_type,
                    None,
                    user,
                    rng,
                    done=False,
                )
            )
    tasks = Task.objects.bulk_create(tasks, batch_size=500)

    _write_change_log([*follow_ups, *tasks])
    Customer.objects.filter(follow_ups__isnull=False).distinct().update(
        last_contacted_at=Subquery(
            FollowUp.objects.filter(customer=OuterRef("pk"))
            .values("customer")
            .annotate(last=Max("occurred_at"))
            .values("last")[:1]
        )
    )
    return len(follow_ups) + len(tasks)


def _task(
    title: str,
    due: datetime.datetime,
    customer: Any,
    customer_type: ContentType,
    source: Any,
    owner: Any,
    rng: Any,
    *,
    done: bool,
) -> Any:
    from guanxi.activities.models import Task
    from guanxi.activities.services import default_remind_at

    return Task(
        title=title[:200],
        due_at=due,
        priority=rng.choices(("low", "normal", "high", "urgent"), (1, 6, 2, 1))[0],
        status="done" if done else "open",
        done_at=due if done else None,
        remind_at=None if done else default_remind_at(due),
        description=source.next_step if source is not None else "",
        target_type=customer_type,
        target_id=customer.pk,
        customer=customer,
        follow_up=source,
        owner=owner,
        department_id=customer.department_id,
    )


def _write_change_log(rows: list[Any]) -> None:
    """One "create" entry per demo row, as the save signal would have written it."""
    from guanxi.framework.changes import log_bulk_create

    log_bulk_create(rows, batch_size=500)


register_demo_step("activities", load_follow_ups, order=40)
